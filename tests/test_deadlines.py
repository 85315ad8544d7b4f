"""Deadlines: cue + date in a task or goal sentence; recurring schedules; no deadline in
narratives of what already happened."""
from __future__ import annotations

import pytest

from pipeline.extractors import dates, deadlines
from pipeline.model import Document
from pipeline.normalise import normalise
from pipeline.segment import segment


def run(text: str, issue_date: str | None = None) -> list:
    norm = normalise(text)
    seg = segment(norm.text, norm.match_text)
    doc = Document(doc_id="t", text=norm.text, issue_date=issue_date)
    doc.dates = dates.extract(seg, doc)
    items = deadlines.extract(seg, doc)
    for d in items:
        assert norm.text[d.start:d.end] == d.text
        assert d.rule and d.cue and d.text.startswith(d.cue)
    return items


def found(text: str, issue_date: str | None = None) -> list[tuple]:
    return [(d.value, d.recurring) for d in run(text, issue_date)]


@pytest.mark.parametrize("text, value", [
    ("- Tham mưu UBND huyện ban hành Kế hoạch thực hiện công tác Y tế năm 2023, thời gian "
     "**xong trước ngày 16/01/2023**.", "2023-01-16"),
    ("triển khai thực hiện Chỉ thị số 07-CT/TW về tăng cường lãnh đạo công tác phòng, chống "
     "HIV/AIDS, tiến tới chấm dứt dịch bệnh AIDS tại Việt Nam trước năm 2030;", "2030"),
    ("Phấn đấu đến năm 2025, 100% trạm y tế xã có bác sỹ.", "2025"),
    ("UBND huyện tổ chức sơ kết, hoàn thành trong quý I/2023.", "2023-Q1"),
    ("Các đơn vị gửi báo cáo về Sở Y tế chậm nhất ngày 30/6/2024.", "2024-06-30"),
    ("Trung tâm Y tế hoàn thành trong tháng 3/2024.", "2024-03"),
    ("Yêu cầu các đơn vị báo cáo trước ngày 15/5.", "2017-05-15"),
    ("phấn đấu đến 2020 có 2,5 - 3 nghìn doanh nghiệp.", "2020"),
    ("Bộ Nông nghiệp và Phát triển nông thôn trước tháng 6/2017 giải quyết triệt để các vướng mắc.",
     "2017-06"),
    ("tiếp tục thực hiện nghiêm chỉnh Nghị quyết số 35/NQ-CP về hỗ trợ và phát triển doanh "
     "nghiệp đến năm 2020;", "2020"),
    ("Các trường triển khai tự đánh giá và hoàn thành chậm nhất trong năm học 2017-2018.",
     "2017/2018"),
])
def test_deadline_forms(text, value):
    # the document's date gives "15/5" its year and is before every limit above
    assert found(text, issue_date="2017-03-01") == [(value, False)]


def test_cue_and_span():
    [d] = run("Báo cáo UBND huyện thực trạng nhân lực, thời gian xong trước ngày 15/02/2023.")
    assert d.cue == "xong trước ngày"
    assert d.text == "xong trước ngày 15/02/2023"
    assert d.unit is None


def test_goal_heading_sets_context():
    text = "1. Mục tiêu\n\n1.2. Mục tiêu đến năm 2025\n\n- (1) 100% trạm y tế xã đạt chuẩn.\n"
    assert found(text) == [("2025", False)]


@pytest.mark.parametrize("text", [
    "trước ngày 15 hằng tháng, các xã gửi báo cáo về UBND huyện",
    "định kỳ 6 tháng báo cáo Ban Thường vụ Huyện ủy",
    "định kỳ sơ kết, tổng kết, báo cáo Ban Thường vụ Huyện ủy",
    "Các đơn vị báo cáo kết quả hằng năm về Sở Y tế.",
    "Các đơn vị gửi báo cáo trước ngày 15/12 hằng năm.",
])
def test_recurring(text):
    items = run(text, issue_date="2023-01-05")
    assert [(d.value, d.recurring) for d in items] == [(None, True)]


@pytest.mark.parametrize("text", [
    # narratives, habits and ranges are not limits
    "Năm 2022, dịch bệnh Covid-19 tiếp tục diễn biến phức tạp.",
    "nỗ lực phấn đấu hoàn thành các chỉ tiêu, nhiệm vụ trong năm 2022.",
    "Kết quả thực hiện các nội dung chỉ đạo từ đầu nhiệm kỳ đến nay.",
    "Hằng năm tổ chức 3 đợt thanh tra, kiểm tra liên ngành vệ sinh an toàn thực phẩm.",
    "Triển khai hiệu quả các hoạt động khám thai định kỳ, chăm sóc sau sinh.",
    "Công trình đã hoàn thành trước ngày 30/6/2022.",
    "Từ năm 2015 đến năm 2020, huyện xây mới 5 trạm y tế.",
    "Trong quý I/2023, toàn huyện đã tiêm 5.000 mũi vắc xin.",
    "Tính đến ngày 31/3/2017, tổng tài sản của ngân hàng tăng 5%.",
    "Tiếp tục rà soát các chỉ tiêu nhiệm vụ năm 2024.",
    "Đối với vụ án tranh chấp mà trước ngày 1-1-2017, Tòa án đã trả lại đơn khởi kiện.",
    "Đến năm 2010, Công ty cổ phần khai khoáng thực hiện thăm dò mỏ.",
    "Nếu không bị sa thải, ông phải đến năm 2023 mới kết thúc nhiệm kỳ.",
])
def test_not_deadlines(text):
    assert found(text, issue_date="2023-01-05") == []


