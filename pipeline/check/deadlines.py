"""deadline_mismatch: one task for one unit, two documents, two deadlines that cannot both
hold ("15/02/2023" in the conclusion, "28/02/2023" in the plan that restates it).

A unit is one body only within one locality: "Trung tâm Y tế" of Tân Uyên is not the one
of Tam Đường. The locality is the one the unit names ("UBND tỉnh Quảng Nam"), else its
document's (issuer, place), or none for a national body ("Bộ Y tế"); a pair is compared
only when both are known and equal. Deadlines must spell their year out.
"""
from __future__ import annotations

from collections import defaultdict

from .common import (conflict, disjoint, iter_items, ref, same_task, same_unit, snippet, task_key,
                     unit_key, unit_locality, written_year)

KIND = "deadline_mismatch"


def _entries(docs: list[dict]) -> list[tuple[dict, dict, str, str, str]]:
    out = []
    for doc, a in iter_items(docs, "assignments"):
        if a.get("deadline") and a.get("unit") and a.get("task"):
            where = unit_locality(a["unit"], doc)
            if where and written_year(doc, a["deadline"], a["start"], a["end"]):
                out.append((doc, a, unit_key(a["unit"]), task_key(a["task"]), where))
    return out


def _block(ukey: str) -> str:
    """Units are compared only inside a block of the same first two words."""
    return " ".join(ukey.split()[:2])


def find(docs: list[dict]) -> list[dict]:
    blocks: dict[tuple[str, str], list] = defaultdict(list)
    for e in _entries(docs):
        if e[2]:
            blocks[(e[4], _block(e[2]))].append(e)
    rows = []
    for entries in blocks.values():
        for i, (da, aa, ua, ta, _w) in enumerate(entries):
            for db, ab, ub, tb, _w2 in entries[i + 1:]:
                if da["doc_id"] == db["doc_id"] or not disjoint(aa["deadline"], ab["deadline"]):
                    continue
                if not same_unit(ua, ub) or not same_task(ta, tb):
                    continue
                rows.append(_row(da, aa, db, ab))
    return rows


def _row(da: dict, aa: dict, db: dict, ab: dict) -> dict:
    expl = (f"{aa['unit']}: “{snippet(aa['task'], 70)}” due {aa['deadline']} in {da['doc_id']} "
            f"but {ab['deadline']} in {db['doc_id']}")
    return conflict(KIND, ref(da, aa, aa["deadline"]), ref(db, ab, ab["deadline"]), expl,
                    rule="check.deadline_mismatch", unit=aa["unit"])
