"""Assignments: which body must do what, by when, with whom (SPEC "assignments").

Three readings, each a rule id on the item:

* ``asg.heading``  a heading that names a body ("3. Trung tâm Y tế:") assigns every block
  below it; ``asg.inline`` the same on one line ("1. UBND huyện: chủ trì ...").
* ``asg.subject``  a sentence (or the part after a colon) that starts with a body followed
  by a task verb ("2. UBND huyện xây dựng kế hoạch ...").
* ``cue.*``        a cue hands the task to the bodies right after it ("UBND huyện yêu cầu
  ngành Y tế và các cơ quan, đơn vị ... thực hiện"); the body before the cue asks, it is not
  the assignee.

Bodies come from the unit grammar in ``entities`` (patterns/units.yaml); cues and verbs
from patterns/assignment_cues.yaml. Recipient lists and the signature block are skipped.
A block holding several deadlines in different sentences is split so that each task keeps
its own deadline.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterator, Optional

import regex

from .. import patterns
from ..link import cited_spans, task_deadlines
from ..model import Assignment, Document
from ..normalise import unify_tones
from ..segment import Segmented
from .entities import SKIP_SECTIONS, _NA, _NB, _SP, _alt, _memo, _parts, clean, iter_units, unit_at, unit_kind, unit_list_at
from .entities import _lower as _memo_lower

_TASK_SECTIONS = ("to_chuc_thuc_hien", "nhiem_vu_giai_phap")
_LEAD = regex.compile(r"[\s*_“\"'(]*")
_COLON = regex.compile(r":[^\S\n]+")
_COMMA_IN = regex.compile(r",[^\S\n]+")
_COMMA_BEFORE = regex.compile(r"[\p{L}\p{M}\d)”\"%],[^\S\n]+\Z")
_INLINE_LABEL = regex.compile(r"(?:\d{1,2}[^\S\n]*[.)]|[a-zđ][^\S\n]*\))[^\S\n]+(?=\p{Lu})")
_UNIT_THEN_TASK = regex.compile(r"[^\S\n]*(?::|[a-zđ]\))[^\S\n]*(?=\p{Lu})")
_CHO = regex.compile(r"[^\S\n]*(?:cho[^\S\n]+)?")
# small checks run on slices, compiled once rather than looked up in regex's cache per call
_BLANKS = regex.compile(r"\s+")
_LOWER_BLANK = regex.compile(r"[\p{Ll}\d][^\S\n]")
_CLAUSE_MARK = regex.compile(r"[,;:(]")
_CAPITAL_NEXT = regex.compile(r"[^\S\n,]*\p{Lu}")
_INNER_CAPITAL = regex.compile(r"(?<=[^\S\n])\p{Lu}")
_TWO_WORDS = regex.compile(r"\S[^\S\n]+\S")
_COMMA_END = regex.compile(r",[^\S\n]*$")
_COLON_END = regex.compile(r":[\s*]*$")


@dataclass(frozen=True)
class Cues:
    assignee: "regex.Pattern[str]"   # group name = rule id (dots as __)
    assignee_firsts: frozenset        # lower-cased first words of the assignee cues
    giao_cho: "regex.Pattern[str]"
    giao_cho_firsts: frozenset        # lower-cased first words of the "then" cues
    requester: "regex.Pattern[str]"
    modal: "regex.Pattern[str]"
    strong: "regex.Pattern[str]"
    strong_anywhere: "regex.Pattern[str]"
    verb: "regex.Pattern[str]"
    coop: "regex.Pattern[str]"
    past: "regex.Pattern[str]"
    past_period: "regex.Pattern[str]"
    filler: "regex.Pattern[str]"
    adverbial: "regex.Pattern[str]"
    not_subject: "regex.Pattern[str]"
    anaphora: "regex.Pattern[str]"
    guards: dict  # rule id -> words that, just before the cue, make it something else
    passive: dict  # rule id -> passive markers that block the cue unless "cho" names the bodies
    not_assigned: frozenset  # folded generic bodies
    relative: "regex.Pattern[str]"
    opener: "regex.Pattern[str]"
    opener_inside: tuple
    opener_scan: "re.Pattern[str]"   # where one of opener_inside starts
    continuation: "regex.Pattern[str]"
    directive_requester: "regex.Pattern[str]"
    not_subject_before: "regex.Pattern[str]"
    lead_adverbial: "regex.Pattern[str]"
    caption: "regex.Pattern[str]"
    person_tail: "regex.Pattern[str]"
    start: "regex.Pattern[str]"     # lead, inline label and opener of a sentence in one match
    opener_heads: tuple             # the first word of each opener, as it may be written
    strong_keys: tuple              # one lower-cased word of each strong modal
    directive_window: int
    continuation_window: int


def _anchored(words) -> "regex.Pattern[str]":
    """The words right at an offset, after blanks and a comma. The words are written as
    ``(?:W|(?!))``: the same match, but ``regex`` then does not look for a lone word
    ("chỉ đạo") through the rest of the text before it fails."""
    return regex.compile(r"\G[^\S\n]*,?[^\S\n]*(?:" + _alt(words) + r"|(?!))" + _NA, regex.V1)


@lru_cache(maxsize=1)
def cues() -> Cues:
    cfg = patterns.load("assignment_cues")
    plain, giao_cho = [], []
    guards, passive = {}, {}
    for rule in cfg["assignee_cues"]:
        name = rule["id"].replace(".", "__")
        if rule.get("passive"):  # "các bộ được giao chủ trì" vs "được giao cho Công an các quận"
            passive[rule["id"]] = regex.compile(r"(?<![\p{L}\p{M}])(?:" + "|".join(
                regex.escape(w) for w in rule["passive"]) + ")" + _SP + r"\Z", regex.V1)
        if rule.get("not_after"):  # "bàn giao", "có đề nghị": checked after a hit, cheaper than a lookbehind
            guards[rule["id"]] = regex.compile(r"(?<![\p{L}\p{M}])(?:" + "|".join(
                regex.escape(w) for w in rule["not_after"]) + ")" + _SP + r"\Z", regex.V1)
        nb = rf"(?!{_SP}{_alt(rule['not_before'])}{_NA})" if rule.get("not_before") else ""
        if rule.get("then"):
            giao_cho.append(rf"(?P<{name}>{_alt(rule['words'])}){_NA}{nb}[^.;:\n]{{0,{int(rule.get('within', 80))}}}?"
                            rf"{_NB}{_alt([rule['then']])}{_SP}")
        else:
            plain.append(rf"(?P<{name}>{_alt(rule['words'])}){_NA}{nb}")
    return Cues(
        assignee=regex.compile(_NB + "(?:" + "|".join(plain) + ")", regex.V1),
        assignee_firsts=frozenset(_first_word(w) for r in cfg["assignee_cues"] if not r.get("then")
                                  for w in r["words"]),
        giao_cho=regex.compile(_NB + "(?:" + "|".join(giao_cho) + ")", regex.V1),
        giao_cho_firsts=frozenset(_first_word(w) for r in cfg["assignee_cues"] if r.get("then")
                                  for w in r["words"]),
        requester=_anchored(cfg["requester_cues"] + [w for r in cfg["assignee_cues"] for w in r["words"]]),
        modal=_anchored(cfg["modal_verbs"]),
        strong=_anchored(cfg["strong_modals"]),
        strong_anywhere=regex.compile(_NB + _alt(cfg["strong_modals"]) + _NA, regex.V1),
        verb=_anchored(cfg["task_verbs"]),
        coop=regex.compile(_NB + _alt(cfg["cooperation"]) + _NA + r"[^\S\n]*", regex.V1),
        past=regex.compile(_NB + _alt(cfg["past_markers"]) + _NA, regex.V1),
        past_period=regex.compile(_NB + _alt(cfg["past_periods"]) + _NA, regex.V1),
        # "(?:,|(?!))" is ",": written so, a failed match stops at the offset instead of
        # looking for a comma through the rest of the text
        adverbial=regex.compile(r"\G[^\S\n]*" + _alt(cfg["cue_adverbials"]) + _NA + r"[^.;:\n]{0,%d}(?:,|(?!))[^\S\n]+"
                                % int(cfg.get("cue_adverbial_span", 80)), regex.V1),
        filler=regex.compile(r"\G(?:[^\S\n]*" + _alt(cfg["cue_fillers"]) + _NA + r"[^\S\n]*,?)*[^\S\n]*", regex.V1),
        not_subject=_anchored(cfg["not_subject_after"]),
        anaphora=_anchored(cfg["anaphora"]),
        guards=guards,
        passive=passive,
        not_assigned=frozenset(_fold(w) for w in cfg["not_assigned"]),
        # at least two words of clause ("đã đăng kí ..."), never "đã phải" (had to)
        relative=regex.compile(r"\G[^\S\n]*" + _alt(cfg["relative_markers"]) + _NA
                               + r"[^\S\n]+[^.;:,\s]+[^\S\n]+[^.;:,\n]{0,%d}?" % int(cfg["relative_span"])
                               + _NB + "(?<!" + "|".join(r"(?<![\p{L}\p{M}])" + regex.escape(w) + r"[^\S\n]" for w in cfg["relative_not_after"])
                               + ")(?P<modal>" + _alt(cfg["relative_modals"]) + ")" + _NA, regex.V1),
        opener=regex.compile(r"\G" + _alt(cfg["openers"]) + _NA + r"[^\S\n]*,?[^\S\n]*", regex.V1),
        # found by one scan with ``re`` for their literal alternation, then checked for a
        # lower-case word before it: cheaper than a regex scan of the whole text
        opener_inside=tuple(unify_tones(w) for w in cfg["openers"] if w[0].isupper()),
        opener_scan=re.compile("|".join(re.escape(unify_tones(w)) for w in cfg["openers"] if w[0].isupper())
                               or "(?!)"),
        continuation=regex.compile(r"\G" + _alt(cfg["continuations"]) + _NA + r"[^\S\n]*,?", regex.V1),
        directive_requester=_anchored(cfg["directive_requesters"]),
        person_tail=regex.compile(r"(?<![\p{L}\p{M}])(?:" + "|".join(regex.escape(unify_tones(w)) for w in cfg["person_surnames"])
                                  + r")(?:[^\S\n]+\p{Lu}[\p{Ll}\p{M}]*){2,3}\Z", regex.V1),
        caption=regex.compile(_NB + _alt(cfg["caption_labels"]) + r"[^\S\n]*\Z", regex.V1),
        lead_adverbial=regex.compile(r"[^\S\n]*" + _alt(cfg["cue_adverbials"]) + _NA, regex.V1),
        not_subject_before=regex.compile(r"(?<![\p{L}\p{M}])(?:" + "|".join(
            regex.escape(w) for w in cfg["not_subject_before"]) + r")[^\S\n]+\Z", regex.V1),
        # _LEAD, then _INLINE_LABEL and the opener where they match: each part is optional
        # and the one after it never fails, so no part gives back what it took
        start=regex.compile(_LEAD.pattern + "(?P<label>" + _INLINE_LABEL.pattern + ")?(?P<opener>"
                            + _alt(cfg["openers"]) + _NA + r"[^\S\n]*,?[^\S\n]*)?", regex.V1),
        # a capital that starts none of these cannot start a lead, a label or an opener
        opener_heads=_heads(cfg["openers"]),
        strong_keys=_keys(cfg["strong_modals"]),
        directive_window=int(cfg.get("directive_window", 0)),
        continuation_window=int(cfg.get("continuation_window", 3)),
    )


def _first_word(phrase: str) -> str:
    """The lower-cased first word of a cue as ``_alt`` writes it."""
    return _parts(phrase)[0].lower()


def _heads(phrases) -> tuple:
    """The first word of each phrase as ``_alt`` matches it: as written, and capitalised
    when written in lower case."""
    heads = set()
    for phrase in phrases:
        first = _parts(phrase)[0]
        letters = first[0] + first[0].upper() if first[0].islower() else first[0]
        heads.update(ch + first[1:] for ch in letters)
    return tuple(sorted(heads))


def _keys(phrases) -> tuple:
    """One lower-cased word of each phrase (its longest): a text without any of them holds
    none of the phrases, found with str.find before any regex runs."""
    keys = set()
    for phrase in phrases:
        words = regex.findall(r"[\p{L}\p{M}\d]+", unify_tones(phrase.strip()))
        keys.add(max(words, key=len).lower())
    return tuple(sorted(keys))


def _key_hits(low: str, keys: tuple) -> list[int]:
    """Sorted offsets in ``low`` (the lower-cased text) where one of ``keys`` occurs."""
    out = []
    for k in keys:
        i = low.find(k)
        while i >= 0:
            out.append(i)
            i = low.find(k, i + 1)
    out.sort()
    return out


def _occurrences(rx: "re.Pattern[str]", words: tuple, text: str) -> Iterator[tuple[int, str]]:
    """(offset, word) for every occurrence of each of ``words`` in ``text``, overlaps
    included, as a str.find per word gives them; ``rx`` (their alternation) finds each
    offset where one starts in a single scan of the text."""
    m = rx.search(text)
    while m:
        i = m.start()
        for w in words:
            if text.startswith(w, i):
                yield i, w
        m = rx.search(text, i + 1)


def _find_cues(rx: "regex.Pattern[str]", firsts: frozenset, mt: str,
               low: Optional[str] = "", found: Optional[dict] = None) -> list["regex.Match[str]"]:
    """The matches ``rx.finditer(mt)`` yields, tried only where one of the cues' first words
    occurs: a str.find per word is much cheaper than a regex scan of the whole text with a
    long alternation. Every match starts with a first word, lower-cased or capitalised.
    ``low``: the text as :func:`_lower` gives it, when the caller has it already (by
    default it is worked out here). ``found``: word -> offsets already looked up in this
    text ("giao" starts both kinds of cue), filled in here for the words not in it."""
    low = _lower(mt) if low == "" else low
    if low is None:  # a letter whose lower case changes length: scan as written
        return list(rx.finditer(mt))
    found = {} if found is None else found
    starts = set()
    for f in firsts:
        offsets = found.get(f)
        if offsets is None:
            offsets = found[f] = _key_hits(low, (f,))
        starts.update(offsets)
    out, pos = [], 0
    for i in sorted(starts):
        if i < pos:
            continue
        m = rx.match(mt, i)
        if m:
            out.append(m)
            pos = m.end()
    return out


_QUANT_LEAD = regex.compile(r"^(?:các|những|toàn thể|mọi)\s+")
_RELATED_TAIL = regex.compile(r"\s+(?:có\s+)?liên\s+quan$")


def _fold(unit: str) -> str:
    """A unit reduced for the generic-body check: lower case, no quantifier, no "liên quan"."""
    u = _BLANKS.sub(" ", clean(unit).lower()).strip()
    return _RELATED_TAIL.sub("", _QUANT_LEAD.sub("", u))


# ---- helpers ---------------------------------------------------------------------------

def _skipped(seg: Segmented, offset: int) -> bool:
    return seg.section_of(offset) in SKIP_SECTIONS


def _has_skips(seg: Segmented) -> bool:
    """Whether any offset can be skipped: a news report has no recipient list nor
    signature, and then the per-sentence section look-ups are saved."""
    return any(b.section in SKIP_SECTIONS for b in seg.blocks)


def _lower(mt: str) -> Optional[str]:
    """The lower-cased text, offset for offset; None when a letter's lower case is longer.
    Taken from the unit grammar's memo of the text, which lower-cases it once for its
    word index: the text is then lower-cased once for both stages, not twice."""
    low = _memo_lower(_memo(mt))
    return low if len(low) == len(mt) else None


def _clause_end(seg: Segmented, pos: int) -> int:
    """End of the sentence holding ``pos`` (never past its block)."""
    s = seg.sentence_at(pos)
    end = s.end if s else len(seg.text)
    bi = seg.block_at(pos)
    if bi is not None:
        end = min(end, seg.blocks[bi].end)
    return end


def _make(seg: Segmented, unit: tuple[int, int], task_start: int, end: int, rule: str) -> Optional[Assignment]:
    text = seg.text
    while end > task_start and text[end - 1] in " \t\n:":
        end -= 1
    ts = task_start
    while ts < end and text[ts] in " \t\n,:-–*":
        ts += 1
    task = text[ts:end].strip()
    if len(task) < 3:
        return None
    start = unit[0]
    return Assignment(start=start, end=end, text=text[start:end], unit=clean(text[unit[0]:unit[1]]),
                      task=task, rule=rule)


def _heading_units(seg: Segmented, bi: int) -> list[tuple[int, int]]:
    """Units that make up a whole heading's body ("3. Trung tâm Y tế:")."""
    b = seg.blocks[bi]
    mt = seg.match_text
    pos = _LEAD.match(mt, b.body_start).end()
    units = unit_list_at(mt, pos)
    if not units:
        return []
    rest = mt[units[-1][1]:b.end]
    return units if regex.fullmatch(r"[\s*_:]*", rest) else []


