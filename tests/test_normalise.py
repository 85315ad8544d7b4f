"""Normalisation: exact offset map, tone unification, chrome/markdown/page-break repair."""
from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.normalise import normalise, unify_tones

from conftest import CORPUS, bench_sample


def seed(prefix: str) -> str:
    return next(CORPUS.glob(f"{prefix}_*.txt")).read_text(encoding="utf-8")


SUBSTITUTES = " \n"          # characters a step may write in place of others


def assert_maps_back(raw: str, n) -> None:
    assert len(n.to_raw) == len(n.text) == len(n.match_text)
    prev = -1
    for i, c in enumerate(n.text):
        j = n.to_raw[i]
        assert 0 <= j < len(raw) and j >= prev, (i, j)
        prev = j
        if raw[j] != c and c not in SUBSTITUTES:
            # a composed letter maps to its base letter, a reordered mark to its cluster
            window = unicodedata.normalize("NFD", raw[j:j + 8])
            assert all(x in window for x in unicodedata.normalize("NFD", c)), (i, c, raw[j:j + 8])


# --------------------------------------------------------------------- tones

@pytest.mark.parametrize("old,new", [("hoà", "hòa"), ("uỷ", "ủy"), ("khoẻ", "khỏe"), ("thuỷ", "thủy"),
                                     ("Huyện uỷ", "Huyện ủy"), ("HOÀ", "HÒA"), ("Thuý", "Thúy"),
                                     ("hoá chất", "hóa chất")])
def test_unify_tones_moves_old_style_marks(old, new):
    assert unify_tones(old) == new


@pytest.mark.parametrize("word", ["quý", "hoàng", "hoạch", "Quý I/2023", "khuya", "hòa", "thoải"])
def test_unify_tones_leaves_other_words(word):
    assert unify_tones(word) == word


def test_match_text_unifies_but_text_keeps_the_spelling():
    n = normalise("Đảng uỷ Trung tâm y tế huyện Hướng Hoá")
    assert n.text == "Đảng uỷ Trung tâm y tế huyện Hướng Hoá"
    assert n.match_text == "Đảng ủy Trung tâm y tế huyện Hướng Hóa"


# --------------------------------------------------------------------- characters

def test_crlf_nbsp_zero_width():
    raw = "Số:\u00a0 47\r\nNgày\u200b 25/10/2017\rhết\u00ad."
    n = normalise(raw)
    assert n.text == "Số:  47\nNgày 25/10/2017\nhết."
    assert list(n.to_raw[:8]) == [0, 1, 2, 3, 4, 5, 6, 7]
    assert n.to_raw[n.text.index("Ngày")] == raw.index("Ngày")
    assert_maps_back(raw, n)


def test_decomposed_input_becomes_nfc_with_exact_offsets():
    raw = unicodedata.normalize("NFD", "Nghị quyết số 20-NQ/TW của Ban Chấp hành")
    n = normalise(raw)
    assert n.text == "Nghị quyết số 20-NQ/TW của Ban Chấp hành"
    i = n.text.index("ị")
    assert raw[n.to_raw[i]] == "i"
    assert raw[n.to_raw[n.text.index("20-NQ")]:].startswith("20-NQ")
    assert any("NFC" in w for w in n.warnings)
    assert_maps_back(raw, n)


# --------------------------------------------------------------------- web chrome

def test_news_page_sidebar_and_counters_are_dropped():
    raw = seed("000")
    n = normalise(raw)
    for chrome in ("47/2024/TT-BTC", "142/2024/QH15", "72/2024/NĐ-CP", "2020-2025", "27-28/7/2020",
                   "Văn bản mới", "Tổng số điểm", "lượt tải", "Đang truy cập", "Tổng lượt truy cập",
                   "Bạn đã không sử dụng Site", "hienphapvn", "707 0"):
        assert chrome not in n.text, chrome
    for body in ("13-CTr/TU", "30/06/2022", "Nghị quyết số 20-NQ/TW, ngày 25/10/2017", "Covid-19./.",
                 "Tác giả: Hoàng Quế"):
        assert body in n.text, body
    assert "Thứ năm - 30/06/2022 10:15\nXác định" in n.text
    assert n.text.endswith("Tác giả: Hoàng Quế")
    assert any("chrome.rating" in w and "28 lines" in w for w in n.warnings)
    assert any("chrome.date_line_counters" in w for w in n.warnings)
    assert_maps_back(raw, n)


def test_portal_page_controller_breadcrumb_and_loading():
    n3 = normalise(seed("003"))
    assert "DetailController" not in n3.text and "Sức khỏe - Đời sống" not in n3.text
    assert n3.text.lstrip().startswith("Tiếp tục củng cố, hoàn thiện, nâng cao chất lượng")
    assert "24/04/2024 16:30" in n3.text and "Chỉ thị số 25-CT/TW" in n3.text
    assert any("chrome.breadcrumb" in w for w in n3.warnings)
    n4 = normalise(seed("004"))
    assert "loading" not in n4.text and n4.text.rstrip().endswith("Hồ Thúy Vinh")


