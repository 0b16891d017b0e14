"""Enrolments and intakes: the programme keeps the place, the intake's answers go."""

from __future__ import annotations

from collections.abc import Mapping

from alongside.core.personal_data import Rows, Subject, personal_data, rows
from alongside.programmes.models import Enrolment, Intake


def export(subject: Subject) -> Mapping[str, Rows]:
    enrolments = Enrolment.objects.filter(person_id=subject.person_id).select_related("programme")
    return {
        "enrolments": rows(
            enrolments,
            (
                "programme__name",
                "role",
                "capacity",
                "status",
                "source",
                "enrolled_at",
                "withdrawn_at",
                "withdrawn_reason",
            ),
        ),
        "intakes": rows(
            Intake.objects.filter(enrolment__person_id=subject.person_id).select_related(
                "enrolment__programme"
            ),
            (
                "enrolment__programme__name",
                "wants",
                "wants_other",
                "offers",
                "offers_other",
                "goals",
                "availability",
                "timezone",
                "communication_preference",
                "languages",
                "completed_at",
            ),
        ),
    }


def erase(subject: Subject) -> Mapping[str, int]:
    intakes = Intake.objects.filter(enrolment__person_id=subject.person_id).update(
        wants=[],
        wants_other="",
        offers=[],
        offers_other="",
        goals="",
        availability="",
        timezone="",
        communication_preference="",
        languages=[],
    )
    return {"intakes": intakes}


personal_data("programmes", export=export, erase=erase)
