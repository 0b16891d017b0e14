"""Personal data rights: each app says what it holds about a person, and how to erase it.

Erasure reaches the data of almost every app, so the privacy app that drives it would
have to import them all; instead each app registers a handler here, in its own
``personal_data.py`` (imported by its ``AppConfig.ready``), for the rows it owns::

    @personal_data("meetings", export=export_notes, erase=erase_notes)

The privacy app (above the directory) walks the handlers: ``export(subject)`` returns
named sections of plain rows for the person's download, ``erase(subject)`` removes or
anonymises the person's own content and returns counts. Dependencies stay one-way:
every app imports only this ground-floor registry, and the privacy app imports none of
them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import models


@dataclass(frozen=True)
class Subject:
    """Whose data: one person of one organisation (and their account, if any)."""

    organisation_id: int
    person_id: int
    user_id: int | None
    email: str
    name: str
    employee_id: str
    # True when the account belongs to no other organisation and is erased with the person.
    account_erased: bool = False

    @property
    def user_pk(self) -> int:
        """The account's id for lookups; 0 (which matches no row) without an account."""
        return self.user_id or 0


Rows = list[dict[str, Any]]
Exporter = Callable[[Subject], Mapping[str, Rows]]
Eraser = Callable[[Subject], Mapping[str, int]]


@dataclass(frozen=True)
class Handler:
    app: str
    export: Exporter | None
    erase: Eraser | None
    order: int


_handlers: list[Handler] = []


def personal_data(
    app: str, *, export: Exporter | None = None, erase: Eraser | None = None, order: int = 100
) -> None:
    """Register what ``app`` holds about a person; registering an app twice replaces it."""
    _handlers[:] = [h for h in _handlers if h.app != app]
    _handlers.append(Handler(app, export, erase, order))
    _handlers.sort(key=lambda h: (h.order, h.app))


def handlers() -> tuple[Handler, ...]:
    return tuple(_handlers)


def plain(value: Any) -> Any:
    """A value as JSON has it."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return None
    if isinstance(value, models.Model):
        return str(value)
    return value


def rows(queryset: Iterable[Any], fields: Iterable[str]) -> Rows:
    """Plain rows of ``fields`` (``a__b`` follows relations) for an export section."""
    names = list(fields)
    result = []
    for item in queryset:
        row = {}
        for name in names:
            value: Any = item
            for part in name.split("__"):
                value = getattr(value, part, None) if value is not None else None
            row[name] = plain(value)
        result.append(row)
    return result
