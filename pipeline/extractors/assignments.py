"""assignments extractor (to be filled)."""
from __future__ import annotations


def extract(seg, doc):
    return []
