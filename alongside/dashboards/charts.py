"""Charts as plain geometry for server-rendered inline SVG: no script, no CDN, prints well.

A chart is computed here (bars, ticks, labels in viewBox units) and drawn by a template,
so it needs nothing from the browser and carries its numbers as text for screen readers
and for paper.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

WIDTH, HEIGHT = 720, 240
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 14, 40


def coordinate(value: float) -> str:
    """SVG wants a dot for decimals whatever the viewer's locale, so the template gets text."""
    return f"{value:.1f}".removesuffix(".0")


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    x: str
    y: str
    width: str
    height: str
    title: str
    show_label: bool
    css: str = ""


@dataclass(frozen=True)
class Tick:
    value: str
    y: str


@dataclass(frozen=True)
class BarChart:
    title: str
    bars: list[Bar]
    ticks: list[Tick]
    width: str = str(WIDTH)
    height: str = str(HEIGHT)
    left: str = str(LEFT)
    tick_x: str = str(LEFT - 6)
    baseline: str = str(HEIGHT - BOTTOM)
    label_y: str = str(HEIGHT - BOTTOM + 16)
    right_edge: str = str(WIDTH - RIGHT)
    reference_y: str | None = None
    reference_label: str = ""
    rows: list[tuple[str, str]] = field(default_factory=list)


def _nice_step(highest: float) -> int:
    """A round whole step giving about four gridlines above zero."""
    rough = max(1.0, highest / 4)
    magnitude = 10 ** math.floor(math.log10(rough))
    for factor in (1, 2, 5, 10):
        if factor * magnitude >= rough:
            return int(factor * magnitude)
    return int(10 * magnitude)


def bar_chart(
    title: str,
    points: Sequence[tuple[str, float]],
    *,
    unit: str = "",
    reference: float | None = None,
    reference_label: str = "",
    label_every: int = 1,
    css: Sequence[str] | None = None,
    width: int = WIDTH,
) -> BarChart:
    """Vertical bars for ``points`` (label, value), with a y axis and an optional target line."""
    highest = max([v for _label, v in points] + [reference or 0, 1])
    step = _nice_step(highest)
    steps = max(1, math.ceil(highest / step))
    top = step * steps
    plot_height = HEIGHT - TOP - BOTTOM
    plot_width = width - LEFT - RIGHT
    slot = plot_width / max(1, len(points))
    gap = min(6.0, slot * 0.2)
    bars = []
    for index, (label, value) in enumerate(points):
        height = plot_height * value / top if top else 0
        bars.append(
            Bar(
                label=label,
                value=value,
                x=coordinate(LEFT + index * slot + gap / 2),
                y=coordinate(HEIGHT - BOTTOM - height),
                width=coordinate(max(1.0, slot - gap)),
                height=coordinate(height),
                title=f"{label}: {_number(value)}{unit}",
                show_label=index % max(1, label_every) == 0,
                css=css[index] if css else "",
            )
        )
    ticks = [
        Tick(value=str(step * i), y=coordinate(HEIGHT - BOTTOM - plot_height * i / steps))
        for i in range(steps + 1)
    ]
    reference_y = (
        coordinate(HEIGHT - BOTTOM - plot_height * reference / top)
        if reference is not None and top
        else None
    )
    return BarChart(
        title=title,
        bars=bars,
        ticks=ticks,
        width=str(width),
        right_edge=str(width - RIGHT),
        reference_y=reference_y,
        reference_label=reference_label,
        rows=[(label, _number(value) + unit) for label, value in points],
    )


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"
