"""Dates: every calendar form the documents use, the numbers that are not dates, year
inference, roles, and the seed gold."""
from __future__ import annotations

import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.extractors import dates
from pipeline.extractors._vntime import parse_date_expr
from pipeline.model import Document
from pipeline.normalise import normalise
from pipeline.segment import segment


def run(text: str, issue_date: str | None = None) -> list:
    norm = normalise(text)
    doc = Document(doc_id="t", text=norm.text, issue_date=issue_date)
    items = dates.extract(segment(norm.text, norm.match_text), doc)
    for d in items:
        assert norm.text[d.start:d.end] == d.text
    return items


def values(text: str, issue_date: str | None = None) -> list[str]:
    return [d.value for d in run(text, issue_date)]


@pytest.mark.parametrize("text, expected", [
    ("Nghị quyết số 20-NQ/TW, ngày 25/10/2017 của Ban Chấp hành Trung ương", ["2017-10-25"]),
    ("Quyết định 2628/QĐ-BYT ngày 22/6/2020 của Bộ Y tế", ["2020-06-22"]),
    ("Thực hiện Chỉ thị ngày 25-10-2017 của Ban Bí thư", ["2017-10-25"]),
    ("Công ty TGRTCNX ký hợp đồng ngày 15.1.2016", ["2016-01-15"]),
    ("Chỉ thị số 25-CT/TW, ngày 25 tháng 10 năm 2023 của Ban Bí thư", ["2023-10-25"]),
    ("Trong 2 ngày (27-28/7/2020) Đại hội thi đua yêu nước tỉnh Lai Châu", ["2020-07-27/2020-07-28"]),
    ("hoàn thành trong quý I/2023", ["2023-Q1"]),
    ("báo cáo kết quả quý 1 năm 2023", ["2023-Q1"]),
    ("Kế hoạch triển khai trong tháng 6/2023", ["2023-06"]),
    ("từ tháng 6 năm 2023", ["2023-06"]),
    ("Năm 2023 là năm có ý nghĩa quan trọng", ["2023"]),
    ("tiến tới chấm dứt dịch bệnh AIDS tại Việt Nam trước năm 2030", ["2030"]),
    ("giảm 0,3 ngày so với cùng kỳ năm 2022", ["2022"]),
    ("Nghị quyết Đại hội Đảng bộ huyện lần thứ 18 nhiệm kỳ 2020-2025", ["2020/2025"]),
    ("Nghị quyết Đại hội Đảng các cấp nhiệm kỳ 2020 - 2025", ["2020/2025"]),
    ("giai đoạn 2021 - 2025", ["2021/2025"]),
    ("Đại hội thi đua yêu nước tỉnh Lai Châu lần thứ V (2020-2025)", ["2020/2025"]),
    ("Tân Uyên, ngày tháng 01 năm 2022", ["2022-01"]),
    ("kết quả 6 tháng đầu năm 2024", ["2024-H1"]),
    ("nhiệm vụ 6 tháng cuối năm 2024", ["2024-H2"]),
    ("Thứ năm - 30/06/2022 10:15 707 0", ["2022-06-30"]),
    ("Hội nghị diễn ra ngày 16/12/ 2022 tại huyện", ["2022-12-16"]),
    ("Chiều ngày 14/3/2024, Thường trực Huyện uỷ Hướng Hoá làm việc", ["2024-03-14"]),
    ("Giá vàng hôm nay (10/5) tiếp tục giảm", ["--05-10"]),
    ("từ 2007 đến 2015 mới đưa vào khai thác", ["2007", "2015"]),
    ("kết quả 9 tháng đầu năm 2017", ["2017-09"]),
    ("Tổng lượng khách quốc tế 4 tháng đầu năm 2017 ước đạt 4,3 triệu lượt", ["2017-04"]),
    ("sáu tháng đầu năm 2024", ["2024-H1"]),
    ("nửa cuối năm 2023", ["2023-H2"]),
    ("phấn đấu đến 2020 có 2,5 - 3 nghìn doanh nghiệp", ["2020"]),
    ("trả cổ tức trong quý II và III/2017", ["2017-Q2", "2017-Q3"]),
    ("phiên họp ngày 13 – 14/6/2017 của Fed", ["2017-06-13/2017-06-14"]),
    ("Người hoạt động cách mạng đến ngày khởi nghĩa tháng Tám năm 1945", ["1945-08"]),
    ("bảo đảm an ninh, trật tự Tết Nguyên đán Đinh Dậu 2017;", ["2017"]),
    ("các năm 2021, 2022 và 2023", ["2021", "2022", "2023"]),
])
def test_forms(text, expected):
    assert values(text) == expected


