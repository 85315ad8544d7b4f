"""Numeric targets (goals) and reported results: one item per figure with a unit.

A figure is found by a regex built from the unit table (patterns/targets.yaml). Its
meaning comes from the words around it:

* comparator and direction from the words just before it ("xuống dưới 15%", "trên 30%");
* status from the nearest cue ("phấn đấu", "đặt mục tiêu" vs "đã", "so với cùng kỳ"),
  first in its clause, then in its sentence, then its section (muc_tieu / ket_qua), then
  the document type: a plan's unmarked figures are goals, a report's are results. A
  forecast ("theo dự báo ... sẽ") is neither and is dropped;
* year from the sentence ("đến năm 2025") or the enclosing heading ("Mục tiêu đến năm 2025");
* indicator from the clause: after the figure when it leads ("100% trạm y tế có ..."),
  before it otherwise ("Tỷ lệ nhiễm HIV/AIDS dưới 0,38%"), completed from the previous
  figure when elided ("...tuyến huyện đạt trên 85%; tuyến xã đạt 75%").

A goal restated later (a headline and its body) stays one item, at its first mention.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable, Optional

import regex
from rapidfuzz import fuzz

from .. import patterns
from ..model import Document, Target
from ..segment import Segmented
from ._numbers import NUMBER, NUMBER_AFTER_SEP, RANGE_SEP, parse_number

_F = regex.I  # simple case folding: Vietnamese needs no more, and it is much faster
_WORD_END = r"(?![\p{L}\p{N}])"
_WORD_START = r"(?<![\p{L}\p{N}])"
_SPACES = regex.compile(r"\s+")
_WORDS = regex.compile(r"[\p{L}\p{N}]+")


def _squash(s: str) -> str:
    return _SPACES.sub(" ", s)


# ---- rules, compiled once -------------------------------------------------------------

@dataclass
class _Rules:
    candidate: "regex.Pattern[str]"
    units: list[dict]
    unit_groups: list[int]  # the candidate's group number of each unit rule
    lead_tail: "regex.Pattern[str]"
    lead_last: Optional["regex.Pattern[str]"]  # the last word of any lead-in, see _last_words_re
    lead_outside: Optional["regex.Pattern[str]"]  # see _outside_words_re
    lead_word: Optional["regex.Pattern[str]"]  # any word of a lead-in, when lead_outside is set
    comparators: list[tuple["regex.Pattern[str]", str, dict]]
    after_ops: dict[str, tuple[str, str]]
    directions: "regex.Pattern[str]"
    direction_of: dict[str, tuple[str, str]]
    direction_text_re: Optional["re.Pattern[str]"]  # any direction word, as plain lower-case text
    cues: "regex.Pattern[str]"
    cue_text_re: Optional["re.Pattern[str]"]  # any word cue, as plain lower-case text
    goal_text_re: Optional["re.Pattern[str]"]  # see _goal_words_re
    year_digits: Optional["regex.Pattern[str]"]  # four digits, when every year rule needs them
    goal_places: dict[str, tuple[Optional["re.Pattern[str]"], bool]]  # see _goal_places
    cue_kind: dict[str, tuple[str, str]]
    cue_flags: dict[str, dict]
    cue_regexes: list[tuple["regex.Pattern[str]", str, str]]
    past_year: "regex.Pattern[str]"
    result_after: "regex.Pattern[str]"
    horizon: list["regex.Pattern[str]"]
    years_horizon: list["regex.Pattern[str]"]
    years_plain: list["regex.Pattern[str]"]
    year_range: tuple[int, int]
    this_year: "regex.Pattern[str]"
    horizon_after_stop: "regex.Pattern[str]"
    baseline: "regex.Pattern[str]"
    strip_lead: "regex.Pattern[str]"
    strip_tail: "regex.Pattern[str]"
    indicator_scope: "regex.Pattern[str]"
    plan_title: "regex.Pattern[str]"
    plan_types: frozenset
    target_sections: frozenset
    result_sections: frozenset
    maintain_op: str
    clause_cut: "regex.Pattern[str]"
    clause_cores: tuple[list[str], list["regex.Pattern[str]"]]  # see _cores
    post_stop: "regex.Pattern[str]"
    full_date: list["regex.Pattern[str]"]
    full_date_places: list[Optional["re.Pattern[str]"]]  # see _head_places
    plain_year: "regex.Pattern[str]"
    plain_year_places: Optional["re.Pattern[str]"]
    plain_year_not_after: "regex.Pattern[str]"


def _words_re(words) -> str:
    return _WORD_START + patterns.alternation(words) + _WORD_END


def _candidate_re(y: dict) -> "regex.Pattern[str]":
    """number [range] unit [trở lên]: one named group per unit rule. The units are tried
    only at a character one of them can start with (see ``_first_chars``): a quarter of
    the numbers are followed by none, and trying each of some sixty units after every
    number is most of the cost of the scan."""
    units = "|".join(f"(?P<u{i}>" + "|".join(u["match"]) + ")" for i, u in enumerate(y["units"]))
    firsts = _first_chars(units)
    if firsts:
        units = "(?=[" + "".join(regex.escape(ch) for ch in sorted(firsts)) + "])(?:" + units + ")"
    after = "|".join(patterns.alternation(c["words"]) for c in y["comparators"]["after"])
    return regex.compile(
        r"(?P<num>" + NUMBER + r")(?:\s*%?" + RANGE_SEP + r"(?P<num2>" + NUMBER_AFTER_SEP + r"))?"
        r"\s*(?P<unit>" + units + r")" + _WORD_END + r"(?P<after>\s+(?:" + after + r")" + _WORD_END + r")?", _F)


def _first_chars(src: str) -> Optional[set[str]]:
    """The characters a match of the regex ``src`` can start with (see ``_heads``)."""
    heads = _heads(src)
    return {h[0] for h in heads} if heads else None


def _heads(src: str) -> Optional[list[str]]:
    """Plain text one of which starts every match of the regex ``src``: the head of each
    branch, or of each branch of a group it opens with ("ha", "(?:nghìn|ngàn)\\s+tỷ" ->
    "ha", "nghìn", "ngàn"); None when a branch may start otherwise (a class, an escape, an
    optional first part)."""
    heads: list[str] = []
    for branch in _branches(src):
        if branch.startswith(("(?:", "(?P<")):
            close = _group_end(branch)
            if close is None or branch[close + 1:close + 2] in ("?", "*", "{"):
                return None
            inner = _heads(branch[branch.index(">") + 1 if branch[2] == "P" else 3:close])
        else:
            head = _plain_head(branch)
            inner = [head] if head else None
        if not inner:
            return None
        heads += inner
    return heads


def _head_places(src: str) -> Optional["re.Pattern[str]"]:
    """Where a match of ``src`` may start, as plain lower-case text (``_words_text_re`` of
    its heads), for ``_found_words``; None when that cannot be told, or when there is one
    head ("ngày"): the regex module finds a single one by itself, faster."""
    heads = _heads(src)
    return _words_text_re([h.lower() for h in heads]) if heads and len(heads) > 1 else None


def _branches(src: str) -> list[str]:
    """``src`` split at its top-level "|"."""
    out, depth, start = [], 0, 0
    for i, ch in _syntax(src):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            out.append(src[start:i])
            start = i + 1
    out.append(src[start:])
    return out


def _group_end(src: str) -> Optional[int]:
    """Where the group opening ``src`` closes."""
    depth = 0
    for i, ch in _syntax(src):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                return i
    return None


def _syntax(src: str):
    """(offset, character) of each character of a regex that is neither escaped nor in a
    class ("[IV]"), where "(", ")" and "|" are grouping."""
    i = 0
    while i < len(src):
        ch = src[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "[":
            i = _class_end(src, i) + 1
            continue
        yield i, ch
        i += 1


def _class_end(src: str, i: int) -> int:
    """The "]" closing the class opened at ``src[i]`` ("]" first in it is a member)."""
    j = i + 1
    if src[j:j + 1] == "^":
        j += 1
    if src[j:j + 1] == "]":
        j += 1
    while j < len(src) and src[j] != "]":
        j += 2 if src[j] == "\\" else 1
    return j


def _comparator_rules(y: dict):
    lead_words = [w for r in y["lead_in"] for w in r["words"]]
    cmp_rules = []
    for c in y["comparators"]["before"]:
        lead_words += c["words"]
        cmp_rules.append((regex.compile(_words_re(c["words"]), _F), c["op"], c))
    # "trở lên đạt trên 30%": the "lên" of "trở lên" closes the indicator, it is no lead-in
    lead_tail = regex.compile(r"(?:" + _WORD_START + r"(?<!trở\s+)" + patterns.alternation(lead_words) + r"\s*)+$", _F)
    after_ops = {_squash(w.lower()): (c["op"], c["id"]) for c in y["comparators"]["after"] for w in c["words"]}
    outside = _outside_words_re(lead_words)
    words = None  # any one word of a lead-in, for _past_other_words
    if outside is not None:
        words = regex.compile(patterns.alternation({t for w in lead_words for t in w.split()}), _F)
    return lead_tail, _last_words_re(lead_words), outside, words, cmp_rules, after_ops


def _last_words_re(words: list[str]) -> Optional["regex.Pattern[str]"]:
    """The last word of each lead-in, to be matched whole against the last run of
    letters before a figure: ``lead_tail`` ends with a lead-in, blanks and the end, so it
    cannot match unless that run is one of them. None when a last word is not all letters
    (the run would then not be where the lead-in's last word starts)."""
    last = {w.split()[-1] for w in words}
    if not all(w.isalpha() for w in last):
        return None
    return regex.compile(patterns.alternation(sorted(last)), _F)


def _outside_words_re(words: list[str]) -> Optional["regex.Pattern[str]"]:
    """Searched backwards, the last character that is neither a letter nor a blank: a run of
    lead-ins (letters, matched in any case, and blanks) cannot reach back over it, so the
    search for where the run starts may begin after it. None when a lead-in holds another
    character."""
    if not all(ch.isalpha() or ch == " " for w in words for ch in w):
        return None
    return regex.compile(r"[^\p{L}\s]", regex.REVERSE)


def _direction_rules(y: dict):
    direction_of = {w.lower(): (d["value"], d["id"]) for d in y["directions"] for w in d["words"]}
    # the word-start test first: it fails inside words, before the "trở" lookbehind is tried
    rx = _WORD_START + r"(?<!trở\s)" + patterns.alternation(list(direction_of)) + _WORD_END
    return regex.compile(rx, _F), direction_of


def _cue_rules(y: dict):
    """Word cues (one alternation), phrase cues (regexes), and each rule's flags."""
    st = y["status"]
    cue_kind, cue_flags, cue_regexes, words = {}, {}, [], []
    for kind, key in (("target", "target_cues"), ("result", "result_cues"),
                      ("forecast", "forecast_cues"), ("neutral", "neutral_cues")):
        for c in st.get(key, []):
            cue_flags[c["id"]] = c
            if "match" in c:
                cue_regexes.append((regex.compile(c["match"], _F), kind, c["id"]))
                continue
            for w in c["words"]:
                cue_kind[_squash(w.lower())] = (kind, c["id"])
                words.append(w)
    for c in [st["past_year"], *st["result_after"]]:
        cue_flags[c["id"]] = c
    result_after = regex.compile(r"\s*[,(]?\s*(?:" + "|".join(m for r in st["result_after"] for m in r["match"]) + ")", _F)
    return regex.compile(_words_re(words), _F), cue_kind, cue_flags, cue_regexes, result_after


def _words_text_re(words) -> Optional["re.Pattern[str]"]:
    """Where one of ``words`` (lower case) may start, as plain text with a blank for any run
    of blanks: on lower-cased text the stdlib engine finds those few places much faster
    than a ``regex`` alternation of the words tries every position, and the alternation then
    confirms each. The stdlib ``\\s`` takes every blank the ``regex`` one does. None when a
    word has a letter whose lower case is not its case fold."""
    words = list(words)
    if not words or any(not w.strip() or w != w.casefold() for w in words):
        return None
    return re.compile(_trie(words))


def _trie(words: list[str]) -> str:
    """The words as one regex sharing their common beginnings ("(?:c(?:hỉ|ó)|đ...)"): the
    engine then reads each character once instead of trying every word in turn. A word
    that ends where a longer one goes on stands for both: only the start matters."""
    root: dict = {}
    for w in words:
        node = root
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}  # a word ends here

    def pattern(node: dict) -> str:
        if "" in node:
            return ""
        alts = [(r"\s+" if ch == " " else re.escape(ch)) + pattern(child) for ch, child in sorted(node.items())]
        return alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"

    return pattern(root)


