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
