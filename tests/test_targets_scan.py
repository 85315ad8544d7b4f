"""The shortcuts the target scan takes must find exactly what the plain regexes find: cue
and direction places by a stdlib trie, the lead-in test on the last words, year rules
skipped where no four digits are, reordered lookarounds, the whole-word search without a
compile, the stdlib number shapes, and counts passed over unread only when reading them
would drop them."""
from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import pytest
import regex
from hypothesis import given, settings, strategies as st

from pipeline import patterns
from pipeline.extractors import targets
from pipeline.extractors._numbers import NUMBER
from pipeline.normalise import normalise

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
BENCH = ROOT.parent / "shared" / "bench"
_NUM = regex.compile(NUMBER)


@pytest.fixture(scope="module")
def texts() -> list[tuple[str, str]]:
    """(text, match text) of the seeds and the first bench articles."""
    raw = [p.read_text(encoding="utf-8") for p in sorted(CORPUS.glob("*.txt"))]
    path = BENCH / "baomoi_vn_news_01.jsonl.gz"
    if path.exists():
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            raw += [json.loads(line)["text"] for _, line in zip(range(200), fh)]
    raw.append("Phấn đấu đến năm 2025 đạt trên 90%; DỰ KIẾN ĐẠT 5%, so  với cùng kỳ tăng 7%")
    return [(n.text, n.match_text) for n in map(normalise, raw)]


def test_every_regex_blank_is_a_stdlib_blank():
    """str.rstrip and the stdlib ``\\s`` must drop every character the regex ``\\s`` takes."""
    every = "".join(map(chr, range(0x110000)))
    blanks = regex.findall(r"\s", every)
    assert blanks and all(c.isspace() and re.fullmatch(r"\s", c) for c in blanks)


def test_trie_finds_the_places_of_a_plain_alternation(texts):
    words = ["so với", "so với cùng kỳ", "sẽ", "sẽ đạt", "đạt", "đã", "đã đạt", "dự kiến đến", "dự báo"]
    trie = re.compile(targets._trie(words))
    plain = re.compile("|".join(re.escape(w).replace(r"\ ", r"\s+") for w in words))
    for _, mt in texts:
        low = mt.lower()
        for i in range(0, len(low), 7):
            a, b = trie.search(low, i), plain.search(low, i)
            assert (a and a.start()) == (b and b.start())


def test_cue_places_cover_every_cue_match(texts):
    r = targets._rules()
    for _, mt in texts:
        low = mt.lower()
        if low != mt.casefold():
            continue
        for m in r.cues.finditer(mt):
            hit = r.cue_text_re.match(low, m.start())
            assert hit, m.group()


def test_lead_in_shortcut_agrees_with_the_full_search(texts):
    r = targets._rules()
    assert r.lead_last is not None
    tried = kept = 0
    for _, mt in texts:
        for m in _NUM.finditer(mt):
            prefix = mt[max(0, m.start() - 120):m.start()]
            lo = max(0, len(prefix) - 80)
            full = r.lead_tail.search(prefix, lo)
            assert targets._lead_start(prefix, r) == (full.start() if full else len(prefix))
            tried += 1
            kept += full is not None
    assert 0 < kept < tried and (tried > 1000 or not BENCH.exists())  # enough cases: the bench gives them


def test_year_rules_need_four_digits(texts):
    r = targets._rules()
    assert r.year_digits is not None
    rules = [r.past_year, *r.horizon, *r.years_horizon, *r.years_plain]
    for _, mt in texts:
        for piece in re.split(r"(?<=[.;:])\s", mt):
            if not r.year_digits.search(piece):
                assert not any(rx.search(piece) for rx in rules), piece
    assert targets._year_digits([regex.compile(r"năm\s+(\d{2,4})")]) is None


def test_glued_paragraph_test_keeps_its_matches(texts):
    plain = regex.compile(r"(?<=(?<!\S)\p{Ll}{2,})\s(?=\p{Lu}\p{Ll}+\s\p{Ll})")
    for text, _ in texts:
        assert [m.span() for m in targets._GLUED.finditer(text)] == [m.span() for m in plain.finditer(text)]


def test_direction_words_keep_their_matches(texts):
    """Reordered lookbehinds, and the scan tried only where a direction word's text is."""
    r = targets._rules()
    assert r.direction_text_re is not None
    words = [w for d in patterns.load("targets")["directions"] for w in d["words"]]
    plain = regex.compile(r"(?<!trở\s)" + targets._words_re(words), targets._F)
    for _, mt in texts + [("", "Giữ Vững mức 5%, TĂNG lên 7%, trở lên")]:
        want = [(m.span(), m.group()) for m in plain.finditer(mt)]
        assert [(m.span(), m.group()) for m in r.directions.finditer(mt)] == want
        found = targets._found_words(r.directions, r.direction_text_re, mt, 0, len(mt))
        assert [(m.span(), m.group()) for m in found] == want
        a, b = len(mt) // 3, 2 * len(mt) // 3
        found = targets._found_words(r.directions, r.direction_text_re, mt, a, b)
        assert [m.span() for m in found] == [m.span() for m in r.directions.finditer(mt, a, b)]


