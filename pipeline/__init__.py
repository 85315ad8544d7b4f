"""chidao: Vietnamese directive documents -> structured, searchable dataset.

The public verbs::

    doc = pipeline.extract(text)            # -> Document (data classes, see model.py)
    doc = pipeline.extract_file("kh.txt")   # bytes in any supported encoding
"""
from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Optional

from .model import SCHEMA_VERSION, Document

__version__ = "0.1.0"
__all__ = ["extract", "extract_file", "Document", "SCHEMA_VERSION", "__version__"]


def extract(text: str, doc_id: str = "-", source: Optional[str] = None) -> Document:
    """Run the whole pipeline on one document's text: normalise -> segment -> extract -> link.

    The same stage functions are the components of the spaCy pipeline
    (:func:`pipeline.nlp.annotate` gives a spaCy Doc); this path skips building the token
    Doc, which batch extraction does not need.
    """
    from .extractors import run_all
    from .normalise import normalise
    from .segment import segment

    norm = normalise(text)
    doc = new_document(text, norm, doc_id, source)
    run_all(segment(norm.text, norm.match_text), doc)
    return doc


def new_document(text: str, norm, doc_id: str, source: Optional[str] = None) -> Document:
    return Document(
        doc_id=doc_id,
        text=norm.text,
        source=source,
        sha256=hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest(),
        chars=len(norm.text),
        warnings=list(norm.warnings),
    )


def extract_file(path: str | Path, doc_id: Optional[str] = None) -> Document:
    from .ingest import read_text

    p = Path(path)
    return extract(read_text(p), doc_id=doc_id or p.stem, source=str(p))
