"""Raw text -> normalised text, with a map back to raw offsets.

SPEC offsets point into the *normalised* text, so everything downstream works on it.
``match_text`` is a same-length copy with tone placement unified (hoà -> hòa) so rules
need one spelling while slices of ``text`` keep what the document wrote.
"""
from __future__ import annotations

import unicodedata
from array import array
from dataclasses import dataclass, field

import regex

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
_TONE_RE = regex.compile("|".join(sorted(TONE_TABLE, key=len, reverse=True)))
# old-style only where the pair is not followed by another vowel/final that keeps the mark
# on the second vowel (hoàng, thuý -> thúy but quý stays: "qu" is a consonant cluster).
_TONE_CTX_RE = regex.compile(
    r"(?<![qQ])(" + _TONE_RE.pattern + r")(?![\p{L}])"
)


def unify_tones(text: str) -> str:
    """hoà -> hòa, uỷ -> ủy, khoẻ -> khỏe; same length as the input."""
    return _TONE_CTX_RE.sub(lambda m: TONE_TABLE[m.group(1)], text)


@dataclass
class Normalised:
    text: str
    match_text: str
    to_raw: array = field(repr=False)  # to_raw[i] = raw offset of normalised char i
    warnings: list[str] = field(default_factory=list)


class _Builder:
    """Appends pieces of the raw string, remembering where each char came from."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.origin = array("q")

    def keep(self, raw: str, start: int, end: int) -> None:
        self.parts.append(raw[start:end])
        self.origin.extend(range(start, end))

    def insert(self, s: str, at: int) -> None:
        self.parts.append(s)
        self.origin.extend([at] * len(s))

    def build(self) -> tuple[str, array]:
        return "".join(self.parts), self.origin


def normalise(raw: str) -> Normalised:
    """NFC, line endings, invisible characters; chrome/markdown repair hooks in order."""
    text = unicodedata.normalize("NFC", raw)
    if len(text) != len(raw):
        # NFC changed lengths: offsets against raw are approximate from here on, which is
        # acceptable since SPEC offsets are defined on the normalised text.
        raw = text
    b = _Builder()
    pos = 0
    for m in regex.finditer(r"\r\n?|[\u200b\u200c\u200d\ufeff\u00ad]|\u00a0", text):
        b.keep(text, pos, m.start())
        tok = m.group()
        if tok.startswith("\r"):
            b.insert("\n", m.start())
        elif tok == "\u00a0":
            b.insert(" ", m.start())
        pos = m.end()
    b.keep(text, pos, len(text))
    out, origin = b.build()
    return Normalised(text=out, match_text=unify_tones(out), to_raw=origin)