def _extract(text: str, doc_type: str):
    from pipeline.model import Document
    from pipeline.segment import segment

    norm = normalise(text)
    doc = Document(doc_id="t", text=norm.text, doc_type=doc_type)
    return targets.extract(segment(norm.text, norm.match_text), doc)


def test_document_year_is_read_only_when_asked(monkeypatch):
    """A report whose figures name no year never scans for the document's year; a news
    goal without a year still takes it."""
    calls = []
    real = targets._doc_year
    monkeypatch.setattr(targets, "_doc_year", lambda *a: calls.append(1) or real(*a))
    items = _extract("Ngày 12/3/2017, doanh thu của công ty đã tăng 15% so với cùng kỳ.", "tin_bai")
    assert [t.status for t in items] == ["result"] and calls == []
    items = _extract("Ngày 12/3/2017, Hà Nội sẽ giảm 10% biên chế.", "tin_bai")
    assert [(t.status, t.year) for t in items] == [("target", 2017)] and calls == [1]


def test_counts_skipped_unread_are_the_ones_reading_drops(texts):
    """Every count the shortcut passes over would have been dropped by the full reading;
    and counts under a goal verb are still read ("phấn đấu hoàn thành 238 công trình")."""
    from pipeline.model import Document
    from pipeline.segment import segment

    r = targets._rules()
    assert "unit.count" in r.goal_places
    skipped = 0
    extra = ["Năm 2017, tỉnh phấn đấu hoàn thành 238 công trình; toàn tỉnh có 187 hội nghị.",
             "Đến năm 2020 sẽ giảm 704 hợp đồng, người dân 8 xã đã được hỗ trợ."]
    for text in [t for t, _ in texts] + extra:
        norm = normalise(text)
        seg = segment(norm.text, norm.match_text)
        cands = targets._candidates(seg, r)
        d = targets._Doc(seg, r, Document(doc_id="t", text=norm.text, doc_type="tin_bai"), False, cands, {})
        prev_item = None
        for i, c in enumerate(cands):
            nxt, prev = (cands[i + 1] if i + 1 < len(cands) else None), (cands[i - 1] if i else None)
            full = targets._reading(c, nxt, prev, prev_item, d)
            if targets._count_without_goal(c, d):
                skipped += 1
                assert full is None, seg.text[c.span_start:c.sent_end]
            prev_item = full or prev_item
    assert skipped > 20 or not BENCH.exists()
    kept = _extract(extra[0], "tin_bai")
    assert [(t.value, t.unit, t.status) for t in kept] == [(238, "công trình", "target")]


def _parse_with_regex(s: str):
    """parse_number as written with the ``regex`` engine: the reference for the stdlib one."""
    s = s.strip()
    if not s:
        return None
    if regex.fullmatch(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?", s):
        s = s.replace(".", "").replace(",", ".")
    elif regex.fullmatch(r"\d+,\d+", s):
        s = s.replace(",", ".")
    elif not regex.fullmatch(r"\d+(?:\.\d{1,2})?", s):
        return None
    try:
        return float(s)
    except ValueError:
        return None


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="0159.,٣٤１２ -", max_size=12))
def test_number_shapes_read_as_the_regex_engine_reads_them(s):
    from pipeline.extractors._numbers import parse_number

    assert parse_number(s) == _parse_with_regex(s)


def test_whole_word_search_agrees_with_the_regex(texts):
    """The ellipsis search ("tuyến huyện ...; tuyến xã ...") finds a word where the compiled
    whole-word regex does."""
    def by_regex(word: str, s: str):
        m = regex.search(targets._WORD_START + regex.escape(word) + targets._WORD_END, s, targets._F)
        return m.start() if m else None

    checked = 0
    for text, _ in texts[:15]:
        pieces = [p for p in re.split(r"(?<=[.;])\s", text) if p.strip()]
        for a, b in zip(pieces, pieces[1:]):
            for word in set(a.split()[:8] + [w.upper() for w in a.split()[:2]]):
                assert targets._find_word(word, b) == by_regex(word, b), (word, b)
                checked += 1
    for word, s in [("tuyến", "Danh mục kỹ thuật TUYẾN huyện"), ("xã", "xãhội, xã"), ("5%", "tăng 15% và 5%"),
                    ("ß", "STRASSE straße"), ("Σ", "ΟΔΟΣ οδος")]:
        assert targets._find_word(word, s) == by_regex(word, s)
    assert checked > 400
