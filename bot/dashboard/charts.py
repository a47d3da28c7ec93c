"""Small server-side SVG charts for the report pages: no JavaScript, nothing from another origin, and
the same picture on screen and on paper. Every text in a chart is escaped here; colours come from
classes styled in dashboard.css (a strict CSP forbids inline style attributes).

Each chart is an <svg role="img"> with a <title> summary; the page shows the figures in a table too.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Optional, Sequence

from markupsafe import Markup, escape


def _number(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _percent(value: Optional[Decimal]) -> str:
    return "–" if value is None else f"{value:.2f}".replace(".", ",") + " %"


@dataclass(frozen=True)
class TrendPoint:
    label: str  # "T1" … "T12"
    returned: int
    percent: Optional[Decimal]  # satisfaction (SIPAS index), None when no answers


def trend_chart(points: Sequence[TrendPoint], title: str, bars_label: str, line_label: str) -> Markup:
    """Bars: surveys returned per month (left axis); line and dots: satisfaction % (right axis, 0–100)."""
    width, height = 720, 280
    left, right, top, bottom = 48, 48, 20, 44
    plot_w, plot_h = width - left - right, height - top - bottom
    # the count axis ends on a multiple of 4 so its five ticks are whole numbers
    top_count = max(4, -(-max([p.returned for p in points] + [1]) // 4) * 4)
    step = plot_w / max(len(points), 1)
    parts = [f'<svg class="chart chart-trend" viewBox="0 0 {width} {height}" role="img" '
             f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">', f"<title>{escape(title)}</title>"]
    for fraction in (0, 0.25, 0.5, 0.75, 1):
        y = top + plot_h * (1 - fraction)
        parts.append(f'<line class="grid" x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}"/>')
        parts.append(f'<text class="axis" x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">'
                     f"{_number(top_count * fraction)}</text>")
        parts.append(f'<text class="axis" x="{left + plot_w + 6}" y="{y + 4:.1f}">{int(fraction * 100)}%</text>')
    line: list[str] = []
    for index, point in enumerate(points):
        x = left + step * index
        bar_h = plot_h * point.returned / top_count
        parts.append(f'<rect class="bar" x="{x + step * 0.18:.1f}" y="{top + plot_h - bar_h:.1f}" '
                     f'width="{step * 0.64:.1f}" height="{bar_h:.1f}"><title>{escape(point.label)}: '
                     f"{point.returned} {escape(bars_label)}</title></rect>")
        parts.append(f'<text class="axis" x="{x + step / 2:.1f}" y="{height - bottom + 16}" text-anchor="middle">'
                     f"{escape(point.label)}</text>")
        if point.percent is not None:
            y = top + plot_h * (1 - float(point.percent) / 100)
            line.append(f"{x + step / 2:.1f},{y:.1f}")
            parts.append(f'<circle class="dot" cx="{x + step / 2:.1f}" cy="{y:.1f}" r="4"><title>'
                         f"{escape(point.label)}: {escape(_percent(point.percent))} {escape(line_label)}"
                         "</title></circle>")
    if len(line) > 1:
        parts.append(f'<polyline class="line" points="{" ".join(line)}"/>')
    parts.append(f'<g class="legend"><rect class="bar" x="{left}" y="{height - 18}" width="12" height="12"/>'
                 f'<text x="{left + 18}" y="{height - 8}">{escape(bars_label)}</text>'
                 f'<circle class="dot" cx="{left + 236}" cy="{height - 12}" r="5"/>'
                 f'<text x="{left + 248}" y="{height - 8}">{escape(line_label)}</text></g>')
    parts.append("</svg>")
    return Markup("".join(parts))


@dataclass(frozen=True)
class RankRow:
    label: str
    percent: Optional[Decimal]
    detail: str  # e.g. "45/50"


def ranking_chart(rows: Sequence[RankRow], title: str) -> Markup:
    """Horizontal bars, one per unit, best first, 0–100 %."""
    label_w, bar_w, row_h, width = 260, 360, 26, 720
    height = 16 + row_h * max(len(rows), 1)
    parts = [f'<svg class="chart chart-ranking" viewBox="0 0 {width} {height}" role="img" '
             f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">', f"<title>{escape(title)}</title>"]
    for index, row in enumerate(rows):
        y = 8 + row_h * index
        label = row.label if len(row.label) <= 38 else row.label[:37] + "…"
        length = 0 if row.percent is None else bar_w * float(row.percent) / 100
        parts.append(f'<text class="label" x="{label_w - 8}" y="{y + 16}" text-anchor="end">{escape(label)}</text>')
        parts.append(f'<rect class="track" x="{label_w}" y="{y + 3}" width="{bar_w}" height="{row_h - 8}"/>')
        parts.append(f'<rect class="bar" x="{label_w}" y="{y + 3}" width="{length:.1f}" height="{row_h - 8}">'
                     f"<title>{escape(row.label)}: {escape(_percent(row.percent))} ({escape(row.detail)})"
                     "</title></rect>")
        parts.append(f'<text class="value" x="{label_w + bar_w + 8}" y="{y + 16}">{escape(_percent(row.percent))} '
                     f"({escape(row.detail)})</text>")
    parts.append("</svg>")
    return Markup("".join(parts))


def levels_chart(counts: Sequence[tuple[str, str, int]], title: str) -> Markup:
    """One stacked bar: (css class, label, count) for Rất hài lòng / Hài lòng / Không hài lòng."""
    width, height = 720, 56
    total = sum(c for _, _, c in counts)
    parts = [f'<svg class="chart chart-levels" viewBox="0 0 {width} {height}" role="img" '
             f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">', f"<title>{escape(title)}</title>"]
    x = 0.0
    for css, label, count in counts:
        share = count / total if total else 0
        parts.append(f'<rect class="{escape(css)}" x="{x:.1f}" y="0" width="{width * share:.1f}" height="28">'
                     f"<title>{escape(label)}: {count}</title></rect>")
        x += width * share
    x = 0.0
    for css, label, count in counts:
        parts.append(f'<rect class="{escape(css)}" x="{x:.1f}" y="38" width="12" height="12"/>'
                     f'<text x="{x + 18:.1f}" y="48">{escape(label)}: {count}</text>')
        x += 240
    if not total:
        parts.append('<rect class="track" x="0" y="0" width="720" height="28"/>')
    parts.append("</svg>")
    return Markup("".join(parts))
