"""The SQLite search index: the flat tables plus folded FTS5 indexes.

Columns come from ``store.tables`` (one flattening for every writer). Each item table adds
a few search columns: the sentence around the item (cut from the document text by offsets),
the year and the date interval the item is about (for --year / --from / --to), and the
responsible body folded (for --unit). FTS5 tables hold *folded* copies of the searchable
text (see ``pipeline.fold``), because unicode61 alone does not fold đ; rowids match the
item table's ``item_id`` so a hit joins back to its row.

Updates are upserts per document inside one transaction; a document whose content hash is
unchanged is skipped, so re-indexing the same documents writes nothing.
"""
from __future__ import annotations

import hashlib
import json
import operator
import os
import sqlite3
from pathlib import Path
from typing import Any, Iterable, Iterator, Optional

import regex

from ..fold import fold, ref_key
from .tables import COLUMNS, TABLES, rows_for

INDEX_VERSION = "1"
INDEX_NAME = "index.sqlite"

# SQL types of the column kinds used by store.tables
_SQL_TYPE = {"str": "TEXT", "int": "INTEGER", "float": "REAL", "bool": "INTEGER", "list": "TEXT"}

# Search columns added to every item table and to documents.
_EXTRA = [("sentence", "TEXT"), ("year", "INTEGER"), ("date_lo", "TEXT"), ("date_hi", "TEXT"),
          ("unit_name", "TEXT"), ("unit_key", "TEXT"), ("ref_key", "TEXT")]
_DOC_EXTRA = [("doc_hash", "TEXT"), ("year", "INTEGER"), ("date_lo", "TEXT"), ("date_hi", "TEXT"),
              ("unit_name", "TEXT"), ("unit_key", "TEXT"), ("number_key", "TEXT")]

# FTS5 tables: which (folded) fields of which table are searchable, in bm25 weight order.
FTS = {
    "targets": ("indicator", "sentence"),
    "assignments": ("unit", "task", "sentence"),
    "deadlines": ("text", "unit", "sentence"),
    "references": ("id", "kind", "subject", "text", "sentence"),
    "documents": ("title", "text"),
}

# Where each table keeps the year/date and the responsible body it is filtered by.
_DATE_FIELD = {"targets": "year", "assignments": "deadline", "deadlines": "value",
               "references": "date", "dates": "value", "documents": "issue_date"}
_UNIT_FIELD = {"targets": "responsible", "assignments": "unit", "deadlines": "unit",
               "references": "issuer", "documents": "issuer"}

_SENT_BREAK = regex.compile(r"\n|(?<=[.!?…])\s+(?=[\p{Lu}\p{N}\"“(\-])")
_SENT_WINDOW = 400
_ISO_DATE = regex.compile(r"(\d{4})(?:-(?:(\d{2})(?:-(\d{2}))?|Q([1-4])|H([12])))?")
_SENT_STEPS = (48, 160)  # characters back from an item tried before the whole window
_WS = regex.compile(r"\s")


def q(name: str) -> str:
    """Quote an identifier ("references" and "end" are SQL keywords)."""
    return '"' + name.replace('"', '""') + '"'


# --- schema ---------------------------------------------------------------------------------

def _table_sql(table: str) -> str:
    cols = [(n, _SQL_TYPE[k]) for n, k in COLUMNS[table]]
    extra = _DOC_EXTRA if table == "documents" else _EXTRA
    cols += [(n, t) for n, t in extra if n not in dict(COLUMNS[table])]
    # the (long) text goes last: filters on the other columns never read its overflow pages
    cols.sort(key=lambda c: c[0] == "text")
    body = ", ".join(f"{q(n)} {t}" for n, t in cols)
    return f"CREATE TABLE IF NOT EXISTS {q(table)} (item_id INTEGER PRIMARY KEY, {body})"


def _schema() -> list[str]:
    out = ["CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)"]
    for table in TABLES:
        out.append(_table_sql(table))
        unique = "UNIQUE " if table == "documents" else ""
        out.append(f"CREATE {unique}INDEX IF NOT EXISTS {q('ix_' + table + '_doc')} ON {q(table)} (doc_id)")
    out.append(f"CREATE INDEX IF NOT EXISTS ix_references_key ON {q('references')} (ref_key)")
    for table, fields in FTS.items():
        cols = ", ".join(q(f) for f in fields)
        out.append(f"CREATE VIRTUAL TABLE IF NOT EXISTS {q(table + '_fts')} USING fts5({cols}, "
                   "tokenize = 'unicode61 remove_diacritics 2')")
    out.append("CREATE TABLE IF NOT EXISTS conflicts (item_id INTEGER PRIMARY KEY, kind TEXT, "
               "doc_id TEXT, explanation TEXT, data TEXT)")
    return out


