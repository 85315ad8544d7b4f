"""CPU cost of each extraction stage, and a byte-for-byte check that a speed-up changed no
output.

Run by hand from the repository root::

    .venv/bin/python bench/bench_stages.py                       # timings only
    .venv/bin/python bench/bench_stages.py --snapshot /tmp/before.json.gz
    .venv/bin/python bench/bench_stages.py --compare  /tmp/before.json.gz
    .venv/bin/python bench/bench_stages.py --docs 100 --profile   # cProfile, top functions

The sample is fixed: the first ``--docs`` articles (default 600) of each of
``baomoi_vn_news_01`` and ``_02`` in ../shared/bench, plus the seed documents in
corpus/. Every document goes through the same stages as :func:`pipeline.extract`
(normalise, segment, each extractor in ORDER, link), each timed with
``time.process_time`` so a busy machine does not skew the figures.

The snapshot holds every Document field except ``assignments`` (and the links that read
them), taken after the extractors and before the linker, so work on assignments does not
show up as a difference. With ``--all-fields`` it holds every field, assignments
included, taken after the linker (the finished Document). It also records a hash of each patterns/*.yaml: a difference
with a changed pattern file is somebody's rule change, not a speed-up gone wrong.
"""
from __future__ import annotations

import argparse
import cProfile
import gzip
import hashlib
import json
import pstats
import sys
import time
from collections import defaultdict
from dataclasses import asdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCH = ROOT.parent / "shared" / "bench"
ARCHIVES = ("baomoi_vn_news_01.jsonl.gz", "baomoi_vn_news_02.jsonl.gz")
SKIP_FIELDS = ("assignments",)

from pipeline import new_document  # noqa: E402
from pipeline import extractors, link  # noqa: E402
from pipeline.normalise import normalise  # noqa: E402
from pipeline.segment import segment  # noqa: E402


def load_sample(per_archive: int, seeds: bool = True,
                archives: tuple[str, ...] = ARCHIVES) -> list[tuple[str, str]]:
    """(doc_id, text) pairs: the first ``per_archive`` articles of each archive, then the
    seeds."""
    docs: list[tuple[str, str]] = []
    for name in archives:
        path = BENCH / name
        if not path.exists():
            sys.exit(f"missing bench archive {path}")
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            for i, line in enumerate(fh):
                if i >= per_archive:
                    break
                d = json.loads(line)
                docs.append((f"{name.split('.')[0]}:{d['id']}", d["text"]))
    if seeds:
        from pipeline.ingest import read_text

        for p in sorted((ROOT / "corpus").glob("*.txt")):
            docs.append((f"corpus:{p.name}", read_text(p)))
    return docs


def run_stages(doc_id: str, text: str, clock: dict[str, float],
               all_fields: bool = False) -> tuple[dict, object]:
    """What pipeline.extract does, stage by stage, adding CPU seconds to ``clock``.
    Returns the snapshot of the document (pre-link, or with ``all_fields`` the finished
    one with every field) and the finished Document."""
    t0 = time.process_time()
    norm = normalise(text)
    t1 = time.process_time()
    clock["normalise"] += t1 - t0
    doc = new_document(text, norm, doc_id)
    t2 = time.process_time()
    clock["other"] += t2 - t1
    seg = segment(norm.text, norm.match_text)
    t3 = time.process_time()
    clock["segment"] += t3 - t2
    for name in extractors.ORDER:
        a = time.process_time()
        extractors.apply(name, seg, doc)
        clock[name] += time.process_time() - a
    snap = None if all_fields else snapshot_of(doc)
    a = time.process_time()
    link.link(seg, doc)
    clock["link"] += time.process_time() - a
    if all_fields:
        snap = snapshot_of(doc, skip=())
    return snap, doc


def snapshot_of(doc, skip: tuple[str, ...] = SKIP_FIELDS) -> dict:
    d = asdict(doc)
    for k in skip:
        d.pop(k, None)
    d.pop("text", None)  # the text is the input; its sha256 stays
    return d


def pattern_hashes() -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()[:16]
            for p in sorted((ROOT / "patterns").glob("*.yaml"))}


