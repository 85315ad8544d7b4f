"""Accent, đ, tone-placement and case folding for search.

SQLite's ``unicode61 remove_diacritics`` leaves ``đ`` alone, so "dat" would never find
"đạt". We fold in Python instead, on both the indexed text and the query. Folding works
one character at a time and maps every character to exactly one character, so
``fold(s)[i]`` corresponds to ``s[i]``: a hit found in the folded text is highlighted at
the same offsets in the original. Stripping the tone mark also makes the old and new tone
placements (hoà / hòa, uỷ / ủy) fold to the same string.
"""
from __future__ import annotations

import unicodedata

import regex

_SPECIAL = {"đ": "d", "Đ": "d", "ð": "d", "Ð": "d", "ı": "i", "ø": "o", "Ø": "o"}

# query and index tokens: what FTS5's unicode61 tokenizer treats as one token
TOKEN = regex.compile(r"[\p{L}\p{N}]+")
_DASHES = regex.compile(r"[\p{Pd}\u2212]")
_SPACES = regex.compile(r"\s+")


def _fold_char(ch: str) -> str:
    if ch in _SPECIAL:
        return _SPECIAL[ch]
    if unicodedata.combining(ch):
        return ch  # a lone mark (non-NFC input) keeps its place; the tokenizer drops it
    base = "".join(c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c))
    low = base.lower() if base else ch
    low = _SPECIAL.get(low, low)
    return low if len(low) == 1 else ch.lower()[:1] or ch


class _FoldTable(dict):
    """str.translate table filled on first use of each character."""

    def __missing__(self, code: int) -> str:
        out = _fold_char(chr(code))
        self[code] = out
        return out


_TABLE = _FoldTable()


def fold(text: str) -> str:
    """Lowercase, strip accents and tone marks, đ -> d; ``len(fold(s)) == len(s)``."""
    return text.translate(_TABLE) if text else text


def fold_query(text: str) -> str:
    """Fold free text typed by a user (may be NFD, may use any tone placement)."""
    return fold(unicodedata.normalize("NFC", text))


def tokens(text: str) -> list[str]:
    """Folded search tokens of ``text``."""
    return TOKEN.findall(fold_query(text))


def ref_key(ref_id: str | None) -> str | None:
    """Canonical comparison key of a document id: no spaces, dashes unified, folded.

    "20 - NQ/TW", "20–nq/tw" and "20-NQ/TW" share one key; so do "72/2024/NĐ-CP" and
    "72/2024/ND-CP".
    """
    if not ref_id:
        return None
    key = _SPACES.sub("", _DASHES.sub("-", unicodedata.normalize("NFC", ref_id)))
    return fold(key) or None


_AROUND_JOINERS = regex.compile(r"\s*([-/])\s*")


def names_id(text: str | None, key: str) -> bool:
    """Whether ``text`` (a title, say) names the document whose :func:`ref_key` is ``key``
    as a whole id: "120-NQ/TW" names 120-NQ/TW, not 20-NQ/TW."""
    if not text or not key:
        return False
    folded = fold(_AROUND_JOINERS.sub(r"\1", _DASHES.sub("-", unicodedata.normalize("NFC", text))))
    return regex.search(r"(?<![\p{N}])" + regex.escape(key) + r"(?![\p{L}\p{N}])", folded) is not None
