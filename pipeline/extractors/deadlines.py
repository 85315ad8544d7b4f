"""deadlines extractor: time limits for a task or goal.

A deadline is a cue phrase from ``patterns/deadlines.yaml`` right before a date the dates
extractor found ("xong trước ngày 16/01/2023", "đến năm 2025"), kept only where the
sentence sets a task or goal, not where it tells what happened. Recurring limits
("định kỳ 6 tháng", "trước ngày 15 hằng tháng") have no value and ``recurring`` true.
The dates extractor asks :func:`governs` too, so a date's role and the deadline list agree.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Optional

import regex

from .. import patterns
from ..model import Deadline, Document
from ..segment import Segmented
from ._vntime import case_folded, compile_template, holds, needs, word_alternation

WINDOW = 60        # chars before a date searched for its cue
_TRIGGER_CLASSES = ("every", "periodic")  # the word lists a recurring schedule holds
_CLAUSE_END = regex.compile(r"[.;:!?\n,(]")
_OWN_ROLES = ("citation", "issue", "publication")
_YEAR = regex.compile(r"\d{4}")
_DAY = regex.compile(r"\d{4}-\d\d-\d\d")


@dataclass(frozen=True)
class Cue:
    start: int
    end: int       # end of the cue including the date's head word ("trước ngày")
    id: str
    kind: str
    role: str


def _spec() -> dict:
    return patterns.load("deadlines")


def _words(name: str) -> str:
    return word_alternation(str(w) for w in _spec()[name])


def _bounded(name: str) -> "regex.Pattern[str]":
    return regex.compile(r"(?<![\p{L}])" + _words(name) + r"(?![\p{L}])", regex.V1)


@lru_cache(maxsize=2)
def _cue_rx(flags: int = 0) -> "regex.Pattern[str]":
    alts = [f"(?P<c{i}>" + patterns.alternation(c["words"]) + ")" for i, c in enumerate(_spec()["cues"])]
    return regex.compile(r"(?<![\p{L}])(?i:" + "|".join(alts) + r")\**\s*$", regex.V1 | flags)


@lru_cache(maxsize=1)
def _context() -> dict:
    spec = _spec()
    table = {k: _words(k) for k in ("every", "periodic", "time_unit", "verbs", "report_verbs")}
    table["count"] = "(?:" + "|".join(spec["count"]) + ")"
    recurring = []
    for r in spec["recurring"]:
        pat = regex.sub(r"(?<!\\[pP])\{([a-z_]+)\}", lambda m: table[m.group(1)], r["pattern"])
        recurring.append((r["id"], regex.compile(r"(?<![\p{L}])(?:" + pat + r")(?![\p{L}])", regex.V1)))
    return {
        "goal": _bounded("goal_words"),
        "task": _bounded("task_words"),
        "future": _bounded("future_words"),
        "upcoming": regex.compile(spec["upcoming_after"], regex.V1),
        "past": _bounded("past_words"),
        "past_after": _bounded("past_after_words"),
        "not_until": regex.compile(spec["not_until_before"], regex.V1),
        "not_until_after": regex.compile(spec["not_until_after"], regex.V1),
        "range": regex.compile(spec["range_before"], regex.V1),
        "since": regex.compile(spec["since_before"], regex.V1),
        "before_chars": int(spec["before_chars"]),
        "past_chars": int(spec["past_chars"]),
        "recurring": recurring,
        # the trigger classes each recurring pattern needs (its {every} / {periodic} words)
        "recurring_needs": [needs(r["pattern"], _TRIGGER_CLASSES) for r in spec["recurring"]],
        # case-folded first syllable of each trigger word -> the classes of the words it
        # starts, for str.find
        "trigger_keys": _trigger_keys(spec),
        # every recurring pattern holds one of these: scan only around them
        "trigger": regex.compile(r"(?<![\p{L}])" + word_alternation(spec["every"] + spec["periodic"]) + r"(?![\p{L}])", regex.V1),
        "every_after": regex.compile(r"\s*" + table["every"] + r"\s+" + table["time_unit"] + r"(?![\p{L}])", regex.V1),
        # the head word a date's text may start with ("ngày", "năm", "quý", "tháng")
        "head": compile_template(r"(?:{day}|{month}|{year}|{quarter})(?![\p{L}])"),
    }


def _trigger_keys(spec: dict) -> dict[str, frozenset]:
    """First syllable (case-folded) -> classes of the trigger words starting with it."""
    keys: dict[str, frozenset] = {}
    for name in _TRIGGER_CLASSES:
        for w in spec[name]:
            key = str(w).split()[0].casefold()
            keys[key] = keys.get(key, frozenset()) | {name}
    return keys


@lru_cache(maxsize=1024)  # asked for the same date by both extractors; str hashes are cached
def cue_before(mt: str, start: int, end: int) -> Optional[Cue]:
    """The deadline cue right before the date at ``start:end`` in ``mt``, if any."""
    head = _context()["head"].match(mt, start, end)
    stop = head.end() if head else start
    lo = max(0, start - WINDOW)
    # Most dates have no cue. Searched forward, every place in the window is tried; searched
    # backward, the "$" fails at once everywhere but the end. Both find a match when there
    # is one, and the forward one says which (the longest cue).
    if _cue_rx(regex.REVERSE).search(mt, lo, stop) is None:
        return None
    m = _cue_rx().search(mt, lo, stop)
    if m is None:
        return None
    cues = _spec()["cues"]
    i = next(int(k[1:]) for k, v in m.groupdict().items() if v is not None)
    return Cue(m.start(), stop, cues[i]["id"], cues[i]["kind"], cues[i]["role"])


def anchor_year(mt: str, issue_date: Optional[str],
                dated: Iterable[tuple[int, int, str, Optional[str]]]) -> Optional[int]:
    """The year a document speaks from: its own date, else its latest dated event (a day
    not cited and not after a deadline cue). ``dated`` holds (start, end, value, role)."""
    dated = list(dated)
    for iso in [issue_date] + [v for _, _, v, r in dated if r in ("issue", "publication")]:
        m = _YEAR.match(iso or "")
        if m:
            return int(m.group())
    years = [int(v[:4]) for s, e, v, r in dated
             if r not in _OWN_ROLES and _DAY.match(v) and cue_before(mt, s, e) is None]
    return max(years) if years else None


def governs(seg: Segmented, start: int, end: int, value: Optional[str],
            anchor: Optional[int]) -> Optional[Cue]:
    """The cue that makes the date at ``start:end`` a deadline here, or None."""
    cue = cue_before(seg.match_text, start, end)
    if cue is None or not value or not _in_task_context(seg, cue, end, value, anchor):
        return None
    return cue


def extract(seg: Segmented, doc: Document) -> list[Deadline]:
    mt = seg.match_text
    anchor = anchor_year(mt, doc.issue_date, ((d.start, d.end, d.value, d.role) for d in doc.dates if d.value))
    out: list[Deadline] = []
    for d in doc.dates:
        cue = None if d.role in _OWN_ROLES else governs(seg, d.start, d.end, d.value, anchor)
        if cue is None:
            continue
        every = _context()["every_after"].match(mt, d.end)
        end = every.end() if every else d.end
        out.append(Deadline(start=cue.start, end=end, text=seg.text[cue.start:end],
                            value=None if every else d.value, cue=seg.text[cue.start:cue.end],
                            recurring=every is not None, rule=cue.id))
    out.extend(_recurring(seg, out))
    out.sort(key=lambda x: x.start)
    return out


def _clause_start(mt: str, lo: int, pos: int) -> int:
    last = lo
    for m in _CLAUSE_END.finditer(mt, lo, pos):
        last = m.end()
    return last


def _next_clause_end(mt: str, pos: int, limit: int) -> int:
    m = _CLAUSE_END.search(mt, pos + 1, limit)
    return m.start() if m else limit


@dataclass
class _Where:
    """Where a cue sits: its sentence, its clause, and whether the date opens the clause."""
    s_start: int
    s_end: int
    c_start: int
    opens_clause: bool   # "Đến năm 2020 ...", "Cũng trong tháng 6 ..."
    framing: bool        # ... and a comma follows the date: "Trước ngày 30/6, ..."
    after_end: int       # end of what follows the date (the clause, or the sentence if framing)


def _where(seg: Segmented, cue: Cue, end: int) -> _Where:
    mt = seg.match_text
    sent = seg.sentence_at(cue.start)
    s_start, s_end = (sent.start, sent.end) if sent else (max(0, cue.start - 300), min(len(mt), end + 300))
    s_end = max(s_end, end)
    c_start = _clause_start(mt, s_start, cue.start)
    opens = len(mt[c_start:cue.start].split()) <= 1
    framing = opens and mt[end:end + 3].lstrip(" *").startswith(",")
    after_end = s_end if framing else _next_clause_end(mt, end, s_end)
    return _Where(s_start, s_end, c_start, opens, framing, after_end)


def _in_task_context(seg: Segmented, cue: Cue, end: int, value: str, anchor: Optional[int]) -> bool:
    """The date after ``cue`` limits a task or goal here (see deadlines.yaml, `kind`)."""
    w = _where(seg, cue, end)
    if _narrated(seg.match_text, cue, end, value, anchor, w):
        return False
    if cue.kind == "strict":
        return True
    if cue.kind == "before":
        return _before_ok(seg.match_text, cue, end, w)
    if cue.kind == "within":
        return _within_ok(seg.match_text, cue, end, w)
    return _goal_ok(seg, cue, end, w)


def _narrated(mt: str, cue: Cue, end: int, value: str, anchor: Optional[int], w: _Where) -> bool:
    """The sentence tells what happened: past words around the cue, "từ trước ngày", or a
    date before the document's own year."""
    ctx = _context()
    near = max(w.c_start, cue.start - ctx["past_chars"])
    if ctx["past"].search(mt, near, cue.end) or (w.opens_clause and ctx["past"].search(mt, end, w.after_end)):
        return True
    # "mà trước ngày 1-1-2017, Tòa án đã ...": a cut-off in a story
    if cue.kind != "strict" and ctx["past_after"].search(mt, end, min(w.s_end, end + ctx["past_chars"])):
        return True
    if ctx["since"].search(mt, max(w.s_start, cue.start - 12), cue.start):
        return True
    year = int(value[:4]) if value[:4].isdigit() else None
    return anchor is not None and year is not None and year < anchor


