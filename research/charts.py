"""Line charts as server-rendered SVG (no JavaScript; the page shows the same figures as a
table beside it).  Every text put into the SVG is escaped; colours are presentation
attributes, not inline styles, so the site's Content-Security-Policy allows them."""

from __future__ import annotations

import math

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# Distinguishable in print and for common colour blindness, each also with its own dashes.
COLOURS = ("#1f5fa8", "#c4401c", "#2b8a3e", "#7b3fa0", "#8a6d00")
DASHES = ("", "6 3", "2 3", "8 3 2 3", "4 4")
WIDTH, HEIGHT = 720, 300
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 16, 40


def _ticks(high: float) -> list[float]:
    """Round gridline values from 0 to at least ``high`` (about four steps)."""
    if high <= 0:
        return [0.0, 1.0]
    raw = high / 4
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    steps = max(1, math.ceil(high / step - 1e-9))
    return [round(step * i, 12) for i in range(steps + 1)]


def _format(value: float, unit: str) -> str:
    if unit == "%":
        return f"{value * 100:.3g}%"
    return f"{value:,.4g}"


def line_chart(keys: list[str], series: list[tuple[str, list[float | None]]], *,
               title: str, unit: str = "") -> SafeString:
    """An SVG line chart: ``keys`` along x (years), one line per (label, values)."""
    values = [v for _label, vs in series for v in vs if v is not None]
    high = max(values) if values else 0
    ticks = _ticks(high)
    top = ticks[-1] or 1
    inner_w, inner_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    n = len(keys)

    def x(i: int) -> float:
        return LEFT + (inner_w * i / (n - 1) if n > 1 else inner_w / 2)

    def y(v: float) -> float:
        return TOP + inner_h - inner_h * v / top

    out = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    for tick in ticks:
        ty = y(tick)
        out.append(f'<line x1="{LEFT}" y1="{ty:.1f}" x2="{WIDTH - RIGHT}" y2="{ty:.1f}" '
                   'stroke="#d0d0d0" stroke-width="1"/>')
        out.append(f'<text x="{LEFT - 6}" y="{ty + 4:.1f}" text-anchor="end" font-size="11" '
                   f'fill="#444">{escape(_format(tick, unit))}</text>')
    step = max(1, round(n / 12)) if n else 1
    for i, key in enumerate(keys):
        if i % step == 0 or i == n - 1:
            out.append(f'<text x="{x(i):.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle" '
                       f'font-size="11" fill="#444">{escape(key)}</text>')
    for index, (label, vs) in enumerate(series):
        colour, dash = COLOURS[index % len(COLOURS)], DASHES[index % len(DASHES)]
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        # A missing value (no base statements that year) breaks the line.
        runs, run = [], []
        for i, v in enumerate(vs):
            if v is None:
                if run:
                    runs.append(run)
                run = []
            else:
                run.append(f"{x(i):.1f},{y(v):.1f}")
        if run:
            runs.append(run)
        out.append(f'<g><title>{escape(label)}</title>')
        for points in runs:
            if len(points) == 1:
                px, py = points[0].split(",")
                out.append(f'<circle cx="{px}" cy="{py}" r="2.5" fill="{colour}"/>')
            else:
                out.append(f'<polyline points="{" ".join(points)}" fill="none" '
                           f'stroke="{colour}" stroke-width="2"{dash_attr}/>')
        out.append("</g>")
    out.append(f'<line x1="{LEFT}" y1="{TOP + inner_h}" x2="{WIDTH - RIGHT}" '
               f'y2="{TOP + inner_h}" stroke="#444" stroke-width="1"/>')
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308 - every text above is escaped


def legend(labels: list[str]) -> list[dict]:
    """Colour and dashes of each series, for the legend beside the chart."""
    return [{"label": label, "colour": COLOURS[i % len(COLOURS)],
             "dash": DASHES[i % len(DASHES)]} for i, label in enumerate(labels)]
