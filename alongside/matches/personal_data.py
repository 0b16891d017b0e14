"""Match runs a person was part of (the proposals and their reasons)."""

from __future__ import annotations

from collections.abc import Mapping

from alongside.core.personal_data import Rows, Subject, personal_data, rows
from alongside.matches.models import MatchGroupMember, MatchUnmatched


def export(subject: Subject) -> Mapping[str, Rows]:
    return {
        "match_proposals": rows(
            MatchGroupMember.objects.filter(enrolment__person_id=subject.person_id)
            .select_related("run__programme", "group")
            .order_by("run__created_at"),
            ("run__programme__name", "run__created_at", "run__status", "group__number", "role"),
        ),
        "not_matched": rows(
            MatchUnmatched.objects.filter(enrolment__person_id=subject.person_id).select_related(
                "run__programme"
            ),
            ("run__programme__name", "run__created_at", "reason"),
        ),
    }


personal_data("matches", export=export)
