"""Page panels: a page of a lower app leaves a named place that apps above it fill.

The relationship page belongs to ``meetings``, but its schedule panel belongs to
``scheduling``, which sits above meetings and so must not be imported by it. The page
names the place in its template and apps fill it from their ``panels.py`` (imported by
their ``AppConfig.ready``)::

    {% load panels %}
    {% panels "meetings.relationship" relationship=relationship viewer_member=access.me %}

    @panel("meetings.relationship", template="scheduling/_schedule_panel.html")
    def schedule(*, request, relationship, viewer_member) -> dict[str, Any] | None: ...

Each filler gets the request and the place's arguments, and returns its template's
context, or ``None`` to show nothing. A place with no filler renders nothing, so each
page works whether or not the apps above it are installed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

PanelContext = Callable[..., Mapping[str, Any] | None]


@dataclass(frozen=True)
class Panel:
    place: str
    template: str
    context: PanelContext
    order: int

    @property
    def name(self) -> str:
        return f"{self.context.__module__}.{self.context.__qualname__}"


_panels: dict[str, list[Panel]] = defaultdict(list)


def panel(place: str, *, template: str, order: int = 100) -> Callable[[PanelContext], PanelContext]:
    """Fill ``place`` with ``template``, rendered with what the decorated function returns."""

    def register(context: PanelContext) -> PanelContext:
        filler = Panel(place, template, context, order)
        if not any(p.name == filler.name for p in _panels[place]):
            _panels[place].append(filler)
            _panels[place].sort(key=lambda p: p.order)
        return context

    return register


def panels_at(place: str) -> tuple[Panel, ...]:
    return tuple(_panels.get(place, ()))
