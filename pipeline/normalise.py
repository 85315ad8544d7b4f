"""Raw text -> normalised text, with a map back to raw offsets.

SPEC offsets point into the *normalised* text, so everything downstream works on it.
``match_text`` is a same-length copy with tone placement unified (hoà -> hòa) so rules
need one spelling while slices of ``text`` keep what the document wrote.

Normalisation is a chain of small steps (NFC, invisible characters, web chrome, markdown
emphasis, page-break line splits). Each step proposes edits ``(start, end, replacement)``
on its input; ``_apply`` carries them out and keeps ``to_raw`` exact, so
``to_raw[i]`` is always the offset in the caller's raw string of normalised char ``i``
(a one-char substitute maps to the char it replaces; any other replacement maps all its
chars to the start of what it replaced).
A step with nothing to do costs one regex scan and no copy.
"""
from __future__ import annotations

import re
import unicodedata
from array import array
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable, Optional

import regex

from . import patterns

# Old-style (on the second vowel of the glide+vowel pair) -> new style, both NFC and of
# equal length, so replacing one by the other never moves an offset.
_TONES = {"\u0300": "`", "\u0301": "'", "\u0303": "~", "\u0309": "?", "\u0323": "."}


def _tone_table() -> dict[str, str]:
    table: dict[str, str] = {}
    pairs = [("o", "a"), ("o", "e"), ("u", "y")]
    for first, second in pairs:
        for mark in _TONES:
            for f_case, s_case in ((str.lower, str.lower), (str.upper, str.upper), (str.upper, str.lower)):
                f, s = f_case(first), s_case(second)
                old = unicodedata.normalize("NFC", f + s + mark)
                new = unicodedata.normalize("NFC", f + mark + s)
                if len(old) == len(new) == 2 and old != new:
                    table[old] = new
    return table


TONE_TABLE = _tone_table()
# old-style only where the pair is not followed by another vowel/final that keeps the mark
# on the second vowel (hoàng, thuý -> thúy but quý stays: "qu" is a consonant cluster).
# Character classes rather than an alternation of the pairs: twice as fast on news text.
_TONE_CTX_RE = regex.compile(
    r"(?<![qQ])[" + "".join(sorted({k[0] for k in TONE_TABLE})) + "]["
    + "".join(sorted({k[1] for k in TONE_TABLE})) + r"](?![\p{L}])"
)


# A cheaper test that every _TONE_CTX_RE match passes (its letter class holds only
# letters, so it refuses no less): most texts have no old-style pair and skip the sub.
# The stdlib scan, led by the toned vowel (rarer than "o" and "u") with the rest checked
# behind it, is nearly twice as fast as the look-behind led pattern.
_LATIN_LETTERS = "".join(
    c for c in map(chr, [*range(0x41, 0x7B), *range(0xC0, 0x250), *range(0x1E00, 0x1F00)]) if c.isalpha()
)
_TONE_PAIR_END = re.compile(
    "[" + "".join(sorted({k[1] for k in TONE_TABLE})) + "]"
    "(?<=[" + "".join(sorted({k[0] for k in TONE_TABLE})) + "].)(?<![qQ]..)"
    "(?![" + _LATIN_LETTERS + "])"
)


def unify_tones(text: str) -> str:
    """hoà -> hòa, uỷ -> ủy, khoẻ -> khỏe; same length as the input."""
    if not _TONE_PAIR_END.search(text):
        return text
    return _TONE_CTX_RE.sub(lambda m: TONE_TABLE.get(m.group(), m.group()), text)


@dataclass
class Normalised:
    text: str
    match_text: str
    to_raw: array = field(repr=False)  # to_raw[i] = raw offset of normalised char i
    warnings: list[str] = field(default_factory=list)


Edit = tuple[int, int, str]                       # replace text[start:end] by str
Step = Callable[[str], tuple[list[Edit], list[str]]]


_IDENTITY = array("q")
_IDENTITY_CACHE_MAX = 1 << 22     # chars; longer texts build their own map


def _identity(n: int) -> array:
    """array('q', range(n)), sliced from a cached one (a C copy instead of a Python loop)."""
    global _IDENTITY
    if n > _IDENTITY_CACHE_MAX:
        return _arange(n)
    if len(_IDENTITY) < n:
        _IDENTITY = _arange(min(max(n, 2 * len(_IDENTITY), 1 << 16), _IDENTITY_CACHE_MAX))
    return _IDENTITY[:n]


