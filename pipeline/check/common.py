"""Shared pieces of the cross-document checks: reading the archive, comparison keys, ISO
date ranges and the conflict row shape.

Every check compares *folded* text (lowercase, no tone marks, đ -> d) after expanding the
abbreviations of ``patterns/check.yaml``, so "UBND huyện" meets "Ủy ban nhân dân huyện"
and "hoà" meets "hòa".
"""
from __future__ import annotations

import calendar
import json
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator, Optional

import regex

from .. import patterns
from ..fold import fold
from ..store.export import iter_documents

_WORD = regex.compile(r"[\p{L}\p{N}]+")
_DIGITS = regex.compile(r"\d")


def config() -> dict:
    return patterns.load("check")


def read_documents(out_dir: Path) -> list[dict]:
    """The archive: every line of OUT/documents.jsonl."""
    return list(iter_documents(Path(out_dir)))


# --- text keys -------------------------------------------------------------------------

@lru_cache(maxsize=None)
def _abbrev_rules() -> tuple[tuple["regex.Pattern[str]", str], ...]:
    rules = []
    for a in config()["abbreviations"]:
        short = regex.escape(a["short"])
        rules.append((regex.compile(rf"(?<![\p{{L}}\p{{N}}]){short}(?![\p{{L}}\p{{N}}])"), a["long"]))
    return tuple(rules)


def expand_abbreviations(text: str) -> str:
    for pat, long in _abbrev_rules():
        text = pat.sub(long, text)
    return text


def words(text: Optional[str]) -> list[str]:
    """Folded words of ``text``, abbreviations expanded."""
    if not text:
        return []
    return _WORD.findall(fold(expand_abbreviations(text)))


@lru_cache(maxsize=None)
def _unit_stop() -> frozenset[str]:
    return frozenset(w for s in config()["unit_stopwords"] for w in words(s))


def unit_key(unit: Optional[str]) -> str:
    """Folded unit name: "UBND các xã" -> "uy ban nhan dan xa"."""
    return " ".join(w for w in words(unit) if w not in _unit_stop())


def task_key(task: Optional[str]) -> str:
    """Folded task text without numbers (the deadline written inside a task differs by
    definition between the two sides of a deadline mismatch)."""
    return " ".join(w for w in words(task) if not _DIGITS.search(w))


@lru_cache(maxsize=None)
def _synonyms() -> tuple[tuple["regex.Pattern[str]", str], ...]:
    rules = []
    for syn in config()["indicator_synonyms"]:
        canon = " ".join(words(syn["canonical"])).replace(" ", "_")
        for v in sorted(syn["variants"], key=len, reverse=True):
            rules.append((" ".join(words(v)), canon))
    rules.sort(key=lambda r: len(r[0]), reverse=True)
    return tuple((regex.compile(rf"(?<!\S){regex.escape(v)}(?!\S)"), c) for v, c in rules)


@lru_cache(maxsize=None)
def _indicator_stop() -> tuple["regex.Pattern[str]", ...]:
    phrases = {" ".join(words(s)) for s in config()["indicator_stopwords"]}
    phrases |= {p.replace(" ", "_") for p in phrases}  # a stop phrase that is also a synonym
    ordered = sorted(phrases, key=len, reverse=True)
    return tuple(regex.compile(rf"(?<!\S){regex.escape(p)}(?!\S)") for p in ordered)


def indicator_key(indicator: Optional[str]) -> str:
    """Folded indicator with synonyms unified and phrasing words dropped."""
    text = " ".join(words(indicator))
    for pat, canon in _synonyms():
        text = pat.sub(canon, text)
    for pat in _indicator_stop():
        text = pat.sub(" ", text)
    return " ".join(text.split())


def unit_class(unit: Optional[str]) -> str:
    """Units compared loosely: "%" and "% " alike, "bác sỹ/vạn dân" = "bác sĩ/vạn dân"."""
    return indicator_key(unit) if unit and any(c.isalpha() for c in unit) else (unit or "").strip()


