"""Calendar subscriptions and answers to proposed meeting times."""

from __future__ import annotations

from collections.abc import Mapping

from alongside.core.personal_data import Rows, Subject, personal_data, rows
from alongside.scheduling.models import CalendarFeed, ScheduleResponse


def export(subject: Subject) -> Mapping[str, Rows]:
    return {
        "calendar_subscription": rows(
            CalendarFeed.objects.filter(
                user_id=subject.user_pk, organisation_id=subject.organisation_id
            ),
            ("created_at", "last_used_at"),
        ),
        "meeting_time_answers": rows(
            ScheduleResponse.objects.filter(member__person_id=subject.person_id).select_related(
                "schedule__relationship"
            ),
            ("schedule__relationship__name", "accepted", "responded_at"),
        ),
    }


def erase(subject: Subject) -> Mapping[str, int]:
    feeds, _ = CalendarFeed.objects.filter(
        user_id=subject.user_pk, organisation_id=subject.organisation_id
    ).delete()
    return {"calendar_subscriptions": feeds}


personal_data("scheduling", export=export, erase=erase)
