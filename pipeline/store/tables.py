"""Document dict -> flat table rows, and the column schema of every table.

A pure function over ``Document.to_dict()`` output so the writers, the SQLite index and the
checker all flatten a document the same way. Columns come from the dataclasses in
``pipeline.model``: a field added there appears here without an edit.
"""
from __future__ import annotations

import dataclasses
import typing
from typing import Any, Optional

from .. import model

TABLES = ("documents", "references", "dates", "targets", "assignments", "deadlines", "entities")

ITEM_CLASSES = {
    "references": model.Reference,
    "dates": model.DateMention,
    "targets": model.Target,
    "assignments": model.Assignment,
    "deadlines": model.Deadline,
    "entities": model.Entity,
}

# Document fields that are not plain columns of documents.parquet.
_DOC_SKIP = set(model.ITEM_FIELDS) | {"signer"}


def _kind(tp: Any) -> str:
    """Column kind of a type annotation: str, int, float, bool or list (of str)."""
    origin = typing.get_origin(tp)
    if origin is typing.Union:
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        return _kind(args[0]) if len(args) == 1 else "str"
    if origin in (list, tuple) or tp in (list, tuple):
        return "list"
    if tp in (int, float, bool, str):
        return tp.__name__
    return "str"


def _fields(cls) -> list[tuple[str, str]]:
    hints = typing.get_type_hints(cls)
    return [(f.name, _kind(hints[f.name])) for f in dataclasses.fields(cls)]


def _document_columns() -> list[tuple[str, str]]:
    cols = [(n, k) for n, k in _fields(model.Document) if n not in _DOC_SKIP]
    signer = [(f"signer_{n}", k) for n, k in _fields(model.Signer)]
    # text is the largest column: keep it last so a glance at the table shows the fields.
    text = [c for c in cols if c[0] == "text"]
    rest = [c for c in cols if c[0] != "text"]
    return rest + signer + text


def _columns() -> dict[str, list[tuple[str, str]]]:
    cols = {"documents": _document_columns()}
    for name, cls in ITEM_CLASSES.items():
        cols[name] = [("doc_id", "str")] + _fields(cls)
    return cols


COLUMNS: dict[str, list[tuple[str, str]]] = _columns()
"""Per table, the ordered (column, kind) pairs; kind is str | int | float | bool | list."""


def _coerce(value: Any, kind: str) -> Any:
    """Make a value fit its column so every batch has the same types."""
    if value is None:
        return [] if kind == "list" else None
    if kind == "list":
        return [str(v) for v in value] if isinstance(value, (list, tuple)) else [str(value)]
    if kind == "float":
        return float(value)
    if kind == "int":
        return int(value)
    if kind == "bool":
        return bool(value)
    return value if isinstance(value, str) else str(value)


# Values that already fit their column (the common case) are kept without a _coerce call.
_FITS = {"str": str, "int": int, "float": float, "bool": bool}


def _row(source: dict, columns: list[tuple[str, str]]) -> dict:
    out = {}
    for name, kind in columns:
        value = source.get(name)
        if value is None or type(value) is not _FITS.get(kind):
            value = _coerce(value, kind)
        out[name] = value
    return out


def document_row(doc: dict) -> dict:
    flat = dict(doc)
    signer: Optional[dict] = doc.get("signer") or {}
    for key, value in signer.items():
        flat[f"signer_{key}"] = value
    return _row(flat, COLUMNS["documents"])


def rows_for(doc: dict) -> dict[str, list[dict]]:
    """Every table's rows for one document dict (``Document.to_dict()``), doc_id on each."""
    out = {"documents": [document_row(doc)]}
    doc_id = doc["doc_id"]
    for name in ITEM_CLASSES:
        cols = COLUMNS[name]
        out[name] = [_row({**item, "doc_id": doc_id}, cols) for item in doc.get(name) or ()]
    return out
