"""Survey answers and pulses: the ratings stay (anonymous once the person is erased, so
the programme's before/after and health stay right); anything written goes."""

from __future__ import annotations

from collections.abc import Mapping

from alongside.core.personal_data import Rows, Subject, personal_data, rows
from alongside.surveys.models import Answer, Pulse


def export(subject: Subject) -> Mapping[str, Rows]:
    return {
        "survey_answers": rows(
            Answer.objects.filter(response__enrolment__person_id=subject.person_id)
            .select_related("response__survey__programme", "question")
            .order_by("response__submitted_at", "question__position"),
            (
                "response__survey__programme__name",
                "response__survey__kind",
                "question__text",
                "rating",
                "text",
                "response__submitted_at",
            ),
        ),
        "pulses": rows(
            Pulse.objects.filter(member__person_id=subject.person_id).select_related(
                "relationship"
            ),
            ("relationship__name", "kind", "rating", "blocking", "created_at"),
        ),
    }


def erase(subject: Subject) -> Mapping[str, int]:
    answers = (
        Answer.objects.filter(response__enrolment__person_id=subject.person_id)
        .exclude(text="")
        .update(text="")
    )
    pulses = (
        Pulse.objects.filter(member__person_id=subject.person_id)
        .exclude(blocking="")
        .update(blocking="")
    )
    return {"written_answers": answers, "pulse_comments": pulses}


personal_data("surveys", export=export, erase=erase)
