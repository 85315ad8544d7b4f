"""Deadlines -> an inline SVG timeline, drawn on the server (no script, no CDN).

One column per month (per year when the deadlines span more than four years), one dot per
deadline stacked in its column; each dot links to the deadline in its document.
"""
from __future__ import annotations

from typing import Iterable
from urllib.parse import quote

from markupsafe import Markup, escape

MAX_STACK = 30
DOT = 12
LEFT, TOP, BOTTOM = 30, 16, 40


def _bucket(date_lo: str, by_year: bool) -> int:
    year, month = int(date_lo[:4]), int(date_lo[5:7])
    return year if by_year else year * 12 + month - 1


def _label(bucket: int, by_year: bool) -> str:
    return str(bucket) if by_year else f"{bucket % 12 + 1:02d}/{bucket // 12}"


def svg(deadlines: Iterable[dict], width: int = 960) -> Markup:
    """``deadlines``: dicts with date_lo, value, doc_id, text, anchor."""
    rows = [d for d in deadlines if d.get("date_lo")]
    if not rows:
        return Markup('<p class="empty">No dated deadlines.</p>')
    months = [_bucket(r["date_lo"], False) for r in rows]
    by_year = max(months) - min(months) > 48
    buckets: dict[int, list[dict]] = {}
    for r in sorted(rows, key=lambda r: (r["date_lo"], r["doc_id"])):
        buckets.setdefault(_bucket(r["date_lo"], by_year), []).append(r)
    lo, hi = min(buckets), max(buckets)
    span = hi - lo + 1
    step = max(DOT + 4, (width - LEFT * 2) / span)
    full_width = int(LEFT * 2 + step * span)
    stack = min(MAX_STACK, max(len(v) for v in buckets.values()))
    height = TOP + stack * DOT + BOTTOM
    axis_y = TOP + stack * DOT + 6
    parts = [f'<svg class="timeline" xmlns="http://www.w3.org/2000/svg" width="{full_width}" '
             f'height="{height}" viewBox="0 0 {full_width} {height}" role="img" '
             f'aria-label="deadlines timeline">',
             f'<line x1="{LEFT}" y1="{axis_y}" x2="{full_width - LEFT}" y2="{axis_y}" class="axis"/>']
    label_every = max(1, int(60 // step) + 1)
    for i, b in enumerate(range(lo, hi + 1)):
        x = LEFT + step * i + step / 2
        if i % label_every == 0 or b in buckets:
            parts.append(f'<text x="{x:.1f}" y="{axis_y + 16}" class="tick">{escape(_label(b, by_year))}</text>')
        for j, r in enumerate(buckets.get(b, [])[:MAX_STACK]):
            y = axis_y - 8 - j * DOT
            href = f"/doc/{quote(r['doc_id'], safe='/')}#{r['anchor']}"
            tip = f"{r.get('value')} · {r['doc_id']} · {r.get('text') or ''}"
            parts.append(f'<a href="{escape(href)}"><circle cx="{x:.1f}" cy="{y}" r="5" class="dot">'
                         f'<title>{escape(tip)}</title></circle></a>')
        extra = len(buckets.get(b, [])) - MAX_STACK
        if extra > 0:
            parts.append(f'<text x="{x:.1f}" y="{TOP - 4}" class="more">+{extra}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
