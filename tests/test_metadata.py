"""Document metadata: type, own number, issuer, place and date, title, signer, recipients."""
import pytest

from pipeline.extractors import metadata
from pipeline.model import Document
from pipeline.normalise import normalise
from pipeline.segment import segment

from conftest import bench_sample


def meta(text):
    norm = normalise(text)
    return metadata.extract(segment(norm.text, norm.match_text), Document(doc_id="t", text=norm.text))


BODY = ("Thực hiện Kết luận số 111- KL/TU, ngày 03/6/2021 của Tỉnh ủy về tiếp tục thực hiện Đề án, "
        "Huyện ủy Tam Đường xây dựng kế hoạch triển khai thực hiện như sau:\n\nI. MỤC ĐÍCH, YÊU CẦU\n")


def test_seed_fields_match_gold(seed_docs, seed_gold):
    for doc_id, gold in seed_gold.items():
        doc = seed_docs[doc_id]
        for field in ("doc_type", "number", "issue_date", "issuer"):
            assert getattr(doc, field) == gold[field], (doc_id, field)
        if "symbol" in gold:
            assert doc.symbol == gold["symbol"]
        if "signer" in gold:
            assert (doc.signer.name, doc.signer.position) == (gold["signer"]["name"], gold["signer"]["position"])


def test_news_seeds(seed_docs):
    d0 = seed_docs["000_006328973dff5d58"]
    assert d0.title == "Tân Uyên tăng cường lãnh đạo công tác bảo vệ, chăm sóc và nâng cao sức khỏe Nhân dân"
    d3 = seed_docs["003_ebb5c12f4fc31886"]
    assert d3.title.startswith("Tiếp tục củng cố, hoàn thiện")
    d4 = seed_docs["004_7fa64b6d154f2c40"]
    assert d4.issue_date is None and d4.signer is None and d4.recipients == []


def test_plan_seed_signature_and_recipients(seed_docs):
    doc = seed_docs["001_6e3d7479b8752292"]
    assert doc.title.startswith("Thực hiện Kết luận số 111- KL/TU")
    assert doc.recipients[:2] == ["Thường trực Tỉnh ủy (B/c)", "Ban Tuyên giáo Tỉnh ủy"]
    assert not any(r.startswith("Lưu") for r in doc.recipients)


def test_notice_seed_place_title_and_recipients(seed_docs):
    doc = seed_docs["002_b46ce2d869fb8a30"]
    assert doc.place == "Tân Uyên"
    assert doc.title.startswith("Kết luận của Đồng chí Lò Văn Biên") and doc.title.endswith("năm 2023")
    assert "**" not in doc.title
    assert "Trung tâm Y tế huyện" in doc.recipients and len(doc.recipients) == 7


def test_header_block_of_a_party_plan():
    text = ("ĐẢNG BỘ TỈNH LAI CHÂU\nHUYỆN ỦY TAM ĐƯỜNG\n*\nSố 12-KH/HU\n\nTam Đường, ngày 15 tháng 7 năm 2021\n\n"
            "KẾ HOẠCH\nthực hiện Kết luận số 111-KL/TU\n\n" + BODY)
    m = meta(text)
    assert (m["doc_type"], m["number"], m["symbol"]) == ("ke_hoach", "12-KH/HU", "KH/HU")
    assert (m["issuer"], m["place"], m["issue_date"]) == ("Huyện ủy Tam Đường", "Tam Đường", "2021-07-15")
    assert m["title"] == "thực hiện Kết luận số 111-KL/TU"


def test_people_committee_header_and_blank_number():
    text = ("ỦY BAN NHÂN DÂN\nHUYỆN TÂN UYÊN\nSố: /TB-UBND\nTân Uyên, ngày    tháng 01 năm 2022\n\nTHÔNG BÁO\n"
            "Kết luận của đồng chí Phó Chủ tịch\n\n" + "Nội dung thông báo kết luận hội nghị. " * 5)
    m = meta(text)
    assert (m["doc_type"], m["number"], m["symbol"]) == ("thong_bao", None, "TB-UBND")
    assert (m["issuer"], m["issue_date"]) == ("UBND huyện Tân Uyên", "2022-01")


def test_doc_type_from_own_symbol_without_title_word():
    m = meta("UBND TỈNH LAI CHÂU\nSố: 1234/QĐ-UBND\nLai Châu, ngày 03/6/2021\n\n" + "Điều 1. Phê duyệt. " * 10)
    assert (m["doc_type"], m["number"]) == ("quyet_dinh", "1234/QĐ-UBND")