def _under(seg: Segmented, bi: int, head: int) -> bool:
    return any(a is seg.blocks[head] for a in seg.ancestors(bi))


# ---- the three readings --------------------------------------------------------------

def _by_heading(seg: Segmented) -> list[Assignment]:
    out = []
    mt = seg.match_text
    for hi, h in enumerate(seg.blocks):
        if _skipped(seg, h.start):
            continue
        heading = h.is_heading or mt[h.start:h.end].rstrip(" *").endswith(":")
        units = _heading_units(seg, hi) if heading else []
        if units:
            labelled = False
            for bi in range(hi + 1, len(seg.blocks)):
                b = seg.blocks[bi]
                # a plain paragraph after the items closes the list ("Trên đây là ...")
                if not _under(seg, bi, hi) or _skipped(seg, b.start) or (labelled and not b.label):
                    break
                labelled = labelled or bool(b.label)
                if b.is_heading:
                    continue
                for u in units:
                    a = _make(seg, u, b.body_start, b.end, "asg.heading")
                    if a:
                        a.start, a.text = b.start, seg.text[b.start:a.end]
                        out.append(a)
            continue
        if h.label:  # "1. UBND huyện: chủ trì ..." on one line
            pos = _LEAD.match(mt, h.body_start).end()
            units = unit_list_at(mt, pos)
            if units:
                colon = regex.match(r"[^\S\n]*\**[^\S\n]*:", mt[units[-1][1]:h.end])
                if colon:
                    ts = units[-1][1] + colon.end()
                    out += [a for u in units if (a := _make(seg, u, ts, h.end, "asg.inline"))]
    return out


