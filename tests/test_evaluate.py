"""Scoring on small gold/pred pairs whose P/R/F1 are known by hand."""
import json

import pytest

from pipeline.evaluate import (canon_id, fold_unit, main, score, unit_class,
                               unit_similarity)


def doc(doc_id="d1", **fields):
    base = {"doc_id": doc_id, "doc_type": "tin_bai", "number": None, "issue_date": None,
            "references": [], "dates": [], "targets": [], "assignments": [], "deadlines": []}
    base.update(fields)
    return base


def target(value, unit="%", value_max=None, comparator="=", year=2025, status="target"):
    return {"value": value, "value_max": value_max, "unit": unit, "comparator": comparator,
            "year": year, "status": status}


# ---------------------------------------------------------------- canonical forms
@pytest.mark.parametrize("raw, canon", [
    ("111- KL/TU", "111-kl/tu"),
    ("20–NQ/TW", "20-nq/tw"),
    ("2628/QĐ-BYT", "2628/qđ-byt"),
    ("19/2021/TT - BTC", "19/2021/tt-btc"),
    ("13-CTr/TU", "13-ctr/tu"),
])
def test_reference_ids_are_canonicalised(raw, canon):
    assert canon_id(raw) == canon


def test_unit_folding_expands_abbreviations_and_drops_marks():
    assert fold_unit("UBND huyện") == fold_unit("Ủy ban nhân dân huyện") == "uy ban nhan dan huyen"
    assert fold_unit("HĐND tỉnh") == "hoi dong nhan dan tinh"
    assert fold_unit("MTTQ và các đoàn thể") == "mat tran to quoc va cac doan the"
    assert fold_unit("Đảng uỷ Trung tâm Y tế") == fold_unit("đảng ủy trung tâm y tế")
    assert fold_unit("Các chi, đảng bộ trực thuộc") == "cac chi dang bo truc thuoc"


def test_token_set_similarity_threshold():
    # 4 of 4 vs 4 of 5 tokens: 2*4/9 = 0.889 -> same unit
    assert unit_similarity(fold_unit("Trung tâm Y tế"), fold_unit("Trung tâm Y tế huyện")) == pytest.approx(8 / 9)
    # "các xã, thị trấn" vs "UBND các xã, thị trấn": 2*4/12 = 0.667 -> different bodies
    assert unit_similarity(fold_unit("các xã, thị trấn"), fold_unit("UBND các xã, thị trấn")) == pytest.approx(2 / 3)
    # exactly 0.8: 2*2/5
    assert unit_similarity("a b", "a b c") == pytest.approx(0.8)


def test_unit_class_keeps_percent_per_year_apart():
    assert unit_class("%") == unit_class(" % ") == unit_class("phần trăm")
    assert unit_class("%/năm") == unit_class("% / năm") == unit_class("%/NĂM")
    assert unit_class("%") != unit_class("%/năm")
    assert unit_class("bác sĩ/vạn dân") == unit_class("Bác sĩ / vạn dân")


# ---------------------------------------------------------------- scoring
def test_reference_sets_and_date_accuracy():
    gold = [doc(references=[{"id": "20-NQ/TW", "kind": "Nghị quyết", "date": "2017-10-25"},
                            {"id": "111-KL/TU", "kind": "Kết luận", "date": None},
                            {"id": "2628/QĐ-BYT", "kind": "Quyết định", "date": "2020-06-22"}])]
    pred = [doc(references=[{"id": "20-nq/tw", "date": "2017-10-25"},
                            {"id": "20-NQ/TW", "date": None},  # repeated mention: same id
                            {"id": "2628/QĐ–BYT", "date": "2020-06-21"},
                            {"id": "47/2024/TT-BTC", "date": None}])]
    r = score(gold, pred)
    assert (r["references"]["tp"], r["references"]["fp"], r["references"]["fn"]) == (2, 1, 1)
    assert r["references"]["p"] == pytest.approx(2 / 3)
    assert r["references"]["r"] == pytest.approx(2 / 3)
    assert r["references"]["f1"] == pytest.approx(2 / 3)
    assert r["accuracy"]["reference_date"] == {"accuracy": 0.5, "correct": 1, "n": 2}


def test_dates_and_deadlines_are_value_sets():
    gold = [doc(dates=[{"value": "2017-10-25"}, {"value": "2025"}, {"value": "2020/2025"}],
                deadlines=[{"value": "2025"}])]
    pred = [doc(dates=[{"value": "2017-10-25"}, {"value": "2017-10-25"}, {"value": "2025"},
                       {"value": "2019"}],
                deadlines=[{"value": "2025"}, {"value": None}])]
    r = score(gold, pred)
    assert (r["dates"]["tp"], r["dates"]["fp"], r["dates"]["fn"]) == (2, 1, 1)
    assert (r["deadlines"]["tp"], r["deadlines"]["fp"], r["deadlines"]["fn"]) == (1, 0, 0)
    assert r["deadlines"]["f1"] == 1.0