def _arange(n: int) -> array:
    try:
        import numpy  # present with pandas; fills the buffer in C
    except ImportError:  # pragma: no cover
        return array("q", range(n))
    out = array("q")
    out.frombytes(numpy.arange(n, dtype=numpy.int64).tobytes())
    return out


def _apply(text: str, to_raw: Optional[array], edits: list[Edit]) -> tuple[str, array]:
    """Carry out sorted, non-overlapping edits; compose the offset map (None = identity)."""
    if to_raw is None:
        to_raw = _identity(len(text))
    span = lambda s, e: to_raw[s:e]  # noqa: E731
    anchor = to_raw.__getitem__
    parts: list[str] = []
    origin = array("q")
    pos = 0
    last = max(len(text) - 1, 0)
    for start, end, rep in edits:
        parts.append(text[pos:start])
        origin.extend(span(pos, start))
        if rep:
            parts.append(rep)
            if len(rep) == end - start == 1:
                origin.append(anchor(start))
            else:
                origin.extend([anchor(min(start, last))] * len(rep))
        pos = end
    parts.append(text[pos:])
    origin.extend(span(pos, len(text)))
    return "".join(parts), origin


# --------------------------------------------------------------------------- steps

_GRAPHEME = regex.compile(r"\X")


def nfc_edits(text: str) -> tuple[list[Edit], list[str]]:
    """NFC, one grapheme cluster at a time so each composed letter maps to its source."""
    if unicodedata.is_normalized("NFC", text):   # the usual case, in one call
        return [], []
    lines = text.split("\n")          # per line: "\n" never composes, so lines are independent
    edits: list[Edit] = []
    pos = 0
    for line in lines:
        if not unicodedata.is_normalized("NFC", line):
            for m in _GRAPHEME.finditer(line):
                cluster = m.group()
                nfc = unicodedata.normalize("NFC", cluster)
                if nfc != cluster:
                    edits.append((pos + m.start(), pos + m.end(), nfc))
        pos += len(line) + 1
    return edits, [f"normalised to Unicode NFC: {len(edits)} characters composed"]


_INVISIBLE = regex.compile(
    r"\r\n?|[\u200b\u200c\u200d\u2060\ufeff\u00ad]|[\u00a0\u2000-\u200a\u202f\u3000]|[\f\v\x85\u2028\u2029]"
)


_INVISIBLE_CHARS = "\r\u200b\u200c\u200d\u2060\ufeff\u00ad\u00a0\u202f\u3000\f\v\x85\u2028\u2029" + "".join(
    chr(c) for c in range(0x2000, 0x200B))


def character_edits(text: str) -> tuple[list[Edit], list[str]]:
    """CRLF/CR -> LF, no-break and odd spaces -> space, zero-width and soft hyphens out."""
    if not any(c in text for c in _INVISIBLE_CHARS):
        return [], []
    edits: list[Edit] = []
    for m in _INVISIBLE.finditer(text):
        tok = m.group()
        if tok.startswith("\r") or tok in "\f\v\x85\u2028\u2029":
            edits.append((m.start(), m.end(), "\n"))
        elif tok in "\u200b\u200c\u200d\u2060\ufeff\u00ad":
            edits.append((m.start(), m.end(), ""))
        else:
            edits.append((m.start(), m.end(), " "))
    return edits, []


_MAX_CHROME_LINE = 300     # chrome lines are short; longer lines are never tested


@dataclass(frozen=True)
class _Chrome:
    cutoff: "regex.Pattern[str]"
    lines: "regex.Pattern[str]"
    trailing: "regex.Pattern[str]"
    ids: dict[str, str]               # regex group name -> rule id
    crumb_id: str
    crumb_max_line: int
    crumb_split: "regex.Pattern[str]"
    crumb_sections: frozenset[str]
    crumb_starts: tuple[str, ...]     # the same names, for a str.startswith test
    cut_min_position: float
    cut_max_tail_line: int


def _rules_regex(rules: list[dict], prefix: str, ids: dict[str, str]) -> "regex.Pattern[str]":
    """One regex for a whole (stripped) line against any rule; the group names the rule."""
    alts = []
    for i, rule in enumerate(rules):
        name = f"{prefix}{i}"
        ids[name] = rule["id"]
        alts.append(f"(?P<{name}>{rule['match']})")
    return regex.compile("(?:" + "|".join(alts) + ")", regex.I | regex.V0)


