"""Normalised text -> blocks (headings, list items, paragraphs), named sections and
sentences, each with character offsets. A block knows its parent heading, so the context a
heading sets ("Mục tiêu đến năm 2025", "3. Trung tâm Y tế:") reaches the items below it.
"""
from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Iterator, Optional

import regex

from . import patterns


@dataclass
class Block:
    start: int          # offset of the block's first char (label included)
    end: int
    label: Optional[str]  # "I.", "1.2.", "a)", "(3)", "-" ...
    level: int          # smaller = higher in the outline
    body_start: int     # offset just after the label
    is_heading: bool
    section: Optional[str] = None   # canonical section name the block falls in
    parent: Optional[int] = None    # index of the enclosing heading block


@dataclass
class Sentence:
    start: int
    end: int
    block: int


@dataclass
class Segmented:
    text: str
    match_text: str
    blocks: list[Block] = field(default_factory=list)
    sentences: list[Sentence] = field(default_factory=list)
    _block_starts: list[int] = field(default_factory=list, repr=False)
    _sent_starts: list[int] = field(default_factory=list, repr=False)

    def block_at(self, offset: int) -> Optional[int]:
        """The last block starting at or before ``offset`` (the one holding it, or the one
        before the blank line it falls in)."""
        i = bisect.bisect_right(self._block_starts, offset) - 1
        return i if i >= 0 else None

    def sentence_at(self, offset: int) -> Optional[Sentence]:
        i = bisect.bisect_right(self._sent_starts, offset) - 1
        if i >= 0 and self.sentences[i].start <= offset <= self.sentences[i].end:
            return self.sentences[i]
        return None

    def ancestors(self, block_index: Optional[int]) -> Iterator[Block]:
        """The enclosing heading blocks, nearest first."""
        seen = 0
        i = self.blocks[block_index].parent if block_index is not None else None
        while i is not None and seen < 20:
            yield self.blocks[i]
            i = self.blocks[i].parent
            seen += 1

    def block_text(self, b: Block, body: bool = True) -> str:
        return self.text[b.body_start if body else b.start:b.end]

    def section_of(self, offset: int) -> Optional[str]:
        i = self.block_at(offset)
        return self.blocks[i].section if i is not None else None


# ---- labels and levels -------------------------------------------------------------

_LABELS = [
    # (regex, level); the first that matches a line's start wins
    (r"(?:PHẦN|Phần|CHƯƠNG|Chương)\s+[IVXLC\d]+[.:]?", 0),
    (r"[IVX]{1,5}\s*[.:/)-]", 1),
    (r"\d{1,2}\.\d{1,2}\.\d{1,2}\.?", 4),
    (r"\d{1,2}\.\d{1,2}\.?", 3),
    (r"\d{1,2}\s*[.)/]", 2),
    (r"[a-zđ]\s*\)", 5),
    (r"\(\d{1,2}\)", 6),
    (r"[-–—+•*·●▪]\s*(?:\(\d{1,2}\)|[a-zđ]\))?", 7),
]
# matched at a line's start with pos/endpos (no "^": it would only hold at the text's start)
_LABEL_RE = regex.compile(
    r"[ \t]*(?P<label>" + "|".join(f"(?:{p})" for p, _ in _LABELS) + r")(?=\s|$)"
)
_LEVELS = [(regex.compile(r"^(?:" + p + r")$"), lvl) for p, lvl in _LABELS]
_SENT_END = regex.compile(r"[.;!?…]\s*$|\./\.\s*$")


def _label_level(label: str) -> int:
    for rx, lvl in _LEVELS:
        if rx.match(label):
            return lvl
    return 8


@lru_cache(maxsize=1)
def _section_rule() -> tuple["regex.Pattern[str]", list[str]]:
    """All section rules in one anchored alternation, a group per rule in table order:
    each branch holds its own blanks, so a branch is tried in full before the next and
    the first rule that matches still wins, for one match instead of one per rule."""
    rules = patterns.load("sections")["sections"]
    alts = [f"(?P<s{i}>\\s*(?:" + "|".join(rule["match"]) + "))" for i, rule in enumerate(rules)]
    return regex.compile("^(?:" + "|".join(alts) + ")", regex.I | regex.V1), [rule["name"] for rule in rules]


def _section_name(heading: str) -> Optional[str]:
    rx, names = _section_rule()
    m = rx.match(heading)
    if m is None:
        return None
    return next(name for i, name in enumerate(names) if m.group(f"s{i}") is not None)


def _is_caps_heading(line: str) -> bool:
    if len(line) >= 200:  # checked first: news bodies are single lines of thousands of chars
        return False
    letters = "".join(filter(str.isalpha, line))
    return 3 <= len(letters) and sum(map(str.isupper, letters)) / len(letters) > 0.8


