"""`chidao search`: folding, every filter, --json, and inputs that must not crash."""
from __future__ import annotations

import json
import unicodedata

import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.search import Query, SearchError, fts_expression, parse_terms, search
from pipeline.store.index import build_index
from search_fixtures import SEED_NEWS, SEED_NOTICE, SEED_PLAN, SEED_REPORT, seed_docs, write_out

runner = CliRunner()


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    out = write_out(tmp_path_factory.mktemp("search") / "out", seed_docs())
    build_index(out)
    return out


def run(out, *args):
    return runner.invoke(app, ["search", *args, "--out", str(out)])


def hits(out, *args) -> list[dict]:
    result = run(out, *args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def values(out, *args) -> list[str]:
    return [h["value"] for h in hits(out, *args)]


# --- folding: accents, đ, tone placement, case -----------------------------------------------

@pytest.mark.parametrize("query", ["suy dinh duong", "SUY DINH DƯỠNG", "suy dinh dưỡng", "Suy Dinh Dưỡng",
                                   unicodedata.normalize("NFD", "suy dinh dưỡng")])
def test_accent_and_case_insensitive_both_ways(out, query):
    assert sorted(values(out, query, "--kind", "target")) == \
        sorted(["< 15% (2025)", "≤ 20% (2025)", "18,48% (2022)", "24,38% (2022)"])


def test_dat_finds_d_stroke(out):
    found = hits(out, "dat chi tieu", "--kind", "target")
    assert {h["doc_id"] for h in found} == {SEED_NOTICE}
    h = found[0]
    marked = [h["sentence"][s:e] for s, e in h["highlights"]]
    assert "đạt" in marked and "chỉ" in marked and "tiêu" in marked


@pytest.mark.parametrize("query", ["Hoà Bình", "Hòa Bình", "hoa binh", "HOÀ BÌNH"])
def test_tone_placement_does_not_matter(out, query):
    found = hits(out, query, "--kind", "reference")
    assert [h["fields"]["id"] for h in found] == ["25-CT/TW"]


def test_highlights_point_into_the_original_sentence(out):
    for h in hits(out, "SUY DINH DUONG", "--kind", "target"):
        words = {h["sentence"][s:e].lower() for s, e in h["highlights"]}
        assert words == {"suy", "dinh", "dưỡng"}


# --- filters ---------------------------------------------------------------------------------

def test_kind_filter(out):
    for kind in ("target", "task", "deadline", "reference", "document"):
        found = hits(out, "y te", "--kind", kind, "--limit", "50")
        assert found and {h["kind"] for h in found} == {kind}


def test_default_kinds_are_items(out):
    kinds = {h["kind"] for h in hits(out, "trung tam y te", "--limit", "50")}
    assert kinds <= {"target", "task", "deadline", "reference"} and {"task", "deadline"} <= kinds


def test_year_filter(out):
    assert sorted(values(out, "suy dinh duong", "--year", "2025")) == ["< 15% (2025)", "≤ 20% (2025)"]
    assert sorted(values(out, "suy dinh duong", "--year", "2022")) == ["18,48% (2022)", "24,38% (2022)"]


def test_status_filter(out):
    assert sorted(values(out, "suy dinh duong", "--status", "result")) == ["18,48% (2022)", "24,38% (2022)"]
    assert sorted(values(out, "suy dinh duong", "--status", "target")) == ["< 15% (2025)", "≤ 20% (2025)"]


def test_status_needs_targets(out):
    result = run(out, "y te", "--kind", "task", "--status", "result")
    assert result.exit_code == 2 and "--status applies to targets" in result.output


def test_unit_filter_is_folded_substring(out):
    found = hits(out, "", "--unit", "trung tam y te", "--kind", "deadline")
    assert [h["value"] for h in found] == ["2023-01-16", "2023-02-15"]
    assert all(h["unit"] == "Trung tâm Y tế" for h in found)
    assert hits(out, "", "--unit", "UBND tỉnh", "--kind", "task") == []


def test_doc_type_filter(out):
    assert {h["doc_id"] for h in hits(out, "suy dinh duong", "--doc-type", "thong_bao")} == {SEED_NOTICE}
    assert {h["doc_id"] for h in hits(out, "suy dinh duong", "--doc-type", "ke_hoach")} == {SEED_PLAN}


def test_issuer_filter(out):
    assert {h["doc_id"] for h in hits(out, "suy dinh duong", "--issuer", "tan uyen")} == {SEED_NOTICE}
    assert {h["doc_id"] for h in hits(out, "suy dinh duong", "--issuer", "Huyện ủy Tam Đường")} == {SEED_PLAN}


def test_date_range_filter(out):
    assert values(out, "", "--kind", "deadline", "--from", "2023-02-01", "--to", "2023-12-31") == ["2023-02-15"]
    assert values(out, "", "--kind", "deadline", "--from", "01/01/2023", "--to", "31/01/2023") == ["2023-01-16"]
    # a year-only deadline overlaps any range inside that year
    assert "2025" in values(out, "", "--kind", "deadline", "--from", "2025-06-01", "--to", "2025-06-30")


def test_bad_date_is_a_clear_message(out):
    result = run(out, "y te", "--from", "hôm qua")
    assert result.exit_code == 2 and "cannot read the date" in result.output


@pytest.mark.parametrize("directive, docs", [
    ("25-CT/TW", {SEED_NEWS}),
    ("25 – ct/tw", {SEED_NEWS}),
    ("20-NQ/TW", {SEED_PLAN, SEED_REPORT}),
    ("99-NQ/TW", set()),
])
def test_directive_filter_canonicalises_ids(out, directive, docs):
    found = hits(out, "", "--directive", directive, "--kind", "document")
    assert {h["doc_id"] for h in found} == docs


def test_directive_combines_with_text(out):
    found = hits(out, "suy dinh duong", "--directive", "20-NQ/TW")
    assert {h["doc_id"] for h in found} == {SEED_PLAN}


def test_limit(out):
    assert len(hits(out, "y te", "--limit", "1")) == 1
    assert run(out, "y te", "--limit", "0").exit_code == 2


def test_results_are_ranked_best_first(out):
    scores = [h["score"] for h in hits(out, "suy dinh duong tre em", "--limit", "20")]
    assert scores == sorted(scores)


def test_table_output_shows_doc_value_and_sentence(out):
    result = run(out, "suy dinh duong", "--year", "2025")
    assert result.exit_code == 0
    text = " ".join(result.stdout.split())
    assert "001_6e3d7479b8752292" in text and "< 15% (2025)" in text and "thấp" in text


def test_no_results_message(out):
    result = run(out, "khong co tu nay dau")
    assert result.exit_code == 0 and "no results" in result.stdout


# --- malformed input -------------------------------------------------------------------------

BAD = ['"', '"suy dinh', 'NEAR(suy dinh)', "suy AND dinh OR NOT", "*", "dinh*", "^suy", "a:b", "col:suy",
       "'; DROP TABLE documents; --", "\" OR 1=1 --", "(((", ")", "-", "+", "{suy}", "\x00", "suy\x00dinh",
       "🙂" * 50, "x" * 100_000, "suy " * 5_000, "\\", "%", "_", "NEAR", "AND"]


@pytest.mark.parametrize("query", BAD)
def test_malformed_queries_never_crash(out, query):
    result = run(out, query)
    assert result.exit_code in (0, 2), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output


def test_nothing_to_search_is_explained(out):
    result = run(out, "?!...")
    assert result.exit_code == 2 and "nothing to search" in result.output


def test_missing_index_is_explained(tmp_path):
    result = run(tmp_path, "suy dinh duong")
    assert result.exit_code == 2 and "chidao run" in result.output


def test_user_text_becomes_quoted_terms():
    assert fts_expression(parse_terms('NEAR(a b) AND "suy dinh" 20-NQ/TW *')) == \
        '"near a" "b" "and" "suy dinh" "20 nq tw"'
    assert parse_terms('"unbalanced suy') == [["unbalanced"], ["suy"]]
    assert len(parse_terms("suy " * 1000)) <= 24


def test_search_api_raises_search_error(out):
    with pytest.raises(SearchError):
        search(out, Query(""))
    with pytest.raises(SearchError):
        search(out, Query("y te", kind="nope"))
