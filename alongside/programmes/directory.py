"""The directory's "Programme" filter: so its bulk invitation can reach one cohort."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from alongside.organisations.models import Membership
from alongside.people.directory_filters import DirectoryFilter
from alongside.people.models import Person
from alongside.programmes.models import EnrolmentStatus
from alongside.programmes.selectors import programmes_managed


def _choices(membership: Membership) -> list[tuple[str, str]]:
    # Only the programmes the viewer manages: who takes part in a programme is the
    # programme's business, not every member's.
    return [
        (str(pk), name)
        for pk, name in programmes_managed(membership=membership)
        .order_by("name")
        .values_list("pk", "name")
    ]


def _apply(people: QuerySet[Person], value: str) -> QuerySet[Person]:
    if not value.isdigit():
        return people.none()
    return people.filter(
        enrolments__programme_id=int(value), enrolments__status=EnrolmentStatus.ACTIVE
    ).distinct()


PROGRAMME_FILTER = DirectoryFilter(
    name="programme",
    label=_("Programme"),
    everyone=_("Any programme"),
    choices=_choices,
    apply=_apply,
)
