"""Entities: organisations (responsible bodies), persons with their positions, places.

Labels (SPEC "entities"):

* ``PARTY_ORG``  party bodies: Huyện ủy, Đảng ủy Khối, Ban Tuyên giáo Huyện ủy, chi bộ
* ``STATE_ORG``  state bodies: UBND huyện, HĐND, Sở Y tế, Trung tâm Y tế huyện
* ``MASS_ORG``   the Front and mass organisations: Mặt trận Tổ quốc, Hội Nông dân
* ``ORG``        other bodies named by a generic head with a qualifier: các cơ quan, đơn vị
* ``PER``        a person's name ("Lò Văn Biên"), after "đồng chí"/"Đ/c", a title or "ông/bà"
* ``POSITION``   the position written after a person ("Phó Chủ tịch UBND huyện")
* ``LOC``        a place: level word + name ("huyện Tân Uyên", "tỉnh Hòa Bình"); rule
  ``loc.gazetteer`` when underthesea's administrative-unit data knows it

The unit grammar (``units.yaml``) is shared with the assignments extractor, which asks for
the unit list starting at a given offset (``unit_list_at``). It is a small greedy parser
over anchored regexes rather than a spaCy Matcher: units nest ("Ban Tuyên giáo" + "Huyện
ủy", "UBND" + "các xã, thị trấn"), which token patterns cannot express. Persons after
"đồng chí" use a spaCy Matcher over the pipeline's syllable tokens, run only on a window
after each cue. underthesea's NER is not called: on the phrasings here ("Chủ tịch UBND TP
Đà Nẵng Huỳnh Đức Thơ") it tags the name as a place, while title + body + gazetteer reads
it right at no cost.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Iterator, Optional

import regex

from .. import patterns
from ..model import Document, Entity
from ..fold import fold as fold_text
from ..normalise import unify_tones
from ..segment import Segmented

_SP = r"[^\S\n]+"
_NB = r"(?<![\p{L}\p{M}\d])"   # no letter before
_NA = r"(?![\p{L}\p{M}\d])"    # no letter after
SKIP_SECTIONS = ("noi_nhan", "signature")


def _word_rx(word: str, capital: bool = True) -> str:
    """A YAML word as a regex: tone-unified, flexible blanks around commas and dashes, a
    lower-case first letter also matching its capital (``capital=False``: not, for a
    regex that ignores case anyway)."""
    parts = _parts(word)
    out = []
    for i, p in enumerate(parts):
        esc = "[-–—]" if p in "-–—" else regex.escape(p)
        if i == 0 and p[0].islower() and capital:
            esc = f"[{p[0]}{p[0].upper()}]" + regex.escape(p[1:])
        if i:
            prev_punct = not regex.match(r"[\p{L}\p{M}\d]", parts[i - 1])
            this_punct = not regex.match(r"[\p{L}\p{M}\d]", p)
            out.append(r"[^\S\n]*" if (this_punct or prev_punct) else _SP)
        out.append(esc)
    return "".join(out)


def _parts(word: str) -> list[str]:
    """The words and punctuation marks of a YAML word, as ``_word_rx`` splits it."""
    return regex.findall(r"[\p{L}\p{M}\d]+|[^\s\p{L}\p{M}\d]", unify_tones(word.strip()))


def _alt(words, case_insensitive: bool = False) -> str:
    uniq = sorted({unify_tones(w) for w in words}, key=len, reverse=True)
    body = "|".join(_word_rx(w) for w in uniq)
    return f"(?i:{body})" if case_insensitive else f"(?:{body})"


_WORD = regex.compile(r"[\p{L}\p{M}\d]+", regex.V1)
_ROMAN = regex.compile(r"[IVX]+")
_NONBLANK = regex.compile(r"\S+")


@dataclass
class _Memo:
    """What the unit grammar has already read in one text. The grammar is asked about the
    same offsets again and again (every list, title and assignment cue re-parses the
    units it starts with), and each answer depends only on the text and the offset."""
    text: str
    lower: Optional[str] = None
    firsts: dict = field(default_factory=dict)     # offset -> lower-cased word there
    units: dict = field(default_factory=dict)      # offset -> unit_at result
    names: dict = field(default_factory=dict)      # offset -> _name result
    hits: dict = field(default_factory=dict)       # word set -> [(offset, length)]
    plain: Optional[bool] = None  # lower-casing keeps every offset (no letter changes length)
    index: Optional[list] = None  # (offset, length, word) of every indexed word
    starts: Optional[list] = None  # the unit candidates iter_units tries (_unit_starts)


_MEMO: list[Optional[_Memo]] = [None]


def _memo(t: str) -> _Memo:
    """The memo of ``t``, started afresh when a different text comes in. The memo holds
    its text, so identity is a safe key; a caller keeps the memo it got, so texts
    interleaved by threads only cost cache misses, never wrong answers."""
    m = _MEMO[0]
    if m is None or m.text is not t:
        m = _MEMO[0] = _Memo(t)
    return m


def _first(t: str, pos: int) -> str:
    """The lower-cased word starting at ``pos`` ("" if none); the hottest call of the
    grammar, so the memo is looked up here rather than through :func:`_memo`."""
    memo = _MEMO[0]
    if memo is None or memo.text is not t:
        memo = _memo(t)
    w = memo.firsts.get(pos)
    return _word_at(memo, pos) if w is None else w


def _word_at(memo: _Memo, pos: int) -> str:
    """The lower-cased word starting at ``pos`` ("" if none)."""
    w = memo.firsts.get(pos)
    if w is None:
        m = _WORD.match(memo.text, pos)
        w = memo.firsts[pos] = m.group().lower() if m else ""
    return w


def _syllable(word: str) -> str:
    m = _WORD.search(unify_tones(word))
    return m.group().lower() if m else ""


class _ByFirst:
    """An alternation split by first syllable: ``match`` looks the word at ``pos`` up and
    tries only the phrases that start with it (one big alternation is slow in ``regex``)."""

    def __init__(self, words, tail: str = "", guards: Optional[dict] = None):
        groups: dict[str, list[str]] = {}
        for w in words:
            groups.setdefault(_syllable(w), []).append(w)
        guards = guards or {}
        self.table = {}
        self.leads = {}
        for first, ws in groups.items():
            ws = sorted(set(ws), key=len, reverse=True)
            self.table[first] = _c("(?:" + "|".join(_word_rx(w) + guards.get(w, "") for w in ws) + ")" + tail)
            self.leads[first] = _leads(ws)

    def match(self, t: str, pos: int, word: Optional[str] = None):
        """``word``: the lower-cased word at ``pos`` when the caller has it already."""
        if word is None:
            word = _first(t, pos)
        rx = self.table.get(word)
        if rx is None:
            return None
        leads = self.leads[word]
        if leads is not None and (pos >= len(t) or t[pos] not in leads):
            return None
        return rx.match(t, pos)


class _Domains:
    """The fields of work, matched in any case: one alternation, tried only where the word
    at the offset is the first word of a domain. Any case means full case folding; a word
    that folds to its lower case ("y", "Giáo") matches only a domain starting with that
    lower-case word, so any other is turned away. A word with a letter that folds
    otherwise ("ß" -> "ss") still goes to the regex."""

    def __init__(self, words):
        self.rx = _c(_alt(words, case_insensitive=True) + _NA)
        firsts = set()
        for w in words:
            parts = _parts(w)
            p = parts[0] if parts else ""
            if not _WORD.fullmatch(p) or p.casefold() != p.lower():
                firsts = None  # a domain the word test cannot speak for: always the regex
                break
            firsts.add(p.lower())
        self.firsts = None if firsts is None else frozenset(firsts)
        self.by_first = None if firsts is None else _domain_groups(words)

    def match(self, t: str, pos: int):
        """A word that folds to its lower case goes to the alternation of the domains
        starting with it (the same alternatives in the same order, less those that cannot
        match there): one big case-insensitive alternation is slow in ``regex``."""
        if self.firsts is not None:
            w = _first(t, pos)
            if w.casefold() == w:
                rx = self.by_first.get(w)
                return rx.match(t, pos) if rx is not None else None
        return self.rx.match(t, pos)


def _domain_groups(words) -> dict:
    """First word (lower case) -> the domains starting with it, as one case-insensitive
    alternation in the order ``_alt`` writes them."""
    groups: dict[str, list[str]] = {}
    for w in sorted({unify_tones(w) for w in words}, key=len, reverse=True):
        groups.setdefault(_parts(w)[0].lower(), []).append(w)
    return {first: _c("(?i:" + "|".join(_word_rx(w) for w in ws) + ")" + _NA)
            for first, ws in groups.items()}


class _End:
    """A match that only tells where it ends, for the shortcuts below."""
    __slots__ = ("_end",)

    def __init__(self, end: int):
        self._end = end

    def end(self) -> int:
        return self._end


class _Blanks:
    """The blanks regex (``_SP``) at an offset. Nearly always one space then a letter or
    digit, read here without the regex (no letter or digit is a blank); anything else
    goes to it."""

    def __init__(self):
        self.rx = _c(_SP)

    def match(self, t: str, pos: int):
        if pos + 1 < len(t) and t[pos] == " " and t[pos + 1].isalnum():
            return _End(pos + 1)
        return self.rx.match(t, pos)


class _NameWord:
    """The name-word regex, which starts with an upper-case letter (Unicode class Lu): a
    lower-case letter, a blank, a digit or an ASCII character that is not upper case
    cannot be one, and is turned away without the regex (half of the offsets asked
    about). Only these: ``regex`` may know upper-case letters newer than Python's
    Unicode tables."""

    def __init__(self, src: str):
        self.rx = _c(src)

    def match(self, t: str, pos: int):
        if pos >= len(t) or _not_upper(t[pos]):
            return None
        return self.rx.match(t, pos)


def _not_upper(c: str) -> bool:
    """True only for characters that are surely not of class Lu (tested on every code
    point)."""
    return c.islower() or c.isspace() or c.isdecimal() or (c < "\x80" and not c.isupper())


class _NotAfter:
    """The ``not_after`` regex (a word, blanks, the offset), searched in a short window
    before an offset. The blanks must reach the offset and the word end just before
    them: when the character before the trailing spaces is neither the last letter of a
    word nor another blank, the search cannot succeed and is not run."""

    def __init__(self, words: list[str], src: str):
        self.rx = _c(src)
        ok = all(w and w[-1].isalnum() for w in words)
        self.lasts = frozenset(w[-1] for w in words) if ok else None

    def search(self, t: str, lo: int, pos: int):
        if self.lasts is not None:
            k = pos
            while k > lo and t[k - 1] == " ":
                k -= 1
            if k == pos:
                if pos <= lo or not t[pos - 1].isspace():
                    return None  # no blank before the offset
            elif k == lo:
                return None  # only blanks in the window: no word
            elif t[k - 1] not in self.lasts and not t[k - 1].isspace():
                return None
        return self.rx.search(t, lo, pos)


def _leads(words) -> Optional[frozenset]:
    """The characters the phrases can start with, as ``_word_rx`` writes their first
    letter ("Sở" only "S", "ngành" "n" or "N"): a capitalised head is not tried on the
    lower-case word ("cơ sở"). None when a phrase could start anywhere."""
    out: set[str] = set()
    for w in words:
        parts = _parts(w)
        if not parts:
            return None
        p = parts[0]
        if p in "-–—":
            out.update("-–—")
        elif p[0].islower():
            out.update(p[0] + p[0].upper())
        else:
            out.add(p[0])
    return frozenset(out)


@dataclass(frozen=True)
class Grammar:
    """The pieces of a unit, each a small anchored regex; ``parse_unit`` combines them."""
    quant: "_ByFirst"                 # "các " (with its blank)
    complete: "_ByFirst"              # heads that stand alone: UBND, Đảng ủy, cơ quan, đơn vị
    needs: "_ByFirst"                 # heads that need a name: Sở, Trung tâm, Bệnh viện (+ blank)
    needs_lower: "_ByFirst"           # lower-case heads that need a known domain: ngành, phòng
    officer: "_ByFirst"               # office holders that need a body: Chủ tịch, thủ trưởng
    domain: "_Domains"
    any_domain: "_Domains"
    agency_name: "regex.Pattern[str]" # "Thẩm phán", "Cơ yếu": one capital + one lower syllable
    headish: "_ByFirst"               # any head or place word: never the start of a name
    place: "_ByFirst"
    level: "_ByFirst"
    name_word: "_NameWord"
    sp: "_Blanks"
    and_name: "regex.Pattern[str]"    # " và " before a capitalised word, inside an agency name
    sep: "regex.Pattern[str]"
    not_after: "_NotAfter"
    kinds: tuple  # (kind, rule id, compiled head regex anchored at a unit's head)
    kinds_of: dict  # first syllable -> the entries of ``kinds`` with a head starting with it
    first: dict   # piece name -> lower-cased first syllables: a cheap test before each regex
    leads: dict   # first syllable -> the characters a unit starting with it may start with
    second: dict  # first syllable -> the words that may follow it (absent: any)


def _c(src: str) -> "regex.Pattern[str]":
    return regex.compile(src, regex.V1)


@lru_cache(maxsize=1)
def grammar() -> Grammar:
    """Compile units.yaml into the pieces of a unit (see the YAML header)."""
    _MEMO[0] = None  # what an earlier grammar read is not what this one reads
    cfg = patterns.load("units")
    complete, needs, needs_lower, officer, kinds = [], [], [], [], []
    for rule in cfg["heads"]:
        words = rule["words"]
        guard = ("(?!" + _SP + _alt(rule["not_before"]) + _NA + ")") if rule.get("not_before") else ""
        if rule.get("needs_unit"):
            officer += words
        elif rule.get("needs_domain"):
            needs += [w for w in words if not w[0].islower()]
            needs_lower += [w for w in words if w[0].islower()]
        else:
            complete += [(w, guard) for w in words]
        kinds.append((rule["kind"], rule["id"], words))

    def fs(words):
        return frozenset(_syllable(w) for w in words)

    first = {"quant": fs(cfg["quantifiers"]), "complete": fs(w for w, _ in complete),
             "needs": fs(needs), "needs_lower": fs(needs_lower), "officer": fs(officer),
             "place": fs(cfg["modifiers"]["places"]), "level": fs(cfg["modifiers"]["levels"])}
    first["head"] = first["complete"] | first["needs"] | first["needs_lower"] | first["officer"]
    first["unit"] = first["head"] | first["quant"]
    first["headish"] = first["complete"] | first["needs"] | first["needs_lower"] | first["place"]
    quant = _alt(cfg["quantifiers"])
    seps = sorted(cfg["separators"], key=len, reverse=True)
    sep = r"[^\S\n]*(?:" + "|".join(
        regex.escape(s) if not s[0].isalpha() else _SP.join(map(regex.escape, s.split())) + _NA
        for s in seps) + r")[^\S\n]*"
    not_after_words = [unify_tones(w) for w in cfg["not_after"]]
    not_after = "|".join(regex.escape(w) for w in not_after_words)
    guards = {w: g for w, g in complete}
    starts = (_ByFirst(cfg["quantifiers"], _SP), _ByFirst([w for w, _ in complete], _NA, guards),
              _ByFirst(needs, _SP), _ByFirst(needs_lower, _SP), _ByFirst(officer, _SP))
    quant_, complete_, needs_, needs_lower_, officer_ = starts
    kinds_ = tuple((kind, rid, _ByFirst(words, _NA)) for kind, rid, words in kinds)
    return Grammar(
        quant=quant_,
        complete=complete_,
        needs=needs_,
        needs_lower=needs_lower_,
        officer=officer_,
        domain=_Domains(cfg["domains"]),
        any_domain=_Domains(cfg["domains"] + cfg["verb_domains"]),
        agency_name=_c(rf"(?![IVX]+{_NA})\p{{Lu}}[\p{{Ll}}\p{{M}}]*{_SP}(?!{quant}{_NA})\p{{Ll}}[\p{{L}}\p{{M}}]*{_NA}"),
        headish=_ByFirst([w for w, _ in complete] + needs + needs_lower + cfg["modifiers"]["places"],
                         r"(?![\p{L}\p{M}])"),
        place=_ByFirst(cfg["modifiers"]["places"], rf"(?:(?<=\.)|{_NA})"),
        level=_ByFirst(cfg["modifiers"]["levels"], _NA),
        name_word=_NameWord(r"\p{Lu}[\p{L}\p{M}\d]*(?:(?:[-/]|[^\S\n]*&[^\S\n]*)[\p{Lu}\d][\p{L}\p{M}\d]*)*"
                            + _NA + r"(?![-&/])"),
        sp=_Blanks(),
        # "(?:và|(?!))": written as a plain literal, a failed match scans to the text's end
        and_name=_c(_SP + r"(?:và|(?!))" + _SP + r"(?=\p{Lu})"),
        sep=_c(sep),
        not_after=_NotAfter(not_after_words, r"(?<![\p{L}\p{M}])(?:" + not_after + r")" + _SP + r"\Z"),
        kinds=kinds_,
        kinds_of=_kinds_of(kinds_),
        first=first,
        leads=_unit_leads(starts),
        second=_second_words(cfg, first["head"]),
    )


def _kinds_of(kinds: tuple) -> dict:
    """The kinds a head starting with a given syllable may be, in the order of ``kinds``:
    ``unit_kind`` tries those only, not every kind's table."""
    out: dict = {}
    for entry in kinds:
        for first in entry[2].table:
            out.setdefault(first, []).append(entry)
    return {first: tuple(entries) for first, entries in out.items()}


