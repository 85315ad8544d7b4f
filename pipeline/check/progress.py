"""Targets against results: a figure a report achieved (status result) compared with the
goal a plan set (status target) for the same indicator, locality and year.

Same year: ``met`` or ``missed``; a result from an earlier year than the goal: ``on_track``
(already at the goal) or ``behind``. Every comparison goes to OUT/target_progress.jsonl;
only ``missed`` ones are conflicts (kind ``target_missed``).
"""
from __future__ import annotations

from collections import defaultdict
from typing import Optional

from functools import lru_cache

import regex

from .. import patterns
from ..fold import fold
from .common import config, conflict, ref, same_indicator, scope, snippet, unit_class
from .targets import describe, goal_entries

KIND = "target_missed"


def result_year(doc: dict, item: dict) -> Optional[int]:
    """The item's own year, else the single year its paragraph names."""
    if item.get("year"):
        return int(item["year"])
    text = doc.get("text") or ""
    lo = text.rfind("\n", 0, item["start"]) + 1
    hi = text.find("\n", item["end"])
    hi = len(text) if hi < 0 else hi
    roles = set(config()["dates"]["result_year_roles"])
    years = {str(d["value"])[:4] for d in doc.get("dates") or []
             if d.get("role") in roles and d.get("value") and "/" not in str(d["value"])
             and lo <= d["start"] < hi and str(d["value"])[:4].isdigit()}
    return int(years.pop()) if len(years) == 1 else None


@lru_cache(maxsize=None)
def _delta() -> tuple["regex.Pattern[str]", "regex.Pattern[str]"]:
    cfg = config()["result_deltas"]
    starts = [fold(w) for c in cfg for w in c.get("starts", [])]
    after = [fold(w) for c in cfg for w in c.get("after", [])]
    return (regex.compile(rf"^\s*{patterns.alternation(starts)}\b"),
            regex.compile(rf"^[^.;\n]{{0,12}}\b{patterns.alternation(after)}\b"))


def is_delta(doc: dict, item: dict) -> bool:
    """A difference ("vượt 0,52% so với KH"), not a level a goal can be compared with."""
    lead, tail = _delta()
    text = doc.get("text") or ""
    return bool(lead.search(fold(item.get("text") or "")) or tail.search(fold(text[item["end"]:item["end"] + 40])))


def meets(result: float, t: dict) -> bool:
    v, comp = t["value"], t.get("comparator") or "="
    if comp == "<":
        return result < v
    if comp == "<=":
        return result <= v
    if comp == ">":
        return result > v
    if comp == ">=":
        return result >= v
    if comp == "range":
        if t.get("direction") == "decrease":
            return result <= (t.get("value_max") or v)
        return result >= v
    return result <= v if t.get("direction") == "decrease" else result >= v


def compare(docs: list[dict]) -> list[dict]:
    """One progress row per (result, goal) pair that speak of the same thing."""
    goals: dict[tuple, list] = defaultdict(list)
    for doc, t, key in goal_entries(docs, "target"):
        if t.get("year"):
            goals[(scope(doc), unit_class(t.get("unit")))].append((doc, t, key))
    rows = []
    for doc, r, key in goal_entries(docs, "result"):
        year = result_year(doc, r)
        if year is None or is_delta(doc, r):
            continue
        for gdoc, t, gkey in goals.get((scope(doc), unit_class(r.get("unit"))), []):
            if gdoc["doc_id"] == doc["doc_id"] or year > int(t["year"]) or not same_indicator(key, gkey):
                continue
            rows.append(_progress(doc, r, year, gdoc, t))
    return rows


def _progress(doc: dict, r: dict, year: int, gdoc: dict, t: dict) -> dict:
    ok = meets(float(r["value"]), t)
    status = ("met" if ok else "missed") if year == int(t["year"]) else ("on_track" if ok else "behind")
    gap = round(float(r["value"]) - float(t["value"]), 4)
    return {"status": status, "scope": scope(doc), "year": int(t["year"]), "result_year": year,
            "gap": gap, "indicator": t.get("indicator"),
            "target": {"doc_id": gdoc["doc_id"], "start": t["start"], "end": t["end"], "text": t["text"],
                       "value": describe(t)},
            "result": {"doc_id": doc["doc_id"], "start": r["start"], "end": r["end"], "text": r["text"],
                       "value": r["value"]},
            "_docs": (doc, r, gdoc, t)}


def find(progress: list[dict]) -> list[dict]:
    """The missed goals as conflict rows."""
    rows = []
    for p in progress:
        if p["status"] != "missed":
            continue
        doc, r, gdoc, t = p["_docs"]
        expl = (f"{p['year']}, {p['scope']}: “{snippet(t['indicator'], 60)}” goal {describe(t)} "
                f"({gdoc['doc_id']}) missed: result {r['value']:g}{r.get('unit') or ''} ({doc['doc_id']}), "
                f"gap {p['gap']:+g}")
        rows.append(conflict(KIND, ref(gdoc, t, describe(t)), ref(doc, r, r["value"]), expl,
                             rule="check.target_vs_result", scope=p["scope"], year=p["year"], gap=p["gap"]))
    return rows


def public(progress: list[dict]) -> list[dict]:
    """Progress rows without the in-memory back references."""
    return [{k: v for k, v in p.items() if k != "_docs"} for p in progress]
