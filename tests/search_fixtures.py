"""Hand-marked documents over the seed texts, for index/search/web tests.

The items are those of the gold annotation (shared/gold/seeds.jsonl), placed at the offsets
where their phrases occur in the normalised seed text, so the index is tested on real
phrasings independently of how complete the extractors are today.
"""
from __future__ import annotations

import json
from pathlib import Path

from pipeline.normalise import normalise

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"

SEED_PLAN = "001_6e3d7479b8752292"      # Kế hoạch, Huyện ủy Tam Đường
SEED_NOTICE = "002_b46ce2d869fb8a30"    # Thông báo kết luận, UBND huyện Tân Uyên
SEED_NEWS = "003_ebb5c12f4fc31886"      # tin bài on Chỉ thị 25-CT/TW
SEED_REPORT = "000_006328973dff5d58"    # tin bài on Nghị quyết 20-NQ/TW


def seed_text(doc_id: str) -> str:
    return normalise((CORPUS / f"{doc_id}.txt").read_text(encoding="utf-8")).text


def _at(text: str, phrase: str, after: str = "") -> tuple[int, int]:
    base = text.index(after) if after else 0
    start = text.index(phrase, base)
    return start, start + len(phrase)


def _item(text: str, phrase: str, after: str = "", **fields) -> dict:
    start, end = _at(text, phrase, after)
    return {"start": start, "end": end, "text": text[start:end], "rule": "test.gold", **fields}


def _doc(doc_id: str, **fields) -> dict:
    text = seed_text(doc_id)
    doc = {"doc_id": doc_id, "text": text, "source": f"corpus/{doc_id}.txt", "sha256": None,
           "chars": len(text), "doc_type": "khac", "number": None, "symbol": None, "issuer": None,
           "place": None, "issue_date": None, "title": None, "signer": None, "recipients": [],
           "references": [], "dates": [], "targets": [], "assignments": [], "deadlines": [],
           "entities": [], "warnings": []}
    doc.update(fields)
    return doc


def plan_doc() -> dict:
    t = seed_text(SEED_PLAN)
    line9 = "Giảm tỷ lệ trẻ em dưới 5 tuổi suy dinh dưỡng"
    return _doc(
        SEED_PLAN, doc_type="ke_hoach", issuer="Huyện ủy Tam Đường",
        title="Thực hiện Kết luận số 111- KL/TU, ngày 03/6/2021 của Tỉnh ủy về tiếp tục thực hiện "
              "Đề án “Nâng cao chất lượng hoạt động của hệ thống y tế cơ sở”",
        signer={"name": "Cao Trang Trọng", "position": "Phó Bí thư"},
        targets=[
            _item(t, "dưới 15%", line9, label="(9)", value=15.0, unit="%", comparator="<",
                  direction="decrease", year=2025, status="target",
                  indicator="tỷ lệ trẻ em dưới 5 tuổi suy dinh dưỡng thể cân nặng"),
            _item(t, "xuống 20%", line9, label="(9)", value=20.0, unit="%", comparator="<=",
                  direction="decrease", year=2025, status="target",
                  indicator="tỷ lệ trẻ em dưới 5 tuổi suy dinh dưỡng thể thấp còi"),
            _item(t, "trên 30%", "(2) Nhân lực", label="(2)", value=30.0, unit="%", comparator=">",
                  year=2025, status="target",
                  indicator="nhân lực chuyên môn y tế có trình độ đại học trở lên"),
            _item(t, "95,2%", "(12)", label="(12)", value=95.2, unit="%", comparator="=", year=2025,
                  status="target", indicator="trẻ em dưới 01 tuổi được tiêm chủng đầy đủ"),
        ],
        references=[
            _item(t, "Kết luận số 111- KL/TU", kind="Kết luận", number="111", symbol="KL/TU",
                  id="111-KL/TU", date="2021-06-03", issuer="Tỉnh ủy"),
            _item(t, "Nghị quyết số 20-NQ/TW", kind="Nghị quyết", number="20", symbol="NQ/TW",
                  id="20-NQ/TW", date="2017-10-25", issuer="Ban chấp hành Trung ương",
                  subject="tăng cường công tác bảo vệ, chăm sóc sức khỏe Nhân dân trong tình hình mới"),
        ],
        assignments=[
            _item(t, "UBND huyện", "III. TỔ CHỨC THỰC HIỆN", unit="UBND huyện", task=None, deadline=None),
        ],
        deadlines=[_item(t, "đến năm 2025", value="2025", cue="đến năm")] if "đến năm 2025" in t else [],
    )


