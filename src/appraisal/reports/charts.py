"""Charts for the reports, drawn as SVG by plain functions (no web, no database): a bar chart of
section averages and a line of a person's quarters. WeasyPrint draws inline SVG as vectors,
so the charts stay sharp when printed and their labels stay text that can be searched.

Each function takes plain numbers and returns the SVG markup; labels are escaped here."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

FONT = "AppraisalSans, AppraisalSansFull, AppraisalRare"
INK, GRID, BAR, MARK = "#222", "#bbb", "#5b7fb0", "#b03a2e"


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _text(x: float, y: float, content: str, *, size: float = 9, anchor: str = "middle", fill: str = INK) -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-family="{FONT}" font-size="{size}" text-anchor="{anchor}" '
            f'fill="{fill}">{escape(content)}</text>')


def axis_ticks(low: float, high: float, steps: int = 4) -> list[float]:
    """Evenly spaced values from `low` to `high` for the grid lines."""
    if high <= low:
        return [low]
    return [low + (high - low) * i / steps for i in range(steps + 1)]


def bar_chart(items: Sequence[tuple[str, float | None]], *, low: float = 0, high: float = 100,
              reference: float | None = None, reference_label: str = "", width: int = 480, height: int = 220) -> str:
    """Vertical bars, one per (label, value); a missing value draws no bar but keeps its label.
    `reference` draws a dashed line across (e.g. the office average)."""
    left, right, top, bottom = 34, 60 if reference_label else 8, 14, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    span = (high - low) or 1

    def y_of(v: float) -> float:
        return top + plot_h * (1 - (min(max(v, low), high) - low) / span)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" role="img">']
    for tick in axis_ticks(low, high):
        y = y_of(tick)
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="{GRID}" stroke-width="0.5"/>')
        parts.append(_text(left - 4, y + 3, _num(tick), size=8, anchor="end"))
    n = max(len(items), 1)
    slot = plot_w / n
    bar_w = min(slot * 0.6, 40)
    for i, (label, value) in enumerate(items):
        cx = left + slot * (i + 0.5)
        if value is not None:
            y = y_of(value)
            parts.append(f'<rect x="{cx - bar_w / 2:.1f}" y="{y:.1f}" width="{bar_w:.1f}" '
                         f'height="{top + plot_h - y:.1f}" fill="{BAR}"/>')
            parts.append(_text(cx, y - 3, _num(value), size=8))
        parts.append(_text(cx, top + plot_h + 13, label, size=8))
    if reference is not None:
        y = y_of(reference)
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="{MARK}" '
                     f'stroke-width="1" stroke-dasharray="4 3"/>')
        if reference_label:  # right of the plot, so it never covers a bar's value
            parts.append(_text(width - right + 4, y + 3, f"{reference_label} {_num(reference)}", size=8, anchor="start",
                               fill=MARK))
    parts.append(f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}" stroke="{INK}" '
                 f'stroke-width="0.8"/>')
    parts.append("</svg>")
    return "".join(parts)


def trend_chart(points: Sequence[tuple[str, float | None]], *, low: float = 50, high: float = 100,
                width: int = 360, height: int = 150, ticks: int = 5) -> str:
    """A line through the values in order (a person's quarters); a missing value breaks the line
    (the person was not appraised then) instead of dropping to 0."""
    left, right, top, bottom = 30, 12, 14, 24
    plot_w, plot_h = width - left - right, height - top - bottom
    span = (high - low) or 1
    n = max(len(points), 1)

    def x_of(i: int) -> float:
        return left + plot_w * (i + 0.5) / n

    def y_of(v: float) -> float:
        return top + plot_h * (1 - (min(max(v, low), high) - low) / span)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" role="img">']
    for tick in axis_ticks(low, high, ticks):
        y = y_of(tick)
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="{GRID}" stroke-width="0.5"/>')
        parts.append(_text(left - 4, y + 3, _num(tick), size=8, anchor="end"))
    segment: list[str] = []
    segments: list[list[str]] = []
    for i, (_label, value) in enumerate(points):
        if value is None:
            if segment:
                segments.append(segment)
            segment = []
            continue
        segment.append(f"{x_of(i):.1f},{y_of(value):.1f}")
    if segment:
        segments.append(segment)
    for seg in segments:
        if len(seg) > 1:
            parts.append(f'<polyline points="{" ".join(seg)}" fill="none" stroke="{BAR}" stroke-width="1.6"/>')
    for i, (label, value) in enumerate(points):
        if value is not None:
            parts.append(f'<circle cx="{x_of(i):.1f}" cy="{y_of(value):.1f}" r="2.6" fill="{BAR}"/>')
            parts.append(_text(x_of(i), y_of(value) - 5, _num(value), size=8))
        parts.append(_text(x_of(i), top + plot_h + 14, label, size=8))
    parts.append("</svg>")
    return "".join(parts)


def stacked_bars(rows: Sequence[tuple[str, Sequence[tuple[int, str, str]]]], *, width: int = 560,
                 row_height: int = 22) -> str:
    """Horizontal bars, one per (label, [(count, colour, name), …]), each split by its counts and
    scaled to the largest total: the leader's view of open matters by light per section."""
    left, right, top = 96, 40, 6
    height = top * 2 + row_height * max(len(rows), 1)
    longest = max((sum(c for c, _colour, _name in parts) for _label, parts in rows), default=0) or 1
    plot_w = width - left - right
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" role="img">']
    for i, (label, parts) in enumerate(rows):
        y = top + i * row_height
        out.append(_text(left - 6, y + row_height * 0.65, label, size=12, anchor="end"))
        x = float(left)
        for count, colour, name in parts:
            if count:
                w = plot_w * count / longest
                out.append(f'<rect x="{x:.1f}" y="{y + 3}" width="{w:.1f}" height="{row_height - 6}" fill="{colour}">'
                           f'<title>{escape(name)} {count}</title></rect>')
                x += w
        out.append(_text(x + 4, y + row_height * 0.65, str(sum(c for c, _colour, _name in parts)), size=11, anchor="start"))
    out.append("</svg>")
    return "".join(out)
