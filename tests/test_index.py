"""index.sqlite: folding, schema, upserts, offsets, read-only access."""
from __future__ import annotations

import copy
import json
import sqlite3
import unicodedata

import pytest
from hypothesis import given, strategies as st

from pipeline.fold import fold, fold_query, ref_key, tokens
from pipeline.search import Query, search
from pipeline.store.index import (FTS, build_index, connect_ro, counts, date_bounds, sentence_around,
                                  update_index)
from search_fixtures import SEED_NEWS, SEED_NOTICE, SEED_PLAN, news_doc, notice_doc, plan_doc, seed_docs, write_out


# --- folding ---------------------------------------------------------------------------------

@pytest.mark.parametrize("a, b", [
    ("suy dinh dưỡng", "suy dinh duong"),
    ("SUY DINH DƯỠNG", "suy dinh duong"),
    ("Đạt", "dat"),
    ("hoà", "hòa"),              # old and new tone placement
    ("Thanh Hoá", "thanh hoa"),
    ("uỷ ban", "ủy ban"),
    ("khoẻ", "khỏe"),
])
def test_fold_equates_spellings(a, b):
    assert fold(a) == fold(b)


def test_fold_query_accepts_decomposed_input():
    nfd = unicodedata.normalize("NFD", "Suy dinh dưỡng Đạt")
    assert fold_query(nfd) == "suy dinh duong dat"
    assert tokens("Đạt 95,2% (2025)") == ["dat", "95", "2", "2025"]


@given(st.text(max_size=200))
def test_fold_keeps_length_so_offsets_align(s):
    assert len(fold(s)) == len(s)


def test_ref_key_canonicalises_ids():
    assert ref_key("111- KL/TU") == ref_key("111-KL/TU") == "111-kl/tu"
    assert ref_key("25 – CT/TW") == ref_key("25-ct/tw")
    assert ref_key("72/2024/NĐ-CP") == ref_key("72/2024/ND-CP")
    assert ref_key("") is None


# --- derived columns -------------------------------------------------------------------------

@pytest.mark.parametrize("value, lo, hi", [
    ("2025", "2025-01-01", "2025-12-31"),
    ("2023-01-16", "2023-01-16", "2023-01-16"),
    ("2022-01", "2022-01-01", "2022-01-31"),
    ("2023-Q1", "2023-01-01", "2023-03-31"),
    ("2024-H1", "2024-01-01", "2024-06-30"),
    ("2020/2025", "2020-01-01", "2025-12-31"),
    ("2020-07-27/2020-07-28", "2020-07-27", "2020-07-28"),
    (2025, "2025-01-01", "2025-12-31"),
    ("--03-15", None, None),
    (None, None, None),
])
def test_date_bounds(value, lo, hi):
    assert date_bounds(value) == (lo, hi)


def test_sentence_around_takes_the_list_line():
    doc = plan_doc()
    t = doc["targets"][0]
    sent = sentence_around(doc["text"], t["start"], t["end"])
    assert sent.startswith("- (9) Giảm tỷ lệ trẻ em dưới 5 tuổi suy dinh dưỡng")
    assert "dưới 15%" in sent and "\n" not in sent


def test_sentence_around_long_run_cuts_between_words():
    text = " ".join(["chăm sóc sức khỏe"] * 200)  # no sentence break for thousands of chars
    start = text.index("khỏe", 1500)
    sent = sentence_around(text, start, start + 4)
    assert "khỏe" in sent and len(sent) <= 810
    assert text.find(sent) >= 0
    assert text[text.find(sent) - 1] == " " and sent.split()[0] in {"chăm", "sóc", "sức", "khỏe"}


# --- building and updating -------------------------------------------------------------------

@pytest.fixture()
def out(tmp_path):
    return write_out(tmp_path / "out", seed_docs())


def test_build_index_has_every_table_and_fts(out):
    db = build_index(out)
    n = counts(db)
    docs = seed_docs()
    assert n["documents"] == len(docs)
    for table in ("references", "targets", "assignments", "deadlines"):
        assert n[table] == sum(len(d[table]) for d in docs), table
    con = connect_ro(db)
    names = {r[0] for r in con.execute("SELECT name FROM sqlite_master")}
    assert {t + "_fts" for t in FTS} <= names
    for table in FTS:  # one FTS row per item row
        assert con.execute(f'SELECT COUNT(*) FROM "{table}_fts"').fetchone()[0] == n[table]


def test_item_offsets_and_sentences_hold(out):
    con = connect_ro(build_index(out))
    texts = dict(con.execute("SELECT doc_id, text FROM documents"))
    rows = con.execute("SELECT doc_id, start, \"end\", text, sentence FROM targets "
                       "UNION ALL SELECT doc_id, start, \"end\", text, sentence FROM deadlines").fetchall()
    assert rows
    for doc_id, start, end, text, sentence in rows:
        assert texts[doc_id][start:end] == text
        assert text in sentence


