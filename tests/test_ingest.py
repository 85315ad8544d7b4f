"""Bytes -> text: every supported encoding, plain-words errors, streaming readers."""
from __future__ import annotations

import gzip
import itertools
import json
import unicodedata
from pathlib import Path

import pytest

from pipeline import ingest, patterns
from pipeline.ingest import (BadRecordError, BinaryInputError, EmptyInputError, EncodingError,
                             IngestError, LineTooLongError, TooLargeError, decode_bytes,
                             iter_inputs, iter_jsonl, read_text)

from conftest import BENCH, CORPUS

RESOLUTION = "Nghị quyết số 20-NQ/TW ngày 25/10/2017 của Ban Chấp hành Trung ương"
SENTENCES = [
    RESOLUTION + " về tăng cường công tác bảo vệ, chăm sóc và nâng cao sức khỏe nhân dân trong tình hình mới.",
    "Tăng tỷ lệ thực hiện dịch vụ kỹ thuật của tuyến huyện, xã từ 1,5-2%/năm.",
    "Giảm tỷ lệ trẻ em dưới 5 tuổi suy dinh dưỡng thể cân nặng xuống dưới 15%, thể thấp còi xuống 20%.",
    "Tham mưu ban hành kế hoạch thực hiện công tác y tế năm 2023, thời gian xong trước ngày 16/01/2023.",
    "Đồng chí Lò Văn Biên đề nghị sẵn sàng các phương án ứng phó ở Đà Nẵng và thẳng thắn kiểm điểm.",
]
TEXT = "\n".join(SENTENCES)


# --------------------------------------------------------------------- encoders for tests
# Built from the same data tables the decoder uses, so each test round-trips real phrasings.

def encode_tcvn3(text: str) -> bytes:
    table = {letter: int(str(h), 16) for h, letter in patterns.load("legacy_encodings")["tcvn3"]["bytes"].items()}
    return bytes(table[c] if c in table else ord(c.encode("cp1252")) for c in text)


def encode_vni(text: str) -> bytes:
    spec = patterns.load("legacy_encodings")["vni"]
    single = {letter: bytes([int(str(h), 16)]) for h, letter in spec["letters"].items()}
    marks = {unicodedata.normalize("NFD", "a" + m["combining"])[1:]: m for m in spec["marks"]}
    out = b""
    for c in text:
        if c in single or c.isascii():
            out += single.get(c, c.encode())
            continue
        d = unicodedata.normalize("NFD", c)
        base, combining = d[0], d[1:]
        if combining.startswith("\u031b"):        # horn: ơ / ư are single bytes
            base, combining = unicodedata.normalize("NFC", base + "\u031b"), combining[1:]
        if not combining:                          # quotes, dashes: as Windows shows them
            out += single.get(base) or base.encode("cp1252")
            continue
        mark = marks[combining]
        out += single.get(base, base.encode()) + bytes([int(str(mark["upper" if c.isupper() else "lower"]), 16)])
    return out


def encode_cp1258(text: str) -> bytes:
    out = b""
    for c in text:
        try:
            out += c.encode("cp1258")
        except UnicodeEncodeError:
            d = unicodedata.normalize("NFD", c)
            tone = "".join(x for x in d if x in "\u0300\u0301\u0303\u0309\u0323")
            base = unicodedata.normalize("NFC", "".join(x for x in d if x not in tone))
            out += base.encode("cp1258") + tone.encode("cp1258")
    return out


# --------------------------------------------------------------------- encodings

