"""Cross-document checks over an output folder (``chidao check OUT``).

Reads OUT/documents.jsonl and writes OUT/conflicts.{jsonl,parquet,csv},
OUT/target_progress.jsonl and the citation graph OUT/citations.{json,graphml}. Each
conflict kind lives in its own module; thresholds and vocabularies in patterns/check.yaml.
When unsure, a check stays silent: a reported conflict should be confirmable in seconds
from its two quoted items.
"""
from __future__ import annotations

from collections import Counter
from pathlib import Path

from . import citations, dates, deadlines, graph, parent, progress, targets
from .common import read_documents
from .output import write_conflicts, write_graph, write_progress

KINDS = ("deadline_mismatch", "target_mismatch", "citation_mismatch", "deadline_before_issue",
         "date_order", "deadline_after_parent", "target_missed")


def find_conflicts(docs: list[dict]) -> tuple[list[dict], list[dict]]:
    """All conflict rows and all target-vs-result progress rows of an archive."""
    compared = progress.compare(docs)
    rows = (deadlines.find(docs) + targets.find(docs) + citations.find(docs) + dates.find(docs)
            + parent.find(docs) + progress.find(compared))
    return rows, progress.public(compared)


def run_check(out_dir: Path, quiet: bool = False) -> dict:
    """Run every check over OUT/documents.jsonl, write the results, return the counts."""
    out_dir = Path(out_dir)
    docs = read_documents(out_dir)
    rows, prog = find_conflicts(docs)
    g = graph.build(docs)
    as_json = graph.to_json(g)
    write_conflicts(out_dir, rows)
    write_progress(out_dir, prog)
    write_graph(out_dir, g, as_json)
    summary = {
        "documents": len(docs),
        "conflicts": len(rows),
        "by_kind": dict(Counter(r["kind"] for r in rows)),
        "progress": dict(Counter(p["status"] for p in prog)),
        "citations": {"nodes": g.number_of_nodes(), "edges": as_json["counts"]},
    }
    if not quiet:
        _print(summary, rows)
    return summary


def _print(summary: dict, rows: list[dict], first: int = 8) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    counts = Table(title=f"conflicts in {summary['documents']} documents")
    counts.add_column("kind")
    counts.add_column("rows", justify="right")
    for kind in KINDS:
        counts.add_row(kind, str(summary["by_kind"].get(kind, 0)))
    console.print(counts)
    if rows:
        head = Table(title=f"first {min(first, len(rows))} of {len(rows)}", show_lines=True)
        for col in ("kind", "a", "b", "explanation"):
            head.add_column(col, overflow="fold")
        for r in rows[:first]:
            head.add_row(r["kind"], f"{r['a_doc_id']}:{r['a_start']}", f"{r['b_doc_id']}:{r['b_start']}",
                         r["explanation"])
        console.print(head)
    prog = ", ".join(f"{k} {v}" for k, v in summary["progress"].items()) or "none"
    console.print(f"targets vs results: {prog}; citation graph: {summary['citations']['nodes']} nodes, "
                  f"edges {summary['citations']['edges']}")
