"""Store: flattening documents into tables, the atomic writers, the store of record."""
from __future__ import annotations

import csv
import json

import pandas as pd
import pyarrow.parquet as pq

from pipeline.model import Assignment, Document, Reference, Signer, Target
from pipeline.store import records as rec
from pipeline.store.export import export, write_manifest
from pipeline.store.records import Records
from pipeline.store.tables import COLUMNS, TABLES, rows_for
from pipeline.store.writers import TableWriter, clean_temps, publish, temp_path

TEXT = ("Thực hiện Nghị quyết số 20-NQ/TW, ngày 25/10/2017 của Ban Chấp hành Trung ương; "
        "phấn đấu đến năm 2025 đạt 95,2% dân số tham gia bảo hiểm y tế. "
        "UBND huyện phối hợp với Trung tâm Y tế hoàn thành trước ngày 16/01/2023.")


def _span(s: str) -> dict:
    i = TEXT.index(s)
    return {"start": i, "end": i + len(s), "text": s}


def _doc(doc_id: str = "kh-01") -> dict:
    ref = Reference(**_span("Nghị quyết số 20-NQ/TW"), kind="Nghị quyết", id="20-NQ/TW",
                    date="2017-10-25", rule="ref.party")
    tgt = Target(**_span("95,2%"), value=95.2, unit="%", year=2025, indicator="dân số tham gia bảo hiểm y tế",
                 rule="target.pct")
    asg = Assignment(**_span("UBND huyện phối hợp với Trung tâm Y tế"), unit="UBND huyện",
                     cooperating=["Trung tâm Y tế"], deadline="2023-01-16", rule="assign.unit")
    doc = Document(doc_id=doc_id, text=TEXT, source=f"{doc_id}.txt", chars=len(TEXT), doc_type="ke_hoach",
                   signer=Signer(name="Nguyễn Văn A", position="Chủ tịch"), recipients=["Như trên", "Lưu: VT"],
                   references=[ref], targets=[tgt], assignments=[asg])
    return doc.to_dict()


def test_rows_for_puts_doc_id_on_every_row_and_keeps_offsets():
    rows = rows_for(_doc())
    assert set(rows) == set(TABLES)
    assert len(rows["documents"]) == 1 and len(rows["references"]) == 1 and rows["dates"] == []
    for table, table_rows in rows.items():
        for row in table_rows:
            assert row["doc_id"] == "kh-01"
            assert list(row) == [name for name, _ in COLUMNS[table]]
            if table != "documents":
                assert TEXT[row["start"]:row["end"]] == row["text"]
    d = rows["documents"][0]
    assert d["signer_name"] == "Nguyễn Văn A" and d["signer_position"] == "Chủ tịch"
    assert d["recipients"] == ["Như trên", "Lưu: VT"] and d["text"] == TEXT
    assert rows["assignments"][0]["cooperating"] == ["Trung tâm Y tế"]
    assert rows["targets"][0]["value"] == 95.2 and rows["targets"][0]["year"] == 2025


def test_rows_for_coerces_missing_and_odd_values():
    d = _doc()
    d["signer"] = None
    d["recipients"] = None
    d["targets"][0]["value"] = 95          # an int where the column is float
    rows = rows_for(d)
    assert rows["documents"][0]["signer_name"] is None and rows["documents"][0]["recipients"] == []
    assert isinstance(rows["targets"][0]["value"], float)


