"""The run engine: outputs that agree with each other, bad inputs, incremental runs,
kill -9 resume, process and Dask pools giving the same tables."""
from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from pipeline import engine
from pipeline.model import SCHEMA_VERSION
from pipeline.store.tables import TABLES

from conftest import CORPUS, ROOT, bench_sample

COMPARED = ("documents.jsonl", "errors.jsonl", *(f"{t}.parquet" for t in TABLES),
            *(f"{t}.csv" for t in TABLES))


@pytest.fixture(autouse=True)
def _pinned_fingerprint(monkeypatch):
    """Others may edit extractors while the suite runs; in-process runs pin the code hash."""
    monkeypatch.setattr(engine, "fingerprint", lambda root=None: "test-fingerprint")


def make_corpus(folder: Path, n_bench: int = 12) -> Path:
    """The seed documents plus a few bench articles, as .txt files in a temporary folder."""
    folder.mkdir(parents=True, exist_ok=True)
    for p in sorted(CORPUS.glob("*.txt")):
        shutil.copy(p, folder / p.name)
    sub = folder / "bench"
    sub.mkdir(exist_ok=True)
    for i, d in enumerate(bench_sample(n_bench, every=53)):
        (sub / f"news_{i:03d}.txt").write_text(d["text"], encoding="utf-8")
    return folder


def snapshot(out: Path) -> dict[str, bytes]:
    return {name: (out / name).read_bytes() for name in COMPARED}


def run(src, out, **kw):
    kw.setdefault("jobs", 1)
    kw.setdefault("quiet", True)
    kw.setdefault("check", False)
    return engine.run_corpus([src], out, **kw)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return make_corpus(tmp_path_factory.mktemp("in"))


@pytest.fixture(scope="module")
def clean_out(corpus, tmp_path_factory):
    """One uninterrupted jobs=1 run over the shared corpus."""
    mp = pytest.MonkeyPatch()
    mp.setattr(engine, "fingerprint", lambda root=None: "test-fingerprint")
    out = tmp_path_factory.mktemp("clean")
    summary = run(corpus, out)
    mp.undo()
    return out, summary


