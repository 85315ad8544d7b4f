"""dates extractor: every calendar expression, valued in ISO 8601, with its role.

The grammar is ``patterns/dates.yaml`` (scanned by ``_vntime``). This module adds what needs
the document: the year of "Ngày 15/3" (the year of a cited id right before it, else the
document's own date, else a dated mention nearby; with none, "--03-15"), and the role a
date plays where it sits (the document's date line, a news page's date line, a cited
document, a deadline cue...).
"""
from __future__ import annotations

from functools import lru_cache
from typing import Optional

import regex

from .. import patterns
from ..model import DateMention, Document
from ..segment import Segmented
from . import _vntime
from . import deadlines

NEAR_CHARS = 1500  # how far a yearless date looks for a bare year
MAX_DATE_LINE = 160  # a document's own date stands on a short line
_OWN_LINE_ROLES = ("issue", "publication", "citation")
_DATE_LINES = ("issue_line", "publication_line")  # roles.* patterns of a date's own line
_YEAR = regex.compile(r"(\d{4})")


@lru_cache(maxsize=1)
def _role_rx() -> dict:
    roles = patterns.load("dates")["roles"]
    return {name: (_vntime.compile_template(r["pattern"]), r) for name, r in roles.items()}


def extract(seg: Segmented, doc: Document) -> list[DateMention]:
    text, mt = seg.text, seg.match_text
    found = _vntime.find(mt)
    lines = [_own_line_role(mt, t) for t in found]
    anchor = _year(doc.issue_date) or next(
        (int(t.groups["y"]) for t, r in zip(found, lines) if r and t.year_known), None)
    fixed = [t.role or line_role or _citation(mt, t) for t, line_role in zip(found, lines)]
    cues = _Cues(seg, doc.issue_date)
    ctx = _YearContext(seg, found, fixed, cues)
    items: list[tuple[_vntime.TimeMatch, str, Optional[str]]] = []
    for t, role in zip(found, fixed):
        value = _value(seg, t, anchor, ctx)
        if value is not None:
            items.append((t, value, role))
    cues.dated = [(t.start, t.end, v, r) for t, v, r in items]
    return [DateMention(start=t.start, end=t.end, text=text[t.start:t.end], value=v,
                        role=_role(t, v, r, cues), rule=t.rule) for t, v, r in items]


def _year(iso: Optional[str]) -> Optional[int]:
    m = _YEAR.match(iso or "")
    return int(m.group(1)) if m else None


# ---- values ---------------------------------------------------------------------------

class _YearContext:
    """Where a yearless date looks for its year: the nearest dated day, month or quarter
    anywhere, else the nearest bare year close by, the one before preferred (text reads
    forward). A bare year is often
    the year of a thing ("quyết toán NSNN năm 2015 gửi ... trước ngày 28/2"), so a dated
    month or day wins; cited documents' dates and birth dates say nothing of the text's
    own time and are left out."""

    def __init__(self, seg: Segmented, found: list[_vntime.TimeMatch], roles: list[Optional[str]],
                 cues: "_Cues"):
        self._seg, self._found, self._roles, self._cues = seg, found, roles, cues
        self._marks: Optional[tuple[list, list]] = None

    def _build(self) -> tuple[list, list]:
        """The dated and the bare-year marks, built on the first question only: most
        documents have a year for every date without them."""
        mt = self._seg.match_text
        # cited documents' dates and goal years ("đến năm 2020") do not date the text's days
        found = [t for t, r in zip(self._found, self._roles) if r != "citation" and not (
            not _within_year(t) and self._cues.before(t) is not None)]
        birth, _ = _role_rx()["birth_year"]
        known = [t for t in found if t.year_known and not birth.match(mt, t.start)]
        within = [_within_year(t) for t in known]
        dated = [(t.start, int(t.groups["y"])) for t, w in zip(known, within) if w]
        years = [(t.start, int(t.groups["y"])) for t, w in zip(known, within) if not w]
        return dated, years

    def year_near(self, pos: int) -> Optional[int]:
        if self._marks is None:
            self._marks = self._build()
        dated, years = self._marks
        return self._nearest(dated, pos, None) or self._nearest(years, pos, NEAR_CHARS)

    @staticmethod
    def _nearest(marks: list[tuple[int, int]], pos: int, reach: Optional[int]) -> Optional[int]:
        near = [(pos - s if s < pos else 2 * (s - pos), y) for s, y in marks]
        near = [(dist, y) for dist, y in near if reach is None or dist <= reach]
        return min(near)[1] if near else None


def _within_year(t: _vntime.TimeMatch) -> bool:
    """A month, quarter or part of a year, not a bare year."""
    return any(t.groups.get(k) for k in ("m", "mn", "q", "half"))