def test_document_headings_are_not_chrome():
    n = normalise(seed("002"))
    assert "Số: /TB-UBND" in n.text and "\nTHÔNG BÁO\n" in n.text
    assert not any("chrome" in w for w in n.warnings)


def test_chrome_rules_need_the_whole_line():
    text = ("Hôm nay, UBND huyện tổ chức hội nghị.\nĐoạn video thu hút 30.000 lượt xem trong một ngày.\n"
            "Tổng số điểm của các cặp nghệ sĩ vẫn đang được cập nhật.\nNgày mai trời mưa.")
    assert normalise(text).text == text
    assert normalise("Văn bản mới\nNghị quyết số 20-NQ/TW").text == "Văn bản mới\nNghị quyết số 20-NQ/TW"


def test_bench_articles_lose_nothing():
    for rec in bench_sample(400, every=83):
        n = normalise(rec["text"])
        assert not any("chrome" in w or "page break" in w for w in n.warnings), (rec["id"], n.warnings)
        raw = rec["text"]
        if unicodedata.is_normalized("NFC", raw):
            invisible = sum(raw.count(c) for c in "\u200b\u200c\u200d\u2060\ufeff\u00ad") + raw.count("\r\n")
            assert len(n.text) == len(raw) - invisible, rec["id"]


# --------------------------------------------------------------------- markdown

def test_markdown_emphasis_removed_keeping_the_text():
    n = normalise(seed("002"))
    assert "**" not in n.text
    assert "thời gian xong trước ngày 16/01/2023. Báo cáo" in n.text
    assert "\nTL. CHỦ TỊCH\nCHÁNH VĂN PHÒNG\n" in n.text
    n1 = normalise(seed("001"))
    assert "~~" not in n1.text and "**" not in n1.text
    assert "vận động đoàn viên, hội viên, Nhân dân về vai trò của công tác y tế dự phòng, chăm sóc sức khỏe ban đầu" in n1.text
    assert "\nT/M HUYỆN ỦY\nPHÓ BÍ THƯ\n" in n1.text
    assert any("markdown" in w for w in n1.warnings)


@pytest.mark.parametrize("text", [
    "mongthutvnvq***@gmail.com). * Trả lời: Khoản 1 Điều 22",
    "Giá niêm yết xe (VND)** Giá đặc biệt (VND)* EcoSport",
    "ông Duy nhấn mạnh. ________________________________ Các PKTQ",
    "bình thường ** không phải in đậm ** ở đây",
    "**mở đầu\n\nkhông đóng** trong cùng đoạn",
    "tên_biến__x__y",
])
def test_markdown_lookalikes_are_kept(text):
    assert normalise(text).text == text


# --------------------------------------------------------------------- page breaks

def test_page_break_splits_are_rejoined_on_seeds():
    n1 = normalise(seed("001"))
    assert "chính sách pháp luật của Nhà nước về công tác bảo vệ" in n1.text
    assert "phối hợp với các ban đảng, Văn phòng Huyện ủy theo dõi" in n1.text
    n2 = normalise(seed("002"))
    assert "hạn chế nhất là y tế cơ sở và y tế dự phòng chưa đáp ứng" in n2.text
    assert any("page breaks" in w for w in n2.warnings)
    assert_maps_back(seed("001"), n1)


@pytest.mark.parametrize("text", [
    "II. NỘI DUNG\n\nmục tiêu chung được giữ",                              # upper-case heading
    "1. Mục đích\n\ntriển khai thực hiện",                                     # short heading
    "Các nhiệm vụ trọng tâm cần thực hiện trong năm gồm\n\na) tuyên truyền",  # list item
    "Tăng cường sự lãnh đạo, chỉ đạo của cấp ủy, chính quyền các cấp.\n\nnăm 2023",  # sentence ended
    "Nhân lực chuyên môn y tế có trình độ đại học trở lên đạt trên 30%\n\n- (3) Tăng tỷ lệ",
])
def test_page_break_repair_leaves_real_breaks(text):
    assert normalise(text).text == text


# --------------------------------------------------------------------- properties

ALPHABET = st.sampled_from(list("aăâeêioôơuưyđ ĐQqhnt0123456789.,:;-/*_~()\n\n\n\r\t")
                           + ["\r\n", "\u00a0", "\u200b", "\u00ad", "\ufeff", "\u0301", "\u0323", "\u0302",
                              "hoà", "uỷ", "Hôm nay 12", "top", "**", "~~", "__", "Văn bản mới", "loading....",
                              "Thứ năm - 30/06/2022 10:15 707 0", "Sức khỏe - Đời sống", "lượt xem: 5 | lượt tải:1",
                              "\nTổng số điểm của bài viết là: 0 trong 0 đánh giá\n", "nước về công tác",
                              "chính sách pháp luật của Đảng và của Nhà", "a) "])


@settings(max_examples=300, deadline=None)
@given(st.lists(ALPHABET, max_size=80).map("".join))
def test_offsets_map_back_to_raw(raw):
    n = normalise(raw)
    assert_maps_back(raw, n) if n.text else None
    assert len(n.to_raw) == len(n.text)
    assert unicodedata.is_normalized("NFC", n.text)
    assert len(n.match_text) == len(n.text)


