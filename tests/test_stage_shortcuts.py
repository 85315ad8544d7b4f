"""Each cheap test or narrowed scan in normalise, segment and references finds the same
things as the plain regex or loop it stands in front of, on the seeds, bench articles read
at run time, hand-made edge cases and random text."""

import unicodedata
from pathlib import Path

import pytest
import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline import normalise as N
from pipeline import patterns
from pipeline import segment as S
from pipeline.extractors import references as R
from pipeline.ingest import read_text

from conftest import bench_sample

CORPUS = Path(__file__).resolve().parent.parent / "corpus"


@pytest.fixture(scope="module")
def texts():
    """Raw seed texts and bench articles, with their normalised forms."""
    raw = [read_text(p) for p in sorted(CORPUS.glob("*.txt"))] + [d["text"] for d in bench_sample(300, every=23)]
    return raw + [N.normalise(t).text for t in raw]


# ---- normalise ---------------------------------------------------------------------------

def _plain_unify(text):
    return N._TONE_CTX_RE.sub(lambda m: N.TONE_TABLE.get(m.group(), m.group()), text)


def test_latin_letter_class_holds_only_letters():
    assert all(regex.match(r"\p{L}", c) for c in N._LATIN_LETTERS)


def test_tone_pair_test_passes_every_old_style_pair(texts):
    for t in texts:
        if N._TONE_CTX_RE.search(t):
            assert N._TONE_PAIR_END.search(t)
        assert N.unify_tones(t) == _plain_unify(t)


@pytest.mark.parametrize("after", ["", " ", ".", "2", "²", "\n", "”", "a", "n", "ư", "Đ"])
@pytest.mark.parametrize("before", ["", " ", "h", "q", "Q", "th"])
def test_unify_tones_on_every_pair(before, after):
    for old in N.TONE_TABLE:
        text = before + old + after
        assert N.unify_tones(text) == _plain_unify(text)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="qQoOuUaàáảạeèéẻyýỳỵ 2²n.\n", max_size=30))
def test_unify_tones_random(text):
    assert N.unify_tones(text) == _plain_unify(text)


def _plain_markdown(text):
    edits = []
    for m in N._EMPHASIS.finditer(text):
        edits += [(m.start(), m.start() + 2, ""), (m.end() - 2, m.end(), "")]
    return edits


@pytest.mark.parametrize("text", ["a **đậm** b", "__gạch__", "~~xóa~~ và", "không có gì", "a * b _ c ~ d"])
def test_markdown_shortcut(text):
    assert N.markdown_edits(text)[0] == _plain_markdown(text)


def test_markdown_shortcut_on_texts(texts):
    for t in texts:
        assert N.markdown_edits(t)[0] == _plain_markdown(t)


def test_nfc_whole_text_check_agrees_with_lines(texts):
    decomposed = unicodedata.normalize("NFD", "Kế hoạch số 12\nthực hiện Nghị quyết\n")
    for t in texts + [decomposed, "a\n\u0301b", "\u0301\nx"]:
        lines = t.split("\n")
        assert unicodedata.is_normalized("NFC", t) == all(unicodedata.is_normalized("NFC", x) for x in lines)
    edits, _ = N.nfc_edits(decomposed)
    assert N._apply(decomposed, None, edits)[0] == unicodedata.normalize("NFC", decomposed)


def _plain_breadcrumb(line, ch):
    parts = [p.strip().casefold() for p in ch.crumb_split.split(line)]
    return len(parts) > 1 and all(p in ch.crumb_sections for p in parts)


@pytest.mark.parametrize("line", ["Sức khỏe - Đời sống", "Trang chủ » Tin tức", "Thời sự", "Kinh tế | Thời sự",
                                  "Tin tức - Sự kiện", "Hà Nội - Hải Phòng"])
def test_breadcrumb_shortcut(line):
    ch = N._chrome()
    assert N._is_breadcrumb(line, ch) == _plain_breadcrumb(line, ch)


def test_breadcrumb_shortcut_on_texts(texts):
    ch = N._chrome()
    for t in texts:
        for line in t.split("\n")[:8]:
            assert N._is_breadcrumb(line.strip(), ch) == _plain_breadcrumb(line.strip(), ch)


# ---- segment -----------------------------------------------------------------------------

def _plain_caps(line):
    if len(line) >= 200:
        return False
    letters = [c for c in line if c.isalpha()]
    return 3 <= len(letters) and sum(c.isupper() for c in letters) / len(letters) > 0.8


@pytest.mark.parametrize("text", ["  a b \t", "", "   ", "\x1c x \u3000", "abc", "\t- 1. Mục tiêu:  "])
def test_content_bounds_are_strip(text):
    s, e = S._content(text, 0, len(text))
    assert text[s:e] == text.strip()
    assert s == e or s == len(text) - len(text.lstrip())


def test_content_bounds_on_texts(texts):
    for t in texts:
        pos = 0
        for line in t.split("\n"):
            s, e = S._content(t, pos, pos + len(line))
            assert t[s:e] == line.strip()
            pos += len(line) + 1


