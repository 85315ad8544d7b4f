"""References: every mention of another document that carries a number or symbol.

Ids are found first, by shape (party "20-NQ/TW", state "19/2021/TT-BTC", "123/UBND-VX");
the kind word in front ("Nghị quyết số") and the date / issuer / subject clauses behind
are then read from small windows around the id. Kind words with a bare number
("Đề án 1816") are a second pass. Kind names, type codes and issuer names are data
(patterns/kinds.yaml, patterns/issuers.yaml); this module only composes them.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Optional

import regex

from .. import patterns
from ..model import Document, Reference
from ..normalise import unify_tones

_DASH = "-\u2010\u2011\u2012\u2013\u2014\u2212"
_DASH_CLASS = "[" + _DASH + "]"
# a code is capitals and digits ("BYT", "QH15", "ĐUK"), at most two small letters closing a
# capital run ("TTg", "CTr", "QĐi"): "1/ Tiếng" in a numbered list is not a symbol
_CODE = r"(?:[\p{Lu}]{2,}[\p{Lu}\d]*[\p{Ll}]{0,2}|[\p{Lu}][\p{Lu}\d]*)(?![\p{L}])"
_LEFT = r"(?:(?<=[Ss]ố:?)|(?<![\p{L}\d/.,:+\-\u2013]))"  # "số204/2004/NĐ-CP" lacks its blank

# Party style: number, dash, type code / issuer code ("20-NQ/TW", "111 - KL/TU").
_PARTY = (
    _LEFT + r"(?P<pnum>\d{1,5}[a-z]?)[ \t]{0,2}" + _DASH_CLASS + r"[ \t]{0,2}"
    r"(?P<psym>" + _CODE + r"(?:[ \t]?/[ \t]?" + _CODE + r"){1,3}(?:" + _DASH_CLASS + _CODE + r")?)"
)
# State style: number, optional year, code(s) ("2628/QĐ-BYT", "142/2024/QH15").
_STATE = (
    _LEFT + r"(?P<snum>\d{1,5}[a-zđ]?)(?:[ \t]?/[ \t]?|" + _DASH_CLASS + r"(?=(?:19|20)\d\d/))"
    r"(?P<ssym>(?:(?:19|20)\d\d[ \t]?[" + _DASH + r"/][ \t]?)?" + _CODE + r"(?:[ \t]?" + _DASH_CLASS + r"[ \t]?" + _CODE + r"|/" + _CODE + r"){0,4})"
)
_ID_RE = regex.compile(r"(?:" + _PARTY + r")|(?:" + _STATE + r")(?![\p{L}\d])", regex.V1)
# Where an id can start: both forms open with 1-5 digits, an optional letter, at most two
# blanks, a dash or slash, then a code's capital (after a year in the state form).
# Scanning for this plain shape and trying _ID_RE only there is much faster than scanning
# with _ID_RE and its look-behinds at every digit. What follows the dash or slash is a
# look-ahead so that a start cannot hide a later one (see _id_matches).
_ID_START = regex.compile(
    r"\d{1,5}[a-zđ]?[ \t]{0,2}[" + _DASH + r"/]"
    r"(?=[ \t]{0,2}(?:(?:19|20)\d\d[ \t]?[" + _DASH + r"/][ \t]?)?[\p{Lu}])",
    regex.V1,
)

_DATE = (
    r"(?P<d>\d{1,2})\s*(?P<sep>[/.\-])\s*(?P<m>\d{1,2})\s*(?P=sep)\s*(?P<y>(?:19|20)\d\d)(?!\d)"
    r"|(?P<d2>\d{1,2})\s+tháng\s+(?P<m2>\d{1,2})\s+năm\s+(?P<y2>(?:19|20)\d\d)(?!\d)"
)
_TAIL_DATE = regex.compile(
    r"\s*(?:,|\(|\bban\s+hành\b|\bký\b|\s)*\s*(?:ngày|ngay)\s*(?:" + _DATE + r")\)?"
    r"|\s*[,(]\s*(?:" + _DATE + r")\)?",
    regex.V1 | regex.I,
)
_LEAD_DATE = regex.compile(r"\W*(?:vào\s+)?ngày\s*(?:" + _DATE + r")\s*,", regex.V1 | regex.I)
_LEAD_ISSUE = regex.compile(r"(?:ban\s+hành|ký)\s*$", regex.V1 | regex.I)
_TAIL_OF = regex.compile(r"\s*,?\s*(?:của|do)\s+", regex.V1 | regex.I)
_TAIL_SKIP = regex.compile(r"\s*,?\s*(?:khóa\s+[IVXLC]+|khoá\s+[IVXLC]+|\(\s*khóa\s+[IVXLC]+\s*\))", regex.V1 | regex.I)
_TAIL_SUBJECT = regex.compile(r"\s*,?\s*(?P<q>[“\"«])?\s*(?P<ve>về\s+|V/v\s*:?\s*|v/v\s*:?\s*)", regex.V1)
_ISSUER_STOP = regex.compile(r"\s*(?:[,;:()“\"”\n]|\.(?!\s*\p{Ll})|\s(?:về|ngày)\s)", regex.V1 | regex.I)
_OWN_NUMBER_LINE = regex.compile(r"[ \t*_]*Số[ \t]*:?[ \t]*$", regex.V1 | regex.I)
_SENT_DOT = regex.compile(r"\.(?=\s+[\p{Lu}\d\"“]|\s*$|\s*\n)", regex.V1)


@dataclass(frozen=True)
class _Kind:
    rule: str
    name: Optional[str]
    letter: bool = True   # a symbol without a type code after this word is a công văn


@dataclass(frozen=True)
class _Tables:
    """Kind words and codes from patterns/kinds.yaml, and the regexes built from them."""
    words: dict            # written kind word (lower case) -> _Kind
    codes: dict            # type code -> _Kind
    no_code: _Kind         # what a state symbol without a type code is
    kind_before: "regex.Pattern[str]"   # kind word (+ "số") right before an id
    kind_named: "regex.Pattern[str]"    # "Bộ luật Hình sự số" before an id
    number: "regex.Pattern[str]"        # a bare number that may follow a kind word
    number_kind: "regex.Pattern[str]"   # the kind word before such a number
    last_syllables: frozenset           # cheap filter before number_kind


# ---- tables ----------------------------------------------------------------------------

def _flex(word: str) -> str:
    """A kind word spelled with any (or no) blank between its letters: OCR shifts spaces
    ("Thôngt ư")."""
    letters = [regex.escape(c) for c in unify_tones(word) if not c.isspace()]
    return r"[ \t]?".join(letters)


@lru_cache(maxsize=1)
def _tables():
    data = patterns.load("kinds")
    words: dict[str, _Kind] = {}
    codes: dict[str, _Kind] = {}
    for k in data["kinds"]:
        kind = _Kind(k["id"], k.get("name"), k.get("letter", True))
        for w in list(k.get("words") or []) + list(k.get("ocr") or []):
            words[unify_tones(w).lower()] = kind
        for c in k.get("codes") or []:
            codes[c] = kind
    nc = data["no_type_code"]
    no_code = _Kind(nc["id"], nc["name"])
    cue = "(?:" + "|".join(data["number_cue"]) + ")"
    flex_alt = "|".join(sorted((_flex(w) for w in words), key=len, reverse=True))
    named = sorted(set(words) | {unify_tones(w).lower() for w in data["named_kinds"]}, key=len, reverse=True)
    kind_named = regex.compile(
        r"(?<![\p{L}])(?i:(?P<kind>" + "|".join(_words_rx(w) for w in named) + r"))\s+[\p{L}][^,;.\n]{0,60}?\s(?:" + cue + r")[ \t]*$",
        regex.V1,
    )
    kind_before = regex.compile(
        r"(?<![\p{L}])(?P<kind>" + flex_alt + r")[ \t]*(?:" + cue + r"[ \t]*)?(?:[ \t]*\(?)$",
        regex.V1 | regex.I,
    )
    # "Đề án 1816", "Nghị định 28-CP", "Thông tư số 219/2013"; a lower-case kind word or
    # "Luật" only with "số" ("quyết định số 949", "Luật số 71"): "kế hoạch 5 năm" is no citation.
    num_words = sorted({unify_tones(w) for w in data["number_only_kinds"]}, key=len, reverse=True)
    cue_words = sorted({unify_tones(w) for w in data["number_only_kinds"] + data["number_only_with_cue"]}, key=len, reverse=True)
    alt = "|".join(_words_rx(w) for w in num_words)
    alt_cue = "|".join(_words_rx(w) for w in cue_words)
    # numbers first (cheap), the kind word in front checked only where the word before
    # the number ends like a kind word
    old_codes = "|".join(regex.escape(c) for c in data["old_style_codes"])
    last_syllables = frozenset({w.split()[-1].lower() for w in cue_words} | {"số"})
    number = regex.compile(
        _after_last_letter(last_syllables) + _LEFT + r"(?P<num>\d{1,5}(?:/(?:19|20)\d\d|[" + _DASH + r"](?:" + old_codes + r")(?![\p{L}\d/]))?)"
        r"(?![\p{L}\d]|[.,]\d|[ \t]*[" + _DASH + r"/][ \t]*[\p{L}\d]|\s*(?:%|‰))",
        regex.V1,
    )
    number_kind = regex.compile(
        r"(?<![\p{L}])(?:(?P<kind>" + alt + r")\s+(?:" + cue + r"\s*)?|(?i:(?P<kind>" + alt_cue + r"))\s+" + cue + r"\s*)$",
        regex.V1,
    )
    return _Tables(words, codes, no_code, kind_before, kind_named, number, number_kind, last_syllables)


def _last_letters(syllables) -> str:
    """The letters that end one of ``syllables`` (lower case), in either case."""
    last = {w[-1] for w in syllables}
    upper = {c.upper() for c in last if len(c.upper()) == 1 and c.upper().lower() == c}
    return "".join(sorted(last | upper))


def _after_last_letter(syllables) -> str:
    """A look-behind for a digit that follows (over blanks and colons) a letter that can end
    one of ``syllables``: the number scan then hands _number_mentions only the numbers
    that _word_before may accept, not every number in the text. (A look-behind for whole
    endings, "ộng", "án", filters more but costs more than it saves.)"""
    return r"(?<=[" + regex.escape(_last_letters(syllables)) + r"][ \t:]*)(?=\d)"


def _words_rx(phrase: str) -> str:
    return r"\s+".join(regex.escape(w) for w in unify_tones(phrase).split())


@lru_cache(maxsize=1)
def _issuers():
    data = patterns.load("issuers")
    code_rules = []
    names = []
    local = {n["name"]: n.get("local") for n in data["names"]}
    for c in data["codes"]:
        pat = c["code"] if c.get("regex") else regex.escape(c["code"])
        code_rules.append((regex.compile(r"^(?:" + pat + r")$", regex.V1), c["name"]))
        names.append((_words_rx(c["name"]), c["name"], None, local.get(c["name"])))
    for n in data["names"]:
        how = "then" if n.get("then_name") else "domain" if n.get("domain") else None
        names.append(("|".join(unify_tones(m) for m in n["match"]), n["name"], how, n.get("local")))
    name_rules = [
        (regex.compile(r"(?:" + pat + r")" + ("" if how == "then" else r"(?![\p{L}])"), regex.V1 | regex.I), name, how, loc)
        for pat, name, how, loc in names
    ]
    levels = "|".join(_words_rx(w) for w in data["levels"])
    committee = r"(?:Tỉnh|Thành|Huyện|Quận|Thị|Xã)\s+ủy|Đảng\s+ủy(?:\s+Khối)?"
    head = r"\s+(?:" + committee + r")(?![\p{L}])|\s+(?i:" + levels + r")(?![\p{L}])"
    words = r"(?:\s+(?:TP\.?\s*|Tp\.?\s*)?[\p{Lu}][\p{L}\d]*){0,4}"
    place = regex.compile(r"(?:" + head + r")?" + words, regex.V1)
    place_after_level = regex.compile(r"(?:(?:" + head + r")" + words + r")?", regex.V1)
    stops = "|".join(_words_rx(w) for w in data["clause_stops"])
    stop = regex.compile(r"\s+(?:" + stops + r")(?![\p{L}])|\s*[,;:.()“\"”]", regex.V1 | regex.I)
    return code_rules, name_rules, place, place_after_level, stop


# ---- public helpers ----------------------------------------------------------------------

_SPACES = regex.compile(r"\s+")
_DASHES = regex.compile(_DASH_CLASS)
_CODE_SPLIT = regex.compile(r"[-/]")
_YEAR = regex.compile(r"(?:19|20)\d\d")
_YEAR_HEAD = regex.compile(r"^(?:19|20)\d\d/")


def canonical_id(raw: str) -> str:
    """The SPEC id of a written number/symbol: no spaces, any dash -> "-", letters as
    written ("111 - KL/TU" -> "111-KL/TU", "2628/QĐ–BYT" -> "2628/QĐ-BYT")."""
    s = _DASHES.sub("-", _SPACES.sub("", raw))
    return s.strip(".,;:")


def split_id(cid: str) -> tuple[Optional[str], Optional[str]]:
    """"20-NQ/TW" -> ("20", "NQ/TW"); "19/2021/TT-BTC" -> ("19", "2021/TT-BTC");
    "/TB-UBND" -> (None, "TB-UBND"); "1816" -> ("1816", None)."""
    m = regex.match(r"^(\d+[a-z]?)?[-/](.+)$", cid)
    if m:
        return m.group(1), m.group(2)
    return (cid or None), None


def type_code(symbol: Optional[str]) -> Optional[str]:
    """The type code at the head of a symbol: NQ in "NQ/TW", QĐ in "2021/QĐ-BYT"."""
    if not symbol:
        return None
    head = _YEAR_HEAD.sub("", symbol)
    return _CODE_SPLIT.split(head)[0] or None


def kind_of_code(symbol: Optional[str], letters: bool = True) -> tuple[Optional[str], Optional[str]]:
    """(kind name, rule id) inferred from a symbol's type code, e.g. "TT-BTC" -> Thông tư;
    with ``letters``, a symbol with no type code ("123/UBND-VX") is a công văn."""
    t = _tables()
    codes, no_code = t.codes, t.no_code
    code = type_code(symbol)
    if code is None:
        return None, None
    if code in codes:
        return codes[code].name, codes[code].rule
    if code.upper() in codes:
        k = codes[code.upper()]
        return k.name, k.rule
    # "123/UBND-VX": state style with only an issuer code is a công văn
    if letters and "/" not in symbol.split("-")[0] and "-" in symbol:
        return no_code.name, no_code.rule
    return None, None


def _issuer_of_code(code: str) -> Optional[str]:
    for rx, name in _issuers()[0]:
        if rx.match(code):
            return name
    return None


def issuer_of_symbol(symbol: Optional[str]) -> Optional[str]:
    """The issuing body a symbol's codes name: "NQ/TW" -> Trung ương, "QĐ-BYT" -> Bộ Y tế,
    "TTg-KTN" (a công văn of the Prime Minister's office) -> Thủ tướng Chính phủ."""
    if not symbol:
        return None
    codes = [c for c in _CODE_SPLIT.split(symbol) if c and not _YEAR.fullmatch(c)]
    rest = codes[1:] if codes and codes[0] in _tables().codes else codes
    for code in rest:
        name = _issuer_of_code(code)
        if name:
            return name
    return None


def canonical_issuer(written: str) -> str:
    """"Ban chấp hành Trung ương đảng" -> "Ban Chấp hành Trung ương", "HUYỆN ỦY TAM ĐƯỜNG"
    -> "Huyện ủy Tam Đường": the longest known name, then a level and a place as written
    (capitals made title case). An unknown body is kept as written up to a clause stop
    ("của Hội đồng Chính phủ quy định ..." -> "Hội đồng Chính phủ")."""
    _c, name_rules, place_rx, level_rx, stop_rx = _issuers()
    text = _SPACES.sub(" ", written.strip(" ,;:*"))
    probe = unify_tones(text)
    best = None
    for rx, name, how, loc in name_rules:
        m = rx.match(probe)
        if m and (best is None or m.end() > best[0].end()):
            best = (m, name, how, loc)
    if best is None:
        if not text[:1].isupper():
            return ""  # "do ông Tô Văn Vỹ ký": a person, not a body
        stop = stop_rx.search(probe)
        return " ".join(text[:stop.start() if stop else len(text)].split()[:8])
    m, name, how, loc = best
    rest = text[m.end():]
    if how == "then":
        return (name + " " + canonical_issuer(rest)).strip() if rest.strip() else name
    if how == "domain":
        known, generic = _fields()
        probe_rest = unify_tones(rest)
        field = known.match(probe_rest)
        end = field.end() if field else generic.match(probe_rest).end()
        if not field:  # "Sở Tư pháp quy định ...": a generic field stops at a clause stop
            stop = stop_rx.search(probe_rest, 1, end)
            end = stop.start() if stop else end
        name = (name + " " + rest[:end].strip()).strip()
        rest = rest[end:]
    tail: list[str] = []
    if loc:
        p = (level_rx if loc == "level" else place_rx).match(unify_tones(rest))
        tail = rest[:p.end()].split() if p else []
    if tail and all(w.isupper() for w in tail):  # a header in capitals: "HUYỆN TÂN UYÊN"
        tail = [w.lower() if i == 0 and _is_level(w) else w.capitalize() for i, w in enumerate(tail)]
    return " ".join([name] + tail)


@lru_cache(maxsize=1)
def _fields():
    """The field after a generic head ("Sở" + "Y tế"): a known one, else a capitalised
    word and lower-case ones up to a level word ("Ban quản lý dự án tỉnh ...")."""
    data = patterns.load("issuers")
    alt = "|".join(_words_rx(f) for f in sorted(data["fields"], key=len, reverse=True))
    levels = "|".join(_words_rx(w.split()[0]) for w in data["levels"])
    known = regex.compile(r"\s+(?:" + alt + r")(?![\p{L}])", regex.V1 | regex.I)
    generic = regex.compile(r"(?:\s+(?!(?:" + levels + r")(?![\p{L}]))(?:[\p{Lu}][\p{Lu}&]+|[\p{L}][\p{Ll}]*(?:\s+(?!(?:" + levels + r")(?![\p{L}]))[\p{Ll}]+){0,3}))?", regex.V1)
    return known, generic


def _is_level(word: str) -> bool:
    return word.lower() in {w.split()[0] for w in patterns.load("issuers")["levels"]}


# ---- extraction ------------------------------------------------------------------------

def extract(seg, doc: Document) -> list[Reference]:
    text, mt = seg.text, seg.match_text
    refs = _id_mentions(text, mt) + _number_mentions(text, mt)
    refs.sort(key=lambda r: r.start)
    refs = _drop_overlaps(_listed_numbers(_drop_overlaps(refs), text, mt))
    starts = [r.start for r in refs]
    for r in refs:
        _attach_tail(r, text, mt, starts)
        if r.date is None:
            r.date = _lead_date(seg, r, mt)
    _propagate(refs)
    for r in refs:
        if r.issuer is None:
            r.issuer = issuer_of_symbol(r.symbol)
    return refs


def _id_mentions(text: str, mt: str) -> list[Reference]:
    t = _tables()
    out = []
    for m in _id_matches(mt):
        if m.group("pnum") is not None:
            id_start, rule = m.start("pnum"), "ref.party_id"
        else:
            id_start, rule = m.start("snum"), "ref.state_id"
        id_end = m.end()
        if _is_own_number(mt, id_start):
            continue
        cid = canonical_id(text[id_start:id_end])
        number, symbol = split_id(cid)
        start = id_start
        kind, krule = None, None
        kb = t.kind_before.search(mt, max(0, id_start - 60), id_start)
        k = None
        if kb:
            k = t.words.get(_SPACES.sub(" ", kb.group("kind")).lower()) or _flex_lookup(kb.group("kind"))
            if k is not None:
                start = kb.start("kind")
                kind, krule = k.name, k.rule
        if kind is None:
            kind, krule = kind_of_code(symbol, letters=k is None or k.letter)
        if k is None and (kind is None or krule == t.no_code.rule):
            # "Quyết định khởi tố bị can số 37/C46-P12", "Bộ luật Hình sự số 100/2015/QH13"
            kn = _nearest(t.kind_named, mt, max(0, id_start - 90), id_start)
            k = t.words.get(_SPACES.sub(" ", kn.group("kind")).lower()) if kn else None
            if k is not None and k.name:
                start, kind, krule = kn.start("kind"), k.name, k.rule
            elif k is not None and not k.letter:  # "Giấy phép hoạt động số 0026/NH-GP"
                start, kind, krule = kn.start("kind"), None, k.rule
        if k is None and kind is None and not _looks_cited(mt, id_start, symbol):
            continue  # "SPF 37/PA++", "HDMI 1/MHL": a slash, not a citation
        out.append(Reference(
            start=start, end=id_end, text=text[start:id_end], kind=kind, number=number,
            symbol=symbol, id=cid, rule=rule + (f"|{krule}" if krule else ""),
        ))
    return out


def _id_matches(mt: str):
    """The matches of ``_ID_RE.finditer(mt)``, tried only where _ID_START finds a start.

    An _ID_RE match starts at the first digit of a run (its look-behind allows no digit
    before it) and holds only digits, one letter and blanks before its first dash or
    slash, so an _ID_START match never runs over the start of a later id.
    """
    end = 0
    for c in _ID_START.finditer(mt):
        if c.start() < end:
            continue
        m = _ID_RE.match(mt, c.start())
        if m:
            end = m.end()
            yield m


def _nearest(rx, mt: str, pos: int, endpos: int):
    """The match of an end-anchored pattern whose kind word ends nearest the end (the one
    closest to "số", not an earlier one in the window), written in full ("Bộ luật")."""
    found = list(rx.finditer(mt, pos, endpos, overlapped=True))
    return max(found, key=lambda m: (m.end("kind"), -m.start("kind")), default=None)


def _looks_cited(mt: str, id_start: int, symbol: Optional[str]) -> bool:
    """An id with no kind word and no known type code still cites a document when "số"
    stands before it, its symbol carries a year, or a code names a known issuer."""
    return (_word_before(mt, id_start) == "số" or bool(_YEAR_HEAD.match(symbol or ""))
            or issuer_of_symbol(symbol) is not None)


def _flex_lookup(written: str):
    """The kind of an OCR-spaced word ("Thôngt ư" -> Thông tư)."""
    words = _tables().words
    squeezed = _SPACES.sub("", written).lower()
    for w, k in words.items():
        if w.replace(" ", "") == squeezed:
            return k
    return None


def _number_mentions(text: str, mt: str) -> list[Reference]:
    t = _tables()
    out = []
    for m in t.number.finditer(mt):
        num = m.group("num")
        before = _word_before(mt, m.start())
        if before not in t.last_syllables:
            continue
        if before != "số" and len(num) == 4 and 1945 <= int(num) <= 2035:
            continue  # "Kế hoạch 2021" names a year, not a document ("Công văn số 2000" does)
        kb = t.number_kind.search(mt, max(0, m.start() - 45), m.start())
        if kb is None:
            continue
        k = t.words.get(_SPACES.sub(" ", kb.group("kind")).lower())
        if k is None:
            continue
        if k.name is None:  # "văn bản số 3759": a bare-numbered letter
            k = t.no_code
        num = canonical_id(num)
        number, symbol = split_id(num)
        start = kb.start("kind")
        out.append(Reference(
            start=start, end=m.end(), text=text[start:m.end()], kind=k.name,
            number=number, symbol=symbol, id=num, rule=f"ref.number_only|{k.rule}",
        ))
    return out


_LISTED = regex.compile(
    r"[ \t]*(?:,|;|và|hoặc)[ \t]*(?P<m>[Ss]ố[ \t]*(?P<num>\d{1,5}(?:/(?:19|20)\d\d)?))(?![\p{L}\d/.,\-–]\w)", regex.V1)


def _listed_numbers(refs: list[Reference], text: str, mt: str) -> list[Reference]:
    """"Quyết định số 217, số 218 của Bộ Chính trị": a bare number listed right after a
    bare-numbered citation is one of the same kind."""
    out = list(refs)
    for r in refs:
        prev = r
        while prev.kind and prev.rule.startswith(("ref.number_only", "ref.listed_number")):
            m = _LISTED.match(mt, prev.end)
            if not m:
                break
            num = m.group("num")
            number, symbol = split_id(num)
            nxt = Reference(start=m.start("m"), end=m.end("m"), text=text[m.start("m"):m.end("m")], kind=prev.kind,
                            number=number, symbol=symbol, id=num,
                            rule="ref.listed_number|" + prev.rule.split("|")[-1])
            out.append(nxt)
            prev = nxt
    out.sort(key=lambda r: r.start)
    return out


def _word_before(mt: str, pos: int) -> str:
    """The lower-cased word just before ``pos`` (blanks and a colon skipped)."""
    i = pos
    while i > 0 and mt[i - 1] in " \t:":
        i -= 1
    j = i
    while j > 0 and mt[j - 1].isalpha():
        j -= 1
    return mt[j:i].lower()


def _drop_overlaps(refs: list[Reference]) -> list[Reference]:
    out: list[Reference] = []
    for r in refs:
        if out and r.start < out[-1].end:
            if (r.end - r.start) > (out[-1].end - out[-1].start):
                out[-1] = r
            continue
        out.append(r)
    return out


def _is_own_number(mt: str, id_start: int) -> bool:
    """A line opening with "Số:" right before the id is a document's own number (its header,
    or a listing of documents on the page), never a citation."""
    line_start = mt.rfind("\n", 0, id_start) + 1
    return bool(_OWN_NUMBER_LINE.match(mt, line_start, id_start))


def _clause_limit(mt: str, pos: int) -> int:
    nl = mt.find("\n", pos)
    return min(len(mt), pos + 500, nl if nl >= 0 else len(mt))


def _attach_tail(r: Reference, text: str, mt: str, starts: list[int]) -> None:
    """Date, issuer and subject written after the id, in any order."""
    pos, limit = r.end, _clause_limit(mt, r.end)
    for _ in range(6):
        m = _TAIL_DATE.match(mt, pos, limit)
        if m and r.date is None:
            r.date = _iso(m)
            pos = m.end()
            continue
        m = _TAIL_SKIP.match(mt, pos, limit)
        if m:
            pos = m.end()
            continue
        m = _TAIL_OF.match(mt, pos, limit)
        if m and r.issuer is None:
            stop = _ISSUER_STOP.search(mt, m.end(), limit)
            end = stop.start() if stop else limit
            written = text[m.end():end].strip()
            if written:
                # the wider window lets a known name run past its own comma
                # ("Bộ Văn hóa, Thể thao và Du lịch"); unknown names stop at the clause end
                r.issuer = canonical_issuer(text[m.end():min(limit, m.end() + 100)]) or None
                pos = end
                continue
        m = _TAIL_SUBJECT.match(mt, pos, limit)
        if m:
            r.subject = _subject(text, mt, m.start("ve"), limit, bool(m.group("q")), starts)
        break


_SIBLING = regex.compile(r"(?:\s+và\s+|[,;]\s*)$", regex.V1)
_GOES_ON = regex.compile(r"\s*[\p{Ll}]", regex.V1)


def _subject(text: str, mt: str, start: int, limit: int, quoted: bool, starts: list[int]) -> Optional[str]:
    """The "về ..." clause: to a semicolon, a sentence end, the closing quote, or a sibling
    citation (", Kết luận số ..."); quotes inside it are kept whole, and a citation nested
    in it ("về thực hiện Chỉ thị số 07-CT/TW") stays part of it."""
    for s in starts:
        if start < s < limit:
            sib = _SIBLING.search(mt, max(start, s - 6), s)
            if sib:
                limit = sib.start()
                break
    end = _subject_end(mt, start, limit, quoted)
    subject = text[start:end].strip(" ,")
    if subject.count("“") != subject.count("”"):  # a quote around the clause, not inside it
        subject = subject.strip("“”\"«» ,")
    return subject or None


def _subject_end(mt: str, start: int, limit: int, quoted: bool) -> int:
    depth = 1 if quoted else 0
    for i in range(start, limit):
        c = mt[i]
        if c in "“«":
            depth += 1
        elif c in "”»":
            depth -= 1
            if depth <= 0 and (quoted or depth < 0):
                return i
            if depth == 0 and not _GOES_ON.match(mt, i + 1):
                return i + 1  # “Nâng cao chất lượng ...”, Huyện ủy ...: the quote closes it
        elif c == '"':
            depth = depth - 1 if depth > 0 else depth + 1
        elif depth <= 0 and (c == ";" or (c == "." and _SENT_DOT.match(mt, i))):
            return i
    return limit


def _lead_date(seg, r: Reference, mt: str) -> Optional[str]:
    """"Ngày 23/4/2024, Đảng ủy Khối ... ban hành Kế hoạch số 222-KH/ĐUK": the sentence's
    opening date is the cited document's date when the verb right before it is "ban hành"."""
    sent = seg.sentence_at(r.start) if seg is not None else None
    if sent is None or not _LEAD_ISSUE.search(mt, sent.start, r.start):
        return None
    m = _LEAD_DATE.match(mt, sent.start, r.start)
    return _iso(m) if m else None


def _iso(m) -> Optional[str]:
    d, mo, y = (m.group("d") or m.group("d2")), (m.group("m") or m.group("m2")), (m.group("y") or m.group("y2"))
    if not (d and mo and y):
        return None
    day, month = int(d), int(mo)
    if not (1 <= day <= 31 and 1 <= month <= 12):
        return None
    return f"{int(y):04d}-{month:02d}-{day:02d}"


def _propagate(refs: list[Reference]) -> None:
    """A date, issuer or kind the text gives at one mention of an id holds for its other
    mentions, when the mentions agree."""
    by_id: dict[str, list[Reference]] = {}
    for r in refs:
        by_id.setdefault(r.id, []).append(r)
    for group in by_id.values():
        for attr in ("date", "issuer", "kind"):
            values = {getattr(r, attr) for r in group if getattr(r, attr)}
            if len(values) == 1:
                v = values.pop()
                for r in group:
                    if not getattr(r, attr):
                        setattr(r, attr, v)
