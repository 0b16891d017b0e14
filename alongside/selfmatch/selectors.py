"""Reads for participant choice: suggestions, bookmarks, requests, hybrid picks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from alongside.core.errors import NotFound
from alongside.matches.cohort import build_cohort, mentor_places_taken, unplaced_enrolments
from alongside.matching import Scorer
from alongside.matching.suggestions import suggest
from alongside.people.visibility import FIELD_LABELS, Audience, person_as_seen, shared_fields
from alongside.programmes.models import Enrolment, EnrolmentStatus, Programme
from alongside.relationships.models import RelationshipMember
from alongside.selfmatch.models import (
    Bookmark,
    ChoiceMode,
    ChoiceSettings,
    HybridPick,
    MatchRequest,
)

# The directory field behind each reason a participant may read: a reason is shown only
# when colleagues may see that field of the suggested person (people/visibility.py).
# Level is never shown to colleagues; goals and what people want stay private and the
# engine words those parts without quoting them.
REASON_FIELD = {
    "function_difference": "department",
    "function_sameness": "department",
    "same_location": "location",
    "timezone": "location",
    "language": "languages",
    "level_difference": None,
    "level_sameness": None,
}


def choice_settings(programme: Programme) -> ChoiceSettings:
    found = ChoiceSettings.objects.filter(programme=programme).first()
    return found or ChoiceSettings(programme=programme, mode=ChoiceMode.CENTRAL)


def is_placed(enrolment: Enrolment) -> bool:
    if enrolment.role == "mentor":
        return False
    return RelationshipMember.objects.filter(enrolment=enrolment, is_active=True).exists()


def mentor_places_left(programme: Programme) -> dict[int, int]:
    taken = mentor_places_taken(programme)
    return {
        e.pk: max(e.capacity - taken.get(e.pk, 0), 0)
        for e in Enrolment.objects.filter(
            programme=programme, role="mentor", status=EnrolmentStatus.ACTIVE
        )
    }


def choosable_for(enrolment: Enrolment) -> list[Enrolment]:
    """Whom this participant may choose: mentors with a free place, or unplaced peers."""
    programme = enrolment.programme
    if programme.is_mentoring:
        if enrolment.role != "mentee":
            return []
        free = mentor_places_left(programme)
        return list(
            Enrolment.objects.filter(pk__in=[pk for pk, left in free.items() if left > 0])
            .select_related("person", "intake")
            .order_by("pk")
        )
    return [e for e in unplaced_enrolments(programme) if e.pk != enrolment.pk]


@dataclass(frozen=True)
class SuggestionRow:
    enrolment: Enrolment
    score: float
    reasons: list[str]
    profile: list[tuple[Any, Any]]  # (label, value) of the fields colleagues may see
    bookmarked: bool
    places_left: int | None
    declined_me: bool = False


def _reasons_for_participant(parts: Any, person: Any) -> list[str]:
    shared = set(shared_fields(person))
    out: list[str] = []
    for part in parts:
        words = part.participant_text
        if not words or words in out:
            continue
        if part.part in REASON_FIELD:
            field = REASON_FIELD[part.part]
            if field is None or field not in shared:
                continue
        out.append(words)
    return out[:4]


def suggestions_for(*, enrolment: Enrolment, limit: int | None = None) -> list[SuggestionRow]:
    """Ranked by the engine's own score, hard rules applied, best first."""
    others = choosable_for(enrolment)
    if not others:
        return []
    programme = enrolment.programme
    cohort = build_cohort(programme, [enrolment, *others])
    scorer = Scorer(cohort.candidates, cohort.rules)
    ranked = suggest(
        scorer,
        0,
        list(range(1, len(cohort.candidates))),
        mentoring=programme.is_mentoring,
        limit=limit,
    )
    marked = set(Bookmark.objects.filter(enrolment=enrolment).values_list("target_id", flat=True))
    free = mentor_places_left(programme) if programme.is_mentoring else {}
    declined = set(
        MatchRequest.objects.filter(
            requester=enrolment, status=MatchRequest.Status.DECLINED
        ).values_list("recipient_id", flat=True)
    )
    rows = []
    for item in ranked:
        other = cohort.enrolments[item.index]
        person = other.person
        seen = person_as_seen(person, Audience.MEMBER)
        rows.append(
            SuggestionRow(
                enrolment=other,
                score=item.score,
                reasons=_reasons_for_participant(item.explanation.parts, person),
                profile=[
                    (FIELD_LABELS[k], ", ".join(v) if isinstance(v, list | tuple) else v)
                    for k, v in seen.items()
                    if k != "name" and v
                ],
                bookmarked=other.pk in marked,
                places_left=free.get(other.pk),
                declined_me=other.pk in declined,
            )
        )
    return rows


def bookmarks_of(enrolment: Enrolment) -> QuerySet[Bookmark]:
    return Bookmark.objects.filter(enrolment=enrolment).select_related("target__person")


def next_bookmark(enrolment: Enrolment) -> Enrolment | None:
    """The earliest bookmark still free and not yet asked (the next one to try)."""
    asked = set(
        MatchRequest.objects.filter(requester=enrolment)
        .exclude(status=MatchRequest.Status.WITHDRAWN)
        .values_list("recipient_id", flat=True)
    )
    available = {e.pk for e in choosable_for(enrolment)}
    for mark in bookmarks_of(enrolment):
        if mark.target_id in available and mark.target_id not in asked:
            return mark.target
    return None


def requests_sent(enrolment: Enrolment) -> QuerySet[MatchRequest]:
    return MatchRequest.objects.filter(requester=enrolment).select_related("recipient__person")


def requests_received(enrolment: Enrolment) -> QuerySet[MatchRequest]:
    return MatchRequest.objects.filter(recipient=enrolment).select_related("requester__person")


def request_get(*, enrolment: Enrolment, request_id: int) -> MatchRequest:
    """A request the participant sent or received; anyone else's is a 404."""
    found = (
        MatchRequest.objects.filter(Q(requester=enrolment) | Q(recipient=enrolment))
        .select_related("requester__person", "recipient__person", "programme__organisation")
        .filter(pk=request_id)
        .first()
    )
    if found is None:
        raise NotFound("No such request.")
    return found


def requests_for_programme(programme: Programme) -> QuerySet[MatchRequest]:
    return MatchRequest.objects.filter(programme=programme).select_related(
        "requester__person", "recipient__person"
    )


def picks_for_programme(programme: Programme) -> QuerySet[HybridPick]:
    return HybridPick.objects.filter(programme=programme).select_related(
        "chooser__person", "chosen__person"
    )


def pick_of(enrolment: Enrolment) -> HybridPick | None:
    return HybridPick.objects.filter(chooser=enrolment).select_related("chosen__person").first()


def picked_by_others(enrolment: Enrolment) -> list[Enrolment]:
    """Peers who picked this person (a hybrid pick counts when it is mutual)."""
    return [
        p.chooser
        for p in HybridPick.objects.filter(chosen=enrolment).select_related("chooser__person")
    ]
