"""The store of record: one SQLite row per document, keyed by doc_id + content hash.

Every output file is derived from this store at the end of a run, so a run killed at any
moment leaves it consistent (SQLite transactions) and the next run picks up where it
stopped. Payloads are the document's ``documents.jsonl`` line, zlib-compressed.
"""
from __future__ import annotations

import json
import sqlite3
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator, Optional

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS docs (
    doc_id      TEXT PRIMARY KEY,
    source      TEXT,
    sha256      TEXT,
    fingerprint TEXT,
    run         INTEGER NOT NULL,
    status      TEXT NOT NULL,          -- ok | error
    payload     BLOB NOT NULL,          -- zlib(JSON line)
    indexed     INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS dups (       -- inputs whose doc_id an earlier input already took
    source  TEXT PRIMARY KEY,
    doc_id  TEXT NOT NULL,
    run     INTEGER NOT NULL,
    payload BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS removed (doc_id TEXT PRIMARY KEY);  -- still to drop from the index
"""


def pack(obj: dict) -> bytes:
    return zlib.compress(json.dumps(obj, ensure_ascii=False).encode("utf-8"), 1)


def unpack_line(blob: bytes) -> str:
    return zlib.decompress(blob).decode("utf-8")


@dataclass
class Known:
    sha256: Optional[str]
    fingerprint: Optional[str]
    run: int
    status: str


class Records:
    """Thin wrapper over the SQLite file; only the engine's main process writes to it."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(str(path), isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(_SCHEMA)
        self._in_tx = False
        self._changed = False   # stored content changed in this transaction

    # -- transactions -------------------------------------------------------------------
    def begin(self) -> None:
        if not self._in_tx:
            self.db.execute("BEGIN")
            self._in_tx = True

    def commit(self) -> None:
        if self._in_tx:
            if self._changed:
                self.set_meta("generation", str(self.generation + 1))
                self._changed = False
            self.db.execute("COMMIT")
            self._in_tx = False

    def close(self) -> None:
        self.commit()
        self.db.close()

    # -- meta ---------------------------------------------------------------------------
    def get_meta(self, key: str, default: str = "") -> str:
        row = self.db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return row[0] if row else default

    def set_meta(self, key: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES(?, ?)", (key, value))

    def next_run(self) -> int:
        run = int(self.get_meta("run", "0")) + 1
        self.set_meta("run", str(run))
        return run

    @property
    def generation(self) -> int:
        """Bumped on every change of stored content; the export remembers which it wrote."""
        return int(self.get_meta("generation", "0"))

    def _bump(self) -> None:
        """Once per transaction (at commit), not once per changed row."""
        if self._in_tx:
            self._changed = True
        else:
            self.set_meta("generation", str(self.generation + 1))

    # -- documents ----------------------------------------------------------------------
    def known(self, doc_id: str) -> Optional[Known]:
        row = self.db.execute(
            "SELECT sha256, fingerprint, run, status FROM docs WHERE doc_id=?", (doc_id,)).fetchone()
        return Known(*row) if row else None

    def touch(self, doc_ids: Iterable[str], run: int) -> None:
        """Mark unchanged documents as seen by this run (what --prune keeps)."""
        self.db.executemany("UPDATE docs SET run=? WHERE doc_id=?", ((run, d) for d in doc_ids))

    def put(self, doc_id: str, source: Optional[str], sha256: Optional[str], fingerprint: str,
            run: int, status: str, payload: bytes) -> None:
        old = self.db.execute("SELECT status, payload FROM docs WHERE doc_id=?", (doc_id,)).fetchone()
        if old is not None and old[0] == status and old[1] == payload:
            self.db.execute("UPDATE docs SET run=?, sha256=?, fingerprint=?, source=? WHERE doc_id=?",
                            (run, sha256, fingerprint, source, doc_id))
            return
        self.db.execute(
            "INSERT OR REPLACE INTO docs(doc_id, source, sha256, fingerprint, run, status, payload, indexed)"
            " VALUES(?, ?, ?, ?, ?, ?, ?, 0)",
            (doc_id, source, sha256, fingerprint, run, status, payload))
        if status != "ok" and old is not None and old[0] == "ok":
            self.db.execute("INSERT OR IGNORE INTO removed(doc_id) VALUES(?)", (doc_id,))
        elif status == "ok":
            self.db.execute("DELETE FROM removed WHERE doc_id=?", (doc_id,))
        self._bump()

    def prune(self, run: int) -> int:
        """Drop documents no input of this run produced; returns how many."""
        gone = self.db.execute(
            "SELECT COUNT(*) FROM docs WHERE run != ?", (run,)).fetchone()[0]
        if gone:
            self.db.execute("INSERT OR IGNORE INTO removed(doc_id)"
                            " SELECT doc_id FROM docs WHERE run != ? AND status='ok'", (run,))
            self.db.execute("DELETE FROM docs WHERE run != ?", (run,))
            self._bump()
        return gone

    # -- duplicate doc ids ----------------------------------------------------------------
    def put_dup(self, source: str, doc_id: str, run: int, payload: bytes) -> None:
        old = self.db.execute("SELECT doc_id, payload FROM dups WHERE source=?", (source,)).fetchone()
        self.db.execute("INSERT OR REPLACE INTO dups(source, doc_id, run, payload) VALUES(?, ?, ?, ?)",
                        (source, doc_id, run, payload))
        if old is None or old[1] != payload:
            self._bump()

    def drop_stale_dups(self, run: int) -> None:
        if self.db.execute("DELETE FROM dups WHERE run != ?", (run,)).rowcount:
            self._bump()

    # -- reading --------------------------------------------------------------------------
    def iter_lines(self, status: str = "ok") -> Iterator[tuple[str, str]]:
        """(doc_id, JSON line) in doc_id order, streamed."""
        cur = self.db.execute("SELECT doc_id, payload FROM docs WHERE status=? ORDER BY doc_id", (status,))
        for doc_id, blob in cur:
            yield doc_id, unpack_line(blob)

    def iter_hashes(self) -> Iterator[tuple[str, str]]:
        yield from self.db.execute("SELECT doc_id, sha256 FROM docs WHERE status='ok' ORDER BY doc_id")

    def iter_errors(self) -> Iterator[str]:
        """errors.jsonl lines: failed documents, then inputs with a duplicate doc_id."""
        for _doc_id, line in self.iter_lines("error"):
            yield line
        for (blob,) in self.db.execute("SELECT payload FROM dups ORDER BY doc_id, source"):
            yield unpack_line(blob)

    def count(self, status: str = "ok") -> int:
        return self.db.execute("SELECT COUNT(*) FROM docs WHERE status=?", (status,)).fetchone()[0]

    def count_dups(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM dups").fetchone()[0]

    # -- index bookkeeping ----------------------------------------------------------------
    def unindexed(self, limit: int) -> list[tuple[str, str]]:
        return self.db.execute(
            "SELECT doc_id, payload FROM docs WHERE status='ok' AND indexed=0 ORDER BY doc_id LIMIT ?",
            (limit,)).fetchall()

    def mark_indexed(self, doc_ids: Iterable[str]) -> None:
        self.db.executemany("UPDATE docs SET indexed=1 WHERE doc_id=?", ((d,) for d in doc_ids))

    def reset_indexed(self) -> None:
        self.db.execute("UPDATE docs SET indexed=0")
        self.db.execute("DELETE FROM removed")

    def removed_batch(self, limit: int) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT doc_id FROM removed ORDER BY doc_id LIMIT ?", (limit,))]

    def forget_removed(self, doc_ids: Iterable[str]) -> None:
        self.db.executemany("DELETE FROM removed WHERE doc_id=?", ((d,) for d in doc_ids))
