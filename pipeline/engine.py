"""The run engine behind ``chidao run``: stream inputs, extract in parallel, keep results.

Inputs are streamed (never a list of all documents), cut into chunks and handed to a pool
of workers (local processes, or a Dask cluster); at most a few chunks are in flight, so
memory stays flat with archive size. Each finished chunk is committed to the store of
record (``OUT/.store/records.sqlite``) keyed by doc_id + content hash + pipeline
fingerprint; a re-run skips what is unchanged, and a run killed at any moment resumes from
what was committed. The output files are derived from the store at the end of the run.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import resource
import signal
import sys
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator, Optional, Sequence

from . import __version__
from .model import SCHEMA_VERSION
from .store import records as rec
from .store.export import export, outputs_present, write_manifest
from .store.records import Records
from .store.writers import clean_temps

STORE = Path(".store") / "records.sqlite"
MAX_CHARS = 5_000_000        # larger inputs are recorded as errors, not extracted
TIMEOUT = 300                # seconds per document before it is recorded as an error
CHUNK_DOCS = 64
CHUNK_BYTES = 128 * 1024   # about 0.1 s of work: a short tail when the input ends
INDEX_BATCH = 500
TOUCH_BATCH = 2000
MAX_ATTEMPTS = 3             # a document whose worker keeps dying is recorded as an error
MAX_RESTARTS = 8             # pool restarts in a row without progress: give up the run
WARM_UP_WAIT = 300           # seconds to wait for spawned workers to be ready
TRANSIENT = "-"              # fingerprint of errors worth retrying on the next run

# Code and rule tables that shape an extraction; the rest of the package (the engine, the
# store, the command line, search, web, checks, evaluation) can change without re-extracting.
_FINGERPRINT_GLOBS = ("pipeline/*.py", "pipeline/extractors/**/*.py", "patterns/**/*")
_FINGERPRINT_SKIP = {"pipeline/engine.py", "pipeline/cli.py", "pipeline/__main__.py",
                     "pipeline/search.py", "pipeline/evaluate.py", "pipeline/devset.py"}


# -- inputs --------------------------------------------------------------------------------

def _iter_items(paths: Sequence[Path], out: Optional[Path] = None) -> Iterator[Any]:
    """ingest's items (doc_id, source, text or error), streamed; files under OUT (when OUT
    sits inside an input folder) are not inputs."""
    from .ingest import iter_inputs

    inside = _inside_check(paths, out)
    for item in iter_inputs([Path(p) for p in paths]):
        if inside is None or not inside(item.source):
            yield item


_LINE_SUFFIX = re.compile(r":\d+$")   # archive lines are sourced as "path:lineno"


def _inside_check(paths: Sequence[Path], out: Optional[Path]):
    if out is None:
        return None
    out_abs = os.path.abspath(out) + os.sep
    if not any(out_abs.startswith(os.path.abspath(p) + os.sep) for p in paths if Path(p).is_dir()):
        return None
    return lambda source: os.path.abspath(_LINE_SUFFIX.sub("", source)).startswith(out_abs)


def _count_inputs(paths: Sequence[Path]) -> Optional[int]:
    """Number of inputs when knowable cheaply (no archives), for the progress bar's ETA."""
    from .ingest import is_input

    n = 0
    for root in paths:
        if root.is_dir():
            for _dirpath, dirnames, filenames in os.walk(root):
                dirnames[:] = [d for d in dirnames if not d.startswith(".")]
                for name in filenames:
                    if name.lower().endswith((".jsonl", ".jsonl.gz")):
                        return None
                    n += is_input(Path(name))
        elif root.name.lower().endswith((".jsonl", ".jsonl.gz")):
            return None
        else:
            n += 1
    return n


def export_fingerprint() -> str:
    """Hash of the code that shapes the output files: a change rewrites them."""
    here = Path(__file__).resolve().parent
    h = hashlib.sha256(f"{__version__}|{SCHEMA_VERSION}".encode())
    for p in (here / "model.py", *sorted((here / "store").glob("*.py"))):
        if p.name != "index.py":
            h.update(p.read_bytes())
    return h.hexdigest()[:16]


