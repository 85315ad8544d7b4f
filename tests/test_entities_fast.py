"""The shortcuts in front of the entity regexes give what the plain regexes give, on the
seeds, bench articles (when present) and made-up mixes."""
from __future__ import annotations

import regex
from hypothesis import given, settings, strategies as st

from pipeline.extractors import entities
from pipeline.normalise import unify_tones

from test_entities import BENCH, _PIECES, _texts

_WORD_START = regex.compile(r"(?<![\p{L}\p{M}\d])[\p{L}\p{M}\d]")
_EXTRA = ["ông Ba  và\tCông an, Sở Nông nghiệp và PTNT, cơ  quan của \u00a0UBND, sự\u2003Sở",
          "Chi cục Chăn nuôi và Thú y và Sở Y tế và  Bộ Công an,  và\nBộ, ĐƠN VỊ Ω ΑΣ Σ ² Ⅻ _Sở"]


def _span(m):
    return m and m.span()


def _old_and_name():
    return regex.compile(entities._SP + r"và" + entities._SP + r"(?=\p{Lu})", regex.V1)


def _check_offsets(t: str) -> None:
    """Every shortcut against its regex at every offset of ``t``."""
    g = entities.grammar()
    old_and = _old_and_name()
    for pos in range(len(t) + 1):
        a, b = g.sp.match(t, pos), g.sp.rx.match(t, pos)
        assert (a and a.end()) == (b and b.end()), (t[pos:pos + 20], pos)
        assert _span(g.name_word.match(t, pos)) == _span(g.name_word.rx.match(t, pos))
        assert _span(g.and_name.match(t, pos)) == _span(old_and.match(t, pos))
        lo = max(0, pos - 8)
        assert _span(g.not_after.search(t, lo, pos)) == _span(g.not_after.rx.search(t, lo, pos)), t[lo:pos]


def test_shortcuts_agree_with_their_regexes_on_real_texts():
    for t in _texts(40) + [unify_tones(t) for t in _EXTRA]:
        _check_offsets(t)


def test_not_upper_never_turns_away_an_upper_case_letter():
    lu = regex.compile(r"\p{Lu}")
    bad = [hex(i) for i in range(0x110000) if entities._not_upper(chr(i)) and lu.match(chr(i))]
    assert bad == []
    assert entities._not_upper("a") and entities._not_upper(" ") and not entities._not_upper("Đ")


def test_blanks_are_python_spaces_and_never_letters():
    """What the blank and not-after shortcuts rest on: every character ``regex`` calls a
    blank is a space for Python, and none is a letter or digit."""
    blank = regex.compile(r"\s")
    chars = [chr(i) for i in range(0x110000) if blank.match(chr(i))]
    assert " " in chars and "\u00a0" in chars
    assert [c for c in chars if not c.isspace() or c.isalnum()] == []


def _plain_iter_units(t: str, start: int = 0, stop=None) -> list:
    """``iter_units`` over every candidate word, without the kept start list."""
    out, pos = [], start
    for c in entities._candidates(t, entities.grammar().first["unit"], start, stop):
        if c < pos:
            continue
        u = entities.unit_at(t, c)
        if u and u[1] > u[0]:
            out.append(u)
            pos = u[1]
    return out


def test_kept_unit_starts_drop_only_offsets_that_start_no_unit():
    g = entities.grammar()
    dropped = 0
    for t in _texts() + [unify_tones(t) for t in _EXTRA]:
        t = t + " "  # a fresh string: a fresh memo
        kept = set(entities._unit_starts(t))
        for c in entities._candidates(t, g.first["unit"]):
            if c not in kept:
                dropped += 1
                assert entities.unit_at(t, c) is None, t[c:c + 40]
        assert list(entities.iter_units(t)) == _plain_iter_units(t)
        n = len(t)
        for a, b in ((0, n // 3), (n // 3, 2 * n // 3), (n // 2, n)):
            assert list(entities.iter_units(t, a, b)) == _plain_iter_units(t, a, b)
    assert dropped > 1000 or not BENCH.exists()  # the shortcut is in use (the bench gives cases)


def _plain_read_name(t: str, pos: int, g) -> int | None:
    """``_read_name`` with the head test before the capital-letter test, as first written."""
    end, n, p = None, 0, pos
    while n < 4:
        w = entities._first(t, p)
        if w in g.first["headish"] and g.headish.match(t, p, w) and (n == 0 or not g.needs.match(t, p, w)):
            break
        m = g.name_word.rx.match(t, p)
        if not m:
            break
        end, n = m.end(), n + 1
        s = g.sp.rx.match(t, end)
        if not s:
            break
        p = s.end()
    if n == 1:
        word = t[pos:end]
        abbr = sum(c.isupper() for c in word) > 1 or entities._ROMAN.fullmatch(word) is not None
        s = g.sp.rx.match(t, end)
        if not abbr and s and t[s.end():s.end() + 1].islower():
            return None
    return end


def test_names_read_as_before():
    g = entities.grammar()
    for t in _texts(60) + [unify_tones(t) for t in _EXTRA]:
        for m in _WORD_START.finditer(t):
            assert entities._read_name(t, m.start(), g) == _plain_read_name(t, m.start(), g), t[m.start():][:40]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(_PIECES + ["và", "Và", "của", "sự", "\u00a0", "Σ", "Công", "an", "đơn", "vị"]),
                max_size=30))
def test_shortcuts_agree_on_any_mix(pieces):
    t = unify_tones("".join(pieces))
    _check_offsets(t)
    g = entities.grammar()
    for pos in range(len(t) + 1):
        assert entities._read_name(t, pos, g) == _plain_read_name(t, pos, g), (t, pos)
    if len(t.lower()) == len(t):
        assert list(entities.iter_units(t)) == _plain_iter_units(t)