def _goal_words_re(cue_kind: dict, cue_regexes: list) -> Optional["re.Pattern[str]"]:
    """The goal word cues as plain lower-case text (``_words_text_re``): a sentence without
    them (and without a year) holds no goal cue. None when a phrase cue names a goal, or
    the words cannot be found so."""
    if any(kind == "target" for _, kind, _ in cue_regexes):
        return None
    return _words_text_re([w for w, (kind, _) in cue_kind.items() if kind == "target"])


def _year_digits(rules: list["regex.Pattern[str]"]) -> Optional["regex.Pattern[str]"]:
    """Four digits in a row, when each year rule has the one group ``(\\d{4})`` (its year,
    read with int() and kept only within the year range): without them in a span no year
    rule can match there. None when a rule is written otherwise."""
    if all(rx.groups == 1 and r"(\d{4})" in rx.pattern for rx in rules):
        return regex.compile(r"\d{4}")
    return None


def _goal_places(units: list[dict], cue_flags: dict) -> dict[str, tuple[Optional["re.Pattern[str]"], bool]]:
    """For each unit rule kept only under some goal cues (``goal_cues`` and
    ``goal_cues_with_verb``): the text of those word cues (``_words_text_re``; None if
    there are none) and whether a horizon ("đến năm 2025") is one. A rule naming any other
    cue, or a cue that is not a list of words, gets no entry: its figures are always read."""
    out = {}
    for u in units:
        if u.get("goal_cues") is None:
            continue
        ids = set(u["goal_cues"]) | set(u.get("goal_cues_with_verb", []))
        horizon = "st.horizon" in ids
        rules = [cue_flags.get(i) for i in ids - {"st.horizon"}]
        if any(c is None or "words" not in c for c in rules):
            continue
        words = {_squash(w.lower()) for c in rules for w in c["words"]}
        places = _words_text_re(words) if words else None
        if words and places is None:
            continue
        out[u["id"]] = (places, horizon)
    return out


