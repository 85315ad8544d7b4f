"""deadline_after_parent: a document that implements directive X gives a task a later
deadline, or an indicator a later target year, than X itself (X in the archive)."""
from __future__ import annotations

from .common import conflict, indicator_key, later, ref, same_indicator, same_task, snippet, task_key, written_year
from .graph import parents

KIND = "deadline_after_parent"


def find(docs: list[dict]) -> list[dict]:
    rows = []
    for child, via, parent in parents(docs):
        rows.extend(_tasks(child, parent, via))
        rows.extend(_targets(child, parent, via))
    return rows


def _tasks(child: dict, parent: dict, via: dict) -> list[dict]:
    rows = []
    def dated(doc: dict) -> list[tuple[dict, str]]:
        return [(a, task_key(a.get("task"))) for a in doc.get("assignments") or []
                if a.get("deadline") and written_year(doc, a["deadline"], a["start"], a["end"])]
    mine, theirs = dated(child), dated(parent)
    for a, ka in mine:
        for p, kp in theirs:
            if later(a["deadline"], p["deadline"]) and same_task(ka, kp):
                expl = (f"{child['doc_id']} implements {via['id']} ({parent['doc_id']}) but gives "
                        f"“{snippet(a['task'], 60)}” until {a['deadline']}; {via['id']} wants it by {p['deadline']}")
                rows.append(conflict(KIND, ref(child, a, a["deadline"]), ref(parent, p, p["deadline"]), expl,
                                     rule="check.deadline_after_parent.task", parent_id=via["id"]))
                break
    return rows


def _targets(child: dict, parent: dict, via: dict) -> list[dict]:
    rows = []
    def goals(doc: dict) -> list[tuple[dict, str]]:
        return [(t, indicator_key(t.get("indicator"))) for t in doc.get("targets") or []
                if t.get("status") == "target" and t.get("year") and t.get("indicator")]
    theirs = goals(parent)
    for t, kt in goals(child):
        for p, kp in theirs:
            if int(t["year"]) > int(p["year"]) and same_indicator(kt, kp):
                expl = (f"{child['doc_id']} implements {via['id']} ({parent['doc_id']}) but sets "
                        f"“{snippet(t['indicator'], 60)}” for {t['year']}; {via['id']} sets it for {p['year']}")
                rows.append(conflict(KIND, ref(child, t, t["year"]), ref(parent, p, p["year"]), expl,
                                     rule="check.deadline_after_parent.target", parent_id=via["id"]))
                break
    return rows