def notice_doc() -> dict:
    t = seed_text(SEED_NOTICE)
    return _doc(
        SEED_NOTICE, doc_type="thong_bao", issuer="UBND huyện Tân Uyên", issue_date="2022-01",
        symbol="TB-UBND",
        title="Kết luận của Đồng chí Lò Văn Biên tại Hội nghị tổng kết công tác Y tế năm 2022",
        targets=[
            _item(t, "còn 18,48%", value=18.48, unit="%", comparator="=", year=2022, status="result",
                  indicator="tỷ lệ suy dinh dưỡng trẻ em dưới 5 tuổi thể nhẹ cân"),
            _item(t, "còn 24,38%", value=24.38, unit="%", comparator="=", year=2022, status="result",
                  indicator="tỷ lệ suy dinh dưỡng trẻ em dưới 5 tuổi thể thấp còi"),
        ],
        assignments=[
            _item(t, "Tham mưu UBND huyện ban hành Kế hoạch thực hiện công tác Y tế năm 2023",
                  unit="Trung tâm Y tế", deadline="2023-01-16",
                  task="Tham mưu UBND huyện ban hành Kế hoạch thực hiện công tác Y tế năm 2023"),
            _item(t, "Báo cáo UBND huyện thực trạng cơ sở vật chất", unit="Trung tâm Y tế",
                  deadline="2023-02-15", task="Báo cáo UBND huyện thực trạng cơ sở vật chất, "
                  "trang thiết bị, nhân lực ngành y tế", cooperating=[]),
        ],
        deadlines=[
            _item(t, "xong trước ngày 16/01/2023", value="2023-01-16", cue="xong trước ngày",
                  unit="Trung tâm Y tế"),
            _item(t, "xong trước ngày 15/02/2023", value="2023-02-15", cue="xong trước ngày",
                  unit="Trung tâm Y tế"),
        ],
    )


def news_doc() -> dict:
    t = seed_text(SEED_NEWS)
    return _doc(
        SEED_NEWS, doc_type="tin_bai", issue_date="2024-04-24",
        references=[
            _item(t, "Chỉ thị số 25-CT/TW", kind="Chỉ thị", number="25", symbol="CT/TW", id="25-CT/TW",
                  date="2023-10-25"),
            _item(t, "Kế hoạch số 222-KH/ĐUK", kind="Kế hoạch", number="222", symbol="KH/ĐUK",
                  id="222-KH/ĐUK", date="2024-04-23"),
        ],
    )


def report_doc() -> dict:
    t = seed_text(SEED_REPORT)
    return _doc(
        SEED_REPORT, doc_type="tin_bai", issue_date="2022-06-30",
        references=[_item(t, "Nghị quyết 20-NQ/TW", kind="Nghị quyết", id="20-NQ/TW", date="2017-10-25")],
    )


def seed_docs() -> list[dict]:
    return [plan_doc(), notice_doc(), news_doc(), report_doc()]


def write_out(out: Path, docs: list[dict]) -> Path:
    """An output folder as `chidao run` writes it (documents.jsonl), ready for build_index."""
    out.mkdir(parents=True, exist_ok=True)
    with open(out / "documents.jsonl", "w", encoding="utf-8") as fh:
        for d in docs:
            fh.write(json.dumps(d, ensure_ascii=False) + "\n")
    return out