def _comma_subjects(seg: Segmented, c: Cues, low: Optional[str]) -> list[Assignment]:
    """"..., Chính phủ, các bộ, ngành, địa phương cần tăng cường ...": a list of bodies that
    opens a clause after a comma inside a sentence, followed by a strong modal. ``low``:
    the lower-cased text (None when lower case changes its length)."""
    mt = seg.match_text
    out = []
    hits = _key_hits(low, c.strong_keys) if low is not None else None
    skips = _has_skips(seg)
    for s in seg.sentences:
        if hits is not None:  # no key word, no strong modal: the regex search is not run
            i = bisect.bisect_left(hits, s.start)
            if i == len(hits) or hits[i] >= s.end:
                continue
        if (skips and _skipped(seg, s.start)) or not c.strong_anywhere.search(mt, s.start, s.end):
            continue
        prev_end = -1
        for u0, u1 in iter_units(mt, s.start, s.end):
            glued = (mt[u0].isupper() and u0 - s.start > 3 and _LOWER_BLANK.match(mt[u0 - 2:u0])
                     and not _CLAUSE_MARK.search(mt[s.start:u0])
                     and not c.not_subject_before.search(mt, max(s.start, u0 - 12), u0)
                     and not _TITLE_BEFORE().search(mt, max(s.start, u0 - 24), u0))
            # "Theo Bộ Nội vụ, các Bộ, ngành ... phải": a body after the comma that closes an
            # opening adverbial starts the clause even right after another body
            after_adverbial = c.lead_adverbial.match(mt, s.start) and mt.find(",", s.start, u0) == u0 - 2
            opens = (_COMMA_BEFORE.search(mt, max(s.start, u0 - 3), u0) or glued) and (prev_end < u0 - 2 or after_adverbial)
            prev_end = u1
            if not opens:
                continue
            units = _units_at(mt, u0, c)
            if glued and len(units) > 1:  # a caption run into the text names one body
                continue
            rel = c.relative.match(mt, units[-1][1]) if units else None
            if rel and not c.assignee.search(mt, units[-1][1], rel.start("modal")):
                end = _clause_end(seg, u0)
                out += [a for u in units if (a := _make(seg, u, rel.start("modal"), end, "asg.relative"))]
                continue
            strong = c.strong.match(mt, units[-1][1]) if units else None
            if strong and strong.group().strip()[:1].islower():
                end = _clause_end(seg, u0)
                out += [a for u in units if (a := _make(seg, u, units[-1][1], end, "asg.subject"))]
    return out