@lru_cache(maxsize=None)
def _chrome() -> _Chrome:
    spec = patterns.load("chrome")
    ids: dict[str, str] = {}
    crumb = spec["breadcrumb"]
    return _Chrome(
        cutoff=_rules_regex(spec["cutoff"], "c", ids),
        lines=_rules_regex(spec["lines"], "l", ids),
        trailing=_rules_regex(spec["trailing"], "t", ids),
        ids=ids,
        crumb_id=crumb["id"],
        crumb_max_line=int(crumb["max_line"]),
        crumb_split=regex.compile(crumb["separators"]),
        crumb_sections=frozenset(s.casefold() for s in crumb["sections"]),
        crumb_starts=tuple(sorted({s.casefold() for s in crumb["sections"]})),
        cut_min_position=float(spec["cutoff_guard"]["min_position"]),
        cut_max_tail_line=int(spec["cutoff_guard"]["max_tail_line"]),
    )


_NONBLANK = regex.compile(r"\S")


def _last_long_line_end(text: str, limit: int) -> int:
    """End offset of the last line longer than ``limit`` chars (0 if there is none)."""
    end = len(text)
    while end > 0:
        start = text.rfind("\n", 0, end) + 1
        if end - start > limit:
            return end
        end = start - 1
    return 0


def _trusted_cut(text: str, start: int, ch: _Chrome, long_end: list[int]) -> bool:
    """Some content before the marker, and the marker late in the text or a short-lined tail.

    ``long_end`` caches the end of the text's last long line across calls.
    """
    if not _NONBLANK.search(text, 0, start):
        return False
    if start >= len(text) * ch.cut_min_position:
        return True
    if not long_end:
        long_end.append(_last_long_line_end(text, ch.cut_max_tail_line))
    return start >= long_end[0]


def _rule_of(m: "regex.Match[str]", ids: dict[str, str]) -> str:
    return next(ids[k] for k, v in m.groupdict().items() if v is not None)


def _is_breadcrumb(line: str, ch: _Chrome) -> bool:
    """A menu path such as 'Sức khỏe - Đời sống': two or more known section names."""
    if not line.casefold().startswith(ch.crumb_starts):
        return False  # the first part is no section name (casefold keeps prefixes)
    parts = [p.strip().casefold() for p in ch.crumb_split.split(line)]
    return len(parts) > 1 and all(p in ch.crumb_sections for p in parts)


def _short_lines(text: str):
    """(start, end, stripped line, leading blanks, index among non-blank lines) of short lines."""
    pos = 0
    nonblank = 0
    for line in text.split("\n"):
        end = pos + len(line)
        if line and not line.isspace():
            nonblank += 1
            if len(line) <= _MAX_CHROME_LINE:
                stripped = line.strip()
                yield pos, end, stripped, pos + line.index(stripped[0]), nonblank
        pos = end + 1


def chrome_edits(text: str) -> tuple[list[Edit], list[str]]:
    """Drop web-page chrome by the rules of patterns/chrome.yaml."""
    ch = _chrome()
    found: list[tuple[Edit, str]] = []
    cut: Optional[tuple[int, str, str]] = None      # (offset, rule, line)
    long_end: list[int] = []
    for start, end, line, lead, index in _short_lines(text):
        m = ch.cutoff.fullmatch(line)
        if m and _trusted_cut(text, start, ch, long_end):
            cut = (len(text[:start].rstrip()), _rule_of(m, ch.ids), line)
            break
        eol = min(end + 1, len(text))
        if m := ch.lines.fullmatch(line):
            found.append(((start, eol, ""), _rule_of(m, ch.ids)))
        elif m := ch.trailing.fullmatch(line):
            found.append(((lead + m.start("drop"), end, ""), _rule_of(m, ch.ids)))
        elif index <= ch.crumb_max_line and _is_breadcrumb(line, ch) and text[eol:].strip():
            found.append(((start, eol, ""), ch.crumb_id))
    if cut:  # dropped lines right above the tail merge into it
        offset = -1
        while offset != cut[0]:
            offset = cut[0]
            start = min([offset] + [e[0] for e, _rule in found if e[1] > offset])
            cut = (len(text[:start].rstrip()), cut[1], cut[2])
        found = [(e, rule) for e, rule in found if e[1] <= cut[0]]
    counts: dict[str, int] = {}
    for _edit, rule in found:
        counts[rule] = counts.get(rule, 0) + 1
    notes = [f"dropped web chrome: {n} {'line' if n == 1 else 'lines'} (rule {rule})" for rule, n in counts.items()]
    edits = [edit for edit, _rule in found]
    if cut:
        offset, rule, _line = cut
        lines = [x.strip() for x in text[offset:].split("\n") if x.strip()]
        edits.append((offset, len(text), ""))
        notes.append(f"dropped web chrome: {len(lines)} lines from {lines[0][:40]!r} on (rule {rule})")
    return edits, notes


