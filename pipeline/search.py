"""Searching the index: user text -> safe FTS5 query -> ranked, highlighted hits.

User input never reaches FTS5 syntax: it is folded (``pipeline.fold``), cut into letter/digit
tokens and each token (or "quoted phrase") is emitted as a double-quoted FTS5 string, so
operators (NEAR, AND, *, ^), stray quotes and SQL fragments are just words. Filters are
bound SQL parameters. Highlights are computed on the original text by folding it (folding
keeps offsets), not with FTS5's snippet() over the folded copy.
"""
from __future__ import annotations

import json
import sqlite3
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Optional

import regex

from .fold import TOKEN, fold, fold_query, names_id, ref_key
from .store.index import FTS, INDEX_NAME, connect_ro, date_bounds, q

# --kind name -> table
KINDS = {"target": "targets", "task": "assignments", "deadline": "deadlines",
         "reference": "references", "document": "documents"}
ITEM_KINDS = ("target", "task", "deadline", "reference")
STATUSES = ("target", "result")

MAX_QUERY_CHARS = 2000
MAX_TERMS = 24
MAX_TERM_CHARS = 64
SNIPPET_CHARS = 240
FACET_ROWS = 5000

_CHUNK = regex.compile(r'"([^"]*)"|(\S+)')


class SearchError(ValueError):
    """A query that cannot be run; the message is meant for the user."""


@dataclass
class Query:
    text: str = ""
    kind: Optional[str] = None
    year: Optional[int] = None
    unit: Optional[str] = None
    status: Optional[str] = None
    doc_type: Optional[str] = None
    issuer: Optional[str] = None
    date_from: Optional[str] = None
    date_to: Optional[str] = None
    directive: Optional[str] = None
    limit: int = 20


@dataclass
class Hit:
    kind: str
    doc_id: str
    item_id: int
    start: Optional[int]
    end: Optional[int]
    text: str
    value: str              # the value / deadline / id shown in a results table
    unit: Optional[str]
    sentence: str
    highlights: list[tuple[int, int]]  # offsets into ``sentence``
    score: float
    anchor: str             # id of the item in the document view
    title: Optional[str] = None
    year: Optional[int] = None
    fields: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# --- query parsing ---------------------------------------------------------------------------

def parse_terms(text: str) -> list[list[str]]:
    """User text -> groups of folded tokens; a group of several tokens is a phrase.

    "quoted words" form one phrase; an id like 20-NQ/TW is a phrase of its parts; unbalanced
    quotes are ignored. Input is capped so a huge string cannot make a huge query.
    """
    text = (text or "")[:MAX_QUERY_CHARS]
    if text.count('"') % 2:
        text = text.replace('"', " ")
    groups: list[list[str]] = []
    for m in _CHUNK.finditer(text):
        toks = [t[:MAX_TERM_CHARS] for t in TOKEN.findall(fold_query(m.group(1) or m.group(2) or ""))]
        if toks:
            groups.append(toks)
        if len(groups) >= MAX_TERMS:
            break
    return groups


def fts_expression(groups: list[list[str]]) -> Optional[str]:
    """Groups -> an FTS5 MATCH string of double-quoted strings (implicit AND)."""
    if not groups:
        return None
    return " ".join('"' + " ".join(g) + '"' for g in groups)


def highlight_spans(text: str, terms: set[str]) -> list[tuple[int, int]]:
    """Offsets of the tokens of ``text`` whose folded form is one of ``terms``."""
    if not text or not terms:
        return []
    return [(m.start(), m.end()) for m in TOKEN.finditer(fold(text)) if m.group() in terms]


