"""Vietnamese calendar expressions -> ISO 8601 strings.

The grammar lives in ``patterns/dates.yaml`` (templates over word lists); this module
compiles it once, scans a text with every rule, keeps the longest non-overlapping matches
and turns their named groups into ISO values. Year inference for "Ngày 15/3" needs the
document around it, so it is left to the caller: a match without a year has ``year_known``
False and its value is built later with :func:`iso`.

Public API::

    parse_date_expr("ngày 25 tháng 10 năm 2023")   -> "2023-10-25"
    parse_date_expr("quý I/2023")                   -> "2023-Q1"
    parse_date_expr("Ngày 15/3", year=2017)         -> "2017-03-15"
    find(text)                                      -> [TimeMatch, ...]
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass
from functools import lru_cache
from typing import Optional

import regex

from .. import patterns

_ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4}
_FLAGS = regex.V1


@dataclass
class TimeMatch:
    start: int
    end: int
    rule: str
    groups: dict
    role: Optional[str] = None       # fixed by the rule (e.g. period), else None
    needs_year: bool = False         # dropped when no year can be inferred

    @property
    def year_known(self) -> bool:
        return bool(self.groups.get("y"))

    def value(self, year: Optional[int] = None) -> Optional[str]:
        return iso(self.groups, year)


@dataclass
class _Rule:
    id: str
    rx: "regex.Pattern[str]"
    role: Optional[str]
    needs_year: bool
    head: Optional["regex.Pattern[str]"]  # head words taken into the text
    on_number: bool = False  # the template starts with {N0}: it can only match where one does


def _fill(template: str, table: dict) -> str:
    """Substitute {name} placeholders (words and parts); regex braces like {2,} stay."""
    def sub(m: "regex.Match[str]") -> str:
        key = m.group(1)
        return table[key] if key in table else m.group(0)
    return regex.sub(r"(?<!\\[pP])\{([A-Za-z_][A-Za-z_0-9]*)\}", sub, template)


def word_alternation(words) -> str:
    """Case-insensitive alternation, led by a lookahead on the first letters so the
    engine can skip ahead instead of trying every alternative at every position."""
    words = list(words)
    firsts = {c for w in words for c in (w[:1].lower(), w[:1].upper())}
    lead = "(?=[" + "".join(regex.escape(c) for c in sorted(firsts)) + "])"
    return lead + "(?i:" + patterns.alternation(words) + ")"


@lru_cache(maxsize=1)
def table() -> dict:
    """Placeholders of dates.yaml: word alternations (case-insensitive) and regex parts."""
    spec = patterns.load("dates")
    out = {name: word_alternation(str(w) for w in words) for name, words in spec["words"].items()}
    parts = spec["parts"]
    for _ in range(3):  # parts may refer to parts
        parts = {k: _fill(v, {**out, **parts}) for k, v in parts.items()}
    out.update(parts)
    out["MONTH_NAME"] = patterns.alternation(spec["month_names"])
    out["LUNAR_YEAR"] = (patterns.alternation(spec["lunar_stems"]) + r"\s+"
                         + patterns.alternation(spec["lunar_branches"]))
    return out


def compile_template(template: str) -> "regex.Pattern[str]":
    return regex.compile(_fill(template, table()), _FLAGS | regex.M)


@lru_cache(maxsize=1)
def _rules() -> tuple[_Rule, ...]:
    spec = patterns.load("dates")
    heads = {k: compile_template(v) for k, v in spec["heads"].items()}
    return tuple(
        _Rule(r["id"], compile_template(r["pattern"]), r.get("role"), bool(r.get("needs_year")),
              heads.get(r.get("head")), r["pattern"].startswith("{N0}"))
        for r in spec["rules"]
    )


@lru_cache(maxsize=1)
def _number_starts() -> "regex.Pattern[str]":
    """Where {N0} holds: the offsets every number-led rule may start at. One scan finds
    them, and each such rule is tried there only instead of searching the whole text."""
    return compile_template("{N0}")


@lru_cache(maxsize=4)
def _any_of(sources: tuple[str, ...]) -> "regex.Pattern[str]":
    """Several rules as one alternation: where it does not match, none of them does."""
    return regex.compile("|".join(f"(?:{s})" for s in sources), _FLAGS | regex.M)


def _rule_starts(text: str) -> list[int]:
    """Offsets where some number-led rule matches: most numbers ("3.000 người", "20%")
    then cost one call instead of one per rule."""
    gate = _any_of(tuple(r.rx.pattern for r in _rules() if r.on_number))
    return [m.start() for m in _number_starts().finditer(text) if gate.match(text, m.start())]


def _matches(rule: _Rule, text: str, starts: list[int]):
    """The matches ``rule.rx.finditer(text)`` yields: for a number-led rule, the first
    match at or after the end of the previous one is at one of ``starts``."""
    if not rule.on_number:
        yield from rule.rx.finditer(text)
        return
    pos = 0
    for c in starts:
        if c < pos:
            continue
        m = rule.rx.match(text, c)
        if m:
            yield m
            pos = m.end() if m.end() > m.start() else c + 1


@lru_cache(maxsize=1)
def _not_after() -> "regex.Pattern[str]":
    spec = patterns.load("dates")
    return compile_template("|".join(f"(?:{r['pattern']})" for r in spec["after_not_date"]))


def find(text: str) -> list[TimeMatch]:
    """Every calendar expression in ``text``, longest first on overlap, in text order."""
    cands: list[tuple[int, int, int, "regex.Match[str]", _Rule]] = []
    starts = _rule_starts(text)
    for order, rule in enumerate(_rules()):
        for m in _matches(rule, text, starts):
            if m.end() > m.start():
                cands.append((m.start(), m.end(), order, m, rule))
    cands.sort(key=lambda c: (-(c[1] - c[0]), c[2], c[0]))
    taken: list[tuple[int, int]] = []
    out: list[TimeMatch] = []
    bad_after = _not_after()
    for start, end, _order, m, rule in cands:
        if any(start < e and s < end for s, e in taken):
            continue
        groups = {k: v for k, v in m.groupdict().items() if v is not None}
        if not _valid(groups) or bad_after.match(text, end):
            continue
        taken.append((start, end))
        out.append(TimeMatch(_widen(text, m, rule), end, rule.id, groups, rule.role,
                             rule.needs_year))
    out.sort(key=lambda t: t.start)
    return out


def _widen(text: str, m: "regex.Match[str]", rule: _Rule) -> int:
    """Start of the item's text: groups seen in a lookbehind ("6 tháng"), else the head
    word right before ("ngày", "năm", "quý")."""
    start = min([m.start()] + [m.start(g) for g in m.groupdict() if m.start(g) >= 0])
    if start == m.start() and rule.head is not None:
        h = rule.head.search(text, max(0, start - 40), start)
        start = h.start() if h else start
    return start


def _valid(g: dict) -> bool:
    """Calendar checks the regex cannot make: day exists in month, intervals run forward."""
    try:
        y = int(g["y"]) if g.get("y") else 2000  # leap year: 29/2 allowed when year unknown
        if g.get("d") and g.get("m"):
            datetime.date(y, int(g["m"]), int(g["d"]))
        if g.get("d2"):
            m2 = int(g.get("m2") or g["m"])
            m1 = int(g.get("m") or m2)
            datetime.date(y, m2, int(g["d2"]))
            if (m2, int(g["d2"])) <= (m1, int(g["d"])):
                return False
        if g.get("y2") and int(g["y2"]) <= int(g["y"]):
            return False
    except (ValueError, KeyError):
        return False
    return True


def _months(g: dict) -> Optional[tuple[int, int]]:
    """First and last month of "6 tháng đầu năm" style spans."""
    words = table()
    n_text = (g.get("n") or "").lower()
    if n_text.isdigit():
        n = int(n_text)
    elif regex.fullmatch(words["half"], n_text) or regex.fullmatch(words["six_word"], n_text):
        n = 6
    else:
        return None
    first = bool(regex.fullmatch(words["first_part"], g.get("half", "")))
    return (1, n) if first else (13 - n, 12)


def iso(g: dict, year: Optional[int] = None) -> Optional[str]:
    """ISO 8601 value of a match's groups; ``year`` fills a missing year."""
    y = g.get("y") or (str(year) if year else None)
    if g.get("y2"):
        return f"{g['y']}/{g['y2']}"
    if g.get("q"):
        q = _ROMAN.get(g["q"].upper()) or int(g["q"])
        return f"{y}-Q{q}" if y else None
    if g.get("half"):
        span = _months(g)
        if not y or span is None:
            return None
        a, b = span
        if (a, b) in ((1, 6), (7, 12)):
            return f"{y}-H{1 if a == 1 else 2}"
        if (a, b) in ((1, 3), (10, 12)):
            return f"{y}-Q{1 if a == 1 else 4}"
        if a == 1:  # "4 tháng đầu năm 2017": the year up to its last month, as the gold marks it
            return f"{y}-{b:02d}"
        return f"{y}-{a:02d}/{y}-{b:02d}"
    if g.get("mn"):
        g = {**g, "m": str(_month_number(g["mn"]))}
    if g.get("m") or g.get("m2"):
        m = int(g.get("m") or g["m2"])
        prefix = f"{y}-" if y else "--"
        if g.get("d") and g.get("d2"):
            m2 = int(g.get("m2") or m)
            if not y:
                return None
            return f"{y}-{m:02d}-{int(g['d']):02d}/{y}-{m2:02d}-{int(g['d2']):02d}"
        if g.get("d"):
            return f"{prefix}{m:02d}-{int(g['d']):02d}"
        return f"{prefix}{m:02d}"
    return y


def _month_number(name: str) -> int:
    names = [regex.sub(r"\s+", " ", n) for n in patterns.load("dates")["month_names"]]
    return names.index(regex.sub(r"\s+", " ", name)) + 1


def parse_date_expr(text: str, year: Optional[int] = None) -> Optional[str]:
    """ISO value of the first calendar expression in ``text`` (``year`` for yearless ones)."""
    found = find(text)
    if not found:
        return None
    return found[0].value(year)
