"""Notes, commitments, goals and reflections a person wrote. Erasure deletes the notes
and goals and blanks the text of commitments and reflections, whose rows the
relationship's figures (commitments made and kept) still count."""

from __future__ import annotations

from collections.abc import Mapping

from alongside.core.personal_data import Rows, Subject, personal_data, rows
from alongside.meetings.models import Attendance, ClosingChoice, Commitment, DevelopmentGoal, Note


def export(subject: Subject) -> Mapping[str, Rows]:
    mine = {"member__person_id": subject.person_id}
    return {
        "notes": rows(
            Note.objects.filter(author__person_id=subject.person_id).select_related(
                "meeting__relationship"
            ),
            ("meeting__relationship__name", "meeting__number", "visibility", "body", "created_at"),
        ),
        "commitments": rows(
            Commitment.objects.filter(**mine).select_related("relationship"),
            ("relationship__name", "text", "due_date", "status", "review_note", "created_at"),
        ),
        "development_goals": rows(
            DevelopmentGoal.objects.filter(**mine).select_related("relationship"),
            ("relationship__name", "position", "text"),
        ),
        "closing_choices": rows(
            ClosingChoice.objects.filter(**mine).select_related("relationship"),
            ("relationship__name", "point", "choice", "reflection", "decided_at"),
        ),
        "attendance": rows(
            Attendance.objects.filter(**mine).select_related("meeting__relationship"),
            ("meeting__relationship__name", "meeting__number", "meeting__starts_at", "status"),
        ),
    }


def erase(subject: Subject) -> Mapping[str, int]:
    mine = {"member__person_id": subject.person_id}
    notes, _ = Note.objects.filter(author__person_id=subject.person_id).delete()
    goals, _ = DevelopmentGoal.objects.filter(**mine).delete()
    commitments = Commitment.objects.filter(**mine).update(text="", review_note="")
    reflections = ClosingChoice.objects.filter(**mine).update(reflection="")
    return {
        "notes": notes,
        "development_goals": goals,
        "commitment_texts": commitments,
        "closing_reflections": reflections,
    }


personal_data("meetings", export=export, erase=erase)
