"""Document metadata: type, own number/symbol, issuer, place, issue date, title, signer,
recipients.

An administrative document states these in fixed places (the header, the "Số:" line, the
place-and-date line, the capitalised title word, the signature block, "Nơi nhận:"); a news
article has a headline and a publication stamp instead. Words and codes come from
patterns/doc_types.yaml and patterns/issuers.yaml.
"""
from __future__ import annotations

from collections import Counter
from functools import lru_cache
from typing import Optional

import regex

from .. import patterns
from ..model import Document, Signer
from ..normalise import unify_tones
from .references import canonical_id, canonical_issuer, issuer_of_symbol, split_id, type_code

HEAD_BLOCKS = 15          # the header of an administrative document sits in its first lines
TAIL_BLOCKS = 25          # the signature block and "Nơi nhận:" in its last ones

_MARKUP = regex.compile(r"[*_~#`]+")
_OWN_NUMBER = regex.compile(
    r"(?<![\p{L}])Số\s*:?\s*(?P<raw>(?:\d{1,5}[a-z]?)?\s*[-/–]?\s*[\p{Lu}][\p{L}\d]*(?:\s?[-/–]\s?[\p{Lu}\d][\p{L}\d]*){0,4}|\d{1,5}(?:/(?:19|20)\d\d)?/[\p{Lu}][\p{L}\d]*(?:[-/–][\p{Lu}\d][\p{L}\d]*){0,4})",
    regex.V1,
)
_NAME = regex.compile(r"(?:[\p{Lu}][\p{Ll}]*\s+){1,5}[\p{Lu}][\p{Ll}]*", regex.V1)
_SIGNED = regex.compile(r"\(?\s*(?:Đã\s+ký|đã\s+ký|ký|Ký\s+tên)\s*\)?[.:]?", regex.V1)


@lru_cache(maxsize=1)
def _rules():
    dt = patterns.load("doc_types")
    titles = [
        (regex.compile(r"(?:" + "|".join(r["match"]) + r")", regex.V1), r["type"], r["id"])
        for r in dt["doc_types"]
    ]
    codes = {c: r["type"] for r in dt["doc_types"] for c in r.get("codes") or []}
    headers = [regex.compile(h["match"], regex.V1) for h in dt["header_markers"]]
    date_line = regex.compile(dt["date_line"]["match"], regex.V1)
    publication = regex.compile(dt["publication"]["match"], regex.V1 | regex.I)
    opening = regex.compile(dt["opening_issuer"]["match"], regex.V1)
    return titles, codes, dt["no_type_code"]["type"], headers, date_line, publication, opening


@lru_cache(maxsize=1)
def _signature_rules():
    iss = patterns.load("issuers")
    mandate = regex.compile(r"(?:" + "|".join(m["match"] for m in iss["mandates"]) + r")", regex.V1)
    heads = [(regex.compile(h["match"], regex.V1), h["name"]) for h in iss["mandate_heads"]]
    positions = sorted(((p["caps"], p["name"]) for p in iss["positions"]), key=lambda p: -len(p[0]))
    return mandate, heads, positions


def _clean(s: str) -> str:
    return " ".join(_MARKUP.sub(" ", s).split())


class _Cleaned:
    """Lines cleaned of markdown markup on first use: only a document's head and tail are
    read, so long articles cost little."""

    def __init__(self, text: str, blocks) -> None:
        self.text, self.blocks, self.cache = text, blocks, {}

    def __len__(self) -> int:
        return len(self.blocks)

    def __getitem__(self, i: int) -> str:
        if i < 0:
            i += len(self.blocks)
        if i not in self.cache:
            b = self.blocks[i]
            self.cache[i] = _clean(self.text[b.start:b.end])
        return self.cache[i]