def _before_ok(mt: str, cue: Cue, end: int, w: _Where) -> bool:
    """"báo cáo trước ngày 15/5", "Bộ X trước tháng 6/2017 giải quyết ...", "trước ngày 28/2 tới"."""
    ctx = _context()
    lo, hi = (cue.start, w.s_end) if w.framing else (max(w.s_start, cue.start - ctx["before_chars"]), cue.end)
    return bool(ctx["task"].search(mt, lo, hi) or ctx["task"].search(mt, end, w.after_end)
                or ctx["upcoming"].match(mt, end))


def _within_ok(mt: str, cue: Cue, end: int, w: _Where) -> bool:
    """"hoàn thành ... trong quý I/2023", "trong tháng 2/2017, Bộ sẽ phải hoàn thành ...",
    not "Trong quý I/2023, toàn huyện ..."."""
    ctx = _context()
    if w.framing:
        return bool(ctx["future"].search(mt, end, w.s_end))
    return bool(ctx["task"].search(mt, w.c_start, w.after_end if w.opens_clause else cue.end)
                or (w.opens_clause and ctx["future"].search(mt, end, w.after_end)))


def _goal_ok(seg: Segmented, cue: Cue, end: int, w: _Where) -> bool:
    """A goal horizon: "phấn đấu đến năm 2025", "Đến năm 2020, dự kiến ...", a heading
    "Mục tiêu đến năm 2025"; not "từ năm 2015 đến năm 2020", not "phải đến năm 2023 mới"."""
    mt, ctx = seg.match_text, _context()
    if ctx["range"].search(mt, w.s_start, cue.start):
        return False
    if ctx["not_until"].search(mt, max(w.s_start, cue.start - 10), cue.start) or ctx["not_until_after"].match(mt, end):
        return False
    if _heading_has_goal(seg, cue.start):
        return True
    lo, hi = (cue.start, w.s_end) if w.framing else (w.c_start, w.after_end if w.opens_clause else cue.end)
    if not w.framing and not w.opens_clause:  # "đẩy mạnh công tác quy hoạch, luân chuyển ... đến năm 2020"
        lo = max(w.s_start, cue.start - ctx["before_chars"])
    if ctx["goal"].search(mt, lo, hi):
        return True
    if w.framing:  # "Đến năm 2010, Công ty ... thực hiện ..." tells a story
        return bool(ctx["future"].search(mt, lo, hi))
    return bool((w.opens_clause and ctx["future"].search(mt, end, w.after_end)) or ctx["task"].search(mt, lo, hi))


