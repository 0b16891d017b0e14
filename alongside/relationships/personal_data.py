"""Places in relationships stay (the others' relationship stays whole); reasons go."""

from __future__ import annotations

from collections.abc import Mapping

from alongside.core.personal_data import Rows, Subject, personal_data, rows
from alongside.relationships.models import RelationshipMember, RematchRequest


def export(subject: Subject) -> Mapping[str, Rows]:
    return {
        "relationships": rows(
            RelationshipMember.objects.filter(person_id=subject.person_id).select_related(
                "relationship__programme"
            ),
            (
                "relationship__name",
                "relationship__programme__name",
                "relationship__kind",
                "role",
                "is_active",
                "joined_at",
                "left_at",
            ),
        ),
        "rematch_requests": rows(
            RematchRequest.objects.filter(enrolment__person_id=subject.person_id),
            ("reason", "status", "created_at", "resolved_at"),
        ),
    }


def erase(subject: Subject) -> Mapping[str, int]:
    requests = RematchRequest.objects.filter(enrolment__person_id=subject.person_id).update(
        reason=""
    )
    return {"rematch_reasons": requests}


personal_data("relationships", export=export, erase=erase)