def fingerprint(root: Optional[Path] = None) -> str:
    """Hash of the code and rule tables that shape an extraction: a change re-extracts.
    CHIDAO_FINGERPRINT pins it (after a cosmetic edit, to keep what is stored)."""
    if os.environ.get("CHIDAO_FINGERPRINT"):
        return os.environ["CHIDAO_FINGERPRINT"]
    root = root or Path(__file__).resolve().parent.parent
    h = hashlib.sha256(f"{__version__}|{SCHEMA_VERSION}".encode())
    for pattern in _FINGERPRINT_GLOBS:
        for p in sorted(root.glob(pattern)):
            if p.is_file() and p.relative_to(root).as_posix() not in _FINGERPRINT_SKIP:
                h.update(p.relative_to(root).as_posix().encode())
                h.update(p.read_bytes())
    return h.hexdigest()[:16]


# -- workers -------------------------------------------------------------------------------

class _Timeout(Exception):
    pass


def _on_alarm(signum, frame):
    raise _Timeout()


def error_payload(doc_id: str, source: Optional[str], error: str, message: str) -> dict:
    return {"doc_id": doc_id, "path": source, "error": error, "message": message[:2000]}


def _extract_one(doc_id: str, source: str, text: str, timeout: int) -> tuple[str, bytes]:
    import pipeline

    use_alarm = timeout > 0 and threading.current_thread() is threading.main_thread()
    if use_alarm:
        old = signal.signal(signal.SIGALRM, _on_alarm)
        signal.alarm(timeout)
    try:
        doc = pipeline.extract(text, doc_id=doc_id, source=source)
        return "ok", rec.pack(doc.to_dict())
    except _Timeout:
        return "error", rec.pack(error_payload(doc_id, source, "Timeout", f"extraction exceeded {timeout} s"))
    except Exception as exc:  # one bad document never stops the batch
        return "error", rec.pack(error_payload(doc_id, source, type(exc).__name__, str(exc)))
    finally:
        if use_alarm:
            signal.alarm(0)
            signal.signal(signal.SIGALRM, old)


def work(chunk: list[tuple[str, str, str, str]], timeout: int = TIMEOUT) -> dict:
    """Extract one chunk of (doc_id, source, sha256, text); runs in a worker."""
    from .nlp import get_nlp

    get_nlp()
    t0, c0 = time.perf_counter(), time.process_time()
    results = [(doc_id, source, sha, *_extract_one(doc_id, source, text, timeout))
               for doc_id, source, sha, text in chunk]
    return {"results": results, "seconds": time.perf_counter() - t0,
            "cpu_seconds": time.process_time() - c0, "pid": os.getpid(),
            "host": os.uname().nodename,
            "maxrss_mb": peak_rss_mb()}


def peak_rss_mb() -> float:
    """Peak resident memory of this process, MB. Linux's ru_maxrss is no good for a worker:
    exec keeps the larger of the old and the new peak, so a spawned worker starts with its
    parent's peak (inputs or results the parent holds) and reports it as its own. VmHWM is
    the peak of the worker's own address space."""
    try:
        with open("/proc/self/status", encoding="ascii", errors="replace") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# A short directive touching every extractor: the rule tables (YAML) and their regexes are
# built lazily on first use, which costs a fresh process about as much as a few hundred
# documents; paying it before the first chunk keeps it out of the extraction figures and
# stops workers from lagging one another at the start.
WARM_UP_TEXT = """\
ỦY BAN NHÂN DÂN TỈNH LAI CHÂU
Số: 12/KH-UBND
Lai Châu, ngày 15 tháng 3 năm 2017

KẾ HOẠCH
Thực hiện Kết luận số 111-KL/TU, ngày 03/6/2016 của Tỉnh ủy và Công văn số 45/SYT-NV \
ngày 02/3/2017 của Sở Y tế tỉnh Lai Châu

I. MỤC ĐÍCH, YÊU CẦU
1. Mục tiêu
Đến năm 2020, tỷ lệ trạm y tế xã đạt chuẩn quốc gia đạt trên 95%; giảm 2% hộ nghèo mỗi năm.
II. NHIỆM VỤ, GIẢI PHÁP
1. Giao Sở Y tế chủ trì, phối hợp với Sở Tài chính, UBND các huyện, thành phố tham mưu \
xây dựng đề án, hoàn thành trước ngày 30/6/2017.
2. Ban Tuyên giáo Huyện ủy, Mặt trận Tổ quốc và các đoàn thể chính trị - xã hội có trách \
nhiệm tuyên truyền; báo cáo kết quả về Thường trực Huyện ủy trước ngày 15 tháng 12 hằng năm.
3. Đồng chí Lò Văn Biên, Phó Chủ tịch UBND tỉnh trực tiếp chỉ đạo; Đ/c Nguyễn Ngọc Vinh theo dõi.

Nơi nhận:
- Thường trực Tỉnh ủy;
- Lưu VT.
KT. CHỦ TỊCH
PHÓ CHỦ TỊCH
Nguyễn Văn An
"""


