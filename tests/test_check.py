"""Cross-document checks over the five seeds plus variants planted in tests/fixtures/check.

The fixtures copy the seeds' own phrasing and change one fact each: the plan giving
Trung tâm Y tế until 28/02/2023 for the report the conclusion wanted by 15/02/2023, the
programme setting "dưới 18%" where the seed plan says "dưới 15%", the news item dating
Chỉ thị 25-CT/TW 25/10/2024, and so on. Every test runs the real pipeline.
"""
from __future__ import annotations

import csv
import json
from pathlib import Path

import networkx as nx
import pyarrow.parquet as pq
import pytest

import pipeline
from pipeline.check import run_check
from pipeline.check.citations import is_national
from pipeline.check.common import disjoint, indicator_key, iso_range, same_indicator, same_unit, unit_key

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "corpus").glob("*.txt"))
FIXTURES = sorted((ROOT / "tests" / "fixtures" / "check").glob("*.txt"))
SEED_002 = "002_b46ce2d869fb8a30"
SEED_001 = "001_6e3d7479b8752292"
SEED_003 = "003_ebb5c12f4fc31886"


@pytest.fixture(scope="module")
def extracted() -> dict[str, dict]:
    return {p.stem: pipeline.extract_file(p).to_dict() for p in SEEDS + FIXTURES}


def _run(tmp_path: Path, docs: list[dict]) -> tuple[dict, list[dict]]:
    with open(tmp_path / "documents.jsonl", "w", encoding="utf-8") as fh:
        for d in docs:
            fh.write(json.dumps(d, ensure_ascii=False) + "\n")
    summary = run_check(tmp_path, quiet=True)
    with open(tmp_path / "conflicts.jsonl", encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh]
    return summary, rows


@pytest.fixture(scope="module")
def seeds_only(extracted, tmp_path_factory):
    out = tmp_path_factory.mktemp("seeds")
    return out, *_run(out, [extracted[p.stem] for p in SEEDS])


@pytest.fixture(scope="module")
def planted(extracted, tmp_path_factory):
    out = tmp_path_factory.mktemp("planted")
    return out, *_run(out, list(extracted.values()))


def _rows(rows: list[dict], kind: str) -> list[dict]:
    return [r for r in rows if r["kind"] == kind]


def _pair(r: dict) -> set[str]:
    return {r["a_doc_id"], r["b_doc_id"]}


# --- the seeds alone ----------------------------------------------------------------------

def test_seeds_alone_report_only_the_real_date_order(seeds_only):
    _out, summary, rows = seeds_only
    assert [r["kind"] for r in rows] == ["date_order"], [r["explanation"] for r in rows]
    r = rows[0]
    assert r["a_doc_id"] == r["b_doc_id"] == SEED_002
    assert (r["a_value"], r["b_value"]) == ("2022-01", "2022-12-16")
    assert r["b_text"] == "Ngày 16/12/2022"
    assert summary["by_kind"] == {"date_order": 1}


def test_seed_plan_implements_its_conclusion(seeds_only):
    out, _summary, _rows_ = seeds_only
    data = json.loads((out / "citations.json").read_text(encoding="utf-8"))
    rel = {(e["source"], e["target"], e["relation"]) for e in data["edges"]}
    assert (f"doc:{SEED_001}", "id:111-kl/tu", "implements") in rel
    assert (f"doc:{SEED_001}", "id:20-nq/tw", "cites") in rel
    # news reports cite, they do not implement
    assert (f"doc:{SEED_003}", "id:25-ct/tw", "cites") in rel
    assert not any(s == f"doc:{SEED_003}" and r == "implements" for s, _t, r in rel)


# --- planted conflicts --------------------------------------------------------------------

def test_deadline_mismatch_found(planted):
    _out, _s, rows = planted
    found = [r for r in _rows(rows, "deadline_mismatch") if _pair(r) == {"kh_thuc_hien_tb05", "tb_ket_luan_y_te"}]
    assert len(found) == 1
    assert {found[0]["a_value"], found[0]["b_value"]} == {"2023-02-28", "2023-02-15"}
    # the seed conclusion itself wants the same report by 15/02/2023
    assert any(_pair(r) == {"kh_thuc_hien_tb05", SEED_002} for r in _rows(rows, "deadline_mismatch"))


def test_same_deadline_is_not_a_mismatch(planted):
    _out, _s, rows = planted
    # kh_han_truoc_ngay_ban_hanh repeats 16/01/2023 for the plan task: no mismatch
    assert not any("kh_han_truoc_ngay_ban_hanh" in _pair(r) for r in _rows(rows, "deadline_mismatch"))


def test_target_mismatch_found(planted):
    _out, _s, rows = planted
    found = _rows(rows, "target_mismatch")
    assert len(found) == 1, [r["explanation"] for r in found]
    r = found[0]
    assert _pair(r) == {SEED_001, "ctr_tam_duong_111"}
    assert {r["a_value"], r["b_value"]} == {"< 15%", "< 18%"}
    assert (r["scope"], r["year"]) == ("tam duong", 2025)