@pytest.mark.parametrize("text", [
    "diễn biến phức tạp của dịch bệnh Covid-19 ảnh hưởng lớn",
    "sửa đổi Thông tư số 19/2021/TT-BTC của Bộ Tài chính",
    "theo Nghị quyết số 142/2024/QH15 của Quốc hội",
    "đảng viên 2.377/2.447 (đạt 97%)",
    "6/10 xã, thị trấn có bác sỹ làm việc tại trạm",
    "93/93 bản, tổ dân phố có nhân viên y tế",
    "đến nay, 10/10 xã, thị trấn đạt tiêu chí",
    "Giảm tỷ lệ trẻ em dưới 5 tuổi suy dinh dưỡng",
    "Hội nghị bắt đầu lúc 10:15",
    "Liên hệ: 0912.345.678",
    "Mức giảm tỷ lệ suất sinh bình quân 0,5%/năm",
    "định kỳ 6 tháng báo cáo",
    "đón ngày vía Thần Tài (ngày 10/1 âm lịch)",
    "Kết quả xổ số Mega 6/45",
])
def test_not_dates(text):
    assert values(text) == []


def test_year_from_issue_date():
    assert values("Ngày 15/3, UBND huyện tổ chức hội nghị.", issue_date="2017-04-02") == ["2017-03-15"]
    assert values("triển khai trong tháng 1", issue_date="2023-02") == ["2023-01"]


def test_year_from_cited_id():
    # the cited id dates the day, even in a document of another year
    found = values("Theo Nghị định 49/2017/NĐ-CP ngày 24/4 của Chính phủ.", issue_date="2019-01-01")
    assert found == ["2017-04-24"]


def test_year_from_context():
    text = "Ngày 16/12/2022, UBND huyện tổ chức Hội nghị. Ngày 20/12, Trung tâm Y tế báo cáo."
    assert values(text) == ["2022-12-16", "2022-12-20"]
    # a bare year dates the days when nothing closer does
    text = "Kỳ thi THPT quốc gia năm 2017 tổ chức vào tháng 6. Sáng 21/6: Họp cán bộ coi thi."
    assert values(text) == ["2017", "2017-06", "2017-06-21"]


def test_year_from_an_id_later_in_the_sentence():
    text = "Từ ngày 1-6, theo Nghị định số 44/2017/NĐ-CP, mức đóng bảo hiểm giảm."
    assert values(text) == ["2017-06-01"]


def test_dated_month_beats_year_of_a_thing():
    text = ("Theo kế hoạch, trong tháng 2/2017, Bộ sẽ trình Thủ tướng. Đồng thời báo cáo quyết "
            "toán NSNN năm 2015 gửi Kiểm toán Nhà nước trước ngày 28/2.")
    assert values(text) == ["2017-02", "2015", "2017-02-28"]


def test_cited_and_goal_dates_do_not_date_days():
    text = ("Sáng 8-7, đoàn công tác làm việc về quy hoạch cán bộ đến năm 2020. Theo Nghị định số "
            "99/2015/NĐ-CP ngày 20-10-2015 của Chính phủ.")
    assert values(text) == ["--07-08", "2020", "2015-10-20"]


def test_birth_years_do_not_date_neighbours():
    text = "Ngày 16/12/2022, bà A (SN 1979) đến trụ sở. Ngày 20/12, ông B, sinh ngày 11/3/1960, trình báo."
    assert values(text) == ["2022-12-16", "1979", "2022-12-20", "1960-03-11"]


def test_year_unknown_stays_open():
    assert values("Sáng 15-3, tại hội trường, đoàn công tác làm việc với huyện.") == ["--03-15"]
    # a month or quarter with no year anywhere is dropped rather than guessed
    assert values("triển khai trong quý I") == []


def test_recurring_day_has_no_year():
    assert values("báo cáo trước ngày 15/12 hằng năm", issue_date="2023-01-05") == ["--12-15"]


def roles(text: str, issue_date: str | None = None) -> list[tuple[str, str]]:
    return [(d.value, d.role) for d in run(text, issue_date)]