def warm_up() -> None:
    """Build the spaCy pipeline and the lazily built rule tables of this process, then take
    what now exists (modules, tables, compiled regexes: long-lived) out of the cyclic
    garbage collector's sight, so its passes during extraction stay short."""
    import gc

    import pipeline
    from .nlp import get_nlp

    get_nlp()
    try:
        pipeline.extract(WARM_UP_TEXT, doc_id="warm-up")
    except Exception:  # a broken extractor is reported per document, not here
        pass
    gc.collect()
    gc.freeze()


def _exit_quickly() -> None:
    """A worker's last act: its results are delivered, so skip the interpreter's teardown
    (about a second of freeing rule tables and modules, paid while the run waits)."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
            pass
    os._exit(0)


def _exit_with_parent() -> None:
    """Watch the parent: when it dies without shutting the pool down (kill -9), leave too.
    Otherwise the worker waits forever on a task queue whose other end its siblings hold."""
    import multiprocessing

    parent = multiprocessing.parent_process()
    if parent is not None:
        parent.join()
        os._exit(1)


def _init_worker(ready=None) -> None:
    """Warm the worker once; Ctrl-C is the parent's to handle. ``ready`` (a semaphore) is
    released when the worker can take work at full speed."""
    import atexit

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    atexit.register(_exit_quickly)   # runs first at exit (after the worker loop has ended)
    threading.Thread(target=_exit_with_parent, name="parent-watch", daemon=True).start()
    warm_up()
    if ready is not None:
        ready.release()


def _noop() -> None:
    """A task whose submission makes the executor spawn one more worker."""


# -- pools: local serial, local processes, Dask ------------------------------------------------

class _SerialPool:
    """jobs=1: extract in this process, no IPC."""

    def __init__(self, timeout: int):
        self.timeout = timeout
        self.queue: deque = deque()

    @property
    def inflight(self) -> int:
        return len(self.queue)

    def submit(self, chunk) -> None:
        self.queue.append(chunk)

    def next_done(self):
        chunk = self.queue.popleft()
        return chunk, work(chunk, self.timeout), None

    def close(self) -> None:
        self.queue.clear()


class _ProcessPool:
    """Worker processes (spawned: no state forked from a threaded parent)."""

    def __init__(self, jobs: int, timeout: int):
        self.jobs, self.timeout = jobs, timeout
        self.pending: dict = {}
        self.restarts = 0  # since the last chunk that finished
        self._start()

    def _start(self) -> None:
        """Spawn every worker now and wait until all are warm, so that start-up is neither
        interleaved with extraction nor counted in it."""
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        ctx = multiprocessing.get_context("spawn")
        ready = ctx.Semaphore(0)
        self.ex = ProcessPoolExecutor(max_workers=self.jobs, initializer=_init_worker,
                                      initargs=(ready,), mp_context=ctx)
        probes = [self.ex.submit(_noop) for _ in range(self.jobs)]  # one spawn per submit
        deadline = time.monotonic() + WARM_UP_WAIT
        self.warm = 0
        while self.warm < self.jobs and time.monotonic() < deadline:
            if ready.acquire(timeout=0.5):
                self.warm += 1
            elif any(p.done() and p.exception() is not None for p in probes):
                break  # a worker died while starting: the first submit restarts the pool

    @property
    def inflight(self) -> int:
        return len(self.pending)

    def submit(self, chunk) -> None:
        from concurrent.futures.process import BrokenProcessPool

        try:
            fut = self.ex.submit(work, chunk, self.timeout)
        except BrokenProcessPool:
            self._restart()
            fut = self.ex.submit(work, chunk, self.timeout)
        self.pending[fut] = chunk

    def _restart(self) -> None:
        self.restarts += 1
        if self.restarts > MAX_RESTARTS:
            raise RuntimeError("worker processes keep dying without finishing any chunk")
        self.ex.shutdown(wait=False, cancel_futures=True)
        self._start()

    def next_done(self):
        from concurrent.futures import FIRST_COMPLETED, wait

        done, _ = wait(list(self.pending), return_when=FIRST_COMPLETED)
        fut = next(iter(done))
        chunk = self.pending.pop(fut)
        try:
            out = fut.result()
            self.restarts = 0
            return chunk, out, None
        except Exception as exc:  # a worker died (memory, segfault): the pool is broken
            if not self.pending or all(f.done() for f in self.pending):
                self._restart()
            return chunk, None, exc

    def close(self) -> None:
        self.ex.shutdown(wait=True, cancel_futures=True)


class _DaskPool:
    """A Dask distributed cluster: a LocalCluster of processes, or a running scheduler."""

    def __init__(self, jobs: int, timeout: int, scheduler: Optional[str]):
        import logging

        from dask.distributed import Client, LocalCluster, as_completed

        self.timeout = timeout
        self.cluster = None
        if scheduler:
            self.client = Client(scheduler)
        else:
            self.cluster = LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True,
                                        dashboard_address=None, silence_logs=logging.ERROR)
            self.client = Client(self.cluster)
        self.done = as_completed()
        self.pending: dict = {}
        self.workers = max(1, len(self.client.scheduler_info().get("workers", {})))
        try:
            self.client.run(warm_up)
        except Exception:  # a worker that cannot warm up fails its tasks, reported per chunk
            pass

    @property
    def inflight(self) -> int:
        return len(self.pending)

    def submit(self, chunk) -> None:
        fut = self.client.submit(work, chunk, self.timeout, pure=False)
        self.pending[fut.key] = chunk
        self.done.add(fut)

    def next_done(self):
        fut = next(self.done)
        chunk = self.pending.pop(fut.key)
        try:
            return chunk, fut.result(), None
        except Exception as exc:
            return chunk, None, exc
        finally:
            fut.release()

    def close(self) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def _make_pool(engine: str, jobs: int, timeout: int, scheduler: Optional[str]):
    if engine == "dask" or scheduler:
        return _DaskPool(jobs, timeout, scheduler)
    if engine != "local":
        raise ValueError(f"unknown engine {engine!r} (local | dask)")
    return _SerialPool(timeout) if jobs == 1 else _ProcessPool(jobs, timeout)


# -- the run -------------------------------------------------------------------------------

@dataclass
class _Stats:
    processed: int = 0
    skipped: int = 0
    errors: int = 0
    bytes: int = 0
    extract_seconds: float = 0.0                  # summed over workers
    extract_cpu: float = 0.0                      # CPU seconds, summed over workers
    parent_cpu: float = 0.0                       # CPU seconds of the dispatching process
    workers: dict = field(default_factory=dict)   # "host:pid" -> peak RSS MB

    def seen(self) -> int:
        return self.processed + self.skipped + self.errors


class _Run:
    """One pass over the inputs: decide skip / extract / error per item, keep the results."""

    def __init__(self, records: Records, run: int, fp: str, pool, window: int,
                 max_chars: int, progress):
        self.records, self.run, self.fp, self.pool = records, run, fp, pool
        self.window, self.max_chars, self.progress = window, max_chars, progress
        self.stats = _Stats()
        self.pending_ids: set[str] = set()
        self.touched: set[str] = set()   # skipped as unchanged, not yet marked in the store
        self.chunk: list[tuple[str, str, str, str]] = []
        self.chunk_bytes = 0
        # chunks grow 1, 2, 4 ... CHUNK_DOCS: every worker gets work on a small corpus, and
        # a large one pays little per-chunk overhead
        self.chunk_limit = 1
        self.crashes: dict[str, int] = {}

    def feed(self, items: Iterable[Any]) -> None:
        for item in items:
            self._one(item)
        self._flush_chunk()
        while self.pool.inflight:
            self._collect()
        self._flush_touched()

    def _one(self, item: Any) -> None:
        doc_id, source = item.doc_id, item.source
        known = self.records.known(doc_id)
        if doc_id in self.pending_ids or doc_id in self.touched or (known is not None and known.run == self.run):
            self._dup(item)
            return
        if item.error is not None or item.text is None:
            err = item.error
            name = type(err).__name__ if isinstance(err, BaseException) else "IngestError"
            self._error(doc_id, source, None, name, str(err) if err is not None else "no text")
            return
        data = item.text.encode("utf-8", "surrogatepass")
        sha = hashlib.sha256(data).hexdigest()
        self.stats.bytes += len(data)
        if known is not None and known.sha256 == sha and known.fingerprint == self.fp:
            self.stats.skipped += 1
            self.touched.add(doc_id)
            if len(self.touched) >= TOUCH_BATCH:
                self._flush_touched()
            self._tick()
            return
        if not item.text.strip():
            self._error(doc_id, source, sha, "EmptyDocument", "no text after decoding")
        elif len(item.text) > self.max_chars:
            self._error(doc_id, source, sha, "DocumentTooLarge",
                        f"{len(item.text)} characters > limit {self.max_chars}")
        else:
            self.pending_ids.add(doc_id)
            self.chunk.append((doc_id, source, sha, item.text))
            self.chunk_bytes += len(data)
            if len(self.chunk) >= self.chunk_limit or self.chunk_bytes >= CHUNK_BYTES:
                self._flush_chunk()

    def _flush_chunk(self) -> None:
        if not self.chunk:
            return
        self.pool.submit(self.chunk)
        self.chunk, self.chunk_bytes = [], 0
        self.chunk_limit = min(2 * self.chunk_limit, CHUNK_DOCS)
        while self.pool.inflight >= self.window:
            self._collect()

    def _flush_touched(self) -> None:
        if self.touched:
            self.records.begin()
            self.records.touch(self.touched, self.run)
            self.records.commit()
            self.touched = set()

    def _collect(self) -> None:
        chunk, out, exc = self.pool.next_done()
        if out is None:
            self._crashed(chunk, exc)
            return
        self.stats.extract_seconds += out["seconds"]
        self.stats.extract_cpu += out["cpu_seconds"]
        key = f"{out['host']}:{out['pid']}"
        self.stats.workers[key] = max(self.stats.workers.get(key, 0.0), round(out["maxrss_mb"], 1))
        self.records.begin()
        for doc_id, source, sha, status, payload in out["results"]:
            self.records.put(doc_id, source, sha, self.fp, self.run, status, payload)
            self.pending_ids.discard(doc_id)
            if status == "ok":
                self.stats.processed += 1
            else:
                self.stats.errors += 1
        self.records.touch(self.touched, self.run)
        self.touched = set()
        self.records.commit()
        self._tick()

    def _crashed(self, chunk, exc) -> None:
        """A worker died under this chunk: retry its documents one by one (a crash also
        takes down innocent neighbours), and record the ones that keep crashing."""
        for one in chunk:
            doc_id, source, sha, _text = one
            self.crashes[doc_id] = self.crashes.get(doc_id, 0) + 1
            if len(chunk) > 1 or self.crashes[doc_id] < MAX_ATTEMPTS:
                self.pool.submit([one])
            else:
                self.pending_ids.discard(doc_id)
                self._error(doc_id, source, sha, "WorkerCrashed", f"{type(exc).__name__}: {exc}",
                            transient=True)

    def _error(self, doc_id: str, source: str, sha: Optional[str], name: str, message: str,
               transient: bool = False) -> None:
        self.records.begin()
        self.records.put(doc_id, source, sha, TRANSIENT if transient else self.fp, self.run, "error",
                         rec.pack(error_payload(doc_id, source, name, message)))
        self.records.commit()
        self.stats.errors += 1
        self._tick()

    def _dup(self, item: Any) -> None:
        self.records.begin()
        self.records.put_dup(item.source, item.doc_id, self.run, rec.pack(error_payload(
            item.doc_id, item.source, "DuplicateDocId", "an earlier input has the same doc_id")))
        self.records.commit()
        self.stats.errors += 1
        self._tick()

    def _tick(self) -> None:
        if self.progress is not None:
            self.progress(self.stats)


class _Progress:
    """A rich progress bar on stderr: docs, docs/s, MB/s, errors, ETA when the total is known."""

    def __init__(self, total: Optional[int]):
        from rich.console import Console
        from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn,
                                   TimeElapsedColumn, TimeRemainingColumn)

        self.bar = Progress(TextColumn("[bold]chidao run"), BarColumn(), MofNCompleteColumn(),
                            TextColumn("{task.fields[rate]}"), TextColumn("{task.fields[errors]} errors"),
                            TimeElapsedColumn(), TimeRemainingColumn(),
                            console=Console(stderr=True), transient=False, refresh_per_second=4)
        self.task = self.bar.add_task("run", total=total, rate="", errors=0)
        self.t0 = time.perf_counter()
        self.last = 0.0

    def __enter__(self):
        self.bar.start()
        self.t0 = time.perf_counter()   # rates from when the workers are ready
        return self

    def __exit__(self, *exc):
        self.bar.stop()

    def __call__(self, stats: _Stats) -> None:
        now = time.perf_counter()
        if now - self.last < 0.2:
            return
        self.last = now
        dt = max(now - self.t0, 1e-9)
        rate = f"{stats.seen() / dt:.1f} docs/s {stats.bytes / dt / 1e6:.2f} MB/s"
        self.bar.update(self.task, completed=stats.seen(), rate=rate, errors=stats.errors)


class _NoProgress:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return None


def run_corpus(inputs: Sequence[Path], out: Path, jobs: int = 0, engine: str = "local",
               scheduler: Optional[str] = None, quiet: bool = False, prune: bool = False,
               check: bool = True, *, max_chars: int = MAX_CHARS, timeout: int = TIMEOUT) -> dict:
    """Process INPUTS into the output folder OUT; returns a summary of the run."""
    t_start = time.perf_counter()
    inputs = [Path(p) for p in inputs]
    for p in inputs:
        if not p.exists():
            raise FileNotFoundError(p)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    jobs = jobs if jobs and jobs > 0 else (os.cpu_count() or 1)
    lock = _lock(out)
    clean_temps(out)
    records = Records(out / STORE)
    try:
        records.begin()
        run = records.next_run()
        records.commit()
        fp = fingerprint()
        _check_pipeline(engine, jobs, scheduler)
        progress = _NoProgress() if quiet else _Progress(_count_inputs(inputs))
        pool = _make_pool(engine, jobs, timeout, scheduler)
        workers = getattr(pool, "workers", jobs)
        t_ready, cpu_ready = time.perf_counter(), time.process_time()
        try:
            with progress as tick:
                state = _Run(records, run, fp, pool, max(2, 2 * workers), max_chars, tick)
                state.feed(_iter_items(inputs, out))
                t_done = time.perf_counter()
                state.stats.parent_cpu = time.process_time() - cpu_ready
                if isinstance(pool, _SerialPool):   # the extraction itself ran in this process
                    state.stats.parent_cpu -= state.stats.extract_cpu
                if tick is not None:
                    tick.last = 0.0
                    tick(state.stats)
        finally:
            pool.close()
        t_extract = time.perf_counter()
        records.begin()
        removed = records.prune(run) if prune else 0
        records.drop_stale_dups(run)
        records.commit()
        summary = _finish(records, out, inputs, fp, state.stats, removed, check,
                          engine="dask" if (engine == "dask" or scheduler) else "local",
                          jobs=workers, marks=(t_start, t_ready, t_done, t_extract), quiet=quiet)
    finally:
        records.close()
        lock.close()
    return summary


def _lock(out: Path):
    """One run at a time per output folder; the lock dies with its process, even on kill -9."""
    import fcntl

    (out / STORE).parent.mkdir(parents=True, exist_ok=True)
    fh = open((out / STORE).parent / "run.lock", "w")
    try:
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        fh.close()
        raise RuntimeError(f"another chidao run is writing {out}") from None
    return fh


def _check_pipeline(engine: str, jobs: int, scheduler: Optional[str]) -> None:
    """Fail fast when the pipeline cannot even be built, rather than once per document."""
    if engine == "local" and not scheduler and jobs == 1:
        warm_up()   # jobs=1 extracts in this process
    else:
        import pipeline.nlp  # noqa: F401  (imports every extractor)


def _finish(records: Records, out: Path, inputs: Sequence[Path], fp: str, stats: _Stats,
            removed: int, check: bool, engine: str, jobs: int, marks: tuple, quiet: bool) -> dict:
    """Export (when stored content changed), index, check, manifest. ``marks``: when the run
    started, when the workers were ready, when the last chunk came back, when they stopped."""
    t_start, t_ready, t_done, t_extract = marks
    generation = records.generation
    previous = _read_manifest(out)
    export_fp = export_fingerprint()
    fresh = (previous.get("generation") == generation and previous.get("export_fingerprint") == export_fp
             and outputs_present(out))
    counts = previous.get("counts", {}) if fresh else export(records, out)
    counts = dict(counts)
    counts["errors"] = records.count("error") + records.count_dups()
    t_export = time.perf_counter()
    try:
        indexed: Any = _update_index(records, out)
    except Exception as exc:  # what was not indexed stays marked and is retried next run
        records.commit()
        print(f"chidao run: updating index.sqlite failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        indexed = {"failed": f"{type(exc).__name__}: {exc}"}
    t_index = time.perf_counter()
    checked = _run_check(out, quiet) if check and (not fresh or not (out / "conflicts.parquet").exists()) else None
    if checked is not None:
        index_conflicts(out)
    t_check = time.perf_counter()
    seconds = t_done - t_ready   # steady extraction: start-up (spawn, warm-up) and shutdown apart
    head = {
        "schema_version": SCHEMA_VERSION,
        "tool": "chidao",
        "tool_version": __version__,
        "inputs": [str(p.resolve()) for p in inputs],
        "fingerprint": fp,
        "export_fingerprint": export_fp,
        "generation": generation,
        "counts": counts,
        "run": {"engine": engine, "jobs": jobs, "processed": stats.processed, "skipped": stats.skipped,
                "errors": stats.errors, "removed": removed, "exported": not fresh,
                "indexed": indexed, "checked": checked, "worker_peak_rss_mb": stats.workers},
        "timings": {"startup_s": round(t_ready - t_start, 3),
                    "extract_s": round(seconds, 3), "shutdown_s": round(t_extract - t_done, 3),
                    "export_s": round(t_export - t_extract, 3),
                    "index_s": round(t_index - t_export, 3), "check_s": round(t_check - t_index, 3),
                    "total_s": round(time.perf_counter() - t_start, 3),
                    "worker_busy_s": round(stats.extract_seconds, 3),
                    "worker_cpu_s": round(stats.extract_cpu, 3),
                    "parent_cpu_s": round(stats.parent_cpu, 3),
                    "docs_per_s": round(stats.processed / seconds, 2) if seconds else None,
                    "mb_per_s": round(stats.bytes / seconds / 1e6, 3) if seconds else None},
    }
    write_manifest(out, head, records.iter_hashes())
    return {"out": str(out), **{k: head[k] for k in ("counts", "run", "timings")}}


def _read_manifest(out: Path) -> dict:
    try:
        with open(out / "manifest.json", encoding="utf-8") as fh:
            return json.load(fh)
    except (OSError, ValueError):
        return {}


def _update_index(records: Records, out: Path) -> Optional[int]:
    """Feed changed documents to the SQLite index in batches."""
    from .store.index import update_index

    db = out / "index.sqlite"
    if not db.exists():
        records.begin()
        records.reset_indexed()
        records.commit()
    n = 0
    while True:
        gone = records.removed_batch(INDEX_BATCH)
        if not gone:
            break
        update_index(db, [], remove_ids=gone)
        records.begin()
        records.forget_removed(gone)
        records.commit()
    while True:
        batch = records.unindexed(INDEX_BATCH)
        if not batch:
            break
        update_index(db, [json.loads(rec.unpack_line(blob)) for _doc_id, blob in batch])
        records.begin()
        records.mark_indexed(doc_id for doc_id, _blob in batch)
        records.commit()
        n += len(batch)
    return n


def index_conflicts(out: Path) -> Optional[int]:
    """Put the checker's conflicts into index.sqlite (they are corpus-wide: replaced whole)."""
    from .store.index import load_conflicts, read_conflicts

    db = out / "index.sqlite"
    conflicts = read_conflicts(out)
    if conflicts is None or not db.exists():
        return None
    return load_conflicts(db, conflicts)


def _run_check(out: Path, quiet: bool) -> Any:
    """Cross-document checks over the finished output. A failing checker is reported, not
    fatal: the extraction output is already complete."""
    from .check import run_check

    try:
        return run_check(out, quiet=quiet)
    except Exception as exc:
        print(f"chidao run: the checker failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        return {"failed": f"{type(exc).__name__}: {exc}"}
