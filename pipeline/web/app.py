"""The web page: Starlette routes over a read-only index.sqlite.

Every request opens its own read-only connection (sqlite URI mode=ro), so the server can
never change the index and a rebuild swapped in by `chidao run` is picked up on the next
request. Bad input gets a plain message; unexpected errors get a generic page, never a
traceback.
"""
from __future__ import annotations

import logging
import sqlite3
from pathlib import Path
from typing import Any, Optional
from urllib.parse import quote, urlencode

import jinja2
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from .. import search as s
from ..store.index import INDEX_NAME, connect_ro, q
from . import markup, timeline

HERE = Path(__file__).resolve().parent
log = logging.getLogger("chidao.web")

MAX_LIMIT = 200
_ITEM_TABLES = ("assignments", "deadlines", "references", "targets", "dates", "entities")


class BadInput(ValueError):
    """A request parameter that cannot be used; the message is shown to the user."""


def _db_path(out: str | Path) -> Path:
    path = Path(out)
    if path.is_dir():
        path = path / INDEX_NAME
    if not path.exists():
        raise FileNotFoundError(f"no index at {path}: run `chidao run INPUT --out OUT` first")
    return path


def _templates() -> Jinja2Templates:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(HERE / "templates")),
                             autoescape=jinja2.select_autoescape(["html"], default=True))
    env.filters["hl"] = markup.highlight
    env.filters["docurl"] = lambda doc_id: "/doc/" + quote(str(doc_id), safe="/")
    env.globals["urlencode"] = urlencode
    return Jinja2Templates(env=env)


def _int(value: Optional[str], name: str, lo: int, hi: int) -> Optional[int]:
    if value in (None, ""):
        return None
    try:
        n = int(str(value).strip())
    except ValueError:
        raise BadInput(f"{name} must be a whole number, not {value[:40]!r}") from None
    if not lo <= n <= hi:
        raise BadInput(f"{name} must be between {lo} and {hi}")
    return n


def _text(params, name: str, cap: int = 200) -> Optional[str]:
    value = params.get(name)
    return value.strip()[:cap] or None if value else None


def query_from(params) -> s.Query:
    """Query parameters -> a search Query (validated; BadInput on nonsense)."""
    kind = _text(params, "kind")
    status = _text(params, "status")
    if kind and kind not in s.KINDS:
        raise BadInput(f"unknown kind {kind!r}")
    if status and status not in s.STATUSES:
        raise BadInput(f"unknown status {status!r}")
    return s.Query(
        text=(params.get("q") or "")[: s.MAX_QUERY_CHARS], kind=kind,
        year=_int(params.get("year"), "year", 1000, 9999), unit=_text(params, "unit"), status=status,
        doc_type=_text(params, "doc_type"), issuer=_text(params, "issuer"),
        date_from=_text(params, "from"), date_to=_text(params, "to"),
        directive=_text(params, "directive"),
        limit=_int(params.get("limit"), "limit", 1, MAX_LIMIT) or 50,
    )


def _facet_links(params, facets: dict[str, list[tuple[Any, int]]]) -> dict[str, list[dict]]:
    """Each facet value with the URL that adds (or toggles off) that filter."""
    base = {k: v for k, v in params.items() if v}
    out: dict[str, list[dict]] = {}
    for name, values in facets.items():
        links = []
        for value, count in values:
            chosen = str(base.get(name, "")) == str(value)
            p = dict(base)
            if chosen:
                p.pop(name, None)
            else:
                p[name] = value
            links.append({"value": value, "count": count, "chosen": chosen, "url": "/?" + urlencode(p)})
        out[name] = links
    return out