def _cores(alternatives: list[str]) -> tuple[list[str], list["regex.Pattern[str]"]]:
    """What a match of each alternative must hold: its part from the first letter on when
    everything before may match nothing (",?\\s*" before "trong\\s+đó"), else all of it. A
    core that starts with a plain character is found by the regex module's fast string
    search, while an alternation that may start with a blank or a comma is tried at every
    position, some forty times slower: a span without a core holds no match. A core that
    starts with characters without case (";", ":" of ":\\s") needs only those, found by
    str.find; the others are kept as regexes."""
    texts, rxs = [], []
    for a in alternatives:
        core = _core(a)
        head = _plain_head(core)
        if head and head.lower() == head.upper():
            texts.append(head)
        else:
            rxs.append(regex.compile(core, _F))
    return texts, rxs


def _core(a: str) -> str:
    """``a`` from its first letter on, when what comes before is a whole regex with no "|"
    that may match nothing; else all of ``a``."""
    for j, ch in enumerate(a):
        lead = a[:j]
        if ch.isalpha() and "|" not in lead and _matches_nothing(lead) and _compiles(a[j:]):
            return a[j:]
    return a


_SPECIAL = set("\\.^$*+?{}[]()|")


def _plain_head(src: str) -> str:
    """The characters a regex starts with that match only themselves: "" for "(?:a|b)",
    ":" for ":\\s", "t" for "tr?"."""
    i = 0
    while i < len(src) and src[i] not in _SPECIAL:
        i += 1
    if i < len(src) and src[i] in "?*{":
        i -= 1  # the last one may be left out or repeated
    return src[:max(i, 0)] if len(_branches(src)) == 1 else ""


def _matches_nothing(src: str) -> bool:
    """True for a complete regex that may match the empty string."""
    try:
        return regex.fullmatch(src, "", _F) is not None
    except regex.error:
        return False


def _compiles(src: str) -> bool:
    try:
        regex.compile(src, _F)
    except regex.error:
        return False
    return True


@lru_cache(maxsize=1)
def _rules() -> _Rules:
    y = patterns.load("targets")
    lead_tail, lead_last, lead_outside, lead_word, cmp_rules, after_ops = _comparator_rules(y)
    directions, direction_of = _direction_rules(y)
    cues, cue_kind, cue_flags, cue_regexes, result_after = _cue_rules(y)
    strip_lead = r"^(?:[\s,.:;\-–()]+|(?:" + "|".join(y["indicator_strip"]) + r")" + _WORD_END + r")"
    past_year = regex.compile(y["status"]["past_year"]["match"], _F)
    horizon = [regex.compile(h, _F) for h in y["status"]["horizon"]]
    years_horizon = [regex.compile(h["match"], _F) for h in y["year"]["horizon"] if not h.get("plain")]
    years_plain = [regex.compile(h["match"], _F) for h in y["year"]["horizon"] if h.get("plain")]
    candidate = _candidate_re(y)
    return _Rules(
        candidate=candidate, units=y["units"],
        unit_groups=[candidate.groupindex[f"u{i}"] for i in range(len(y["units"]))],
        lead_tail=lead_tail, lead_last=lead_last, lead_outside=lead_outside, lead_word=lead_word,
        comparators=cmp_rules, after_ops=after_ops, directions=directions, direction_of=direction_of,
        direction_text_re=_words_text_re(direction_of),
        cues=cues, cue_text_re=_words_text_re(cue_kind), cue_kind=cue_kind,
        goal_text_re=_goal_words_re(cue_kind, cue_regexes),
        cue_flags=cue_flags, cue_regexes=cue_regexes, result_after=result_after,
        past_year=past_year, horizon=horizon, years_horizon=years_horizon, years_plain=years_plain,
        year_digits=_year_digits([past_year, *horizon, *years_horizon, *years_plain]),
        goal_places=_goal_places(y["units"], cue_flags),
        year_range=tuple(y["year"]["range"]),
        this_year=regex.compile(y["year"]["this_year"], _F),
        horizon_after_stop=regex.compile(y["status"]["horizon_after_stop"], _F),
        baseline=regex.compile(r"\s*(?:" + "|".join(y["baseline_then"]) + r")\s+(?:mức\s+)?" + NUMBER_AFTER_SEP, _F),
        strip_lead=regex.compile(strip_lead, _F),
        indicator_scope=regex.compile("(?:" + "|".join(y["indicator_scope"]) + ")", _F),
        strip_tail=regex.compile(r"(?:\s+(?:" + "|".join(y["indicator_strip_tail"]) + r"))+\s*$", _F),
        plan_title=regex.compile(r"^\s*\**\s*(?:" + "|".join(y["doc_types"]["plan_titles"]) + r")\s*\**\s*$",
                                 regex.V1 | regex.M),
        plan_types=frozenset(y["doc_types"]["plan"]),
        target_sections=frozenset(y["status"]["target_sections"]),
        result_sections=frozenset(y["status"]["result_sections"]),
        maintain_op=y["comparators"]["maintain_op"],
        clause_cut=regex.compile("|".join(y["clause_cut"]), _F),
        clause_cores=_cores(y["clause_cut"]),
        post_stop=regex.compile(r"\s*(?:" + "|".join(y["post_stop"]) + ")", _F),
        full_date=[regex.compile(x, _F) for x in y["doc_year"]["full_date"]],
        full_date_places=[_head_places(x) for x in y["doc_year"]["full_date"]],
        plain_year=regex.compile(y["doc_year"]["plain_year"], _F),
        plain_year_places=_head_places(y["doc_year"]["plain_year"]),
        plain_year_not_after=regex.compile(y["doc_year"]["not_after"], _F),
    )


