"""Cross-item links that no single extractor can make: a task's deadline, a deadline's
responsible unit, a target's responsible body."""
from __future__ import annotations

from .model import Document
from .segment import Segmented


def link(seg: Segmented, doc: Document) -> None:
    _deadlines_to_assignments(doc)


def _deadlines_to_assignments(doc: Document) -> None:
    """A deadline inside an assignment's span is that task's deadline, and the assignment's
    unit is the deadline's unit."""
    for a in doc.assignments:
        inside = [d for d in doc.deadlines if a.start <= d.start < a.end and d.value and not d.recurring]
        if inside and a.deadline is None:
            a.deadline = inside[0].value
        for d in inside:
            if d.unit is None:
                d.unit = a.unit
