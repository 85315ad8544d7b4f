"""Writing the check's results: conflicts as JSONL, Parquet and CSV (UTF-8 with BOM), the
progress rows, and the citation graph as JSON and GraphML — each file written under a
temporary name and moved into place with ``os.replace``."""
from __future__ import annotations

import csv
import json
import os
from pathlib import Path
from typing import Any, Callable

import networkx as nx
import pyarrow as pa
import pyarrow.parquet as pq

from ..store.writers import temp_path

FLAT = ["kind", "doc_id",
        "a_doc_id", "a_start", "a_end", "a_text", "a_value",
        "b_doc_id", "b_start", "b_end", "b_text", "b_value",
        "explanation", "rule", "items", "details"]
_INTS = {"a_start", "a_end", "b_start", "b_end"}


def _atomic(final: Path, write: Callable[[Path], None]) -> None:
    tmp = temp_path(final)   # the name clean_temps removes after a killed run
    try:
        write(tmp)
        os.replace(tmp, final)
    finally:
        if tmp.exists():
            tmp.unlink()


def flat_row(row: dict) -> dict[str, Any]:
    """A conflict as one table row: fixed columns, values as text, extras in ``details``."""
    out: dict[str, Any] = {}
    for col in FLAT[:-2]:
        v = row.get(col)
        out[col] = v if col in _INTS or v is None or isinstance(v, str) else json.dumps(v, ensure_ascii=False)
    out["items"] = json.dumps(row.get("items") or [], ensure_ascii=False)
    extras = {k: v for k, v in row.items() if k not in FLAT}
    out["details"] = json.dumps(extras, ensure_ascii=False, default=str)
    return out


def write_conflicts(out_dir: Path, rows: list[dict]) -> None:
    flat = [flat_row(r) for r in rows]
    _atomic(out_dir / "conflicts.jsonl", lambda p: _jsonl(p, rows))
    schema = pa.schema([pa.field(c, pa.int64() if c in _INTS else pa.string()) for c in FLAT])
    _atomic(out_dir / "conflicts.parquet",
            lambda p: pq.write_table(pa.Table.from_pylist(flat, schema=schema), str(p), compression="zstd"))
    _atomic(out_dir / "conflicts.csv", lambda p: _csv(p, flat))


def write_progress(out_dir: Path, rows: list[dict]) -> None:
    _atomic(out_dir / "target_progress.jsonl", lambda p: _jsonl(p, rows))


def write_graph(out_dir: Path, g: nx.MultiDiGraph, as_json: dict) -> None:
    def dump(p: Path) -> None:
        with open(p, "w", encoding="utf-8") as fh:
            json.dump(as_json, fh, ensure_ascii=False, indent=1)
    _atomic(out_dir / "citations.json", dump)
    _atomic(out_dir / "citations.graphml", lambda p: nx.write_graphml(g, str(p)))


def _jsonl(path: Path, rows: list[dict]) -> None:
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        for r in rows:
            fh.write(json.dumps(r, ensure_ascii=False, default=str))
            fh.write("\n")


def _csv(path: Path, flat: list[dict]) -> None:
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh, lineterminator="\r\n")
        w.writerow(FLAT)
        for r in flat:
            w.writerow(["" if r[c] is None else r[c] for c in FLAT])