# ---- document context -----------------------------------------------------------------

def _doc_year(doc: Document, text: str, r: _Rules) -> Optional[int]:
    """The document's own year (issue, else publication, else its latest full date): a
    horizon after it is a goal, one before it is history."""
    if doc.issue_date and doc.issue_date[:4].isdigit():
        return int(doc.issue_date[:4])
    for d in doc.dates:
        if d.role in ("issue", "publication") and d.value and d.value[:4].isdigit():
            return int(d.value[:4])
    # a date rule that opens with one of several words ("năm", "tháng", "quý") is tried only
    # after those: run over the whole text, it would try every position
    years = [int(m.group(1)) for rx, places in zip(r.full_date, r.full_date_places)
             for m in _found_words(rx, places, text, 0, len(text))]
    if years:
        return max(years)
    # a news page without dates: the latest year it speaks of as a time, not a horizon
    plain = [int(m.group(1)) for m in _found_words(r.plain_year, r.plain_year_places, text, 0, len(text))
             if not r.plain_year_not_after.search(text, max(0, m.start() - 20), m.start())]
    return max(plain) if plain else None


def _is_plan(doc: Document, seg: Segmented, r: _Rules) -> bool:
    if doc.doc_type in r.plan_types:
        return True
    if doc.doc_type not in (None, "", "khac"):
        return False
    return bool(r.plan_title.search(seg.text[:1500]))


# ---- per-figure readings --------------------------------------------------------------

def _unit(m, r: _Rules, text: str) -> tuple[str, dict]:
    """The unit rule whose group matched (the first, as the alternation tries them in
    order), read from one tuple of every group rather than a lookup by name per rule."""
    groups = m.groups()
    for u, g in zip(r.units, r.unit_groups):
        if groups[g - 1] is not None:
            return u.get("unit") or _squash(text[m.start(g):m.end(g)]), u
    raise AssertionError("unit group missing")


def _lead_start(prefix: str, r: _Rules) -> int:
    """Offset in ``prefix`` where the lead-in words ("đạt trên", "xuống dưới") begin."""
    if r.lead_last is not None and not r.lead_last.fullmatch(_last_letters(prefix)):
        return len(prefix)  # most figures follow a word that ends no lead-in ("năm", "có")
    lo = max(0, len(prefix) - 80)  # lead-ins are short; do not rescan long sentences
    if r.lead_outside is not None:
        stop = r.lead_outside.search(prefix, lo)
        lo = _past_other_words(prefix, stop.end() if stop else lo, r)
    m = r.lead_tail.search(prefix, lo)
    return m.start() if m else len(prefix)


_WORDS_BACK = regex.compile(r"\p{L}+", regex.REVERSE)


def _past_other_words(prefix: str, lo: int, r: _Rules) -> int:
    """Where the search for the lead-ins may begin: after ``lo`` there are only letters and
    blanks, so a run of lead-ins reaching the end is a run of whole words, each a word of
    some lead-in; it starts after the last word (from the end) that is none."""
    for w in _WORDS_BACK.finditer(prefix, lo):
        if not r.lead_word.fullmatch(w.group()):
            return w.end()
    return lo


def _last_letters(s: str) -> str:
    """The run of letters ending ``s``, trailing blanks aside (str.rstrip drops every
    character the regex ``\\s`` matches, and more)."""
    s = s.rstrip()
    i = len(s)
    while i > 0 and s[i - 1].isalpha():
        i -= 1
    return s[i:]


def _comparator(lead: str, after: Optional[str], value: float, unit: str, goal: bool,
                direction: Optional[str], r: _Rules) -> tuple[str, Optional[str]]:
    if after:
        op = r.after_ops.get(_squash(after.strip().lower()))
        if op:
            return op
    # the comparator word nearest the figure wins ("xuống dưới 15%" is "<"), the longer
    # one on a tie ("không dưới" is ">=", not "<")
    best = None
    for rx, op, rule in r.comparators:
        for m in rx.finditer(lead):
            key = (m.end(), -m.start())
            if best is None or key > best[0]:
                best = (key, op, rule)
    if best:
        _, op, rule = best
        full = unit.startswith("%") and value >= 100
        if not (rule.get("goal_only") and not goal) and not (rule.get("not_full") and full):
            if not (direction == "maintain" and goal and op == "="):
                return op, rule["id"]
    if direction == "maintain" and goal:
        return r.maintain_op, "cmp.maintain"
    return "=", None


def _direction(clause: str, r: _Rules) -> Optional[str]:
    found = _found_words(r.directions, r.direction_text_re, clause, 0, len(clause))
    if not found:
        return None
    return r.direction_of.get(_squash(found[-1].group().lower()), (None, None))[0]


def _word_cues(mt: str, start: int, end: int, r: _Rules) -> list["regex.Match[str]"]:
    """What ``r.cues.finditer(mt, start, end)`` yields."""
    return _found_words(r.cues, r.cue_text_re, mt, start, end)


def _found_words(rx: "regex.Pattern[str]", places: Optional["re.Pattern[str]"], s: str,
                 start: int, end: int) -> list["regex.Match[str]"]:
    """What ``rx.finditer(s, start, end)`` yields, for ``rx`` a word alternation (or any
    regex whose matches never are empty and start where ``places`` finds) and
    ``places`` its words as plain lower-case text (``_words_text_re``): ``rx`` is tried only
    where ``places`` finds one of its words in the lower-cased text, as a big alternation
    is slow to run over each position. The case-insensitive match agrees with lower case
    when lower case is the case fold."""
    part = s[start:end]
    low = part.lower()
    if places is None or len(low) != len(part) or low != part.casefold():
        return list(rx.finditer(s, start, end))
    at = []  # every offset where some word's text starts, overlaps included
    hit = places.search(low)
    while hit:
        at.append(hit.start())
        hit = places.search(low, hit.start() + 1)
    out, pos = [], start
    for i in at:
        i += start
        if i < pos:
            continue
        m = rx.match(s, i, end)
        if m:
            out.append(m)
            pos = m.end()
    return out


