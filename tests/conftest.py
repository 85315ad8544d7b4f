from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
BENCH = ROOT.parent / "shared" / "bench"
SEED_GOLD = ROOT.parent / "shared" / "gold" / "seeds.jsonl"


@pytest.fixture(scope="session")
def seed_docs():
    """The five seed documents run through the whole pipeline once per session."""
    import pipeline

    return {p.stem: pipeline.extract_file(p) for p in sorted(CORPUS.glob("*.txt"))}


@pytest.fixture(scope="session")
def seed_gold():
    if not SEED_GOLD.exists():
        pytest.skip("shared gold not present")
    return {d["doc_id"]: d for d in map(json.loads, SEED_GOLD.read_text(encoding="utf-8").splitlines())}


def bench_sample(n: int, every: int = 97):
    """Every ``every``-th bench article up to ``n`` of them (read in place, never copied)."""
    files = sorted(BENCH.glob("*.jsonl.gz"))
    if not files:
        pytest.skip("shared bench not present")
    out = []
    with gzip.open(files[0], "rt", encoding="utf-8") as fh:
        for i, line in enumerate(fh):
            if i % every == 0:
                out.append(json.loads(line))
                if len(out) >= n:
                    break
    return out
