from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from alongside.core.errors import NotFound
from alongside.core.folding import Folded
from alongside.organisations.models import Membership, Organisation
from alongside.people import reporting_line, visibility
from alongside.people.directory_filters import apply_directory_filters
from alongside.people.models import Person, PersonImport
from alongside.people.visibility import Audience


@dataclass(frozen=True)
class PeopleFilters:
    search: str = ""
    department: str = ""
    location: str = ""
    level: str = ""
    status: str = "active"  # active | inactive | all
    #: filters other apps add (directory_filters.py), as (name, value) pairs
    extra: tuple[tuple[str, str], ...] = ()


def people_list(
    *, organisation: Organisation, filters: PeopleFilters, audience: Audience
) -> QuerySet[Person]:
    """The directory as ``audience`` may see it: searches and filters only look at what
    that audience can see (people/visibility.py)."""
    people = visibility.visible_people(
        Person.objects.filter(organisation=organisation).select_related("manager"), audience
    )
    status = filters.status if visibility.can_see_inactive(audience) else "active"
    if status == "active":
        people = people.filter(is_active=True)
    elif status == "inactive":
        people = people.filter(is_active=False)
    for term in filters.search.split():
        people = people.filter(visibility.search_q(term, audience))
    for name in ("department", "location", "level"):
        value = getattr(filters, name)
        if value:
            people = people.filter(visibility.filter_q(name, value, audience))
    people = apply_directory_filters(people, filters.extra)
    # Accents and case do not move a name: Élodie sorts among the Es.
    return people.order_by(Folded("name"), "name", "id")


def people_filter_options(
    *, organisation: Organisation, audience: Audience = Audience.ADMIN
) -> dict[str, list[str]]:
    """The values the directory's filters offer; a member is offered only shared values."""
    rows = (
        Person.objects.filter(organisation=organisation, is_active=True, erased_at__isnull=True)
        .values_list("department", "location", "level", "share_department", "share_location")
        # No ordering: Person's default (name, id) would join the DISTINCT and return
        # every person instead of the few combinations.
        .order_by()
        .distinct()
    )
    member = audience == Audience.MEMBER
    departments, locations, levels = set(), set(), set()
    for department, location, level, share_department, share_location in rows:
        if share_department or not member:
            departments.add(department)
        if share_location or not member:
            locations.add(location)
        if not member:
            levels.add(level)
    return {
        "departments": sorted(d for d in departments if d),
        "locations": sorted(loc for loc in locations if loc),
        "levels": sorted((lv for lv in levels if lv), key=_level_sort_key),
    }


def _level_sort_key(level: str) -> tuple[str, int, str]:
    digits = "".join(ch for ch in level if ch.isdigit())
    prefix = "".join(ch for ch in level if not ch.isdigit())
    return (prefix, int(digits) if digits else -1, level)


def person_get(*, organisation: Organisation, person_id: int, audience: Audience) -> Person:
    """A person of the organisation; someone ``audience`` may not see is not found."""
    person = (
        visibility.visible_people(
            Person.objects.filter(organisation=organisation, pk=person_id), audience
        )
        .select_related("manager", "user")
        .first()
    )
    if person is None:
        raise NotFound(_("No such person in this organisation."))
    return person


def own_person(*, organisation: Organisation, user: Any) -> Person:
    """The signed-in user's own entry in the organisation's directory."""
    person = (
        Person.objects.filter(organisation=organisation, user=user)
        .select_related("manager", "user")
        .first()
    )
    if person is None:
        raise NotFound(_("You have no entry in this organisation's directory yet."))
    return person


def person_import_get(*, organisation: Organisation, import_id: int) -> PersonImport:
    person_import = PersonImport.objects.filter(organisation=organisation, pk=import_id).first()
    if person_import is None:
        raise NotFound("No such import in this organisation.")
    return person_import


def manager_map(*, organisation: Organisation) -> dict[int, int | None]:
    return dict(Person.objects.filter(organisation=organisation).values_list("id", "manager_id"))


@dataclass(frozen=True)
class ReportingLine:
    managers: list[Person]  # nearest first
    direct_reports: list[Person]
    all_reports: list[Person]


def person_reporting_line(*, person: Person) -> ReportingLine:
    """The whole manager chain up, and everyone below, in three queries."""
    managers = manager_map(organisation=person.organisation)
    up_ids = reporting_line.chain_up(person.pk, managers)
    down_ids = reporting_line.reports_below(person.pk, managers)
    by_id = Person.objects.in_bulk(up_ids + down_ids)
    return ReportingLine(
        managers=[by_id[i] for i in up_ids],
        direct_reports=sorted(
            (by_id[i] for i in down_ids if managers.get(i) == person.pk), key=lambda p: p.name
        ),
        all_reports=[by_id[i] for i in down_ids],
    )


def reporting_line_ancestors(*, organisation: Organisation) -> dict[int, frozenset[int]]:
    """Every person's chain of managers, for rules such as 'never pair within a line'."""
    return reporting_line.ancestors_by_person(manager_map(organisation=organisation))


def directory_overview(*, organisation: Organisation) -> dict[str, int]:
    """The directory at a glance: people, accounts, departments, locations, members."""
    people = Person.objects.filter(organisation=organisation, erased_at__isnull=True).aggregate(
        active=Count("id", filter=Q(is_active=True)),
        inactive=Count("id", filter=Q(is_active=False)),
        with_account=Count("id", filter=Q(is_active=True, user__isnull=False)),
        departments=Count("department", distinct=True, filter=Q(is_active=True)),
        locations=Count("location", distinct=True, filter=Q(is_active=True)),
    )
    people["members"] = Membership.objects.filter(organisation=organisation).count()
    return people
