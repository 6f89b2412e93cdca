"""The budget chart: contributions due for the active roster against what was paid, by month,
as an SVG drawn from the numbers (no plotting library: a few bars and labels)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from xml.sax.saxutils import escape

WIDTH, HEIGHT = 680, 230
LEFT, BOTTOM, TOP = 70, 40, 24


def _millions(value: float, decimal: str) -> str:
    """An axis value in millions: whole when it is, else one decimal (``12,5`` in Indonesian)."""
    amount = value / 1_000_000
    if amount == int(amount):
        return f"{int(amount):,}".replace(",", "." if decimal == "," else ",")
    return f"{amount:.1f}".replace(".", decimal)


def budget_chart(months: Sequence[dict[str, Any]], month_label: Any, due_label: str,
                 paid_label: str, millions: str = "jt", decimal: str = ",") -> str:
    """Two bars per month (due, paid) on one scale, with the axis in millions of rupiah."""
    if not months:
        return ""
    top = max(max(int(m["due"]), int(m["paid"])) for m in months) or 1
    plot_h = HEIGHT - BOTTOM - TOP
    slot = (WIDTH - LEFT - 10) / len(months)
    bar = max(2.0, slot * 0.34)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
             f'viewBox="0 0 {WIDTH} {HEIGHT}" font-family="DejaVu Sans" font-size="9">']
    for step in range(5):
        value = top * step / 4
        y = HEIGHT - BOTTOM - plot_h * step / 4
        parts.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - 10}" y2="{y:.1f}" '
                     f'stroke="#ddd" stroke-width="0.6"/>')
        parts.append(f'<text x="{LEFT - 6}" y="{y + 3:.1f}" text-anchor="end">'
                     f'{_millions(value, decimal)} {escape(millions)}</text>')
    for index, month in enumerate(months):
        x = LEFT + index * slot + slot * 0.14
        for offset, key, colour in ((0.0, "due", "#9aa5b1"), (bar + 1, "paid", "#2f7d4a")):
            height = plot_h * int(month[key]) / top
            parts.append(f'<rect x="{x + offset:.1f}" y="{HEIGHT - BOTTOM - height:.1f}" '
                         f'width="{bar:.1f}" height="{height:.1f}" fill="{colour}"/>')
        label = escape(str(month_label(month["month"])))
        parts.append(f'<text x="{x + bar:.1f}" y="{HEIGHT - BOTTOM + 12}" text-anchor="middle" '
                     f'font-size="7.5">{label.split(" ")[0][:3]}</text>')
    legend_y = 12
    for offset, colour, text in ((LEFT, "#9aa5b1", due_label), (LEFT + 120, "#2f7d4a",
                                                                  paid_label)):
        parts.append(f'<rect x="{offset}" y="{legend_y - 8}" width="10" height="9" '
                     f'fill="{colour}"/>')
        parts.append(f'<text x="{offset + 14}" y="{legend_y}">{escape(text)}</text>')
    parts.append("</svg>")
    return "".join(parts)
