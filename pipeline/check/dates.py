"""Dates that contradict their own document's issue date.

* deadline_before_issue: a deadline that ends before the document was issued.
* date_order: an event the document reports that happens after its issue date (seed 002
  is dated "tháng 01 năm 2022" but reports a conference of 16/12/2022).

Only documents whose own date is an issue date are checked: a news report's publication
date legitimately follows old deadlines and precedes announced events.
"""
from __future__ import annotations

from typing import Optional

from .common import YEAR, config, conflict, later, ref, snippet, written_year


def _issue_item(doc: dict) -> Optional[dict]:
    roles = set(config()["dates"]["issue_roles"])
    issue = doc.get("issue_date")
    if not issue:
        return None
    for d in doc.get("dates") or []:
        if d.get("role") in roles and d.get("value") == issue:
            return d
    return None


def _deadlines(doc: dict) -> list[dict]:
    """Deadline items, plus assignment deadlines no deadline item carries; only those that
    spell their year out (an inferred year is too weak to accuse a document)."""
    items = [d for d in doc.get("deadlines") or []
             if d.get("value") and not d.get("recurring") and YEAR.search(d.get("text") or "")]
    seen = {d["value"] for d in items}
    for a in doc.get("assignments") or []:
        if a.get("deadline") and a["deadline"] not in seen and written_year(doc, a["deadline"], a["start"], a["end"]):
            items.append({**a, "value": a["deadline"]})
            seen.add(a["deadline"])
    return items


def find(docs: list[dict]) -> list[dict]:
    rows = []
    event_roles = set(config()["dates"]["event_roles"])
    for doc in docs:
        issue = _issue_item(doc)
        if issue is None:
            continue
        for d in _deadlines(doc):
            if later(issue["value"], d["value"]):
                rows.append(_row("deadline_before_issue", doc, issue, d, "deadline", "before"))
        for d in doc.get("dates") or []:
            if (d.get("role") in event_roles and YEAR.search(d.get("text") or "")
                    and later(d.get("value"), issue["value"])):
                rows.append(_row("date_order", doc, issue, d, "reported event", "after"))
    return rows


def _row(kind: str, doc: dict, issue: dict, item: dict, what: str, order: str) -> dict:
    expl = (f"{doc['doc_id']} is issued {issue['value']} (“{snippet(issue['text'], 40)}”) but its "
            f"{what} {item['value']} (“{snippet(item['text'], 50)}”) falls {order} that")
    return conflict(kind, ref(doc, issue, issue["value"]), ref(doc, item, item["value"]), expl,
                    rule=f"check.{kind}")
