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
_LABEL_RE = regex.compile(
    r"^[ \t]*(?P<label>" + "|".join(f"(?:{p})" for p, _ in _LABELS) + r")(?=\s|$)"
)
_LEVELS = [(regex.compile(r"^(?:" + p + r")$"), lvl) for p, lvl in _LABELS]
_SENT_END = regex.compile(r"[.;!?…]\s*$|\./\.\s*$")


def _label_level(label: str) -> int:
    for rx, lvl in _LEVELS:
        if rx.match(label):
            return lvl
    return 8


@lru_cache(maxsize=1)
def _section_rules() -> list[tuple["regex.Pattern[str]", str]]:
    rules = []
    for rule in patterns.load("sections")["sections"]:
        rules.append((regex.compile(r"^\s*(?:" + "|".join(rule["match"]) + r")", regex.I | regex.V1), rule["name"]))
    return rules


def _section_name(heading: str) -> Optional[str]:
    for rx, name in _section_rules():
        if rx.search(heading):
            return name
    return None


def _is_caps_heading(line: str) -> bool:
    if len(line) >= 200:  # checked first: news bodies are single lines of thousands of chars
        return False
    letters = [c for c in line if c.isalpha()]
    return 3 <= len(letters) and sum(c.isupper() for c in letters) / len(letters) > 0.8


def _lines(text: str) -> Iterator[tuple[int, int]]:
    pos = 0
    n = len(text)
    while pos < n:
        nl = text.find("\n", pos)
        end = n if nl < 0 else nl
        yield pos, end
        pos = end + 1


def segment(text: str, match_text: Optional[str] = None) -> Segmented:
    seg = Segmented(text=text, match_text=match_text if match_text is not None else text)
    stack: list[int] = []  # indices of open heading blocks
    section: Optional[str] = None
    for start, end in _lines(text):
        line = text[start:end]
        stripped = line.strip()
        if not stripped:
            continue
        lead = len(line) - len(line.lstrip())
        s, e = start + lead, start + len(line.rstrip())
        m = _LABEL_RE.match(line)
        label = m.group("label").strip() if m else None
        level = _label_level(label) if label else 8
        body_start = start + m.end() if m else s
        while body_start < e and text[body_start] in " \t":
            body_start += 1
        body = text[body_start:e]
        caps = _is_caps_heading(body)
        ends_colon = body.rstrip().endswith(":")
        short = len(body) < 160 and not _SENT_END.search(body)
        is_heading = bool((label and level < 7 and (short or ends_colon)) or caps or (ends_colon and len(body) < 120))
        if caps and not label:
            level = 1 if len(body) > 12 else 0
        name = _section_name(body) if (is_heading or len(body) < 60) else None
        # close headings at the same or a deeper level
        while stack and seg.blocks[stack[-1]].level >= level and (is_heading or seg.blocks[stack[-1]].level >= level):
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
_NO_SPLIT_BEFORE = regex.compile(r"(?:\b(?:TP|Tp|ThS|TS|PGS|GS|BS|Đ/c|đ/c|St|v\.v|Q|P|TT|KH|UBND|Ths)\.|\b[\p{Lu}]\.)$")


def _split_sentences(seg: Segmented) -> None:
    """Rule splitter (fast, offset-exact); abbreviations such as "TP." do not end a sentence."""
    text = seg.text
    for bi, b in enumerate(seg.blocks):
        cur = b.start
        for m in _SENT_SPLIT.finditer(text, b.start, b.end):
            at = m.start(1)
            if _NO_SPLIT_BEFORE.search(text, max(b.start, at - 8), at):
                continue
            seg.sentences.append(Sentence(cur, at, bi))
            cur = m.end()
        if cur < b.end:
            seg.sentences.append(Sentence(cur, b.end, bi))
    seg._sent_starts = [s.start for s in seg.sentences]
