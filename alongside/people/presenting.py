"""How a person is shown to an audience: the facts on a page, the list's columns, the CSV.

Every value shown comes from ``visibility.person_as_seen``, so pages, exports and the
API apply one rule.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from alongside.people.models import Person
from alongside.people.visibility import FIELD_LABELS, Audience, person_as_seen


@dataclass(frozen=True)
class Fact:
    name: str
    label: str
    value: str


def display(name: str, value: Any) -> str:
    if name == "languages":
        return ", ".join(value)
    if name == "manager":
        return value.name if value is not None else ""
    if name == "start_date":
        return date_format(value, "j F Y") if value else ""
    if name == "has_account":
        return _("Signed in") if value else _("Not yet signed in")
    if name == "is_active":
        return _("Active") if value else _("Left the organisation")
    return "" if value is None else str(value)


def facts(person: Person, audience: Audience) -> list[Fact]:
    """What ``audience`` sees of ``person``, in display order (the name is the heading)."""
    return [
        Fact(name, str(FIELD_LABELS[name]), display(name, value))
        for name, value in person_as_seen(person, audience).items()
        if name != "name"
    ]


LIST_COLUMNS = {
    Audience.MEMBER: ("job_title", "department", "location", "languages"),
    Audience.MANAGER: ("department", "job_title", "level", "location", "manager"),
    Audience.ADMIN: ("department", "job_title", "level", "location", "manager"),
}


@dataclass(frozen=True)
class Column:
    name: str
    label: str


def list_columns(audience: Audience) -> list[Column]:
    return [Column(name, str(FIELD_LABELS[name])) for name in LIST_COLUMNS[audience]]


def row_cells(seen: dict[str, Any], audience: Audience) -> list[str]:
    return [display(name, seen[name]) if name in seen else "" for name in LIST_COLUMNS[audience]]


# The CSV: admins get the import's own columns (so an export can be edited and imported
# back), plus the status; the others get what they may see.
CSV_COLUMNS = {
    Audience.MEMBER: ("name", "job_title", "department", "location", "languages", "offers"),
    Audience.MANAGER: (
        "email",
        "name",
        "manager_email",
        "department",
        "job_title",
        "level",
        "location",
        "timezone",
        "languages",
        "start_date",
        "offers",
    ),
    Audience.ADMIN: (
        "email",
        "name",
        "employee_id",
        "manager_email",
        "department",
        "job_title",
        "level",
        "location",
        "timezone",
        "languages",
        "start_date",
        "offers",
        "status",
    ),
}


def _csv_value(name: str, seen: dict[str, Any]) -> str:
    if name == "manager_email":
        manager = seen.get("manager")
        return manager.email if manager is not None else ""
    if name == "status":
        return "active" if seen.get("is_active") else "inactive"
    if name not in seen:
        return ""
    value = seen[name]
    if name == "languages":
        return ";".join(value)
    if name == "start_date":
        return value.isoformat() if value else ""
    return "" if value is None else str(value)


class _Echo:
    def write(self, value: str) -> str:
        return value


def directory_csv(people: Iterable[Person], audience: Audience) -> Iterator[str]:
    writer = csv.writer(_Echo())
    columns = CSV_COLUMNS[audience]
    yield "\ufeff" + writer.writerow(columns)
    for person in people:
        seen = person_as_seen(person, audience)
        yield writer.writerow([_csv_value(name, seen) for name in columns])
