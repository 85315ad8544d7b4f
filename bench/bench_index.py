"""Index build rate and query latency on real news articles (run by hand).

    .venv/bin/python bench/bench_index.py [--docs 2000] [--min-items 100000] [--jobs 2]

1. Runs ``pipeline.extract`` over the first ``--docs`` articles of ../shared/bench (cached
   outside the repository, in --work, so a second run skips it).
2. If those documents hold fewer than ``--min-items`` items, repeats them under new doc_ids
   (``<id>#r<k>``) until the index holds at least that many: the index then has the size
   wanted while every row is a real extraction.
3. Builds index.sqlite with ``update_index`` in batches (as ``chidao run`` does): items/s.
4. Runs a fixed list of ~50 realistic queries (several times each, after a warm-up) through
   ``pipeline.search.search`` and reports median and p95 latency.

The article texts stay in ../shared/bench and the work folder; nothing is written to the
repository.
"""
from __future__ import annotations

import argparse
import gzip
import json
import statistics
import sys
import time
from itertools import islice
from multiprocessing import Pool
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.search import Query, search  # noqa: E402
from pipeline.store.index import connect_ro, counts, update_index  # noqa: E402

BENCH = ROOT.parent / "shared" / "bench"
ITEM_TABLES = ("references", "dates", "targets", "assignments", "deadlines", "entities")
SEARCHED = ("references", "targets", "assignments", "deadlines")

# (text, filters): phrasings a user of the dataset would type, accents or not.
QUERIES: list[tuple[str, dict]] = [
    ("suy dinh duong", {}), ("suy dinh dưỡng", {"kind": "document"}), ("tiêm chủng", {"kind": "document"}),
    ("bảo hiểm y tế", {}), ("bao hiem xa hoi", {}), ("ty le ho ngheo", {"kind": "target"}),
    ("tăng trưởng kinh tế", {}), ("GDP", {"kind": "target"}), ("xuat khau", {}),
    ("giải ngân vốn đầu tư công", {}), ("nông thôn mới", {}), ("xay dung nong thon moi", {"year": 2020}),
    ("an toàn giao thông", {}), ("tai nan giao thong", {"kind": "target"}), ("phòng chống tham nhũng", {}),
    ("cải cách hành chính", {}), ("chuyển đổi số", {}), ("doanh nghiep", {"kind": "task"}),
    ("UBND tỉnh", {"kind": "task"}), ("Bộ Y tế", {}), ("bo tai chinh", {"kind": "task"}),
    ("Thủ tướng Chính phủ", {}), ("Nghị quyết", {"kind": "reference"}), ("20-NQ/TW", {}),
    ("Nghị định", {"kind": "reference"}), ("thong tu", {"kind": "reference"}), ("Quyết định số", {}),
    ("trước ngày", {"kind": "deadline"}), ("hoàn thành", {"kind": "deadline"}), ("den nam 2020", {}),
    ("năm 2017", {"kind": "deadline"}), ("dat", {"kind": "target"}), ("đạt", {"kind": "target", "status": "result"}),
    ("giáo dục", {}), ("học sinh", {"kind": "target"}), ("môi trường", {}), ("rác thải", {}),
    ("thủy sản", {}), ("lúa gạo", {"kind": "document"}), ("du lịch", {}), ("khach quoc te", {"kind": "target"}),
    ("thu ngân sách", {}), ("lạm phát", {}), ("tín dụng", {}), ("ngân hàng nhà nước", {}),
    ("bệnh viện", {}), ("sốt xuất huyết", {"kind": "document"}), ("điện", {"year": 2017}), ("nhà ở xã hội", {}),
    ("Hà Nội", {"kind": "document"}), ("thanh hoá", {"kind": "document"}), ("", {"directive": "20-NQ/TW"}),
    ("", {"directive": "118/2015/ND-CP"}), ("76/2014/TT-BTC", {}), ("thue", {"directive": "76/2014/TT-BTC"}),
]


