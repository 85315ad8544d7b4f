"""The cheap scans of the assignments stage (str.find key words, one match for a
sentence's lead, label and opener, quick tests before a regex) find exactly what the
plain regex scans find, on the seeds, on news phrasings and, when present, on real
articles from the benchmark archives."""
from __future__ import annotations

import gzip
import json
from itertools import islice
from pathlib import Path

import pytest

from pipeline.extractors import assignments
from pipeline.normalise import normalise
from pipeline.segment import segment

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
BENCH = ROOT.parent / "shared" / "bench" / "baomoi_vn_news_01.jsonl.gz"

PHRASES = [
    "Theo đó, Sở Y tế chủ trì. Trên cơ sở đó, Văn phòng Điều phối cần rà soát.",
    "... 6 nhóm Trên cơ sở đó, Văn phòng Điều phối nông thôn mới tham mưu ...",
    "Các bộ, ngành phải hoàn thành trong năm 2017.Các bộ cần báo cáo. TP.HCM chủ trì!Bộ Y tế?",
    "Chính phủ yêu cầu: 1. UBND tỉnh chủ trì, phối hợp với Sở Tài chính; a) Sở Y tế: có trách nhiệm",
    "..., Chính phủ, các bộ, ngành, địa phương cần tăng cường kỷ luật, chịu  trách nhiệm.",
    "“(Đồng thời, ngành y tế khẩn trương triển khai. Ảnh: Công an cung cấp",
    "Cần Thơ phải chủ trì và phối hợp; Mặt khác,Bộ Công Thương Phải rà soát",
    "",
    ".",
    "İ giao cho Công an tỉnh",
]


def _texts() -> list[str]:
    texts = [p.read_text(encoding="utf-8") for p in sorted(CORPUS.glob("*.txt"))] + PHRASES
    if BENCH.exists():
        with gzip.open(BENCH, "rt", encoding="utf-8") as fh:
            texts += [json.loads(line)["text"] for line in islice(fh, 150)]
    return [normalise(t).match_text for t in texts]


TEXTS = _texts()


def test_the_sentence_start_match_is_lead_label_and_opener_in_turn():
    c = assignments.cues()
    for mt in TEXTS:
        for start in range(len(mt) + 1):
            m = c.start.match(mt, start)
            pos = assignments._LEAD.match(mt, start).end()
            label = assignments._INLINE_LABEL.match(mt, pos)
            pos = label.end() if label else pos
            opener = c.opener.match(mt, pos)
            assert m.end() == (opener.end() if opener else pos)
            assert (m.start("label") >= 0) == bool(label)
            # the quick test: a capital that starts no opener word steps over nothing
            if start < len(mt) and mt[start].isupper() and not mt.startswith(c.opener_heads, start):
                assert m.end() == start and m.start("label") < 0


def test_opener_heads_are_the_first_words_as_written():
    heads = assignments.cues().opener_heads
    assert "Theo" in heads and "Trên" in heads and "Đồng" in heads
    assert set(assignments._heads(["đồng thời"])) == {"đồng", "Đồng"}


def test_glued_stops_are_found_among_stops_before_letters():
    for mt in TEXTS:
        want = [m.start() for m in assignments._GLUED_STOP.finditer(mt)]
        got = sorted(i for i in assignments._stops_before_letters(mt) if assignments._GLUED_STOP.match(mt, i))
        assert got == want
    assert list(assignments._stops_before_letters("năm 2017.Các bộ")) == [8]


def test_opener_occurrences_are_every_find():
    c = assignments.cues()
    for mt in TEXTS:
        want = set()
        for w in c.opener_inside:
            i = mt.find(w)
            while i >= 0:
                want.add((i, w))
                i = mt.find(w, i + 1)
        assert set(assignments._occurrences(c.opener_scan, c.opener_inside, mt)) == want


def test_every_strong_modal_holds_a_key_word():
    c = assignments.cues()
    assert set(c.strong_keys) == {"cần", "phải", "phối", "trách", "trương"}
    for mt in TEXTS:
        low = assignments._lower(mt)
        if low is None:
            continue
        hits = assignments._key_hits(low, c.strong_keys)
        for m in c.strong_anywhere.finditer(mt):
            assert any(m.start() <= h < m.end() for h in hits), m.group()