def _second_words(cfg: dict, heads: frozenset) -> dict:
    """For each first syllable of a unit, the lower-cased words a unit may go on with
    when a word follows after one blank: the second word of each phrase starting with it,
    or any head after a one-word quantifier ("các" + "xã"). Left out: syllables that are
    a whole phrase ("Sở", "UBND"), which may be followed by anything. "người" can only
    go on with "đứng", so "người dân" is turned away before any regex runs."""
    out: dict = {}
    phrases = [(w, True) for w in cfg["quantifiers"]]
    phrases += [(w, False) for rule in cfg["heads"] for w in rule["words"]]
    for w, is_quant in phrases:
        parts = _parts(w)
        first = _syllable(w)
        if first in out and out[first] is None:
            continue
        if not parts or parts[0].lower() != first or (len(parts) == 1 and not is_quant):
            out[first] = None
            continue
        if len(parts) == 1:
            words = heads  # a quantifier: a head comes next
        elif _WORD.fullmatch(parts[1]):
            words = {parts[1].lower()}
        else:
            words = set()  # "chi, đảng bộ": a comma cannot match a letter
        out[first] = out.get(first, frozenset()) | frozenset(words)
    return {k: v for k, v in out.items() if v is not None}


def _unit_leads(starts: tuple) -> dict:
    """For each first syllable of a unit, the characters its quantifier or head may start
    with (None: any). "công" is only ever "Công an", "Công ty"...: the lower-case word in
    "công nghiệp" cannot start a unit, and is turned away before any regex runs."""
    out: dict = {}
    for piece in starts:
        for word, leads in piece.leads.items():
            if word in out and out[word] is None:
                continue
            out[word] = None if leads is None else (out.get(word) or frozenset()) | leads
    return out




