"""Survey and check-in nudges: the nudges app reads the surveys app to find who to remind.

The nudges app tells each recipient once per event key, respects their email
preferences and the programme's switches, and runs every fifteen minutes; these finders
only say what is due and to whom, in a fixed handful of queries.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.urls import reverse
from django.utils.translation import gettext_lazy

from alongside.core.formatting import lazy_date, lazy_interpolate
from alongside.nudges.catalogue import Audience, register_source
from alongside.nudges.events import DueEvent, Recipient
from alongside.nudges.finders import person_recipient
from alongside.programmes.models import Enrolment, EnrolmentStatus, Programme, Stage
from alongside.relationships.models import Relationship, RelationshipMember
from alongside.surveys.models import CheckinSettings, Closing, Pulse, Response, Survey

REMIND_AFTER = timedelta(days=4)

OPEN_MESSAGES = {
    Survey.Kind.START: (
        gettext_lazy("%(programme)s: a five-minute start survey"),
        gettext_lazy(
            "Before your first meetings, rate where you stand today in each of the "
            "programme's capability areas. At the end you answer the same questions, so you "
            "can see what changed. Ratings are reported only for groups of five or more people."
        ),
    ),
    Survey.Kind.END: (
        gettext_lazy("%(programme)s: what changed for you?"),
        gettext_lazy(
            "The programme is nearly over. Rate yourself again in each capability area, and "
            "tell us what changed and whether the format helped."
        ),
    ),
}
REMINDER_SUBJECTS = {
    Survey.Kind.START: gettext_lazy("Reminder: the start survey of %(programme)s"),
    Survey.Kind.END: gettext_lazy("Reminder: the end survey of %(programme)s"),
}


def _non_responders(surveys: list[Survey]) -> dict[int, list[Recipient]]:
    """For each survey, the programme's active participants who have not answered it."""
    programmes = {s.programme_id: s.programme for s in surveys}
    answered = set(
        Response.objects.filter(survey__in=surveys).values_list("survey_id", "enrolment_id")
    )
    enrolments: dict[int, list[Enrolment]] = defaultdict(list)
    for enrolment in Enrolment.objects.filter(
        programme_id__in=list(programmes), status=EnrolmentStatus.ACTIVE, person__is_active=True
    ).select_related("person"):
        enrolments[enrolment.programme_id].append(enrolment)
    return {
        survey.pk: [
            person_recipient(e.person, programmes[survey.programme_id].organisation)
            for e in enrolments[survey.programme_id]
            if (survey.pk, e.pk) not in answered
        ]
        for survey in surveys
    }


def _survey_events(surveys: list[Survey], reminder: bool) -> Iterator[DueEvent]:
    recipients = _non_responders(surveys)
    for survey in surveys:
        if not recipients[survey.pk]:
            continue
        programme = survey.programme
        subject, message = OPEN_MESSAGES[Survey.Kind(survey.kind)]
        values: dict[str, Any] = {"programme": programme.name}
        if reminder:
            subject = REMINDER_SUBJECTS[Survey.Kind(survey.kind)]
            message = gettext_lazy("You have not answered yet; it takes about five minutes.")
            if survey.closes_at:
                zone = ZoneInfo(programme.organisation.default_time_zone or "UTC")
                message = gettext_lazy(
                    "You have not answered yet; it takes about five minutes. It closes on %(date)s."
                )
                values["date"] = lazy_date(survey.closes_at.astimezone(zone), "j F")
        yield DueEvent(
            event_key=f"survey={survey.pk}:{'reminder' if reminder else 'open'}",
            organisation_id=programme.organisation_id,
            programme_id=programme.pk,
            recipients=tuple(recipients[survey.pk]),
            subject=lazy_interpolate(subject, values),
            message=lazy_interpolate(message, values),
            action_label=gettext_lazy("Answer the survey"),
            link=reverse("surveys:fill", args=[programme.organisation.slug, survey.pk]),
            event_at=survey.closes_at,
        )


def _open_surveys() -> list[Survey]:
    return list(
        Survey.objects.filter(status=Survey.Status.OPEN).select_related("programme__organisation")
    )


@register_source(
    key="survey_open",
    title=gettext_lazy("Survey open"),
    audience=Audience.MEMBERS,
    offset=timedelta(0),
    description=gettext_lazy(
        "When the start or end survey opens, to every participant yet to answer it."
    ),
    essential=True,
)
def survey_open(now: datetime) -> Iterator[DueEvent]:
    yield from _survey_events(_open_surveys(), reminder=False)


@register_source(
    key="survey_reminder",
    title=gettext_lazy("Survey reminder"),
    audience=Audience.MEMBERS,
    offset=REMIND_AFTER,
    description=gettext_lazy(
        "Four days after a survey opens, once, to participants who have not answered."
    ),
)
def survey_reminder(now: datetime) -> Iterator[DueEvent]:
    due = [s for s in _open_surveys() if s.opened_at and s.opened_at <= now - REMIND_AFTER]
    yield from _survey_events(due, reminder=True)


