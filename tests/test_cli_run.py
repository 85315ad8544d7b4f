"""`chidao run` and `python -m pipeline run` from the outside."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pandas as pd
from typer.testing import CliRunner

from conftest import CORPUS, ROOT
from pipeline.cli import app

SEED = "003_ebb5c12f4fc31886.txt"


def _input(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(CORPUS / SEED, src / SEED)
    (src / "empty.txt").write_bytes(b"")
    return src


def test_python_dash_m_pipeline_run(tmp_path):
    src = _input(tmp_path)
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "pipeline", "run", str(src), "--out", str(out),
                           "--jobs", "1", "--no-check"], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout.strip().splitlines()[-1])
    assert summary["counts"]["documents"] == 1 and summary["counts"]["errors"] == 1
    assert list(pd.read_parquet(out / "documents.parquet")["doc_id"]) == [SEED[:-4]]
    assert json.loads((out / "errors.jsonl").read_text(encoding="utf-8"))["doc_id"] == "empty"
    assert (out / "manifest.json").exists()


def test_chidao_run_quiet_prints_nothing_and_reruns_skip(tmp_path):
    src = _input(tmp_path)
    out = tmp_path / "out"
    runner = CliRunner(env={"CHIDAO_FINGERPRINT": "cli-test"})  # others may edit extractors meanwhile
    first = runner.invoke(app, ["run", str(src), "--out", str(out), "-j", "1", "--quiet", "--no-check"])
    assert first.exit_code == 0, first.output
    assert first.stdout == ""
    again = runner.invoke(app, ["run", str(src), "--out", str(out), "-j", "1", "--no-check"])
    assert again.exit_code == 0, again.output
    summary = json.loads(again.stdout.strip().splitlines()[-1])
    assert summary["run"]["skipped"] == 1 and summary["run"]["processed"] == 0


def test_missing_input_is_a_usage_error(tmp_path):
    result = CliRunner().invoke(app, ["run", str(tmp_path / "nope"), "--out", str(tmp_path / "out"), "-q"])
    assert result.exit_code != 0


def test_conflicts_reach_the_index_in_the_same_run(tmp_path):
    """Seed 002 is issued in 01/2022 about a meeting of 16/12/2022: the checker reports it,
    and the index built by the same run holds that conflict."""
    import sqlite3

    from typer.testing import CliRunner

    from pipeline.cli import app

    src = tmp_path / "in"
    src.mkdir()
    (src / "002.txt").write_text((ROOT / "corpus" / "002_b46ce2d869fb8a30.txt").read_text(encoding="utf-8"), encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["run", str(src), "--out", str(out), "--jobs", "1", "--quiet"])
    assert result.exit_code == 0, result.output
    con = sqlite3.connect(out / "index.sqlite")
    kinds = [k for (k,) in con.execute("SELECT kind FROM conflicts")]
    assert "date_order" in kinds
