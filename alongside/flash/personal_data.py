"""The flash rounds a person took part in, skipped, and what they answered after each."""

from __future__ import annotations

from collections.abc import Mapping

from alongside.core.personal_data import Rows, Subject, personal_data, rows
from alongside.flash.models import FlashMember, FlashPulse, FlashSkip


def export(subject: Subject) -> Mapping[str, Rows]:
    person = subject.person_id
    return {
        "flash_rounds": rows(
            FlashMember.objects.filter(person_id=person).select_related("round__programme"),
            ("round__programme__name", "round__number", "round__meets_at"),
        ),
        "flash_rounds_skipped": rows(
            FlashSkip.objects.filter(enrolment__person_id=person).select_related(
                "round__programme"
            ),
            ("round__programme__name", "round__number", "created_at"),
        ),
        "flash_pulses": rows(
            FlashPulse.objects.filter(enrolment__person_id=person).select_related(
                "group__round__programme"
            ),
            ("group__round__programme__name", "group__round__number", "useful", "learned"),
        ),
    }


personal_data("flash", export=export)
