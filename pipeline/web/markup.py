"""Document text -> HTML with every extracted item highlighted by kind.

Items overlap (an assignment sentence holds a deadline and a date), so the text is cut at
every item boundary and each piece is wrapped in one <mark> per item covering it, longest
outermost: the same stacked look as displaCy's span style, without needing tokens. Every
item start carries an anchor (kind-start-end) that search results link to.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from markupsafe import Markup, escape

# kind -> label shown after the item, in nesting preference (outer first at equal length)
LABELS = {"assignments": "TASK", "deadlines": "DEADLINE", "references": "REF", "targets": "TARGET",
          "dates": "DATE", "entities": "ENT"}
ORDER = {k: i for i, k in enumerate(LABELS)}


@dataclass
class Mark:
    start: int
    end: int
    kind: str          # table name: targets, deadlines, ...
    note: str          # short value shown in the label and tooltip
    title: str         # full tooltip

    @property
    def anchor(self) -> str:
        return f"{self.kind}-{self.start}-{self.end}"


def _valid(marks: Iterable[Mark], n: int) -> list[Mark]:
    return [m for m in marks if m.start is not None and m.end is not None and 0 <= m.start < m.end <= n]


def render(text: str, marks: Iterable[Mark]) -> Markup:
    """HTML of ``text`` with ``marks`` as nested <mark> elements and anchors."""
    marks = _valid(marks, len(text))
    cuts = sorted({0, len(text)} | {m.start for m in marks} | {m.end for m in marks})
    starts: dict[int, list[Mark]] = {}
    ends: dict[int, list[Mark]] = {}
    for m in marks:
        starts.setdefault(m.start, []).append(m)
        ends.setdefault(m.end, []).append(m)
    active: list[Mark] = []
    out: list[str] = []
    for a, b in zip(cuts, cuts[1:]):
        for m in starts.get(a, ()):
            active.append(m)
            out.append(f'<a class="anchor" id="{escape(m.anchor)}"></a>')
        active.sort(key=lambda m: (-(m.end - m.start), ORDER[m.kind]))
        piece = str(escape(text[a:b]))
        for m in reversed(active):
            piece = (f'<mark class="k-{m.kind}" data-anchor="{escape(m.anchor)}" '
                     f'title="{escape(m.title)}">{piece}</mark>')
        out.append(piece)
        for m in ends.get(b, ()):
            active.remove(m)
            note = f" {escape(m.note)}" if m.note else ""
            out.append(f'<span class="lbl k-{m.kind}">{LABELS[m.kind]}{note}</span>')
    return Markup("".join(out))


def highlight(text: str, spans: Iterable[tuple[int, int]]) -> Markup:
    """``text`` with the given (start, end) spans wrapped in <mark class="hit">."""
    out: list[str] = []
    pos = 0
    for s, e in sorted(spans):
        if s < pos:
            continue
        out.append(str(escape(text[pos:s])))
        out.append(f'<mark class="hit">{escape(text[s:e])}</mark>')
        pos = e
    out.append(str(escape(text[pos:])))
    return Markup("".join(out))