def test_table_writer_parquet_and_csv_with_bom(tmp_path):
    w = TableWriter(tmp_path, "targets")
    w.write(rows_for(_doc("a"))["targets"])
    w.write([])
    w.write(rows_for(_doc("b"))["targets"])
    assert not (tmp_path / "targets.parquet").exists()   # nothing visible before publish
    publish(w.close())
    df = pd.read_parquet(tmp_path / "targets.parquet")
    assert list(df["doc_id"]) == ["a", "b"] and list(df["value"]) == [95.2, 95.2]
    raw = (tmp_path / "targets.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    with open(tmp_path / "targets.csv", encoding="utf-8-sig", newline="") as fh:
        got = list(csv.DictReader(fh))
    assert [r["indicator"] for r in got] == ["dân số tham gia bảo hiểm y tế"] * 2
    assert not list(tmp_path.glob(".tmp-*"))


def test_empty_table_has_its_schema(tmp_path):
    w = TableWriter(tmp_path, "deadlines")
    publish(w.close())
    table = pq.read_table(tmp_path / "deadlines.parquet")
    assert table.num_rows == 0
    assert table.schema.names == [name for name, _ in COLUMNS["deadlines"]]
    assert str(table.schema.field("recurring").type) == "bool"


def test_clean_temps_removes_leftovers(tmp_path):
    left = temp_path(tmp_path / "documents.jsonl")
    left.write_text("half")
    clean_temps(tmp_path)
    assert not left.exists()


def _records(tmp_path, docs):
    r = Records(tmp_path / ".store" / "records.sqlite")
    r.begin()
    run = r.next_run()
    for d in docs:
        r.put(d["doc_id"], d["source"], "sha-" + d["doc_id"], "fp", run, "ok", rec.pack(d))
    r.commit()
    return r, run


def test_records_skip_replace_prune(tmp_path):
    r, run = _records(tmp_path, [_doc("b"), _doc("a")])
    gen = r.generation
    assert r.known("a").sha256 == "sha-a" and r.known("zz") is None
    r.begin()
    r.put("a", "a.txt", "sha-a", "fp", run, "ok", rec.pack(_doc("a")))   # same content
    r.commit()
    assert r.generation == gen
    r.begin()
    run2 = r.next_run()
    r.touch(["a"], run2)
    assert r.prune(run2) == 1
    r.commit()
    assert [d for d, _ in r.iter_lines()] == ["a"] and r.generation > gen
    assert r.removed_batch(10) == ["b"]


def test_export_agrees_with_rows_and_manifest_streams(tmp_path):
    r, _ = _records(tmp_path, [_doc("b"), _doc("a")])
    r.begin()
    r.put("c", "c.txt", None, "fp", 1, "error", rec.pack({"doc_id": "c", "path": "c.txt",
                                                         "error": "EmptyInputError", "message": "empty"}))
    r.commit()
    counts = export(r, tmp_path, batch_docs=1)
    assert counts["documents"] == 2 and counts["references"] == 2 and counts["errors"] == 1
    lines = (tmp_path / "documents.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(x)["doc_id"] for x in lines] == ["a", "b"]    # doc_id order, not insertion
    for t in TABLES:
        assert len(pd.read_parquet(tmp_path / f"{t}.parquet")) == counts[t]
    err = json.loads((tmp_path / "errors.jsonl").read_text(encoding="utf-8"))
    assert err["error"] == "EmptyInputError" and err["path"] == "c.txt"
    write_manifest(tmp_path, {"schema_version": "1.0", "counts": counts}, r.iter_hashes())
    m = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    assert m["content_sha256"] == {"a": "sha-a", "b": "sha-b"}
    write_manifest(tmp_path, {"counts": {}}, iter(()))
    assert json.loads((tmp_path / "manifest.json").read_text())["content_sha256"] == {}


def test_generation_moves_once_per_transaction_and_only_on_change(tmp_path):
    """A chunk of many new documents is one change of stored content, not one per row."""
    r, run = _records(tmp_path, [])
    gen = r.generation
    r.begin()
    for d in (_doc("a"), _doc("b"), _doc("c")):
        r.put(d["doc_id"], d["source"], "sha", "fp", run, "ok", rec.pack(d))
    assert r.generation == gen          # not yet: the bump lands with the commit
    r.commit()
    assert r.generation == gen + 1
    r.begin()
    r.touch(["a", "b"], run)            # marking documents seen changes no content
    r.commit()
    assert r.generation == gen + 1
    r.begin()
    r.put("a", "a.txt", "sha", "fp", run, "error", rec.pack({"doc_id": "a", "error": "Timeout"}))
    r.commit()
    assert r.generation == gen + 2 and r.removed_batch(10) == ["a"]
