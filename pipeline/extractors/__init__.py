"""Extractors: one module per kind of item, each a pure function
``extract(seg: Segmented, doc: Document) -> list[Item]`` that may read what earlier stages
put on ``doc`` (metadata, dates) and never imports store/, cli, web/ or engine.

``ORDER`` is the run order; ``FIELDS`` maps each extractor to the Document field it fills.
"""
from __future__ import annotations

from importlib import import_module
from typing import Callable

ORDER = ("metadata", "dates", "references", "deadlines", "targets", "assignments", "entities")
FIELDS = {
    "metadata": None,  # returns a dict of document-level fields
    "dates": "dates",
    "references": "references",
    "deadlines": "deadlines",
    "targets": "targets",
    "assignments": "assignments",
    "entities": "entities",
}


def get(name: str) -> Callable:
    return import_module(f"{__name__}.{name}").extract


def apply(name: str, seg, doc) -> object:
    """Run one extractor and put its result on ``doc``: the one place both the spaCy
    components and the plain batch path go through."""
    result = get(name)(seg, doc)
    field = FIELDS[name]
    if field is None:
        for key, value in result.items():
            setattr(doc, key, value)
    else:
        setattr(doc, field, result)
    return result


def run_all(seg, doc) -> None:
    """Every extractor in ORDER, then the linker: what ``pipeline.extract`` does."""
    from .. import link

    for name in ORDER:
        apply(name, seg, doc)
    link.link(seg, doc)
