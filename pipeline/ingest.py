"""Input bytes -> Unicode text, and readers that walk folders and archives.

Vietnamese documents still arrive in every encoding offices have used: UTF-8 (with or
without BOM), UTF-16 from Windows tools, Windows-1258, and the 8-bit font encodings
TCVN3 (.VnTime) and VNI. A wrong guess silently produces mojibake that no extractor can
read, so legacy candidates are scored by how many valid Vietnamese syllables they yield,
and anything that fits no encoding is refused with a plain-words ``IngestError``.

Readers stream: ``iter_inputs`` yields one ``Item`` per document, and a bad file or a bad
archive line becomes an ``Item`` carrying the error, so a batch run records it and goes on.
"""
from __future__ import annotations

import codecs
import gzip
import json
import os
import re
import unicodedata
import zlib
from dataclasses import dataclass
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path
from typing import Iterable, Iterator, Optional

import regex

from . import patterns

MAX_FILE_BYTES = int(os.environ.get("CHIDAO_MAX_FILE_BYTES", 100 * 1024 * 1024))
MAX_LINE_CHARS = int(os.environ.get("CHIDAO_MAX_LINE_CHARS", 5_000_000))
SAMPLE_BYTES = 32 * 1024          # how much of a file the encoding guess looks at
MIN_SYLLABLE_SCORE = 0.6          # share of accented words that must be real syllables
CONTROL_SHARE = 0.005             # more control bytes than this share: binary, not text
TEXT_SUFFIXES = (".txt",)
HTML_SUFFIXES = (".html", ".htm")
DOCX_SUFFIXES = (".docx",)
ARCHIVE_SUFFIXES = (".jsonl", ".jsonl.gz")

