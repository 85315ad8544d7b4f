"""Output store: the store of record (records.py), its flattening into tables (tables.py),
the atomic streaming writers (writers.py) and the export of the output folder (export.py).
The SQLite search index lives in index.py."""
from __future__ import annotations

from .export import OUTPUT_FILES, export, iter_documents, outputs_present, write_manifest
from .records import Records
from .tables import COLUMNS, TABLES, rows_for

__all__ = ["TABLES", "COLUMNS", "rows_for", "Records", "export", "write_manifest",
           "outputs_present", "iter_documents", "OUTPUT_FILES"]