@pytest.mark.parametrize("codec", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_unicode_encodings_round_trip(codec):
    assert decode_bytes(TEXT.encode(codec)) == TEXT


def test_bom_is_dropped():
    assert decode_bytes(b"\xef\xbb\xbf" + RESOLUTION.encode()) == RESOLUTION
    assert not decode_bytes(RESOLUTION.encode("utf-16")).startswith("\ufeff")


def test_bomless_utf16_found_by_its_nul_bytes():
    data = TEXT.encode("utf-16-le")
    assert not data.startswith(b"\xff\xfe")
    assert decode_bytes(data) == TEXT
    assert decode_bytes(TEXT.encode("utf-16-be")) == TEXT


@pytest.mark.parametrize("name,encode", [("windows-1258", encode_cp1258), ("tcvn3", encode_tcvn3), ("vni", encode_vni)])
def test_legacy_encodings_round_trip(name, encode):
    data = encode(TEXT)
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    assert ingest.guess_legacy(data)[0] == name
    assert decode_bytes(data) == TEXT


def test_windows_1258_combining_tones_become_nfc():
    data = encode_cp1258("Nghị quyết")
    assert b"\xf2" in data                      # the dot below travels as its own byte
    out = decode_bytes(data)
    assert out == "Nghị quyết" and unicodedata.is_normalized("NFC", out)


def test_known_legacy_byte_strings():
    # The national motto line as .VnTime (TCVN3) and VNI-Times files store it.
    tcvn3 = b"C\xe9ng ho\xb5 x\xb7 h\xe9i ch\xf1 ngh\xdca Vi\xd6t Nam - \xa7\xe9c l\xcbp - T\xf9 do - H\xb9nh ph\xf3c"
    assert decode_bytes(tcvn3) == "Cộng hoà xã hội chủ nghĩa Việt Nam - Độc lập - Tự do - Hạnh phúc"
    vni = "Coäng hoøa xaõ hoäi chuû nghóa Vieät Nam, Ñaø Naüng saün coù".encode("latin-1")
    assert decode_bytes(vni) == "Cộng hòa xã hội chủ nghĩa Việt Nam, Đà Nẵng sẵn có"


def test_vni_capitals():
    assert decode_bytes(encode_vni("ỦY BAN NHÂN DÂN HUYỆN TÂN UYÊN")) == "ỦY BAN NHÂN DÂN HUYỆN TÂN UYÊN"


def test_seed_documents_in_every_encoding():
    raw = (CORPUS / "001_6e3d7479b8752292.txt").read_text(encoding="utf-8")
    for encode in (encode_cp1258, encode_vni):
        assert decode_bytes(encode(raw)) == raw
    # TCVN3 has no capital toned letters: compare a lower-cased copy
    lower = raw.lower()
    assert decode_bytes(encode_tcvn3(lower)) == lower


def test_syllable_score_separates_text_from_mojibake():
    good, seen = ingest.syllable_score(TEXT)
    assert seen > 20 and good > 0.95
    assert ingest.syllable_score("Th«ng b¸o kÕt luËn cña Ban Th­êng vô")[0] < 0.3
    assert ingest.syllable_score(TEXT.encode("utf-8").decode("cp1252", "replace"))[0] < 0.3


# --------------------------------------------------------------------- errors

def test_empty_input():
    with pytest.raises(EmptyInputError, match="empty"):
        decode_bytes(b"")
    with pytest.raises(EmptyInputError, match="blank"):
        decode_bytes(b" \r\n\t\n")


@pytest.mark.parametrize("data,words", [
    (b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 8, "NUL"),
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF"),
    (b"PK\x03\x04\x14\x00\x06\x00", "ZIP"),
    (bytes([1, 2, 3, 4, 5, 6, 7, 8, 14, 15, 16]) * 50 + b"abc", "control bytes"),
    (b"\x00\x01binary", "binary"),
    (b"\x01\x02abc", "control bytes"),
])
def test_binary_input(data, words):
    with pytest.raises(BinaryInputError, match=words):
        decode_bytes(data)


def test_truncated_utf8():
    data = (TEXT + " khỏ").encode("utf-8")[:-1]      # cut inside the last letter
    with pytest.raises(EncodingError, match="not valid UTF-8") as e:
        decode_bytes(data)
    assert f"offset {len(data) - 2}" in str(e.value)


def test_invalid_utf8_in_the_middle_fits_no_encoding():
    data = TEXT.encode("utf-8")
    bad = data[:40] + b"\xff" + data[40:]
    with pytest.raises(EncodingError, match="TCVN3 or VNI"):
        decode_bytes(bad)


def test_bad_utf16():
    with pytest.raises(EncodingError, match="UTF-16"):
        decode_bytes(b"\xff\xfe" + "Nghị quyết".encode("utf-16-le") + b"\x00\xd8")
    with pytest.raises(BinaryInputError, match="binary"):
        decode_bytes(b"\xff\xfe" + b"A\x00\x00\x00" * 100)


def test_single_line_over_the_limit():
    with pytest.raises(LineTooLongError, match="limit 100"):
        decode_bytes(("Nghị quyết số 20-NQ/TW " * 10).encode(), max_line_chars=100)
    long_line = b"a" * (ingest.MAX_LINE_CHARS + 1)
    with pytest.raises(LineTooLongError, match="characters long"):
        decode_bytes(b"Title\n" + long_line + b"\nend")
    # many short lines adding up to more than the limit are fine
    assert decode_bytes(("x" * 50 + "\n").encode() * 5, max_line_chars=100)


def test_file_over_the_size_limit(tmp_path):
    p = tmp_path / "kh.txt"
    p.write_text(TEXT, encoding="utf-8")
    with pytest.raises(TooLargeError, match="over the limit of 100 bytes"):
        read_text(p, max_bytes=100)
    assert read_text(p) == TEXT


def test_errors_are_ingest_errors_with_plain_messages():
    for cls in (EmptyInputError, BinaryInputError, EncodingError, LineTooLongError, TooLargeError, BadRecordError):
        assert issubclass(cls, IngestError)
    e = IngestError("the file is empty")
    assert e.message == str(e) == "the file is empty"


# --------------------------------------------------------------------- readers

def _make_docx(path: Path) -> None:
    import docx

    d = docx.Document()
    table = d.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "HUYỆN ỦY TAM ĐƯỜNG\nSố 123-KH/HU"
    table.cell(0, 1).text = "ĐẢNG CỘNG SẢN VIỆT NAM"
    d.add_paragraph("KẾ HOẠCH")
    d.add_paragraph("")
    d.add_paragraph(SENTENCES[0])
    d.save(str(path))


HTML = """<!doctype html><html><head><title>Trang tin</title><style>p{color:red}</style>
<script>var x = "Nghị quyết 99-NQ/TW";</script></head><body>
<nav><a href="/">Trang chủ</a> | <a href="/tin">Tin tức</a></nav>
<h1>Tân Uyên tăng cường lãnh đạo công tác y tế</h1>
<p>Thực hiện Nghị quyết số 20-NQ/TW,&nbsp;ngày 25/10/2017 của
   Ban Chấp hành Trung ương &amp; các văn bản.</p>
<ul><li>100% trạm y tế xã</li><li>80% trạm y tế có cán bộ y học cổ truyền</li></ul>
<noscript>Bật JavaScript</noscript></body></html>"""


def test_html_to_text_drops_script_style_nav():
    text = ingest.html_to_text(HTML)
    assert "99-NQ/TW" not in text and "color" not in text and "Trang chủ" not in text
    assert "Bật JavaScript" not in text and "Trang tin" not in text
    lines = [line for line in text.split("\n") if line]
    assert lines[0] == "Tân Uyên tăng cường lãnh đạo công tác y tế"
    assert lines[1] == "Thực hiện Nghị quyết số 20-NQ/TW,\xa0ngày 25/10/2017 của Ban Chấp hành Trung ương & các văn bản."
    assert lines[2:] == ["100% trạm y tế xã", "80% trạm y tế có cán bộ y học cổ truyền"]


def test_docx_paragraphs_and_tables(tmp_path):
    p = tmp_path / "kh.docx"
    _make_docx(p)
    text = read_text(p)
    assert text.split("\n\n") == ["HUYỆN ỦY TAM ĐƯỜNG\nSố 123-KH/HU", "ĐẢNG CỘNG SẢN VIỆT NAM", "KẾ HOẠCH", SENTENCES[0]]


def test_docx_that_is_not_a_docx(tmp_path):
    p = tmp_path / "bad.docx"
    p.write_bytes(b"not a zip file at all")
    with pytest.raises(IngestError, match="cannot open as a Word"):
        read_text(p)


@pytest.fixture
def tree(tmp_path):
    root = tmp_path / "in"
    (root / "sub" / "deeper").mkdir(parents=True)
    (root / ".git").mkdir()
    (root / "b_plan.txt").write_bytes(encode_vni(SENTENCES[1]))
    (root / "a_kl.txt").write_text(SENTENCES[0], encoding="utf-8")
    (root / "sub" / "c.TXT").write_bytes(SENTENCES[2].encode("utf-16"))
    (root / "sub" / "deeper" / "page.html").write_text(HTML, encoding="utf-8")
    _make_docx(root / "sub" / "d.docx")
    (root / "empty.txt").write_bytes(b"")
    (root / "image.png").write_bytes(b"\x89PNG\r\n")
    (root / ".git" / "x.txt").write_text("hidden", encoding="utf-8")
    lines = [json.dumps({"id": "bm/1", "text": SENTENCES[3]}, ensure_ascii=False),
             "{not json",
             json.dumps({"id": "bm/3"}),
             "",
             json.dumps({"id": 4, "text": SENTENCES[4]}, ensure_ascii=False)]
    (root / "sub" / "news.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with gzip.open(root / "z.jsonl.gz", "wt", encoding="utf-8") as fh:
        fh.write(json.dumps({"id": "gz/1", "text": SENTENCES[0]}, ensure_ascii=False) + "\n")
    return root


def test_iter_inputs_walks_a_folder_in_sorted_order(tree):
    items = list(iter_inputs([tree]))
    assert [(i.doc_id, i.ok) for i in items] == [
        ("a_kl", True), ("b_plan", True), ("empty", False),
        ("sub/c", True), ("sub/d", True), ("sub/deeper/page", True),
        ("bm/1", True), ("news.jsonl:2", False), ("bm/3", False), ("4", True),
        ("gz/1", True),
    ]
    by_id = {i.doc_id: i for i in items}
    assert by_id["b_plan"].text == SENTENCES[1]
    assert by_id["sub/c"].text == SENTENCES[2]
    assert by_id["4"].text == SENTENCES[4]
    assert by_id["sub/deeper/page"].text.startswith("Tân Uyên tăng cường")
    assert isinstance(by_id["empty"].error, EmptyInputError)
    assert isinstance(by_id["news.jsonl:2"].error, BadRecordError)
    assert "not valid JSON" in by_id["news.jsonl:2"].error.message
    assert by_id["news.jsonl:2"].source.endswith("news.jsonl:2")
    rec = by_id["bm/3"].error_record()
    assert rec["error"] == "BadRecordError" and "text" in rec["message"] and rec["doc_id"] == "bm/3"


def test_iter_inputs_on_single_files_and_missing_paths(tree, tmp_path):
    items = list(iter_inputs([tree / "a_kl.txt", tmp_path / "nope", tree / "z.jsonl.gz"]))
    assert [(i.doc_id, i.ok) for i in items] == [("a_kl", True), ("nope", False), ("gz/1", True)]
    assert "no such file" in items[1].error.message


def test_iter_inputs_is_a_generator(tree):
    it = iter_inputs([tree])
    assert iter(it) is it
    assert next(it).doc_id == "a_kl"


def test_damaged_gzip_archive_yields_what_it_can_then_an_error(tmp_path):
    p = tmp_path / "news.jsonl.gz"
    with gzip.open(p, "wt", encoding="utf-8") as fh:
        for i in range(2000):
            fh.write(json.dumps({"id": f"n{i}", "text": f"{SENTENCES[i % 5]} {i}"}, ensure_ascii=False) + "\n")
    data = p.read_bytes()
    p.write_bytes(data[: len(data) // 2])
    items = list(iter_jsonl(p))
    assert items[0].doc_id == "n0" and items[0].ok
    assert not items[-1].ok and "damaged" in items[-1].error.message
    assert all(i.ok for i in items[:-1]) and len(items) > 10


def test_overlong_archive_line_is_skipped_not_fatal(tmp_path):
    p = tmp_path / "a.jsonl"
    big = json.dumps({"id": "big", "text": "x" * 500})
    small = json.dumps({"id": "ok", "text": SENTENCES[0]}, ensure_ascii=False)
    p.write_text(big + "\n" + small + "\n", encoding="utf-8")
    items = list(iter_jsonl(p, max_line_chars=200))
    assert [(i.doc_id, i.ok) for i in items] == [("a.jsonl:1", False), ("ok", True)]
    assert isinstance(items[0].error, LineTooLongError)


def test_read_text_on_the_seeds_matches_utf8():
    for p in sorted(CORPUS.glob("*.txt")):
        assert read_text(p) == p.read_text(encoding="utf-8")


def test_bench_archive_streams():
    files = sorted(BENCH.glob("*.jsonl.gz"))
    if not files:
        pytest.skip("shared bench not present")
    items = list(itertools.islice(iter_inputs([files[0]]), 200))
    assert len(items) == 200 and all(i.ok for i in items)
    assert items[0].doc_id.startswith("magizbox-scraper/vn_news/data/")
    assert all(i.source.startswith(str(files[0])) for i in items)


def test_docx_merged_cells_read_once(tmp_path):
    import docx

    d = docx.Document()
    table = d.add_table(rows=2, cols=2)
    merged = table.cell(0, 0).merge(table.cell(0, 1))
    merged.text = "ĐẢNG BỘ HUYỆN TAM ĐƯỜNG"
    table.cell(1, 0).text = "Số 123-KH/HU"
    table.cell(1, 1).text = "Tam Đường, ngày 15 tháng 7 năm 2021"
    p = tmp_path / "kh.docx"
    d.save(str(p))
    assert read_text(p).split("\n\n") == ["ĐẢNG BỘ HUYỆN TAM ĐƯỜNG", "Số 123-KH/HU", "Tam Đường, ngày 15 tháng 7 năm 2021"]