def _candidates(text: str, firsts: frozenset, start: int = 0, stop: Optional[int] = None) -> list[int]:
    """Offsets of whole words in ``firsts`` (lower case). The text is scanned once for
    every word any rule starts with (:func:`_index_words`); each set is then a filter of
    that scan, kept, so asking again for a range is a bisection."""
    stop = len(text) if stop is None else stop
    memo = _memo(text)
    low = _lower(memo)
    if len(low) != len(text):  # a letter whose lower case changes length: word by word
        return [m.start() for m in _WORD.finditer(text, start, stop) if m.group().lower() in firsts]
    hits = _hits(memo, firsts)
    lo = bisect.bisect_left(hits, (start,))
    hi = bisect.bisect_left(hits, (stop,), lo)
    return [c for c, n in hits[lo:hi] if c + n <= stop]


def _exact_candidates(text: str, words: frozenset) -> list[int]:
    """Offsets of whole words in ``words``, case as written: the lower-case word index,
    kept where the word is written as in ``words``."""
    memo = _memo(text)
    low = _lower(memo)
    if len(low) != len(text):
        return [c for c, _n in _find_words(text, words)]
    return [c for c, n in _hits(memo, _lowered(words)) if text[c:c + n] in words]


def _hits(memo: _Memo, firsts: frozenset) -> list[tuple[int, int]]:
    """The kept (offset, length) list of ``firsts`` in the memo's (lower-cased) text."""
    hits = memo.hits.get(firsts)
    if hits is None:
        hits = memo.hits[firsts] = _hits_of(memo, firsts)
    return hits


