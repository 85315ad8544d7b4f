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
    lead: Optional[str] = None  # the part its first number is: "{N0}(?<=...)(?P<y>{Y})" -> "Y"


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
              heads.get(r.get("head")), r["pattern"].startswith("{N0}"), _lead(r["pattern"]))
        for r in spec["rules"]
    )


_LEAD_GROUP = regex.compile(r"\(\?P<\w+>\{([A-Za-z_][A-Za-z_0-9]*)\}\)")


def _lead(template: str) -> Optional[str]:
    """The part a number-led rule's match starts with: after {N0} only look-arounds (they
    take no text) come before a group that is just that part. None when it is not so."""
    if not template.startswith("{N0}"):
        return None
    i = len("{N0}")
    while template.startswith(("(?<=", "(?<!", "(?=", "(?!"), i):
        _, i = _needs_item(template, i, set())
    m = _LEAD_GROUP.match(template, i)
    return m.group(1) if m and m.group(1) in patterns.load("dates")["parts"] else None


@dataclass(frozen=True)
class _NumberRules:
    """The number-led rules as alternations. ``gate`` finds, in one overlapped scan, every
    number where some rule matches (it has no groups: groups slow every attempt down, and
    most numbers match no rule). ``first`` names each rule by a group and is tried only
    where the gate matched: an alternation reports its first matching branch, so it gives
    the first rule matching there; ``after[k]`` then says whether a later one does."""
    rules: tuple[_Rule, ...]
    gate: "regex.Pattern[str]"
    first: "regex.Pattern[str]"
    groups: tuple[int, ...]  # the group naming each rule in ``first``
    # the rules after the k-th as one alternation (None after the last one); compiled with
    # the rest (about 20 ms each), not on first use in the middle of a run
    after: tuple[Optional["regex.Pattern[str]"], ...]


def _guarded_gate(rules) -> "regex.Pattern[str]":
    """Matches where the plain alternation of the rules does, written so that less is
    tried: {N0}, which every rule starts with, once; and the rules grouped by their lead
    part behind a look-ahead on it (a rule whose first number is a year cannot match at
    "150 người")."""
    parts = table()
    n0 = parts["N0"]
    leads: dict[Optional[str], list[str]] = {}
    for r in rules:
        assert r.rx.pattern.startswith(n0), r.id
        leads.setdefault(r.lead, []).append(f"(?:{_behind_last(r.rx.pattern[len(n0):])})")
    branches = [f"(?={parts[lead]})(?:{'|'.join(srcs)})" if lead else "|".join(srcs)
                for lead, srcs in leads.items()]
    return regex.compile(n0 + "(?:" + "|".join(branches) + ")", _FLAGS | regex.M)


def _behind_last(src: str) -> str:
    """``(?<=X)R`` as ``(?=R)(?<=X)`` when X may end in nothing before the number ("Sáng
    15/3", "thứ Ba (31/1)": blanks, a comma and a bracket are all optional): such a
    look-behind is tried backwards at every number, while R fails at once on most. Both
    hold at the same places, and where is all the gate tells; a back-reference could
    tie R to a group in X, so then the rule is left as written."""
    if not src.startswith("(?<=") or "(?P=" in src:
        return src
    _, j = _needs_item(src, 0, set())
    if not _ends_optional(src[len("(?<="):j - 1]):
        return src
    return f"(?={src[j:]}){src[:j]}"


def _ends_optional(t: str) -> bool:
    """Whether the last part of a pattern may match nothing (an alternation counts)."""
    i, optional = 0, True
    while i < len(t):
        if t[i] == "|":
            return True
        _, i = _needs_item(t, i, set())
        optional, i = _quantifier(t, i)
    return optional


@lru_cache(maxsize=1)
def _number_rules() -> _NumberRules:
    rules = tuple(r for r in _rules() if r.on_number)
    first = regex.compile("|".join(f"(?P<_r{k}>{r.rx.pattern})" for k, r in enumerate(rules)),
                          _FLAGS | regex.M)
    return _NumberRules(rules, _guarded_gate(rules), first,
                        tuple(first.groupindex[f"_r{k}"] for k in range(len(rules))),
                        tuple(_guarded_gate(rules[k + 1:]) if k + 1 < len(rules) else None
                              for k in range(len(rules))))


