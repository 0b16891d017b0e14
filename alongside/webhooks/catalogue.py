"""The events a webhook can subscribe to, and what each one's ``data`` holds.

Each event is built from a domain event of an app below, reading the current state in a
few queries. Payloads name people by id and name only where the event is about them;
survey events never say who answered or what (answers are reported only for groups of
five or more, in the app).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from alongside.core.events import DomainEvent
from alongside.health.events import HealthChanged
from alongside.meetings.events import MeetingHeld
from alongside.meetings.models import Meeting
from alongside.programmes.events import PeopleEnrolled, ProgrammeClosing
from alongside.programmes.models import Enrolment, Programme
from alongside.relationships.events import RelationshipsPublished
from alongside.relationships.models import Relationship
from alongside.surveys.events import SurveyAnswered
from alongside.surveys.models import Survey

# Health statuses that need a manager's attention.
AT_RISK = ("at_risk", "struggling", "dormant")
TEST = "webhook.test"


@dataclass(frozen=True)
class EventType:
    name: str
    label: Promise
    description: Promise


EVENT_TYPES = (
    EventType(
        "person.enrolled",
        _("Person enrolled"),
        _("People were enrolled in a programme, or came back after withdrawing."),
    ),
    EventType(
        "match.published",
        _("Match published"),
        _("A programme's matches were published: the new pairs, circles or groups."),
    ),
    EventType(
        "relationship.at_risk",
        _("Relationship at risk"),
        _("A relationship's health turned at risk, struggling or dormant, with the reasons."),
    ),
    EventType(
        "meeting.held",
        _("Meeting held"),
        _("A meeting was recorded as held, or logged by its members."),
    ),
    EventType(
        "survey.answered",
        _("Survey answered"),
        _("Someone answered a start or end survey (never who, never the answers)."),
    ),
    EventType(
        "programme.closed",
        _("Programme closed"),
        _("A programme was closed."),
    ),
)
EVENT_NAMES = frozenset(t.name for t in EVENT_TYPES)


@dataclass(frozen=True)
class Outgoing:
    """One webhook event to send to every endpoint of the organisation that wants it."""

    organisation_id: int
    event_type: str
    data: dict[str, Any]


def _programme(programme: Programme) -> dict[str, Any]:
    return {"id": programme.pk, "name": programme.name, "format": programme.format}


def _enrolled(events: list[PeopleEnrolled]) -> Iterable[Outgoing]:
    ids = [i for e in events for i in e.enrolment_ids]
    enrolments = {
        e.pk: e for e in Enrolment.objects.filter(pk__in=ids).select_related("person", "programme")
    }
    for event in events:
        rows = [enrolments[i] for i in event.enrolment_ids if i in enrolments]
        if not rows:
            continue
        yield Outgoing(
            event.organisation_id,
            "person.enrolled",
            {
                "programme": _programme(rows[0].programme),
                "enrolments": [
                    {
                        "id": e.pk,
                        "role": e.role,
                        "person": {
                            "id": e.person_id,
                            "name": e.person.name,
                            "email": e.person.email,
                        },
                    }
                    for e in rows
                ],
            },
        )


def _published(events: list[RelationshipsPublished]) -> Iterable[Outgoing]:
    for event in events:
        relationships = list(
            Relationship.objects.filter(pk__in=event.relationship_ids)
            .select_related("programme")
            .prefetch_related("members__person")
            .order_by("pk")
        )
        if not relationships:
            continue
        yield Outgoing(
            event.organisation_id,
            "match.published",
            {
                "programme": _programme(relationships[0].programme),
                "match_run_id": event.match_run_id,
                "relationships": [
                    {
                        "id": r.pk,
                        "name": r.name,
                        "kind": r.kind,
                        "members": [
                            {"person_id": m.person_id, "name": m.person.name, "role": m.role}
                            for m in r.members.all()
                            if m.is_active
                        ],
                    }
                    for r in relationships
                ],
            },
        )


def _health(events: list[HealthChanged]) -> Iterable[Outgoing]:
    worrying = [e for e in events if e.status in AT_RISK and e.previous_status != e.status]
    names = dict(
        Relationship.objects.filter(pk__in=[e.relationship_id for e in worrying]).values_list(
            "pk", "name"
        )
    )
    for event in worrying:
        yield Outgoing(
            event.organisation_id,
            "relationship.at_risk",
            {
                "relationship": {
                    "id": event.relationship_id,
                    "name": names.get(event.relationship_id, ""),
                    "programme_id": event.programme_id,
                },
                "status": event.status,
                "previous_status": event.previous_status or None,
                "reasons": list(event.reasons),
            },
        )


def _held(events: list[MeetingHeld]) -> Iterable[Outgoing]:
    meetings = {
        m.pk: m
        for m in Meeting.objects.filter(pk__in=[e.meeting_id for e in events]).select_related(
            "relationship"
        )
    }
    for event in events:
        meeting = meetings.get(event.meeting_id)
        if meeting is None:
            continue
        yield Outgoing(
            event.organisation_id,
            "meeting.held",
            {
                "meeting": {
                    "id": meeting.pk,
                    "number": meeting.number,
                    "starts_at": meeting.starts_at.isoformat(),
                    "duration_minutes": meeting.duration_minutes,
                    "logged_by_members": meeting.unscheduled,
                },
                "relationship": {
                    "id": meeting.relationship_id,
                    "name": meeting.relationship.name,
                    "programme_id": meeting.relationship.programme_id,
                },
            },
        )


def _answered(events: list[SurveyAnswered]) -> Iterable[Outgoing]:
    surveys = {
        s.pk: s
        for s in Survey.objects.filter(pk__in={e.survey_id for e in events}).annotate(
            answered=Count("responses")
        )
    }
    for event in events:
        survey = surveys.get(event.survey_id)
        if survey is None:
            continue
        yield Outgoing(
            event.organisation_id,
            "survey.answered",
            {
                "survey": {
                    "id": survey.pk,
                    "kind": survey.kind,
                    "programme_id": event.programme_id,
                },
                "responses": survey.answered,
            },
        )


def _closed(events: list[ProgrammeClosing]) -> Iterable[Outgoing]:
    programmes = Programme.objects.in_bulk([e.programme_id for e in events])
    for event in events:
        programme = programmes.get(event.programme_id)
        if programme is not None:
            yield Outgoing(
                event.organisation_id, "programme.closed", {"programme": _programme(programme)}
            )


BUILDERS: dict[type[DomainEvent], Callable[[list[Any]], Iterable[Outgoing]]] = {
    PeopleEnrolled: _enrolled,
    RelationshipsPublished: _published,
    HealthChanged: _health,
    MeetingHeld: _held,
    SurveyAnswered: _answered,
    ProgrammeClosing: _closed,
}


def outgoing_for(events: Iterable[DomainEvent]) -> list[Outgoing]:
    """The webhook events for a batch of domain events, in the order they happened."""
    by_type: dict[type[DomainEvent], list[DomainEvent]] = {}
    for event in events:
        by_type.setdefault(type(event), []).append(event)
    out: list[Outgoing] = []
    for kind, batch in by_type.items():
        builder = BUILDERS.get(kind)
        if builder is not None:
            out.extend(builder(batch))
    return out
