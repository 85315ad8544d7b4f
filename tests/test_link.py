"""The linker: deadlines to tasks and bodies, targets to the body responsible."""
from __future__ import annotations

from pipeline import link
from pipeline.model import Assignment, Deadline, Document, Target
from pipeline.normalise import normalise
from pipeline.segment import segment


def prepare(text: str):
    n = normalise(text)
    return segment(n.text, n.match_text), Document(doc_id="t", text=n.text)


def span(doc: Document, phrase: str) -> tuple[int, int]:
    i = doc.text.index(phrase)
    return i, i + len(phrase)


def test_deadline_inside_a_task():
    seg, doc = prepare("- Tham mưu UBND huyện ban hành Kế hoạch thực hiện công tác Y tế năm 2023, thời gian "
                       "xong trước ngày 16/01/2023.")
    s, e = span(doc, "xong trước ngày 16/01/2023")
    doc.deadlines = [Deadline(s, e, doc.text[s:e], value="2023-01-16")]
    doc.assignments = [Assignment(0, len(doc.text), doc.text, unit="Trung tâm Y tế", task="...")]
    link.link(seg, doc)
    assert doc.assignments[0].deadline == "2023-01-16"
    assert doc.deadlines[0].unit == "Trung tâm Y tế"


def test_recurring_deadline_gives_its_unit_but_no_date():
    seg, doc = prepare("2. UBND huyện định kỳ sơ kết, tổng kết, báo cáo Ban Thường vụ Huyện ủy.")
    s, e = span(doc, "định kỳ sơ kết")
    doc.deadlines = [Deadline(s, e, doc.text[s:e], value=None, recurring=True)]
    doc.assignments = [Assignment(3, len(doc.text), doc.text[3:], unit="UBND huyện", task="...")]
    link.link(seg, doc)
    assert doc.assignments[0].deadline is None
    assert doc.deadlines[0].unit == "UBND huyện"


def test_deadline_outside_tasks_takes_the_body_opening_its_sentence():
    seg, doc = prepare("Kết quả năm 2023 khả quan. Trung tâm Y tế huyện hoàn thành việc sắp xếp bộ máy "
                       "chậm nhất ngày 30/6/2024.")
    s, e = span(doc, "chậm nhất ngày 30/6/2024")
    doc.deadlines = [Deadline(s, e, doc.text[s:e], value="2024-06-30")]
    link.link(seg, doc)
    assert doc.deadlines[0].unit == "Trung tâm Y tế huyện"


def test_deadline_under_a_unit_heading():
    seg, doc = prepare("3. Trung tâm Y tế:\n\n- Hoàn thành kiểm tra các cơ sở hành nghề y, dược tư nhân "
                       "trước ngày 15/02/2023.\n")
    s, e = span(doc, "trước ngày 15/02/2023")
    doc.deadlines = [Deadline(s, e, doc.text[s:e], value="2023-02-15")]
    link.link(seg, doc)
    assert doc.deadlines[0].unit == "Trung tâm Y tế"


def test_target_responsible():
    seg, doc = prepare("1. UBND huyện phấn đấu đến năm 2025 có 100% trạm y tế xã đạt chuẩn.\n"
                       "2. Tỷ lệ trẻ em dưới 1 tuổi được tiêm chủng đầy đủ đạt 95%.")
    s1, e1 = span(doc, "100%")
    s2, e2 = span(doc, "95%")
    doc.targets = [Target(s1, e1, "100%", value=100.0), Target(s2, e2, "95%", value=95.0)]
    link.link(seg, doc)
    assert [t.responsible for t in doc.targets] == ["UBND huyện", None]


def test_target_inside_a_task_takes_its_unit():
    seg, doc = prepare("Đảng ủy Khối đề nghị các đoàn thể Khối phấn đấu 100% đoàn viên được quán triệt.")
    s, e = span(doc, "100%")
    a0 = doc.text.index("các đoàn thể")
    doc.assignments = [Assignment(a0, len(doc.text), doc.text[a0:], unit="các đoàn thể Khối", task="...")]
    doc.targets = [Target(s, e, "100%", value=100.0)]
    link.link(seg, doc)
    assert doc.targets[0].responsible == "các đoàn thể Khối"


def test_reported_result_has_no_responsible_body():
    seg, doc = prepare("Trung tâm Y tế huyện có 288 viên chức, tuyến xã có 129 viên chức chiếm 44,8%.")
    s, e = span(doc, "44,8%")
    doc.targets = [Target(s, e, "44,8%", value=44.8, status="result")]
    link.link(seg, doc)
    assert doc.targets[0].responsible is None


def test_time_limit_inside_a_cited_title_is_not_the_task_deadline():
    from pipeline.model import Reference

    seg, doc = prepare("Phó Thủ tướng yêu cầu các bộ quán triệt Nghị quyết số 48-NQ/TW về Chiến lược xây dựng "
                       "và hoàn thiện hệ thống pháp luật Việt Nam đến năm 2010, định hướng đến năm 2020.")
    r0, r1 = span(doc, "Nghị quyết số 48-NQ/TW")
    subject = "về Chiến lược xây dựng và hoàn thiện hệ thống pháp luật Việt Nam đến năm 2010, định hướng đến năm 2020"
    doc.references = [Reference(r0, r1, doc.text[r0:r1], id="48-NQ/TW", subject=subject)]
    d0, d1 = span(doc, "đến năm 2010")
    doc.deadlines = [Deadline(d0, d1, doc.text[d0:d1], value="2010")]
    a0 = doc.text.index("các bộ")
    doc.assignments = [Assignment(a0, len(doc.text), doc.text[a0:], unit="các bộ", task="...")]
    link.link(seg, doc)
    assert doc.assignments[0].deadline is None


def test_goal_horizon_is_not_a_task_deadline():
    seg, doc = prepare("Ngành y tế cần thực hiện đồng bộ các giải pháp, phấn đấu đạt và vượt mục tiêu đến năm "
                       "2020 có trên 90% dân số tham gia BHYT; hoàn thành báo cáo trước ngày 30/6/2017.")
    s, e = span(doc, "đến năm 2020")
    s2, e2 = span(doc, "trước ngày 30/6/2017")
    doc.deadlines = [Deadline(s, e, doc.text[s:e], value="2020"), Deadline(s2, e2, doc.text[s2:e2], value="2017-06-30")]
    assert [d.value for d in link.task_deadlines(doc, 0, len(doc.text))] == ["2017-06-30"]