def test_roles():
    assert roles("Số: /TB-UBND\n\nTân Uyên, ngày tháng 01 năm 2022\n\nTHÔNG BÁO") == [("2022-01", "issue")]
    assert roles("Tân Uyên tăng cường lãnh đạo\n\nThứ năm - 30/06/2022 10:15 707 0\nXác định") == [
        ("2022-06-30", "publication")]
    assert roles("thực hiện Nghị quyết số 20-NQ/TW, ngày 25/10/2017 của Ban Chấp hành") == [
        ("2017-10-25", "citation")]
    assert roles("Tham mưu ban hành Kế hoạch, thời gian xong trước ngày 16/01/2023.") == [
        ("2023-01-16", "deadline")]
    assert roles("1.2. Mục tiêu đến năm 2025\n\n- (1) 100% trạm y tế xã đạt chuẩn.") == [("2025", "target")]
    assert roles("góp phần thực hiện Nghị quyết nhiệm kỳ 2020-2025.") == [("2020/2025", "period")]
    assert roles("Chiều ngày 14/3/2024, Thường trực Huyện ủy làm việc với Đảng ủy.") == [
        ("2024-03-14", "event")]
    assert roles("Hội nghị tổng kết công tác Y tế năm 2022.") == [("2022", "other")]


@settings(max_examples=200, deadline=None)
@given(st.dates(min_value=datetime.date(1950, 1, 1), max_value=datetime.date(2099, 12, 31)),
       st.sampled_from(["ngày {d}/{m}/{y}", "ngày {d:02d}/{m:02d}/{y}", "{d}-{m}-{y}",
                        "{d}.{m}.{y}", "ngày {d} tháng {m} năm {y}"]))
def test_any_valid_date_round_trips(day, form):
    text = "Văn bản ban hành " + form.format(d=day.day, m=day.month, y=day.year) + " của Bộ."
    assert parse_date_expr(text) == day.isoformat()
    assert values(text) == [day.isoformat()]


def test_seed_gold(seed_docs, seed_gold):
    """Set of date values per seed document equals the hand-made gold."""
    for doc_id, doc in seed_docs.items():
        got = {d.value for d in doc.dates}
        assert got == {d["value"] for d in seed_gold[doc_id]["dates"]}, doc_id


def test_seed_offsets(seed_docs):
    for doc in seed_docs.values():
        assert doc.dates
        for d in doc.dates:
            assert doc.text[d.start:d.end] == d.text
            assert d.rule and d.role in ("issue", "publication", "citation", "event", "deadline",
                                         "target", "period", "other")


_ISO = r"\d{4}(?:-(?:\d\d(?:-\d\d)?|Q[1-4]|H[12]))?(?:/\d{4}(?:-\d\d){0,2})?|--\d\d(?:-\d\d)?"


def test_bench_sample_values():
    """Real news: offsets hold, every value is ISO-shaped, no year is read out of a
    document id."""
    import regex

    from conftest import bench_sample

    from pipeline.extractors import deadlines

    docs = bench_sample(80)
    for d in docs:
        norm = normalise(d["text"])
        seg = segment(norm.text, norm.match_text)
        doc = Document(doc_id=d["id"], text=norm.text)
        doc.dates = dates.extract(seg, doc)
        doc.deadlines = deadlines.extract(seg, doc)
        for x in doc.dates:
            assert norm.text[x.start:x.end] == x.text
            assert regex.fullmatch(_ISO, x.value), x
            assert not regex.match(r"\s*/\s*\p{Lu}", norm.text[x.end:]), x


# ---- the fast scan equals a plain scan with every rule ----------------------------------

def _plain_scan(text: str) -> list[tuple[str, int, int]]:
    """Each rule's own finditer over the whole text: what ``_vntime.find`` must reproduce
    while trying number-led rules only where one of them can match, and whole-text rules
    only in texts holding the words they need."""
    from pipeline.extractors import _vntime

    return sorted((r.id, m.start(), m.end()) for r in _vntime._rules() for m in r.rx.finditer(text))


def _fast_scan(text: str) -> list[tuple[str, int, int]]:
    from pipeline.extractors import _vntime

    return sorted((r.id, m.start(), m.end()) for r, m in _vntime.scan(text))