@settings(max_examples=150, deadline=None)
@given(st.lists(ALPHABET, max_size=60).map("".join))
def test_normalise_is_idempotent(raw):
    once = normalise(raw).text
    assert normalise(once).text == once


def test_normalise_is_idempotent_on_seeds():
    for p in sorted(CORPUS.glob("*.txt")):
        once = normalise(p.read_text(encoding="utf-8")).text
        assert normalise(once).text == once, p.name


def test_cutoff_marker_above_a_long_article_is_not_the_tail():
    body = seed("000").split("\nTác giả:")[0]
    menu = "Trang chủ\nVăn bản mới\nHỏi đáp\n\n"
    n = normalise("Cổng thông tin điện tử huyện Tân Uyên\n" + menu + body)
    assert "Tân Uyên tăng cường lãnh đạo công tác bảo vệ" in n.text and "13-CTr/TU" in n.text
    assert not any("from 'Văn bản mới'" in w for w in n.warnings)


def test_counter_block_ends_the_page():
    article = seed("004").replace("loading....", "")
    tail = "\nHôm nay 1,204\nTháng hiện tại 35,112\nSố: 47/2024/TT-BTC\nThông tư Quy định mức thu"
    n = normalise(article + tail)
    assert "47/2024/TT-BTC" not in n.text and n.text.endswith("Hồ Thúy Vinh")
    assert any("chrome.visitor_period" in w for w in n.warnings)


def test_decomposed_seed_normalises_like_the_composed_one():
    composed = seed("001")
    raw = unicodedata.normalize("NFD", composed)
    n = normalise(raw)
    assert n.text == normalise(composed).text
    assert_maps_back(raw, n)


def test_chrome_line_just_above_the_tail():
    body = seed("004").replace("loading....", "").rstrip()
    raw = body + "\nloading....\nTổng số điểm của bài viết là: 0 trong 0 đánh giá\nVăn bản mới\nSố: 47/2024/TT-BTC"
    n = normalise(raw)
    assert n.text == normalise(body).text and n.text.endswith("Hồ Thúy Vinh")
    assert_maps_back(raw, n)


def test_sidebar_never_reaches_the_extractors(seed_docs):
    doc = seed_docs["000_006328973dff5d58"]
    ids = {r.id for r in doc.references}
    assert "13-CTr/TU" in ids
    assert not ids & {"47/2024/TT-BTC", "46/2024/TT-BTC", "19/2021/TT-BTC", "72/2024/NĐ-CP", "142/2024/QH15"}
    assert not {d.value for d in doc.dates} & {"2020/2025", "2020-07-27/2020-07-28", "2024-06-29"}
    assert any("chrome.rating" in w for w in doc.warnings)


def test_portal_article_footer_lines():
    body = seed("004").replace("loading....", "").rstrip()
    raw = (body + "\nTừ khóa: y tế cơ sở, Hướng Hóa\nXếp hạng: 0 - 0 phiếu bầu\nTweet\n"
           + "\nChú ý: Việc đăng lại bài viết trên ở website hoặc các phương tiện truyền thông khác mà không ghi rõ nguồn là vi phạm bản quyền"
           + "\nNhững tin mới hơn\nĐảng ủy Khối ban hành Kế hoạch số 222-KH/ĐUK")
    n = normalise(raw)
    assert n.text == normalise(body).text
    assert n.warnings[-1] == "dropped web chrome: 6 lines from 'Từ khóa: y tế cơ sở, Hướng Hóa' on (rule chrome.copyright_notice)"
    # the same footer lines without the notice go one by one
    n = normalise(raw.split("\n\nChú ý:")[0] + "\n\nKết luận của đồng chí Bí thư Huyện ủy được ghi nhận.")
    assert "Từ khóa" not in n.text and "phiếu bầu" not in n.text and "Tweet" not in n.text
    assert {"chrome.tags", "chrome.vote", "chrome.social"} <= {w.split("(rule ")[-1].rstrip(")") for w in n.warnings}


@pytest.mark.parametrize("sep", ["\n\n", "\n \n\n", "\n\n2\n\n", "\n- 12 -\n", "\n\n3\n"])
def test_page_break_across_blank_lines_and_page_numbers(sep):
    raw = "Tăng cường sự lãnh đạo, chỉ đạo của cấp ủy, chính quyền các cấp, ngành y tế của Nhà" + sep + "nước về công tác"
    n = normalise(raw)
    assert n.text == "Tăng cường sự lãnh đạo, chỉ đạo của cấp ủy, chính quyền các cấp, ngành y tế của Nhà nước về công tác"
    assert_maps_back(raw, n)


def test_single_line_break_is_not_a_page_break():
    text = "Kết luận của Đồng chí Lò Văn Biên - Ủy viên Ban Thường vụ\nhuyện ủy tại Hội nghị tổng kết"
    assert normalise(text).text == text