class _Lines:
    """The document's non-blank lines (segmenter blocks), cleaned of markdown markup."""

    def __init__(self, seg) -> None:
        self.seg = seg
        self.blocks = seg.blocks
        self.clean = _Cleaned(seg.match_text, seg.blocks)
        self.raw = _Cleaned(seg.text, seg.blocks)

    def plain(self, i: int) -> str:
        """Block i with markup removed but blanks kept (two-column headers split on them)."""
        b = self.blocks[i]
        return _MARKUP.sub("", self.seg.text[b.start:b.end]).strip()

    def columns(self, i: int) -> list[str]:
        """Block i split where a two-column layout left a run of blanks
        ("- Lưu: VT.            CHỦ TỊCH")."""
        return [" ".join(p.split()) for p in regex.split(r"[ \t]{2,}|\t", self.plain(i)) if p.strip()]

    def short(self, i: int, limit: int) -> bool:
        return self.blocks[i].end - self.blocks[i].start < limit

    def contiguous(self, i: int) -> bool:
        """Block i+1 follows block i on the very next line (no blank line between)."""
        return i + 1 < len(self.blocks) and self.seg.text.count("\n", self.blocks[i].end, self.blocks[i + 1].start) <= 1


# ---- extraction --------------------------------------------------------------------------

def extract(seg, doc: Document) -> dict:
    lines = _Lines(seg)
    titles, codes, no_code, headers, date_line, publication, opening = _rules()
    head = range(min(HEAD_BLOCKS, len(lines.blocks)))

    out: dict = {}
    number, symbol = _own_number(lines, head)
    out["number"], out["symbol"] = number, symbol
    header = symbol is not None or _has_header(lines, headers)
    title_at, doc_type, title_rest = _title_word(lines, head, titles, header)
    out["doc_type"] = doc_type = doc_type or _type_without_title(lines, symbol, header, codes, no_code)
    place, issue_date = _date_line(lines, head, date_line)
    out["place"] = place

    if doc_type == "tin_bai":
        pub_at, out["issue_date"] = _publication(lines, publication)
        out["title"] = _headline(lines, pub_at)
        out["issuer"] = None
        out["signer"] = None
        out["recipients"] = []
        return out

    out["issue_date"] = issue_date
    out["title"] = _admin_title(lines, title_at, title_rest)
    signer, mandate_body = _signer(lines)
    out["signer"] = signer
    out["recipients"] = _recipients(lines)
    out["issuer"] = (
        _header_issuer(lines, head, title_at, headers, date_line)
        or _opening_issuer(lines, title_at, opening)
        or _composed_issuer(seg.text, symbol, mandate_body, place)
    )
    return out


def _type_without_title(lines: _Lines, symbol: Optional[str], header: bool, codes, no_code) -> str:
    """No title word: the own symbol's type code ("Số: 123/QĐ-UBND"), else a news article
    when there is no administrative header, else khac."""
    if symbol:
        code = type_code(symbol)
        if code in codes:
            return codes[code]
        if code and "/" not in symbol.split("-")[0] and "-" in symbol:
            return no_code  # "Số: 123/UBND-VX": a letter
    return "tin_bai" if not header and _has_prose(lines) else "khac"


def _own_number(lines: _Lines, head) -> tuple[Optional[str], Optional[str]]:
    """"Số: 12-KH/HU" -> ("12-KH/HU", "KH/HU"); "Số: /TB-UBND" -> (None, "TB-UBND")."""
    for i in head:
        b = lines.blocks[i]
        if "Số" not in lines.seg.text[b.start:b.start + 60]:
            continue
        m = _OWN_NUMBER.search(lines.raw[i])
        if not m or m.start() > 40:
            continue
        cid = canonical_id(m.group("raw"))
        if not regex.search(r"[-/]", cid):
            continue
        num, sym = split_id(cid)
        if num is None:
            return None, sym
        return cid, sym
    return None, None


def _title_word(lines: _Lines, head, titles, header: bool):
    """The capitalised line naming the kind ("KẾ HOẠCH", "THÔNG BÁO"); under an
    administrative header also one that goes on with the subject ("BÁO CÁO TÌNH HÌNH ...").
    Returns (block index, doc_type, the rest of the line)."""
    for whole in (True, False):
        if not whole and not header:
            break
        for i in head:
            if not lines.short(i, 80 if whole else 250):
                continue
            line = lines.clean[i]
            if not line or not line.isupper():
                continue
            for rx, dtype, _rid in titles:
                m = rx.fullmatch(line) if whole else rx.match(line)
                if m and (whole or line[m.end():m.end() + 1] == " "):
                    return i, dtype, line[m.end():].strip() or None
    return None, None, None


def _has_header(lines: _Lines, headers) -> bool:
    """National motto, "Số:" or "Nơi nhận:" in the head or tail of the text."""
    n = len(lines.blocks)
    where = list(range(min(HEAD_BLOCKS, n))) + list(range(max(HEAD_BLOCKS, n - TAIL_BLOCKS), n))
    return any(rx.search(lines.clean[i]) for i in where if lines.short(i, 160) for rx in headers)


