"""Entities: the unit grammar (shared with assignments), persons with positions, places."""
from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from pipeline.extractors import entities
from pipeline.extractors.entities import iter_units, unit_kind, unit_list_at
from pipeline.model import Document
from pipeline.normalise import normalise, unify_tones
from pipeline.segment import segment
from strategies import seed_slices

CORPUS = Path(__file__).resolve().parent.parent / "corpus"


def run(text: str):
    n = normalise(text)
    seg = segment(n.text, n.match_text)
    return n.text, entities.extract(seg, Document(doc_id="t", text=n.text))


def found(text: str) -> list[str]:
    t = unify_tones(text)
    return [t[s:e] for s, e in iter_units(t)]


@pytest.mark.parametrize("text, expected", [
    ("UBND huyện yêu cầu ngành Y tế và các cơ quan, đơn vị, UBND các xã, thị trấn thực hiện tốt",
     ["UBND huyện", "ngành Y tế", "các cơ quan, đơn vị", "UBND các xã, thị trấn"]),
    ("cho các đơn vị ngành y tế, các xã, thị trấn tổ chức triển khai", ["các đơn vị ngành y tế", "các xã, thị trấn"]),
    ("Mặt trận Tổ quốc và các đoàn thể huyện đẩy mạnh tuyên truyền", ["Mặt trận Tổ quốc và các đoàn thể huyện"]),
    ("yêu cầu Đảng uỷ Trung tâm Y tế huyện tiếp tục", ["Đảng ủy Trung tâm Y tế huyện"]),
    ("Cấp ủy cơ sở, tổ chức đảng, tổ chức nghiên cứu, quán triệt", ["Cấp ủy cơ sở, tổ chức đảng"]),
    ("Bộ NN&PTNT đề nghị UBND các tỉnh, thành phố ven biển chỉ đạo",
     ["Bộ NN&PTNT", "UBND các tỉnh, thành phố ven biển"]),
    ("Thủ tướng giao UBND TP Hà Nội chủ trì phối hợp với Bộ Xây dựng", ["UBND TP Hà Nội", "Bộ Xây dựng"]),
    ("Bộ Lao động - Thương binh và Xã hội, các bộ, ban, ngành, địa phương cần tiếp tục",
     ["Bộ Lao động - Thương binh và Xã hội", "các bộ, ban, ngành, địa phương"]),
    ("Bộ GD & ĐT yêu cầu Sở GD & ĐT Hà Nội xác minh", ["Bộ GD & ĐT", "Sở GD & ĐT Hà Nội"]),
    ("Tổng Thanh tra Chính phủ giao Vụ II phối hợp với Ngân hàng Nhà nước", ["Thanh tra Chính phủ", "Vụ II",
                                                                            "Ngân hàng Nhà nước"]),
    ("giao Trạm kiểm dịch Bắc Nghệ An phối hợp với Chi cục Chăn nuôi và Thú y",
     ["Trạm kiểm dịch Bắc Nghệ An", "Chi cục Chăn nuôi và Thú y"]),
    ("giao thủ trưởng các sở, ngành, chủ tịch UBND các quận, huyện, thị xã căn cứ chức năng",
     ["thủ trưởng các sở, ngành", "chủ tịch UBND các quận, huyện, thị xã"]),
])
def test_unit_grammar(text, expected):
    assert found(text) == expected


@pytest.mark.parametrize("text", [
    "đảm bảo kết nối tại các cơ sở y tế trên địa bàn",        # "sở" of "cơ sở" is no Sở
    "hoạt động phòng, chống dịch bệnh Covid-19",            # "phòng" is a verb here
    "Ban hành các văn bản chỉ đạo tăng cường công tác",      # "Ban hành" is a verb
    "tổ chức 187 hội nghị, trong đó cấp huyện 2 hội nghị",  # "tổ chức" alone is a verb
])
def test_not_units(text):
    _, ents = run(text)
    assert [e.text for e in ents if e.label.endswith("ORG")] == []


