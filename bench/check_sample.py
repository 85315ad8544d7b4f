"""Conflicts found by `chidao check` on real news, and a seeded sample to judge by hand.

Run by hand from the repository root::

    .venv/bin/python bench/check_sample.py                      # first 2,000 articles
    .venv/bin/python bench/check_sample.py --docs 500 --sample 20 --seed 3
    .venv/bin/python bench/check_sample.py --out /tmp/run_all   # an existing `chidao run` folder

1. Writes the first ``--docs`` lines of ``--archive`` to a .jsonl.gz in ``--work`` (outside
   the repository) and runs the engine over it (``chidao run --no-check``), unless
   ``--work`` already holds a documents.jsonl for that many documents (or ``--out`` names
   an output folder to use as it is).
2. Runs ``run_check`` and prints the counts per kind.
3. Draws ``--sample`` conflicts with ``random.Random(--seed)`` and writes them, with the
   text around each item, to ``--work``/sample.md: read each one and mark it real or not.

Nothing is written to the repository; the article texts stay in ../shared/bench and --work.
"""
from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import sys
from collections import Counter
from itertools import islice
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.check import run_check  # noqa: E402
from pipeline.check.common import read_documents  # noqa: E402

CONTEXT = 160


def slice_archive(archive: Path, docs: int, work: Path) -> Path:
    dest = work / f"slice_{docs}.jsonl.gz"
    if not dest.exists():
        with gzip.open(archive, "rt", encoding="utf-8") as src, gzip.open(dest, "wt", encoding="utf-8") as out:
            for line in islice(src, docs):
                out.write(line)
    return dest


def extract(archive: Path, docs: int, work: Path, jobs: int) -> Path:
    out = work / "out"
    done = out / "documents.jsonl"
    if done.exists() and sum(1 for _ in open(done, encoding="utf-8")) >= docs:
        return out
    from pipeline.engine import run_corpus

    run_corpus([slice_archive(archive, docs, work)], out, jobs=jobs, quiet=True, check=False)
    return out


def quote(text: str, start: int | None, end: int | None) -> str:
    if start is None:
        return "(no offsets)"
    before = re.sub(r"\s+", " ", text[max(0, start - CONTEXT):start])
    after = re.sub(r"\s+", " ", text[end:end + CONTEXT])
    return f"…{before}**[{text[start:end]}]**{after}…"


def write_sample(out: Path, rows: list[dict], n: int, seed: int, dest: Path) -> list[dict]:
    texts = {d["doc_id"]: d["text"] for d in read_documents(out)}
    picked = random.Random(seed).sample(rows, min(n, len(rows)))
    with open(dest, "w", encoding="utf-8") as fh:
        for i, r in enumerate(picked, 1):
            fh.write(f"## {i}. {r['kind']}\n\n{r['explanation']}\n\n")
            for item in r["items"]:
                fh.write(f"- {item['doc_id']} [{item['start']}:{item['end']}] value={item['value']}: "
                         f"{quote(texts[item['doc_id']], item['start'], item['end'])}\n")
            fh.write("\n")
    return picked


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--archive", type=Path, default=ROOT.parent / "shared" / "bench" / "baomoi_vn_news_00.jsonl.gz")
    ap.add_argument("--docs", type=int, default=2000)
    ap.add_argument("--work", type=Path, default=Path("/tmp/chidao_check_bench"))
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--sample", type=int, default=30)
    ap.add_argument("--seed", type=int, default=20260)
    ap.add_argument("--out", type=Path, default=None, help="check this output folder instead of extracting")
    args = ap.parse_args()

    args.work.mkdir(parents=True, exist_ok=True)
    out = args.out or extract(args.archive, args.docs, args.work, args.jobs)
    summary = run_check(out, quiet=True)
    rows = [json.loads(line) for line in open(out / "conflicts.jsonl", encoding="utf-8")]
    print(json.dumps(summary, ensure_ascii=False, indent=1))
    print("rows per rule:", dict(Counter(r["rule"] for r in rows)))
    dest = args.work / "sample.md"
    picked = write_sample(out, rows, args.sample, args.seed, dest)
    print(f"{len(picked)} sampled conflicts (seed {args.seed}) with their evidence: {dest}")


if __name__ == "__main__":
    main()
