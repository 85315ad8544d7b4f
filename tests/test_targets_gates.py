"""The second set of shortcuts of the target scan must change nothing: clause boundaries
looked for only where one of their cores is, the units tried only after a character one
of them can start with, and bare amounts of a report passed over unread only when reading
them would drop them. Each is checked against the plain regex or the full reading on the
seeds and the first bench articles."""
from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
import regex

from pipeline import patterns
from pipeline.extractors import targets
from pipeline.extractors._numbers import NUMBER, NUMBER_AFTER_SEP, RANGE_SEP
from pipeline.model import Document
from pipeline.normalise import normalise
from pipeline.segment import segment

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT.parent / "shared" / "bench"
EXTRA = [
    "Tỷ lệ hộ nghèo giảm còn 3%; trong đó: hộ cận nghèo 2%, TRONG   ĐÓ: 1%. Kết quả: 15 tỷ đồng",
    "Giá vàng hôm nay 36,5 triệu đồng/lượng, tăng 50.000 đồng; dự kiến đạt 40 triệu đồng vào năm 2018.",
    "Doanh nghiệp phấn đấu đạt 200 tỷ đồng, Công ty có 1.200 ha rừng, 5 - 7 km đường và 3 MW điện.",
]


@pytest.fixture(scope="module")
def texts() -> list[str]:
    """Texts of the seeds, the first bench articles and a few phrasings made for the
    shortcuts."""
    raw = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "corpus").glob("*.txt"))]
    path = BENCH / "baomoi_vn_news_00.jsonl.gz"
    if path.exists():
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            raw += [json.loads(line)["text"] for _, line in zip(range(400), fh)]
    return raw + EXTRA


def test_cores_of_the_clause_boundaries():
    assert targets._core(r",?\s*trong\s+đó\s*:?") == r"trong\s+đó\s*:?"
    assert targets._core(";") == ";"
    assert targets._core(r"x?|trong") == r"x?|trong"  # an alternation is no lead
    assert targets._core(r"\btrong") == r"\btrong"  # "\b" matches nothing only between words
    assert targets._plain_head(r":\s") == ":"
    assert targets._plain_head("tr?ong") == "t"
    assert targets._plain_head("(?:a|b)c") == ""
    assert targets._plain_head("a|b") == ""
    texts, rxs = targets._rules().clause_cores
    assert texts == [";", ":"] and [rx.pattern for rx in rxs] == [r"trong\s+đó\s*:?"]


def test_no_clause_boundary_where_no_core_is(texts):
    """Wherever the clause regex matches, the cheap test says one may be there; and in most
    sentence pieces it says none is."""
    r = targets._rules()
    said_no = tried = 0
    for text in texts:
        mt = normalise(text).match_text
        for a in range(0, len(mt), 37):
            for b in (a + 40, a + 150, a + 600):
                tried += 1
                if not targets._may_cut(mt, a, b, r):
                    said_no += 1
                    assert r.clause_cut.search(mt, a, b) is None, mt[a:b]
                    assert not list(r.clause_cut.finditer(mt, a, b))
    assert said_no > tried // 4


def test_first_characters_of_a_regex():
    assert targets._first_chars(r"ha|km|(?:nghìn|ngàn)\s+tỷ") == {"h", "k", "n"}
    assert targets._first_chars(r"(?P<u0>%|phần\s+trăm)|(?P<u1>USD)") == {"%", "p", "U"}
    for src in (r"a?b", r"(?:a|b)?c", r"[ab]c", r"\d+", "", "a|", r"(?=a)a", r"(?:a)*b", r"a{0,2}b"):
        assert targets._first_chars(src) is None, src


def test_guarded_unit_scan_finds_what_the_plain_one_does(texts):
    y = patterns.load("targets")
    units = "|".join(f"(?P<u{i}>" + "|".join(u["match"]) + ")" for i, u in enumerate(y["units"]))
    after = "|".join(patterns.alternation(c["words"]) for c in y["comparators"]["after"])
    plain = regex.compile(
        r"(?P<num>" + NUMBER + r")(?:\s*%?" + RANGE_SEP + r"(?P<num2>" + NUMBER_AFTER_SEP + r"))?"
        r"\s*(?P<unit>" + units + r")" + targets._WORD_END + r"(?P<after>\s+(?:" + after + r")"
        + targets._WORD_END + r")?", targets._F)
    guarded = targets._rules().candidate
    assert "(?=[" in guarded.pattern and guarded.groupindex == plain.groupindex

    def spans(m):
        return [m.span(g) for g in range(plain.groups + 1)]

    found = 0
    for text in texts + ["5 HA, 7 Km, 3 usd, 10 PHẦN TRĂM, 2 ngàn tỷ đồng, 4 Triệu Tấn"]:
        mt = normalise(text).match_text
        want = [spans(m) for m in plain.finditer(mt)]
        assert [spans(m) for m in guarded.finditer(mt)] == want
        found += len(want)
    assert found > 500 or not BENCH.exists()  # enough cases: the bench gives them