def _hits_of(memo: _Memo, firsts: frozenset) -> list[tuple[int, int]]:
    """(offset, length) of the words of ``firsts`` in the memo's text, sorted: a filter of
    the one scan for all indexed words when ``firsts`` is among them."""
    if not firsts <= _index_words():
        return _whole_words(memo.lower, firsts)
    found = memo.index
    if found is None:
        found = memo.index = _scan_index(memo)
    return [(c, n) for c, n, w in found if w in firsts]


def _scan_index(memo: _Memo) -> list[tuple[int, int, str]]:
    """(offset, length, word) of every indexed word of the memo's (lower-cased) text. The
    words found are also kept as the words :func:`_word_at` reads there, saving a regex
    per candidate; only where an ASCII character (or the end) follows, as the scan stops
    at a combining mark and ``_WORD`` goes on. The caller has checked that lower-casing
    keeps offsets."""
    low = memo.lower
    n = len(low)
    firsts = memo.firsts
    out = []
    for c, k in _whole_words(low, _index_words()):
        e = c + k
        w = low[c:e]
        out.append((c, k, w))
        if (e == n or low[e] < "\x80") and c not in firsts:
            firsts[c] = w
    return out


def _index_words() -> frozenset:
    """Every first word the extractor looks for (units, places, titles, honorifics), lower
    case: one scan of a text finds them all. Built from the current rules, so a reloaded
    grammar gets its own index."""
    g = grammar()
    return _index_of(g.first["unit"], g.first["place"], _person_rules()[4])


@lru_cache(maxsize=4)
def _index_of(units: frozenset, places: frozenset, exact: frozenset) -> frozenset:
    return frozenset(w for w in units | places | _lowered(exact) if w.isalnum())


@lru_cache(maxsize=4)
def _lowered(words: frozenset) -> frozenset:
    return frozenset(w.lower() for w in words)


def _lower(memo: _Memo) -> str:
    """The memo's text in lower case, made once."""
    if memo.lower is None:
        memo.lower = memo.text.lower()
    return memo.lower


def _whole_words(low: str, firsts: frozenset) -> list[tuple[int, int]]:
    """(offset, length) of every whole-word occurrence of ``firsts`` in ``low``, sorted.
    The scanner leaves out the test of the letter before: a look-behind at every offset
    costs more than checking the few places it matched."""
    if not _all_alnum(firsts):
        return _find_words(low, firsts)
    out = []
    for m in _word_scanner(firsts).finditer(low):
        i = m.start()
        if i and low[i - 1].isalnum():
            continue
        out.append((i, m.end() - i))
    return out