def create_app(out: str | Path) -> Starlette:
    """The Starlette app over OUT/index.sqlite (or a given .sqlite file)."""
    db_path = _db_path(out)
    templates = _templates()

    def page(request: Request, name: str, status: int = 200, **ctx) -> Response:
        return templates.TemplateResponse(request, name, ctx, status_code=status)

    def index(request: Request) -> Response:
        params = request.query_params
        ctx: dict[str, Any] = {"params": dict(params), "hits": None, "facets": {}, "message": None,
                               "kinds": list(s.KINDS)}
        try:
            query = query_from(params)
        except BadInput as exc:
            return page(request, "search.html", 400, **{**ctx, "message": str(exc)})
        ctx["query"] = query
        if not (s.parse_terms(query.text) or s.has_filter(query)):
            if query.text.strip():
                ctx["message"] = "Nothing to search: type words with letters or digits, e.g. suy dinh duong."
            return page(request, "search.html", **ctx)
        try:
            with _ro(db_path) as con:
                ctx["hits"] = s.search(con, query)
                ctx["facets"] = _facet_links(params, s.facets(con, query))
        except s.SearchError as exc:
            return page(request, "search.html", 400, **{**ctx, "message": str(exc)})
        return page(request, "search.html", **ctx)

    def document(request: Request) -> Response:
        doc_id = request.path_params["doc_id"]
        with _ro(db_path) as con:
            row = con.execute("SELECT * FROM documents WHERE doc_id = ?", (doc_id,)).fetchone()
            if row is None:
                return page(request, "message.html", 404, message=f"No document {doc_id!r} in the index.")
            items = {t: [dict(r) for r in con.execute(
                f"SELECT * FROM {q(t)} WHERE doc_id = ? ORDER BY start", (doc_id,))] for t in _ITEM_TABLES}
            deadlines = _deadline_rows(con, doc_id=doc_id)
            conflicts = [dict(r) for r in con.execute(
                "SELECT kind, explanation FROM conflicts WHERE doc_id = ? ORDER BY item_id", (doc_id,))]
        doc = dict(row)
        marks = [markup.Mark(r["start"], r["end"], t, _note(t, r), _tooltip(t, r))
                 for t, rows in items.items() for r in rows]
        return page(request, "document.html", doc=doc, items=items, body=markup.render(doc["text"] or "", marks),
                    counts={t: len(v) for t, v in items.items()}, labels=markup.LABELS,
                    chart=timeline.svg(deadlines), conflicts=conflicts)

    def deadlines_view(request: Request) -> Response:
        params = request.query_params
        try:
            year = _int(params.get("year"), "year", 1000, 9999)
        except BadInput as exc:
            return page(request, "message.html", 400, message=str(exc))
        unit = _text(params, "unit")
        with _ro(db_path) as con:
            rows = _deadline_rows(con, year=year, unit=unit)
        return page(request, "timeline.html", rows=rows, chart=timeline.svg(rows), year=year, unit=unit or "")

    def cites(request: Request) -> Response:
        directive = _text(request.query_params, "id", 120)
        with _ro(db_path) as con:
            if not directive:
                return page(request, "cites.html", result=None, top=s.most_cited(con), directive="")
            try:
                result = s.citing(con, directive)
            except s.SearchError as exc:
                return page(request, "cites.html", 400, result=None, top=[], directive=directive, message=str(exc))
        return page(request, "cites.html", result=result, top=[], directive=directive)

    async def not_found(request: Request, exc: HTTPException) -> Response:
        return page(request, "message.html", exc.status_code, message=exc.detail or "Not found.")

    async def server_error(request: Request, exc: Exception) -> Response:
        log.exception("error serving %s", request.url.path)
        return HTMLResponse("<!doctype html><title>chidao</title><p>Something went wrong while "
                            "answering this request. <a href=\"/\">Back to search</a></p>", status_code=500)

    routes = [
        Route("/", index),
        Route("/doc/{doc_id:path}", document),
        Route("/deadlines", deadlines_view),
        Route("/cites", cites),
        Mount("/static", StaticFiles(directory=str(HERE / "static")), name="static"),
    ]
    return Starlette(routes=routes, exception_handlers={HTTPException: not_found, Exception: server_error})


class _ro:
    """``with _ro(path) as con``: a read-only connection closed afterwards."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __enter__(self) -> sqlite3.Connection:
        self.con = connect_ro(self.path)
        return self.con

    def __exit__(self, *exc) -> None:
        self.con.close()


def _deadline_rows(con: sqlite3.Connection, doc_id: Optional[str] = None, year: Optional[int] = None,
                   unit: Optional[str] = None, limit: int = 2000) -> list[dict]:
    from ..fold import fold_query

    where, params = ["date_lo IS NOT NULL"], []
    if doc_id:
        where.append("doc_id = ?")
        params.append(doc_id)
    if year is not None:
        where.append("year = ?")
        params.append(year)
    if unit:
        where.append("instr(unit_key, ?) > 0")
        params.append(fold_query(unit))
    sql = (f"SELECT doc_id, start, \"end\", text, value, cue, unit, date_lo, sentence FROM deadlines "
           f"WHERE {' AND '.join(where)} ORDER BY date_lo, doc_id, start LIMIT ?")
    rows = [dict(r) for r in con.execute(sql, params + [limit])]
    for r in rows:
        r["anchor"] = f"deadlines-{r['start']}-{r['end']}"
    return rows


def _note(table: str, r: dict) -> str:
    kind = {"targets": "target", "assignments": "task", "deadlines": "deadline",
            "references": "reference"}.get(table)
    if kind:
        return s.display_value(kind, r)
    return r.get("value") or r.get("label") or ""


def _tooltip(table: str, r: dict) -> str:
    keep = ("indicator", "value", "value_max", "unit", "comparator", "year", "status", "task", "deadline",
            "id", "kind", "date", "issuer", "cue", "role", "label", "rule")
    return "; ".join(f"{k}: {r[k]}" for k in keep if r.get(k) not in (None, "", "[]"))