def test_bare_amounts_skipped_unread_are_the_ones_reading_drops(texts, monkeypatch):
    """Every amount the shortcut passes over would have been dropped by the full reading;
    a bare amount under a goal cue or a horizon is still read."""
    r = targets._rules()
    real = targets._bare_amount_without_goal
    skipped = 0
    for text in texts:
        norm = normalise(text)
        seg = segment(norm.text, norm.match_text)
        cands = targets._candidates(seg, r)
        doc = Document(doc_id="t", text=norm.text, doc_type="tin_bai")
        d = targets._Doc(seg, r, doc, targets._is_plan(doc, seg, r), cands, {})
        prev_item = None
        for i, c in enumerate(cands):
            nxt, prev = (cands[i + 1] if i + 1 < len(cands) else None), (cands[i - 1] if i else None)
            monkeypatch.setattr(targets, "_bare_amount_without_goal", lambda *a: False)
            full = targets._reading(c, nxt, prev, prev_item, d)
            monkeypatch.setattr(targets, "_bare_amount_without_goal", real)
            if real(c, targets._place(c, prev, seg.match_text, r), d):
                skipped += 1
                assert full is None, seg.text[c.span_start:c.sent_end]
            prev_item = full or prev_item
    assert skipped > 50 or not BENCH.exists()
    norm = normalise(EXTRA[1])
    seg = segment(norm.text, norm.match_text)
    items = targets.extract(seg, Document(doc_id="t", text=norm.text, doc_type="tin_bai"))
    assert [(t.value, t.status) for t in items if t.status == "target"] == [(40, "target")]


def test_heads_of_a_regex():
    assert targets._heads(r"(?:năm\s+|tháng\s+\d{1,2}\s*/\s*|quý\s+[IV]+\s*/\s*)((?:19|20)\d\d)\b") == [
        "năm", "tháng", "quý"]
    assert targets._heads(r"(?:x[)|]|y)z|w") == ["x", "y", "w"]
    assert targets._heads(r"\b\d{1,2}\s*[/.-]") is None
    assert targets._branches(r"a[|(]b|c\|d|(e|f)") == ["a[|(]b", r"c\|d", "(e|f)"]
    r = targets._rules()
    assert r.plain_year_places is not None and r.full_date_places[1] is None  # one head: "ngày"


def test_date_rules_tried_where_they_may_start_find_what_they_find(texts):
    """The document year's rules, tried only after their first words, find every match the
    whole-text scan finds, in the text and in its upper-case copy."""
    r = targets._rules()
    rules = list(zip(r.full_date, r.full_date_places)) + [(r.plain_year, r.plain_year_places)]
    found = 0
    for text in texts + ["NĂM 2016, THÁNG 4/2017, Quý IV / 2018; ngày 5 tháng 6 năm 2019"]:
        for s in (normalise(text).text, text.upper()):
            for rx, places in rules:
                want = [m.span() for m in rx.finditer(s)]
                assert [m.span() for m in targets._found_words(rx, places, s, 0, len(s))] == want
                found += len(want)
    assert found > 300 or not BENCH.exists()


def test_search_in_a_copy_of_the_span_finds_what_the_bounded_search_does(texts):
    r = targets._rules()
    assert not targets._looks_behind(r.this_year.pattern)
    for src in (r"(?<!a)b", r"\bx", "^a", r"(?m)a$", r"\Ab", r"a\mb"):
        assert targets._looks_behind(src), src
    hits = 0
    for text in texts[:150] + ["Phấn đấu cả năm 2017 tăng 5%, NĂM NAY đạt 6%; 6 tháng cuối năm tăng 7%"]:
        mt = normalise(text).match_text
        for a in range(0, len(mt), 53):
            for b in (a + 30, a + 200):
                want = r.this_year.search(mt, a, b)
                got = targets._search_in(r.this_year, mt, a, b)
                assert (got is None) == (want is None) and (got is None or got.group() == want.group())
                hits += want is not None
    assert hits > 20 or not BENCH.exists()