def _has_prose(lines: _Lines) -> bool:
    """A headline over running text (a lead sentence at least) below it."""
    body = sum(b.end - b.start for b in lines.blocks[1:])
    return body > 40


def _date_line(lines: _Lines, head, date_line) -> tuple[Optional[str], Optional[str]]:
    """"Tân Uyên, ngày  tháng 01 năm 2022" -> ("Tân Uyên", "2022-01")."""
    for i in head:
        if not lines.short(i, 200) or "ngày" not in lines.seg.text[lines.blocks[i].start:lines.blocks[i].end]:
            continue
        m = date_line.search(lines.plain(i))
        if m:
            return m.group("place").strip(), _iso(m.group("y"), m.group("m"), m.group("d"))
    return None, None


def _iso(y: Optional[str], m: Optional[str], d: Optional[str]) -> Optional[str]:
    if not y:
        return None
    if not m or not 1 <= int(m) <= 12:
        return y
    if not d or not 1 <= int(d) <= 31:
        return f"{y}-{int(m):02d}"
    return f"{y}-{int(m):02d}-{int(d):02d}"


def _publication(lines: _Lines, publication) -> tuple[Optional[int], Optional[str]]:
    """A news page's stamp near the top: "Thứ năm - 30/06/2022 10:15"."""
    for i in range(min(8, len(lines.clean))):
        if not lines.short(i, 120):
            continue
        m = publication.match(lines.raw[i])
        if m:
            return i, _iso(m.group("y"), m.group("m"), m.group("d"))
    return None, None


def _headline(lines: _Lines, pub_at: Optional[int]) -> Optional[str]:
    """The headline: the last title-like line above the stamp, else the first line."""
    candidates = range(pub_at - 1, -1, -1) if pub_at else range(min(3, len(lines.raw)))
    for i in candidates:
        if len(lines.raw[i].split()) >= 4:
            return lines.raw[i]
    return lines.raw[0] if lines.raw else None


def _admin_title(lines: _Lines, title_at: Optional[int], rest: Optional[str]) -> Optional[str]:
    """The "trích yếu" under the title word, joined over its wrapped lines (or the rest of
    the title line when the subject follows the kind on it)."""
    if rest:
        return lines.raw[title_at][-len(rest):]
    if title_at is None or title_at + 1 >= len(lines.raw):
        return None
    i = title_at + 1
    parts = [lines.raw[i]]
    while lines.contiguous(i) and len(parts) < 4 and not lines.raw[i].endswith((".", ":")):
        i += 1
        parts.append(lines.raw[i])
    return " ".join(parts) or None


def _header_issuer(lines: _Lines, head, title_at, headers, date_line) -> Optional[str]:
    """The capitalised organ lines above the number and title; the last one issues
    ("ĐẢNG BỘ TỈNH LAI CHÂU / HUYỆN ỦY TAM ĐƯỜNG" -> Huyện ủy Tam Đường)."""
    stop = title_at if title_at is not None else len(head)
    organ: list[tuple[str, int]] = []
    for i in range(min(stop, len(head))):
        line = lines.plain(i)
        for rx in headers:
            line = rx.split(line)[0] if rx.search(line) else line
        line = regex.split(r"\s{2,}|\t|(?<![\p{L}])Số\s*:?", line)[0].strip(" *-:")
        if not line or date_line.search(line) or not line.isupper() or len(line) < 4:
            if organ and lines.raw[i].startswith(("Số", "*")):
                break
            continue
        if lines.contiguous(i - 1) and organ and i > 0 and organ[-1][1] == i - 1 and _continues(organ[-1][0], line):
            organ[-1] = (organ[-1][0] + " " + line, i)
        else:
            organ.append((line, i))
    if not organ:
        return None
    return canonical_issuer(organ[-1][0])


def _continues(prev: str, line: str) -> bool:
    """"ỦY BAN NHÂN DÂN" + "HUYỆN TÂN UYÊN": a level and a place continue an organ's name
    that has none yet; "ĐẢNG BỘ TỈNH LAI CHÂU" + "HUYỆN ỦY TAM ĐƯỜNG" are two organs."""
    levels = patterns.load("issuers")["levels"]
    low, prev_low = unify_tones(line.lower()), unify_tones(prev.lower())
    starts = any(low.startswith(lv + " ") and not low[len(lv) + 1:].startswith("ủy") for lv in levels)
    return starts and not any(f" {lv} " in f" {prev_low} " for lv in levels)