# --- ISO values ------------------------------------------------------------------------

_ISO = regex.compile(r"^(\d{4})(?:-(?:(\d{2})(?:-(\d{2}))?|Q([1-4])|H([12])))?$")


def _one_range(value: str) -> Optional[tuple[date, date]]:
    m = _ISO.match(value.strip())
    if not m:
        return None
    y = int(m.group(1))
    try:
        if m.group(3):
            d = date(y, int(m.group(2)), int(m.group(3)))
            return d, d
        if m.group(2):
            mo = int(m.group(2))
            return date(y, mo, 1), date(y, mo, calendar.monthrange(y, mo)[1])
        if m.group(4):
            q = int(m.group(4))
            last = 3 * q
            return date(y, last - 2, 1), date(y, last, calendar.monthrange(y, last)[1])
        if m.group(5):
            return (date(y, 1, 1), date(y, 6, 30)) if m.group(5) == "1" else (date(y, 7, 1), date(y, 12, 31))
    except ValueError:
        return None
    return date(y, 1, 1), date(y, 12, 31)


def iso_range(value: Any) -> Optional[tuple[date, date]]:
    """First and last day an ISO value (partial, quarter, half, interval) can mean."""
    if value is None:
        return None
    value = str(value)
    if "/" in value:
        lo, _, hi = value.partition("/")
        a, b = _one_range(lo), _one_range(hi)
        return (a[0], b[1]) if a and b and a[0] <= b[1] else None
    return _one_range(value)


def disjoint(a: Any, b: Any) -> bool:
    """True when two ISO values cannot name the same time ("2023" and "2023-02-15" can)."""
    ra, rb = iso_range(a), iso_range(b)
    if not ra or not rb:
        return False
    return ra[1] < rb[0] or rb[1] < ra[0]


def later(a: Any, b: Any) -> bool:
    """True when every day ``a`` can mean is after every day ``b`` can mean."""
    ra, rb = iso_range(a), iso_range(b)
    return bool(ra and rb and ra[0] > rb[1])


# --- conflict rows ---------------------------------------------------------------------

@dataclass(frozen=True)
class Ref:
    """One item involved in a conflict: where it is and what value it carries."""
    doc_id: str
    start: Optional[int]
    end: Optional[int]
    text: Optional[str]
    value: Any = None

    def as_dict(self) -> dict:
        return {"doc_id": self.doc_id, "start": self.start, "end": self.end, "text": self.text,
                "value": _jsonable(self.value)}


def ref(doc: dict, item: Optional[dict], value: Any) -> Ref:
    if item is None:
        return Ref(doc["doc_id"], None, None, None, value)
    return Ref(doc["doc_id"], item.get("start"), item.get("end"), item.get("text"), value)


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return json.dumps(value, ensure_ascii=False, default=str)


def conflict(kind: str, a: Ref, b: Ref, explanation: str, rule: str, more: tuple[Ref, ...] = (),
             **extra: Any) -> dict:
    """A conflict row: flat a_/b_ columns plus ``items`` with every item involved."""
    row: dict[str, Any] = {"kind": kind, "doc_id": a.doc_id}
    for side, r in (("a", a), ("b", b)):
        for k, v in r.as_dict().items():
            row[f"{side}_{k}"] = v
    row["items"] = [r.as_dict() for r in (a, b, *more)]
    row["explanation"] = explanation
    row["rule"] = rule
    row.update(extra)
    return row


def snippet(text: Optional[str], n: int = 80) -> str:
    """Short one-line quote of an item for explanations."""
    if not text:
        return ""
    one = " ".join(text.split())
    return one if len(one) <= n else one[: n - 1] + "…"


def iter_items(docs: list[dict], field: str) -> Iterator[tuple[dict, dict]]:
    for doc in docs:
        for item in doc.get(field) or []:
            yield doc, item