def test_unit_list_stops_at_the_task():
    t = "Ban Tuyên giáo Đảng ủy phối hợp với các cơ quan liên quan"
    assert [t[s:e] for s, e in unit_list_at(t, 0)] == ["Ban Tuyên giáo Đảng ủy"]


def test_unit_kinds():
    for text, kind in [("Ban Tuyên giáo Huyện ủy", "PARTY_ORG"), ("UBND các xã, thị trấn", "STATE_ORG"),
                       ("Mặt trận Tổ quốc", "MASS_ORG"), ("các cơ quan, đơn vị", "ORG")]:
        assert unit_kind(text, 0, len(text))[0] == kind


def test_person_with_position():
    text, ents = run("Sau khi nghe báo cáo, ý kiến tham gia của các đại biểu, đồng chí Đồng chí Lò Văn Biên - "
                     "Ủy viên Ban Thường vụ Huyện ủy, Phó Chủ tịch UBND huyện kết luận như sau:")
    per = [e for e in ents if e.label == "PER"]
    pos = [e for e in ents if e.label == "POSITION"]
    assert [e.text for e in per] == ["Lò Văn Biên"]
    assert [e.text for e in pos] == ["Ủy viên Ban Thường vụ Huyện ủy, Phó Chủ tịch UBND huyện"]


def test_person_after_dc_abbreviation():
    _, ents = run("- Đ/c Nguyễn Ngọc Vinh - Ủy viên BTV, Chủ nhiệm UBKT Tỉnh ủy,\n")
    assert [(e.text, e.label) for e in ents if e.label in ("PER", "POSITION")] == [
        ("Nguyễn Ngọc Vinh", "PER"), ("Ủy viên BTV, Chủ nhiệm UBKT Tỉnh ủy", "POSITION")]


def test_places_checked_against_the_gazetteer():
    _, ents = run("Đây là nhiệm vụ trên địa bàn tỉnh Hòa Bình, huyện Tân Uyên và xã Nậm Sỏ.")
    locs = [(e.text, e.rule) for e in ents if e.label == "LOC"]
    assert locs == [("tỉnh Hòa Bình", "loc.gazetteer"), ("huyện Tân Uyên", "loc.gazetteer"),
                    ("xã Nậm Sỏ", "loc.gazetteer")]


def test_no_orgs_from_recipient_list():
    text, ents = run("Văn phòng HĐND-UBND huyện thông báo./.\n\nNơi nhận:\n\n- TT. Huyện ủy; (B/c)\n"
                     "- Trung tâm Y tế huyện;\n- UBND các xã, thị trấn;\n")
    nn = text.index("Nơi nhận")
    orgs = [e for e in ents if e.label.endswith("ORG")]
    assert orgs and all(e.start < nn for e in orgs)


@pytest.mark.parametrize("path", sorted(CORPUS.glob("*.txt")), ids=lambda p: p.stem[:3])
def test_offsets_on_every_seed(path):
    text, ents = run(path.read_text(encoding="utf-8"))
    assert any(e.label.endswith("ORG") for e in ents)
    for e in ents:
        assert text[e.start:e.end] == e.text and e.rule


def test_person_after_a_title_and_a_body():
    _, ents = run("Chủ tịch UBND TP Đà Nẵng Huỳnh Đức Thơ đề nghị Bộ VH-TT-DL sớm có ý kiến.")
    got = [(e.text, e.label) for e in ents]
    assert ("Huỳnh Đức Thơ", "PER") in got          # the known place "Đà Nẵng" ends the body
    assert ("UBND TP Đà Nẵng", "STATE_ORG") in got
    assert ("Bộ VH-TT-DL", "STATE_ORG") in got


def test_committee_member_title_is_not_a_committee():
    _, ents = run("có đồng chí Nguyễn Tăng, Tỉnh uỷ viên, Bí thư Huyện uỷ; tham dự phiên làm việc")
    assert [(e.text, e.label) for e in ents] == [
        ("Nguyễn Tăng", "PER"), ("Tỉnh uỷ viên, Bí thư Huyện uỷ", "POSITION"), ("Huyện uỷ", "PARTY_ORG")]


