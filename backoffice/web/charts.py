"""Small inline SVG charts, drawn on the server: no script, readable at a glance.

Each chart is decoration for sighted readers (``aria-hidden``); the page shows the same figures in a
table next to it, which is what screen readers read. Colours are the Okabe-Ito palette (safe for the
common colour-vision deficiencies), and every series also has a text label in the legend.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

__all__ = ["PALETTE", "Series", "day_bars"]

PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9")
_HEIGHT = 180
_LEFT = 36
_BOTTOM = 40


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[int]  # one per day, in the order of the days


def day_bars(days: Sequence[str], series: Sequence[Series], empty_text: str) -> str:
    """Grouped bars: one group per day, one bar per series, a y-axis with the largest value."""
    if not days or not series:
        return f'<p class="muted">{escape(empty_text)}</p>'
    top = max((max(s.values, default=0) for s in series), default=0) or 1
    bar = 10 if len(days) * len(series) < 60 else 4
    group = bar * len(series) + 8
    width = _LEFT + group * len(days) + 10
    parts = [
        f'<svg class="chart" role="img" aria-hidden="true" viewBox="0 0 {width} {_HEIGHT + _BOTTOM}" '
        f'width="{width}" height="{_HEIGHT + _BOTTOM}" xmlns="http://www.w3.org/2000/svg">',
        f'<line x1="{_LEFT}" y1="{_HEIGHT}" x2="{width}" y2="{_HEIGHT}" stroke="#444"/>',
        f'<text x="{_LEFT - 4}" y="12" text-anchor="end" font-size="11" fill="#222">{top}</text>',
        f'<text x="{_LEFT - 4}" y="{_HEIGHT}" text-anchor="end" font-size="11" fill="#222">0</text>',
    ]
    for d, day in enumerate(days):
        x0 = _LEFT + d * group + 4
        for s, one in enumerate(series):
            value = one.values[d] if d < len(one.values) else 0
            height = round(value / top * (_HEIGHT - 16))
            colour = PALETTE[s % len(PALETTE)]
            parts.append(
                f'<rect x="{x0 + s * bar}" y="{_HEIGHT - height}" width="{bar - 1}" height="{height}" fill="{colour}">'
                f"<title>{escape(day)} {escape(one.name)}: {value}</title></rect>"
            )
        if len(days) <= 14 or d % max(1, len(days) // 7) == 0:
            parts.append(f'<text x="{x0}" y="{_HEIGHT + 14}" font-size="10" fill="#222">{escape(day[5:])}</text>')
    parts.append("</svg>")
    return "".join(parts)
