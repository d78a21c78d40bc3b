"""Charts as inline SVG, drawn here by hand: a few kilobytes, no library, no script, and
every text from data escaped (markupsafe). Each chart has `role="img"`, a <title> and a
<desc> and scales with the page (viewBox, width 100 %), so it stays sharp at 200 % zoom;
the template puts a data table under each one for screen readers and for print."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from markupsafe import Markup, escape

WIDTH = 760
BAR_ROW, BAR_LABEL, BAR_GAP = 24, 230, 6
LABEL_CHARS = (
    32  # a longer agency name is cut (the full name is in the bar's tooltip and the table)
)
LINE_HEIGHT, MARGIN_LEFT, MARGIN_BOTTOM, MARGIN_TOP = 240, 48, 34, 12
MAX_X_LABELS = 8  # run dates written under the axis; the others are ticks only
MAX_MARKERS = 31  # a dot per run up to a month of nightly runs; beyond, the line alone
FONT = 'font-family="sans-serif" font-size="12"'


@dataclass(frozen=True)
class Series:
    key: str
    label: str
    colour: str
    dash: str = ""  # told apart without colour too (print in black and white)


def _open(chart_id: str, height: int, title: str, desc: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'width="100%" role="img" aria-labelledby="{chart_id}-t {chart_id}-d" '
        f'preserveAspectRatio="xMinYMin meet" class="chart">',
        f'<title id="{chart_id}-t">{escape(title)}</title>',
        f'<desc id="{chart_id}-d">{escape(desc)}</desc>',
    ]


def bar_chart(
    chart_id: str, bars: Sequence[dict], series: Sequence[Series], title: str, desc: str
) -> Markup:
    """Horizontal stacked bars, one row per record (already sorted), a count at the end."""
    height = max(1, len(bars)) * BAR_ROW + 2 * BAR_GAP
    top = max([sum(b[s.key] for s in series) for b in bars] + [1])
    scale = (WIDTH - BAR_LABEL - 50) / top
    out = _open(chart_id, height, title, desc)
    for i, bar in enumerate(bars):
        y = BAR_GAP + i * BAR_ROW
        out.append(
            f'<text x="{BAR_LABEL - 6}" y="{y + BAR_ROW / 2 + 4:.0f}" text-anchor="end" '
            f"{FONT}>{escape(_cut(str(bar['name'])))}<title>{escape(bar['name'])}</title></text>"
        )
        x = float(BAR_LABEL)
        for s in series:
            w = bar[s.key] * scale
            if w > 0:
                out.append(
                    f'<rect x="{x:.1f}" y="{y + 3}" width="{w:.1f}" height="{BAR_ROW - 6}" '
                    f'fill="{s.colour}"><title>{escape(s.label)}: {bar[s.key]}</title></rect>'
                )
            x += w
        total = sum(bar[s.key] for s in series)
        out.append(f'<text x="{x + 5:.1f}" y="{y + BAR_ROW / 2 + 4:.0f}" {FONT}>{total}</text>')
    out.append("</svg>")
    return Markup("".join(out))


def _cut(text: str) -> str:
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1] + "…"


def _nice_max(value: float) -> float:
    """The top of a count axis: four whole-number steps of 1, 2, 2.5 or 5 x 10^k."""
    quarter = max(value, 1) / 4
    k = 10 ** math.floor(math.log10(quarter))
    steps = [m * k * t for t in (1, 10) for m in (1, 2, 2.5, 5)]
    return 4 * min(s for s in steps if s >= quarter and float(s).is_integer())


def line_chart(
    chart_id: str,
    points: Sequence[dict],
    series: Sequence[Series],
    title: str,
    desc: str,
    *,
    percent: bool = False,
    date_text=lambda d: d.isoformat(),
) -> Markup:
    """Lines over run dates (evenly spaced: runs, not calendar time). A missing value breaks
    the line. Up to MAX_X_LABELS dates are written under the axis (the last always), dots
    mark each run up to MAX_MARKERS runs."""
    n = len(points)
    values = [p[s.key] for p in points for s in series if p[s.key] is not None]
    y_max = 1.0 if percent else _nice_max(max(values + [1]))
    plot_w, plot_h = WIDTH - MARGIN_LEFT - 40, LINE_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM
    legend_h = 18 * len(series) + 4  # one line per series: no guess at text widths

    def x_at(i: int) -> float:
        return MARGIN_LEFT + (plot_w * i / (n - 1) if n > 1 else plot_w / 2)

    def y_at(v: float) -> float:
        return legend_h + MARGIN_TOP + plot_h * (1 - v / y_max)

    out = _open(chart_id, LINE_HEIGHT + legend_h, title, desc)
    for k in range(5):  # horizontal grid lines and the value axis
        v = y_max * k / 4
        y = y_at(v)
        text = f"{round(100 * v)}%" if percent else f"{v:g}"
        out.append(
            f'<line x1="{MARGIN_LEFT}" x2="{MARGIN_LEFT + plot_w}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="#ddd"/><text x="{MARGIN_LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" '
            f"{FONT}>{text}</text>"
        )
    step = max(1, math.ceil(n / MAX_X_LABELS))
    base = legend_h + MARGIN_TOP + plot_h
    for i, p in enumerate(points):
        x = x_at(i)
        out.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{base}" y2="{base + 4}" stroke="#888"/>')
        if (n - 1 - i) % step == 0:  # counted from the last run, which is always labelled
            day = p["as_of"]
            text = date_text(day) if isinstance(day, date) else str(day)
            out.append(
                f'<text x="{x:.1f}" y="{base + 18}" text-anchor="middle" {FONT}>'
                f"{escape(text)}</text>"
            )
    for s in series:
        for segment in _segments(points, s.key):
            d = " ".join(
                f"{'M' if j == 0 else 'L'}{x_at(i):.1f},{y_at(v):.1f}"
                for j, (i, v) in enumerate(segment)
            )
            dash = f' stroke-dasharray="{s.dash}"' if s.dash else ""
            out.append(f'<path d="{d}" fill="none" stroke="{s.colour}" stroke-width="2.5"{dash}/>')
            if n <= MAX_MARKERS or len(segment) == 1:
                out += [
                    f'<circle cx="{x_at(i):.1f}" cy="{y_at(v):.1f}" r="3.5" fill="{s.colour}"/>'
                    for i, v in segment
                ]
    for k, s in enumerate(series):  # the legend, on top, a line each
        dash = f' stroke-dasharray="{s.dash}"' if s.dash else ""
        y = 10 + 18 * k
        out.append(
            f'<line x1="{MARGIN_LEFT}" x2="{MARGIN_LEFT + 24}" y1="{y}" y2="{y}" '
            f'stroke="{s.colour}" stroke-width="3"{dash}/><text x="{MARGIN_LEFT + 30}" '
            f'y="{y + 4}" {FONT}>{escape(s.label)}</text>'
        )
    out.append("</svg>")
    return Markup("".join(out))


def _segments(points: Sequence[dict], key: str) -> list[list[tuple[int, float]]]:
    """Runs of consecutive points that have a value (a None breaks the line)."""
    segments: list[list[tuple[int, float]]] = [[]]
    for i, p in enumerate(points):
        if p[key] is None:
            if segments[-1]:
                segments.append([])
        else:
            segments[-1].append((i, float(p[key])))
    return [s for s in segments if s]