def test_past_goal_year_is_not_a_deadline():
    # a document of 2022 recalling a horizon already passed
    assert found("Mục tiêu đến năm 2020 có 90% xã đạt chuẩn.", issue_date="2022-06-30") == []
    assert found("Mục tiêu đến năm 2025 có 90% xã đạt chuẩn.", issue_date="2022-06-30") == [("2025", False)]


def test_date_role_agrees_with_deadlines():
    norm = normalise("Kế hoạch phải xong trước ngày 16/01/2023. Năm 2022, dịch bệnh kéo dài.")
    seg = segment(norm.text, norm.match_text)
    doc = Document(doc_id="t", text=norm.text)
    doc.dates = dates.extract(seg, doc)
    assert [(d.value, d.role) for d in doc.dates] == [("2023-01-16", "deadline"), ("2022", "other")]


def test_seed_gold(seed_docs, seed_gold):
    """Set of deadline values per seed document equals the hand-made gold."""
    for doc_id, doc in seed_docs.items():
        got = {d.value for d in doc.deadlines if d.value}
        assert got == {d["value"] for d in seed_gold[doc_id]["deadlines"] if d["value"]}, doc_id


def test_seed_offsets(seed_docs):
    for doc in seed_docs.values():
        for d in doc.deadlines:
            assert doc.text[d.start:d.end] == d.text
            assert d.recurring == (d.value is None)


def test_seed_date_roles_agree(seed_docs):
    """A valued deadline sits on a date whose role is deadline/target, and back."""
    for doc in seed_docs.values():
        ends = {d.end for d in doc.deadlines if d.value}
        flagged = {d.end for d in doc.dates if d.role in ("deadline", "target")}
        assert ends == flagged, doc.doc_id


# ---- the shortcuts give what the plain scans give ---------------------------------------

def _sample_texts(n: int = 150) -> list[str]:
    """The seed documents and bench articles (read in place), as match text."""
    from conftest import CORPUS, bench_sample
    from pipeline.ingest import read_text

    raw = [read_text(p) for p in sorted(CORPUS.glob("*.txt"))] + [d["text"] for d in bench_sample(n)]
    return [normalise(t).match_text for t in raw]


def _plain_triggers(mt: str) -> list[tuple[int, int]]:
    return [m.span() for m in deadlines._context()["trigger"].finditer(mt)]


def test_trigger_letters_fold_to_their_case_folded():
    """str.find on the case-folded text finds every place the case-insensitive trigger can
    match: no other character matches one of the key letters case-insensitively."""
    import regex

    letters = {c for key in deadlines._context()["trigger_keys"] for c in key}
    everything = "".join(chr(i) for i in range(0x110000) if not 0xD800 <= i <= 0xDFFF)
    for c in letters:
        for m in regex.finditer(f"(?i:{regex.escape(c)})", everything, regex.V1):
            # "İ" folds to two characters: then the text is scanned instead
            assert m.group().casefold() == c or len(m.group().casefold()) != 1, (c, m.group())


@pytest.mark.parametrize("text", [
    "Định kỳ hằng năm, báo cáo; HÀNG THÁNG gửi; mỗi quý một lần; ngân hàng, hàng hóa",
    "İstanbul: định kỳ 6 tháng báo cáo hằng tháng",  # casefold() changes the length here
    "đinh định\u00a0kỳ,hằng-hàng mỗimỗi",
])
def test_triggers_equal_the_plain_scan(text):
    mt = normalise(text).match_text
    assert [(s, e) for s, e, _ in deadlines._triggers(mt)] == _plain_triggers(mt)


def test_triggers_and_recurring_equal_the_plain_scan_on_news():
    texts = _sample_texts()
    assert any(_plain_triggers(mt) for mt in texts)
    for mt in texts:
        assert [(s, e) for s, e, _ in deadlines._triggers(mt)] == _plain_triggers(mt)
        seg = segment(mt, mt)
        assert [(d.rule, (d.start, d.end)) for d in deadlines._recurring(seg, [])] == _plain_recurring(seg)


def _plain_recurring(seg) -> list:
    """_recurring as it reads with every rule tried in every window."""
    mt, ctx = seg.match_text, deadlines._context()
    windows: list[tuple[int, int]] = []
    for a, b in ((max(0, s - 40), e + 60) for s, e in _plain_triggers(mt)):
        if windows and a <= windows[-1][1]:
            windows[-1] = (windows[-1][0], max(windows[-1][1], b))
        else:
            windows.append((a, b))
    taken, out = [], []
    for rule_id, rx in ctx["recurring"]:
        for m in (m for a, b in windows for m in rx.finditer(mt, a, b)):
            if any(m.start() < e and s < m.end() for s, e in taken):
                continue
            sent = seg.sentence_at(m.start())
            lo = sent.start if sent else max(0, m.start() - 200)
            if ctx["past"].search(mt, deadlines._clause_start(mt, lo, m.start()), m.start()):
                continue
            taken.append(m.span())
            out.append((rule_id, m.span()))
    return out


def test_cue_before_equals_the_forward_search():
    """The backward check only says whether a cue is there; it must agree with the plain
    forward search everywhere a date's head can end, dates or not."""
    import regex

    spots = regex.compile(r"(?i:ngày|tháng|năm|quý|trước|đến|tới|nhất|là)(?!\p{L})", regex.V1)
    forward = deadlines._cue_rx()
    checked = found = 0
    for mt in _sample_texts(60):
        for m in spots.finditer(mt):
            for stop in (m.end(), min(len(mt), m.end() + 1)):
                lo = max(0, stop - deadlines.WINDOW)
                backward = deadlines._cue_rx(regex.REVERSE).search(mt, lo, stop)
                plain = forward.search(mt, lo, stop)
                assert (backward is None) == (plain is None), mt[lo:stop]
                checked += 1
                found += plain is not None
    assert checked > 1000 and found > 50
