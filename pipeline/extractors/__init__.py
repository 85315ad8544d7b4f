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