# --- similarity ------------------------------------------------------------------------

def _sim() -> dict:
    return config()["similarity"]


def same_unit(ka: str, kb: str) -> bool:
    """Units match when one folded name holds the other's words ("trung tam y te" and
    "trung tam y te huyen") or they are nearly equal."""
    from rapidfuzz import fuzz

    if not ka or not kb:
        return False
    return ka == kb or fuzz.token_set_ratio(ka, kb) >= _sim()["unit"]


def same_task(ka: str, kb: str) -> bool:
    from rapidfuzz import fuzz

    n = _sim()["task_min_tokens"]
    if len(ka.split()) < n or len(kb.split()) < n:
        return False
    return fuzz.token_sort_ratio(ka, kb) >= _sim()["task"]


def same_indicator(ka: str, kb: str) -> bool:
    """Indicators match when nearly equal and no side has more than ``indicator_max_diff``
    words the other lacks (so "thể nhẹ cân" never meets "thể thấp còi")."""
    from rapidfuzz import fuzz

    wa = list(dict.fromkeys(ka.replace("_", " ").split()))
    wb = list(dict.fromkeys(kb.replace("_", " ").split()))
    if min(len(wa), len(wb)) < _sim()["indicator_min_tokens"]:
        return False
    sa, sb = set(wa), set(wb)
    if max(len(sa - sb), len(sb - sa)) > _sim()["indicator_max_diff"]:
        return False
    return fuzz.token_sort_ratio(" ".join(wa), " ".join(wb)) >= _sim()["indicator"]


@lru_cache(maxsize=None)
def _scope_pattern() -> "regex.Pattern[str]":
    levels = patterns.alternation(config()["scope"]["level_words"])
    name = r"\p{Lu}\p{L}*(?:(?: |\s*-\s*)\p{Lu}\p{L}*)*"
    return regex.compile(rf"(?i:{levels})\s+({name})", regex.V1)


def place_in(name: Optional[str]) -> Optional[str]:
    """The locality a unit name carries itself ("UBND tỉnh Quảng Nam" -> "quang nam")."""
    m = _scope_pattern().search(name) if name else None
    return fold(m.group(1)) if m else None


@lru_cache(maxsize=None)
def _national_unit() -> "regex.Pattern[str]":
    return regex.compile(rf"^\s*{patterns.alternation(config()['national_units'])}(?![\p{{L}}])", regex.V1)


def unit_locality(unit: Optional[str], doc: dict) -> Optional[str]:
    """Where a unit is one body: nationwide ("Bộ Y tế"), the place it names ("UBND tỉnh
    Quảng Nam"), else its document's locality; None when unknown."""
    if unit and _national_unit().search(unit):
        return "*"
    return place_in(unit) or scope(doc)


YEAR = regex.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")


def written_year(doc: dict, value: Optional[str], lo: int, hi: int) -> bool:
    """True when the deadline ``value`` found between ``lo`` and ``hi`` spells its year out
    ("xong trước ngày 15/02/2023"), rather than taking it from context ("trong quý I"):
    an inferred year is too weak to accuse two documents of disagreeing."""
    if not value:
        return False
    items = [d for d in (doc.get("deadlines") or []) + (doc.get("dates") or [])
             if d.get("value") == value and d.get("start") is not None and lo <= d["start"] < hi]
    if items:
        return any(YEAR.search(d.get("text") or "") for d in items)
    return str(value)[:4] in (doc.get("text") or "")[lo:hi]


def scope(doc: dict) -> Optional[str]:
    """The locality a document speaks for, folded: from its issuer, else its place."""
    for field in ("issuer", "place"):
        value = doc.get(field)
        if not value:
            continue
        m = _scope_pattern().search(value)
        if m:
            return fold(m.group(1))
        if field == "place":
            return fold(value.strip())
    return None
