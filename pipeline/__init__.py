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
    """Run the whole pipeline on one document's text."""
    from .nlp import get_nlp
    from .normalise import normalise

    norm = normalise(text)
    doc = Document(
        doc_id=doc_id,
        text=norm.text,
        source=source,
        sha256=hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest(),
        chars=len(norm.text),
        warnings=list(norm.warnings),
    )
    nlp = get_nlp()
    sdoc = nlp.make_doc(norm.text)
    sdoc._.chidao = doc
    sdoc._.norm = norm
    for _name, proc in nlp.pipeline:
        sdoc = proc(sdoc)
    return doc


def extract_file(path: str | Path, doc_id: Optional[str] = None) -> Document:
    from .ingest import read_text

    p = Path(path)
    return extract(read_text(p), doc_id=doc_id or p.stem, source=str(p))
