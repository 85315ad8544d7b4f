"""Vietnamese numerals as written in documents: dot groups thousands and comma marks the
decimal ("16.211" = 16211, "95,2" = 95.2), ranges ("1,5-2%/năm", "từ 5 đến 7") and
ratios ("2.377/2.447"). Shared by every extractor that reads figures.

``NUMBER`` is a regex fragment (no groups) that never starts or ends inside a longer
numeral, date or code, so "25/10/2017", "Covid-19" and "2.377/2.447" are not read as loose
numbers.
"""
from __future__ import annotations

import re
from typing import Optional

import regex

# thousands groups first (16.211, 1.000.000,5), then plain/decimal (95,2; 95.2 as typed
# by English keyboards when the fraction has one or two digits)
_BODY = r"(?:\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:,\d+)?|\d+\.\d{1,2}(?![\d.]))"
_END = r"(?![\p{N}]|[.,/]\d)"
NUMBER = r"(?<![\p{L}\p{N}.,/\-–])" + _BODY + _END
NUMBER_AFTER_SEP = _BODY + _END  # second half of a range: "2" in "1,5-2"
RANGE_SEP = r"\s*(?:-|–|÷|đến|tới)\s*"

_NUMBER_RE = regex.compile(NUMBER)
# the shapes of one numeral: plain digits and punctuation, so the stdlib engine (same
# ``\d``: Unicode decimal digits) checks them several times faster than ``regex``
_THOUSANDS = re.compile(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?")
_COMMA_DEC = re.compile(r"\d+,\d+")
_DOT_DEC = re.compile(r"\d+(?:\.\d{1,2})?")
_RANGE_RE = regex.compile(r"(?P<a>" + NUMBER + r")\s*%?" + RANGE_SEP + r"(?P<b>" + NUMBER_AFTER_SEP + r")")
_RATIO_RE = regex.compile(r"(?P<a>" + _BODY + r")\s*/\s*(?P<b>" + _BODY + r")")


def parse_number(s: str) -> Optional[float]:
    """'16.211' -> 16211.0, '95,2' -> 95.2, '0,38' -> 0.38, '95.2' -> 95.2; None if not a number."""
    s = s.strip()
    if not s:
        return None
    if _THOUSANDS.fullmatch(s):
        s = s.replace(".", "").replace(",", ".")
    elif _COMMA_DEC.fullmatch(s):
        s = s.replace(",", ".")
    elif not _DOT_DEC.fullmatch(s):
        return None
    try:
        return float(s)
    except ValueError:
        return None


def parse_range(s: str) -> Optional[tuple[float, float]]:
    """'1,5-2%' -> (1.5, 2.0); 'từ 5 đến 7' -> (5.0, 7.0); None unless low <= high."""
    m = _RANGE_RE.search(s)
    if not m:
        return None
    a, b = parse_number(m.group("a")), parse_number(m.group("b"))
    if a is None or b is None or a > b:
        return None
    return a, b


def parse_ratio(s: str) -> Optional[tuple[float, float]]:
    """'2.377/2.447' -> (2377.0, 2447.0): part over whole, as in "đảng viên 2.377/2.447"."""
    m = _RATIO_RE.fullmatch(s.strip())
    if not m:
        return None
    a, b = parse_number(m.group("a")), parse_number(m.group("b"))
    if a is None or b is None:
        return None
    return a, b


def numbers(text: str) -> list[tuple[int, int, float]]:
    """Every loose number in ``text`` as (start, end, value)."""
    out = []
    for m in _NUMBER_RE.finditer(text):
        v = parse_number(m.group())
        if v is not None:
            out.append((m.start(), m.end(), v))
    return out
