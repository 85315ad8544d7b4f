"""Normalise throughput on bench text (run by hand: python bench/bench_normalise.py).

Prints MB/s for ordinary news text and for the chrome-heavy worst case (the seeds x100),
with the ratio between them; no assertion — speed goals live here, not in unit tests.
"""
from __future__ import annotations

import gzip
import json
import time
from pathlib import Path

from pipeline.normalise import normalise

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT.parent / "shared" / "bench" / "baomoi_vn_news_00.jsonl.gz"


def rate(texts: list[str]) -> float:
    size = sum(len(t.encode("utf-8")) for t in texts)
    t0 = time.perf_counter()
    for t in texts:
        normalise(t)
    return size / 1e6 / (time.perf_counter() - t0)


def main() -> None:
    with gzip.open(BENCH, "rt", encoding="utf-8") as fh:
        news = [json.loads(line)["text"] for _, line in zip(range(3000), fh)]
    seeds = "\n\n".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "corpus").glob("*.txt")))
    news_rate, worst_rate = rate(news), rate([seeds * 100])
    print(f"news articles ({len(news)}): {news_rate:.1f} MB/s")
    print(f"seeds x100 (chrome everywhere): {worst_rate:.1f} MB/s")
    print(f"ratio news/worst: {news_rate / worst_rate:.2f}")


if __name__ == "__main__":
    main()
