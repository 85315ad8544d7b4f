"""The citation graph: documents -> the directive ids they cite.

An edge is ``implements`` when the document is itself a directive (plan, programme,
conclusion...) and its title or opening puts an implementation cue ("Thực hiện",
"triển khai thực hiện" ...) right before the reference; every other mention ``cites``.
A cited id that is an archive document's own ``number`` is linked to that document, which
is how ``deadline_after_parent`` finds a plan's parent.
"""
from __future__ import annotations

from collections import defaultdict
from functools import lru_cache
from typing import Any

import networkx as nx
import regex

from .. import patterns
from ..fold import fold, ref_key
from .common import config


@lru_cache(maxsize=None)
def _cue() -> "regex.Pattern[str]":
    cfg = config()["implements"]
    words = [fold(w) for c in cfg["cues"] for w in c["words"]]
    return regex.compile(rf"\b{patterns.alternation(words)}\b[^.;:!?\n]{{0,{int(cfg['gap'])}}}$")


def _opening_end(doc: dict) -> int:
    """End of the title (found with any spacing) plus ``opening_chars``."""
    cfg, text = config()["implements"], doc.get("text") or ""
    title_words = (doc.get("title") or "").split()[:8]
    end = 0
    if title_words:
        loose = r"[\s*]+".join(regex.escape(w) for w in title_words)
        m = regex.search(loose, text)
        if m:
            end = m.start() + len(doc["title"])
    return end + int(cfg["opening_chars"])


def implementing_refs(doc: dict) -> list[dict]:
    """The references the document implements (empty for news and untyped documents)."""
    if doc.get("doc_type") not in set(config()["implements"]["doc_types"]):
        return []
    text, limit = doc.get("text") or "", _opening_end(doc)
    out = []
    for r in doc.get("references") or []:
        start = r.get("start")
        if start is None or start > limit or not r.get("id"):
            continue
        before = fold(text[max(0, start - 60):start])
        if _cue().search(before):
            out.append(r)
    return out


def archive_numbers(docs: list[dict]) -> dict[str, dict]:
    """Archive documents by the comparison key of their own number."""
    out = {}
    for doc in docs:
        key = ref_key(doc.get("number"))
        if key:
            out.setdefault(key, doc)
    return out


def parents(docs: list[dict]) -> list[tuple[dict, dict, dict]]:
    """(child document, implementing reference, parent archive document) triples."""
    by_number = archive_numbers(docs)
    out = []
    for doc in docs:
        seen = set()
        for r in implementing_refs(doc):
            parent = by_number.get(ref_key(r["id"]))
            if parent is not None and parent["doc_id"] != doc["doc_id"] and parent["doc_id"] not in seen:
                seen.add(parent["doc_id"])
                out.append((doc, r, parent))
    return out


def build(docs: list[dict]) -> nx.MultiDiGraph:
    """Document and id nodes; one edge per (document, id, relation)."""
    g = nx.MultiDiGraph()
    by_number = archive_numbers(docs)
    for doc in docs:
        g.add_node(_doc_node(doc["doc_id"]), **_clean({
            "type": "document", "doc_id": doc["doc_id"], "doc_type": doc.get("doc_type"),
            "number": doc.get("number"), "issue_date": doc.get("issue_date"),
            "title": (doc.get("title") or "")[:200]}))
    for doc in docs:
        _add_edges(g, doc, by_number)
    return g


def _add_edges(g: nx.MultiDiGraph, doc: dict, by_number: dict[str, dict]) -> None:
    impl = {id(r) for r in implementing_refs(doc)}
    grouped: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for r in doc.get("references") or []:
        key = ref_key(r.get("id"))
        if key:
            grouped[(key, "implements" if id(r) in impl else "cites")].append(r)
    for (key, relation), refs in grouped.items():
        first = refs[0]
        node = _id_node(key)
        if node not in g:
            archive = by_number.get(key)
            g.add_node(node, **_clean({"type": "directive", "id": first["id"], "kind": first.get("kind"),
                                       "issuer": first.get("issuer"), "date": first.get("date"),
                                       "archive_doc": archive["doc_id"] if archive else None}))
            if archive:
                g.add_edge(node, _doc_node(archive["doc_id"]), key="is", relation="is")
        g.add_edge(_doc_node(doc["doc_id"]), node, key=relation, **_clean({
            "relation": relation, "mentions": len(refs), "start": first["start"], "end": first["end"],
            "text": first["text"], "date": first.get("date")}))


def _doc_node(doc_id: str) -> str:
    return f"doc:{doc_id}"


def _id_node(key: str) -> str:
    return f"id:{key}"


def _clean(attrs: dict[str, Any]) -> dict[str, Any]:
    """GraphML takes no None values."""
    return {k: v for k, v in attrs.items() if v is not None}


def to_json(g: nx.MultiDiGraph) -> dict:
    """Plain JSON: nodes with attributes, edges with source/target/relation."""
    nodes = [{"node": n, **a} for n, a in g.nodes(data=True)]
    edges = [{"source": u, "target": v, **a} for u, v, a in g.edges(data=True)]
    counts: dict[str, int] = defaultdict(int)
    for e in edges:
        counts[e["relation"]] += 1
    return {"nodes": nodes, "edges": edges, "counts": dict(counts)}