def _sentence_cues(mt: str, start: int, end: int, doc_year: Callable[[], Optional[int]],
                   r: _Rules) -> list[tuple[int, str, str]]:
    """Status cues of one sentence as (offset, 'target'|'result'|'forecast', rule), in order.
    ``doc_year`` is asked only when a year in the sentence needs it."""
    found: list[tuple[int, str, str]] = []
    for m in _word_cues(mt, start, end, r):
        kind, rid = r.cue_kind.get(_squash(m.group().lower()), (None, None))
        if kind and kind != "neutral":
            found.append((m.start(), kind, rid))
    spans = []
    for rx, kind, rid in r.cue_regexes:
        for m in rx.finditer(mt, start, end):
            spans.append((m.start(), m.end()))
            found.append((m.start(), kind, rid))
    if spans:  # a phrase cue masks the word cues inside it ("150% chỉ tiêu")
        found = [f for f in found if not any(a < f[0] < b for a, b in spans)]
    forecast_at = min((p for p, kind, _ in found if kind == "forecast"), default=None)
    if forecast_at is not None:  # "Theo dự báo, ... sẽ tăng": the future tense of a forecast
        found = [(p, "forecast", "st.forecast") if rid == "st.future" and p > forecast_at else (p, kind, rid)
                 for p, kind, rid in found]
    if _may_name_year(mt, start, end, r):
        found += _year_cues(mt, start, end, forecast_at, doc_year, r)
    found.sort()
    return found


def _may_name_year(s: str, start: int, end: int, r: _Rules) -> bool:
    """False only when no year rule can match in ``s[start:end]``: every one captures its
    year as four digits in a row (see ``_year_digits``), and most sentences with a figure
    hold none."""
    return r.year_digits is None or r.year_digits.search(s, start, end) is not None


def _year_cues(mt: str, start: int, end: int, forecast_at: Optional[int],
               doc_year: Callable[[], Optional[int]], r: _Rules) -> list[tuple[int, str, str]]:
    """A year before the document's own is history, a horizon after it a goal."""
    found = []
    lo, hi = r.year_range
    past = list(r.past_year.finditer(mt, start, end))
    if past and doc_year() is not None:
        for m in past:
            if lo <= int(m.group(1)) < doc_year():
                found.append((m.start(), "result", "st.past_year"))
    for rx in r.horizon:
        for m in rx.finditer(mt, start, end):
            y = int(m.group(1))
            if not lo <= y <= hi:
                continue
            if forecast_at is not None and forecast_at < m.start():
                found.append((m.start(), "forecast", "st.forecast"))  # "dự báo đến năm 2031 ..."
            elif doc_year() is None or y > doc_year():
                found.append((m.start(), "target", "st.horizon"))
            elif y < doc_year():
                found.append((m.start(), "result", "st.past_horizon"))
    return found


def _nearest_cue(cues: list[tuple[int, str, str]], lo: int, hi: int, r: _Rules,
                 mt: str = "", clause_start: Optional[int] = None) -> Optional[tuple[str, str]]:
    """The cue nearest before ``hi`` and not before ``lo``. With ``clause_start``, a
    clause-only cue before it counts only when a ":" between opens a list. A year before
    the document's own is history, unless a goal verb governs it ("phấn đấu đạt 59-62%,
    năm 2018 đạt 62-66%")."""
    found = _nearest_raw(cues, lo, hi, r, mt, clause_start)
    if found is not None and found[1] == "st.past_year":
        if any(rid == "st.strive" and lo <= pos < hi for pos, _, rid in cues):
            return "target", "st.strive"
    return found


def _nearest_raw(cues: list[tuple[int, str, str]], lo: int, hi: int, r: _Rules,
                 mt: str, clause_start: Optional[int]) -> Optional[tuple[str, str]]:
    for pos, kind, rid in reversed(cues):
        if pos < lo:
            return None
        if pos >= hi:
            continue
        if r.cue_flags.get(rid, {}).get("clause_only"):
            if clause_start is not None and pos < clause_start and ":" not in mt[pos:hi]:
                continue
            if any(k == "result" and rr == "st.past_year" and lo <= p < hi for p, k, rr in cues):
                return "result", "st.past_year"  # "năm 2016 ... thành công về chỉ tiêu ..."
        return kind, rid
    return None


def _year(sentence: str, cut: int, headings: list[str], goal: bool, r: _Rules) -> Optional[int]:
    """The nearest year said before the figure (a horizon "đến năm 2025" first, then a
    plain "năm 2017"); for a goal, then one said after it, then its heading's. A result's
    year is only one said before it."""
    lo, hi = r.year_range

    def found(text: str, group) -> list[tuple[int, int]]:
        return sorted((m.start(), int(m.group(1))) for rx in group for m in rx.finditer(text)
                      if lo <= int(m.group(1)) <= hi)

    if _may_name_year(sentence, 0, len(sentence), r):
        hits = [found(sentence, g) for g in (r.years_horizon, r.years_plain)]
    else:
        hits = [[], []]
    for h in hits:
        before = [y for pos, y in h if pos < cut]
        if before:
            return before[-1]
    if not goal:
        return None
    for h in hits:
        if h:
            return h[0][1]
    for group in (r.years_horizon, r.years_plain):
        for head in headings:
            hm = found(head, group)
            if hm:
                return hm[-1][1]
    return None


def _clean_indicator(s: str, r: _Rules) -> str:
    s = s.strip()
    while True:
        m = r.strip_lead.match(s)
        if not m or not m.group():
            break
        s = s[m.end():]
    s = s.strip(" \t,.;:-–()")
    m = r.strip_tail.search(s, max(0, len(s) - 40))
    if m:
        s = s[:m.start()].strip(" \t,.;:-–()")
    if len(s) > 1 and s[1].islower():
        s = s[0].lower() + s[1:]
    return s[:200]


def _after_goal_cue(pre: str, r: _Rules) -> str:
    """"quyết tâm phấn đấu đạt chỉ tiêu tăng trưởng GDP" -> "tăng trưởng GDP": what comes
    after the last goal cue is the measured thing."""
    last = None
    for m in _word_cues(pre, 0, len(pre), r):
        kind, _ = r.cue_kind.get(_squash(m.group().lower()), (None, None))
        if kind in ("target", "neutral"):
            last = m
    return pre[last.end():] if last else pre


def _indicator_before(pre: str, r: _Rules) -> str:
    """The measured thing written before the figure, back to the nearest comma unless that
    leaves a lone word ("tuyến huyện, xã"); empty when a cue sits right before it
    ("đặt mục tiêu giảm 70% rác thải")."""
    pieces = _after_goal_cue(pre, r).split(",")
    last = _clean_indicator(pieces[-1], r)
    i = len(pieces) - 1
    while last and i > 0 and len(last.split()) < 2:
        i -= 1
        last = _clean_indicator(",".join(pieces[i:]), r)
    return last




@dataclass
class _Cand:
    start: int
    end: int
    value: float
    value_max: Optional[float]
    unit: str
    unit_class: str
    unit_rule: str
    unit_rule_def: dict
    after: Optional[str]  # "trở lên" / "trở xuống" right after the unit
    sent_start: int
    sent_end: int
    span_start: int  # start of the run of sentences joined by ";" or ":" that holds it


