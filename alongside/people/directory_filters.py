"""Filters that apps above people add to the directory (e.g. "in programme …").

The directory's filters, and so its bulk invitation, which acts on the filtered list,
can narrow by things the people app does not know about. An app registers a filter in
its ``AppConfig.ready``; the directory offers it to whoever the filter's choices allow.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from alongside.people.models import Person


@dataclass(frozen=True)
class DirectoryFilter:
    name: str  # the query parameter and form field
    label: Any  # a (lazy) translated label
    everyone: Any  # the label of "no filter"
    #: (membership) -> [(value, label)]; no choices hides the filter from that viewer
    choices: Callable[[Any], list[tuple[str, str]]]
    #: (people, value) -> the people that match
    apply: Callable[[QuerySet[Person], str], QuerySet[Person]]


_filters: dict[str, DirectoryFilter] = {}


def register_directory_filter(directory_filter: DirectoryFilter) -> None:
    _filters[directory_filter.name] = directory_filter


def directory_filters() -> list[DirectoryFilter]:
    return list(_filters.values())


def apply_directory_filters(
    people: QuerySet[Person], values: tuple[tuple[str, str], ...]
) -> QuerySet[Person]:
    for name, value in values:
        directory_filter = _filters.get(name)
        if directory_filter is not None and value:
            people = directory_filter.apply(people, value)
    return people