_GLUED_STOP = regex.compile(r"[.!?](?<=(?:[\p{Ll}\d]{3}|\d)[.!?])(?=\p{Lu}[\p{Ll}\p{M}])", regex.V1)
_OPENER_COMMA = regex.compile(r"[^\S\n]*(?:,|(?!))[^\S\n]*")  # "," (see ``adverbial``)
_LOWER_BEFORE = regex.compile(r"[\p{Ll}\d][^\S\n]+\Z", regex.V1)


def _stops_before_letters(text: str) -> Iterator[int]:
    """Offsets of the stops ("." "!" "?") followed right away by a letter: the only places
    _GLUED_STOP can match (str.isalpha holds every capital it asks for). A str.find per
    mark is much cheaper than a regex scan of the whole text."""
    n = len(text)
    for mark in ".!?":
        i = text.find(mark)
        while i >= 0:
            if i + 1 < n and text[i + 1].isalpha():
                yield i
            i = text.find(mark, i + 1)


@lru_cache(maxsize=1)
def _TITLE_BEFORE() -> "regex.Pattern[str]":
    """A person's title just before a body ("Thủ tướng Chính phủ") makes the body part of it."""
    titles = patterns.load("units")["persons"]["titles"]
    return regex.compile(_NB + _alt(titles) + r"[^\S\n]+\Z", regex.V1)