@settings(max_examples=25, deadline=None)
@given(st.data())
def test_offsets_hold_on_any_slice(data):
    norm, ents = run(data.draw(seed_slices()))
    for e in ents:
        assert norm[e.start:e.end] == e.text


# ---- the memoised word index equals a plain scan ----------------------------------------

def _plain_candidates(text: str, firsts, start: int = 0, stop=None) -> list[int]:
    """str.find for each word within [start, stop), whole words only: the scan the word
    index of ``_candidates`` stands for."""
    low = text.lower()
    stop = len(text) if stop is None else stop
    out = []
    for f in firsts:
        i = low.find(f, start, stop)
        while i >= 0:
            n = len(f)
            if (i == 0 or not low[i - 1].isalnum()) and (i + n >= len(low) or not low[i + n].isalnum()):
                out.append(i)
            i = low.find(f, i + 1, stop)
    return sorted(out)


def test_candidates_equal_plain_scan_in_ranges():
    text = normalise((CORPUS / sorted(p.name for p in CORPUS.glob("*.txt"))[0]).read_text(encoding="utf-8")).match_text
    g = entities.grammar()
    for key in ("unit", "place"):
        firsts = g.first[key]
        assert entities._candidates(text, firsts) == _plain_candidates(text, firsts)
        for start, stop in ((0, 50), (37, 400), (len(text) // 2, len(text)), (5, 5)):
            assert entities._candidates(text, firsts, start, stop) == _plain_candidates(text, firsts, start, stop)


def test_whole_word_scanner_matches_find_loop():
    # underscores, digits and marks next to a word: only isalnum letters and digits join it
    text = "các_xã, 2các xã2 (xã) cácxã Xã ủy_ban ủy ban ủy\u0301 ban huyện"
    words = frozenset({"các", "xã", "ủy", "huyện", "ban"})
    low = text.lower()
    assert [c for c, _ in entities._whole_words(low, words)] == _plain_candidates(text, words)
    # the scanner alone also stops inside words ("cácxã"): _whole_words checks the letter before
    assert {m.start() for m in entities._word_scanner(words).finditer(low)} > set(_plain_candidates(text, words))


def test_unit_leads_turn_away_only_what_the_heads_cannot_match():
    """A first word written in a case no head uses never starts a unit, with or without
    the cheap test in front of the grammar."""
    g = entities.grammar()
    for text in ("công nghiệp và Công an huyện", "cơ sở sản xuất, Sở Y tế", "thành phố Hà Nội và Thành ủy"):
        mt = normalise(text).match_text
        for c in entities._candidates(mt, g.first["unit"]):
            leads = g.leads[entities._first(mt, c)]
            if leads is not None and mt[c] not in leads:
                assert entities.parse_unit(mt, c) is None, (text, c)


# ---- cheap tests in front of the regexes turn away only what the regexes would --------

BENCH = Path(__file__).resolve().parent.parent.parent / "shared" / "bench" / "baomoi_vn_news_00.jsonl.gz"


def _texts(n_bench: int = 150) -> list[str]:
    """The seeds, a few hand-made edge cases and, when the bench is there, some articles."""
    texts = [p.read_text(encoding="utf-8") for p in sorted(CORPUS.glob("*.txt"))]
    texts += ["ĐỒNG CHÍ Lò Văn Biên, Đ / c Nguyễn Ngọc Vinh, đ\t/c Trần Văn An, cộng đồng chính, 12/5",
              "İstanbul: UBND huyện Tân Uyên và Sở Y tế, ngành GIÁO DỤC, Sở Straße Hà Nội",
              "người dân, người đứng đầu các xã, các  xã, những\tđơn vị, Ủy ban\u0301 nhân dân, ủy\u0301 ban"]
    if BENCH.exists():
        import gzip
        import json
        with gzip.open(BENCH, "rt", encoding="utf-8") as fh:
            for i, line in enumerate(fh):
                if i >= n_bench:
                    break
                texts.append(json.loads(line)["text"])
    return [normalise(t).match_text for t in texts]


def _plain_unit_at(t: str, pos: int):
    """``unit_at`` as the grammar alone reads it, without the tests in front."""
    g = entities.grammar()
    if pos and (t[pos - 1].isalnum() or g.not_after.rx.search(t, max(0, pos - 8), pos)):
        return None
    end = entities.parse_unit(t, pos)
    return (pos, entities._trim(t, pos, end)) if end else None


def test_unit_filters_turn_away_only_non_units():
    import regex
    for t in _texts():
        t = t + " "  # a fresh string: a fresh memo
        for m in regex.finditer(r"(?<![\p{L}\p{M}\d])[\p{L}\p{M}\d]", t):
            assert entities.unit_at(t, m.start()) == _plain_unit_at(t, m.start()), t[m.start():m.start() + 40]


def test_domain_word_test_agrees_with_the_regex():
    import regex
    g = entities.grammar()
    for t in _texts(60):
        for m in regex.finditer(r"(?<![\p{L}\p{M}\d])[\p{L}\p{M}\d]", t):
            for d in (g.domain, g.any_domain):
                a, b = d.match(t, m.start()), d.rx.match(t, m.start())
                assert (a and a.span()) == (b and b.span())


def test_person_cues_as_the_regex_finds_them():
    cue_rx = entities._person_rules()[0]
    texts = _texts()
    assert sum(len(entities._cues(t)) for t in texts[-160:]) > 0
    for t in texts:
        assert [m.span() for m in entities._cues(t)] == [m.span() for m in cue_rx.finditer(t)]


def test_exact_candidates_and_noted_words_equal_plain_scans():
    import regex
    firsts = entities._person_rules()[4]
    for t in _texts(60) + ["Ông Ba, ông\u0301 Tư, bà_Năm, Bà Sáu, ANH Bảy, anh Tám."]:
        t = t + " "
        assert entities._exact_candidates(t, firsts) == [c for c, _ in entities._find_words(t, firsts)]
        memo = entities._memo(t)
        for c, w in memo.firsts.items():
            m = regex.match(r"[\p{L}\p{M}\d]+", t[c:])
            assert w == (m.group().lower() if m else ""), (t[c:c + 20], w)


_PIECES = ["đồng", "Đồng", "ĐỒNG", "chí", "chính", "Đ", "đ", "/", "c", "C", " ", " ", " ", "  ", "\t", "\n", ",",
           "các", "Các", "những", "xã", "người", "đứng", "đầu", "dân", "UBND", "huyện", "Tân", "Uyên", "Sở", "Y",
           "tế", "GIÁO", "dục", "ông", "Ông", "anh", "Ba", "Chủ", "tịch", "tỉnh", "ß", "\u0301", "İ", "2", "cơ"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=40))
def test_fast_paths_agree_with_plain_reads_on_any_mix(pieces):
    import regex
    t = unify_tones("".join(pieces))
    cue_rx = entities._person_rules()[0]
    assert [m.span() for m in entities._cues(t)] == [m.span() for m in cue_rx.finditer(t)]
    g = entities.grammar()
    if len(t.lower()) == len(t):  # else the plain scan's offsets are off, not the index's
        for key in ("unit", "place"):
            assert entities._candidates(t, g.first[key]) == _plain_candidates(t, g.first[key])
    firsts = entities._person_rules()[4]
    assert entities._exact_candidates(t, firsts) == [c for c, _ in entities._find_words(t, firsts)]
    for pos in range(len(t)):
        assert entities.unit_at(t, pos) == _plain_unit_at(t, pos), (t, pos)
        for d in (g.domain, g.any_domain):
            a, b = d.match(t, pos), d.rx.match(t, pos)
            assert (a and a.span()) == (b and b.span()), (t, pos)
    for c, w in entities._memo(t).firsts.items():
        m = regex.match(r"[\p{L}\p{M}\d]+", t[c:])
        assert w == (m.group().lower() if m else "")
