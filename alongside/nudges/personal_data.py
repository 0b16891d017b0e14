"""The nudge send log: every email sent to the person, and their email preference."""

from __future__ import annotations

from collections.abc import Mapping

from django.db.models import Q

from alongside.core.personal_data import Rows, Subject, personal_data, rows
from alongside.nudges.models import NudgeDelivery, NudgePreference


def export(subject: Subject) -> Mapping[str, Rows]:
    return {
        "emails_sent": rows(
            NudgeDelivery.objects.filter(organisation_id=subject.organisation_id)
            .filter(Q(person_id=subject.person_id) | Q(email__iexact=subject.email))
            .order_by("created_at"),
            ("nudge_key", "subject", "status", "created_at", "sent_at"),
        ),
        "email_preference": rows(
            NudgePreference.objects.filter(user_id=subject.user_pk), ("frequency", "updated_at")
        ),
    }


def erase(subject: Subject) -> Mapping[str, int]:
    # A digest row may gather this person's items; items point at it, not the reverse.
    deliveries, _ = (
        NudgeDelivery.objects.filter(organisation_id=subject.organisation_id)
        .filter(Q(person_id=subject.person_id) | Q(email__iexact=subject.email))
        .delete()
    )
    preference = 0
    if subject.account_erased:
        preference, _ = NudgePreference.objects.filter(user_id=subject.user_pk).delete()
    return {"nudge_send_log": deliveries, "email_preference": preference}


personal_data("nudges", export=export, erase=erase)
