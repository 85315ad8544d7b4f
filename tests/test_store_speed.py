"""The faster export and index paths give exactly what the plain versions gave.

Each fast path is compared with a straightforward reference written here: the windowed
sentence scan, row-by-row index inserts (SQLite picking the ids), ``Table.from_pylist`` and a
cell-by-cell CSV.
"""
from __future__ import annotations

import copy
import csv
import gzip
import io
import itertools
import json
import sqlite3
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipeline.fold import fold
from pipeline.store import index as ix
from pipeline.store.tables import COLUMNS, ITEM_CLASSES, TABLES, rows_for
from pipeline.store.writers import TableWriter, _csv_cell, schema
from search_fixtures import CORPUS, seed_docs, seed_text

BENCH = Path(__file__).resolve().parent.parent.parent / "shared" / "bench"


def reference_sentence(text: str, start: int, end: int) -> str:
    """sentence_around as a plain scan of the whole 400-character window."""
    if not text or start is None or end is None:
        return ""
    lo = max(0, start - ix._SENT_WINDOW)
    left = lo
    for m in ix._SENT_BREAK.finditer(text, lo, start):
        left = m.end()
    if left == lo and lo > 0:
        space = text.find(" ", lo, start)
        left = space + 1 if space >= 0 else lo
    hi = min(len(text), end + ix._SENT_WINDOW)
    m = ix._SENT_BREAK.search(text, end, hi)
    right = m.start() if m else hi
    if not m and hi < len(text):
        space = text.rfind(" ", end, hi)
        right = space if space >= 0 else hi
    return text[left:max(right, end)].strip()


def _mismatches(text: str, spans) -> list[tuple[int, int]]:
    return [(s, e) for s, e in spans if ix.sentence_around(text, s, e) != reference_sentence(text, s, e)]


def test_sentence_around_matches_the_window_scan_on_every_seed_item():
    docs = seed_docs()
    assert sum(len(d.get(t) or ()) for d in docs for t in ITEM_CLASSES) > 10
    for d in docs:
        spans = [(i["start"], i["end"]) for t in ITEM_CLASSES for i in d.get(t) or ()]
        assert _mismatches(d["text"], spans) == []


def test_sentence_around_matches_the_window_scan_at_every_seed_offset():
    for path in sorted(CORPUS.glob("*.txt")):
        text = seed_text(path.stem)
        spans = [(s, min(len(text), s + 7)) for s in range(len(text))]
        assert _mismatches(text, spans) == [], path.stem


def test_sentence_around_edge_cases():
    text = "Mục tiêu.   \n\n  Đạt 95%.\tTăng 5 điểm! “Giảm” 2%… (3) tiếp\n- Ý kiến . a"
    spans = [(s, e) for s in range(len(text)) for e in (s, min(len(text), s + 1), len(text))]
    assert _mismatches(text, spans) == []
    long_run = "x " * 600 + ". " + "y " * 600
    assert _mismatches(long_run, [(s, s + 1) for s in range(0, len(long_run) - 1, 5)]) == []


def _bench_texts(limit: int) -> list[str]:
    files = sorted(BENCH.glob("*.jsonl.gz"))
    if not files:
        pytest.skip("benchmark articles not available")
    with gzip.open(files[0], "rt", encoding="utf-8") as fh:
        return [json.loads(line)["text"] for line in itertools.islice(fh, limit)]


def test_sentence_around_matches_the_window_scan_on_bench_articles():
    for text in _bench_texts(150):
        spans = [(s, min(len(text), s + 5)) for s in range(0, len(text), 3)]
        assert _mismatches(text, spans) == []


# --- index: batched inserts with explicit ids == row-by-row inserts ------------------------------