def _value(seg: Segmented, t: _vntime.TimeMatch, anchor: Optional[int], ctx: _YearContext) -> Optional[str]:
    mt = seg.match_text
    if t.year_known:
        return t.value()
    rx, _ = _role_rx()["recurring_after"]
    if rx.match(mt, t.end) and "d" in t.groups:
        return t.value(None)  # "ngày 15/12 hằng năm": every year, so no year
    year = _id_year(mt, t.start) or anchor or ctx.year_near(t.start) or _sentence_id_year(seg, t.start)
    if year is None and t.needs_year:
        return None
    return t.value(year)


def _id_year(mt: str, start: int) -> Optional[int]:
    """The year of a cited id right before: "49/2017/NĐ-CP ngày 24/4" -> 2017."""
    rx, spec = _role_rx()["id_year_before"]
    m = rx.search(mt, max(0, start - spec["window"]), start)
    return int(m.group("y")) if m else None


def _sentence_id_year(seg: Segmented, pos: int) -> Optional[int]:
    """The year of a cited id anywhere in the sentence, the last resort:
    "từ ngày 1-6, theo Nghị định số 44/2017/NĐ-CP" -> 2017."""
    sent = seg.sentence_at(pos)
    if sent is None:
        return None
    rx, _ = _role_rx()["id_year_in_sentence"]
    m = rx.search(seg.match_text, sent.start, sent.end)
    return int(m.group("y")) if m else None


# ---- roles ------------------------------------------------------------------------------

def _line(mt: str, start: int, end: int) -> tuple[int, int]:
    a = mt.rfind("\n", 0, start) + 1
    b = mt.find("\n", end)
    return a, (len(mt) if b < 0 else b)


def _own_line_role(mt: str, t: _vntime.TimeMatch) -> Optional[str]:
    """issue / publication when the date stands on the document's own date line."""
    roles = _role_rx()
    if not t.year_known or all(t.start >= roles[n][1]["within_chars"] for n in _DATE_LINES):
        return None  # known before the line is looked for
    a, b = _line(mt, t.start, t.end)
    if b - a > MAX_DATE_LINE:
        return None
    for name in _DATE_LINES:
        rx, spec = roles[name]
        m = rx.match(mt, a, b) if t.start < spec["within_chars"] else None
        # the line's pattern must lead up to this very date
        if m and t.start <= m.end() and not _full_before().search(mt, a, t.start):
            return spec["id"].split(".", 1)[1]
    return None


@lru_cache(maxsize=1)
def _full_before() -> "regex.Pattern[str]":
    """A dated expression earlier on the line: then this date is not the line's own."""
    return _vntime.compile_template(r"\d{1,2}[/.-]\d{1,2}[/.-]\d{4}|{year}\s+\d{4}")


def _citation(mt: str, t: _vntime.TimeMatch) -> Optional[str]:
    rx, spec = _role_rx()["citation_before"]
    return "citation" if rx.search(mt, max(0, t.start - spec["window"]), t.start) else None


class _Cues:
    """The deadline cue right before a date (``deadlines.cue_before`` caches it: the year
    context, the roles and the deadlines extractor all ask), and the year the document
    speaks from, worked out only when a date has a cue: ``deadlines.governs`` finds no
    deadline without one, and it alone uses that year."""

    def __init__(self, seg: Segmented, issue_date: Optional[str]):
        self.seg, self.issue_date = seg, issue_date
        self.dated: list[tuple[int, int, str, Optional[str]]] = []  # (start, end, value, role)
        self._speaks_from: Optional[tuple[Optional[int]]] = None

    def before(self, t: _vntime.TimeMatch) -> Optional[deadlines.Cue]:
        return deadlines.cue_before(self.seg.match_text, t.start, t.end)

    def governs(self, t: _vntime.TimeMatch, value: str) -> Optional[deadlines.Cue]:
        if self.before(t) is None:
            return None
        if self._speaks_from is None:
            self._speaks_from = (deadlines.anchor_year(self.seg.match_text, self.issue_date, self.dated),)
        return deadlines.governs(self.seg, t.start, t.end, value, self._speaks_from[0])


def _role(t: _vntime.TimeMatch, value: str, fixed: Optional[str], cues: _Cues) -> str:
    """The date's own line or a citation first; then a deadline cue (which may also claim a
    period: "hoàn thành chậm nhất trong năm học 2017-2018"); then event (a day) or other."""
    if fixed in _OWN_LINE_ROLES:
        return fixed
    cue = cues.governs(t, value)
    if cue is not None:
        return cue.role
    return fixed or ("event" if t.groups.get("d") else "other")