def test_conflicts_table_filled_when_present(out):
    conflict = {"kind": "deadline_mismatch", "explanation": "hai hạn khác nhau",
                "items": [{"doc_id": SEED_NOTICE, "start": 1, "end": 2, "text": "x"}]}
    (out / "conflicts.jsonl").write_text(json.dumps(conflict, ensure_ascii=False) + "\n", encoding="utf-8")
    con = connect_ro(build_index(out))
    assert [tuple(r) for r in con.execute("SELECT kind, doc_id FROM conflicts")] == [("deadline_mismatch", SEED_NOTICE)]


def test_build_index_needs_documents_jsonl(tmp_path):
    with pytest.raises(FileNotFoundError, match="chidao run"):
        build_index(tmp_path)


def _dump(db) -> list[str]:
    con = sqlite3.connect(db)
    try:
        return list(con.iterdump())
    finally:
        con.close()


def test_reindexing_same_docs_changes_nothing(out):
    db = build_index(out)
    before = _dump(db)
    update_index(db, seed_docs())
    assert _dump(db) == before


def test_adding_documents_updates_in_place(tmp_path):
    db = tmp_path / "index.sqlite"
    update_index(db, [plan_doc()])
    ids_before = [r[0] for r in connect_ro(db).execute("SELECT item_id FROM targets ORDER BY item_id")]
    update_index(db, [notice_doc(), news_doc()])
    con = connect_ro(db)
    ids_after = [r[0] for r in con.execute(f"SELECT item_id FROM targets WHERE doc_id = '{SEED_PLAN}' ORDER BY item_id")]
    assert ids_after == ids_before  # the plan's rows were not rebuilt
    assert counts(db)["documents"] == 3
    assert {h.doc_id for h in search(db, Query("suy dinh duong", kind="target"))} == {SEED_PLAN, SEED_NOTICE}


def test_changed_document_replaces_its_rows(tmp_path):
    db = tmp_path / "index.sqlite"
    update_index(db, seed_docs())
    changed = plan_doc()
    changed["targets"] = changed["targets"][:1]
    changed["targets"][0] = dict(changed["targets"][0], value=12.0)
    update_index(db, [changed])
    con = connect_ro(db)
    assert [r[0] for r in con.execute("SELECT value FROM targets WHERE doc_id = ?", (SEED_PLAN,))] == [12.0]
    hits = search(db, Query("thap coi", kind="target"))
    plan_values = [h.fields["value"] for h in hits if h.doc_id == SEED_PLAN]
    assert plan_values == [12.0]  # the plan's 20% row left the FTS index too


def test_remove_ids_drops_rows_and_fts(tmp_path):
    db = tmp_path / "index.sqlite"
    update_index(db, seed_docs())
    update_index(db, [], remove_ids=[SEED_NEWS])
    assert counts(db)["documents"] == len(seed_docs()) - 1
    assert search(db, Query("", directive="25-CT/TW")) == []
    assert search(db, Query("Hòa Bình", kind="reference")) == []


def test_failed_batch_leaves_index_unchanged(tmp_path):
    db = tmp_path / "index.sqlite"
    update_index(db, [plan_doc()])
    before = _dump(db)
    bad = copy.deepcopy(notice_doc())
    del bad["doc_id"]
    with pytest.raises(KeyError):
        update_index(db, [news_doc(), bad])
    assert _dump(db) == before


def test_read_only_connection_cannot_write(out):
    con = connect_ro(build_index(out))
    with pytest.raises(sqlite3.OperationalError):
        con.execute("DELETE FROM documents")


def test_index_of_real_extraction_keeps_offsets(tmp_path):
    """Whatever the extractors find in the seeds today is indexed with exact offsets."""
    import pipeline
    from search_fixtures import CORPUS

    docs = [pipeline.extract_file(p).to_dict() for p in sorted(CORPUS.glob("*.txt"))]
    db = tmp_path / "index.sqlite"
    update_index(db, docs)
    con = connect_ro(db)
    for d in docs:
        for table in ("references", "dates", "targets", "assignments", "deadlines", "entities"):
            got = con.execute(f'SELECT COUNT(*) FROM "{table}" WHERE doc_id = ?', (d["doc_id"],)).fetchone()[0]
            assert got == len(d[table]), (d["doc_id"], table)
            for start, end, text in con.execute(f'SELECT start, "end", text FROM "{table}" WHERE doc_id = ?',
                                                (d["doc_id"],)):
                assert d["text"][start:end] == text
