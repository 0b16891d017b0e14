"""Programmes follow the directory: a leaver is withdrawn from the programmes still running."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.translation import gettext as _

from alongside.accounts.models import User
from alongside.core.events import subscribe
from alongside.people.events import PersonLeft
from alongside.programmes.models import Enrolment, EnrolmentStatus, Stage
from alongside.programmes.services import enrolment_withdraw


@subscribe(PersonLeft, in_transaction=True)
def withdraw_leaver(events: Sequence[PersonLeft]) -> None:
    for event in events:
        actor = User.objects.filter(pk=event.actor_id).first() if event.actor_id else None
        enrolments = Enrolment.objects.filter(
            person_id=event.person_id, status=EnrolmentStatus.ACTIVE
        ).exclude(programme__stage=Stage.CLOSED)
        for enrolment in enrolments.select_related("programme"):
            enrolment_withdraw(enrolment=enrolment, actor=actor, reason=_("Left the organisation."))
