from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from alongside.core.errors import NotFound
from alongside.organisations.models import Membership, Organisation
from alongside.people import reporting_line
from alongside.people.models import Person, PersonImport


@dataclass(frozen=True)
class PeopleFilters:
    search: str = ""
    department: str = ""
    location: str = ""
    level: str = ""
    status: str = "active"  # active | inactive | all


def people_list(*, organisation: Organisation, filters: PeopleFilters) -> QuerySet[Person]:
    people = Person.objects.filter(organisation=organisation).select_related("manager")
    if filters.status == "active":
        people = people.filter(is_active=True)
    elif filters.status == "inactive":
        people = people.filter(is_active=False)
    for term in filters.search.split():
        people = people.filter(
            Q(name__icontains=term)
            | Q(email__icontains=term)
            | Q(employee_id__iexact=term)
            | Q(job_title__icontains=term)
        )
    if filters.department:
        people = people.filter(department=filters.department)
    if filters.location:
        people = people.filter(location=filters.location)
    if filters.level:
        people = people.filter(level=filters.level)
    return people.order_by("name", "id")


def people_filter_options(*, organisation: Organisation) -> dict[str, list[str]]:
    rows = (
        Person.objects.filter(organisation=organisation, is_active=True)
        .values_list("department", "location", "level")
        # No ordering: Person's default (name, id) would join the DISTINCT and return
        # every person instead of the few combinations.
        .order_by()
        .distinct()
    )
    departments, locations, levels = set(), set(), set()
    for department, location, level in rows:
        departments.add(department)
        locations.add(location)
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


def person_get(*, organisation: Organisation, person_id: int) -> Person:
    person = (
        Person.objects.filter(organisation=organisation, pk=person_id)
        .select_related("manager", "user")
        .first()
    )
    if person is None:
        raise NotFound("No such person in this organisation.")
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
    people = Person.objects.filter(organisation=organisation).aggregate(
        active=Count("id", filter=Q(is_active=True)),
        inactive=Count("id", filter=Q(is_active=False)),
        with_account=Count("id", filter=Q(is_active=True, user__isnull=False)),
        departments=Count("department", distinct=True, filter=Q(is_active=True)),
        locations=Count("location", distinct=True, filter=Q(is_active=True)),
    )
    people["members"] = Membership.objects.filter(organisation=organisation).count()
    return people