def test_comma_subjects_with_and_without_the_key_prefilter():
    """``low=None`` runs the regex on every sentence, as a text whose lower case changes
    length does."""
    c = assignments.cues()
    found = 0
    for mt in TEXTS:
        seg = segment(mt, mt)
        fast = assignments._comma_subjects(seg, c, assignments._lower(mt))
        slow = assignments._comma_subjects(seg, c, None)
        assert fast == slow
        found += len(fast)
    assert found > 0


def test_lower_is_offset_for_offset_or_none():
    assert assignments._lower("UBND Tỉnh") == "ubnd tỉnh"
    assert assignments._lower("İ giao") is None  # "İ".lower() is two characters


@pytest.mark.parametrize("text", PHRASES)
def test_subject_positions_are_sorted_and_unique(text):
    mt = normalise(text).match_text
    seg = segment(mt, mt)
    pos = assignments._subject_positions(seg, assignments.cues())
    assert pos == sorted(set(pos))


def test_giao_cho_scan_by_first_word_agrees_with_the_regex_scan():
    c = assignments.cues()
    assert c.giao_cho_firsts == {"giao"}
    texts = TEXTS + ["Giao chỉ tiêu kế hoạch cụ thể từng năm cho các đơn vị; giao cho Sở, giao thông cho"]
    seen = 0
    for mt in texts:
        want = [(m.span(), m.lastgroup) for m in c.giao_cho.finditer(mt)]
        got = [(m.span(), m.lastgroup) for m in assignments._find_cues(c.giao_cho, c.giao_cho_firsts, mt)]
        assert got == want
        seen += len(want)
    assert seen > 0


def test_cue_scans_sharing_their_word_offsets_find_what_each_finds_alone():
    """"giao" starts both kinds of cue: looked up once per text, the same matches."""
    c = assignments.cues()
    for mt in TEXTS:
        low = assignments._lower(mt)
        found: dict = {}
        shared = [(m.span(), m.lastgroup) for rx, firsts in ((c.assignee, c.assignee_firsts),
                                                              (c.giao_cho, c.giao_cho_firsts))
                  for m in assignments._find_cues(rx, firsts, mt, low, found)]
        alone = [(m.span(), m.lastgroup) for rx in (c.assignee, c.giao_cho) for m in rx.finditer(mt)]
        assert shared == alone
        if low is not None:
            assert set(found) == c.assignee_firsts | c.giao_cho_firsts


def test_lower_comes_from_the_grammar_memo_and_is_the_text_lower_cased():
    for mt in TEXTS:
        low = assignments._lower(mt)
        assert low == (mt.lower() if len(mt.lower()) == len(mt) else None)


def _plain(src: str) -> "regex.Pattern[str]":
    """A pattern with its "(?:X|(?!))" pieces written back as plain "X"."""
    import regex
    return regex.compile(src.replace("|(?!))", ")"), regex.V1)


def test_patterns_guarded_against_a_long_search_match_as_written_plainly():
    """``(?:,|(?!))`` and ``(?:words|(?!))`` stop a failed match early; at every offset
    they match exactly what the plain pattern matches."""
    c = assignments.cues()
    guarded = [c.adverbial, c.modal, c.strong, c.verb, c.requester, c.not_subject, c.anaphora,
               c.directive_requester, assignments._OPENER_COMMA]
    for rx in guarded:
        assert "|(?!))" in rx.pattern
    plain = [_plain(rx.pattern) for rx in guarded]
    texts = TEXTS[:40] + ["yêu cầu trong phạm vi thẩm quyền, các bộ", "Bộ TT&TT chỉ đạo các cơ quan",
                          "Theo đó , Sở Y tế", "Theo đó Sở Y tế"]
    for mt in texts:
        for pos in range(len(mt) + 1):
            for g, p in zip(guarded, plain):
                a, b = g.match(mt, pos), p.match(mt, pos)
                assert (a and a.span()) == (b and b.span()), (g.pattern, mt[pos:pos + 40])
