"""Derive the output folder's files from the store of record.

Documents are read in doc_id order and written in fixed-size batches, so the same stored
content always gives byte-identical files, whatever order workers finished in and however
many times the run was interrupted.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Iterable, Iterator

from .records import Records
from .tables import TABLES, rows_for
from .writers import LinesWriter, TableWriter, publish, temp_path

BATCH_DOCS = 500
OUTPUT_FILES = ("documents.jsonl", "errors.jsonl",
                *(f"{t}.parquet" for t in TABLES), *(f"{t}.csv" for t in TABLES))


def outputs_present(out: Path) -> bool:
    return all((out / name).exists() for name in OUTPUT_FILES)


def export(records: Records, out: Path, batch_docs: int = BATCH_DOCS) -> dict[str, int]:
    """Write documents.jsonl, errors.jsonl and every table; returns rows per table."""
    writers = {t: TableWriter(out, t) for t in TABLES}
    jsonl = LinesWriter(out / "documents.jsonl")
    pending: dict[str, list[dict]] = {t: [] for t in TABLES}

    def flush() -> None:
        for t, rows in pending.items():
            writers[t].write(rows)
            rows.clear()

    for n, (_doc_id, line) in enumerate(records.iter_lines("ok"), 1):
        jsonl.write(line)
        for t, rows in rows_for(json.loads(line)).items():
            pending[t].extend(rows)
        if n % batch_docs == 0:
            flush()
    flush()
    errors = LinesWriter(out / "errors.jsonl")
    for line in records.iter_errors():
        errors.write(line)
    done = [jsonl.close(), errors.close()]
    for w in writers.values():
        done.extend(w.close())
    publish(done)
    counts = {t: w.count for t, w in writers.items()}
    counts["errors"] = errors.count
    return counts


def write_manifest(out: Path, head: dict, hashes: Iterable[tuple[str, str]]) -> None:
    """manifest.json, streaming the per-document content hashes so memory stays flat."""
    final = out / "manifest.json"
    tmp = temp_path(final)
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write("{\n")
        for key, value in head.items():
            fh.write(f" {json.dumps(key)}: {json.dumps(value, ensure_ascii=False, sort_keys=True)},\n")
        fh.write(' "content_sha256": {')
        for i, (doc_id, sha) in enumerate(hashes):
            fh.write("\n  " if i == 0 else ",\n  ")
            fh.write(f"{json.dumps(doc_id, ensure_ascii=False)}: {json.dumps(sha)}")
        fh.write("\n }\n}\n")
    publish([(tmp, final)])


def iter_documents(out: Path) -> Iterator[dict]:
    """Read documents.jsonl back, one dict at a time."""
    with open(out / "documents.jsonl", encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)
