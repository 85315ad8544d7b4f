"""References: id forms, kind, date / issuer / subject attachment, OCR noise, and the seeds."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.extractors import references
from pipeline.extractors.references import canonical_id, issuer_of_symbol, kind_of_code, split_id
from pipeline.model import Document
from pipeline.normalise import normalise
from pipeline.segment import segment

from conftest import bench_sample


def refs(text):
    norm = normalise(text)
    seg = segment(norm.text, norm.match_text)
    out = references.extract(seg, Document(doc_id="t", text=norm.text))
    for r in out:
        assert norm.text[r.start:r.end] == r.text
    return out


def one(text):
    found = refs(text)
    assert len(found) == 1, found
    return found[0]


# ---- id forms --------------------------------------------------------------------------

@pytest.mark.parametrize("text, rid, kind", [
    ("thực hiện Nghị quyết số 20-NQ/TW của Trung ương", "20-NQ/TW", "Nghị quyết"),
    ("triển khai Chương trình hành động số 13-CTr/TU, ngày 04/10/2021", "13-CTr/TU", "Chương trình hành động"),
    ("ban hành Kế hoạch số 222-KH/ĐUK về thực hiện", "222-KH/ĐUK", "Kế hoạch"),
    ("Chỉ thị 09-CT/TU, ngày 06/4/2022 của Ban Thường vụ Tỉnh ủy", "09-CT/TU", "Chỉ thị"),
    ("của Thôngt ư số 19/2021/TT-BTC ngày 18/3/2021", "19/2021/TT-BTC", "Thông tư"),
    ("theo Quyết định 2628/QĐ-BYT ngày 22/6/2020 của Bộ Y tế", "2628/QĐ-BYT", "Quyết định"),
    ("theo Nghị quyết số 142/2024/QH15 ngày 29 tháng 6 năm 2024", "142/2024/QH15", "Nghị quyết"),
    ("Nghị dịnh số 72/2024/NĐ-CP quy định", "72/2024/NĐ-CP", "Nghị định"),
    ("theo văn bản 123/UBND-VX của huyện", "123/UBND-VX", "Công văn"),
    ("Quyết định số 2348/QĐ-TTg ngày 05/12/2016", "2348/QĐ-TTg", "Quyết định"),
    ("kèm theo Nghị định số204/2004/NĐ-CP.", "204/2004/NĐ-CP", "Nghị định"),
    ("theo Nghị quyết số 30a/2008/NQ-CP về Chương trình", "30a/2008/NQ-CP", "Nghị quyết"),
])
def test_id_forms(text, rid, kind):
    r = one(text)
    assert (r.id, r.kind) == (rid, kind)


@pytest.mark.parametrize("text, rid", [
    ("Kết luận số 111- KL/TU, ngày 03/6/2021", "111-KL/TU"),
    ("Kết luận số 111 - KL/TU của Tỉnh ủy", "111-KL/TU"),
    ("Nghị quyết số 08 – NQ/TW của Bộ Chính trị", "08-NQ/TW"),
    ("Thông tư số 304/2016/TT- BTC về Danh mục", "304/2016/TT-BTC"),
])
def test_ocr_spacing_and_dashes(text, rid):
    assert one(text).id == rid


def test_kind_from_type_code_when_the_word_is_absent():
    found = refs("các Nghị quyết số 18-NQ/TW, 19-NQ/TW và Thông tư 24/2014/TT-BTNMT")
    assert [(r.id, r.kind) for r in found] == [
        ("18-NQ/TW", "Nghị quyết"), ("19-NQ/TW", "Nghị quyết"), ("24/2014/TT-BTNMT", "Thông tư")]
    assert refs("căn cứ 875/TTg-KTN ngày 27/5/2016")[0].kind == "Công văn"
    assert kind_of_code("QĐi/TW") == ("Quy định", "kind.quy_dinh")


@pytest.mark.parametrize("text, rid, kind", [
    ("Thực hiện tốt Đề án 1816, cử bác sỹ luân phiên", "1816", "Đề án"),
    ("Quyết định số 684 là quyết định cưỡng chế", "684", "Quyết định"),
    ("UBND tỉnh có quyết định số 949 về việc chủ trương", "949", "Quyết định"),
    ("ưu đãi theo Luật số 71. Riêng", "71", "Luật"),
    ("bổ sung Nghị định số 91/2015 của Chính phủ", "91/2015", "Nghị định"),
    ("bao gồm Nghị định số 28-CP ngày 07/05/1996", "28-CP", "Nghị định"),
    ("Bộ Y tế ban hành văn bản số 3759, yêu cầu xử lý", "3759", "Công văn"),
    ("trên cơ sở đề nghị của Bộ Tài chính (Công văn số 2000) và ý kiến", "2000", "Công văn"),
    ("Theo Điểm c, Điều 12, Nghị định 134/2016-NĐ-CP thì linh kiện", "134/2016-NĐ-CP", "Nghị định"),
])
def test_number_only_with_a_kind_word(text, rid, kind):
    r = one(text)
    assert (r.id, r.kind) == (rid, kind)


def test_bare_numbers_listed_after_a_citation():
    found = refs("Quyết định số 217, số 218 của Bộ Chính trị (Khóa XI) đã đi vào cuộc sống")
    assert [(r.id, r.kind) for r in found] == [("217", "Quyết định"), ("218", "Quyết định")]
    found = refs("Thông tư số 219/2013, Thông tư số 26/2015 và số 173/2016 của Bộ Tài chính có hướng dẫn")
    assert [r.id for r in found] == ["219/2013", "26/2015", "173/2016"]


@pytest.mark.parametrize("text", [
    "gắn với triển khai thực hiện Nghị quyết Đại hội Đảng các cấp nhiệm kỳ 2020 - 2025",
    "diễn biến phức tạp của dịch bệnh Covid-19 ảnh hưởng lớn",
    "đưa các mục tiêu vào kế hoạch 5 năm (2011-2015) để làm căn cứ",
    "thoái vốn kế hoạch 11.600 tỷ đồng so với kế hoạch 60.000 tỷ đồng",
    "theo Kế hoạch 2021 của huyện",
    "đã có kết luận 02 cuộc thanh tra",
    "đảng viên 2.377/2.447 (đạt 97%); 6/10 xã, thị trấn; HIV/AIDS",
    "1/ Tiếng nói, chữ viết của các dân tộc Việt Nam. 2/ Ngữ văn dân gian",
    "kem nền SPF 37/PA++ với bốn dòng. Chọn vào HDMI 1/MHL Kết quả",
    "đường và công trình đoạn Km287+00-Km312+500/QL2, tỉnh Hà Giang",
])
def test_not_references(text):
    assert refs(text) == []


def test_numbered_papers_that_are_not_directives():
    found = refs("tại Hợp đồng số 32/HĐ-EPC ngày 1/11/2010 – Gói thầu. Bác ký Sắc lệnh số 15/SL bổ nhiệm. "
                 "Phiếu chuyển số 480/PC-BTT ngày 9/9/2016 chuyển đơn")
    assert [(r.id, r.kind, r.date) for r in found] == [
        ("32/HĐ-EPC", None, "2010-11-01"), ("15/SL", "Sắc lệnh", None), ("480/PC-BTT", None, "2016-09-09")]


def test_own_number_line_is_not_a_reference():
    assert refs("UBND HUYỆN TÂN UYÊN\nSố: 12/KH-UBND\nTân Uyên, ngày 5 tháng 1 năm 2022\n") == []
    assert refs("Số: /TB-UBND\n") == []


# ---- attached fields --------------------------------------------------------------------

def test_date_issuer_subject_after_the_id():
    r = one("lãnh đạo thực hiện Nghị quyết số 20-NQ/TW, ngày 25/10/2017 của Ban Chấp hành Trung ương "
            "“về tăng cường công tác bảo vệ, chăm sóc và nâng cao sức khoẻ Nhân dân trong tình hình mới” với nhiều giải pháp")
    assert (r.date, r.issuer) == ("2017-10-25", "Ban Chấp hành Trung ương")
    assert r.subject == "về tăng cường công tác bảo vệ, chăm sóc và nâng cao sức khoẻ Nhân dân trong tình hình mới"


def test_date_written_in_words_and_issuer_canonicalised():
    r = one("thực hiện Chỉ thị số 25-CT/TW, ngày 25 tháng 10 năm 2023 của Ban Bí thư về tiếp tục củng cố.")
    assert (r.date, r.issuer, r.subject) == ("2023-10-25", "Ban Bí thư", "về tiếp tục củng cố")
    r = one("Nghị quyết số 20-NQ/TW ngày 25/10/2017 của Ban chấp hành Trung ương đảng khóa XII về tăng cường")
    assert (r.date, r.issuer) == ("2017-10-25", "Ban Chấp hành Trung ương")
    r = one("Thông tư số 30/2014/TT-BTNMT ngày 2/6/2014 của Bộ trưởng Bộ Tài nguyên và Môi trường quy định về hồ sơ")
    assert (r.date, r.issuer) == ("2014-06-02", "Bộ Tài nguyên và Môi trường")


def test_issue_date_before_the_mention():
    found = refs("Ngày 23/4/2024, Đảng ủy Khối các cơ quan tỉnh ban hành Kế hoạch số 222-KH/ĐUK về thực hiện "
                 "Chỉ thị số 25-CT/TW, ngày 25 tháng 10 năm 2023 của Ban Bí thư.")
    assert [(r.id, r.date) for r in found] == [("222-KH/ĐUK", "2024-04-23"), ("25-CT/TW", "2023-10-25")]


def test_subject_stops_at_a_sibling_citation_and_keeps_nested_ones():
    found = refs("Quyết định số 2348/QĐ-TTg ngày 05/12/2016 của Thủ tướng Chính phủ về phê duyệt đề án xây dựng "
                 "mạng lưới y tế cơ sở trong tình hình mới, Kết luận số 111 - KL/TU của Tỉnh ủy Lai Châu về việc tiếp tục")
    assert found[0].subject == "về phê duyệt đề án xây dựng mạng lưới y tế cơ sở trong tình hình mới"
    assert found[1].issuer == "Tỉnh ủy Lai Châu"
    found = refs("triển khai Chương trình hành động số 13-CTr/TU, ngày 04/10/2021 của Tỉnh ủy về thực hiện "
                 "Chỉ thị số 07-CT/TW, ngày 06/7/2021 của Ban Bí thư về tăng cường lãnh đạo; Chỉ thị 09-CT/TU")
    assert found[0].subject == "về thực hiện Chỉ thị số 07-CT/TW, ngày 06/7/2021 của Ban Bí thư về tăng cường lãnh đạo"
    assert found[1].subject == "về tăng cường lãnh đạo"


def test_known_date_reaches_other_mentions_of_the_id():
    found = refs("Thực hiện Kết luận số 111- KL/TU, ngày 03/6/2021 của Tỉnh ủy. Phổ biến Kết luận số 111-KL/TU của Tỉnh ủy.")
    assert [r.date for r in found] == ["2021-06-03", "2021-06-03"]


def test_issuer_from_symbol_when_the_text_names_none():
    assert one("theo Quyết định 2151/QĐ-BYT về đổi mới").issuer == "Bộ Y tế"
    assert issuer_of_symbol("QĐ-TTg") == "Thủ tướng Chính phủ"
    assert issuer_of_symbol("2024/QH15") == "Quốc hội"
    assert issuer_of_symbol("KH/HU") == "Huyện ủy"


@pytest.mark.parametrize("written, name", [
    ("Ban chấp hành Trung ương đảng khóa XII", "Ban Chấp hành Trung ương"),
    ("BCH T.Ư Đảng Khóa XI", "Ban Chấp hành Trung ương"),
    ("Ban Thường vụ Tỉnh ủy", "Ban Thường vụ Tỉnh ủy"),
    ("Tỉnh ủy Lai Châu về việc tiếp tục", "Tỉnh ủy Lai Châu"),
    ("Bộ trưởng Bộ Tài chính hướng dẫn giao dịch điện tử", "Bộ Tài chính"),
    ("Bộ Văn hóa, Thể thao và Du lịch gửi Hiệp hội", "Bộ Văn hóa, Thể thao và Du lịch"),
    ("Chủ tịch UBND TP Thái Bình giải quyết khiếu nại", "UBND TP Thái Bình"),
    ("Giám đốc Sở Y tế Lê Quang Hùng ký", "Sở Y tế"),
    ("Sở Y tế tỉnh Lào Cai", "Sở Y tế tỉnh Lào Cai"),
    ("HUYỆN ỦY TAM ĐƯỜNG", "Huyện ủy Tam Đường"),
    ("ỦY BAN NHÂN DÂN HUYỆN TÂN UYÊN", "UBND huyện Tân Uyên"),
    ("Hội đồng Chính phủ quy định nhiệm vụ", "Hội đồng Chính phủ"),
    ("ông Tô Văn Vỹ cấp", ""),
])
def test_canonical_issuer(written, name):
    assert references.canonical_issuer(written) == name


def test_helpers():
    assert canonical_id("111 - KL/TU") == "111-KL/TU"
    assert canonical_id("2628/QĐ–BYT") == "2628/QĐ-BYT"
    assert split_id("20-NQ/TW") == ("20", "NQ/TW")
    assert split_id("19/2021/TT-BTC") == ("19", "2021/TT-BTC")
    assert split_id("/TB-UBND") == (None, "TB-UBND")
    assert split_id("1816") == ("1816", None)


@settings(max_examples=60, deadline=None)
@given(num=st.integers(1, 9999), sp1=st.sampled_from(["", " ", "  "]), sp2=st.sampled_from(["", " "]),
       dash=st.sampled_from(["-", "–", "—"]), code=st.sampled_from(["NQ/TW", "KL/TU", "CTr/TU", "KH/ĐUK"]))
def test_party_ids_survive_spacing_and_dash_noise(num, sp1, sp2, dash, code):
    r = one(f"thực hiện Kết luận số {num}{sp1}{dash}{sp2}{code} của Tỉnh ủy")
    assert r.id == f"{num}-{code}"


# ---- seeds ---------------------------------------------------------------------------------

def test_seed_reference_ids_and_dates_match_gold(seed_docs, seed_gold):
    for doc_id, gold in seed_gold.items():
        doc = seed_docs[doc_id]
        got = {r.id for r in doc.references}
        assert got == {g["id"] for g in gold["references"]}, doc_id
        for g in gold["references"]:
            mentions = [r for r in doc.references if r.id == g["id"]]
            assert {r.kind for r in mentions} == {g["kind"]}, g
            if g["date"]:
                assert {r.date for r in mentions} == {g["date"]}, g


def test_seed_000_has_no_sidebar_references(seed_docs):
    doc = seed_docs["000_006328973dff5d58"]
    sidebar = {"47/2024/TT-BTC", "46/2024/TT-BTC", "19/2021/TT-BTC", "72/2024/NĐ-CP", "142/2024/QH15", "54/2024/NĐ-CP"}
    assert not sidebar & {r.id for r in doc.references}


def test_offsets_and_rules_on_every_seed(seed_docs):
    for doc in seed_docs.values():
        for r in doc.references:
            assert doc.text[r.start:r.end] == r.text
            assert r.rule and r.rule.startswith("ref.")


def test_offsets_on_bench():
    sample = bench_sample(150, every=53)
    prepared = []
    for rec in sample:
        norm = normalise(rec["text"])
        prepared.append((segment(norm.text, norm.match_text), Document(doc_id=rec["id"], text=norm.text)))
    for seg, doc in prepared:
        for r in references.extract(seg, doc):
            assert seg.text[r.start:r.end] == r.text


FRAGMENTS = [
    "Nghị quyết số 20-NQ/TW, ngày 25/10/2017 của Ban Chấp hành Trung ương",
    "Kết luận số 111 - KL/TU của Tỉnh ủy Lai Châu về việc tiếp tục thực hiện Đề án “Nâng cao chất lượng”",
    "Thôngt ư số 19/2021/TT-BTC ngày 18/3/2021",
    "Đề án 1816", "văn bản 123/UBND-VX", "Quyết định số 217, số 218",
    "Số: 47/2024/TT-BTC", "Covid-19", "6/10 xã", "ngày 25 tháng 10 năm 2023", "**",
]


@settings(max_examples=80, deadline=None)
@given(parts=st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=6),
       seps=st.lists(st.sampled_from([" ", ", ", "; ", "\n", ".\n\n", " và ", "\u00a0", "\r\n"]), min_size=6, max_size=6))
def test_offsets_hold_on_any_mix_of_phrasings(parts, seps):
    text = "".join(p + s for p, s in zip(parts, seps))
    for r in refs(text):  # refs() asserts text[start:end] == r.text
        assert r.id and " " not in r.id and r.rule
