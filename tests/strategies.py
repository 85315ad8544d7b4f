"""Hypothesis strategies shared by the extractor tests."""
from __future__ import annotations

from pathlib import Path

from hypothesis import strategies as st

CORPUS = Path(__file__).resolve().parent.parent / "corpus"


@st.composite
def seed_slices(draw, longest: int = 3000) -> str:
    """Any stretch (up to ``longest`` characters) of a seed document: offsets must hold
    wherever a text is cut."""
    texts = [p.read_text(encoding="utf-8") for p in sorted(CORPUS.glob("*.txt"))]
    text = draw(st.sampled_from(texts))
    i = draw(st.integers(0, len(text) - 1))
    j = draw(st.integers(i, min(len(text), i + longest)))
    return text[i:j]
