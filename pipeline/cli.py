"""Thin command line: parses arguments and calls the verbs of the stage modules."""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import List, Optional

import typer

app = typer.Typer(add_completion=False, no_args_is_help=True, help="chidao: Vietnamese directive documents -> structured dataset")


@app.command()
def extract(path: str = typer.Argument(..., help="a file, or - for standard input")) -> None:
    """Print one document's extraction as JSON."""
    import pipeline
    from pipeline.ingest import decode_bytes

    if path == "-":
        doc = pipeline.extract(decode_bytes(sys.stdin.buffer.read()), doc_id="-")
    else:
        doc = pipeline.extract_file(path)
    typer.echo(json.dumps(doc.to_dict(), ensure_ascii=False, indent=1))


@app.command()
def run(
    inputs: List[Path] = typer.Argument(..., help="folders (searched recursively) or files"),
    out: Path = typer.Option(Path("outputs"), "--out", "-o"),
    jobs: int = typer.Option(0, "--jobs", "-j", help="worker processes (0 = all cores)"),
    engine: str = typer.Option("local", "--engine", help="local | dask"),
    scheduler: Optional[str] = typer.Option(None, "--scheduler", help="dask scheduler address tcp://HOST:PORT"),
    quiet: bool = typer.Option(False, "--quiet", "-q"),
    prune: bool = typer.Option(False, "--prune", help="remove rows of documents no longer in the input"),
    no_check: bool = typer.Option(False, "--no-check", help="skip cross-document checks"),
) -> None:
    """Process documents into OUT (documents.jsonl, Parquet, CSV, index.sqlite, ...)."""
    from pipeline.engine import run_corpus

    summary = run_corpus(inputs, out, jobs=jobs, engine=engine, scheduler=scheduler,
                         quiet=quiet, prune=prune, check=not no_check)
    if not quiet:
        typer.echo(json.dumps(summary, ensure_ascii=False))


@app.command("eval")
def evaluate(
    gold: Path = typer.Argument(...),
    pred: Path = typer.Argument(..., help="documents.jsonl or an output folder"),
    json_out: bool = typer.Option(False, "--json"),
) -> None:
    """Score PRED against GOLD per SPEC.md (P/R/F1 per field)."""
    from pipeline.evaluate import main

    main(gold, pred, json_out=json_out)


def main() -> None:  # python -m pipeline
    app()
