"""A hash of every bench document's extraction, to show a speed-up changed no output on the
whole bench (35k articles), not only on bench_stages.py's sample.

Run by hand from the repository root (about 75 CPU-seconds)::

    .venv/bin/python bench/hash_outputs.py /tmp/before.json            # before the change
    .venv/bin/python bench/hash_outputs.py /tmp/after.json --compare /tmp/before.json
"""
from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCH = ROOT.parent / "shared" / "bench"


def hashes() -> dict[str, str]:
    """doc key -> sha1 of the Document's JSON (every field, keys sorted)."""
    import pipeline

    out = {}
    for path in sorted(BENCH.glob("*.jsonl.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            for line in fh:
                d = json.loads(line)
                doc = pipeline.extract(d["text"], doc_id=str(d["id"]))
                blob = json.dumps(doc.to_dict(), ensure_ascii=False, sort_keys=True).encode("utf-8")
                out[f"{path.name.split('.')[0]}:{d['id']}"] = hashlib.sha1(blob).hexdigest()
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path, help="write the hashes here (JSON)")
    ap.add_argument("--compare", type=Path, help="hashes of an earlier run to compare with")
    args = ap.parse_args()
    c0 = time.process_time()
    now = hashes()
    if not now:
        sys.exit(f"no bench archives under {BENCH}")
    args.out.write_text(json.dumps(now), encoding="utf-8")
    print(f"{len(now)} documents hashed in {time.process_time() - c0:.1f} CPU s -> {args.out}")
    if args.compare:
        before = json.loads(args.compare.read_text(encoding="utf-8"))
        differ = sorted(k for k in before.keys() | now.keys() if before.get(k) != now.get(k))
        print(f"{len(differ)} of {len(before)} documents differ" + (f", e.g. {differ[:5]}" if differ else ""))
        return 1 if differ else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