def snippet(text: str, terms: set[str], width: int = SNIPPET_CHARS) -> tuple[str, list[tuple[int, int]]]:
    """A window of ``text`` around the first hit, with highlight offsets inside it."""
    spans = highlight_spans(text, terms)
    if len(text) <= width:
        return text, spans
    first = spans[0][0] if spans else 0
    lo = max(0, first - width // 3)
    space = text.rfind(" ", 0, lo)
    lo = space + 1 if lo and space >= 0 and lo - space < 30 else lo
    hi = min(len(text), lo + width)
    cut = text[lo:hi]
    inner = [(s - lo, e - lo) for s, e in spans if s >= lo and e <= hi]
    prefix = "…" if lo else ""
    suffix = "…" if hi < len(text) else ""
    return prefix + cut + suffix, [(s + len(prefix), e + len(prefix)) for s, e in inner]


# --- filters ---------------------------------------------------------------------------------

def _parse_date(value: Optional[str], upper: bool) -> Optional[str]:
    """--from/--to: ISO (partial) or dd/mm/yyyy -> an ISO day bound."""
    if not value:
        return None
    s = value.strip()
    m = regex.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", s)
    if m:
        s = f"{m.group(3)}-{int(m.group(2)):02d}-{int(m.group(1)):02d}"
    m = regex.fullmatch(r"(\d{1,2})[/.-](\d{4})", s)
    if m:
        s = f"{m.group(2)}-{int(m.group(1)):02d}"
    lo, hi = date_bounds(s)
    if lo is None:
        raise SearchError(f"cannot read the date {value!r}: use YYYY, YYYY-MM, YYYY-MM-DD or DD/MM/YYYY")
    return hi if upper else lo


def _check(query: Query) -> list[str]:
    """Validate the query; return the --kind values to search."""
    if query.kind and query.kind not in KINDS:
        raise SearchError(f"unknown kind {query.kind!r}: use one of {', '.join(KINDS)}")
    if query.status and query.status not in STATUSES:
        raise SearchError(f"unknown status {query.status!r}: use target or result")
    if query.status and query.kind not in (None, "target"):
        raise SearchError("--status applies to targets only (use --kind target)")
    if query.limit is None or query.limit < 1:
        raise SearchError("--limit must be at least 1")
    if query.kind:
        return [query.kind]
    return ["target"] if query.status else list(ITEM_KINDS)


def _where(kind: str, query: Query, match: Optional[str], with_doc: bool = False) -> tuple[str, list[Any]]:
    """FROM/WHERE clause and its parameters for one kind (alias x; d = its document, joined
    only when a filter or ``with_doc`` needs it)."""
    table = KINDS[kind]
    fts = q(table + "_fts")
    own = kind == "document"
    d = "x" if own else "d"
    where: list[str] = []
    params: list[Any] = []
    sql = f"FROM {fts} JOIN {q(table)} AS x ON x.item_id = {fts}.rowid" if match else f"FROM {q(table)} AS x"
    if not own and (with_doc or query.doc_type or query.issuer):
        sql += " JOIN documents AS d ON d.doc_id = x.doc_id"
    if match:
        where.append(f"{fts} MATCH ?")
        params.append(match)
    if query.year is not None:
        where.append("x.year = ?")
        params.append(int(query.year))
    if query.unit:
        where.append("instr(x.unit_key, ?) > 0")
        params.append(fold_query(query.unit.strip()))
    if query.status:
        where.append("x.status = ?")
        params.append(query.status)
    if query.doc_type:
        where.append(f"{d}.doc_type = ?")
        params.append(query.doc_type.strip())
    if query.issuer:
        where.append(f"instr({d}.unit_key, ?) > 0")
        params.append(fold_query(query.issuer.strip()))
    lo = _parse_date(query.date_from, upper=False)
    hi = _parse_date(query.date_to, upper=True)
    if lo:
        where.append("x.date_hi >= ?")
        params.append(lo)
    if hi:
        where.append("x.date_lo <= ?")
        params.append(hi)
    if query.directive:
        key = ref_key(query.directive)
        if not key:
            raise SearchError("--directive needs a document id such as 20-NQ/TW")
        where.append(f"x.doc_id IN (SELECT doc_id FROM {q('references')} WHERE ref_key = ?)")
        params.append(key)
    if where:
        sql += " WHERE " + " AND ".join(where)
    return sql, params


def has_filter(query: Query) -> bool:
    return any(v not in (None, "") for v in (query.year, query.unit, query.status, query.doc_type,
                                               query.issuer, query.date_from, query.date_to,
                                               query.directive))


# --- hits ------------------------------------------------------------------------------------

def _fmt_num(v: Any) -> str:
    if v is None:
        return ""
    f = float(v)
    return str(int(f)) if f.is_integer() else f"{f:g}".replace(".", ",")


_COMPARATOR = {"=": "", ">": "> ", ">=": "≥ ", "<": "< ", "<=": "≤ ", "range": ""}


def display_value(kind: str, row: dict) -> str:
    """What the results table shows in its value column."""
    if kind == "target":
        num = _fmt_num(row.get("value"))
        if row.get("value_max") is not None:
            num += "–" + _fmt_num(row.get("value_max"))
        out = _COMPARATOR.get(row.get("comparator") or "=", "") + num + (row.get("unit") or "")
        return out + (f" ({row['year']})" if row.get("year") else "")
    if kind == "task":
        return row.get("deadline") or ""
    if kind == "deadline":
        return row.get("value") or ("định kỳ" if row.get("recurring") else "")
    if kind == "reference":
        return " ".join(p for p in (row.get("kind"), row.get("id")) if p)
    return " ".join(p for p in (row.get("doc_type"), row.get("number")) if p)


def anchor_for(kind: str, row: dict) -> str:
    if kind == "document":
        return ""
    return f"{KINDS[kind]}-{row.get('start')}-{row.get('end')}"


def _hit(kind: str, row: sqlite3.Row, terms: set[str]) -> Hit:
    r = dict(row)
    if kind == "document":
        body = r.get("text") or ""
        sentence, spans = snippet(body, terms) if terms else (body[:SNIPPET_CHARS], [])
    else:
        sentence = r.get("sentence") or r.get("text") or ""
        spans = highlight_spans(sentence, terms)
    skip = {"sentence", "text", "unit_key", "date_lo", "date_hi", "ref_key", "doc_hash", "number_key",
            "score", "d_title", "unit_name"}
    return Hit(
        kind=kind, doc_id=r["doc_id"], item_id=r["item_id"], start=r.get("start"), end=r.get("end"),
        text=(r.get("text") or "")[:SNIPPET_CHARS] if kind != "document" else (r.get("title") or ""),
        value=display_value(kind, r), unit=r.get("unit_name"), sentence=sentence, highlights=spans,
        score=float(r.get("score") or 0.0), anchor=anchor_for(kind, r), title=r.get("d_title"),
        year=r.get("year"), fields={k: v for k, v in r.items() if k not in skip},
    )


def _open(db: str | Path | sqlite3.Connection) -> tuple[sqlite3.Connection, bool]:
    if isinstance(db, sqlite3.Connection):
        return db, False
    path = Path(db)
    if path.is_dir():
        path = path / INDEX_NAME
    if not path.exists():
        raise SearchError(f"no index at {path}: run `chidao run INPUT --out OUT` first")
    return connect_ro(path), True


def _weights(table: str) -> str:
    """bm25 column weights: the short, specific column counts more than the sentence."""
    n = len(FTS[table])
    return ", ".join(["3.0"] + ["1.0"] * (n - 1))


def _select(kind: str, query: Query, match: Optional[str], limit: int) -> tuple[str, list[Any]]:
    """Best ``limit`` rows of one kind. Ranking runs over ids only; the wide rows (document
    text) are fetched for the winners alone."""
    table = KINDS[kind]
    body, params = _where(kind, query, match)
    if match:
        score = f"bm25({q(table + '_fts')}, {_weights(table)})"
        inner_order, outer_order = "score, iid", "m.score, m.iid"
    else:
        score = "0.0"
        key = "x.doc_id" if kind == "document" else "x.doc_id, x.start"
        inner_order, outer_order = f"{key}, x.item_id", f"{key}, x.item_id"
    inner = f"SELECT x.item_id AS iid, {score} AS score {body} ORDER BY {inner_order} LIMIT ?"
    if match and not has_filter(query):  # bare text: rank on the FTS table alone, no join
        fts = q(table + "_fts")
        inner = f"SELECT rowid AS iid, {score} AS score FROM {fts} WHERE {fts} MATCH ? ORDER BY score, iid LIMIT ?"
    if kind == "document":
        outer = (f"SELECT x.*, x.title AS d_title, m.score AS score FROM ({inner}) AS m "
                 f"JOIN documents AS x ON x.item_id = m.iid ORDER BY {outer_order}")
    else:
        outer = (f"SELECT x.*, d.title AS d_title, d.doc_type AS doc_type, m.score AS score FROM ({inner}) AS m "
                 f"JOIN {q(table)} AS x ON x.item_id = m.iid JOIN documents AS d ON d.doc_id = x.doc_id "
                 f"ORDER BY {outer_order}")
    return outer, params + [int(limit)]


def search(db: str | Path | sqlite3.Connection, query: Query) -> list[Hit]:
    """Ranked hits (bm25, best first) over the kinds the query asks for."""
    kinds = _check(query)
    groups = parse_terms(query.text)
    match = fts_expression(groups)
    if match is None and not has_filter(query):
        raise SearchError("nothing to search: type words (e.g. suy dinh duong) or give a filter "
                          "such as --year, --unit or --directive")
    terms = {t for g in groups for t in g}
    con, own = _open(db)
    try:
        hits: list[Hit] = []
        for kind in kinds:
            sql, params = _select(kind, query, match, query.limit)
            hits.extend(_hit(kind, row, terms) for row in con.execute(sql, params))
        if match:
            hits.sort(key=lambda h: h.score)
        return hits[: query.limit]
    except sqlite3.OperationalError as exc:  # a damaged or foreign database file
        raise SearchError(f"the index could not be searched ({exc}); rebuild it with `chidao run`") from exc
    finally:
        if own:
            con.close()


_FACET_COLS = {"year": "x.year", "unit": "x.unit_name", "doc_type": "d.doc_type", "status": "x.status"}


def facets(db: str | Path | sqlite3.Connection, query: Query, top: int = 12) -> dict[str, list[tuple[Any, int]]]:
    """Counts per year, unit, doc type and status over (at most FACET_ROWS of) the matches."""
    kinds = _check(query)
    match = fts_expression(parse_terms(query.text))
    if match is None and not has_filter(query):
        return {}
    con, own = _open(db)
    counts: dict[str, dict[Any, int]] = {k: {} for k in _FACET_COLS}
    try:
        for kind in kinds:
            body, params = _where(kind, query, match, with_doc=True)
            cols = [("NULL" if (name == "status" and kind != "target") else col) for name, col in _FACET_COLS.items()]
            if kind == "document":
                cols = [c.replace("d.", "x.") for c in cols]
            for row in con.execute(f"SELECT {', '.join(cols)} {body} LIMIT ?", params + [FACET_ROWS]):
                for name, value in zip(_FACET_COLS, row):
                    if value not in (None, ""):
                        counts[name][value] = counts[name].get(value, 0) + 1
    except sqlite3.OperationalError as exc:
        raise SearchError(f"the index could not be searched ({exc})") from exc
    finally:
        if own:
            con.close()
    return {name: sorted(c.items(), key=lambda kv: (-kv[1], str(kv[0])))[:top] for name, c in counts.items() if c}


def citing(db: str | Path | sqlite3.Connection, directive: str) -> dict[str, Any]:
    """Documents citing ``directive`` and, among them, those implementing it (cited in the
    document's own title, as plans and programmes "thực hiện" a resolution do)."""
    key = ref_key(directive)
    if not key:
        raise SearchError("give a document id such as 20-NQ/TW")
    con, own = _open(db)
    try:
        own_doc = con.execute("SELECT doc_id, title, doc_type FROM documents WHERE number_key = ?", (key,)).fetchall()
        rows = con.execute(
            f"SELECT r.doc_id, r.start, r.\"end\", r.text, r.kind, r.id, r.date, r.sentence, "
            f"d.title, d.doc_type, d.issue_date, d.issuer FROM {q('references')} r "
            f"JOIN documents d ON d.doc_id = r.doc_id WHERE r.ref_key = ? ORDER BY d.issue_date, r.doc_id, r.start",
            (key,)).fetchall()
    finally:
        if own:
            con.close()
    docs: dict[str, dict[str, Any]] = {}
    for r in rows:
        r = dict(r)
        entry = docs.setdefault(r["doc_id"], {
            "doc_id": r["doc_id"], "title": r["title"], "doc_type": r["doc_type"],
            "issue_date": r["issue_date"], "issuer": r["issuer"], "mentions": [],
            "implements": names_id(r["title"], key),
        })
        entry["mentions"].append({"start": r["start"], "end": r["end"], "text": r["text"], "kind": r["kind"],
                                  "sentence": r["sentence"], "context": _around(r["sentence"] or "", r["text"] or ""),
                                  "anchor": f"references-{r['start']}-{r['end']}"})
    return {"directive": directive, "key": key, "documents": list(docs.values()),
            "self": [dict(r) for r in own_doc]}


def _around(sentence: str, mention: str, width: int = SNIPPET_CHARS) -> str:
    """A window of ``sentence`` centred on ``mention``."""
    at = sentence.find(mention)
    if at < 0 or len(sentence) <= width:
        return sentence[:width]
    lo = max(0, at - (width - len(mention)) // 2)
    hi = min(len(sentence), lo + width)
    return ("…" if lo else "") + sentence[lo:hi] + ("…" if hi < len(sentence) else "")


def most_cited(db: str | Path | sqlite3.Connection, top: int = 30) -> list[dict[str, Any]]:
    con, own = _open(db)
    try:
        rows = con.execute(
            f"SELECT MIN(id) AS id, MIN(kind) AS kind, COUNT(DISTINCT doc_id) AS docs FROM {q('references')} "
            "WHERE ref_key IS NOT NULL GROUP BY ref_key ORDER BY docs DESC, id LIMIT ?", (top,)).fetchall()
    finally:
        if own:
            con.close()
    return [dict(r) for r in rows]


def hits_json(hits: list[Hit]) -> str:
    return json.dumps([h.to_dict() for h in hits], ensure_ascii=False, indent=1, default=str)


def rich_table(hits: list[Hit]):
    """A rich Table of hits; matched words in the sentence are highlighted."""
    from rich.table import Table
    from rich.text import Text

    table = Table(show_lines=True, expand=True)
    for name, kw in (("kind", {"no_wrap": True}), ("doc_id", {"overflow": "fold", "max_width": 24}),
                     ("value / deadline", {"max_width": 22}), ("unit", {"max_width": 24}),
                     ("sentence", {"ratio": 1})):
        table.add_column(name, **kw)
    for h in hits:
        sentence = Text(h.sentence)
        for s, e in h.highlights:
            sentence.stylize("bold yellow", s, e)
        table.add_row(h.kind, h.doc_id, h.value, h.unit or "", sentence)
    return table
