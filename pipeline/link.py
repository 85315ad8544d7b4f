"""Cross-item links that no single extractor can make: a task's deadline, a deadline's
responsible unit, a target's responsible body.

The order matters: deadlines first take the unit of the assignment that holds them, then
deadlines and targets outside any assignment fall back to a body that opens their sentence
("Trung tâm Y tế hoàn thành ... trước ngày 30/6/2024") or to a heading that names a body.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Optional

import regex

from . import patterns
from .model import Assignment, Document
from .segment import Segmented

_LEAD = regex.compile(r"[\s*_“\"'(\-–+•]*")


def link(seg: Segmented, doc: Document) -> None:
    _deadlines_to_assignments(doc)
    _deadline_units_from_sentences(seg, doc)
    _target_responsible(seg, doc)


def cited_spans(doc: Document) -> list[tuple[int, int]]:
    """Where the subjects of cited documents are written ("Nghị quyết số 48-NQ/TW về Chiến
    lược ... đến năm 2010"): a time limit there belongs to the cited document, not a task."""
    spans = []
    for r in doc.references:
        if r.subject:
            i = doc.text.find(r.subject, r.end, r.end + 400 + len(r.subject))
            if i >= 0:
                spans.append((i, i + len(r.subject)))
    return spans


@lru_cache(maxsize=1)
def _goal_clause() -> "regex.Pattern[str]":
    """A goal cue earlier in the same clause ("phấn đấu đạt và vượt mục tiêu đến năm 2020")."""
    words = patterns.load("assignment_cues").get("goal_horizon", [])
    alt = "|".join(regex.escape(w) for w in sorted(words, key=len, reverse=True))
    return regex.compile(r"(?i)(?<![\p{L}\p{M}])(?:" + alt + r")(?![\p{L}\p{M}])[^.;:\n]{0,60}\Z", regex.V1)


def _goal_horizon(doc: Document, d) -> bool:
    """The year a goal is to be reached by is the goal's, not a time limit of the task."""
    return bool(_goal_clause().search(doc.text, max(0, d.start - 80), d.start))


def task_deadlines(doc: Document, start: int, end: int, cited=None) -> list:
    """Dated, non-recurring deadlines inside [start, end) that are not part of a citation
    nor the horizon of a goal."""
    cited = cited_spans(doc) if cited is None else cited
    return [d for d in doc.deadlines if start <= d.start < end and d.value and not d.recurring
            and not any(s <= d.start < e for s, e in cited) and not _goal_horizon(doc, d)]


def _deadlines_to_assignments(doc: Document) -> None:
    """A deadline inside an assignment's span is that task's deadline, and the assignment's
    unit is the deadline's unit."""
    cited = None
    for a in doc.assignments:
        if a.deadline is None:   # the assignments extractor sets most of them already
            cited = cited_spans(doc) if cited is None else cited
            inside = task_deadlines(doc, a.start, a.end, cited)
            if inside:
                a.deadline = inside[0].value
        for d in doc.deadlines:
            if a.start <= d.start < a.end and d.unit is None:
                d.unit = a.unit


def _holder(doc: Document, offset: int) -> Optional[Assignment]:
    """The narrowest assignment whose span holds ``offset``."""
    best = None
    for a in doc.assignments:
        if a.start <= offset < a.end and (best is None or a.end - a.start < best.end - best.start):
            best = a
    return best


def _opening_unit(seg: Segmented, offset: int) -> Optional[str]:
    """The body that opens the sentence holding ``offset``, or the body a heading above it
    names ("3. Trung tâm Y tế:")."""
    from .extractors.entities import clean, unit_list_at

    s = seg.sentence_at(offset)
    if s is not None:
        pos = _LEAD.match(seg.match_text, s.start).end()
        bi = seg.block_at(offset)
        if bi is not None and s.start <= seg.blocks[bi].body_start:
            pos = _LEAD.match(seg.match_text, seg.blocks[bi].body_start).end()
        units = unit_list_at(seg.match_text, pos)
        if units and units[0][1] <= offset:
            return clean(seg.text[units[0][0]:units[0][1]])
    bi = seg.block_at(offset)
    for h in seg.ancestors(bi):
        if not h.is_heading:
            continue
        pos = _LEAD.match(seg.match_text, h.body_start).end()
        units = unit_list_at(seg.match_text, pos)
        if units and regex.fullmatch(r"[\s*_:]*", seg.match_text[units[-1][1]:h.end]):
            return clean(seg.text[units[0][0]:units[0][1]])
    return None


def _deadline_units_from_sentences(seg: Segmented, doc: Document) -> None:
    for d in doc.deadlines:
        if d.unit is None:
            d.unit = _opening_unit(seg, d.start)


def _target_responsible(seg: Segmented, doc: Document) -> None:
    """A goal inside a task, or in a sentence opened by a body, belongs to that body.
    Reported results ("đạt 97%") have no one responsible."""
    for t in doc.targets:
        if t.responsible or t.status != "target":
            continue
        a = _holder(doc, t.start)
        t.responsible = a.unit if a else _opening_unit(seg, t.start)
