"""Result data classes: the shapes of SPEC.md, nothing else.

Every extracted item carries ``start``/``end``/``text`` (offsets into the document's
normalised text) and ``rule``, the id of the pattern that produced it, so a user can ask
"why?". This module imports nothing of ours.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from functools import lru_cache
from typing import Any, Optional

SCHEMA_VERSION = "1.0"


@dataclass
class Span:
    start: int
    end: int
    text: str


@dataclass
class Reference(Span):
    kind: Optional[str] = None
    number: Optional[str] = None
    symbol: Optional[str] = None
    id: Optional[str] = None
    date: Optional[str] = None
    issuer: Optional[str] = None
    subject: Optional[str] = None
    rule: Optional[str] = None


@dataclass
class DateMention(Span):
    value: Optional[str] = None
    role: str = "other"
    rule: Optional[str] = None


@dataclass
class Target(Span):
    label: Optional[str] = None
    indicator: Optional[str] = None
    value: Optional[float] = None
    value_max: Optional[float] = None
    unit: Optional[str] = None
    comparator: str = "="
    direction: Optional[str] = None
    year: Optional[int] = None
    status: str = "target"
    responsible: Optional[str] = None
    rule: Optional[str] = None


@dataclass
class Deadline(Span):
    value: Optional[str] = None
    cue: Optional[str] = None
    unit: Optional[str] = None
    recurring: bool = False
    rule: Optional[str] = None


@dataclass
class Assignment(Span):
    unit: Optional[str] = None
    task: Optional[str] = None
    deadline: Optional[str] = None
    cooperating: list[str] = field(default_factory=list)
    rule: Optional[str] = None


@dataclass
class Entity(Span):
    label: str = "ORG"
    rule: Optional[str] = None


@dataclass
class Signer:
    name: Optional[str] = None
    position: Optional[str] = None


ITEM_FIELDS = ("references", "dates", "targets", "assignments", "deadlines", "entities")


@dataclass
class Document:
    doc_id: str
    text: str
    source: Optional[str] = None
    sha256: Optional[str] = None
    chars: int = 0
    doc_type: str = "khac"
    number: Optional[str] = None
    symbol: Optional[str] = None
    issuer: Optional[str] = None
    place: Optional[str] = None
    issue_date: Optional[str] = None
    title: Optional[str] = None
    signer: Optional[Signer] = None
    recipients: list[str] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    dates: list[DateMention] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    assignments: list[Assignment] = field(default_factory=list)
    deadlines: list[Deadline] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return plain(self)


_ATOMS = (str, int, float, bool, type(None))


@lru_cache(maxsize=None)
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls))


def plain(value: Any) -> Any:
    """``dataclasses.asdict`` without its deep copy of every value: results hold only
    atoms, lists, dicts and data classes, and a worker converts every document it makes,
    where asdict alone cost about 4% of the extraction."""
    if type(value) in _ATOMS:
        return value
    if hasattr(type(value), "__dataclass_fields__"):
        return {n: plain(getattr(value, n)) for n in _field_names(type(value))}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, tuple):
        return tuple(plain(v) for v in value)
    if isinstance(value, dict):
        return {plain(k): plain(v) for k, v in value.items()}
    return value
