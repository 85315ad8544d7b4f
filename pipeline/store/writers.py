"""Streaming writers for the output folder: JSONL, Parquet and CSV, each atomic.

Every file is written under a temporary name in the output folder and moved into place with
``os.replace`` only once complete, so a reader (or a run killed half-way) never sees a
half-written file. Parquet tables are single files written one row group per batch, so
memory stays flat however large the archive is.
"""
from __future__ import annotations

import csv
import io
import json
import operator
import os
from pathlib import Path
from typing import Iterable, Optional

import pyarrow as pa
import pyarrow.parquet as pq

from .tables import COLUMNS

TMP_PREFIX = ".tmp-"

_ARROW = {"str": pa.string(), "int": pa.int64(), "float": pa.float64(), "bool": pa.bool_(),
          "list": pa.list_(pa.string())}


def schema(table: str) -> pa.Schema:
    return pa.schema([pa.field(name, _ARROW[kind]) for name, kind in COLUMNS[table]])


def temp_path(final: Path) -> Path:
    return final.with_name(f"{TMP_PREFIX}{os.getpid()}-{final.name}")


def clean_temps(folder: Path) -> None:
    """Remove temporaries a killed run left behind."""
    for p in folder.glob(f"{TMP_PREFIX}*"):
        if p.is_file():
            p.unlink()


def publish(pairs: Iterable[tuple[Path, Path]]) -> None:
    """Move finished temporaries into place."""
    for tmp, final in pairs:
        os.replace(tmp, final)


class LinesWriter:
    """One text line per item, UTF-8."""

    def __init__(self, final: Path):
        self.final, self.tmp = final, temp_path(final)
        self.fh = open(self.tmp, "w", encoding="utf-8", newline="\n")
        self.count = 0

    def write(self, line: str) -> None:
        self.fh.write(line)
        self.fh.write("\n")
        self.count += 1

    def close(self) -> tuple[Path, Path]:
        self.fh.close()
        return self.tmp, self.final


def _csv_cell(value, kind: str):
    if value is None:
        return ""
    if kind == "list":
        return json.dumps(value, ensure_ascii=False)
    if kind == "bool":
        return "true" if value else "false"
    if kind == "float":
        return repr(value)
    return value


class TableWriter:
    """One table as Parquet (zstd, a row group per batch) and as CSV (UTF-8 with BOM)."""

    def __init__(self, folder: Path, table: str, csv_too: bool = True):
        self.table = table
        self.columns = COLUMNS[table]
        self.schema = schema(table)
        self.count = 0
        self.parquet_final = folder / f"{table}.parquet"
        self.parquet_tmp = temp_path(self.parquet_final)
        self.pq = pq.ParquetWriter(str(self.parquet_tmp), self.schema, compression="zstd")
        self.csv_final: Optional[Path] = folder / f"{table}.csv" if csv_too else None
        self.csv_fh = None
        if self.csv_final is not None:
            self.csv_tmp = temp_path(self.csv_final)
            self.csv_fh = open(self.csv_tmp, "w", encoding="utf-8-sig", newline="")
            self.csv = csv.writer(self.csv_fh, lineterminator="\r\n")
            self.csv.writerow([name for name, _ in self.columns])

    def write(self, rows: list[dict]) -> None:
        if not rows:
            return
        self.pq.write_table(self._arrow(rows))
        if self.csv_fh is not None:
            buf = io.StringIO()   # one file write per batch rather than one per row
            csv.writer(buf, lineterminator="\r\n").writerows(self._csv_rows(rows))
            self.csv_fh.write(buf.getvalue())
        self.count += len(rows)

    def _arrow(self, rows: list[dict]) -> pa.Table:
        """Column by column: the same table ``Table.from_pylist`` builds, in less time."""
        return pa.Table.from_arrays([pa.array([r[f.name] for r in rows], type=f.type) for f in self.schema],
                                    schema=self.schema)

    def _csv_rows(self, rows: list[dict]) -> list[list]:
        """Cells as ``_csv_cell`` makes them. Only list, bool and float columns need it: the
        csv module already writes None as "" and str / int as themselves."""
        get = operator.itemgetter(*(n for n, _ in self.columns))
        if len(self.columns) == 1:
            out = [[get(r)] for r in rows]
        else:
            out = [list(get(r)) for r in rows]
        special = [(i, k) for i, (_, k) in enumerate(self.columns) if k in ("list", "bool", "float")]
        for cells in out:
            for i, kind in special:
                cells[i] = _csv_cell(cells[i], kind)
        return out

    def close(self) -> list[tuple[Path, Path]]:
        self.pq.close()
        done = [(self.parquet_tmp, self.parquet_final)]
        if self.csv_fh is not None:
            self.csv_fh.close()
            done.append((self.csv_tmp, self.csv_final))
        return done
