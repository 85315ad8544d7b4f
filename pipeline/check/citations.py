"""citation_mismatch: one directive id cited with different dates, kinds or issuers.

Within a document every id is compared; across documents only ids of national issuers
(``citations.national_codes``), since local bodies reuse numbers. Each disagreement is
reported against the value most mentions give, so a single typo yields a single row.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from functools import lru_cache
from typing import Callable, Optional

import regex

from ..fold import fold, ref_key
from .. import patterns
from .common import config, conflict, disjoint, ref, snippet, words

KIND = "citation_mismatch"

Entry = tuple[dict, dict]  # (document, reference)


@lru_cache(maxsize=None)
def _national() -> "regex.Pattern[str]":
    codes = "|".join(config()["citations"]["national_codes"])
    return regex.compile(rf"(?:{codes})")


def is_national(ref_id: str) -> bool:
    """True when the id's issuer code names a national body ("20-NQ/TW", "2628/QĐ-BYT")."""
    if "/" not in ref_id:
        return False
    tail = ref_id.rsplit("/", 1)[1]
    return any(_national().fullmatch(part) for part in tail.split("-"))


@lru_cache(maxsize=None)
def _generic_issuers() -> frozenset[str]:
    return frozenset(fold(x) for x in config()["citations"]["generic_issuers"])


@lru_cache(maxsize=None)
def _type_codes() -> frozenset[str]:
    return frozenset(c.split("-")[0] for k in patterns.load("kinds")["kinds"] for c in k.get("codes") or [])


def has_type_code(ref_id: str) -> bool:
    """True when the id names its kind ("39-NQ/TW", "2628/QĐ-BYT"); "99/2015/QH13" (a law
    or a resolution) and "67/CP" do not, so their kinds are never compared."""
    head, _, tail = ref_id.partition("/")
    party = head.rsplit("-", 1)[1] if "-" in head else None
    state = ref_id.rsplit("/", 1)[1].split("-")[0] if "/" in ref_id else None
    return bool({party, state} & _type_codes())


def _kind_key(r: dict) -> Optional[str]:
    kind = r.get("kind")
    if not kind or not has_type_code(r.get("id") or ""):
        return None
    return " ".join(fold(kind).split()[:2])


@lru_cache(maxsize=None)
def _bodies() -> tuple[str, ...]:
    names = {" ".join(words(c["name"])) for c in patterns.load("issuers")["codes"]}
    return tuple(sorted((n for n in names if n), key=len, reverse=True))


def _issuer_key(issuer: Optional[str]) -> Optional[str]:
    """The body an issuer names (folded), or None when generic or unknown."""
    if not issuer or fold(" ".join(issuer.split())) in _generic_issuers():
        return None
    text = f" {' '.join(words(issuer))} "
    return next((b for b in _bodies() if f" {b} " in text), None)


_ID_YEAR = regex.compile(r"/(?:19|20)\d\d/")
_PARTY = regex.compile(r"^[^/]*-[^/]+/[^/]+$")


def _period(date: str, ref_id: str) -> int:
    """The numbering period a date falls in: its year (state ids), its term (party ids)."""
    year = int(date[:4])
    if _PARTY.match(ref_id):
        return max((t for t in config()["citations"]["party_terms"] if t <= year), default=0)
    return year


def _dates_clash(a: str, b: str, ref_id: str) -> bool:
    """Dates clash when they cannot be one day; for an id without its year ("26/CT-TTg",
    "49-NQ/TW") only within one numbering period, since such numbers start again every
    year (state) or Congress term (party): Chỉ thị 26/CT-TTg of 5/9/2016 and of 6/6/2017
    are two documents."""
    if not disjoint(a, b):
        return False
    return bool(_ID_YEAR.search(ref_id)) or _period(a, ref_id) == _period(b, ref_id)


def _kinds_clash(a: str, b: str, _ref_id: str) -> bool:
    return a != b


def _issuers_clash(a: str, b: str, _ref_id: str) -> bool:
    return a not in b and b not in a


def _written_date(doc: dict, r: dict) -> Optional[str]:
    """The reference's date when written right after it, with no other reference in between
    (a date carried over from another mention, or taken from the next reference's clause,
    is not evidence)."""
    d = _date_item(doc, r)
    if d is None:
        return None
    if any(r["end"] <= o.get("start", -1) < d["start"] for o in doc.get("references") or [] if o is not r):
        return None
    return r.get("date")