@lru_cache(maxsize=16)
def _all_alnum(words: frozenset) -> bool:
    return all(w.isalnum() for w in words)


def _find_words(text: str, words: frozenset) -> list[tuple[int, int]]:
    """The same by str.find, word by word: for words the scanner cannot take."""
    out = []
    for f in words:
        n = len(f)
        i = text.find(f)
        while i >= 0:
            if (i == 0 or not text[i - 1].isalnum()) and (i + n >= len(text) or not text[i + n].isalnum()):
                out.append((i, n))
            i = text.find(f, i + 1)
    out.sort()
    return out


@lru_cache(maxsize=16)
def _word_scanner(firsts: frozenset) -> "re.Pattern[str]":
    """``firsts`` as a trie ("b(?:an|ộ)|c(?:ác|ơ)..."), each not followed by a letter or
    digit as ``str.isalnum`` sees them (``re``'s word class less the underscore). A plain
    alternation makes ``re`` try every word at every offset; the trie tries one letter.
    The words hold only such letters and digits (``_whole_words`` checks), so a match
    inside a word, dropped by the caller, never hides a whole word starting within it."""
    return re.compile(_trie(sorted(firsts)) + r"(?![^\W_])")


def _trie(words: list[str]) -> str:
    """A regex for ``words`` (sorted) sharing prefixes; a longer word is tried first."""
    groups: dict[str, list[str]] = {}
    ends = False
    for w in words:
        if w:
            groups.setdefault(w[0], []).append(w[1:])
        else:
            ends = True
    alts = [re.escape(c) + _trie(rest) for c, rest in groups.items()]
    if not alts:
        return ""
    body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
    return f"(?:{body})?" if ends else body


def _name(t: str, pos: int, g: Grammar) -> Optional[int]:
    """End of a proper name of up to four capitalised words ("Tân Uyên", "VH-TT-DL"); a
    single title-case word must not run into lower case ("Chính phủ Chỉ đạo")."""
    names = _memo(t).names
    if pos not in names:
        names[pos] = _read_name(t, pos, g)
    return names[pos]


def _read_name(t: str, pos: int, g: Grammar) -> Optional[int]:
    end, n, p = None, 0, pos
    # inside a name only a standalone head or a place word stops it ("Hải Phòng" goes on);
    # both tests end the name, so the cheap one (a capital letter) comes first
    while n < 4:
        m = g.name_word.match(t, p)
        if not m:
            break
        w = _first(t, p)
        if w in g.first["headish"] and g.headish.match(t, p, w) and (n == 0 or not g.needs.match(t, p, w)):
            break
        end, n = m.end(), n + 1
        s = g.sp.match(t, end)
        if not s:
            break
        p = s.end()
    if n == 1:
        word = t[pos:end]
        abbr = sum(c.isupper() for c in word) > 1 or _ROMAN.fullmatch(word) is not None  # "Vụ II"
        s = g.sp.match(t, end)
        if not abbr and s and t[s.end():s.end() + 1].islower():
            return None
    return end


def parse_unit(t: str, pos: int, depth: int = 0) -> Optional[int]:
    """End of the unit starting at ``pos`` ([quantifier] head [domain] modifier*), or None.
    Greedy and without backtracking, which is what the grammar needs."""
    if depth > 4:
        return None
    g = grammar()
    f = g.first
    memo = _memo(t)
    w = _word_at(memo, pos)
    if w not in f["unit"]:
        return None
    p = pos
    q = g.quant.match(t, p, w) if w in f["quant"] else None
    if q:
        p = q.end()
        w = _word_at(memo, p)
        if w not in f["head"]:
            return None
    m = g.complete.match(t, p, w) if w in f["complete"] else None
    if m:
        end = m.end()
        s = g.sp.match(t, end)
        if s:
            d = g.domain.match(t, s.end())
            e = d.end() if d else _name(t, s.end(), g)
            end = e or end
    else:
        m = g.needs.match(t, p, w) if w in f["needs"] else None
        if m:
            x = m.end()
            d = g.any_domain.match(t, x)
            if not d and not g.headish.match(t, x):
                d = g.agency_name.match(t, x)
            end = d.end() if d else (_name(t, x, g) or parse_unit(t, x, depth + 1))
            if d and end and (s2 := g.sp.match(t, end)):  # "Trạm kiểm dịch Bắc Nghệ An"
                end = _name(t, s2.end(), g) or end
            if d and end:  # "Chi cục Chăn nuôi và Thú y", "Sở Nông nghiệp và PTNT"
                j = g.and_name.match(t, end)
                if j:
                    end = (g.any_domain.match(t, j.end()) or g.agency_name.match(t, j.end())
                           or _End(_name(t, j.end(), g) or end)).end()
        else:
            m = g.needs_lower.match(t, p, w) if w in f["needs_lower"] else None
            d = g.any_domain.match(t, m.end()) if m else None
            end = d.end() if d else None
            if end is None and not q and w in f["officer"]:
                m = g.officer.match(t, p, w)
                end = parse_unit(t, m.end(), depth + 1) if m else None
        if end is None:
            return None
    while True:
        s = g.sp.match(t, end)
        if not s:
            break
        x = s.end()
        w = _word_at(memo, x)
        e = parse_unit(t, x, depth + 1) if w in f["unit"] else None  # it says None to other words
        if e is None:
            pm = g.place.match(t, x, w) if w in f["place"] else None
            if pm:
                e = pm.end()
                s2 = g.sp.match(t, e)
                ns = e if t[e - 1] == "." and _name(t, e, g) else (s2.end() if s2 else None)
                ne = _name(t, ns, g) if ns is not None else None
                if ne:
                    e = _known_place_end(t, ns, ne)
            else:
                lm = g.level.match(t, x, w) if w in f["level"] else None
                e = lm.end() if lm else None
        if e is None:
            break
        end = e
    return end