_EMPHASIS = regex.compile(
    r"(?<![*\\])(\*\*)(?=[^\s*])(?:(?!\n[ \t]*\n)[^*]){1,600}?(?<=[^\s*])\*\*(?!\*)"
    r"|(?<![_\w\\])(__)(?=[^\s_])(?:(?!\n[ \t]*\n)[^_]){1,600}?(?<=[^\s_])__(?![_\w])"
    r"|(?<![~\\])(~~)(?=[^\s~])(?:(?!\n[ \t]*\n)[^~]){1,600}?(?<=[^\s~])~~(?!~)",
    regex.V0,
)


def markdown_edits(text: str) -> tuple[list[Edit], list[str]]:
    """``**bold**``, ``__bold__``, ``~~strike~~`` -> the inner text (markers dropped)."""
    if "*" not in text and "_" not in text and "~" not in text:
        return [], []  # every span opens with "**", "__" or "~~" (one-char tests are the fast ones)
    edits: list[Edit] = []
    for m in _EMPHASIS.finditer(text):
        edits.append((m.start(), m.start() + 2, ""))
        edits.append((m.end() - 2, m.end(), ""))
    note = [f"removed markdown emphasis: {len(edits) // 2} spans"] if edits else []
    return edits, note


# A line ending in a letter or digit, blank line(s) or a bare page number ("- 2 -"), then
# a line starting in lower case.
_PAGE_BREAK = regex.compile(
    r"\n(?:[ \t]*\n)*(?:[ \t]*[-–]?[ \t]*\d{1,3}[ \t]*[-–]?[ \t]*\n(?:[ \t]*\n)*|(?<=\n[ \t]*)\n)[ \t]*(?=\p{Ll})"
)
_LIST_LABEL = regex.compile(r"\p{Ll}{1,4}[).]\s")
_MIN_BROKEN_LINE = 30


def page_break_edits(text: str) -> tuple[list[Edit], list[str]]:
    """Rejoin a sentence that a page break split over a blank line.

    "...chính sách pháp luật của Nhà\\n\\nnước về công tác..." -> one line, also across a
    page-number line. Headings (short or upper-case lines) and list items (next line
    "a) ...") are left alone.
    """
    edits: list[Edit] = []
    for m in _PAGE_BREAK.finditer(text):
        line_start = text.rfind("\n", 0, m.start()) + 1
        prev = text[line_start : m.start()].rstrip(" \t")
        if len(prev.strip()) < _MIN_BROKEN_LINE or prev.upper() == prev or not prev[-1].isalnum():
            continue
        if _LIST_LABEL.match(text, m.end()):
            continue
        edits.append((line_start + len(prev), m.end(), " "))
    note = [f"joined {len(edits)} line{'' if len(edits) == 1 else 's'} split by page breaks"] if edits else []
    return edits, note


STEPS: tuple[Step, ...] = (character_edits, nfc_edits, chrome_edits, markdown_edits, page_break_edits)


_MAX_ROUNDS = 4


def normalise(raw: str) -> Normalised:
    """NFC, line endings, invisible characters, web chrome, markdown, page breaks.

    The chain is repeated until nothing changes (an edit can expose another, e.g. two
    emphasis spans around a line break), so normalising normalised text is a no-op and
    downstream code may call it again on ``Document.text``.
    """
    text, to_raw = raw, None
    warnings: list[str] = []
    for _round in range(_MAX_ROUNDS):
        changed = False
        for step in STEPS:
            edits, notes = step(text)
            if edits:
                text, to_raw = _apply(text, to_raw, edits)
                warnings.extend(notes)
                changed = True
        if not changed:
            break
    if to_raw is None:
        to_raw = _identity(len(text))
    return Normalised(text=text, match_text=unify_tones(text), to_raw=to_raw, warnings=warnings)