# File signatures of formats people drop into a text folder by mistake.
_MAGIC = (
    (b"%PDF-", "a PDF file; convert it to text or .docx first"),
    (b"PK\x03\x04", "a ZIP archive (an Office file with the wrong extension?)"),
    (b"\xd0\xcf\x11\xe0", "an old Word/Excel (.doc/.xls) file; save it as .docx"),
    (b"{\\rtf", "an RTF file; save it as .docx or plain text"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
)


class IngestError(Exception):
    """An input that cannot become text; the message says why in plain words."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class EmptyInputError(IngestError):
    pass


class BinaryInputError(IngestError):
    pass


class EncodingError(IngestError):
    pass


class TooLargeError(IngestError):
    pass


class LineTooLongError(IngestError):
    pass


class BadRecordError(IngestError):
    pass


class UnsupportedFormatError(IngestError):
    pass


# --------------------------------------------------------------------------- encodings

_TONES = "\u0300\u0301\u0303\u0309\u0323"
_SYLLABLE = regex.compile(
    r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|b|c|d|đ|g|h|k|l|m|n|p|r|s|t|v|x)?"
    r"(?:uyê|uyu|uya|iêu|yêu|oai|oay|oao|oeo|uây|uôi|ươi|ươu|"
    r"ai|ao|au|ay|âu|ây|eo|êu|ia|iê|iu|oa|oă|oe|oi|ôi|ơi|oo|ua|uâ|uê|ui|uô|uy|ưa|ưi|ươ|ưu|yê|"
    r"a|ă|â|e|ê|i|o|ô|ơ|u|ư|y)"
    r"(?:ch|ng|nh|c|m|n|p|t)?"
)
_WORD_EDGE = regex.compile(r"^[\p{P}\p{S}\d]+|[\p{P}\p{S}\d]+$")


@lru_cache(maxsize=1 << 16)
def _is_syllable(word: str) -> bool:
    """True for a well-formed Vietnamese syllable (one tone at most)."""
    d = unicodedata.normalize("NFD", word.lower())
    bare = d.translate({ord(t): None for t in _TONES})
    if len(d) - len(bare) > 1:
        return False
    return _SYLLABLE.fullmatch(unicodedata.normalize("NFC", bare)) is not None


def syllable_score(text: str) -> tuple[float, int]:
    """Share of non-ASCII words that are Vietnamese syllables, and how many were seen.

    Mojibake of a wrong legacy guess ("Th«ng", "Thoâng", "Nghá»‹") is made of exactly such
    words, while a right guess turns nearly all of them into real syllables.
    """
    seen = good = 0
    for tok in text.split():
        if tok.isascii():
            continue
        word = _WORD_EDGE.sub("", tok)
        if not word:
            continue
        seen += 1
        good += all(_is_syllable(w) for w in regex.split(r"[-/]", word) if w)
    return (good / seen if seen else 0.0), seen


@lru_cache(maxsize=None)
def _display_table() -> str:
    """Windows-1252 where it defines a byte, Latin-1 elsewhere: how legacy files display."""
    table = []
    for b in range(256):
        try:
            table.append(bytes([b]).decode("cp1252"))
        except UnicodeDecodeError:
            table.append(chr(b))
    return "".join(table)


@lru_cache(maxsize=None)
def _tcvn3_table() -> str:
    table = list(_display_table())
    for hexbyte, letter in patterns.load("legacy_encodings")["tcvn3"]["bytes"].items():
        table[int(str(hexbyte), 16)] = letter
    return "".join(table)


@lru_cache(maxsize=None)
def _vni_converter() -> tuple["re.Pattern[str]", dict[str, str]]:
    """VNI surface sequences (base + mark, or one letter byte) -> Unicode letters."""
    spec = patterns.load("legacy_encodings")["vni"]
    surface = lambda hexbyte: bytes([int(str(hexbyte), 16)]).decode("latin-1")  # noqa: E731
    mapping = {surface(h): letter for h, letter in spec["letters"].items()}
    by_letter = {letter: s for s, letter in mapping.items()}
    for mark in spec["marks"]:
        for base in mark.get("bases", spec["tone_bases"]):
            for case, mark_hex in ((str.lower, mark["lower"]), (str.upper, mark["upper"]), (str.upper, mark["lower"])):
                letter = case(base)
                key = by_letter.get(letter, letter) + surface(mark_hex)
                mapping.setdefault(key, unicodedata.normalize("NFC", letter + mark["combining"]))
    cls = lambda chars: "[" + re.escape("".join(sorted(set(chars)))) + "]"  # noqa: E731
    pairs = [k for k in mapping if len(k) == 2]
    pattern = cls(k[0] for k in pairs) + cls(k[1] for k in pairs) + "|" + cls(k for k in mapping if len(k) == 1)
    return re.compile(pattern), mapping


def _decode_tcvn3(data: bytes) -> str:
    return codecs.charmap_decode(data, "strict", _tcvn3_table())[0]


def _decode_vni(data: bytes) -> str:
    pattern, mapping = _vni_converter()
    shown = codecs.charmap_decode(data, "strict", _display_table())[0]

    def letter(m: "re.Match[str]") -> str:
        seq = m.group()
        # a base followed by a mark it cannot take: convert each character on its own
        return mapping.get(seq) or "".join(mapping.get(c, c) for c in seq)

    return pattern.sub(letter, shown)


def _decode_cp1258(data: bytes) -> str:
    # Windows-1258 stores tones as separate combining marks; NFC joins them to the letter.
    return unicodedata.normalize("NFC", data.decode("cp1258"))


LEGACY_DECODERS = {"windows-1258": _decode_cp1258, "tcvn3": _decode_tcvn3, "vni": _decode_vni}


def guess_legacy(data: bytes) -> tuple[Optional[str], float]:
    """Best legacy encoding for ``data`` by syllable score on a sample, or (None, score)."""
    sample = data[:SAMPLE_BYTES]
    best, best_score = None, 0.0
    for name, decode in LEGACY_DECODERS.items():
        try:
            score, seen = syllable_score(decode(sample))
        except UnicodeDecodeError:
            continue
        if seen and score > best_score:
            best, best_score = name, score
    return (best if best_score >= MIN_SYLLABLE_SCORE else None), best_score


def _utf16_order(sample: bytes) -> Optional[str]:
    """'utf-16-le'/'utf-16-be' when NUL bytes sit on one side of each byte pair."""
    sample = sample[: len(sample) // 2 * 2]
    if len(sample) < 4:
        return None
    pairs = len(sample) // 2
    even = sample[0::2].count(0) / pairs
    odd = sample[1::2].count(0) / pairs
    if odd >= 0.4 and even <= 0.02:
        return "utf-16-le"
    if even >= 0.4 and odd <= 0.02:
        return "utf-16-be"
    return None


def _check_magic(data: bytes) -> None:
    for magic, what in _MAGIC:
        if data.startswith(magic):
            raise BinaryInputError(f"not a text file: this is {what}")


def _check_binary(data: bytes) -> None:
    sample = data[:SAMPLE_BYTES]
    if b"\x00" in sample:
        raise BinaryInputError("not a text file: it contains NUL bytes (binary data)")
    controls = sum(sample.count(bytes([b])) for b in (*range(0, 9), *range(14, 27), *range(28, 32)))
    if controls > len(sample) * CONTROL_SHARE:
        raise BinaryInputError(f"not a text file: {controls} control bytes in the first {len(sample)} bytes")


_CONTROL_CHARS = regex.compile(r"[\x00-\x08\x0e-\x1a\x1c-\x1f\x7f]")


def _check_decoded(text: str) -> None:
    """Text that decodes but is mostly control characters was binary after all."""
    sample = text[:SAMPLE_BYTES]
    controls = len(_CONTROL_CHARS.findall(sample))
    if "\x00" in text or controls > len(sample) * CONTROL_SHARE:
        raise BinaryInputError("not a text file: it decodes to control characters (binary data)")


def _decode_utf16(data: bytes, codec: str) -> str:
    """UTF-16/32 text; a bad code unit means the file was cut or damaged."""
    try:
        return data.decode(codec)
    except UnicodeDecodeError as e:
        raise EncodingError(f"broken {codec.upper()} text at byte {e.start} (truncated or corrupted file)") from None


def check_lines(text: str, max_line_chars: int = MAX_LINE_CHARS) -> None:
    """Refuse text with a single line longer than ``max_line_chars``."""
    if len(text) <= max_line_chars:
        return
    pos = 0
    while pos < len(text):
        nl = text.find("\n", pos)
        end = len(text) if nl < 0 else nl
        if end - pos > max_line_chars:
            raise LineTooLongError(
                f"line starting at character {pos} is {end - pos:,} characters long "
                f"(limit {max_line_chars:,}); this is not a normal text document")
        pos = end + 1


_NONBLANK = regex.compile(r"\S")


def decode_bytes(data: bytes, max_line_chars: int = MAX_LINE_CHARS) -> str:
    """Bytes in any supported encoding -> str (NFC where the encoding needs it)."""
    if not data:
        raise EmptyInputError("the file is empty")
    text = _decode(data)
    if text.startswith("\ufeff"):
        text = text[1:]
    if not _NONBLANK.search(text):
        raise EmptyInputError("the file holds only blank space")
    _check_decoded(text)
    check_lines(text, max_line_chars)
    return text


def _decode(data: bytes) -> str:
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data[3:].decode("utf-8")
        except UnicodeDecodeError as e:
            raise EncodingError(f"the file says it is UTF-8 (BOM) but has invalid bytes at byte {e.start + 3}") from None
    if data.startswith(codecs.BOM_UTF32_LE) or data.startswith(codecs.BOM_UTF32_BE):
        return _decode_utf16(data, "utf-32")
    if data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE):
        codec = "utf-16-le" if data.startswith(codecs.BOM_UTF16_LE) else "utf-16-be"
        return _decode_utf16(data[2:], codec)
    _check_magic(data)
    order = _utf16_order(data[:SAMPLE_BYTES])
    if order:
        return _decode_utf16(data, order)
    _check_binary(data)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        bad_at = e.start
    name, score = guess_legacy(data)
    if name is None:
        raise EncodingError(
            f"not valid UTF-8 (bad byte at offset {bad_at}: truncated or corrupted?) and it does not "
            f"read as Vietnamese in Windows-1258, TCVN3 or VNI either (best syllable score {score:.0%})")
    return LEGACY_DECODERS[name](data)


# --------------------------------------------------------------------------- formats

def _check_size(path: Path, max_bytes: int) -> None:
    size = path.stat().st_size
    if size > max_bytes:
        raise TooLargeError(f"file is {size:,} bytes, over the limit of {max_bytes:,} bytes")


def _read_bytes(path: Path, max_bytes: int) -> bytes:
    _check_size(path, max_bytes)
    return path.read_bytes()


class _HTMLText(HTMLParser):
    """Visible text of an HTML page: block elements become line breaks."""

    def __init__(self, drop: set[str], blocks: set[str]) -> None:
        super().__init__(convert_charrefs=True)
        self.drop, self.blocks = drop, blocks
        self.skip = 0
        self.pre = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in self.drop:
            self.skip += 1
        elif tag == "br":
            self.parts.append("\n")
        elif tag in self.blocks:
            self.parts.append("\n\n")
        if tag == "pre":
            self.pre += 1

    def handle_startendtag(self, tag: str, attrs) -> None:
        if tag == "br":
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.drop:
            self.skip = max(0, self.skip - 1)
        elif tag in self.blocks:
            self.parts.append("\n\n")
        if tag == "pre":
            self.pre = max(0, self.pre - 1)

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data if self.pre else regex.sub(r"[ \t\r\n\f]+", " ", data))

    def text(self) -> str:
        lines = [line.strip() for line in "".join(self.parts).split("\n")]
        return regex.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n")


def html_to_text(html: str) -> str:
    """Visible text of a page, without script/style/nav and other non-content tags."""
    spec = patterns.load("chrome")["html"]
    parser = _HTMLText(set(spec["drop_tags"]), set(spec["block_tags"]))
    parser.feed(html)
    parser.close()
    return parser.text()


def docx_to_text(path: Path) -> str:
    """Paragraphs and table cells in document order, paragraphs separated by a blank line."""
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(str(path))
    except Exception as e:  # python-docx raises several unrelated types for a bad file
        raise UnsupportedFormatError(f"cannot open as a Word .docx document ({type(e).__name__}: {e})") from None
    blocks: list[str] = []
    for child in document.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            blocks.append(Paragraph(child, document).text)
        elif tag == "tbl":
            blocks.extend(_table_lines(Table(child, document)))
    return "\n\n".join(b.strip() for b in blocks if b.strip())


def _table_lines(table) -> list[str]:
    """Each distinct cell's paragraphs, row by row (merged cells once)."""
    seen: set = set()              # the cells' XML elements (held, so identity is stable)
    out: list[str] = []
    for row in table.rows:
        for cell in row.cells:
            if cell._tc in seen:
                continue
            seen.add(cell._tc)
            out.extend(p.text for p in cell.paragraphs)
            for inner in cell.tables:
                out.extend(_table_lines(inner))
    return out


def read_text(path: str | Path, max_bytes: int = MAX_FILE_BYTES,
              max_line_chars: int = MAX_LINE_CHARS) -> str:
    """One document file (.txt in any supported encoding, .docx, .html) -> text."""
    p = Path(path)
    name = p.name.lower()
    if name.endswith(DOCX_SUFFIXES):
        _check_size(p, max_bytes)
        text = docx_to_text(p)
    elif name.endswith(HTML_SUFFIXES):
        text = html_to_text(decode_bytes(_read_bytes(p, max_bytes), max_line_chars))
    else:
        return decode_bytes(_read_bytes(p, max_bytes), max_line_chars)
    if not _NONBLANK.search(text):
        raise EmptyInputError("the document has no text")
    check_lines(text, max_line_chars)
    return text


# --------------------------------------------------------------------------- readers

@dataclass
class Item:
    """One input document, or the reason it could not be read (``error``)."""

    doc_id: str
    source: str
    text: Optional[str] = None
    error: Optional[IngestError] = None

    @property
    def ok(self) -> bool:
        return self.error is None

    def error_record(self) -> dict:
        """The errors.jsonl line for a failed input."""
        err = self.error
        return {"doc_id": self.doc_id, "path": self.source,
                "error": type(err).__name__ if err else None, "message": str(err) if err else None}


def _suffix(path: Path) -> str:
    name = path.name.lower()
    for suffix in ARCHIVE_SUFFIXES[::-1] + TEXT_SUFFIXES + HTML_SUFFIXES + DOCX_SUFFIXES:
        if name.endswith(suffix):
            return suffix
    return ""


def _strip_suffix(rel: str, suffix: str) -> str:
    return rel[: -len(suffix)] if suffix and rel.lower().endswith(suffix) else rel


def is_input(path: Path) -> bool:
    return _suffix(path) != "" and not path.name.startswith(".")


def _walk(root: Path) -> list[Path]:
    """Supported files under ``root``, sorted by relative path, hidden entries skipped."""
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        found.extend(Path(dirpath, f) for f in filenames if is_input(Path(f)))
    return sorted(found, key=lambda p: p.relative_to(root).as_posix())


def iter_inputs(paths: Iterable[str | Path], max_bytes: int = MAX_FILE_BYTES,
                max_line_chars: int = MAX_LINE_CHARS) -> Iterator[Item]:
    """Every document under ``paths`` (folders recursively, files, .jsonl(.gz) archives).

    Never raises for a bad input: it yields an ``Item`` with ``error`` set and goes on.
    """
    for raw in paths:
        top = Path(raw)
        if top.is_dir():
            for path in _walk(top):
                yield from _iter_file(path, top, max_bytes, max_line_chars)
        elif top.exists():
            yield from _iter_file(top, top.parent, max_bytes, max_line_chars)
        else:
            yield Item(doc_id=top.stem, source=str(top), error=IngestError(f"no such file or folder: {top}"))


def _iter_file(path: Path, root: Path, max_bytes: int, max_line_chars: int) -> Iterator[Item]:
    suffix = _suffix(path)
    if suffix in ARCHIVE_SUFFIXES:
        yield from iter_jsonl(path, max_line_chars)
        return
    doc_id = _strip_suffix(path.relative_to(root).as_posix(), suffix)
    try:
        yield Item(doc_id=doc_id, source=str(path), text=read_text(path, max_bytes, max_line_chars))
    except IngestError as e:
        yield Item(doc_id=doc_id, source=str(path), error=e)
    except OSError as e:
        yield Item(doc_id=doc_id, source=str(path), error=IngestError(f"cannot read the file: {e.strerror or e}"))


def iter_jsonl(path: str | Path, max_line_chars: int = MAX_LINE_CHARS) -> Iterator[Item]:
    """Stream ``{"id", "text"}`` lines of a .jsonl or .jsonl.gz archive, one Item each."""
    path = Path(path)
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    lineno = 0
    try:
        with opener(path, "rt", encoding="utf-8", errors="strict", newline="\n") as fh:
            while True:
                try:
                    line = fh.readline(max_line_chars + 1)
                except UnicodeDecodeError as e:
                    yield Item(doc_id=f"{path.name}:{lineno + 1}", source=f"{path}:{lineno + 1}",
                               error=EncodingError(f"archive is not valid UTF-8 after line {lineno} ({e.reason}); rest skipped"))
                    return
                if not line:
                    return
                lineno += 1
                if len(line) > max_line_chars and not line.endswith("\n"):
                    _drain_line(fh)
                    yield Item(doc_id=f"{path.name}:{lineno}", source=f"{path}:{lineno}",
                               error=LineTooLongError(f"archive line {lineno} is longer than {max_line_chars:,} characters"))
                    continue
                if line.strip():
                    yield _record(line, path, lineno, max_line_chars)
    except (OSError, EOFError, zlib.error) as e:
        yield Item(doc_id=f"{path.name}:{lineno + 1}", source=f"{path}:{lineno + 1}",
                   error=BadRecordError(f"archive is damaged after line {lineno} ({e}); rest skipped"))


def _drain_line(fh) -> None:
    while True:
        chunk = fh.readline(1 << 20)
        if not chunk or chunk.endswith("\n"):
            return


def _record(line: str, path: Path, lineno: int, max_line_chars: int) -> Item:
    source = f"{path}:{lineno}"
    fallback_id = f"{path.name}:{lineno}"
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as e:
        return Item(doc_id=fallback_id, source=source, error=BadRecordError(f"line {lineno} is not valid JSON: {e.msg}"))
    if not isinstance(obj, dict):
        return Item(doc_id=fallback_id, source=source, error=BadRecordError(f"line {lineno} is not a JSON object"))
    doc_id = obj.get("id")
    doc_id = str(doc_id) if isinstance(doc_id, (str, int)) and str(doc_id) else fallback_id
    text = obj.get("text")
    if not isinstance(text, str):
        return Item(doc_id=doc_id, source=source, error=BadRecordError(f"line {lineno} has no \"text\" string"))
    if not text.strip():
        return Item(doc_id=doc_id, source=source, error=EmptyInputError(f"line {lineno} has an empty text"))
    try:
        check_lines(text, max_line_chars)
    except IngestError as e:
        return Item(doc_id=doc_id, source=source, error=e)
    return Item(doc_id=doc_id, source=source, text=text)
