"""Search folding and id keys."""
from pipeline.fold import names_id, ref_key


def test_a_title_names_an_id_only_as_a_whole_id():
    key = ref_key("20-NQ/TW")
    assert names_id("Kế hoạch thực hiện Nghị quyết số 20 - NQ/TW ngày 25/10/2017", key)
    assert names_id("KẾ HOẠCH thực hiện Nghị quyết 20–NQ/TW, Hội nghị Trung ương 6", key)
    assert not names_id("Kế hoạch thực hiện Nghị quyết số 120-NQ/TW", key)
    assert not names_id("Kế hoạch thực hiện Nghị quyết số 20-NQ/TWX", key)
    assert not names_id(None, key)


def test_ids_with_a_year_and_a_dotless_d():
    key = ref_key("72/2024/NĐ-CP")
    assert names_id("Triển khai Nghị định 72/2024/ND-CP của Chính phủ", key)
    assert not names_id("Triển khai Nghị định 172/2024/NĐ-CP", key)