def _subject_positions(seg: Segmented, c: Cues) -> list[tuple[int, bool, bool]]:
    """Where a subject may start: each sentence start (after an opener such as "Theo đó,"),
    just after a colon inside a sentence, and where a lost full stop shows ("năm 2017.Các
    bộ", "... 6 nhóm Trên cơ sở đó, Văn phòng ..."); with whether plain action verbs count
    and whether a sentence the segmenter missed starts there."""
    mt = seg.match_text
    out = []
    for i in _stops_before_letters(mt):  # rare: a quick scan of the text, then the section check
        m = _GLUED_STOP.match(mt, i)
        if m:
            p = m.end()
            o = c.opener.match(mt, p)
            out.append((o.end() if o else p, False, True))
    for i, w in _occurrences(c.opener_scan, c.opener_inside, mt):
        comma = _OPENER_COMMA.match(mt, i + len(w))
        if comma and _LOWER_BEFORE.search(mt, max(0, i - 4), i):
            out.append((comma.end(), False, True))
    out = [o for o in out if not _skipped(seg, o[0]) and not seg.blocks[seg.block_at(o[0]) or 0].is_heading]
    skips = _has_skips(seg)
    for s in seg.sentences:
        b = seg.blocks[s.block]
        if b.is_heading or (skips and _skipped(seg, s.start)):
            continue
        start = max(s.start, b.body_start) if s.start <= b.body_start else s.start
        plain = bool(b.label) or b.section in _TASK_SECTIONS
        if start < len(mt) and mt[start].isupper() and not mt.startswith(c.opener_heads, start):
            out.append((start, plain, False))  # what c.start would say: nothing to step over
        else:
            # an inline label: "... sau: 1. UBND ... 2. Sở Y tế: ..." on one line
            m = c.start.match(mt, start)
            out.append((m.end(), plain or m.start("label") >= 0, False))
        if mt.find(":", s.start, s.end) < 0:
            continue
        for m in _COLON.finditer(mt, s.start, s.end):
            if c.caption.search(mt, max(s.start, m.start() - 12), m.start()):  # "Ảnh: Công an cung cấp"
                continue
            label = _INLINE_LABEL.match(mt, m.end())
            out.append((label.end() if label else m.end(), True, False))
    return sorted(set(out))


