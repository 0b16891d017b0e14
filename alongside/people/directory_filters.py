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
from django.utils.translation import gettext as _

from alongside.core.errors import AlongsideError, Problem
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


def filtered_people(*, membership: Any, filters: dict[str, str]) -> QuerySet[Person]:
    """Active people matching ``filters`` (name -> value), each checked against what the
    filter offers this viewer; an unknown filter or value is refused by name."""
    problems = []
    for name, value in filters.items():
        directory_filter = _filters.get(name)
        if directory_filter is None:
            problems.append(
                Problem(
                    _("'%(name)s' is not a directory filter; use %(known)s.")
                    % {"name": name, "known": ", ".join(_filters) or "-"},
                    f"filters.{name}",
                )
            )
        elif value not in {choice for choice, _label in directory_filter.choices(membership)}:
            problems.append(Problem(_("is not one of your choices."), f"filters.{name}"))
    if problems:
        raise AlongsideError(_("The filters could not be used."), problems=problems)
    people = Person.objects.filter(organisation=membership.organisation, is_active=True)
    return apply_directory_filters(people, tuple(filters.items()))
