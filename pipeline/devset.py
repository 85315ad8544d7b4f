"""Texts behind a gold file: seeds from the corpus folder, dev documents from the bench.

The dev gold set keeps only annotations keyed by bench id; the news texts themselves stay
in ``../shared/bench`` (gzip JSON lines ``{"id", "text"}``) and are read here at run time.
"""
from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Iterable, Iterator

BENCH_DIR = Path("../shared/bench")
CORPUS_DIR = Path("corpus")


def iter_archive(path: Path) -> Iterator[dict]:
    """Yield the ``{"id", "text"}`` records of one .jsonl or .jsonl.gz archive."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def load_texts(ids: Iterable[str], bench_dir: Path = BENCH_DIR) -> dict[str, str]:
    """Map each wanted id to its text, streaming the archives and stopping once all are found."""
    wanted = set(ids)
    found: dict[str, str] = {}
    archives = sorted(Path(bench_dir).glob("*.jsonl.gz")) + sorted(Path(bench_dir).glob("*.jsonl"))
    for archive in archives:
        for rec in iter_archive(archive):
            if rec.get("id") in wanted and rec["id"] not in found:
                found[rec["id"]] = rec["text"]
                if len(found) == len(wanted):
                    return found
    return found


def gold_texts(doc_ids: Iterable[str], corpus_dir: Path = CORPUS_DIR,
               bench_dir: Path = BENCH_DIR) -> dict[str, Path | str]:
    """Where each gold document's text lives: a corpus file path, or the bench text itself.

    Ids with a ``corpus/<id>.txt`` file (the seeds) map to that path, so the file goes
    through the same decoding as ``chidao run``; the rest are looked up in the bench.
    """
    sources: dict[str, Path | str] = {}
    rest = []
    for doc_id in doc_ids:
        path = Path(corpus_dir) / f"{doc_id}.txt"
        if path.is_file():
            sources[doc_id] = path
        else:
            rest.append(doc_id)
    if rest and Path(bench_dir).is_dir():
        sources.update(load_texts(rest, bench_dir))
    return sources


def extract_gold_docs(doc_ids: Iterable[str], corpus_dir: Path = CORPUS_DIR,
                      bench_dir: Path = BENCH_DIR) -> tuple[list[dict], dict[str, str]]:
    """Run the pipeline on every gold document whose text can be found.

    Returns the documents as dicts and, per document that raised, the error: one failing
    document must not hide the scores of the others (it is then scored as missing).
    """
    import pipeline

    out, errors = [], {}
    for doc_id, src in gold_texts(doc_ids, corpus_dir, bench_dir).items():
        try:
            if isinstance(src, Path):
                doc = pipeline.extract_file(src, doc_id=doc_id)
            else:
                doc = pipeline.extract(src, doc_id=doc_id)
        except Exception as exc:  # noqa: BLE001 - reported, document scored as missing
            errors[doc_id] = f"{type(exc).__name__}: {exc}"
            continue
        out.append(doc.to_dict())
    return out, errors