@pytest.mark.parametrize("text", [
    "Tân Uyên, ngày 16 tháng 12 năm 2022",
    "Nghị quyết số 20-NQ/TW ngày 25/10/2017; từ 19/5 - 26/5 và ngày 27-28/7/2020",
    "trong quý I, quý II và III/2017; 6 tháng đầu năm 2024 tăng 3.000 người (20%)",
    "Sáng 15/3, Tết Nguyên đán Đinh Dậu 2017, giai đoạn 2021 - 2025, từ 2007 đến 2015",
    "các năm 2021, 2022, 2023; phấn đấu đến 2020 có 2,5 - 3 nghìn doanh nghiệp",
])
def test_fast_scan_equals_plain_scan(text):
    norm = normalise(text)
    assert _fast_scan(norm.match_text) == _plain_scan(norm.match_text)


def test_fast_scan_equals_plain_scan_on_news():
    from conftest import bench_sample

    for d in bench_sample(15):
        mt = normalise(d["text"]).match_text
        assert _fast_scan(mt) == _plain_scan(mt), d["id"]


# ---- which words a whole-text rule needs ------------------------------------------------

_WORDS = ("day", "month", "year", "quarter", "half", "six_word", "first_part", "last_part")


@pytest.mark.parametrize("template, needs", [
    (r"(?<!\p{L}){quarter}\s+(?P<q>{Q})", "quarter"),
    (r"{month}\s+(?P<m>{M})\s*,?\s+{year}", ("all", ["month", "year"])),
    (r"(?:(?P<n>{six_word})\s+{month}|(?P<n>{half}))\s+{year}",
     ("all", [("any", [("all", ["six_word", "month"]), "half"]), "year"])),
    # optional, negative and flagged parts need nothing
    (r"(?P<y>{Y})(?:\s+{year})?(?!\s*{month})", True),
    (r"(?<={day}\s+)(?P<d>{D})(?:\s*{month})*", "day"),
    (r"(?i:{quarter})\s+{Q}", True),
    (r"(?:{quarter}|\d)\s+", True),
    # a bracket or escaped brace is not a placeholder
    (r"[{(]\{year\}\p{L}{1,2}{half}{0,1}", True),
])
def test_needs_read_off_templates(template, needs):
    from pipeline.extractors import _vntime

    assert _vntime._needs(template, _WORDS) == needs


def test_text_rules_are_skipped_only_without_their_words():
    """The quarter rules need "quý"; with it, they are searched as before."""
    from pipeline.extractors import _vntime

    needs = dict((r.id, n) for r, n in _vntime._text_rules())
    assert needs["date.quarter_year"] == "quarter"
    assert values("trả cổ tức trong quý II và III/2017") == ["2017-Q2", "2017-Q3"]
    assert values("Quý IV-2022 tăng trưởng") == ["2022-Q4"]
    assert values("khách quý đến thăm ngày 2/9/2017") == ["2017-09-02"]


@pytest.mark.parametrize("template, lead", [
    (r"{N0}(?<=(?<!\p{L}){year_head}\s+)(?P<y>{Y}){R}", "Y"),
    (r"{N0}(?P<d>{D})/(?P<m>{M}){R}", "D"),
    (r"{N0}(?<=(?<!\p{N}\s*){month}\s+)(?P<m>{M}){R}", "M"),
    # not a part alone, not first, or not number-led: no lead, the rule is always tried
    (r"{N0}(?P<n>1[01]|0?[1-9])\s+{month}", None),
    (r"{N0}(?:(?<={from}\s+)(?P<y>{Y})|(?P<y>{Y}))", None),
    (r"(?<!\p{L}){quarter}\s+(?P<q>{Q})", None),
])
def test_lead_part_of_number_led_rules(template, lead):
    from pipeline.extractors import _vntime

    assert _vntime._lead(template) == lead


def test_guarded_gate_matches_where_the_plain_alternation_does():
    import regex
    from conftest import bench_sample
    from pipeline.extractors import _vntime

    nr = _vntime._number_rules()
    plain = regex.compile("|".join(f"(?:{r.rx.pattern})" for r in nr.rules), regex.V1 | regex.M)
    for d in bench_sample(15):
        mt = normalise(d["text"]).match_text
        assert ([m.start() for m in nr.gate.finditer(mt, overlapped=True)]
                == [m.start() for m in plain.finditer(mt, overlapped=True)]), d["id"]


# ---- a word is missing when its case-folded first syllable is ---------------------------