@pytest.mark.parametrize("stamp, iso", [
    ("Thứ năm - 30/06/2022 10:15", "2022-06-30"),
    ("24/04/2024 16:30", "2024-04-24"),
    ("Thứ Hai, 12/06/2017 - 08:30", "2017-06-12"),
])
def test_news_publication_stamp(stamp, iso):
    m = meta("Tiêu đề bài viết về công tác y tế cơ sở\n" + stamp + "\n" + "Nội dung bài viết dài về y tế cơ sở. " * 8)
    assert (m["doc_type"], m["issue_date"], m["issuer"]) == ("tin_bai", iso, None)
    assert m["title"] == "Tiêu đề bài viết về công tác y tế cơ sở"


def test_event_date_is_not_the_issue_date():
    m = meta("Thường trực Huyện uỷ làm việc với Đảng uỷ Trung tâm y tế huyện\n\n"
             "Chiều ngày 14/3/2024, Thường trực Huyện uỷ Hướng Hoá đã có phiên làm việc với Đảng uỷ Trung tâm Y tế huyện "
             "về tình hình kết quả thực hiện nhiệm vụ công tác của ngành Y tế huyện năm 2023.")
    assert (m["doc_type"], m["issue_date"]) == ("tin_bai", None)


def test_signature_positions():
    tail = "\n\nNơi nhận:\n- Như trên;\n- Lưu: VT.\n\n"
    m = meta("KẾ HOẠCH\nTrích yếu\n\n" + BODY + tail + "KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH\n(Đã ký)\n\nNGUYỄN VĂN AN")
    assert (m["signer"].name, m["signer"].position) == ("Nguyễn Văn An", "Phó Chủ tịch")
    assert m["recipients"] == ["Như trên"]


def test_bench_news_are_news():
    sample = bench_sample(60, every=211)
    types = [meta(rec["text"])["doc_type"] for rec in sample]
    assert types.count("tin_bai") >= 0.95 * len(types)


def test_two_column_header_flattened_to_one_line():
    text = ("ỦY BAN NHÂN DÂN                CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
            "TỈNH LAI CHÂU                  Độc lập - Tự do - Hạnh phúc\n"
            "Số: 1234/QĐ-UBND               Lai Châu, ngày 03 tháng 6 năm 2021\n\n"
            "QUYẾT ĐỊNH\nVề việc phê duyệt đề án\n\n" + "Căn cứ Luật Tổ chức chính quyền địa phương;\n" * 3)
    m = meta(text)
    assert (m["doc_type"], m["number"], m["issuer"]) == ("quyet_dinh", "1234/QĐ-UBND", "UBND tỉnh Lai Châu")
    assert (m["place"], m["issue_date"], m["title"]) == ("Lai Châu", "2021-06-03", "Về việc phê duyệt đề án")


def test_title_word_followed_by_the_subject_under_a_header():
    text = ("HUYỆN ỦY TAM ĐƯỜNG          ĐẢNG CỘNG SẢN VIỆT NAM\n*\n"
            "Số 15-BC/HU          Tam Đường, ngày 15 tháng 7 năm 2021\n\n"
            "BÁO CÁO TÌNH HÌNH THỰC HIỆN NGHỊ QUYẾT 6 THÁNG ĐẦU NĂM\n\n" + BODY)
    m = meta(text)
    assert (m["doc_type"], m["title"]) == ("bao_cao", "TÌNH HÌNH THỰC HIỆN NGHỊ QUYẾT 6 THÁNG ĐẦU NĂM")
    # a news headline in capitals is no title word
    assert meta("KẾ HOẠCH GÌ CHO MÙA HÈ CỦA CON\n" + "Nội dung bài viết về mùa hè. " * 8)["doc_type"] == "tin_bai"


def test_two_column_signature_and_recipients():
    text = ("KẾ HOẠCH\nTrích yếu\n\n" + BODY +
            "\n\nNơi nhận:                         TM. ỦY BAN NHÂN DÂN\n"
            "- Như trên;                        CHỦ TỊCH\n- Sở Y tế;\n- Lưu: VT.\n"
            "                                   (Đã ký)\n\n                                   Nguyễn Văn An")
    m = meta(text)
    assert (m["signer"].name, m["signer"].position) == ("Nguyễn Văn An", "Chủ tịch")
    assert m["recipients"] == ["Như trên", "Sở Y tế"]