def _sentence_index(seg: Segmented, offset: int) -> int:
    return bisect.bisect_right(seg._sent_starts, offset) - 1


def _skip_deadline(doc: Document, mt: str, pos: int) -> int:
    """"Bộ Nông nghiệp và Phát triển nông thôn trước tháng 6/2017 giải quyết ...": a time
    limit between the body and its verb is stepped over."""
    for d in doc.deadlines:
        if pos <= d.start <= pos + 2 and regex.fullmatch(r"[^\S\n]*", mt[pos:d.start]):
            return regex.compile(r"[^\S\n]*,?").match(mt, d.end).end()
    return pos


def _by_subject(seg: Segmented, doc: Document, c: Cues, cue_starts: list[int]) -> list[Assignment]:
    """``cue_starts``: where cues handed out tasks; a few sentences after one, a body
    followed by a plain action verb ("Bộ Công Thương rà soát, nghiên cứu ...") is a task too."""
    mt = seg.match_text
    out = []
    window = c.directive_window
    cue_sents = sorted({_sentence_index(seg, s) for s in cue_starts})
    for pos, plain, fresh in _subject_positions(seg, c):
        # most positions start no unit; with no cue before them either (cue_sents only
        # grows inside a directive) nothing can come of them
        has_unit = unit_at(mt, pos) is not None
        if not has_unit and not cue_sents:
            continue
        si = _sentence_index(seg, pos)
        # a sentence the segmenter missed follows the cues earlier in its segment
        k = bisect.bisect_right(cue_sents, si) if fresh and any(s < pos for s in cue_starts) else bisect.bisect_left(cue_sents, si)
        directive = k > 0 and si - cue_sents[k - 1] <= window
        units = _units_at(mt, pos, c) if has_unit else []
        if not units:
            # "Kịp thời sửa đổi ... . Tăng cường ...": orders without a subject go on with it
            if directive and (c.verb.match(mt, pos) or c.modal.match(mt, pos)):
                bisect.insort(cue_sents, si)
            continue
        after = _skip_deadline(doc, mt, units[-1][1])
        rel = c.relative.match(mt, after)
        if rel and not c.assignee.search(mt, after, rel.start("modal")):
            end = _subject_end(seg, pos)
            out += [a for u in units if (a := _make(seg, u, rel.start("modal"), end, "asg.relative"))]
            continue
        inline = _UNIT_THEN_TASK.match(mt, after) if plain else None
        if inline:  # "3. Sở Y tế: Phối hợp ...", "2. Sở Nông nghiệp và PTNT a) Chủ trì ..."
            end = _subject_end(seg, pos)
            out += [a for u in units if (a := _make(seg, u, inline.end(), end, "asg.inline"))]
            continue
        labelled = plain
        plain = plain or (directive and not c.past.search(mt, after, min(len(mt), after + 12)))
        # "[yêu cầu ...] Bộ TT&TT chỉ đạo các cơ quan ...": inside a directive, the body
        # that is to direct others has a task of its own
        leads = c.directive_requester.match(mt, after) if directive and not c.past.search(mt, max(0, pos - 12), pos) else None
        if not leads and (c.anaphora.match(mt, after) or c.requester.match(mt, after)
                          or c.not_subject.match(mt, after) and not c.modal.match(mt, after)):
            continue
        modal = c.modal.match(mt, after) or leads
        # in running text a capital after the body means the name goes on ("Cục Quản lý ...")
        if not labelled and _CAPITAL_NEXT.match(mt[after:after + 3]):
            continue
        # "thủ trưởng các cơ quan, đơn vị tham mưu ..." names the office holders of the
        # advising bodies: an office holder takes a task only with a modal ("phải", "cần")
        officer = any(unit_kind(mt, u[0], u[1])[1] == "unit.officer" for u in units)
        if not (modal or (plain and not officer and c.verb.match(mt, after))):
            continue
        if modal and c.requester.match(mt, modal.end()):  # "Chính phủ tiếp tục giao bộ, ngành ..."
            continue
        end = _subject_end(seg, pos)
        if not seg.blocks[seg.block_at(pos)].label:
            end = _continued(seg, end, c)
        found = [a for u in units if (a := _make(seg, u, after, end, "asg.subject"))]
        if found and directive:  # "Bộ A làm X. Bộ B làm Y. ...": the directive runs on
            bisect.insort(cue_sents, si)
        out += found
    return out