def _opening_issuer(lines: _Lines, title_at: Optional[int], opening) -> Optional[str]:
    """"..., Huyện ủy Tam Đường xây dựng kế hoạch triển khai thực hiện như sau:"."""
    start = (title_at or 0) + 1
    for i in range(start, min(start + 6, len(lines.raw))):
        m = opening.search(lines.raw[i])
        if m:
            return canonical_issuer(m.group("issuer"))
    return None


def _composed_issuer(text: str, symbol: Optional[str], mandate_body: Optional[str], place: Optional[str]) -> Optional[str]:
    """The body named by the signature mandate or the own symbol's issuer code, with the
    level the text uses for it ("UBND huyện") and the place of the date line."""
    body = mandate_body or issuer_of_symbol(symbol)
    if not body:
        return None
    levels = patterns.load("issuers")["levels"]
    rx = regex.compile(regex.escape(body) + r"\s+(" + "|".join(regex.escape(lv) for lv in sorted(levels, key=len, reverse=True)) + r")(?![\p{L}])", regex.V1)
    seen = Counter(m.group(1) for m in rx.finditer(text))
    parts = [body]
    if seen:
        parts.append(seen.most_common(1)[0][0])
    if place:
        parts.append(place)
    return " ".join(parts)


def _signer(lines: _Lines) -> tuple[Optional[Signer], Optional[str]]:
    """The signature block: mandate ("T/M HUYỆN ỦY", "TL. CHỦ TỊCH"), position, name;
    in a two-column layout it is the right-hand column."""
    mandate, heads, positions = _signature_rules()
    caps_to_name = {unify_tones(caps): name for caps, name in positions}
    n = len(lines.raw)
    for i in range(n - 1, max(0, n - TAIL_BLOCKS) - 1, -1):
        cols = lines.columns(i) if lines.short(i, 200) else []
        pos_name = caps_to_name.get(unify_tones(cols[-1])) if cols else None
        if pos_name is None:
            continue
        body = _mandate_body(lines.columns(i - 1)[-1:] if i > 0 else [], mandate, heads)
        name = None
        for k in range(i + 1, min(i + 5, n)):
            cols = lines.columns(k)
            cand = _SIGNED.sub("", cols[-1]).strip() if cols else ""
            if not cand:
                continue
            if cand.isupper():
                cand = " ".join(w.capitalize() for w in cand.split())
            if _NAME.fullmatch(cand):
                name = cand
                break
        return Signer(name=name, position=pos_name), body
    return None, None


def _mandate_body(cols: list[str], mandate, heads) -> Optional[str]:
    """"T/M HUYỆN ỦY" -> Huyện ủy; "TL. CHỦ TỊCH" -> UBND (its chairman signs for it)."""
    m = mandate.match(cols[0]) if cols else None
    if not m:
        return None
    rest = cols[0][m.end():]
    body = next((name for rx, name in heads if rx.fullmatch(rest)), None)
    if body is None and rest.isupper():
        body = canonical_issuer(rest)
        body = None if body == " ".join(rest.split()[:8]) else body
    return body


def _recipients(lines: _Lines) -> list[str]:
    """The list under "Nơi nhận:" (the left column), archive copies ("Lưu: VT") left out."""
    out: list[str] = []
    n = len(lines.raw)
    start = next((i for i in range(n - 1, max(0, n - TAIL_BLOCKS - 15) - 1, -1)
                  if lines.short(i, 200) and regex.match(r"Nơi\s+nhận\s*:", lines.raw[i])), None)
    if start is None:
        return out
    mandate, _heads, positions = _signature_rules()
    caps = {unify_tones(c) for c, _ in positions}
    for i in range(start + 1, n):
        cols = lines.columns(i)
        line = cols[0] if cols else ""
        if mandate.match(line) or unify_tones(line) in caps:
            break
        if lines.blocks[i].label is None and not line.startswith(("-", "+", "•")):
            break
        item = regex.sub(r"^[-+•–\s]+", "", line).strip(" ,;.")
        if not item or regex.match(r"Lưu\b", item):
            continue
        out.append(item)
    return out