def _which(m: "regex.Match[str]", groups: tuple[int, ...]) -> int:
    """The rule whose group took part in the match (the other branches did not match)."""
    spans = m.regs
    return next(k for k, g in enumerate(groups) if spans[g][0] >= 0)


def _rules_at(nr: _NumberRules, text: str, c: int) -> list[int]:
    """Indexes (in ``nr.rules``) of the number-led rules matching at ``c``, where one
    does, in rule order. Nearly always one rule matches, and one call of the later rules'
    gate says so; otherwise the later rules are tried one by one."""
    k = _which(nr.first.match(text, c), nr.groups)
    found = [k]
    later = nr.after[k]
    if later is not None and later.match(text, c):
        found += [j for j in range(k + 1, len(nr.rules)) if nr.rules[j].rx.match(text, c)]
    return found


def _number_matches(text: str):
    """(rule, match) for every number-led rule: the matches ``rule.rx.finditer(text)``
    yields, since the first match at or after the end of the previous one starts where the
    gate matches (every rule starts with {N0}, so only numbers are tried)."""
    nr = _number_rules()
    pos = [0] * len(nr.rules)
    for g in nr.gate.finditer(text, overlapped=True):
        c = g.start()
        for k in _rules_at(nr, text, c):
            if c < pos[k]:
                continue
            m = nr.rules[k].rx.match(text, c)
            yield nr.rules[k], m
            pos[k] = m.end() if m.end() > m.start() else c + 1


# ---- words a whole-text rule needs ----------------------------------------------------

def _needs(template: str, words) -> object:
    """What words a match of ``template`` must contain, as a tree: a word name, True
    (nothing known), ("all", [...]) or ("any", [...]). Read off the template: a {word}
    placeholder counts unless it sits in an optional or negative part or in one branch
    of an alternation (then the branches make an "any"). Whatever is not understood
    counts as True, so a rule is at worst searched for nothing."""
    tree, _ = _needs_alt(template, 0, set(words))
    return tree


def _needs_alt(t: str, i: int, words: set):
    branches: list[list] = [[]]
    while i < len(t) and t[i] != ")":
        if t[i] == "|":
            branches.append([])
            i += 1
            continue
        item, i = _needs_item(t, i, words)
        optional, i = _quantifier(t, i)
        branches[-1].append(True if optional else item)
    alts = [_all(b) for b in branches]
    return (True if True in alts else alts[0] if len(alts) == 1 else ("any", alts)), i


def _all(items: list):
    items = [x for x in items if x is not True]
    return True if not items else items[0] if len(items) == 1 else ("all", items)


_PLACEHOLDER = regex.compile(r"\{([A-Za-z_][A-Za-z_0-9]*)\}")
_GROUP_HEAD = regex.compile(r"\(\?(?:P<\w+>|<=|<!|=|!|:|[a-zA-Z-]+:)?")


def _needs_item(t: str, i: int, words: set):
    """One atom of the template at ``i``: its needs and the offset after it."""
    c = t[i]
    if c == "\\":  # an escape; \p{L} style classes carry their braces
        if t[i + 1:i + 3] in ("p{", "P{"):
            return True, t.index("}", i) + 1
        return True, i + 2
    if c == "[":
        j = i + 1 + (t[i + 1] == "^")
        j += t[j] == "]"
        while t[j] != "]":
            j += 2 if t[j] == "\\" else 1
        return True, j + 1
    if c == "(":
        if t.startswith("(?P=", i):  # a back-reference
            return True, t.index(")", i) + 1
        head = _GROUP_HEAD.match(t, i).group()
        inner, j = _needs_alt(t, i + len(head), words)
        # a plain, named or positive look-around group must match; negative ones must not,
        # and under a flag (?i:...) a word may match more than it does on its own
        kept = head in ("(", "(?:", "(?=", "(?<=") or head.startswith("(?P<")
        return (inner if kept else True), j + 1
    m = _PLACEHOLDER.match(t, i)
    if m:
        return (m.group(1) if m.group(1) in words else True), m.end()
    return True, i + 1


