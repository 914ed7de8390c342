"""The dashboard's chart of responses over time: cumulative lines drawn as server-side SVG
(no JavaScript). Pure: numbers in, markup out; every text is escaped."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from babel import dates

COLOURS = ("#1f5f99", "#b35c00", "#2e7d32", "#7b1fa2")


@dataclass(frozen=True)
class Line:
    label: str
    values: Sequence[int]


@dataclass(frozen=True)
class _Frame:
    width: int
    height: int
    left: int
    top: int
    plot_w: int
    plot_h: int
    ceiling: int
    count: int

    def x(self, i: int) -> float:
        return self.left + self.plot_w * i / self.count

    def y(self, v: int) -> float:
        return self.top + self.plot_h * (1 - v / self.ceiling)


def svg(
    days: Sequence[dt.date],
    lines: Sequence[Line],
    *,
    title: str,
    language: str = "en",
    width: int = 720,
    height: int = 260,
) -> str:
    """A line chart of `lines` over `days` with axes, gridlines and a legend; the days are
    written as the reader's language writes a day and month ("Dec 6", "6. Dez.")."""
    peak = max([1, *(max(line.values, default=0) for line in lines)])
    step = _nice_step(peak)
    frame = _Frame(width, height, 48, 12, width - 60, height - 66, step * -(-peak // step),
                   max(len(days) - 1, 1))  # fmt: skip
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="chart-title" class="chart" width="100%">',
        f'<title id="chart-title">{escape(title)}</title>',
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>',
        *_axes(frame, days, step, language),
        *(_line(frame, n, line, len(lines)) for n, line in enumerate(lines)),
        "</svg>",
    ]
    return "".join(parts)


def _axes(frame: _Frame, days: Sequence[dt.date], step: int, language: str) -> list[str]:
    parts = []
    for tick in range(0, frame.ceiling + 1, step):
        y = frame.y(tick)
        parts.append(
            f'<line x1="{frame.left}" x2="{frame.left + frame.plot_w}" y1="{y:.1f}" '
            f'y2="{y:.1f}" stroke="#dde3ea" stroke-width="1"/>'
            f'<text x="{frame.left - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end" '
            f'fill="#4a5663">{tick}</text>'
        )
    for i in _label_positions(len(days)):
        parts.append(
            f'<text x="{frame.x(i):.1f}" y="{frame.top + frame.plot_h + 16}" font-size="11" '
            f'text-anchor="middle" fill="#4a5663">{escape(_day(days[i], language))}</text>'
        )
    return parts


def _day(day: dt.date, language: str) -> str:
    return str(dates.format_skeleton("MMMd", day, locale=language))


def _line(frame: _Frame, n: int, line: Line, count: int) -> str:
    colour = COLOURS[n % len(COLOURS)]
    last = line.values[-1] if line.values else 0
    points = " ".join(f"{frame.x(i):.1f},{frame.y(v):.1f}" for i, v in enumerate(line.values))
    if len(line.values) == 1:
        points += f" {frame.x(1):.1f},{frame.y(line.values[0]):.1f}"
    lx = frame.left + n * (frame.plot_w / max(count, 1))
    ly = frame.height - 12
    return (
        f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2.5" '
        f'data-series="{escape(line.label)}" data-last="{last}"/>'
        f'<rect x="{lx:.1f}" y="{ly - 9}" width="12" height="4" fill="{colour}"/>'
        f'<text x="{lx + 16:.1f}" y="{ly - 4}" font-size="12" fill="#1d2733">'
        f"{escape(line.label)}</text>"
    )


def _nice_step(peak: int) -> int:
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000):
        if peak / step <= 5:
            return step
    return int(10 ** len(str(peak // 5)))


def _label_positions(count: int) -> list[int]:
    if count <= 1:
        return [0] if count else []
    every = max(1, (count - 1) // 6)
    positions = list(range(0, count, every))
    if positions[-1] != count - 1:
        positions.append(count - 1)
    return positions
