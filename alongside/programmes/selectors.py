"""Reads for programmes, scoped by role.

Admins see every programme of the organisation; programme managers see the ones they
manage; members see only those they take part in. Anything else is a 404.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext
from django.utils.translation import gettext as _

from alongside.core.errors import NotFound
from alongside.core.folding import Folded
from alongside.organisations.models import Membership, Role
from alongside.people.account_state import account_state
from alongside.programmes.models import (
    Enrolment,
    EnrolmentRole,
    EnrolmentStatus,
    Intake,
    Programme,
)


def programmes_visible(*, membership: Membership) -> QuerySet[Programme]:
    programmes = Programme.objects.filter(organisation=membership.organisation)
    if membership.role == Role.ADMIN:
        return programmes
    mine = Q(enrolments__person__user=membership.user, enrolments__status=EnrolmentStatus.ACTIVE)
    if membership.role == Role.PROGRAMME_MANAGER:
        mine |= Q(managers=membership.user)
    return programmes.filter(mine).distinct()


def programmes_managed(*, membership: Membership) -> QuerySet[Programme]:
    programmes = Programme.objects.filter(organisation=membership.organisation)
    if membership.role == Role.ADMIN:
        return programmes
    if membership.role == Role.PROGRAMME_MANAGER:
        return programmes.filter(managers=membership.user)
    return programmes.none()


def can_manage(*, membership: Membership, programme: Programme) -> bool:
    if programme.organisation_id != membership.organisation_id:
        return False
    if membership.role == Role.ADMIN:
        return True
    return (
        membership.role == Role.PROGRAMME_MANAGER
        and programme.managers.filter(pk=membership.user_id).exists()
    )


def programme_get(*, membership: Membership, programme_id: int) -> Programme:
    programme = programmes_visible(membership=membership).filter(pk=programme_id).first()
    if programme is None:
        raise NotFound(_("No such programme."))
    return programme


def programme_get_managed(*, membership: Membership, programme_id: int) -> Programme:
    """A programme the caller manages; 404 if they cannot see it at all, 403 if only take part."""
    from alongside.core.errors import Forbidden

    programme = programme_get(membership=membership, programme_id=programme_id)
    if not can_manage(membership=membership, programme=programme):
        raise Forbidden(_("Only this programme's managers can do that."))
    return programme


def my_enrolment(*, membership: Membership, programme: Programme) -> Enrolment | None:
    return (
        Enrolment.objects.select_related("intake", "person")
        .filter(programme=programme, person__user=membership.user)
        .first()
    )


def enrolments_for(*, programme: Programme, status: str = "active") -> QuerySet[Enrolment]:
    """A programme's enrolments, each with its person's ``account_state``."""
    enrolments = (
        # Everyone enrolled is in the programme's organisation; saying so lets PostgreSQL
        # walk the directory's name-order index and stop after a page.
        Enrolment.objects.filter(
            programme=programme, person__organisation=programme.organisation_id
        )
        .select_related("person", "intake")
        .annotate(account_state=account_state("person"))
    )
    if status in EnrolmentStatus.values:
        enrolments = enrolments.filter(status=status)
    # The directory's order: accents and case do not move a name.
    return enrolments.order_by(Folded("person__name"), "person__name", "person_id")


def enrolment_counts(*, programme: Programme) -> dict[str, int]:
    # Not signed in yet (account_state other than SIGNED_IN): no account, or an account
    # that has never signed in; said directly, so no per-row invitation lookup.
    return Enrolment.objects.filter(programme=programme).aggregate(
        not_signed_in=Count(
            "pk",
            filter=Q(
                status=EnrolmentStatus.ACTIVE,
                person__is_active=True,
                person__user__last_login__isnull=True,
            ),
        ),
        active=Count("pk", filter=Q(status=EnrolmentStatus.ACTIVE)),
        withdrawn=Count("pk", filter=Q(status=EnrolmentStatus.WITHDRAWN)),
        intake_done=Count(
            "pk", filter=Q(status=EnrolmentStatus.ACTIVE, intake__completed_at__isnull=False)
        ),
        mentors=Count("pk", filter=Q(status=EnrolmentStatus.ACTIVE, role="mentor")),
        mentees=Count("pk", filter=Q(status=EnrolmentStatus.ACTIVE, role="mentee")),
    )


@dataclass(frozen=True)
class IntakePart:
    key: str  # the anchor of its section on the intake page
    label: str
    done: bool
    optional: bool = False


def intake_progress(*, intake: Intake, role: str) -> list[IntakePart]:
    """The intake's parts in page order, each done or not (for the progress indicator)."""
    return [
        IntakePart(
            "part-wants",
            gettext("What you want to develop"),
            bool(intake.wants or intake.wants_other),
        ),
        IntakePart(
            "part-offers",
            gettext("What you can offer"),
            bool(intake.offers or intake.offers_other),
            optional=role == EnrolmentRole.MENTEE,
        ),
        IntakePart("part-goals", gettext("Your goals"), bool(intake.goals.strip())),
        IntakePart("part-availability", gettext("When you can meet"), bool(intake.availability)),
        IntakePart(
            "part-meeting",
            gettext("How you like to meet"),
            bool(intake.communication_preference and (intake.timezone or intake.languages)),
        ),
    ]
