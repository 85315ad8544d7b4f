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
    inputs: List[Path] = typer.Argument(..., exists=True, help="folders (searched recursively), files, .jsonl(.gz) archives"),
    out: Path = typer.Option(Path("outputs"), "--out", "-o"),
    jobs: int = typer.Option(0, "--jobs", "-j", help="worker processes (0 = all cores)"),
    engine: str = typer.Option("local", "--engine", help="local | dask"),
    scheduler: Optional[str] = typer.Option(None, "--scheduler", help="dask scheduler address tcp://HOST:PORT"),
    quiet: bool = typer.Option(False, "--quiet", "-q"),
    prune: bool = typer.Option(False, "--prune", help="remove rows of documents no longer in the input"),
    no_check: bool = typer.Option(False, "--no-check", help="skip cross-document checks"),
) -> None:
    """Process documents into OUT (documents.jsonl, Parquet, CSV, index.sqlite, ...).

    Re-runs skip unchanged documents; an interrupted run resumes where it stopped."""
    from pipeline.engine import run_corpus

    if engine not in ("local", "dask"):
        raise typer.BadParameter("local | dask", param_hint="--engine")
    summary = run_corpus(inputs, out, jobs=jobs, engine=engine, scheduler=scheduler,
                         quiet=quiet, prune=prune, check=not no_check)
    if not quiet:
        typer.echo(json.dumps(summary, ensure_ascii=False))


@app.command("eval")
def evaluate(
    gold: Path = typer.Argument(...),
    pred: Optional[Path] = typer.Argument(None, help="documents.jsonl or an output folder"),
    json_out: bool = typer.Option(False, "--json"),
    details: bool = typer.Option(False, "--details", help="list each document's misses and false positives"),
    extract: bool = typer.Option(False, "--extract", help="run the pipeline on the gold's texts instead of reading PRED"),
    save: Optional[Path] = typer.Option(None, "--save", help="with --extract: write the predictions to this .jsonl"),
    corpus: Path = typer.Option(Path("corpus"), "--corpus", help="folder with <doc_id>.txt texts"),
    bench: Path = typer.Option(Path("../shared/bench"), "--bench", help="folder with .jsonl.gz archives"),
) -> None:
    """Score PRED against GOLD per SPEC.md (P/R/F1 per field)."""
    from pipeline.evaluate import main

    main(gold, pred, json_out=json_out, details=details, extract=extract, save=save,
         corpus_dir=corpus, bench_dir=bench)


@app.command()
def search(
    query: str = typer.Argument("", help='words to find, accents optional ("suy dinh duong")'),
    out: Path = typer.Option(Path("outputs"), "--out", "-o", help="output folder holding index.sqlite"),
    kind: Optional[str] = typer.Option(None, "--kind", help="target | task | deadline | reference | document"),
    year: Optional[int] = typer.Option(None, "--year"),
    unit: Optional[str] = typer.Option(None, "--unit", help="responsible body contains (accents optional)"),
    status: Optional[str] = typer.Option(None, "--status", help="target | result (targets only)"),
    doc_type: Optional[str] = typer.Option(None, "--doc-type", help="ke_hoach, thong_bao, tin_bai ..."),
    issuer: Optional[str] = typer.Option(None, "--issuer"),
    date_from: Optional[str] = typer.Option(None, "--from", help="YYYY[-MM[-DD]] or DD/MM/YYYY"),
    date_to: Optional[str] = typer.Option(None, "--to"),
    directive: Optional[str] = typer.Option(None, "--directive", help="only documents citing this id, e.g. 25-CT/TW"),
    limit: int = typer.Option(20, "--limit", "-n"),
    json_out: bool = typer.Option(False, "--json"),
) -> None:
    """Search the index of OUT: targets, tasks, deadlines, references, documents."""
    from pipeline import search as s

    q = s.Query(text=query, kind=kind, year=year, unit=unit, status=status, doc_type=doc_type,
                issuer=issuer, date_from=date_from, date_to=date_to, directive=directive, limit=limit)
    try:
        hits = s.search(out, q)
    except s.SearchError as exc:
        typer.echo(f"chidao search: {exc}", err=True)
        raise typer.Exit(2)
    if json_out:
        typer.echo(s.hits_json(hits))
    elif not hits:
        typer.echo("no results")
    else:
        from rich.console import Console

        Console().print(s.rich_table(hits))


@app.command()
def check(
    out: Path = typer.Argument(Path("outputs"), help="output folder holding documents.jsonl"),
    quiet: bool = typer.Option(False, "--quiet", "-q"),
    json_out: bool = typer.Option(False, "--json", help="print the counts as JSON"),
) -> None:
    """Cross-document checks: OUT/conflicts.*, OUT/target_progress.jsonl, OUT/citations.*."""
    from pipeline.check import run_check
    from pipeline.engine import index_conflicts

    if not (out / "documents.jsonl").exists():
        typer.echo(f"chidao check: {out / 'documents.jsonl'} not found (run `chidao run` first)", err=True)
        raise typer.Exit(2)
    summary = run_check(out, quiet=quiet or json_out)
    index_conflicts(out)
    if json_out:
        typer.echo(json.dumps(summary, ensure_ascii=False))


@app.command()
def serve(
    out: Path = typer.Argument(Path("outputs"), help="output folder holding index.sqlite"),
    host: str = typer.Option("127.0.0.1", "--host", help="address to bind (loopback by default)"),
    port: int = typer.Option(8000, "--port"),
) -> None:
    """Web page over the index: search with facets, document view, deadlines, citations."""
    import uvicorn

    from pipeline.web.app import create_app

    try:
        app_ = create_app(out)
    except FileNotFoundError as exc:
        typer.echo(f"chidao serve: {exc}", err=True)
        raise typer.Exit(2)
    uvicorn.run(app_, host=host, port=port, log_level="info")


def main() -> None:  # python -m pipeline
    app()
