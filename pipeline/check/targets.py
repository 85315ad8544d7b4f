"""target_mismatch: two documents set different goals for one indicator, in one locality,
for one year ("dưới 15%" in the district plan, "dưới 18%" in the district programme)."""
from __future__ import annotations

from collections import defaultdict
from typing import Optional

from .common import conflict, indicator_key, iter_items, ref, same_indicator, scope, snippet, unit_class

KIND = "target_mismatch"

# comparators that bound a goal from above / from below; "=" and a range fit either
_UPPER, _LOWER = {"<", "<="}, {">", ">="}


def goal_entries(docs: list[dict], status: str) -> list[tuple[dict, dict, str]]:
    """(doc, target, indicator key) for every target of ``status`` with a usable scope."""
    out = []
    for doc, t in iter_items(docs, "targets"):
        if t.get("status") == status and t.get("value") is not None and t.get("indicator") and scope(doc):
            out.append((doc, t, indicator_key(t["indicator"])))
    return out


def describe(t: dict) -> str:
    """"< 15.0 %" or "1.5-2.0 %/năm"."""
    unit = t.get("unit") or ""
    if t.get("comparator") == "range" and t.get("value_max") is not None:
        return f"{t['value']:g}-{t['value_max']:g}{unit}"
    comp = t.get("comparator") or "="
    return f"{'' if comp == '=' else comp + ' '}{t['value']:g}{unit}"


def _differ(a: dict, b: dict) -> Optional[str]:
    """What disagrees between two goals, or None when they say the same."""
    if a.get("value") != b.get("value") or a.get("value_max") != b.get("value_max"):
        return "value"
    ca, cb = a.get("comparator"), b.get("comparator")
    if (ca in _UPPER and cb in _LOWER) or (ca in _LOWER and cb in _UPPER):
        return "comparator"
    return None


def find(docs: list[dict]) -> list[dict]:
    blocks: dict[tuple, list] = defaultdict(list)
    for doc, t, key in goal_entries(docs, "target"):
        if t.get("year"):
            blocks[(scope(doc), t["year"], unit_class(t.get("unit")))].append((doc, t, key))
    rows = []
    for (place, year, _unit), entries in blocks.items():
        for i, (da, ta, ka) in enumerate(entries):
            for db, tb, kb in entries[i + 1:]:
                if da["doc_id"] == db["doc_id"] or not same_indicator(ka, kb):
                    continue
                what = _differ(ta, tb)
                if what:
                    rows.append(_row(da, ta, db, tb, place, year, what))
    return rows


def _row(da: dict, ta: dict, db: dict, tb: dict, place: str, year: int, what: str) -> dict:
    expl = (f"{year}, {place}: “{snippet(ta['indicator'], 60)}” {describe(ta)} in {da['doc_id']} "
            f"but {describe(tb)} in {db['doc_id']} ({what} differs)")
    return conflict(KIND, ref(da, ta, describe(ta)), ref(db, tb, describe(tb)), expl,
                    rule=f"check.target_mismatch.{what}", scope=place, year=year)
