"""Who sees what of a person: one rule for pages, the API, exports and search.

* A **member** sees people who are active, and of them only the name and the optional
  public fields each person chooses to share (job title, department, location,
  languages, what they can offer). Never an email, employee id, level, start date,
  manager chain or a leaver; and a search or a filter only ever looks at what the
  member could see, so a hidden field cannot be found out by searching for it.
* A **programme manager** sees what running programmes needs of active people: contact
  and matching details (email, level, time zone, start date for onboarding buddies) and
  the reporting line (matching never pairs within one), whatever the person shares.
  Not the employee id, not leavers.
* An **admin** sees everything, leavers and erased people included.

Each person sees the same rule applied to themselves on their profile page ("how others
see me").
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from alongside.core.folding import fold
from alongside.organisations.models import Membership, Role
from alongside.people.models import Person


class Audience(StrEnum):
    MEMBER = "member"
    MANAGER = "manager"
    ADMIN = "admin"


AUDIENCE_LABELS = {
    Audience.MEMBER: _("Colleagues"),
    Audience.MANAGER: _("Programme managers"),
    Audience.ADMIN: _("Organisation admins"),
}

# The optional public fields, in the order pages show them; each has a share_* switch.
OPTIONAL_PUBLIC_FIELDS: tuple[str, ...] = (
    "job_title",
    "department",
    "location",
    "languages",
    "offers",
)

MANAGER_FIELDS: tuple[str, ...] = (
    "name",
    "email",
    "job_title",
    "department",
    "level",
    "location",
    "timezone",
    "languages",
    "offers",
    "start_date",
    "manager",
    "has_account",
    "is_active",
)
ADMIN_FIELDS: tuple[str, ...] = (*MANAGER_FIELDS[:2], "employee_id", *MANAGER_FIELDS[2:])

FIELD_LABELS: dict[str, Any] = {
    "name": _("Name"),
    "email": _("Email"),
    "employee_id": _("Employee id"),
    "job_title": _("Job title"),
    "department": _("Department / function"),
    "level": _("Level"),
    "location": _("Location"),
    "timezone": _("Time zone"),
    "languages": _("Languages"),
    "offers": _("What I can offer"),
    "start_date": _("Start date"),
    "manager": _("Manager"),
    "has_account": _("Account"),
    "is_active": _("Status"),
}


def audience_of(membership: Membership) -> Audience:
    if membership.role == Role.ADMIN:
        return Audience.ADMIN
    if membership.role == Role.PROGRAMME_MANAGER:
        return Audience.MANAGER
    return Audience.MEMBER


def shared_fields(person: Person) -> tuple[str, ...]:
    return tuple(name for name in OPTIONAL_PUBLIC_FIELDS if getattr(person, f"share_{name}"))


def visible_fields(person: Person, audience: Audience) -> tuple[str, ...]:
    if audience == Audience.ADMIN:
        return ADMIN_FIELDS
    if audience == Audience.MANAGER:
        return MANAGER_FIELDS
    return ("name", *shared_fields(person))


def field_value(person: Person, name: str) -> Any:
    if name == "has_account":
        return person.user_id is not None
    if name == "manager":
        return person.manager
    return getattr(person, name)


def person_as_seen(person: Person, audience: Audience) -> dict[str, Any]:
    """The fields ``audience`` may see of ``person``, in display order, with their values."""
    return {name: field_value(person, name) for name in visible_fields(person, audience)}


def visible_people(people: QuerySet[Person], audience: Audience) -> QuerySet[Person]:
    """Members and managers see active people only; admins see everyone."""
    if audience == Audience.ADMIN:
        return people
    return people.filter(is_active=True, erased_at__isnull=True)


def _shared(name: str, q: Q) -> Q:
    return q & Q(**{f"share_{name}": True})


def search_q(term: str, audience: Audience) -> Q:
    """One word of a search, matched only against fields the audience can see."""
    # Department and location are filters, not search words.
    if audience == Audience.MEMBER:
        return (
            Q(name__folded__contains=fold(term))
            | _shared("job_title", Q(job_title__icontains=term))
            | _shared("offers", Q(offers__icontains=term))
        )
    found = (
        Q(name__folded__contains=fold(term))
        | Q(email__icontains=term)
        | Q(job_title__icontains=term)
        | Q(offers__icontains=term)
    )
    if audience == Audience.ADMIN:
        found |= Q(employee_id__iexact=term)
    return found


def filter_q(name: str, value: str, audience: Audience) -> Q:
    """A department/location/level filter; a member only filters on what people share."""
    if audience == Audience.MEMBER:
        if name not in OPTIONAL_PUBLIC_FIELDS:
            return Q()  # a member has no such filter (e.g. level): ignore it
        return _shared(name, Q(**{name: value}))
    return Q(**{name: value})


def can_see_reporting_lines(audience: Audience) -> bool:
    return audience != Audience.MEMBER


def can_see_inactive(audience: Audience) -> bool:
    return audience == Audience.ADMIN
