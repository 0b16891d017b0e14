"""From a proposed time to meetings in everyone's calendar, and every change after that."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from alongside.audit.models import AuditEvent
from alongside.core.errors import AlongsideError
from alongside.meetings.models import Attendance, Meeting
from alongside.scheduling.invite_services import meetings_send_due_invites
from alongside.scheduling.models import Schedule, ScheduleResponse
from alongside.scheduling.services import (
    attendance_send_apologies,
    meeting_cancel,
    meeting_log,
    meeting_record_outcome,
    meeting_reschedule,
    schedule_accept,
    schedule_propose_slot,
)
from tests.scheduling.helpers import Who, members, relationship_of
from tests.scheduling.ics import attached_ics, calendar_part, event_of

NOW = datetime(2027, 1, 4, 8, 0, tzinfo=UTC)  # a Monday
KOLKATA, LONDON, LA = "Asia/Kolkata", "Europe/London", "America/Los_Angeles"


@pytest.fixture
def frozen() -> Any:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def pair(org_a: Any, member: Any, frozen: Any) -> Any:
    return relationship_of(
        org_a, [Who("Ravi Member", LONDON, user=member), Who("Asha Rao", KOLKATA)], kind="pair"
    )


def _confirm(relationship: Any, capture: Any) -> Schedule:
    schedule = Schedule.objects.get(relationship=relationship)
    with capture(execute=True):
        for member in members(relationship).values():
            schedule = schedule_accept(schedule=schedule, member=member, actor=member.person.user)
    return schedule


def test_a_new_relationship_gets_a_proposed_time_with_its_reasons(pair: Any) -> None:
    schedule = Schedule.objects.get(relationship=pair)
    assert schedule.status == Schedule.Status.PROPOSED
    assert schedule.has_overlap
    assert schedule.rhythm == "weekly"
    assert schedule.duration_minutes == 45
    assert schedule.until.isoformat() == "2027-06-30"
    assert schedule.first_date >= (NOW + timedelta(days=3)).date()
    assert schedule.first_date.weekday() == schedule.weekday
    assert "inside everyone's working hours" in schedule.explanation
    assert not Meeting.objects.filter(relationship=pair).exists()


def test_everyone_accepting_confirms_lays_out_meetings_and_sends_invitations(
    pair: Any, mailoutbox: Any, django_capture_on_commit_callbacks: Any
) -> None:
    people = members(pair)
    schedule = Schedule.objects.get(relationship=pair)
    with django_capture_on_commit_callbacks(execute=True):
        schedule = schedule_accept(
            schedule=schedule, member=people["Ravi Member"], actor=people["Ravi Member"].person.user
        )
    assert schedule.status == Schedule.Status.PROPOSED
    assert mailoutbox == []
    schedule = _confirm(pair, django_capture_on_commit_callbacks)
    assert schedule.status == Schedule.Status.CONFIRMED
    meetings = list(Meeting.objects.filter(relationship=pair).order_by("starts_at"))
    # Weekly from the first date to 30 June 2027: 25 or 26 meetings, numbered in order.
    assert 24 <= len(meetings) <= 26
    assert [m.number for m in meetings] == list(range(1, len(meetings) + 1))
    assert meetings[-1].starts_at.date() <= schedule.until
    tz = ZoneInfo(schedule.timezone)
    assert {m.starts_at.astimezone(tz).time() for m in meetings} == {schedule.start_time}
    assert Attendance.objects.filter(meeting__relationship=pair).count() == 2 * len(meetings)
    # Invitations for the meetings in the next five weeks, one email per member each.
    soon = [m for m in meetings if m.starts_at <= NOW + timedelta(weeks=5)]
    assert len(mailoutbox) == 2 * len(soon)
    assert all(m.invite_sent_sequence == 0 for m in soon)
    assert all(m.invite_sent_sequence is None for m in meetings[len(soon) :])
    assert AuditEvent.objects.filter(action="schedule.confirmed").count() == 1


def test_the_invitation_opens_in_a_calendar_client(
    pair: Any, mailoutbox: Any, django_capture_on_commit_callbacks: Any, settings: Any
) -> None:
    _confirm(pair, django_capture_on_commit_callbacks)
    first = Meeting.objects.filter(relationship=pair).order_by("starts_at").first()
    assert first is not None
    to_ravi = next(
        m for m in mailoutbox if m.to == ["ravi.member@acme.test"] and "meeting 1 " in m.subject
    )
    mimetype, calendar = calendar_part(to_ravi)
    assert mimetype == "text/calendar; method=REQUEST"
    assert str(calendar["METHOD"]) == "REQUEST"
    assert str(calendar["VERSION"]) == "2.0"
    assert "Alongside" in str(calendar["PRODID"])
    event = event_of(calendar)
    assert str(event["UID"]) == first.uid
    assert int(event["SEQUENCE"]) == 0
    start = event.decoded("DTSTART")
    assert start == first.starts_at
    assert event["DTSTART"].params["TZID"] == first.timezone
    assert event.decoded("DTEND") - start == timedelta(minutes=45)
    assert f"/o/acme/mentoring/meetings/{first.pk}/" in str(event["DESCRIPTION"])
    assert str(event["ORGANIZER"]) == "mailto:alongside@localhost"
    attendees = {str(a): a.params for a in event["ATTENDEE"]}
    assert set(attendees) == {"mailto:ravi.member@acme.test", "mailto:asha.rao@acme.test"}
    for params in attendees.values():
        assert params["PARTSTAT"] == "NEEDS-ACTION"
        assert params["RSVP"] == "TRUE"
        assert params["ROLE"] == "REQ-PARTICIPANT"
    assert attendees["mailto:asha.rao@acme.test"]["CN"] == "Asha Rao"
    # The VTIMEZONE of the agreed zone is there; the .ics attachment says the same.
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == [first.timezone]
    assert str(event_of(attached_ics(to_ravi))["UID"]) == first.uid
    # Each person reads the time in their own zone.
    ravi_local = first.starts_at.astimezone(ZoneInfo(LONDON))
    asha_local = first.starts_at.astimezone(ZoneInfo(KOLKATA))
    to_asha = next(
        m for m in mailoutbox if m.to == ["asha.rao@acme.test"] and "meeting 1 " in m.subject
    )
    assert f"{ravi_local:%H:%M}" in to_ravi.body
    assert "Europe/London" in to_ravi.body
    assert f"{asha_local:%H:%M}" in to_asha.body
    assert "Asia/Kolkata" in to_asha.body
    html = next(c for c, t in to_asha.alternatives if t == "text/html")
    assert f"{asha_local:%H:%M}" in html


def test_rescheduling_raises_the_sequence_and_sends_an_update(
    pair: Any, mailoutbox: Any, django_capture_on_commit_callbacks: Any
) -> None:
    _confirm(pair, django_capture_on_commit_callbacks)
    first, second = Meeting.objects.filter(relationship=pair).order_by("starts_at")[:2]
    ravi = members(pair)["Ravi Member"]
    mailoutbox.clear()
    later = second.starts_at + timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        moved = meeting_reschedule(
            meeting=first, member=ravi, actor=ravi.person.user, starts_at=later
        )
    assert moved.ical_sequence == 1
    assert Meeting.objects.get(pk=first.pk).invite_sent_sequence == 1
    # It now comes after the old second meeting, so the numbers swap.
    assert Meeting.objects.get(pk=first.pk).number == 2
    assert Meeting.objects.get(pk=second.pk).number == 1
    assert len(mailoutbox) == 2
    assert mailoutbox[0].subject.startswith("Updated:")
    _mimetype, calendar = calendar_part(mailoutbox[0])
    event = event_of(calendar)
    assert str(event["UID"]) == first.uid
    assert int(event["SEQUENCE"]) == 1
    assert event.decoded("DTSTART") == later


def test_cancelling_sends_method_cancel_and_renumbers(
    pair: Any, mailoutbox: Any, django_capture_on_commit_callbacks: Any
) -> None:
    _confirm(pair, django_capture_on_commit_callbacks)
    first, second = Meeting.objects.filter(relationship=pair).order_by("starts_at")[:2]
    asha = members(pair)["Asha Rao"]
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        cancelled = meeting_cancel(
            meeting=first, member=asha, actor=asha.person.user, reason="Offsite that week"
        )
    assert cancelled.status == Meeting.Status.CANCELLED
    assert cancelled.number == 1  # the number it was due to have; the next one takes it
    assert Meeting.objects.get(pk=second.pk).number == 1
    assert len(mailoutbox) == 2
    mimetype, calendar = calendar_part(mailoutbox[0])
    assert mimetype == "text/calendar; method=CANCEL"
    assert str(calendar["METHOD"]) == "CANCEL"
    event = event_of(calendar)
    assert str(event["STATUS"]) == "CANCELLED"
    assert int(event["SEQUENCE"]) == 1
    assert str(event["UID"]) == first.uid
    assert "Offsite that week" in mailoutbox[0].body
    with pytest.raises(AlongsideError, match="already cancelled"):
        meeting_cancel(meeting=first, member=asha, actor=asha.person.user)


def test_the_job_sends_each_sequence_exactly_once_as_meetings_come_into_range(
    pair: Any, mailoutbox: Any, django_capture_on_commit_callbacks: Any, frozen: Any
) -> None:
    _confirm(pair, django_capture_on_commit_callbacks)
    sent_now = len(mailoutbox)
    assert meetings_send_due_invites() == 0  # nothing new
    frozen.move_to(NOW + timedelta(weeks=3))
    with django_capture_on_commit_callbacks(execute=True):  # the outbox sends after commit
        sent = meetings_send_due_invites()
    assert sent == 3  # three more weeks came into the five-week horizon
    assert len(mailoutbox) == sent_now + 2 * 3
    assert meetings_send_due_invites() == 0
    # A change whose email failed earlier is picked up once, and only once.
    meeting = Meeting.objects.filter(relationship=pair, invite_sent_sequence=0).last()
    assert meeting is not None
    Meeting.objects.filter(pk=meeting.pk).update(ical_sequence=1)
    assert meetings_send_due_invites() == 1
    assert meetings_send_due_invites() == 0
    meeting.refresh_from_db()
    assert meeting.invite_sent_sequence == 1


def test_the_periodic_job_is_registered() -> None:
    from alongside.core.periodic_runner import discover_jobs
    from alongside.scheduling import jobs

    job = discover_jobs()["scheduling.send_due_invites"]
    assert job.function is jobs.send_due_invites
    assert job.every == timedelta(hours=1)


def test_a_cancelled_meeting_nobody_was_invited_to_sends_nothing(
    pair: Any, mailoutbox: Any, django_capture_on_commit_callbacks: Any
) -> None:
    _confirm(pair, django_capture_on_commit_callbacks)
    last = Meeting.objects.filter(relationship=pair).order_by("starts_at").last()
    assert last is not None
    assert last.invite_sent_sequence is None
    asha = members(pair)["Asha Rao"]
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        meeting_cancel(meeting=last, member=asha, actor=asha.person.user)
    assert mailoutbox == []
    assert meetings_send_due_invites() == 0


def test_proposing_another_slot_resets_answers_and_moves_confirmed_meetings(
    pair: Any, mailoutbox: Any, django_capture_on_commit_callbacks: Any
) -> None:
    _confirm(pair, django_capture_on_commit_callbacks)
    before = {m.uid: m.ical_sequence for m in Meeting.objects.filter(relationship=pair)}
    people = members(pair)
    ravi, asha = people["Ravi Member"], people["Asha Rao"]
    schedule = Schedule.objects.get(relationship=pair)
    schedule = schedule_propose_slot(
        schedule=schedule, member=ravi, actor=ravi.person.user, weekday=2, start_time="11:00"
    )
    assert schedule.status == Schedule.Status.PROPOSED
    assert schedule.timezone == LONDON  # Ravi's own zone
    assert schedule.explanation.startswith("Proposed by Ravi Member.")
    assert list(
        ScheduleResponse.objects.filter(schedule=schedule).values_list("member", flat=True)
    ) == [ravi.pk]
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        schedule = schedule_accept(schedule=schedule, member=asha, actor=asha.person.user)
    assert schedule.status == Schedule.Status.CONFIRMED
    moved = list(Meeting.objects.filter(relationship=pair).exclude(status="cancelled"))
    london = ZoneInfo(LONDON)
    assert {m.starts_at.astimezone(london).strftime("%a %H:%M") for m in moved} == {"Wed 11:00"}
    # The same calendar events, updated: same UIDs, one sequence higher.
    assert {m.uid for m in moved} <= set(before)
    assert all(m.ical_sequence == before[m.uid] + 1 for m in moved)
    assert mailoutbox
    assert all(m.subject.startswith("Updated:") for m in mailoutbox)
    # The attached invitation carries London's VTIMEZONE with both sides of the March
    # change, so a client places the same 11:00 an hour earlier in UTC after it.
    sent = attached_ics(mailoutbox[0])
    [vtimezone] = sent.walk("VTIMEZONE")
    assert str(vtimezone["TZID"]) == LONDON
    tz = vtimezone.to_tz()
    assert datetime(2027, 1, 13, 11, tzinfo=tz).utcoffset() == timedelta(0)
    assert datetime(2027, 4, 7, 11, tzinfo=tz).utcoffset() == timedelta(hours=1)
    after_change = next(m for m in moved if m.starts_at > datetime(2027, 3, 29, tzinfo=UTC))
    assert after_change.starts_at.astimezone(UTC).hour == 10


def test_a_slot_outside_someone_s_hours_is_accepted_but_said(pair: Any) -> None:
    ravi = members(pair)["Ravi Member"]
    schedule = schedule_propose_slot(
        schedule=Schedule.objects.get(relationship=pair),
        member=ravi,
        actor=ravi.person.user,
        weekday=1,
        start_time="16:30",
    )
    assert not schedule.has_overlap
    assert "Asha Rao" in schedule.explanation


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"weekday": 7, "start_time": "10:00"}, "0 \\(Monday\\) to 6"),
        ({"weekday": 1, "start_time": "ten"}, "use 24-hour HH:MM"),
        ({"weekday": 1, "start_time": "10:00", "timezone_name": "Mars/Base"}, "not a known"),
    ],
)
def test_a_bad_slot_is_refused_with_a_reason(pair: Any, changes: Any, message: str) -> None:
    ravi = members(pair)["Ravi Member"]
    with pytest.raises(AlongsideError, match=message):
        schedule_propose_slot(
            schedule=Schedule.objects.get(relationship=pair),
            member=ravi,
            actor=ravi.person.user,
            **changes,
        )


def test_logging_a_meeting_that_happened_outside_the_schedule(
    pair: Any, django_capture_on_commit_callbacks: Any, frozen: Any
) -> None:
    _confirm(pair, django_capture_on_commit_callbacks)
    frozen.move_to(NOW + timedelta(days=20))
    asha = members(pair)["Asha Rao"]
    ravi = members(pair)["Ravi Member"]
    when = NOW + timedelta(days=1, hours=3)
    logged = meeting_log(
        relationship=pair,
        member=asha,
        actor=asha.person.user,
        starts_at=when,
        attendance={ravi.pk: "apologies"},
    )
    assert logged.status == Meeting.Status.HELD
    assert logged.unscheduled
    assert logged.held_at == when
    assert logged.number == 1  # before every scheduled meeting
    assert dict(logged.attendance.values_list("member__person__name", "status")) == {
        "Asha Rao": "attended",
        "Ravi Member": "apologies",
    }
    assert AuditEvent.objects.filter(action="meeting.logged").exists()
    with pytest.raises(AlongsideError, match="already happened"):
        meeting_log(
            relationship=pair,
            member=asha,
            actor=asha.person.user,
            starts_at=NOW + timedelta(days=30),
        )
    with pytest.raises(AlongsideError, match="time zone"):
        meeting_log(
            relationship=pair, member=asha, actor=asha.person.user, starts_at=datetime(2027, 1, 5)
        )


def test_recording_held_and_missed_with_attendance_per_member(
    pair: Any, django_capture_on_commit_callbacks: Any, frozen: Any
) -> None:
    _confirm(pair, django_capture_on_commit_callbacks)
    first, second = Meeting.objects.filter(relationship=pair).order_by("starts_at")[:2]
    people = members(pair)
    ravi, asha = people["Ravi Member"], people["Asha Rao"]
    with pytest.raises(AlongsideError, match="not started yet"):
        meeting_record_outcome(meeting=first, member=ravi, actor=ravi.person.user, status="held")
    attendance_send_apologies(meeting=second, member=asha, actor=asha.person.user)
    frozen.move_to(second.starts_at + timedelta(hours=1))
    held = meeting_record_outcome(
        meeting=first,
        member=ravi,
        actor=ravi.person.user,
        status="held",
        attendance={asha.pk: "missed"},
    )
    assert held.status == "held"
    assert held.held_at == first.starts_at
    assert dict(held.attendance.values_list("member_id", "status")) == {
        ravi.pk: "attended",
        asha.pk: "missed",
    }
    missed = meeting_record_outcome(
        meeting=second, member=ravi, actor=ravi.person.user, status="missed"
    )
    assert dict(missed.attendance.values_list("member_id", "status")) == {
        ravi.pk: "missed",
        asha.pk: "apologies",
    }
    assert missed.number == 2  # missed meetings still count
    with pytest.raises(AlongsideError, match="held or missed"):
        meeting_record_outcome(
            meeting=second, member=ravi, actor=ravi.person.user, status="cancelled"
        )
    with pytest.raises(AlongsideError, match="mark at least one member as attended"):
        meeting_record_outcome(
            meeting=second,
            member=ravi,
            actor=ravi.person.user,
            status="held",
            attendance={ravi.pk: "missed", asha.pk: "apologies"},
        )
    with pytest.raises(AlongsideError, match="attended, missed or apologies"):
        meeting_record_outcome(
            meeting=second,
            member=ravi,
            actor=ravi.person.user,
            status="held",
            attendance={ravi.pk: "late"},
        )


def test_a_late_joiner_is_in_every_meeting_to_come_and_gets_the_invitations(
    org_a: Any,
    member: Any,
    admin: Any,
    frozen: Any,
    mailoutbox: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    from alongside.matches.services import relationship_add_late_joiner
    from alongside.programmes.models import Enrolment
    from tests.scheduling.helpers import person_for

    circle = relationship_of(
        org_a,
        [
            Who("Ravi Member", KOLKATA, user=member),
            Who("Asha Rao", KOLKATA),
            Who("Dev Iyer", KOLKATA),
            Who("Meera Das", KOLKATA),
        ],
    )
    _confirm(circle, django_capture_on_commit_callbacks)
    invited = Meeting.objects.filter(relationship=circle, invite_sent_sequence=0).count()
    mailoutbox.clear()
    newcomer = person_for(org_a, Who("Noor Khan", LA))
    enrolment = Enrolment.objects.create(
        programme=circle.programme, person=newcomer, role="peer", source="directory"
    )
    with django_capture_on_commit_callbacks(execute=True):
        joined = relationship_add_late_joiner(relationship=circle, enrolment=enrolment, actor=admin)
    future = Meeting.objects.filter(relationship=circle, status="scheduled")
    assert Attendance.objects.filter(member=joined, meeting__in=future).count() == future.count()
    invites = [
        m
        for m in mailoutbox
        if m.to == ["noor.khan@acme.test"]
        and m.alternatives
        and any(t.startswith("text/calendar") for _c, t in m.alternatives)
    ]
    assert len(invites) == invited
    _mimetype, calendar = calendar_part(invites[0])
    names = {a.params["CN"] for a in event_of(calendar)["ATTENDEE"]}
    assert "Noor Khan" in names


def test_when_a_pair_ends_its_meetings_to_come_are_cancelled(
    pair: Any, admin: Any, mailoutbox: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from alongside.relationships.services import relationship_members_leave

    _confirm(pair, django_capture_on_commit_callbacks)
    asha = members(pair)["Asha Rao"]
    invited = Meeting.objects.filter(relationship=pair, invite_sent_sequence=0).count()
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        relationship_members_leave(enrolment=asha.enrolment, actor=admin)
    assert not Meeting.objects.filter(relationship=pair, status="scheduled").exists()
    cancels = [m for m in mailoutbox if calendar_part(m)[0].endswith("method=CANCEL")]
    assert len(cancels) == 2 * invited


def test_only_active_members_of_an_active_relationship_can_act(pair: Any, admin: Any) -> None:
    ravi = members(pair)["Ravi Member"]
    ravi.is_active = False
    ravi.save()
    with pytest.raises(AlongsideError, match="Only the relationship's members"):
        schedule_accept(schedule=Schedule.objects.get(relationship=pair), member=ravi, actor=admin)


def test_publishing_proposes_a_time_for_every_new_relationship(org_a: Any, admin: Any) -> None:
    from alongside.relationships.models import Relationship
    from tests.matches.helpers import published_programme

    programme, _enrolments = published_programme(org_a, admin, "peer_pairs", 8)
    relationships = Relationship.objects.filter(programme=programme)
    assert relationships.count() == 4
    schedules = Schedule.objects.filter(relationship__in=relationships)
    assert schedules.count() == 4
    assert {s.status for s in schedules} == {"proposed"}
    assert all(s.explanation and s.until == programme.end_date for s in schedules)


def test_the_relationship_and_meeting_pages_carry_the_schedule_partials(
    pair: Any, member: Any, client_for: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from django.urls import reverse

    client = client_for(member)
    page = client.get(reverse("meetings:relationship", args=["acme", pair.pk])).content.decode()
    assert f'id="schedule-panel-{pair.pk}"' in page
    assert "Accept this time" in page
    assert reverse("scheduling:schedule", args=["acme", pair.pk]) in page
    assert reverse("scheduling:calendar_feed", args=["acme"]) in page
    _confirm(pair, django_capture_on_commit_callbacks)
    meeting = Meeting.objects.filter(relationship=pair).order_by("starts_at").first()
    assert meeting is not None
    page = client.get(reverse("meetings:meeting", args=["acme", meeting.pk])).content.decode()
    assert f'id="meeting-actions-{meeting.pk}"' in page
    assert reverse("scheduling:meeting_reschedule", args=["acme", meeting.pk]) in page
    assert "I can't make this one" in page