# attribute name, key function of (document, reference), clash test
ATTRIBUTES: tuple[tuple[str, Callable, Callable], ...] = (
    ("date", _written_date, _dates_clash),
    ("kind", lambda _d, r: _kind_key(r), _kinds_clash),
    ("issuer", lambda _d, r: _issuer_key(r.get("issuer")), _issuers_clash),
)


def _groups_within(doc: dict) -> dict[str, list[Entry]]:
    groups: dict[str, list[Entry]] = defaultdict(list)
    for r in doc.get("references") or []:
        key = ref_key(r.get("id"))
        if key:
            groups[key].append((doc, r))
    return groups


def find(docs: list[dict]) -> list[dict]:
    rows: list[dict] = []
    across: dict[str, list[Entry]] = defaultdict(list)
    for doc in docs:
        for key, entries in _groups_within(doc).items():
            rows.extend(_compare(entries, across_docs=False))
            if is_national(entries[0][1]["id"]):
                across[key].extend(entries)
    for entries in across.values():
        if len({d["doc_id"] for d, _ in entries}) > 1:
            rows.extend(_compare(entries, across_docs=True))
    return rows


def _compare(entries: list[Entry], across_docs: bool) -> list[dict]:
    rows = []
    for attr, key_of, clash in ATTRIBUTES:
        by_value: dict[str, list[Entry]] = defaultdict(list)
        for e in entries:
            v = key_of(*e)
            if v:
                by_value[v].append(e)
        if across_docs:
            by_value = _consistent(by_value)
        if len(by_value) < 2:
            continue
        counts = Counter({v: len({d["doc_id"] for d, _ in es}) if across_docs else len(es)
                          for v, es in by_value.items()})
        major = max(by_value, key=lambda v: (counts[v], -by_value[v][0][1]["start"]))
        for v, es in by_value.items():
            if v == major or not clash(major, v, entries[0][1]["id"]):
                continue
            pair = (_best(by_value[major]), _best(es))
            rows.append(_row(attr, major, v, pair, counts, across_docs))
    return rows


def _consistent(by_value: dict[str, list[Entry]]) -> dict[str, list[Entry]]:
    """Across documents, only documents that give one value: a document that disagrees
    with itself is reported within itself."""
    values_of: dict[str, set[str]] = defaultdict(set)
    for v, es in by_value.items():
        for d, _ in es:
            values_of[d["doc_id"]].add(v)
    kept = {v: [e for e in es if len(values_of[e[0]["doc_id"]]) == 1] for v, es in by_value.items()}
    return {v: es for v, es in kept.items() if es}


def _best(entries: list[Entry]) -> Entry:
    """A mention of the value, preferring one written next to its date."""
    return next((e for e in entries if _date_item(*e)), entries[0])


def _row(attr: str, major: str, minor: str, pair: tuple[Entry, Entry], counts: Counter,
         across_docs: bool) -> dict:
    (da, ra), (db, rb) = pair
    va, vb = _shown(attr, ra), _shown(attr, rb)
    unit = "documents" if across_docs else "mentions"
    where = f"in {da['doc_id']} and {db['doc_id']}" if across_docs else f"within {da['doc_id']}"
    date_a, date_b = _date_item(da, ra), _date_item(db, rb)
    expl = (f"{ra['id']} cited with {attr} {va} (“{_evidence(da, ra, date_a)}”, {counts[major]} {unit}) "
            f"and {vb} (“{_evidence(db, rb, date_b)}”, {counts[minor]} {unit}) {where}")
    more = tuple(ref(d, x, x.get("value")) for d, x in ((da, date_a), (db, date_b)) if x and attr == "date")
    return conflict(KIND, ref(da, ra, va), ref(db, rb, vb), expl, more=more,
                    rule=f"check.citation_mismatch.{attr}", id=ra["id"], attribute=attr,
                    scope="across" if across_docs else "within")


def _shown(attr: str, r: dict) -> Optional[str]:
    return r.get(attr)


def _date_item(doc: dict, r: dict, reach: int = 80) -> Optional[dict]:
    """The date mention that gave the reference its date: right after it, same value."""
    for d in doc.get("dates") or []:
        if d.get("value") == r.get("date") and r["end"] <= d.get("start", -1) <= r["end"] + reach:
            return d
    return None


def _evidence(doc: dict, r: dict, date: Optional[dict]) -> str:
    """The mention, up to its date when there is one ("Chỉ thị số 25-CT/TW, ngày 25/10/2024")."""
    end = date["end"] if date else r["end"]
    return snippet((doc.get("text") or "")[r["start"]:end], 90)