def _reference_update(db: Path, docs: list[dict], remove_ids=()) -> None:
    """update_index as row-by-row inserts, SQLite choosing every item_id."""
    con = ix.connect(db)
    con.execute("BEGIN IMMEDIATE")
    for doc_id in remove_ids:
        ix._delete_doc(con, doc_id)
    for doc in docs:
        digest = ix.doc_hash(doc)
        old = con.execute("SELECT doc_hash FROM documents WHERE doc_id = ?", (doc["doc_id"],)).fetchone()
        if old and old[0] == digest:
            continue
        if old:
            ix._delete_doc(con, doc["doc_id"])
        tables = rows_for(doc)
        tables["documents"][0].update(ix._doc_extras(tables["documents"][0], digest))
        for table in TABLES:
            for r in tables[table]:
                if table != "documents":
                    r.update(ix._item_extras(table, r, doc["text"]))
                names = list(r)
                cur = con.execute(f"INSERT INTO {ix.q(table)} ({', '.join(ix.q(n) for n in names)}) "
                                  f"VALUES ({', '.join('?' for _ in names)})", [ix._sql_value(r[n]) for n in names])
                fields = ix.FTS.get(table)
                if fields:
                    con.execute(f"INSERT INTO {ix.q(table + '_fts')} (rowid, {', '.join(ix.q(f) for f in fields)}) "
                                f"VALUES (?, {', '.join('?' for _ in fields)})",
                                [cur.lastrowid] + [fold(str(r[f])) if r.get(f) is not None else None for f in fields])
    con.execute("COMMIT")
    con.close()


def _dump(db: Path) -> dict:
    con = sqlite3.connect(str(db))
    names = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
             if not r[0].endswith(("_data", "_idx", "_docsize", "_config", "_content"))]
    out = {t: con.execute(f"SELECT rowid, * FROM {ix.q(t)} ORDER BY rowid").fetchall() for t in names}
    con.close()
    return out


def test_batched_index_updates_equal_row_by_row_inserts(tmp_path):
    docs = seed_docs()
    changed = copy.deepcopy(docs[1])
    changed["references"] = changed["references"][:1]
    renamed = copy.deepcopy(docs[2])
    renamed["doc_id"] = "zz-copy"
    steps = [
        (docs[:3], ()),                          # fresh index
        ([docs[0], changed, docs[3]], ()),       # unchanged, changed (delete + re-insert), new
        ([renamed, docs[1]], [docs[0]["doc_id"]]),  # removal, then ids after a delete
        ([docs[3], docs[3]], ()),                # the same document twice in one batch
    ]
    fast, slow = tmp_path / "fast.sqlite", tmp_path / "slow.sqlite"
    for batch, gone in steps:
        ix.update_index(fast, copy.deepcopy(batch), remove_ids=gone)
        _reference_update(slow, copy.deepcopy(batch), remove_ids=gone)
        assert _dump(fast) == _dump(slow)
    assert len(_dump(fast)["references"]) > 0


# --- writers: columnar Parquet and batched CSV == the row-wise versions ------------------------

def test_table_writer_output_equals_row_wise_reference(tmp_path):
    tables = {t: [] for t in TABLES}
    for d in seed_docs():
        for t, rows in rows_for(d).items():
            tables[t].extend(rows)
    for t in TABLES:
        w = TableWriter(tmp_path, t)
        w.write(tables[t][:3])
        w.write(tables[t][3:])
        w.close()
        assert pq.read_table(tmp_path / f".tmp-{_pid()}-{t}.parquet").equals(
            pa.Table.from_pylist(tables[t], schema=schema(t))), t
        buf = io.StringIO()
        ref = csv.writer(buf, lineterminator="\r\n")
        ref.writerow([n for n, _ in COLUMNS[t]])
        ref.writerows([_csv_cell(r[n], k) for n, k in COLUMNS[t]] for r in tables[t])
        got = (tmp_path / f".tmp-{_pid()}-{t}.csv").read_bytes().decode("utf-8-sig")
        assert got == buf.getvalue(), t


def _pid() -> int:
    import os

    return os.getpid()