def _midpoint_events(now: datetime, reminder: bool) -> Iterator[DueEvent]:
    cutoff = now - REMIND_AFTER if reminder else now
    settings = {
        s.programme_id: s
        for s in CheckinSettings.objects.filter(
            midpoint_opened_at__lte=cutoff, programme__stage=Stage.RUNNING
        ).select_related("programme__organisation")
    }
    answered = set(
        Pulse.objects.filter(
            relationship__programme_id__in=list(settings), kind=Pulse.Kind.MIDPOINT
        ).values_list("member_id", flat=True)
    )
    people: dict[int, list[Recipient]] = defaultdict(list)
    for member in RelationshipMember.objects.filter(
        relationship__programme_id__in=list(settings),
        relationship__status=Relationship.Status.ACTIVE,
        is_active=True,
        enrolment__status=EnrolmentStatus.ACTIVE,
        person__is_active=True,
    ).select_related("person", "relationship"):
        if member.pk in answered:
            continue
        programme = settings[member.relationship.programme_id].programme
        people[programme.pk].append(person_recipient(member.person, programme.organisation))
    for programme_id, recipients in people.items():
        programme = settings[programme_id].programme
        yield DueEvent(
            event_key=f"programme={programme.pk}:midpoint{':reminder' if reminder else ''}",
            organisation_id=programme.organisation_id,
            programme_id=programme.pk,
            recipients=tuple(recipients),
            subject=lazy_interpolate(
                gettext_lazy("Reminder: one question about how %(programme)s is going")
                if reminder
                else gettext_lazy("%(programme)s is halfway: how is it going?"),
                {"programme": programme.name},
            ),
            message=gettext_lazy(
                "You are halfway through. One rating from 1 to 5 and, if you like, "
                "what is in the way. Your programme's managers use it to help where it "
                "is needed."
            ),
            action_label=gettext_lazy("Answer the check-in"),
            link=reverse("surveys:mine", args=[programme.organisation.slug]),
        )


@register_source(
    key="midpoint_checkin",
    title=gettext_lazy("Midpoint check-in"),
    audience=Audience.MEMBERS,
    offset=timedelta(0),
    description=gettext_lazy("At the programme's midpoint, to everyone in a running relationship."),
)
def midpoint_checkin(now: datetime) -> Iterator[DueEvent]:
    yield from _midpoint_events(now, reminder=False)


@register_source(
    key="midpoint_reminder",
    title=gettext_lazy("Midpoint check-in reminder"),
    audience=Audience.MEMBERS,
    offset=REMIND_AFTER,
    description=gettext_lazy("Four days after the midpoint, once, to those who have not answered."),
)
def midpoint_reminder(now: datetime) -> Iterator[DueEvent]:
    yield from _midpoint_events(now, reminder=True)


@register_source(
    key="closing_session",
    title=gettext_lazy("Closing session scheduled"),
    audience=Audience.MEMBERS,
    offset=timedelta(0),
    description=gettext_lazy(
        "When the closing session is scheduled or moved, to everyone taking part."
    ),
    essential=True,
)
def closing_session(now: datetime) -> Iterator[DueEvent]:
    closings = {
        c.programme_id: c
        for c in Closing.objects.filter(
            session_at__gt=now,
            closed_at__isnull=True,
            programme__stage__in=[Stage.RUNNING, Stage.CLOSING],
        ).select_related("programme__organisation")
    }
    people: dict[int, list[Recipient]] = defaultdict(list)
    for enrolment in Enrolment.objects.filter(
        programme_id__in=list(closings), status=EnrolmentStatus.ACTIVE, person__is_active=True
    ).select_related("person"):
        programme: Programme = closings[enrolment.programme_id].programme
        people[programme.pk].append(person_recipient(enrolment.person, programme.organisation))
    for programme_id, recipients in people.items():
        closing = closings[programme_id]
        programme = closing.programme
        assert closing.session_at is not None
        yield DueEvent(
            # A moved session is a new event: everyone hears the new time.
            event_key=f"programme={programme.pk}:closing={closing.session_at.isoformat()}",
            organisation_id=programme.organisation_id,
            programme_id=programme.pk,
            recipients=tuple(recipients),
            subject=lazy_interpolate(
                gettext_lazy("%(programme)s: the closing session"),
                {"programme": programme.name},
            ),
            message=lazy_interpolate(
                gettext_lazy(
                    "The programme's closing session looks back at what changed and what "
                    "comes next. %(details)s"
                ),
                {"details": closing.session_details},
            ),
            action_label=gettext_lazy("See the programme"),
            link=reverse("programmes:detail", args=[programme.organisation.slug, programme.pk]),
            event_at=closing.session_at,
        )