def test_citation_mismatch_across_and_within(planted):
    _out, _s, rows = planted
    found = _rows(rows, "citation_mismatch")
    across = [r for r in found if r["scope"] == "across"]
    within = [r for r in found if r["scope"] == "within"]
    assert any(r["id"] == "25-CT/TW" and {r["a_value"], r["b_value"]} == {"2023-10-25", "2024-10-25"}
               and "tin_chi_thi_25_ngay_sai" in _pair(r) for r in across)
    assert [r["a_doc_id"] for r in within] == ["tin_chi_thi_25_hai_ngay"]
    # 111-KL/TU is a provincial id: cited by several documents, never compared across them
    assert not any(r["id"] == "111-KL/TU" for r in found)


def test_deadline_before_issue_found(planted):
    _out, _s, rows = planted
    found = _rows(rows, "deadline_before_issue")
    assert [(r["b_doc_id"], r["b_value"]) for r in found] == [("kh_han_truoc_ngay_ban_hanh", "2023-01-16")]


def test_deadline_after_parent_found(planted):
    _out, _s, rows = planted
    found = _rows(rows, "deadline_after_parent")
    assert [(r["a_doc_id"], r["a_value"], r["b_doc_id"], r["b_value"]) for r in found] == [
        ("kh_thuc_hien_tb05", "2023-02-28", "tb_ket_luan_y_te", "2023-02-15")]


def test_target_missed_and_progress(planted):
    out, summary, rows = planted
    missed = _rows(rows, "target_missed")
    assert len(missed) == 1
    r = missed[0]
    assert (r["a_doc_id"], r["a_value"], r["b_doc_id"], r["b_value"]) == ("kh_dinh_duong_2022", "< 23%", SEED_002, 24.38)
    assert r["gap"] == pytest.approx(1.38)
    progress = [json.loads(line) for line in (out / "target_progress.jsonl").read_text(encoding="utf-8").splitlines()]
    met = [p for p in progress if p["status"] == "met"]
    assert [(p["target"]["value"], p["result"]["value"]) for p in met] == [("< 19%", 18.48)]
    assert summary["progress"] == {"met": 1, "missed": 1}


def test_every_item_quotes_its_document(planted, extracted):
    _out, _s, rows = planted
    assert rows
    for r in rows:
        for item in r["items"]:
            if item["start"] is not None:
                text = extracted[item["doc_id"]]["text"]
                assert text[item["start"]:item["end"]] == item["text"]
        assert r["explanation"] and "\n" not in r["explanation"]


def test_output_files(planted):
    out, _s, rows = planted
    table = pq.read_table(out / "conflicts.parquet")
    assert table.num_rows == len(rows)
    assert {"kind", "a_doc_id", "a_start", "a_end", "a_text", "a_value", "b_doc_id", "b_value",
            "explanation", "items"} <= set(table.column_names)
    raw = (out / "conflicts.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    with open(out / "conflicts.csv", encoding="utf-8-sig", newline="") as fh:
        assert len(list(csv.DictReader(fh))) == len(rows)
    g = nx.read_graphml(out / "citations.graphml")
    assert g.has_edge("id:05/tb-ubnd", "doc:tb_ket_luan_y_te")  # archive document matched by number
    assert g.has_edge("doc:kh_thuc_hien_tb05", "id:05/tb-ubnd")
    assert not list(out.glob(".tmp-*"))


def test_cli_check(planted):
    from typer.testing import CliRunner

    from pipeline.cli import app

    out, summary, _rows_ = planted
    res = CliRunner().invoke(app, ["check", str(out), "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.output)["by_kind"] == summary["by_kind"]


# --- comparison keys ----------------------------------------------------------------------

def test_iso_ranges():
    assert iso_range("2023-Q1")[1].isoformat() == "2023-03-31"
    assert iso_range("2024-H1")[1].isoformat() == "2024-06-30"
    assert iso_range("2020/2025")[0].isoformat() == "2020-01-01"
    assert iso_range("--03-15") is None
    assert not disjoint("2023", "2023-02-15")
    assert disjoint("2023-02-28", "2023-02-15")


def test_indicators_from_the_seeds():
    plan = indicator_key("tỷ lệ trẻ em dưới 5 tuổi suy dinh dưỡng thể cân nặng")
    report = indicator_key("tỷ lệ suy dinh dưỡng trẻ em dưới 5 tuổi thể nhẹ cân")
    stunting = indicator_key("tỷ lệ suy dinh dưỡng trẻ em dưới 5 tuổi thể thấp còi")
    assert same_indicator(plan, report)
    assert not same_indicator(report, stunting)
    assert not same_indicator(indicator_key("danh mục kỹ thuật tuyến huyện"), indicator_key("danh mục kỹ thuật tuyến xã"))


def test_units_with_abbreviations():
    assert unit_key("UBND các xã, thị trấn") == unit_key("Ủy ban nhân dân xã, thị trấn")
    assert same_unit(unit_key("TTYT huyện"), unit_key("Trung tâm Y tế"))
    assert not same_unit(unit_key("UBND huyện"), unit_key("UBND tỉnh"))


def test_national_ids():
    assert is_national("20-NQ/TW") and is_national("2628/QĐ-BYT") and is_national("142/2024/QH15")
    assert not is_national("111-KL/TU") and not is_national("05/TB-UBND") and not is_national("1816")