def _candidates(seg: Segmented, r: _Rules) -> list[_Cand]:
    out = []
    mt, text = seg.match_text, seg.text
    for m in r.candidate.finditer(mt):
        unit, urule = _unit(m, r, text)
        need = urule.get("needs_before")
        if need and not _ends_with(need).search(mt, max(0, m.start() - 12), m.start()):
            continue
        if r.baseline.match(mt, m.end()):
            continue  # "giảm từ 40% về 30%": 40 is where it starts from
        value = parse_number(m.group("num"))
        vmax = parse_number(m.group("num2")) if m.group("num2") else None
        if value is None or (vmax is not None and vmax <= value):
            continue
        sent = seg.sentence_at(m.start())
        bi = seg.block_at(m.start())
        blk = seg.blocks[bi] if bi is not None else None
        s0 = sent.start if sent else (blk.start if blk else 0)
        s1 = sent.end if sent else (blk.end if blk else len(text))
        if blk is not None and blk.start <= m.start() < blk.end:
            s0 = max(s0, blk.body_start)
        end = m.end("after") if m.group("after") else m.end("unit")
        out.append(_Cand(m.start(), end, value, vmax, unit, urule["class"], urule["id"], urule, m.group("after"),
                         s0, max(s1, end), _span_start(seg, m.start(), s0)))
    return out


_LETTER_OR_DIGIT = regex.compile(r"[\p{L}\p{N}]")


def _find_word(word: str, s: str) -> Optional[int]:
    """Where ``word`` first stands as a whole word in ``s``, in any case: what the regex
    ``_WORD_START + escape(word) + _WORD_END`` (case-insensitive) finds, without compiling
    one per word (a compile costs a millisecond, and words rarely come back). Lower case
    agrees with that match when lower case is the case fold of both."""
    lw, ls = word.lower(), s.lower()
    if len(lw) != len(word) or len(ls) != len(s) or lw != word.casefold() or ls != s.casefold():
        m = regex.search(_WORD_START + regex.escape(word) + _WORD_END, s, _F)
        return m.start() if m else None
    i = ls.find(lw)
    while i >= 0:
        if not (i and _LETTER_OR_DIGIT.match(s, i - 1)) and not _LETTER_OR_DIGIT.match(s, i + len(lw)):
            return i
        i = ls.find(lw, i + 1)
    return None


@lru_cache(maxsize=None)
def _ends_with(pattern: str) -> "regex.Pattern[str]":
    """A unit's ``needs_before`` words, anchored at the end of the window before it."""
    return regex.compile(pattern + r"\s*$", _F)


def _span_start(seg: Segmented, offset: int, sent_start: int) -> int:
    """"Phấn đấu đến năm 2025: ...; 100% xã ...": the sentence splitter cuts at "; 1",
    but the cue and the year before still govern the figures after."""
    i = bisect.bisect_right(seg._sent_starts, offset) - 1
    if i < 0:
        return sent_start
    start = sent_start
    while i > 0 and seg.sentences[i - 1].block == seg.sentences[i].block:
        prev = seg.text[seg.sentences[i - 1].start:seg.sentences[i - 1].end].rstrip()
        if not prev.endswith((";", ":")):
            break
        i -= 1
        start = seg.sentences[i].start
    return min(start, sent_start)


def _label(seg: Segmented, offset: int) -> Optional[str]:
    bi = seg.block_at(offset)
    if bi is None:
        return None
    lab = seg.blocks[bi].label
    if not lab:
        return None
    lab = lab.lstrip("-–—+•*·●▪ ").strip()
    return lab or None


def _section_status(seg: Segmented, offset: int, r: _Rules) -> Optional[str]:
    bi = seg.block_at(offset)
    if bi is None:
        return None
    names = [seg.blocks[bi].section] + [a.section for a in seg.ancestors(bi)]
    for n in names:
        if n in r.target_sections:
            return "target"
        if n in r.result_sections:
            return "result"
    return None


def _headings(seg: Segmented, offset: int) -> list[str]:
    bi = seg.block_at(offset)
    if bi is None:
        return []
    return [seg.block_text(a) for a in seg.ancestors(bi)]


@dataclass
class _Doc:
    """What every figure of one document is read against."""
    seg: Segmented
    r: _Rules
    doc: Document
    plan: bool
    cands: list[_Cand]
    sent_cues: dict[tuple[int, int], list]
    clause_ends: dict[int, int] = field(default_factory=dict)  # by figure start
    _year: list = field(default_factory=list)

    def doc_year(self) -> Optional[int]:
        """The document's own year, read on first use: finding it scans the whole text,
        and a document whose figures name no year and set no goal never needs it."""
        if not self._year:
            self._year.append(_doc_year(self.doc, self.seg.text, self.r))
        return self._year[0]


@dataclass
class _Place:
    """Where a figure sits: the start of its lead-in words and of its clause."""
    lead_at: int
    cut: int
    same_sentence: bool


def _place(c: _Cand, prev: Optional[_Cand], mt: str, r: _Rules) -> _Place:
    same = prev is not None and prev.sent_start == c.sent_start and prev.end <= c.start
    floor = prev.end if same else c.sent_start
    lead_at = floor + _lead_start(mt[floor:c.start], r)
    cut = floor  # after the last ";" / ":" / "trong đó" before the lead-in
    if _may_cut(mt, floor, c.start, r):
        for m in r.clause_cut.finditer(mt, floor, c.start):
            if m.end() <= lead_at:
                cut = m.end()
    return _Place(lead_at, cut, same)


def _may_cut(mt: str, start: int, end: int, r: _Rules) -> bool:
    """False when no clause boundary can be in ``mt[start:end]`` (see ``_cores``)."""
    texts, rxs = r.clause_cores
    for t in texts:  # plain loops: asked for every figure, a generator costs as much as the finds
        if mt.find(t, start, end) >= 0:
            return True
    for rx in rxs:
        if rx.search(mt, start, end):
            return True
    return False