def unit_at(match_text: str, pos: int) -> Optional[tuple[int, int]]:
    """The unit starting exactly at ``pos``, as (start, end), or None."""
    memo = _MEMO[0]
    if memo is None or memo.text is not match_text:
        memo = _memo(match_text)
    units = memo.units
    if pos not in units:
        units[pos] = _unit_at(memo, pos)
    return units[pos]


def _unit_at(memo: _Memo, pos: int) -> Optional[tuple[int, int]]:
    """Most offsets asked about start no unit: cheap tests on the word there and the
    word after turn them away before the grammar runs."""
    match_text = memo.text
    g = grammar()
    w = memo.firsts.get(pos)
    if w is None:
        w = _word_at(memo, pos)
    if w not in g.leads:
        return None  # parse_unit would say so too: no quantifier or head starts with w
    leads = g.leads[w]
    if leads is not None and match_text[pos] not in leads:
        return None  # the word is there but not as any head writes it
    nxt = g.second.get(w)
    if nxt is not None:
        w2 = _next_word(memo, pos, w)
        if w2 is not None and w2 not in nxt:
            return None  # "người dân": no phrase goes on with that word
    if pos and (match_text[pos - 1].isalnum() or g.not_after.search(match_text, max(0, pos - 8), pos)):
        return None
    end = parse_unit(match_text, pos)
    return (pos, _trim(match_text, pos, end)) if end else None


def _next_word(memo: _Memo, pos: int, w: str) -> Optional[str]:
    """The word after ``w`` (at ``pos``) when one blank sits between them, or None when
    the blanks or what follows could be read otherwise. Every phrase part after a blank
    must then match at that word, and a phrase word, being followed by a non-letter,
    must be all of it; punctuation parts ("HĐND - UBND") cannot match a letter."""
    t = memo.text
    if memo.plain is None:
        memo.plain = len(_lower(memo)) == len(t)
    if not memo.plain:
        return None  # a lower-cased letter of another length: ``w`` is not as long
    e = pos + len(w)
    if e + 1 < len(t) and t[e] == " " and t[e + 1].isalnum():
        w2 = memo.firsts.get(e + 1)
        return _word_at(memo, e + 1) if w2 is None else w2
    return None


def unit_list_at(match_text: str, pos: int) -> list[tuple[int, int]]:
    """Units starting at ``pos`` joined by separators ("ngành Y tế và các cơ quan, đơn vị,
    UBND các xã, thị trấn") -> one (start, end) per unit."""
    g = grammar()
    joint = patterns.load("units").get("joint_kind")
    out: list[tuple[int, int]] = []
    u = unit_at(match_text, pos)
    while u:
        if out and joint and _is_joint(match_text, out[-1], u, joint):
            out[-1] = (out[-1][0], u[1])
        else:
            out.append(u)
        s = g.sep.match(match_text, u[1])
        if not s:
            break
        u = unit_at(match_text, s.end())
    return out


def _is_joint(t: str, a: tuple[int, int], b: tuple[int, int], kind: str) -> bool:
    between = t[a[1]:b[0]].strip()
    return (between == "và" and grammar().quant.match(t, b[0]) is not None
            and unit_kind(t, a[0], a[1])[0] == kind and unit_kind(t, b[0], b[1])[0] == kind)


def iter_units(match_text: str, start: int = 0, end: Optional[int] = None) -> Iterator[tuple[int, int]]:
    """Every unit, left to right, not overlapping (a scan over words that may start one)."""
    pos = start
    for c in _unit_starts(match_text, start, end):
        if c < pos:
            continue
        u = unit_at(match_text, c)
        if u and u[1] > u[0]:
            yield u
            pos = u[1]


def _unit_starts(text: str, start: int = 0, stop: Optional[int] = None) -> list[int]:
    """``_candidates`` of the unit first words, less offsets :func:`_unit_at` turns away
    on the word alone (its first letter) or on a few possible next words ("người" only
    goes on with "đứng"). Two thirds of the candidates go that way, and assignments asks
    again for every sentence: the list is made once per text, without a call per offset."""
    memo = _memo(text)
    if len(_lower(memo)) != len(text):
        return _candidates(text, grammar().first["unit"], start, stop)
    hits = memo.starts
    if hits is None:
        hits = memo.starts = _kept_starts(memo, _hits(memo, grammar().first["unit"]))
    stop = len(text) if stop is None else stop
    lo = bisect.bisect_left(hits, (start,))
    hi = bisect.bisect_left(hits, (stop,), lo)
    return [c for c, n in hits[lo:hi] if c + n <= stop]


def _kept_starts(memo: _Memo, hits: list) -> list[tuple[int, int]]:
    """The hits :func:`_unit_at` does not turn away by its first two tests, written out
    here: the word's first letter (``leads``), and for a word that goes on with at most
    a few words, the next word after one blank (when none of them starts there, the
    word there is none of them). The caller has checked that lower-casing keeps offsets."""
    g = grammar()
    t, low, firsts = memo.text, memo.lower, memo.firsts
    n = len(t)
    few = _few_seconds(g)
    out = []
    for c, k in hits:
        w = firsts.get(c)
        if w is None:
            w = _word_at(memo, c)
        if w not in g.leads:
            continue
        leads = g.leads[w]
        if leads is not None and t[c] not in leads:
            continue
        nxt = few.get(w)
        if nxt is not None:
            e = c + len(w)
            if e + 1 < n and t[e] == " " and t[e + 1].isalnum() and not any(low.startswith(x, e + 1) for x in nxt):
                continue
        out.append((c, k))
    return out


_FEW: list = [None, None]  # the grammar the table below was made from, the table


def _few_seconds(g: Grammar) -> dict:
    """First word -> its possible next words, where those are at most four and free of
    the Greek sigma (the one letter whose lower case depends on its neighbours, so a
    word lowered alone may differ from the same word in the lowered text)."""
    if _FEW[0] is not g:
        out = {}
        for w, nxt in g.second.items():
            if nxt is not None and len(nxt) <= 4 and not any("σ" in x or "ς" in x for x in nxt):
                out[w] = tuple(sorted(nxt))
        _FEW[0], _FEW[1] = g, out
    return _FEW[1]