def _units_at(mt: str, pos: int, c: Cues) -> list[tuple[int, int]]:
    """The units at ``pos``; a capitalised task verb swallowed into the last one as part of
    a name ("Báo Nghệ An Phối hợp ...") is given back."""
    units = unit_list_at(mt, pos)
    if units:
        u0, u1 = units[-1]
        for m in _INNER_CAPITAL.finditer(mt[u0:u1]):
            p = u0 + m.start()
            v = c.verb.match(mt, p) or c.modal.match(mt, p)
            if v and _TWO_WORDS.search(v.group()):  # "Phối hợp", never a name's "Cần"
                units[-1] = (u0, p - 1)
                break
    return units


def _subject_end(seg: Segmented, pos: int) -> int:
    """A subject's task runs to the end of its sentence; in a list item, on through the
    item (and its wrapped continuation lines) until another sentence names a new subject."""
    end = _clause_end(seg, pos)
    bi = seg.block_at(pos)
    if bi is None or not seg.blocks[bi].label:
        return end
    last = bi
    while last + 1 < len(seg.blocks) and not seg.blocks[last + 1].label and not seg.blocks[last + 1].is_heading \
            and seg.text[seg.blocks[last + 1].start:seg.blocks[last + 1].start + 1].islower():
        last += 1
    limit = seg.blocks[last].end
    for s in seg.sentences[bisect.bisect_left(seg._sent_starts, end):]:
        if s.start >= limit:
            break
        p = _LEAD.match(seg.match_text, s.start).end()
        if unit_list_at(seg.match_text, p):
            break
        end = s.end   # only grows: sentences are in order and do not overlap
    return end


def _by_cue(seg: Segmented, c: Cues, low: Optional[str]) -> list[Assignment]:
    mt = seg.match_text
    out = []
    hits = []
    found: dict = {}
    for m in _find_cues(c.assignee, c.assignee_firsts, mt, low, found):
        hits.append((m.start(), m.end(), m.lastgroup.replace("__", ".")))
    for m in _find_cues(c.giao_cho, c.giao_cho_firsts, mt, low, found):
        hits.append((m.start(), m.end(), m.lastgroup.replace("__", ".")))
    cue_starts = sorted(h[0] for h in hits)
    for cs, ce, rule in hits:
        guard, passive = c.guards.get(rule), c.passive.get(rule)
        if _skipped(seg, cs) or (guard and guard.search(mt, max(0, cs - 12), cs)):
            continue
        if passive and passive.search(mt, max(0, cs - 12), cs) and not _CHO_END.search(mt, cs, ce):
            continue
        sent = seg.sentence_at(cs)
        s0 = sent.start if sent else seg.blocks[seg.block_at(cs) or 0].start
        if c.past_period.search(mt, s0, cs):
            continue
        pos = _CHO.match(mt, c.filler.match(mt, ce).end()).end()
        units = unit_list_at(mt, pos) or _after_adverbial(mt, pos, c)
        if not units or c.anaphora.match(mt, units[-1][1]):
            continue
        task_start = units[-1][1]
        if _ALLOCATION.match(mt, task_start):  # "giao cho Bộ Quốc phòng 208 ha đất": a grant, not a task
            continue
        end = _clause_end(seg, task_start)  # a list joined by ";" may run past the cue's sentence
        nxt = [s for s in cue_starts if task_start < s < end and _COMMA_END.search(mt[max(0, s - 3):s])]
        if nxt:
            end = nxt[0]
        end = _continued(seg, _through_list(seg, cs, end), c)
        out += [a for u in units if (a := _make(seg, u, task_start, end, rule))]
    return out


_CHO_END = regex.compile(r"(?<![\p{L}\p{M}])cho[^\S\n]*\Z", regex.V1)
_ALLOCATION = regex.compile(r"[^\S\n]*\d")


