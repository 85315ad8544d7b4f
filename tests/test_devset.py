"""The dev gold set and the loader of its texts from the bench archives."""
import gzip
import json
from pathlib import Path

import pytest

from pipeline.devset import gold_texts, load_texts

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT.parent / "shared" / "bench"
DEV = ROOT / "gold" / "dev.jsonl"
TEST = ROOT / "gold" / "test.jsonl"
GOLD_KEYS = {"doc_id", "doc_type", "number", "issue_date", "issuer", "references", "dates",
             "targets", "assignments", "deadlines"}


def dev_docs(path=DEV):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_load_texts_from_small_archive(tmp_path):
    with gzip.open(tmp_path / "a.jsonl.gz", "wt", encoding="utf-8") as fh:
        for i in range(3):
            fh.write(json.dumps({"id": f"x/{i}", "text": f"Chỉ thị số {i}/CT-TTg"}, ensure_ascii=False) + "\n")
    assert load_texts(["x/2", "x/0", "missing"], tmp_path) == {"x/2": "Chỉ thị số 2/CT-TTg",
                                                                 "x/0": "Chỉ thị số 0/CT-TTg"}


def test_gold_texts_prefers_corpus_files(tmp_path):
    (tmp_path / "seed.txt").write_text("Kế hoạch", encoding="utf-8")
    sources = gold_texts(["seed", "absent"], corpus_dir=tmp_path, bench_dir=tmp_path / "none")
    assert sources == {"seed": tmp_path / "seed.txt"}


@pytest.mark.parametrize("path,at_least", [(DEV, 24), (TEST, 16)], ids=["dev", "test"])
def test_gold_is_well_formed(path, at_least):
    docs = dev_docs(path)
    assert len(docs) >= at_least
    assert len({d["doc_id"] for d in docs}) == len(docs)
    for d in docs:
        assert GOLD_KEYS <= set(d), d["doc_id"]
        assert "text" not in d  # texts stay in the bench
        for t in d["targets"]:
            assert t["status"] in ("target", "result")
            assert t["comparator"] in ("=", ">", ">=", "<", "<=", "range")


def test_dev_and_test_sets_do_not_overlap():
    assert not {d["doc_id"] for d in dev_docs(DEV)} & {d["doc_id"] for d in dev_docs(TEST)}


@pytest.mark.skipif(not BENCH.is_dir(), reason="bench archives absent")
@pytest.mark.parametrize("path", [DEV, TEST], ids=["dev", "test"])
def test_every_gold_document_is_in_the_bench(path):
    ids = [d["doc_id"] for d in dev_docs(path)]
    texts = load_texts(ids, BENCH)
    assert set(texts) == set(ids)
    # annotated reference ids occur in the text (spaces aside)
    for d in dev_docs(path):
        flat = "".join(texts[d["doc_id"]].split())
        for ref in d["references"]:
            number = ref["id"].split("/")[0].split("-")[0]
            assert number in flat, (d["doc_id"], ref["id"])


def test_extract_mode_scores_fresh_extractions(tmp_path, monkeypatch, capsys):
    import pipeline
    from pipeline.evaluate import main
    from pipeline.model import Document, DateMention

    def fake_extract(text, doc_id="-", source=None):
        if "hỏng" in text:
            raise ValueError("boom")
        return Document(doc_id=doc_id, text=text, doc_type="tin_bai",
                        dates=[DateMention(0, 9, "25/10/2017", value="2017-10-25")])

    monkeypatch.setattr(pipeline, "extract", fake_extract)
    (tmp_path / "ok.txt").write_text("Nghị quyết số 20-NQ/TW, ngày 25/10/2017", encoding="utf-8")
    (tmp_path / "bad.txt").write_text("văn bản hỏng", encoding="utf-8")
    gold = tmp_path / "gold.jsonl"
    gold.write_text("\n".join(json.dumps({"doc_id": i, "doc_type": "tin_bai", "dates": [{"value": "2017-10-25"}]})
                              for i in ("ok", "bad")), encoding="utf-8")
    result = main(gold, extract=True, json_out=True, corpus_dir=tmp_path, bench_dir=tmp_path / "none")
    assert "extraction failed for bad: ValueError: boom" in capsys.readouterr().err
    assert result["documents"]["missing"] == ["bad"]
    assert (result["dates"]["tp"], result["dates"]["fp"], result["dates"]["fn"]) == (1, 0, 1)