def _status(c: _Cand, nxt: Optional[_Cand], p: _Place, d: _Doc) -> tuple[str, str, str]:
    """(status, rule, evidence): the nearest cue in the clause, a result cue right after
    the figure, the nearest cue in the sentence, the section, the document type.
    ``evidence`` says which of these decided: clause | sentence | section | doctype."""
    mt, r = d.seg.match_text, d.r
    key = (c.span_start, c.sent_end)
    if key not in d.sent_cues:
        d.sent_cues[key] = _sentence_cues(mt, c.span_start, c.sent_end, d.doc_year, r)
    cues = d.sent_cues[key]
    st, evidence = _nearest_cue(cues, p.cut, c.start, r), "clause"
    if st is not None and st[1] == "st.past_year" and any(
            rid == "st.strive" and c.span_start <= pos < c.start for pos, _, rid in cues):
        st = ("target", "st.strive")  # "phấn đấu đạt tỷ lệ 59-62%, năm 2018 đạt tỷ lệ 62-66%"
    if st is None and r.result_after.match(mt, c.end):
        st = ("result", "st.compared")
    if st is None:  # "... từ 70 đến 75% vào năm 2020", but not "11,31% và đến năm 2015 ..."
        stop = r.horizon_after_stop.search(mt, c.end, _clause_end(c, nxt, d))
        end = stop.start() if stop else _clause_end(c, nxt, d)
        if any(kind == "target" and rid == "st.horizon" and c.end <= pos < end for pos, kind, rid in cues):
            st = ("target", "st.horizon")
    if st is None:
        st, evidence = _nearest_cue(cues, c.span_start, c.start, r, mt, p.cut), "sentence"
    sec = _section_status(d.seg, c.start, r)
    if st is not None and sec == "target" and r.cue_flags.get(st[1], {}).get("weak"):
        st = None  # "tăng 10% so với năm 2020" under "Mục tiêu": still a goal
    if st is not None:
        return st[0], st[1], evidence
    if sec:
        return sec, "sec." + sec, "section"
    return ("target", "doc.plan", "doctype") if d.plan else ("result", "doc.report", "doctype")


_AMOUNTS = ("money", "measure")  # unit classes whose bare figures in a report are dropped


def _wanted(c: _Cand, status: str, rule: str, evidence: str, p: _Place, d: _Doc) -> bool:
    if status == "forecast":
        return False
    allowed = c.unit_rule_def.get("goal_cues")
    if allowed is not None:
        with_verb = c.unit_rule_def.get("goal_cues_with_verb", [])
        ok = status == "target" and (
            evidence == "section" or _section_status(d.seg, c.start, d.r) == "target"
            or (evidence == "clause" and (rule in allowed or (rule in with_verb and p.lead_at < c.start))))
        if not ok:
            return False  # narrative counts ("187 hội nghị", "người dân 8 xã") are not figures of interest
    if c.unit_class in _AMOUNTS and status == "result" and p.lead_at == c.start:
        return False  # a bare amount in a report, no verb: a description, not a result
    return True


# "... số dân tham gia BHYT Thứ trưởng - Tổng Giám đốc": a capitalised word followed by a
# lower-case one, after no punctuation, starts the next paragraph of a scraped page. The
# blank is matched first and the word before it checked last: the same matches, but the
# lookbehind runs only where a blank and a capitalised word already are
_GLUED = regex.compile(r"\s(?=\p{Lu}\p{Ll}+\s\p{Ll})(?<=(?<!\S)\p{Ll}{2,}\s)")


def _is_scope(s: str, r: _Rules) -> bool:
    """A place or scope ("cả nước", "Hà Nội"), not a measured thing."""
    words = s.split()
    return bool(r.indicator_scope.fullmatch(s)) or (2 <= len(words) <= 4 and all(w[:1].isupper() for w in words[1:]))


def _clause_end(c: _Cand, nxt: Optional[_Cand], d: _Doc) -> int:
    """End of the figure's clause: the next ";" / "trong đó", the next figure, or the start
    of a paragraph glued to a headline. Status, indicator and year all ask; it is found once."""
    if c.start not in d.clause_ends:
        d.clause_ends[c.start] = _find_clause_end(c, nxt, d)
    return d.clause_ends[c.start]


def _find_clause_end(c: _Cand, nxt: Optional[_Cand], d: _Doc) -> int:
    end = c.sent_end
    nm = None
    if _may_cut(d.seg.match_text, c.end, c.sent_end, d.r):
        nm = d.r.clause_cut.search(d.seg.match_text, c.end, c.sent_end)
    if nm:
        end = nm.start()
    if nxt is not None and nxt.start < end:
        end = nxt.start
    gm = _GLUED.search(d.seg.text, c.end, end)
    return gm.start() if gm else end


def _indicator(c: _Cand, nxt: Optional[_Cand], p: _Place, prev_item: Optional[Target], d: _Doc) -> Optional[str]:
    text, r = d.seg.text, d.r
    post_end = _clause_end(c, nxt, d)
    post = text[c.end:post_end]
    prev_ind = prev_item.indicator if (p.same_sentence and prev_item is not None
                                       and prev_item.start >= c.sent_start) else None
    indicator = _indicator_before(text[p.cut:p.lead_at], r)
    if indicator and _is_scope(indicator, r) and not r.post_stop.match(post):
        indicator = ""  # "cả nước sẽ có trên 90% dân số tham gia BHYT"
    if not indicator:
        if not r.post_stop.match(post):  # the figure leads: "100% trạm y tế có ..."
            indicator = _clean_indicator(post, r)
            if nxt is not None and nxt.start == post_end and "," in indicator:  # ", 80% ..."
                indicator = indicator.rsplit(",", 1)[0].strip()
        else:
            indicator = prev_ind  # "còn 60% và đến năm 2025 còn 25%"
    elif prev_ind and len(indicator.split()) <= 3:
        # ellipsis: "Danh mục kỹ thuật tuyến huyện đạt trên 85%; tuyến xã đạt 75%"
        at = _find_word(indicator.split()[0], prev_ind)
        if at is not None:
            indicator = prev_ind[:at] + indicator
    return indicator or None


def _read(c: _Cand, nxt: Optional[_Cand], prev: Optional[_Cand], prev_item: Optional[Target],
          d: _Doc) -> Optional[Target]:
    if _count_without_goal(c, d):
        return None
    return _reading(c, nxt, prev, prev_item, d)


def _count_without_goal(c: _Cand, d: _Doc) -> bool:
    """True for a count ("187 hội nghị") that ``_wanted`` is sure to drop: outside a goal
    section a count is kept only under one of its rule's goal cues in its clause, and its
    sentence holds neither the text of such a cue nor, when a horizon would do, four
    digits. Most counts in news are such, and reading their status is the dear part."""
    need = d.r.goal_places.get(c.unit_rule)
    if need is None:
        return False
    words, horizon = need
    mt, s, e = d.seg.match_text, c.span_start, c.sent_end  # where its status cues are read
    if horizon and _may_name_year(mt, s, e, d.r):
        return False
    part = mt[s:e]
    low = part.lower()
    if len(low) != len(part) or low != part.casefold():
        return False
    if words is not None and words.search(low):
        return False
    return _section_status(d.seg, c.start, d.r) != "target"