def read_articles(n: int):
    count = 0
    for path in sorted(BENCH.glob("*.jsonl.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            for line in fh:
                yield json.loads(line)
                count += 1
                if count >= n:
                    return


def _extract(article: dict) -> str:
    import pipeline

    doc = pipeline.extract(article["text"], doc_id=article["id"]).to_dict()
    return json.dumps(doc, ensure_ascii=False)


def extract_docs(n: int, jobs: int, cache: Path) -> list[dict]:
    if cache.exists():
        with open(cache, encoding="utf-8") as fh:
            docs = [json.loads(line) for line in islice(fh, n)]
        if len(docs) >= n:
            print(f"extraction: {len(docs)} documents from cache {cache}")
            return docs
    t0 = time.perf_counter()
    cache.parent.mkdir(parents=True, exist_ok=True)
    with Pool(jobs) as pool, open(cache, "w", encoding="utf-8") as fh:
        for i, line in enumerate(pool.imap(_extract, read_articles(n), chunksize=8), 1):
            fh.write(line + "\n")
            if i % 250 == 0:
                print(f"  extracted {i} documents ({i / (time.perf_counter() - t0):.1f} docs/s)", flush=True)
    dt = time.perf_counter() - t0
    print(f"extraction: {n} documents in {dt:.1f} s ({n / dt:.1f} docs/s, {jobs} processes)")
    with open(cache, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def n_items(doc: dict, tables: tuple[str, ...] = ITEM_TABLES) -> int:
    return sum(len(doc.get(t) or ()) for t in tables)


def corpus_of(docs: list[dict], min_items: int, tables: tuple[str, ...] = ITEM_TABLES) -> list[dict]:
    """The documents, repeated under new ids until they hold ``min_items`` items of ``tables``."""
    per_round = sum(n_items(d, tables) for d in docs)
    if per_round == 0:
        raise SystemExit("the extraction found no items")
    rounds = max(1, -(-min_items // per_round))
    out = []
    for k in range(rounds):
        for d in docs:
            out.append(d if k == 0 else {**d, "doc_id": f"{d['doc_id']}#r{k}"})
    print(f"corpus: {len(docs)} extracted documents x {rounds} = {len(out)} documents, "
          f"{per_round * rounds} items of {', '.join(tables)}")
    return out


def build(db: Path, docs: list[dict], batch: int) -> float:
    for suffix in ("", "-journal", "-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    t0 = time.perf_counter()
    for i in range(0, len(docs), batch):
        update_index(db, docs[i:i + batch])
    return time.perf_counter() - t0


def time_queries(db: Path, repeat: int) -> list[tuple[str, float, int]]:
    con = connect_ro(db)
    for text, filters in QUERIES[:5]:  # warm-up: page cache, statement cache
        search(con, Query(text=text, **filters))
    results = []
    for _ in range(repeat):
        for text, filters in QUERIES:
            t0 = time.perf_counter()
            hits = search(con, Query(text=text, limit=20, **filters))
            results.append((text, (time.perf_counter() - t0) * 1000, len(hits)))
    con.close()
    return results


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    k = min(len(values) - 1, max(0, round(p / 100 * (len(values) - 1))))
    return values[k]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=2000, help="articles to extract")
    ap.add_argument("--min-items", type=int, default=100_000)
    ap.add_argument("--count", choices=("all", "searchable"), default="all",
                    help="what --min-items counts: every item row, or the full-text searchable ones "
                         "(references, targets, assignments, deadlines)")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--batch", type=int, default=500, help="documents per update_index call")
    ap.add_argument("--repeat", type=int, default=5, help="runs of the query list")
    ap.add_argument("--work", type=Path, default=Path("/tmp/chidao-bench"))
    args = ap.parse_args()

    if not BENCH.exists():
        raise SystemExit(f"{BENCH} not found")
    docs = extract_docs(args.docs, args.jobs, args.work / f"extracted-{args.docs}.jsonl")
    corpus = corpus_of(docs, args.min_items, ITEM_TABLES if args.count == "all" else SEARCHED)
    db = args.work / "index.sqlite"
    seconds = build(db, corpus, args.batch)
    n = counts(db)
    items = sum(n[t] for t in ITEM_TABLES)
    searched = sum(n[t] for t in SEARCHED)
    print(f"index: {n['documents']} documents, {items} items ({searched} full-text searchable: "
          f"references+targets+assignments+deadlines), {db.stat().st_size / 1e6:.1f} MB")
    print(f"build: {seconds:.1f} s = {items / seconds:,.0f} items/s ({n['documents'] / seconds:,.0f} docs/s, "
          f"batches of {args.batch})")
    t0 = time.perf_counter()
    update_index(db, corpus[: args.batch])
    print(f"re-index of {args.batch} unchanged documents: {time.perf_counter() - t0:.2f} s (hash check only)")

    timings = time_queries(db, args.repeat)
    ms = [t for _q, t, _n in timings]
    print(f"queries: {len(QUERIES)} queries x {args.repeat} runs, limit 20")
    print(f"latency: median {statistics.median(ms):.1f} ms, p95 {percentile(ms, 95):.1f} ms, "
          f"max {max(ms):.1f} ms")
    per_query: dict[str, list[float]] = {}
    for text, t, _n in timings:
        per_query.setdefault(text, []).append(t)
    slow = sorted(per_query.items(), key=lambda kv: -statistics.median(kv[1]))[:5]
    print("slowest (median ms): " + ", ".join(f"{q or '<filter only>'!r} {statistics.median(v):.1f}" for q, v in slow))
    empty = sorted({q for q, _t, n in timings if n == 0})
    if empty:
        print(f"queries with no hits: {empty}")


if __name__ == "__main__":
    main()
