"""Each catalogue nudge finds its events, and only those, in a fixed number of queries."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from alongside.meetings.models import Commitment
from alongside.nudges.catalogue import CATALOGUE, Audience, catalogue, register_source
from alongside.nudges.models import NudgeDelivery
from alongside.nudges.sending import nudge_events_record
from alongside.people.models import Person
from alongside.programmes.models import Intake
from alongside.scheduling.models import Schedule
from tests.nudges.helpers import NOW, build_world, meeting


def due(key: str) -> list[Any]:
    return list(CATALOGUE[key].finder(NOW))


def test_the_catalogue_declares_every_nudge_of_the_issue() -> None:
    keys = [nudge.key for nudge in catalogue()]
    for key in (
        "intake_overdue",
        "first_meeting_overdue",
        "meeting_tomorrow",
        "commitment_due",
        "quiet_one_period",
        "quiet_two_periods",
        "programme_ending",
    ):
        assert key in keys
    assert CATALOGUE["quiet_two_periods"].audience == Audience.MANAGERS
    assert CATALOGUE["meeting_tomorrow"].offset_label == "1 day before"
    assert CATALOGUE["intake_overdue"].offset_label == "3 days after"


def test_a_nudge_key_cannot_be_taken_twice() -> None:
    with pytest.raises(ValueError, match="registered twice"):
        register_source(
            key="meeting_tomorrow",
            title="x",
            audience=Audience.MEMBERS,
            offset=timedelta(0),
            description="x",
        )(lambda now: [])


@pytest.mark.django_db
def test_intake_overdue_after_three_days_while_enrolling(org_a: Any, manager: Any) -> None:
    world = build_world(org_a, manager, pairs=1, stage="enrolling")
    Intake.objects.filter(enrolment=world.enrolments[0]).update(completed_at=None)
    events = due("intake_overdue")
    assert [e.event_key for e in events] == [f"enrolment={world.enrolments[0].pk}"]
    assert events[0].link == f"/o/acme/programmes/{world.programme.pk}/intake/"
    world.enrolments[0].enrolled_at = NOW - timedelta(days=2)
    world.enrolments[0].save()
    assert due("intake_overdue") == []


@pytest.mark.django_db
def test_first_meeting_overdue_fourteen_days_after_matching(org_a: Any, manager: Any) -> None:
    world = build_world(org_a, manager, pairs=2, matched_at=NOW - timedelta(days=15))
    meeting(world.pairs[1], NOW - timedelta(days=3), status="held")
    events = due("first_meeting_overdue")
    assert [e.event_key for e in events] == [f"relationship={world.pairs[0].pk}"]
    assert {r.email for r in events[0].recipients} == {"person0@acme.test", "person1@acme.test"}


@pytest.mark.django_db
def test_meeting_tomorrow_only_for_scheduled_meetings_in_the_next_day(
    org_a: Any, manager: Any
) -> None:
    world = build_world(org_a, manager, pairs=3)
    soon = meeting(world.pairs[0], NOW + timedelta(hours=23))
    meeting(world.pairs[1], NOW + timedelta(hours=25))
    meeting(world.pairs[2], NOW + timedelta(hours=5), status="cancelled")
    events = due("meeting_tomorrow")
    assert [e.event_key for e in events] == [f"meeting={soon.pk}:at=20261111T0800"]
    assert events[0].event_at == soon.starts_at


@pytest.mark.django_db
def test_commitment_due_a_day_before_its_date(org_a: Any, manager: Any) -> None:
    world = build_world(org_a, manager, pairs=1)
    held = meeting(world.pairs[0], NOW - timedelta(days=5), status="held")
    members = list(world.pairs[0].members.all())
    due_tomorrow = Commitment.objects.create(
        relationship=world.pairs[0],
        member=members[0],
        made_at=held,
        text="Ask for feedback",
        due_date=date(2026, 11, 11),
    )
    later = meeting(world.pairs[0], NOW - timedelta(days=4), status="held")
    Commitment.objects.create(
        relationship=world.pairs[0],
        member=members[1],
        made_at=later,
        text="Later",
        due_date=date(2026, 11, 20),
    )
    events = due("commitment_due")
    assert [e.event_key for e in events] == [f"commitment={due_tomorrow.pk}:due=2026-11-11"]
    assert [r.email for r in events[0].recipients] == [members[0].person.email]


@pytest.mark.django_db
def test_quiet_relationships_nudge_members_after_one_period_and_managers_after_two(
    org_a: Any, manager: Any
) -> None:
    world = build_world(org_a, manager, pairs=3, matched_at=NOW - timedelta(days=90))
    meeting(world.pairs[0], NOW - timedelta(days=15), status="held")  # one fortnight
    meeting(world.pairs[1], NOW - timedelta(days=29), status="held")  # two fortnights
    meeting(world.pairs[2], NOW - timedelta(days=40), status="held")
    meeting(world.pairs[2], NOW - timedelta(days=5), status="held")
    meeting(world.pairs[1], NOW - timedelta(days=3), status="missed")  # missed is not met
    meeting(world.pairs[1], NOW + timedelta(days=10))  # nor is one in the diary
    members = {e.event_key for e in due("quiet_one_period")}
    assert members == {
        f"relationship={world.pairs[0].pk}:since=20261026",
        f"relationship={world.pairs[1].pk}:since=20261012",
    }
    managers = due("quiet_two_periods")
    assert [e.event_key for e in managers] == [f"relationship={world.pairs[1].pk}:since=20261012"]
    assert [r.email for r in managers[0].recipients] == ["priya.pm@acme.test"]
    # A monthly schedule of its own makes one fortnight quiet no longer overdue.
    Schedule.objects.create(
        relationship=world.pairs[0],
        weekday=0,
        start_time="09:00",
        timezone="Europe/London",
        rhythm="monthly",
        first_date=date(2026, 10, 1),
        until=date(2027, 3, 1),
    )
    assert f"relationship={world.pairs[0].pk}:since=20261026" not in {
        e.event_key for e in due("quiet_one_period")
    }


@pytest.mark.django_db
def test_a_programme_without_managers_tells_its_admins(org_a: Any, admin: Any) -> None:
    world = build_world(org_a, None, pairs=1, matched_at=NOW - timedelta(days=90))
    events = due("quiet_two_periods")
    assert [r.email for r in events[0].recipients] == ["asha.admin@acme.test"]
    assert events[0].programme_id == world.programme.pk


@pytest.mark.django_db
def test_programme_ending_two_weeks_before_its_end(org_a: Any, manager: Any) -> None:
    world = build_world(org_a, manager, pairs=2)
    assert due("programme_ending") == []
    world.programme.end_date = date(2026, 11, 24)
    world.programme.save()
    events = due("programme_ending")
    assert [e.event_key for e in events] == [f"programme={world.programme.pk}:ends=2026-11-24"]
    assert len(events[0].recipients) == 4


@pytest.mark.django_db
def test_recording_takes_the_same_queries_for_many_people_as_for_few(
    org_a: Any, manager: Any
) -> None:
    def queries_for(pairs: int) -> int:
        NudgeDelivery.objects.all().delete()
        world = build_world(org_a, manager, pairs=pairs, matched_at=NOW - timedelta(days=90))
        for pair in world.pairs:
            meeting(pair, NOW - timedelta(days=3), status="held")
            meeting(pair, NOW + timedelta(hours=3))
        world.programme.end_date = date(2026, 11, 20)
        world.programme.save()
        with CaptureQueriesContext(connection) as captured:
            recorded = nudge_events_record(now=NOW)
        assert recorded == pairs * 2 * 2  # meeting tomorrow + programme ending, each person
        world.programme.delete()
        Person.objects.filter(user__isnull=True).delete()
        return len(captured.captured_queries)

    assert queries_for(2) == queries_for(6)


@pytest.mark.django_db
def test_another_app_plugs_in_a_source_that_is_switched_and_sent_like_the_others(
    org_a: Any, manager: Any, member: Any
) -> None:
    """What the surveys app does in its ``nudges.py``: register a finder, return DueEvents."""
    from django.core import mail

    from alongside.nudges.events import DueEvent
    from alongside.nudges.finders import person_recipient
    from alongside.nudges.selectors import programme_nudges
    from alongside.nudges.services import programme_nudges_configure
    from tests.nudges.helpers import send_nudges

    world = build_world(org_a, manager, pairs=1, member=member)
    people = world.people

    def surveys_open(now: Any) -> list[DueEvent]:
        return [
            DueEvent(
                event_key="survey=7",
                organisation_id=org_a.pk,
                programme_id=world.programme.pk,
                recipients=tuple(person_recipient(p, org_a) for p in people),
                subject="Tell us how it is going",
                message="A two-minute survey is open until Friday.",
                action_label="Answer the survey",
                link="/o/acme/surveys/7/",
                event_at=NOW + timedelta(days=4),
            )
        ]

    register_source(
        key="test_survey_open",
        title="Survey open",
        audience=Audience.MEMBERS,
        offset=timedelta(0),
        description="When a survey opens.",
    )(surveys_open)
    try:
        assert "test_survey_open" in [
            s.nudge.key for s in programme_nudges(programme=world.programme)
        ]
        programme_nudges_configure(
            programme=world.programme,
            actor=manager,
            enabled={nudge.key: False for nudge in catalogue()},
        )
        send_nudges(now=NOW)
        assert mail.outbox == []
        programme_nudges_configure(
            programme=world.programme, actor=manager, enabled={"test_survey_open": True}
        )
        send_nudges(now=NOW)
        send_nudges(now=NOW)
        assert sorted(m.to[0] for m in mail.outbox) == [
            "person1@acme.test",
            "ravi.member@acme.test",
        ]
        assert (
            "Saturday 14 November 2026, 14:30 (Asia/Kolkata)"
            in mail.outbox[0].body + mail.outbox[1].body
        )
    finally:
        CATALOGUE.pop("test_survey_open")