def _bare_amount_without_goal(c: _Cand, p: _Place, d: _Doc) -> bool:
    """True for an amount with no verb before it that ``_wanted`` is sure to drop: outside a
    plan and a goal section its status is a goal only by a goal cue of its sentence, a word
    (whose text the sentence then holds) or a horizon (four digits). A quarter of the
    figures in news are such amounts, and their status is the dear part of reading them."""
    r = d.r
    if c.unit_class not in _AMOUNTS or p.lead_at != c.start or d.plan or r.goal_text_re is None:
        return False
    mt, s, e = d.seg.match_text, c.span_start, c.sent_end  # where its status cues are read
    if _may_name_year(mt, s, e, r):
        return False
    part = mt[s:e]
    low = part.lower()
    if len(low) != len(part) or low != part.casefold() or r.goal_text_re.search(low):
        return False
    return _section_status(d.seg, c.start, r) != "target"


def _search_in(rx: "regex.Pattern[str]", s: str, start: int, end: int) -> Optional["regex.Match[str]"]:
    """A match where ``rx.search(s, start, end)`` finds one (its offsets may be into a copy
    of the span, so only whether it is there counts): the regex module, looking ahead for a
    rule's words, may read on past ``end`` to the end of the text (0.2 ms a call on a long
    page for "cả năm" / "năm nay"), so a rule that cannot look before its start is
    searched in a copy of the span instead (the copy ends where ``end`` does)."""
    if _looks_behind(rx.pattern):
        return rx.search(s, start, end)
    return rx.search(s[start:end])


@lru_cache(maxsize=None)
def _looks_behind(pattern: str) -> bool:
    """True unless the regex has no lookbehind, no anchor or word boundary and no flag that
    makes them (multi-line, word, reverse)."""
    return bool(regex.search(r"\(\?<[=!]|\\[bBAGZmM]|\^|\(\?[a-zA-Z]*[mwr]", pattern))


def _reading(c: _Cand, nxt: Optional[_Cand], prev: Optional[_Cand], prev_item: Optional[Target],
             d: _Doc) -> Optional[Target]:
    text, mt, r = d.seg.text, d.seg.match_text, d.r
    p = _place(c, prev, mt, r)
    if _bare_amount_without_goal(c, p, d):
        return None
    status, status_rule, evidence = _status(c, nxt, p, d)
    if (status_rule == "st.horizon" and prev_item is not None and prev_item.start >= c.span_start
            and prev_item.status == "result" and prev_item.rule.endswith(("st.past_year", "st.series"))):
        status, status_rule = "result", "st.series"  # "năm 2013 là 11,57%, năm 2014 ... đến năm 2015 còn 10,02%"
    if not _wanted(c, status, status_rule, evidence, p, d):
        return None
    goal = status == "target"
    direction = _direction(mt[p.cut:c.start], r)
    if c.value_max is not None:
        comparator, cmp_rule = "range", "cmp.range"
    else:
        comparator, cmp_rule = _comparator(mt[p.lead_at:c.start], c.after,
                                           c.value, c.unit, goal, direction, r)
    heads = _headings(d.seg, c.start) if goal else []
    year = _year(text[c.span_start:_clause_end(c, nxt, d)], c.start - c.span_start, heads, goal, r)
    if year is None and goal and _search_in(r.this_year, mt, c.span_start, c.sent_end) and d.doc_year():
        year = d.doc_year()  # "phấn đấu cả năm ... tăng hơn 30%"
    return Target(
        start=p.lead_at, end=c.end, text=text[p.lead_at:c.end],
        label=_label(d.seg, c.start), indicator=_indicator(c, nxt, p, prev_item, d),
        value=c.value, value_max=c.value_max, unit=c.unit, comparator=comparator,
        direction=direction, status=status,
        year=year,
        rule="+".join(x for x in (c.unit_rule, cmp_rule, status_rule) if x),
    )


def extract(seg: Segmented, doc: Document) -> list[Target]:
    r = _rules()
    cands = _candidates(seg, r)
    if not cands:
        return []  # no figure: the document's year and kind would go unused
    d = _Doc(seg, r, doc, _is_plan(doc, seg, r), cands, {})
    items: list[Target] = []
    prev_item: Optional[Target] = None
    for i, c in enumerate(cands):
        t = _read(c, cands[i + 1] if i + 1 < len(cands) else None, cands[i - 1] if i else None, prev_item, d)
        if t is not None:
            items.append(t)
            prev_item = t
    items = _dedupe(items)
    yearless = [t for t in items if t.status == "target" and t.year is None]
    if not d.plan and yearless and d.doc_year():  # a news goal with no year is one for the year of the news
        for t in yearless:
            t.year = d.doc_year()
    return items


def _same_goal(a: Target, b: Target) -> bool:
    """Same figure, same kind, compatible year; for a single value the indicators must also
    agree (a plan holds many "100%"), a range is distinctive enough on its own."""
    if (a.status, a.value, a.value_max, a.unit) != (b.status, b.value, b.value_max, b.unit):
        return False
    if a.year is not None and b.year is not None and a.year != b.year:
        return False
    if a.comparator != b.comparator and "=" not in (a.comparator, b.comparator):
        return False
    if a.value_max is not None:
        return True
    ia, ib = (a.indicator or "").lower(), (b.indicator or "").lower()
    if not ia or not ib:
        return False
    if fuzz.ratio(ia, ib) >= 85 or fuzz.token_sort_ratio(ia, ib) >= 90:
        return True
    # one names a part of the other ("biên chế" / "biên chế, nâng chất lượng công chức")
    ta, tb = set(_WORDS.findall(ia)), set(_WORDS.findall(ib))
    small, big = (ta, tb) if len(ta) <= len(tb) else (tb, ta)
    return len(small) >= 2 and small <= big


def _merge(first: Target, again: Target) -> None:
    """The restatement may be more precise ("giảm tối thiểu 10% ... đến hết năm 2020 - 2021"
    after a headline "sẽ giảm 10% biên chế"): the first mention keeps its place and takes
    what the later one adds."""
    if first.comparator == "=" and again.comparator != "=":
        first.comparator = again.comparator
    if first.year is None or (again.year is not None and first.comparator == again.comparator and again.year > first.year):
        first.year = again.year if first.year is None else max(first.year, again.year)
    if not first.indicator or (again.indicator and len(again.indicator) > len(first.indicator)):
        first.indicator = again.indicator
    first.direction = first.direction or again.direction


def _dedupe(items: list[Target]) -> list[Target]:
    """A goal restated later (a lead and its body) stays at its first mention."""
    kept: list[Target] = []
    for t in items:
        same = next((k for k in kept if _same_goal(k, t)), None)
        if same is None:
            kept.append(t)
        else:
            _merge(same, t)
    return kept