def _heading_has_goal(seg: Segmented, pos: int) -> bool:
    i = seg.block_at(pos)
    if i is None:
        return False
    goal = _context()["goal"]
    blocks = [seg.blocks[i]] + list(seg.ancestors(i))
    return any(b.is_heading and goal.search(seg.match_text, b.start, b.end) for b in blocks)


def _triggers(mt: str) -> list[tuple[int, int, frozenset]]:
    """(start, end, classes) of every ``trigger`` match, as ``trigger.finditer(mt)`` yields
    them. The regex scan tries its look-behind at every character of the text; the
    trigger words are rare, so their first syllables are found by ``str.find`` on the
    case-folded text and only those places are tried. A case-insensitive match of these
    letters is a match of their case folding (tested over every code point); when folding
    changes the length ("İ", "ß"), offsets would not agree and the text is scanned."""
    ctx = _context()
    low = case_folded(mt)
    if len(low) != len(mt):
        return [(m.start(), m.end(), _class_of(m.group())) for m in ctx["trigger"].finditer(mt)]
    places = []
    for key in ctx["trigger_keys"]:
        i = low.find(key)
        while i >= 0:
            places.append(i)
            i = low.find(key, i + 1)
    out: list[tuple[int, int, frozenset]] = []
    last = 0
    for i in sorted(places):
        if i < last:
            continue  # finditer goes on after the end of a match
        m = ctx["trigger"].match(mt, i)
        if m:
            out.append((i, m.end(), _class_of(m.group())))
            last = m.end()
    return out