@pytest.mark.parametrize("line", ["KẾ HOẠCH", "THÔNG BÁO KẾT LUẬN của Ban", "Ab", "ỦY BAN NHÂN DÂN huyện", "12.3", ""])
def test_caps_heading(line):
    assert S._is_caps_heading(line) == _plain_caps(line)


def test_abbreviation_test_before_every_no_split(texts):
    """Wherever _NO_SPLIT_BEFORE keeps a sentence whole, the cheap test lets it be asked."""
    samples = texts + ["Theo TS. Nguyễn Văn A, GS. B và v.v. Cùng Đ/c. Lê", "Ông A. Sau đó TP. Hồ Chí Minh. X"]
    for t in samples:
        for line in t.split("\n"):
            assert S._is_caps_heading(line) == _plain_caps(line)
        for m in S._SENT_SPLIT.finditer(t):
            at = m.start(1)
            for block_start in (0, max(0, at - 3), max(0, at - 1)):
                if S._NO_SPLIT_BEFORE.search(t, max(block_start, at - 8), at):
                    assert S._may_be_abbreviation(t, block_start, at), (t[at - 10:at + 5], block_start)


# ---- references --------------------------------------------------------------------------

def _spans(matches):
    return [(m.span(), m.groupdict()) for m in matches]


ID_CASES = [
    "Nghị quyết số 20-NQ/TW", "12 - 2017/QĐ-UBND", "số204/2004/NĐ-CP", "1234567/QĐ", "ngày 12/5/2017",
    "111 - KL/TU và 2628/QĐ–BYT", "12/ 2017/QĐ", "Số: 45/2019/TT-BTC", "37/C46-P12 và 1/MHL", "5a/ KH",
]


@pytest.mark.parametrize("text", ID_CASES)
def test_id_scan_shortcut(text):
    assert _spans(R._id_matches(text)) == _spans(R._ID_RE.finditer(text))


def test_id_scan_shortcut_on_texts(texts):
    for t in texts:
        mt = N.unify_tones(t)
        assert _spans(R._id_matches(mt)) == _spans(R._ID_RE.finditer(mt))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789 /-–ab QĐUBNDTWsố:", max_size=30))
def test_id_scan_shortcut_random(text):
    assert _spans(R._id_matches(text)) == _spans(R._ID_RE.finditer(text))


def _plain_numbers(mt):
    """The number scan without its look-behind, filtered by the word before as before."""
    t = R._tables()
    plain = regex.compile(t.number.pattern[len(R._after_last_letter(t.last_syllables)):], regex.V1)
    return [m.span() for m in plain.finditer(mt) if R._word_before(mt, m.start()) in t.last_syllables]


def _fast_numbers(mt):
    t = R._tables()
    return [m.span() for m in t.number.finditer(mt) if R._word_before(mt, m.start()) in t.last_syllables]


NUMBER_CASES = [
    "Đề án 1816 và Quyết định số 949", "Kế hoạch 2021", "SỐ 12, Số:7, sỐ 3", "văn bản số 3759/", "Nghị định 28-CP",
    "Luật số 71 và Thông tư  5", "năm 2017 ngày 12", "Chỉ thị 09", "số12 và số:13",
]


@pytest.mark.parametrize("text", NUMBER_CASES)
def test_number_scan_shortcut(text):
    mt = N.unify_tones(text)
    assert _fast_numbers(mt) == _plain_numbers(mt)


def test_number_scan_shortcut_on_texts(texts):
    for t in texts:
        mt = N.unify_tones(t)
        assert _fast_numbers(mt) == _plain_numbers(mt)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789 :/-sốSỐán12ĐềÁN,.", max_size=30))
def test_number_scan_shortcut_random(text):
    assert _fast_numbers(text) == _plain_numbers(text)


def test_number_look_behind_takes_every_case_of_a_last_letter():
    """Any character that lower-cases to a kind word's last letter is in the look-behind."""
    t = R._tables()
    last = {w[-1] for w in t.last_syllables}
    letters = R._last_letters(t.last_syllables)
    for code in range(0x110000):
        ch = chr(code)
        low = ch.lower()
        if len(low) == 1 and low in last:
            assert ch in letters, hex(code)


def _plain_section(heading):
    """One regex per section rule, the first that matches wins."""
    for rule in patterns.load("sections")["sections"]:
        if regex.search(r"^\s*(?:" + "|".join(rule["match"]) + r")", heading, regex.I | regex.V1):
            return rule["name"]
    return None


SECTION_CASES = ["I. MỤC ĐÍCH, YÊU CẦU", "  Nhiệm vụ và giải pháp", "T/M HUYỆN ỦY", "  ** CHỦ TỊCH **", "Nơi nhận:",
                 "Kết quả đạt được", "Tổ chức thực hiện", "phấn đấu đến năm 2025", "Tin tức", "", "   "]


@pytest.mark.parametrize("heading", SECTION_CASES)
def test_section_alternation(heading):
    assert S._section_name(heading) == _plain_section(heading)


def test_section_alternation_on_texts(texts):
    for t in texts:
        for line in t.split("\n"):
            if len(line) < 300:
                assert S._section_name(line) == _plain_section(line), line