def connect(db_path: str | Path) -> sqlite3.Connection:
    """Writable connection with the schema in place."""
    con = sqlite3.connect(str(db_path), isolation_level=None)
    con.execute("PRAGMA synchronous = NORMAL")
    for stmt in _schema():
        con.execute(stmt)
    con.execute("INSERT OR REPLACE INTO meta VALUES ('index_version', ?)", (INDEX_VERSION,))
    return con


def connect_ro(db_path: str | Path) -> sqlite3.Connection:
    """Read-only connection (sqlite URI mode=ro): readers can never change the index."""
    uri = Path(db_path).resolve().as_uri() + "?mode=ro"
    con = sqlite3.connect(uri, uri=True, check_same_thread=False)
    con.row_factory = sqlite3.Row
    return con


# --- derived search columns ------------------------------------------------------------------

def date_bounds(value: Any) -> tuple[Optional[str], Optional[str]]:
    """ISO (partial) date or interval -> (first day, last day); (None, None) if unknown.

    "2025" -> 2025-01-01..2025-12-31, "2023-Q1" -> ..2023-03-31, "2024-H1", "2022-01",
    "2020/2025", "2020-07-27/2020-07-28". Day-month without a year ("--03-15") has no bounds.
    """
    if value is None:
        return None, None
    s = str(value).strip()
    if "/" in s:
        first, _, last = s.partition("/")
        return date_bounds(first)[0], date_bounds(last)[1]
    m = _ISO_DATE.fullmatch(s)
    if not m:
        return None, None
    year, month, day, quarter, half = m.groups()
    if day:
        return f"{year}-{month}-{day}", f"{year}-{month}-{day}"
    if month:
        return f"{year}-{month}-01", f"{year}-{month}-31"
    if quarter:
        first = 3 * int(quarter) - 2
        return f"{year}-{first:02d}-01", f"{year}-{first + 2:02d}-31"
    if half:
        return (f"{year}-01-01", f"{year}-06-30") if half == "1" else (f"{year}-07-01", f"{year}-12-31")
    return f"{year}-01-01", f"{year}-12-31"


def _last_break_end(text: str, lo: int, start: int) -> int:
    """End of the last break ``_SENT_BREAK.finditer(text, lo, start)`` finds, else ``lo``.

    Scanning all 400 characters back from every item was the index's hot spot, so short
    stretches just before ``start`` are tried first. Breaks are runs of whitespace: a scan
    resumed at ``p`` where ``text[p - 1]`` is not whitespace finds exactly the breaks the scan
    from ``lo`` finds after ``p`` (no break straddles ``p``; look-behinds see before ``p``,
    and ``start`` stays the end of the string for look-aheads). So the first stretch holding
    a break gives the same answer as the whole window.
    """
    for back in _SENT_STEPS:
        p = start - back
        while p > lo and _WS.match(text, p - 1):
            p -= 1
        if p <= lo:
            break
        left = -1
        for m in _SENT_BREAK.finditer(text, p, start):
            left = m.end()
        if left >= 0:
            return left
    left = lo
    for m in _SENT_BREAK.finditer(text, lo, start):
        left = m.end()
    return left


def _next_break(text: str, end: int, hi: int):
    """``_SENT_BREAK.search(text, end, hi)``, trying a short stretch after ``end`` first.

    A break found in the stretch that ends before its last character and is followed by a
    non-space is the one the whole window gives: every earlier attempt, and this match,
    looked only at characters inside the stretch.
    """
    stop = min(hi, end + _SENT_STEPS[-1])
    if stop < hi:
        m = _SENT_BREAK.search(text, end, stop)
        if m and m.end() < stop and not _WS.match(text, m.end()):
            return m
    return _SENT_BREAK.search(text, end, hi)


def sentence_around(text: str, start: int, end: int) -> str:
    """The sentence (or list line) holding text[start:end], at most ~400 chars each side."""
    if not text or start is None or end is None:
        return ""
    lo = max(0, start - _SENT_WINDOW)
    left = _last_break_end(text, lo, start)
    if left == lo and lo > 0:  # no break inside the window: at least cut between words
        space = text.find(" ", lo, start)
        left = space + 1 if space >= 0 else lo
    hi = min(len(text), end + _SENT_WINDOW)
    m = _next_break(text, end, hi)
    right = m.start() if m else hi
    if not m and hi < len(text):
        space = text.rfind(" ", end, hi)
        right = space if space >= 0 else hi
    return text[left:max(right, end)].strip()


def _year(lo: Optional[str]) -> Optional[int]:
    return int(lo[:4]) if lo else None