def test_outputs_exist_and_agree(clean_out, corpus):
    out, summary = clean_out
    n_inputs = len(list(corpus.rglob("*.txt")))
    lines = [json.loads(x) for x in (out / "documents.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(lines) == n_inputs == summary["run"]["processed"]
    assert [d["doc_id"] for d in lines] == sorted(d["doc_id"] for d in lines)
    assert "bench/news_000" in {d["doc_id"] for d in lines}
    texts = {d["doc_id"]: d["text"] for d in lines}
    for table in TABLES:
        df = pd.read_parquet(out / f"{table}.parquet")
        raw = (out / f"{table}.csv").read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf"), table
        with open(out / f"{table}.csv", encoding="utf-8-sig", newline="") as fh:
            csv_rows = list(csv.DictReader(fh))
        expected = n_inputs if table == "documents" else sum(len(d[table]) for d in lines)
        assert len(df) == len(csv_rows) == expected == summary["counts"][table], table
        assert set(df["doc_id"]) <= set(texts)
        if table != "documents" and len(df):
            for row in df.itertuples():
                assert texts[row.doc_id][row.start:row.end] == row.text
    docs = pd.read_parquet(out / "documents.parquet")
    assert list(docs["text"]) == [d["text"] for d in lines]
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["schema_version"] == SCHEMA_VERSION
    assert manifest["content_sha256"] == {d["doc_id"]: d["sha256"] for d in lines}
    assert manifest["counts"]["documents"] == n_inputs
    assert (out / "errors.jsonl").read_bytes() == b""
    assert not list(out.glob(".tmp-*"))


def test_bad_inputs_are_recorded_and_the_rest_completes(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(CORPUS / "003_ebb5c12f4fc31886.txt", src / "good.txt")
    good = (CORPUS / "004_7fa64b6d154f2c40.txt").read_text(encoding="utf-8")
    (src / "empty.txt").write_bytes(b"")
    (src / "binary.txt").write_bytes(bytes(range(256)) * 64)
    (src / "truncated.txt").write_bytes(good.encode("utf-8")[:-1] if good.encode()[-1] >= 0x80
                                        else (good + " Hà Nội, ngày").encode("utf-8")[:-2])
    with open(src / "huge.txt", "w", encoding="utf-8") as fh:
        chunk = "Kế hoạch thực hiện chỉ tiêu năm 2025 " * 1000
        while fh.tell() < 50_000_000:
            fh.write(chunk)
    (src / "ok2.txt").write_text(good, encoding="utf-8")
    summary = run(src, tmp_path / "out")
    errors = [json.loads(x) for x in (tmp_path / "out" / "errors.jsonl").read_text(encoding="utf-8").splitlines()]
    assert sorted(e["doc_id"] for e in errors) == ["binary", "empty", "huge", "truncated"]
    for e in errors:
        assert e["path"].endswith(e["doc_id"] + ".txt") and e["error"] and e["message"]
    docs = pd.read_parquet(tmp_path / "out" / "documents.parquet")
    assert sorted(docs["doc_id"]) == ["good", "ok2"]
    assert summary["counts"]["errors"] == 4


def test_oversized_and_crashing_documents_become_errors(tmp_path, monkeypatch):
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text("Kế hoạch số 12/KH-UBND ngày 5/3/2024. " * 50, encoding="utf-8")
    (src / "b.txt").write_text("Thông báo kết luận. " * 5, encoding="utf-8")
    run(src, tmp_path / "out", max_chars=500)
    errors = [json.loads(x) for x in (tmp_path / "out" / "errors.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [(e["doc_id"], e["error"]) for e in errors] == [("a", "DocumentTooLarge")]

    import pipeline

    def boom(text, doc_id="-", source=None):
        raise ValueError("extractor bug")

    monkeypatch.setattr(pipeline, "extract", boom)
    (src / "b.txt").write_text("Thông báo kết luận số 7. " * 5, encoding="utf-8")
    run(src, tmp_path / "out", max_chars=500)
    errors = [json.loads(x) for x in (tmp_path / "out" / "errors.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [(e["doc_id"], e["error"]) for e in errors] == [("a", "DocumentTooLarge"), ("b", "ValueError")]
    assert pd.read_parquet(tmp_path / "out" / "documents.parquet").empty


def test_incremental_skip_replace_prune(tmp_path):
    src = make_corpus(tmp_path / "in", n_bench=4)
    out = tmp_path / "out"
    first = run(src, out)
    before = snapshot(out)
    n = first["run"]["processed"]

    again = run(src, out)
    assert (again["run"]["processed"], again["run"]["skipped"]) == (0, n)
    assert snapshot(out) == before

    changed = src / "bench" / "news_001.txt"
    changed.write_text("Chỉ thị số 05-CT/TU về tăng cường công tác phòng, chống dịch.\n"
                       + changed.read_text(encoding="utf-8"), encoding="utf-8")
    third = run(src, out)
    assert (third["run"]["processed"], third["run"]["skipped"]) == (1, n - 1)
    docs = pd.read_parquet(out / "documents.parquet").set_index("doc_id")
    assert docs.loc["bench/news_001", "text"].startswith("Chỉ thị số 05-CT/TU")
    assert len(docs) == n

    (src / "bench" / "news_002.txt").unlink()
    kept = run(src, out)
    assert kept["run"]["removed"] == 0
    assert "bench/news_002" in set(pd.read_parquet(out / "documents.parquet")["doc_id"])
    pruned = run(src, out, prune=True)
    assert pruned["run"]["removed"] == 1
    for table in TABLES:
        assert "bench/news_002" not in set(pd.read_parquet(out / f"{table}.parquet")["doc_id"])
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert "bench/news_002" not in manifest["content_sha256"] and len(manifest["content_sha256"]) == n - 1


def test_duplicate_doc_ids_keep_the_first(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "kh.txt").write_text("Kế hoạch số 1/KH-UBND.", encoding="utf-8")
    (src / "kh.html").write_text("<p>Kế hoạch số 2/KH-UBND.</p>", encoding="utf-8")
    run(src, tmp_path / "out")
    docs = pd.read_parquet(tmp_path / "out" / "documents.parquet")
    errors = (tmp_path / "out" / "errors.jsonl").read_text(encoding="utf-8").splitlines()
    assert list(docs["doc_id"]) == ["kh"] and len(errors) == 1
    assert json.loads(errors[0])["error"] == "DuplicateDocId"
    before = snapshot(tmp_path / "out")
    again = run(src, tmp_path / "out")          # the kept one is now skipped: still the kept one
    assert again["run"]["skipped"] == 1 and snapshot(tmp_path / "out") == before


def test_output_folder_inside_the_input_is_not_read_back(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(CORPUS / "004_7fa64b6d154f2c40.txt", src / "kh.txt")
    run(src, src / "outputs")
    second = run(src, src / "outputs")
    assert second["run"]["skipped"] == 1 and second["counts"]["errors"] == 0
    assert list(pd.read_parquet(src / "outputs" / "documents.parquet")["doc_id"]) == ["kh"]


def test_checker_runs_at_the_end_when_present(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    for p in sorted(CORPUS.glob("*.txt"))[:2]:
        shutil.copy(p, src / p.name)
    summary = run(src, tmp_path / "out", check=True)
    try:
        import pipeline.check  # noqa: F401
    except ImportError:
        assert summary["run"]["checked"] is None
        return
    assert summary["run"]["checked"] is not None
    assert "failed" not in (summary["run"]["checked"] or {})
    assert (tmp_path / "out" / "conflicts.parquet").exists()


def test_second_concurrent_run_on_the_same_folder_is_refused(tmp_path):
    lock = engine._lock(tmp_path / "out")
    try:
        with pytest.raises(RuntimeError, match="another chidao run"):
            run(CORPUS / "003_ebb5c12f4fc31886.txt", tmp_path / "out")
    finally:
        lock.close()
    assert run(CORPUS / "003_ebb5c12f4fc31886.txt", tmp_path / "out")["run"]["processed"] == 1


def fresh_reference(corpus: Path, out: Path) -> dict[str, bytes]:
    """A serial run in a new process: same code as the pools' freshly started workers."""
    assert _cli(corpus, "--out", out, "-q", "-j", "1", "--no-check").wait(600) == 0
    return snapshot(out)


def test_process_pool_equals_serial(corpus, tmp_path):
    reference = fresh_reference(corpus, tmp_path / "serial")
    summary = run(corpus, tmp_path / "out", jobs=2)
    assert summary["run"]["jobs"] == 2
    assert snapshot(tmp_path / "out") == reference


def test_process_pool_is_warm_before_the_first_chunk():
    """Every spawned worker has built its pipeline and rule tables before work is sent, so
    start-up is neither interleaved with extraction nor counted in it."""
    pool = engine._ProcessPool(2, timeout=60)
    try:
        assert pool.warm == 2
        pool.submit([("n1", "n1.txt", "sha", CORPUS.joinpath("003_ebb5c12f4fc31886.txt").read_text("utf-8"))])
        _chunk, out, exc = pool.next_done()
        assert exc is None and out["results"][0][3] == "ok"
        # warm: one seed document takes a fraction of a cold worker's first-document cost
        assert out["cpu_seconds"] < 1.0
    finally:
        pool.close()


def test_timings_keep_start_up_apart_from_extraction(clean_out):
    t = clean_out[1]["timings"]
    assert {"startup_s", "extract_s", "shutdown_s", "parent_cpu_s", "worker_cpu_s"} <= set(t)
    assert t["startup_s"] >= 0 and t["extract_s"] > 0
    # jobs=1 extracts in-process: the dispatching share excludes the extraction itself
    assert t["parent_cpu_s"] < t["worker_cpu_s"]


def test_archive_input_streams(tmp_path):
    import gzip

    docs = bench_sample(6, every=31)
    arc = tmp_path / "news.jsonl.gz"
    with gzip.open(arc, "wt", encoding="utf-8") as fh:
        for d in docs:
            fh.write(json.dumps(d, ensure_ascii=False) + "\n")
        fh.write("{not json\n")
    summary = run(arc, tmp_path / "out")
    got = pd.read_parquet(tmp_path / "out" / "documents.parquet")
    assert sorted(got["doc_id"]) == sorted(d["id"] for d in docs)
    assert summary["counts"]["errors"] == 1


def _cli(*args, env=None):
    return subprocess.Popen([sys.executable, "-m", "pipeline", "run", *map(str, args)], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)


def _stored(out: Path) -> int:
    db = out / ".store" / "records.sqlite"
    if not db.exists():
        return 0
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=0.2)
        try:
            return con.execute("SELECT COUNT(*) FROM docs").fetchone()[0]
        finally:
            con.close()
    except sqlite3.Error:
        return 0


def _children(pid: int) -> set[int]:
    kids = set()
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            ppid = next(line for line in status.read_text().splitlines() if line.startswith("PPid:"))
        except (OSError, StopIteration):
            continue
        if int(ppid.split()[1]) == pid:
            kids.add(int(status.parent.name))
    return kids


def _alive(pid: int) -> bool:
    try:
        state = next(line for line in Path(f"/proc/{pid}/status").read_text().splitlines()
                     if line.startswith("State:"))
    except (OSError, StopIteration):
        return False
    return " Z " not in state + " "   # a zombie has exited


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs /proc")
def test_workers_leave_when_the_run_is_killed(tmp_path):
    """kill -9 of `chidao run` must not leave its worker processes behind, holding memory."""
    src = make_corpus(tmp_path / "in", n_bench=30)
    proc = _cli(src, "--out", tmp_path / "out", "-q", "-j", "2", "--no-check")
    deadline = time.time() + 120
    workers: set[int] = set()
    while proc.poll() is None and time.time() < deadline and len(workers) < 2:
        workers = {k for k in _children(proc.pid)
                   if "spawn_main" in Path(f"/proc/{k}/cmdline").read_bytes().decode(errors="replace")}
        time.sleep(0.05)
    assert len(workers) == 2, "the run ended before its workers were seen"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    deadline = time.time() + 30
    while time.time() < deadline and any(_alive(w) for w in workers):
        time.sleep(0.1)
    left = [w for w in workers if _alive(w)]
    for w in left:  # do not leak them from the test either
        os.kill(w, signal.SIGKILL)
    assert not left


@pytest.mark.slow
def test_kill9_then_rerun_equals_clean_run(tmp_path):
    src = make_corpus(tmp_path / "in", n_bench=30)
    total = len(list(src.rglob("*.txt")))
    out = tmp_path / "out"
    kills = []
    # mid-extraction twice, then while the output files are being written
    for point in (lambda: _stored(out) >= 1, lambda: _stored(out) >= total // 2,
                  lambda: any(out.glob(".tmp-*"))):
        proc = _cli(src, "--out", out, "-q", "-j", "2", "--no-check")
        deadline = time.time() + 300
        while proc.poll() is None and time.time() < deadline and not point():
            time.sleep(0.005)
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
            kills.append(_stored(out))
    assert len(kills) >= 2 and kills[0] < total
    assert _cli(src, "--out", out, "-q", "-j", "2", "--no-check").wait(600) == 0
    clean = tmp_path / "clean"
    assert _cli(src, "--out", clean, "-q", "-j", "2", "--no-check").wait(600) == 0
    assert snapshot(out) == snapshot(clean)
    assert not list(out.glob(".tmp-*"))
    m_out = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    m_clean = json.loads((clean / "manifest.json").read_text(encoding="utf-8"))
    for key in ("schema_version", "counts", "content_sha256"):
        assert m_out[key] == m_clean[key]


@pytest.mark.slow
def test_dask_local_cluster_equals_local_engine(corpus, tmp_path):
    reference = fresh_reference(corpus, tmp_path / "serial")
    summary = run(corpus, tmp_path / "out", jobs=2, engine="dask")
    assert summary["run"]["engine"] == "dask"
    assert snapshot(tmp_path / "out") == reference


@pytest.mark.slow
def test_dask_scheduler_address(corpus, tmp_path):
    from dask.distributed import LocalCluster

    reference = fresh_reference(corpus, tmp_path / "serial")
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        summary = run(corpus, tmp_path / "out", engine="dask", scheduler=cluster.scheduler_address)
    assert summary["run"]["jobs"] == 2
    assert snapshot(tmp_path / "out") == reference


def test_worker_peak_rss_is_its_own_not_its_parents():
    """A spawned worker's reported peak leaves out what the parent holds (Linux's ru_maxrss
    carries the parent's peak across fork + exec, which made it grow with the input held by
    the caller, not with anything the worker did)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    if not os.path.exists("/proc/self/status"):
        pytest.skip("needs /proc")
    ballast = b"x" * (400 << 20)   # resident: bytes are written, not just reserved
    try:
        with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as ex:
            worker_mb = ex.submit(engine.peak_rss_mb).result(timeout=60)
    finally:
        del ballast
    assert 1 < worker_mb < 200
    assert engine.peak_rss_mb() >= 400