def _trim(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1] in " \t,;-":
        end -= 1
    return end


def unit_kind(match_text: str, start: int, end: int) -> tuple[str, str]:
    """(label, rule id) of a unit from its head (after any quantifier)."""
    g = grammar()
    q = g.quant.match(match_text, start)
    pos = q.end() if q else start
    w = _first(match_text, pos)
    for kind, rule, heads in g.kinds_of.get(w, ()):
        if heads.match(match_text, pos, w):
            return kind, rule
    return "ORG", "unit.generic"


def clean(text: str) -> str:
    """A unit as written, with blanks collapsed and tones unified."""
    return regex.sub(r"\s+", " ", unify_tones(text)).strip()


# ---- persons ---------------------------------------------------------------------

@lru_cache(maxsize=1)
def _person_matcher():
    """spaCy Matcher over the pipeline's syllable tokens: a person cue followed by 2-5
    capitalised syllables ("đồng chí Lò Văn Biên", "Đ/c Nguyễn Ngọc Vinh")."""
    from spacy.matcher import Matcher

    from ..nlp import get_nlp

    nlp = get_nlp()
    m = Matcher(nlp.vocab)
    name = [{"IS_TITLE": True, "OP": "{2,5}"}]
    m.add("per.dong_chi", [[{"LOWER": "đồng"}, {"LOWER": "chí"}, *name],
                           [{"LOWER": "đ"}, {"ORTH": "/"}, {"LOWER": "c"}, *name]], greedy="LONGEST")
    return nlp, m


@lru_cache(maxsize=1)
def _person_rules():
    """(cue regex, title matcher, honorific matcher, position regex, title and honorific
    first words, cue regex without its word bounds) from units.yaml."""
    cfg = patterns.load("units")["persons"]
    titles = cfg["titles"]
    cue = _c(_NB + "(?i:" + "|".join(_word_rx(w) for w in cfg["cues"]) + ")" + _NA)
    # the same words with plain first letters: a literal start lets ``regex`` search fast
    body = "(?i:" + "|".join(_word_rx(w, capital=False) for w in cfg["cues"]) + ")"
    position = _ByFirst(titles, _NA)
    # first syllables as they may be written: titles capitalised, honorifics either way
    firsts = frozenset(regex.match(r"\S+", w).group() for w in titles)
    firsts |= frozenset(v for w in cfg["honorifics"] for v in (w, w[:1].upper() + w[1:]))
    return cue, _ByFirst(titles, _SP), _ByFirst(cfg["honorifics"], _SP), position, firsts, _c(body)


def _persons(seg: Segmented) -> list[Entity]:
    """Only sentences with a person cue are tokenised: the Matcher never sees the rest."""
    out: list[Entity] = []
    done = -1
    for cue in _cues(seg.match_text):
        if cue.start() < done:
            continue
        # a name and its position sit right after the cue: tokenise a window, not the text
        s0 = cue.start()
        s1 = seg.match_text.find("\n", s0, s0 + 240)
        s1 = s1 if s1 >= 0 else min(len(seg.text), s0 + 240)
        done = s1
        out += _persons_in(seg, s0, s1)
    return out


def _cues(t: str) -> list:
    """The person cues of ``t``, as ``finditer`` of the cue regex gives them. Searching
    with that regex is slow (its first letter is a class, "[đĐ]ồng"); the cue words with
    a plain first letter, in any case, are found fast and match wherever a cue does, and
    the cue regex is then tried only where they start."""
    rules = _person_rules()
    cue_rx, body = rules[0], rules[5]
    out = []
    pos = 0
    while True:
        m = body.search(t, pos)
        if m is None:
            return out
        cue = cue_rx.match(t, m.start())
        if cue:
            out.append(cue)
            pos = cue.end()  # finditer goes on after the cue it found
        else:
            pos = m.start() + 1  # a cue may still start inside what the words matched


def _persons_in(seg: Segmented, s0: int, s1: int) -> list[Entity]:
    nlp, matcher = _person_matcher()
    sdoc = nlp.make_doc(seg.match_text[s0:s1])
    out: list[Entity] = []
    for _mid, s, e in matcher(sdoc):
        toks = sdoc[s:e]
        # the name starts after the cue tokens ("đồng chí" = 2, "Đ/c" = 3)
        skip = 2 if toks[0].lower_ == "đồng" else 3
        name = sdoc[s + skip:e]
        # "Đồng chí Đồng chí Lò Văn Biên": drop a repeated cue
        while len(name) > 2 and name[0].lower_ == "đồng" and name[1].lower_ == "chí":
            name = name[2:]
        start, end = s0 + name.start_char, s0 + name.end_char
        out.append(Entity(start, end, seg.text[start:end], "PER", "per.dong_chi"))
        pos = _position(seg.match_text, end)
        if pos:
            out.append(Entity(pos[0], pos[1], seg.text[pos[0]:pos[1]], "POSITION", "per.position"))
    return out


_POS_SEP = regex.compile(r"[^\S\n]*[-–,][^\S\n]*")


def _position(t: str, pos: int) -> Optional[tuple[int, int]]:
    """"- Ủy viên Ban Thường vụ Huyện ủy, Phó Chủ tịch UBND huyện" after a name: titles,
    each with the body it belongs to, joined by commas."""
    titles = _person_rules()[3]
    g = grammar()
    sep = _POS_SEP.match(t, pos)
    if not sep:
        return None
    start = end = None
    p = sep.end()
    while True:
        m = titles.match(t, p)
        if not m:
            break
        start = p if start is None else start
        end = m.end()
        s = g.sp.match(t, end)
        u = unit_at(t, s.end()) if s else None
        if u:
            end = u[1]
        nxt = _POS_SEP.match(t, end)
        if not nxt:
            break
        p = nxt.end()
    return (start, end) if start is not None else None