def test_word_letters_fold_to_themselves():
    """``str.find`` in the case-folded text is a safe "no" for a case-insensitive word:
    every character matching one of the key letters folds to it (or to more than one
    character, and then the text is searched by the regex)."""
    import regex

    from pipeline import patterns
    from pipeline.extractors import _vntime

    letters = {c for name in patterns.load("dates")["words"] for k in _vntime.word_keys(name) for c in k}
    everything = "".join(chr(i) for i in range(0x110000) if not 0xD800 <= i <= 0xDFFF)
    for c in letters:
        for m in regex.finditer(f"(?i:{regex.escape(c)})", everything, regex.V1):
            assert m.group().casefold() == c or len(m.group().casefold()) != 1, (c, m.group())


def test_word_keys_never_miss_a_word():
    """Where the regex finds a word, its case-folded first syllable is in the text."""
    from conftest import CORPUS, bench_sample
    from pipeline import patterns
    from pipeline.extractors import _vntime
    from pipeline.ingest import read_text

    raw = [read_text(p) for p in sorted(CORPUS.glob("*.txt"))] + [d["text"] for d in bench_sample(60)]
    raw += ["QUÝ IV-2022, THÁNG TÁM NĂM 1945, NỬA ĐẦU NĂM", "Sáu Tháng Cuối Năm 2017"]
    for text in (normalise(t).match_text for t in raw):
        low = text.casefold()
        for name in patterns.load("dates")["words"]:
            if _vntime._word_rx(name).search(text):
                assert any(k in low for k in _vntime.word_keys(name)), (name, text[:80])


@pytest.mark.parametrize("text", [
    "QUÝ IV-2022 TĂNG; THÁNG TÁM NĂM 1945; SÁU THÁNG ĐẦU NĂM 2017",
    "İzmir, quý I/2023 và nửa cuối năm 2023",  # casefold() changes the length here
    "ſáu tháng đầu năm 2017",  # a long s is an s to a case-insensitive match
])
def test_fast_scan_equals_plain_scan_in_capitals(text):
    norm = normalise(text)
    assert _fast_scan(norm.match_text) == _plain_scan(norm.match_text)
    assert _fast_scan(norm.match_text)


@pytest.mark.parametrize("inner, optional", [
    (r"(?<!\p{L})(?:sáng|thứ\s+ba)\s*,?\s*\(?\s*", True),
    (r"\(\s*", True),
    (r"(?:ngày|mùng)\s+", False),
    (r"(?<!\p{N}\s*)tháng\s+", False),
    (r"Tết\s+(?:Đinh\s+Dậu\s+)?", True),
])
def test_ends_optional(inner, optional):
    from pipeline.extractors import _vntime

    assert _vntime._ends_optional(inner) is optional


@pytest.mark.parametrize("text", [
    "Sáng 15/3, thứ Ba (31/1), chiều nay 2/9; Đại hội (2020-2025); Tết Đinh Dậu 2017",
    "sáng, ( 15/3; thứ 2,(31/1) và ( 2020 - 2025 ) Xuân Mậu Tuất 2018 tăng 150 người",
])
def test_gate_with_look_behind_last_matches_the_plain_alternation(text):
    """A look-behind moved after the forward part (``_behind_last``) holds at the same
    numbers: the gate matches where some rule does."""
    import regex

    from pipeline.extractors import _vntime

    nr = _vntime._number_rules()
    plain = regex.compile("|".join(f"(?:{r.rx.pattern})" for r in nr.rules), regex.V1 | regex.M)
    mt = normalise(text).match_text
    gate = [m.start() for m in nr.gate.finditer(mt, overlapped=True)]
    assert gate == [m.start() for m in plain.finditer(mt, overlapped=True)]
    assert len(gate) >= 4


def test_gate_matches_the_plain_alternation_on_seeds():
    import regex

    from conftest import CORPUS
    from pipeline.extractors import _vntime
    from pipeline.ingest import read_text

    nr = _vntime._number_rules()
    plain = regex.compile("|".join(f"(?:{r.rx.pattern})" for r in nr.rules), regex.V1 | regex.M)
    for p in sorted(CORPUS.glob("*.txt")):
        mt = normalise(read_text(p)).match_text
        assert ([m.start() for m in nr.gate.finditer(mt, overlapped=True)]
                == [m.start() for m in plain.finditer(mt, overlapped=True)]), p.name
