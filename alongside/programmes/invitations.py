"""Bringing a whole cohort in: the programme's welcome email is the invitation.

Enrolling people emails each a welcome that opens their intake. For someone with no
account yet it carries an invitation (their account is made when they open it, no
password needed); for the others a link that signs them in. "Invite everyone not yet
signed in" sends it again to those who have not got in. Both run as a background task.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction

from alongside.accounts.models import User
from alongside.audit.services import log_action
from alongside.outbox.services import Outgoing, emails_enqueue
from alongside.people.account_state import SIGNED_IN, account_state
from alongside.people.invitations import invitation_create, invitation_link
from alongside.programmes.emails import intake_path, welcome_email
from alongside.programmes.models import Enrolment, EnrolmentStatus, Programme


@transaction.atomic
def programme_welcome_send(
    *, programme: Programme, enrolment_ids: Sequence[int], actor: User | None
) -> int:
    """Email each active enrolment's person their welcome (an invitation if they have no
    account); returns how many were sent. Run by a task, after the enrolment commits."""
    enrolments = (
        Enrolment.objects.filter(
            programme=programme, pk__in=list(enrolment_ids), status=EnrolmentStatus.ACTIVE
        )
        .select_related("person__organisation")
        .order_by("pk")
    )
    inviter = actor.get_full_name() if actor is not None else programme.organisation.name
    messages: list[Outgoing] = []
    invited = 0
    for enrolment in enrolments:
        person = enrolment.person
        if not person.is_active or not person.email:
            continue
        link = None
        if person.user_id is None:
            _invitation, secret = invitation_create(person=person, actor=actor)
            link = invitation_link(secret, next_path=intake_path(programme))
            invited += 1
        messages.append(
            Outgoing(
                welcome_email(
                    person=person, programme=programme, inviter=inviter, invitation_link=link
                ),
                kind="welcome",
                organisation_id=programme.organisation_id,
            )
        )
    if messages:
        log_action(
            actor=actor,
            organisation=programme.organisation,
            action="programme.welcomed",
            target=programme,
            data={"count": len(messages), "invitations": invited},
        )
        emails_enqueue(messages)
    return len(messages)


def programme_welcome_queue(
    *, programme: Programme, enrolment_ids: Sequence[int], actor: User | None
) -> None:
    """Send the welcomes in the background once the current transaction commits."""
    from alongside.programmes.tasks import send_programme_welcomes

    ids = list(enrolment_ids)
    if not ids:
        return
    transaction.on_commit(
        lambda: send_programme_welcomes.enqueue(
            programme_id=programme.pk,
            enrolment_ids=ids,
            actor_id=actor.pk if actor is not None else None,
        )
    )


def enrolments_not_signed_in(*, programme: Programme) -> list[int]:
    return list(
        Enrolment.objects.filter(
            programme=programme, status=EnrolmentStatus.ACTIVE, person__is_active=True
        )
        .annotate(account=account_state("person"))
        .exclude(account=SIGNED_IN)
        .values_list("pk", flat=True)
    )


@transaction.atomic
def programme_invite_not_signed_in(*, programme: Programme, actor: User) -> int:
    """Invite (again) every active participant who has not signed in; returns how many."""
    ids = enrolments_not_signed_in(programme=programme)
    if ids:
        log_action(
            actor=actor,
            organisation=programme.organisation,
            action="programme.invitations_requested",
            target=programme,
            data={"count": len(ids)},
        )
        programme_welcome_queue(programme=programme, enrolment_ids=ids, actor=actor)
    return len(ids)