def _class_of(word: str) -> frozenset:
    """The classes of the trigger words a matched text may be or hold: every key in it
    counts, so no class a recurring pattern looks for is left out."""
    low = word.casefold()
    return frozenset().union(*(names for key, names in _context()["trigger_keys"].items()
                               if key in low))


def _windows(mt: str) -> list[tuple[int, int, frozenset]]:
    """The stretches around trigger words where a recurring schedule can be, merged when
    they touch, each with the classes of the trigger words in it."""
    out: list[tuple[int, int, frozenset]] = []
    for s, e, names in _triggers(mt):
        a, b = max(0, s - 40), e + 60
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b), out[-1][2] | names)
        else:
            out.append((a, b, names))
    return out


def _recurring(seg: Segmented, found: list[Deadline]) -> list[Deadline]:
    """Schedules without a date: "định kỳ 6 tháng", "trước ngày 15 hằng tháng"."""
    mt = seg.match_text
    ctx = _context()
    taken = [(d.start, d.end) for d in found]
    out: list[Deadline] = []
    windows = _windows(mt)
    for (rule_id, rx), need in zip(ctx["recurring"], ctx["recurring_needs"]):
        # a schedule's {every} / {periodic} word is a trigger word in its own window, so a
        # window without the words the pattern needs holds no match of it
        spans = [(a, b) for a, b, names in windows if holds(need, names.__contains__)]
        for m in (m for a, b in spans for m in rx.finditer(mt, a, b)):
            if any(m.start() < e and s < m.end() for s, e in taken):
                continue
            sent = seg.sentence_at(m.start())
            lo = sent.start if sent else max(0, m.start() - 200)
            if ctx["past"].search(mt, _clause_start(mt, lo, m.start()), m.start()):
                continue
            taken.append((m.start(), m.end()))
            out.append(Deadline(start=m.start(), end=m.end(), text=seg.text[m.start():m.end()],
                                value=None, cue=seg.text[m.start():m.end()], recurring=True,
                                rule=rule_id))
    return out