def _titled_persons(seg: Segmented) -> list[Entity]:
    """"Phó Thủ tướng Trịnh Đình Dũng", "Chủ tịch UBND TP Đà Nẵng Huỳnh Đức Thơ", "ông
    Nguyễn Văn Sưa": a title or honorific, an optional body, then a name of 2+ words."""
    _cue, titles, honorifics, _pos, firsts, _body = _person_rules()
    g = grammar()
    t = seg.match_text
    out = []
    for c in _exact_candidates(t, firsts):
        m = titles.match(t, c) or honorifics.match(t, c)
        if not m:
            continue
        p = m.end()
        u = unit_at(t, p)
        if u:
            s = g.sp.match(t, u[1])
            if not s:
                continue
            p = s.end()
        end = _name(t, p, g)
        if end and len(t[p:end].split()) >= 2:
            out.append(Entity(p, end, seg.text[p:end], "PER", "per.title"))
    return out


# ---- places ------------------------------------------------------------------------

@lru_cache(maxsize=1)
def _gazetteer() -> tuple[frozenset, frozenset]:
    """Folded place names from underthesea's address data (provinces, districts, wards):
    with their level word ("huyen tan uyen") and bare ("tan uyen")."""
    import importlib.util
    import json
    from pathlib import Path

    spec = importlib.util.find_spec("underthesea")
    if spec is None or not spec.submodule_search_locations:
        return frozenset(), frozenset()
    path = Path(list(spec.submodule_search_locations)[0]) / "address" / "data" / "mapping.json"
    if not path.exists():
        return frozenset(), frozenset()
    data = json.loads(path.read_text(encoding="utf-8"))
    names = set()
    for table in ("province_names", "old_province_names"):
        for v in data.get(table, {}).values():
            names.add(fold(v["name"]))
    for row in data.get("ward_mapping", []):
        for key in ("old_district", "old_ward", "new_ward"):
            if row.get(key):
                names.add(fold(row[key]))
    levels = [fold(w) for w in patterns.load("units")["modifiers"]["places"]]
    bare = set()
    for n in names:
        for lv in sorted(levels, key=len, reverse=True):
            if n.startswith(lv + " "):
                bare.add(n[len(lv) + 1:])
                break
    return frozenset(names), frozenset(bare)


def _known_place_end(t: str, start: int, end: int) -> int:
    """Cut a name after a place word to the longest known place ("TP Đà Nẵng Huỳnh Đức
    Thơ" -> "Đà Nẵng"); names the gazetteer does not know are kept whole."""
    words = list(_NONBLANK.finditer(t[start:end]))
    if len(words) < 2:
        return end
    bare = _gazetteer()[1]
    for k in range(len(words), 0, -1):
        if fold(t[start:start + words[k - 1].end()]) in bare:
            return start + words[k - 1].end()
    return end


@lru_cache(maxsize=1 << 16)
def fold(s: str) -> str:
    """The search folding (lower case, no tone marks, đ -> d) with single spaces, for
    lookups. Cached: place lookups fold the same few names over and over."""
    return " ".join(fold_text(s).split())


def _places(seg: Segmented) -> list[Entity]:
    out = []
    g = grammar()
    gaz = _gazetteer()
    t = seg.match_text
    for c in _candidates(t, g.first["place"]):
        m = g.place.match(t, c)
        if not m:
            continue
        s = g.sp.match(t, m.end())
        ns = m.end() if t[m.end() - 1] == "." and _name(t, m.end(), g) else (s.end() if s else None)
        end = _name(t, ns, g) if ns is not None else None
        if not end:
            continue
        end = _known_place_end(t, ns, end)
        start = m.start()
        known = fold(t[start:end]) in gaz[0] or fold(t[ns:end]) in gaz[1]
        out.append(Entity(start, end, seg.text[start:end], "LOC", "loc.gazetteer" if known else "loc.pattern"))
    return out


# ---- organisations ------------------------------------------------------------------

def _orgs(seg: Segmented) -> list[Entity]:
    """Every unit the grammar reads; bare generic words ("xã", "đơn vị") alone are not
    named bodies and are left out."""
    out = []
    mt = seg.match_text
    g = grammar()
    for start, end in iter_units(mt):
        kind, rule = unit_kind(mt, start, end)
        if rule == "unit.officer":  # "Chủ tịch UBND huyện": the body is "UBND huyện"
            start = g.officer.match(mt, start).end()
            kind, rule = unit_kind(mt, start, end)
        text = seg.text[start:end]
        if kind == "ORG" and (" " not in text.strip() or _is_place(mt, start, end)):
            continue
        out.append(Entity(start, end, text, kind, rule))
    return out


def _is_place(t: str, start: int, end: int) -> bool:
    """"tỉnh Hòa Bình" read as a unit is a place, not a body."""
    g = grammar()
    m = g.place.match(t, start)
    if not m:
        return False
    s = g.sp.match(t, m.end())
    return bool(s) and _name(t, s.end(), g) == end


def _in_skipped_section(seg: Segmented, offset: int) -> bool:
    return seg.section_of(offset) in SKIP_SECTIONS


def extract(seg: Segmented, doc: Document) -> list[Entity]:
    items = _persons(seg) + _titled_persons(seg) + _places(seg) + _orgs(seg)
    items = [e for e in items if not (e.label != "PER" and e.label != "POSITION" and _in_skipped_section(seg, e.start))]
    items.sort(key=lambda e: (e.start, -e.end))
    return _drop_nested_same_label(items)


def _drop_nested_same_label(items: list[Entity]) -> list[Entity]:
    """A LOC inside an ORG ("huyện" in "UBND huyện Tân Uyên") stays; an ORG inside a
    longer ORG found at the same start does not."""
    out: list[Entity] = []
    for e in items:
        if out and out[-1].start <= e.start and e.end <= out[-1].end and (out[-1].label == e.label):
            continue
        out.append(e)
    return out