_QUANT = regex.compile(r"(?:[?*+]|\{\d*(?:,\d*)?\})[?+]?")


def _quantifier(t: str, i: int) -> tuple[bool, int]:
    """Whether a quantifier at ``i`` lets the atom before it match nothing."""
    m = _QUANT.match(t, i)
    if not m:
        return False, i
    q = m.group()
    optional = q[0] in "?*" or (q[0] == "{" and q[1] in "0,")
    return optional, m.end()


def _holds(tree, has) -> bool:
    if tree is True:
        return True
    if isinstance(tree, str):
        return has(tree)
    kind, parts = tree
    return (all if kind == "all" else any)(_holds(p, has) for p in parts)


# what a template needs and whether it holds, for other pattern tables built the same way
needs = _needs
holds = _holds


@lru_cache(maxsize=1)
def _text_rules() -> tuple[tuple[_Rule, object], ...]:
    """The rules not led by a number, each with the words it needs."""
    spec = patterns.load("dates")
    needs = {r["id"]: _needs(r["pattern"], spec["words"]) for r in spec["rules"]}
    return tuple((r, needs[r.id]) for r in _rules() if not r.on_number)


@lru_cache(maxsize=None)
def _word_rx(name: str) -> "regex.Pattern[str]":
    return compile_template("{" + name + "}")


@lru_cache(maxsize=2)
def case_folded(text: str) -> str:
    """``text.casefold()`` (what a case-insensitive match compares: "ſ" is "s"), kept for
    the next caller: the dates and the deadlines extractors both look for words in the
    same text."""
    return text.casefold()


@lru_cache(maxsize=None)
def word_keys(name: str) -> tuple[str, ...]:
    """The case-folded first syllables of a word list: a text whose case folding holds
    none of them holds none of the words, in any case (each letter of them matches,
    case-insensitively, only characters folding to it or to more than one character)."""
    return tuple(sorted({str(w).split()[0].casefold() for w in patterns.load("dates")["words"][name]}))


def _text_matches(text: str):
    """(rule, match) for every rule not led by a number, searched over the whole text only
    when the text holds the words the rule needs (one search per word, shared by the
    rules): "quý I/2023" cannot match in an article without "quý". A word is first looked
    for by ``str.find`` in the case-folded text: a regex search for a missing word reads
    the whole text."""
    seen: dict[str, bool] = {}
    low = case_folded(text)
    exact_case = len(low) == len(text)  # else a letter folded to several: ask the regex

    def has(name: str) -> bool:
        if name not in seen:
            if exact_case and not any(k in low for k in word_keys(name)):
                seen[name] = False
            else:
                seen[name] = _word_rx(name).search(text) is not None
        return seen[name]

    for rule, needs in _text_rules():
        if _holds(needs, has):
            for m in rule.rx.finditer(text):
                yield rule, m


def scan(text: str):
    """(rule, match) for every match of every rule, as each rule's own
    ``rule.rx.finditer(text)`` yields them, in no particular order."""
    yield from _number_matches(text)
    yield from _text_matches(text)


@lru_cache(maxsize=1)
def _not_after() -> "regex.Pattern[str]":
    spec = patterns.load("dates")
    return compile_template("|".join(f"(?:{r['pattern']})" for r in spec["after_not_date"]))


@lru_cache(maxsize=1)
def _rule_order() -> dict[str, int]:
    """A rule's place in dates.yaml: the earlier rule wins between equally long matches."""
    return {r.id: k for k, r in enumerate(_rules())}


def find(text: str) -> list[TimeMatch]:
    """Every calendar expression in ``text``, longest first on overlap, in text order."""
    cands: list[tuple[int, int, int, "regex.Match[str]", _Rule]] = []
    order = _rule_order()
    for rule, m in scan(text):
        if m.end() > m.start():
            cands.append((m.start(), m.end(), order[rule.id], m, rule))
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