def _lines(text: str) -> Iterator[tuple[int, int]]:
    pos = 0
    n = len(text)
    while pos < n:
        nl = text.find("\n", pos)
        end = n if nl < 0 else nl
        yield pos, end
        pos = end + 1


def _content(text: str, start: int, end: int) -> tuple[int, int]:
    """The bounds of ``text[start:end].strip()``, found without copying the line (news
    bodies are single lines of thousands of chars)."""
    s = start
    while s < end and text[s].isspace():
        s += 1
    e = end
    while e > s and text[e - 1].isspace():
        e -= 1
    return s, e


def segment(text: str, match_text: Optional[str] = None) -> Segmented:
    seg = Segmented(text=text, match_text=match_text if match_text is not None else text)
    stack: list[int] = []  # indices of open heading blocks
    section: Optional[str] = None
    for start, end in _lines(text):
        s, e = _content(text, start, end)
        if s == e:
            continue
        m = _LABEL_RE.match(text, start, end)
        label = m.group("label").strip() if m else None
        level = _label_level(label) if label else 8
        body_start = m.end() if m else s
        while body_start < e and text[body_start] in " \t":
            body_start += 1
        body = text[body_start:e]
        caps = _is_caps_heading(body)
        ends_colon = body.endswith(":")  # body ends at e: no trailing blanks
        short = len(body) < 160 and not _SENT_END.search(body)
        is_heading = bool((label and level < 7 and (short or ends_colon)) or caps or (ends_colon and len(body) < 120))
        if caps and not label:
            level = 1 if len(body) > 12 else 0
        name = _section_name(body) if (is_heading or len(body) < 60) else None
        # close headings at the same or a deeper level
        while stack and seg.blocks[stack[-1]].level >= level:
            stack.pop()
        if name:
            section = name
        elif is_heading and not stack:
            section = section if level > 1 else None
        parent = stack[-1] if stack else None
        blk = Block(start=s, end=e, label=label, level=level, body_start=body_start,
                    is_heading=is_heading, section=name or section, parent=parent)
        seg.blocks.append(blk)
        if is_heading:
            stack.append(len(seg.blocks) - 1)
        elif label and level <= 7 and ends_colon:
            stack.append(len(seg.blocks) - 1)
    seg._block_starts = [b.start for b in seg.blocks]
    _split_sentences(seg)
    return seg


# the blanks after a sentence end, before a capital, digit, quote or dash (or after "./.");
# led by the end mark itself, not a lookbehind, so the scan jumps from mark to mark
_SENT_SPLIT = regex.compile(
    r"[.!?…;](\s+)(?:(?=[\p{Lu}\d\"“(\-–])|(?<=\./\.\s+))"
)
_ABBREVIATIONS = ("TP", "Tp", "ThS", "TS", "PGS", "GS", "BS", "Đ/c", "đ/c", "St", "v.v", "Q", "P", "TT", "KH", "UBND", "Ths")
_NO_SPLIT_BEFORE = regex.compile(
    r"(?:\b(?:" + "|".join(regex.escape(a) for a in _ABBREVIATIONS) + r")\.|\b[\p{Lu}]\.)$"
)
# the letters other than capitals that end an abbreviation
_ABBREVIATION_LAST = frozenset(a[-1] for a in _ABBREVIATIONS if not a[-1].isupper())


def _may_be_abbreviation(text: str, block_start: int, at: int) -> bool:
    """Every _NO_SPLIT_BEFORE alternative is a capital or an abbreviation's last letter,
    then a full stop: most sentence ends ("... năm nay. Sau") need no regex search."""
    if at - 2 < block_start or text[at - 1] != ".":
        return False
    last = text[at - 2]
    return last.isupper() or last in _ABBREVIATION_LAST


def _split_sentences(seg: Segmented) -> None:
    """Rule splitter (fast, offset-exact); abbreviations such as "TP." do not end a sentence."""
    text = seg.text
    sentences = seg.sentences
    may_be_abbreviation = _may_be_abbreviation
    no_split = _NO_SPLIT_BEFORE.search
    for bi, b in enumerate(seg.blocks):
        cur = start = b.start
        for m in _SENT_SPLIT.finditer(text, start, b.end):
            at = m.start(1)
            if may_be_abbreviation(text, start, at) and no_split(text, max(start, at - 8), at):
                continue
            sentences.append(Sentence(cur, at, bi))
            cur = m.end()
        if cur < b.end:
            sentences.append(Sentence(cur, b.end, bi))
    seg._sent_starts = [s.start for s in sentences]