def report(clock: dict[str, float], size: int, ndocs: int) -> None:
    total = sum(clock.values())
    per10k = 1e4 / size * 1000  # ms per 10 KB from seconds per ``size`` bytes
    print(f"{ndocs} documents, {size / 1e6:.2f} MB UTF-8, {total:.2f} CPU-s")
    print(f"{'stage':<12} {'CPU s':>8} {'ms/10KB':>9} {'share':>7}")
    for name in ("normalise", "segment", *extractors.ORDER, "link", "other"):
        s = clock.get(name, 0.0)
        print(f"{name:<12} {s:8.3f} {s * per10k:9.3f} {s / total:7.1%}")
    print(f"whole extraction: {size / 1e6 / total:.3f} MB per CPU-second")


def compare(before: dict, after: dict) -> int:
    """Print up to a few differing documents and fields; return how many documents differ."""
    if before["patterns"] != after["patterns"]:
        changed = sorted(k for k in set(before["patterns"]) | set(after["patterns"])
                         if before["patterns"].get(k) != after["patterns"].get(k))
        print(f"note: pattern files changed since the snapshot: {', '.join(changed)}")
    b_docs, a_docs = before["docs"], after["docs"]
    differ = 0
    for doc_id in b_docs.keys() | a_docs.keys():
        b, a = b_docs.get(doc_id), a_docs.get(doc_id)
        if b == a:
            continue
        differ += 1
        if differ > 10:
            continue
        if b is None or a is None:
            print(f"{doc_id}: only in {'after' if b is None else 'before'}")
            continue
        for key in sorted(b.keys() | a.keys()):
            if b.get(key) != a.get(key):
                print(f"{doc_id} {key}:\n  before {json.dumps(b.get(key), ensure_ascii=False)[:600]}"
                      f"\n  after  {json.dumps(a.get(key), ensure_ascii=False)[:600]}")
    print(f"{differ} of {len(b_docs)} documents differ" if differ else
          f"no differences in {len(b_docs)} documents")
    return differ


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=600, help="articles per archive")
    ap.add_argument("--snapshot", type=Path, help="write every document's fields here")
    ap.add_argument("--compare", type=Path, help="compare every document's fields with this")
    ap.add_argument("--profile", action="store_true", help="cProfile the run, print top functions")
    ap.add_argument("--all-fields", action="store_true",
                    help="snapshot/compare every field of the finished Document, "
                         "assignments and links included")
    ap.add_argument("--top", type=int, default=40)
    ap.add_argument("--archives", default=",".join(ARCHIVES),
                    help="comma-separated bench archives to sample (default: news_01 and _02; "
                         "bench_throughput.py's slice starts with baomoi_vn_news_00.jsonl.gz)")
    ap.add_argument("--repeat", type=int, default=1,
                    help="run the sample N times and keep each stage's least CPU time "
                         "(other load on the machine only ever adds time)")
    args = ap.parse_args()

    sample = load_sample(args.docs, archives=tuple(args.archives.split(",")))
    # warm caches (compiled patterns, models) outside the timed loop
    run_stages(*sample[-1], defaultdict(float))
    clock: dict[str, float] = {}
    snaps: dict[str, dict] = {}
    prof = cProfile.Profile() if args.profile else None
    for _ in range(max(1, args.repeat)):
        run: dict[str, float] = defaultdict(float)
        if prof:
            prof.enable()
        for doc_id, text in sample:
            snaps[doc_id], _ = run_stages(doc_id, text, run, args.all_fields)
        if prof:
            prof.disable()
        clock = {k: min(v, clock.get(k, v)) for k, v in run.items()}
    size = sum(len(t.encode("utf-8")) for _, t in sample)
    report(clock, size, len(sample))
    if prof:
        pstats.Stats(prof).sort_stats("cumulative").print_stats(args.top)
        pstats.Stats(prof).sort_stats("tottime").print_stats(args.top)
    result = {"patterns": pattern_hashes(), "docs": snaps}
    if args.snapshot:
        with gzip.open(args.snapshot, "wt", encoding="utf-8") as fh:
            json.dump(result, fh, ensure_ascii=False, sort_keys=True)
        print(f"snapshot of {len(snaps)} documents -> {args.snapshot}")
    if args.compare:
        with gzip.open(args.compare, "rt", encoding="utf-8") as fh:
            before = json.load(fh)
        # round-trip so tuples and lists compare the same way
        return 1 if compare(before, json.loads(json.dumps(result))) else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