def test_targets_are_a_multiset_of_goals_only():
    gold = [doc(targets=[target(100), target(100), target(1.5, "%/năm", 2, "range"),
                         target(30, comparator=">")])]
    pred = [doc(targets=[target(100), target(100), target(100),      # one 100 too many
                         target(1.5, "%", 2, "range"),               # wrong unit class
                         target(30, comparator=">=", year=2020),     # matched, attrs wrong
                         target(97, status="result")])]              # results are ignored
    r = score(gold, pred)
    t = r["targets"]
    assert (t["tp"], t["fp"], t["fn"]) == (3, 2, 1)
    assert t["p"] == pytest.approx(3 / 5)
    assert t["r"] == pytest.approx(3 / 4)
    assert t["f1"] == pytest.approx(2 * 0.6 * 0.75 / 1.35)
    assert r["accuracy"]["target_comparator"] == {"accuracy": 2 / 3, "correct": 2, "n": 3}
    assert r["accuracy"]["target_year"] == {"accuracy": 2 / 3, "correct": 2, "n": 3}


def test_assignments_match_units_one_to_one():
    gold = [doc(assignments=[{"unit": "UBND huyện", "deadline": None},
                             {"unit": "Trung tâm Y tế", "deadline": "2023-01-16"},
                             {"unit": "Trung tâm Y tế", "deadline": "2023-02-15"},
                             {"unit": "các xã, thị trấn", "deadline": None}])]
    pred = [doc(assignments=[{"unit": "Ủy ban nhân dân huyện", "deadline": None},
                             {"unit": "Trung tâm Y tế huyện", "deadline": "2023-01-16"},
                             {"unit": "Trung tâm Y tế", "deadline": None},
                             {"unit": "UBND các xã, thị trấn", "deadline": None}])]
    r = score(gold, pred)
    a = r["assignments"]
    # units: gold {ubnd huyen, ttyt, cac xa thi tran}; pred {ubnd huyen, ttyt huyen, ttyt, ubnd cac xa}
    # greedy best-first: ttyt<->ttyt (1.0), ubnd huyen (1.0); "ttyt huyen" and "ubnd cac xa" spurious
    assert (a["tp"], a["fp"], a["fn"]) == (2, 2, 1)
    d = r["assignment_deadlines"]
    # pairs gold: (ubnd huyen,None) (ttyt,01-16) (ttyt,02-15) (xa,None)
    # pred: (ubnd huyen,None) (ttyt huyen,01-16) (ttyt,None) (ubnd xa,None)
    assert (d["tp"], d["fp"], d["fn"]) == (2, 2, 2)


def test_missing_document_counts_as_misses_and_extra_pred_is_ignored():
    gold = [doc("a", dates=[{"value": "2022"}], doc_type="ke_hoach", number="13-CTr/TU"),
            doc("b", dates=[{"value": "2023"}])]
    pred = [doc("a", dates=[{"value": "2022"}], doc_type="ke_hoach", number="13-ctr/tu"),
            doc("z", dates=[{"value": "1999"}])]
    r = score(gold, pred)
    assert r["documents"]["missing"] == ["b"]
    assert (r["dates"]["tp"], r["dates"]["fp"], r["dates"]["fn"]) == (1, 0, 1)
    assert r["accuracy"]["doc_type"] == {"accuracy": 0.5, "correct": 1, "n": 2}
    assert r["accuracy"]["number"]["correct"] == 1
    assert r["details"]["b"]["dates"] == {"fn": ["2023"], "fp": []}


def test_main_reads_an_output_folder_and_prints_json(tmp_path, capsys):
    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps(doc(deadlines=[{"value": "2030"}]), ensure_ascii=False) + "\n")
    out = tmp_path / "out"
    out.mkdir()
    (out / "documents.jsonl").write_text(json.dumps(doc(deadlines=[{"value": "2030"}, {"value": "2025"}])) + "\n")
    main(gold, out, json_out=True)
    printed = json.loads(capsys.readouterr().out)
    assert printed["deadlines"]["p"] == 0.5 and printed["deadlines"]["r"] == 1.0
    assert "details" not in printed


@pytest.mark.parametrize("path", ["../shared/gold/seeds.jsonl", "gold/dev.jsonl"])
def test_a_gold_file_scores_perfectly_against_itself(path):
    from pathlib import Path

    full = Path(__file__).resolve().parents[1] / path
    if not full.is_file():
        pytest.skip(f"{path} absent")
    docs = [json.loads(line) for line in full.read_text(encoding="utf-8").splitlines() if line.strip()]
    r = score(docs, docs)
    for key in ("references", "dates", "deadlines", "targets", "assignments", "assignment_deadlines"):
        assert r[key]["f1"] == 1.0 and r[key]["fp"] == r[key]["fn"] == 0, key
    assert all(a["accuracy"] in (1.0, None) for a in r["accuracy"].values())
    assert r["details"] == {}


def test_an_empty_prediction_scores_zero_recall_on_the_seeds():
    from pathlib import Path

    full = Path(__file__).resolve().parents[1].parent / "shared" / "gold" / "seeds.jsonl"
    if not full.is_file():
        pytest.skip("seeds gold absent")
    docs = [json.loads(line) for line in full.read_text(encoding="utf-8").splitlines() if line.strip()]
    empty = [doc(d["doc_id"]) for d in docs]
    r = score(docs, empty)
    # seed gold: 14 references, 28 distinct dates, 18 goals
    assert (r["references"]["fn"], r["dates"]["fn"], r["targets"]["fn"]) == (14, 28, 18)
    assert r["references"]["r"] == 0.0 and r["references"]["p"] == 0.0