def _continued(seg: Segmented, end: int, c: Cues) -> int:
    """"... thu tiền sử dụng đất. Đồng thời sớm hoàn thiện Kế hoạch ...", "... Hoàn thành
    báo cáo ... chậm nhất ngày 4/2/2017": next sentences that open with a continuation word
    or an order without a subject go on with the task."""
    mt = seg.match_text
    block = seg.block_at(max(0, end - 1))
    for _ in range(c.continuation_window):
        nxt = seg.sentence_at(end + 1) if end + 1 < len(mt) else None
        if nxt is None or nxt.start < end or seg.block_at(nxt.start) != block:
            break
        p = _LEAD.match(mt, nxt.start).end()
        m = c.continuation.match(mt, p)
        if m:
            p = _LEAD.match(mt, m.end()).end()
        elif not (c.verb.match(mt, p) or c.modal.match(mt, p)) or not mt[p:p + 1].isupper():
            break
        if unit_list_at(mt, p) or c.assignee.search(mt, p, nxt.end):  # a new body, or a new request
            break
        end = _clause_end(seg, p)
    return end


def _after_adverbial(mt: str, pos: int, c: Cues) -> list[tuple[int, int]]:
    """The bodies after an adverbial clause that follows a cue, at one of its commas."""
    adv = c.adverbial.match(mt, pos)
    if not adv:
        return []
    for m in _COMMA_IN.finditer(mt, pos, adv.end()):
        units = unit_list_at(mt, m.end())
        if units:
            return units
    return []


def _through_list(seg: Segmented, pos: int, end: int) -> int:
    """"... thực hiện tốt một số nhiệm vụ sau:" hands over the list items that follow, up to
    an item that names its own body."""
    if not _COLON_END.search(seg.match_text[pos:end + 2]):
        return end
    bi = seg.block_at(pos)
    if bi is None:
        return end
    j = bi + 1
    while j < len(seg.blocks) and seg.blocks[j].label and not _skipped(seg, seg.blocks[j].start):
        if seg.blocks[j].is_heading and _heading_units(seg, j):
            break
        p = _LEAD.match(seg.match_text, seg.blocks[j].body_start).end()
        if unit_list_at(seg.match_text, p):
            break
        end = seg.blocks[j].end
        j += 1
    return end


# ---- cooperating bodies, deadlines ---------------------------------------------------

def _cooperating(seg: Segmented, a: Assignment, c: Cues) -> None:
    mt = seg.match_text
    for m in c.coop.finditer(mt, a.start, a.end):
        for u in unit_list_at(mt, m.end()):
            name = clean(seg.text[u[0]:u[1]])
            if name not in a.cooperating and name != a.unit:
                a.cooperating.append(name)


def _split_by_deadlines(seg: Segmented, doc: Document, a: Assignment, cited: list) -> list[Assignment]:
    """One task per deadline when a block carries several ("... xong trước ngày 16/01/2023.
    Báo cáo ..., xong trước ngày 15/02/2023.")."""
    dls = sorted(task_deadlines(doc, a.start, a.end, cited), key=lambda d: d.start)
    if len(dls) < 2:
        if dls:
            a.deadline = dls[0].value
        return [a]
    cuts = []
    for d in dls[:-1]:
        s = seg.sentence_at(d.start)
        if s and s.end < a.end and (not cuts or s.end > cuts[-1]):
            cuts.append(s.end)
    if not cuts:
        a.deadline = dls[0].value
        return [a]
    out = []
    bounds = [a.start] + cuts + [a.end]
    for i in range(len(bounds) - 1):
        s, e = bounds[i], bounds[i + 1]
        s = _LEAD.match(seg.text, s).end() if i else s
        piece = Assignment(start=s, end=e, text=seg.text[s:e], unit=a.unit,
                           task=seg.text[s:e].strip() if i else a.task[: max(0, len(a.task) - (a.end - e))].strip(),
                           cooperating=list(a.cooperating), rule=a.rule)
        inside = [d for d in dls if s <= d.start < e]
        piece.deadline = inside[0].value if inside else None
        out.append(piece)
    return out


def extract(seg: Segmented, doc: Document) -> list[Assignment]:
    c = cues()
    low = _lower(seg.match_text)
    by_cue = _by_cue(seg, c, low)
    by_comma = _comma_subjects(seg, c, low)
    found = (_by_heading(seg) + _by_subject(seg, doc, c, [a.start for a in by_cue + by_comma]) + by_cue
             + by_comma)
    out: list[Assignment] = []
    seen: set[tuple[int, str]] = set()
    cited = cited_spans(doc)
    for a in found:
        key = (a.start, a.unit)
        if key in seen:
            continue
        seen.add(key)
        if _fold(a.unit) in c.not_assigned or c.person_tail.search(unify_tones(a.unit)):
            continue
        _cooperating(seg, a, c)
        out.extend(_split_by_deadlines(seg, doc, a, cited))
    out.sort(key=lambda a: (a.start, a.end))
    return out