def _item_extras(table: str, row: dict, text: str) -> dict:
    lo, hi = date_bounds(row.get(_DATE_FIELD.get(table, ""), None))
    unit = row.get(_UNIT_FIELD.get(table, ""), None)
    year = row.get("year") if table == "targets" and row.get("year") is not None else _year(lo)
    return {
        "sentence": sentence_around(text, row.get("start"), row.get("end")),
        "year": year,
        "date_lo": lo,
        "date_hi": hi,
        "unit_name": unit,
        "unit_key": fold(unit) if unit else None,
        "ref_key": ref_key(row.get("id")) if table == "references" else None,
    }


def _doc_extras(row: dict, doc_hash: str) -> dict:
    lo, hi = date_bounds(row.get("issue_date"))
    unit = row.get("issuer")
    return {"doc_hash": doc_hash, "year": _year(lo), "date_lo": lo, "date_hi": hi,
            "unit_name": unit, "unit_key": fold(unit) if unit else None,
            "number_key": ref_key(row.get("number"))}


def doc_hash(doc: dict) -> str:
    """Content hash of a document dict: equal hash -> nothing to re-index."""
    blob = json.dumps(doc, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(blob.encode("utf-8", "surrogatepass")).hexdigest()


def _sql_value(value: Any) -> Any:
    if isinstance(value, (list, tuple, dict)):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return int(value)
    return value


def _sql_rows(table: str, names: list[str], ids: range, rows: list[dict]) -> list[list]:
    """``[item_id] + [_sql_value(row[name]) ...]`` per row. Rows come from store.tables, so
    only list and bool columns need converting; the rest are already str, int, float or None."""
    kinds = dict(COLUMNS[table])
    get = operator.itemgetter(*names)
    out = [[i, *get(r)] if len(names) > 1 else [i, get(r)] for i, r in zip(ids, rows)]
    special = [j + 1 for j, n in enumerate(names) if kinds.get(n) in ("list", "bool")]
    for values in out:
        for j in special:
            values[j] = _sql_value(values[j])
    return out


# --- writing ---------------------------------------------------------------------------------

def _delete_doc(con: sqlite3.Connection, doc_id: str) -> None:
    for table in TABLES:
        if table in FTS:
            con.execute(f"DELETE FROM {q(table + '_fts')} WHERE rowid IN "
                        f"(SELECT item_id FROM {q(table)} WHERE doc_id = ?)", (doc_id,))
        con.execute(f"DELETE FROM {q(table)} WHERE doc_id = ?", (doc_id,))


class _Pending:
    """Rows waiting to be inserted, one ``executemany`` per table instead of two
    ``execute`` calls per item.

    ``item_id`` is given explicitly as max(item_id) + 1 onwards, which is what SQLite picks
    for an INTEGER PRIMARY KEY without AUTOINCREMENT, so the ids (and the FTS rowids that
    join back to them) are the ones row-by-row inserts got. Deleting changes max(item_id),
    so pending rows are written and the next ids re-read before any delete.
    """

    def __init__(self, con: sqlite3.Connection):
        self.con = con
        self.rows: dict[str, list[dict]] = {t: [] for t in TABLES}
        self.doc_ids: set[str] = set()
        self.next_id: dict[str, int] = {}

    def add(self, doc: dict, digest: str) -> None:
        tables = rows_for(doc)
        drow = tables["documents"][0]
        drow.update(_doc_extras(drow, digest))
        self.rows["documents"].append(drow)
        text = doc.get("text") or ""
        for table in TABLES[1:]:
            rows = tables.get(table) or []
            for r in rows:
                r.update(_item_extras(table, r, text))
            self.rows[table].extend(rows)
        self.doc_ids.add(doc["doc_id"])

    def flush(self) -> None:
        for table, rows in self.rows.items():
            if rows:
                self._insert(table, rows)
                rows.clear()
        self.doc_ids.clear()

    def forget_ids(self) -> None:
        """Before a delete: write what is pending, then re-read max(item_id) when next needed."""
        self.flush()
        self.next_id.clear()

    def _first_id(self, table: str, n: int) -> int:
        if table not in self.next_id:
            top = self.con.execute(f"SELECT max(item_id) FROM {q(table)}").fetchone()[0]
            self.next_id[table] = (top or 0) + 1
        first = self.next_id[table]
        self.next_id[table] = first + n
        return first

    def _insert(self, table: str, rows: list[dict]) -> None:
        names = list(rows[0])
        sql = (f"INSERT INTO {q(table)} (item_id, {', '.join(q(n) for n in names)}) "
               f"VALUES (?, {', '.join('?' for _ in names)})")
        first = self._first_id(table, len(rows))
        ids = range(first, first + len(rows))
        self.con.executemany(sql, _sql_rows(table, names, ids, rows))
        fields = FTS.get(table)
        if fields:
            fts_sql = (f"INSERT INTO {q(table + '_fts')} (rowid, {', '.join(q(f) for f in fields)}) "
                       f"VALUES (?, {', '.join('?' for _ in fields)})")
            self.con.executemany(fts_sql, [[i] + [fold(str(r[f])) if r.get(f) is not None else None
                                                  for f in fields] for i, r in zip(ids, rows)])


def update_index(db_path: Path, docs: Iterable[dict], remove_ids: Iterable[str] = ()) -> None:
    """Upsert ``docs`` (Document dicts with ``text``) and drop ``remove_ids``, in one
    transaction. Unchanged documents (same content hash) are left untouched."""
    con = connect(db_path)
    try:
        con.execute("BEGIN IMMEDIATE")
        for doc_id in remove_ids:
            _delete_doc(con, doc_id)
        pending = _Pending(con)
        for doc in docs:
            digest = doc_hash(doc)
            if doc["doc_id"] in pending.doc_ids:   # the same id twice: see the first one
                pending.flush()
            old = con.execute("SELECT doc_hash FROM documents WHERE doc_id = ?", (doc["doc_id"],)).fetchone()
            if old and old[0] == digest:
                continue
            if old:
                pending.forget_ids()
                _delete_doc(con, doc["doc_id"])
            pending.add(doc, digest)
        pending.flush()
        con.execute("COMMIT")
    except BaseException:
        if con.in_transaction:
            con.execute("ROLLBACK")
        raise
    finally:
        con.close()


def load_conflicts(db_path: Path, conflicts: Iterable[dict]) -> int:
    """Replace the conflicts table (conflicts are corpus-wide, so never upserted)."""
    rows = []
    for c in conflicts:
        items = c.get("items") or []
        doc_id = c.get("doc_id") or next((i.get("doc_id") for i in items if isinstance(i, dict)), None)
        rows.append((c.get("kind"), doc_id, c.get("explanation"), json.dumps(c, ensure_ascii=False, default=str)))
    con = connect(db_path)
    try:
        con.execute("BEGIN IMMEDIATE")
        con.execute("DELETE FROM conflicts")
        con.executemany("INSERT INTO conflicts (kind, doc_id, explanation, data) VALUES (?, ?, ?, ?)", rows)
        con.execute("COMMIT")
    finally:
        con.close()
    return len(rows)


def read_jsonl(path: Path) -> Iterator[dict]:
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def read_conflicts(out: Path) -> Optional[list[dict]]:
    """OUT/conflicts.jsonl, else OUT/conflicts.parquet; None when the check has not run."""
    if (out / "conflicts.jsonl").exists():
        return list(read_jsonl(out / "conflicts.jsonl"))
    if (out / "conflicts.parquet").exists():
        import pyarrow.parquet as pq

        return pq.read_table(out / "conflicts.parquet").to_pylist()
    return None


def _batches(items: Iterable[dict], size: int) -> Iterator[list[dict]]:
    batch: list[dict] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def build_index(out_dir: str | Path, batch_size: int = 500) -> Path:
    """(Re)build OUT/index.sqlite from OUT/documents.jsonl (and OUT/conflicts.jsonl).

    Built beside the old index and swapped in at the end, so readers never see half an index.
    """
    out = Path(out_dir)
    src = out / "documents.jsonl"
    if not src.exists():
        raise FileNotFoundError(f"{src} not found: run `chidao run INPUT --out {out}` first")
    final = out / INDEX_NAME
    tmp = out / (INDEX_NAME + ".tmp")
    if tmp.exists():
        tmp.unlink()
    for batch in _batches(read_jsonl(src), batch_size):
        update_index(tmp, batch)
    connect(tmp).close()  # an empty documents.jsonl still gives a valid, empty index
    conflicts = read_conflicts(out)
    if conflicts is not None:
        load_conflicts(tmp, conflicts)
    con = sqlite3.connect(str(tmp))
    con.execute("INSERT INTO documents_fts(documents_fts) VALUES ('optimize')")
    con.commit()
    con.close()
    os.replace(tmp, final)
    return final


def counts(db_path: str | Path) -> dict[str, int]:
    """Rows per table (for reports and tests)."""
    con = connect_ro(db_path)
    try:
        names = list(TABLES) + ["conflicts"]
        return {t: con.execute(f"SELECT COUNT(*) FROM {q(t)}").fetchone()[0] for t in names}
    finally:
        con.close()
