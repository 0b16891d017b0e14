"""The schedule panel and meeting actions in the browser: own zone, members act, managers look."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from alongside.meetings.models import Attendance, Meeting
from alongside.scheduling.models import Schedule
from alongside.scheduling.selectors import schedule_panel_context
from tests.scheduling.helpers import Who, members, relationship_of

NOW = datetime(2027, 1, 4, 8, 0, tzinfo=UTC)
LONDON, KOLKATA, LA = "Europe/London", "Asia/Kolkata", "America/Los_Angeles"


@pytest.fixture
def frozen() -> Any:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def circle(org_a: Any, member: Any, frozen: Any) -> Any:
    return relationship_of(
        org_a,
        [
            Who("Ravi Member", LONDON, user=member),
            Who("Asha Rao", KOLKATA),
            Who("Pat Lee", LA),
        ],
    )


def _url(name: str, *args: Any) -> str:
    return reverse(f"scheduling:{name}", args=["acme", *args])


def _confirm(circle: Any, client_for: Any, capture: Any) -> None:
    with capture(execute=True):
        for m in members(circle).values():
            client_for(m.person.user).post(_url("schedule_accept", circle.pk))
    assert Schedule.objects.get(relationship=circle).status == "confirmed"


def test_a_member_sees_the_time_in_their_own_zone_and_everyone_else_s(
    circle: Any, member: Any, client_for: Any
) -> None:
    schedule = Schedule.objects.get(relationship=circle)
    body = client_for(member).get(_url("schedule", circle.pk)).content.decode()
    context = schedule_panel_context(
        relationship=circle, viewer_member=members(circle)["Ravi Member"]
    )
    mine = context["my_start"]
    assert mine.tzinfo == ZoneInfo(LONDON)
    assert f"{mine:%H:%M}" in body
    assert "your time, Europe/London" in body
    for person in context["local_times"]:
        assert f"{person.at:%H:%M}" in body
    assert "Pat Lee" in body
    assert "outside their working hours" in body
    assert schedule.explanation.split(".")[0] in body
    assert "Accept this time" in body
    assert "Propose another time" in body


def test_accepting_from_the_page_and_with_htmx(
    circle: Any, client_for: Any, django_capture_on_commit_callbacks: Any
) -> None:
    people = members(circle)
    ravi = people["Ravi Member"].person.user
    response = client_for(ravi).post(
        _url("schedule_accept", circle.pk), {"next": "/o/acme/mentoring/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/o/acme/mentoring/"
    page = client_for(ravi).get(_url("schedule", circle.pk)).content.decode()
    assert "You accepted. Waiting for Asha Rao, Pat Lee" in page
    response = client_for(people["Asha Rao"].person.user).post(
        _url("schedule_accept", circle.pk), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith("<section")
    assert 'id="schedule-panel-' in body
    assert "waiting for the others" in body
    with django_capture_on_commit_callbacks(execute=True):
        client_for(people["Pat Lee"].person.user).post(_url("schedule_accept", circle.pk))
    assert Meeting.objects.filter(relationship=circle).count() > 20


def test_an_external_next_is_ignored(circle: Any, member: Any, client_for: Any) -> None:
    response = client_for(member).post(
        _url("schedule_accept", circle.pk), {"next": "https://evil.example/"}
    )
    assert response["Location"] == _url("schedule", circle.pk)


def test_proposing_another_time_in_my_zone(circle: Any, member: Any, client_for: Any) -> None:
    response = client_for(member).post(
        _url("schedule_propose", circle.pk),
        {"weekday": "2", "start_time": "11:30"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    schedule = Schedule.objects.get(relationship=circle)
    assert (schedule.weekday, f"{schedule.start_time:%H:%M}", schedule.timezone) == (
        2,
        "11:30",
        LONDON,
    )
    assert "the others are asked to accept it" in response.content.decode()
    bad = client_for(member).post(
        _url("schedule_propose", circle.pk), {"weekday": "", "start_time": "11:30"}, follow=True
    )
    assert "Choose the weekday." in bad.content.decode()


def test_managers_can_look_but_not_act(circle: Any, admin: Any, client_for: Any) -> None:
    page = client_for(admin).get(_url("schedule", circle.pk))
    assert page.status_code == 200
    assert "Accept this time" not in page.content.decode()
    assert client_for(admin).post(_url("schedule_accept", circle.pk)).status_code == 403
    assert Schedule.objects.get(relationship=circle).responses.count() == 0


def test_someone_outside_the_relationship_gets_404(
    circle: Any, manager: Any, client_for: Any
) -> None:
    # A programme manager who does not manage this programme.
    assert client_for(manager).get(_url("schedule", circle.pk)).status_code == 404


def test_rescheduling_reads_the_time_in_the_member_s_zone(
    circle: Any, member: Any, client_for: Any, django_capture_on_commit_callbacks: Any
) -> None:
    _confirm(circle, client_for, django_capture_on_commit_callbacks)
    meeting = Meeting.objects.filter(relationship=circle).order_by("starts_at").first()
    assert meeting is not None
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(member).post(
            _url("meeting_reschedule", meeting.pk),
            {"starts_at": "2027-01-15T14:00"},
            HTTP_HX_REQUEST="true",
        )
    assert response.status_code == 200
    meeting.refresh_from_db()
    assert meeting.starts_at == datetime(2027, 1, 15, 14, tzinfo=ZoneInfo(LONDON))
    assert meeting.ical_sequence == 1
    assert "everyone gets an updated invitation" in response.content.decode()
    past = client_for(member).post(
        _url("meeting_reschedule", meeting.pk), {"starts_at": "2026-12-01T10:00"}, follow=True
    )
    assert "Pick a time in the future" in past.content.decode()


def test_outcome_and_attendance_from_the_form(
    circle: Any, member: Any, client_for: Any, frozen: Any, django_capture_on_commit_callbacks: Any
) -> None:
    _confirm(circle, client_for, django_capture_on_commit_callbacks)
    meeting = Meeting.objects.filter(relationship=circle).order_by("starts_at").first()
    assert meeting is not None
    frozen.move_to(meeting.starts_at + timedelta(hours=2))
    page = client_for(member).get(_url("schedule", circle.pk)).content.decode()
    assert "How did it go?" in page
    pat = members(circle)["Pat Lee"]
    response = client_for(member).post(
        _url("meeting_outcome", meeting.pk),
        {"status": "held", f"attendance-{pat.pk}": "apologies"},
        HTTP_HX_REQUEST="true",
    )
    assert "Recorded as held." in response.content.decode()
    statuses = dict(
        Attendance.objects.filter(meeting=meeting).values_list("member__person__name", "status")
    )
    assert statuses == {"Ravi Member": "attended", "Asha Rao": "attended", "Pat Lee": "apologies"}


def test_logging_cancelling_and_apologies_from_the_page(
    circle: Any, member: Any, client_for: Any, django_capture_on_commit_callbacks: Any
) -> None:
    _confirm(circle, client_for, django_capture_on_commit_callbacks)
    first, second = Meeting.objects.filter(relationship=circle).order_by("starts_at")[:2]
    client_for(member).post(_url("meeting_log", circle.pk), {"starts_at": "2027-01-03T17:00"})
    logged = Meeting.objects.get(relationship=circle, unscheduled=True)
    assert logged.starts_at == datetime(2027, 1, 3, 17, tzinfo=ZoneInfo(LONDON))
    assert logged.number == 1
    with django_capture_on_commit_callbacks(execute=True):
        client_for(member).post(_url("meeting_cancel", first.pk), {"reason": "Holiday"})
    first.refresh_from_db()
    assert first.status == "cancelled"
    assert first.cancelled_reason == "Holiday"
    client_for(member).post(_url("meeting_apologies", second.pk))
    ravi = members(circle)["Ravi Member"]
    assert Attendance.objects.get(meeting=second, member=ravi).status == "apologies"
    page = client_for(member).get(_url("schedule", circle.pk)).content.decode()
    assert "Cancelled: Holiday" in page
    assert "I can come after all" in page


def test_the_schedule_page_does_not_query_per_meeting(
    circle: Any,
    member: Any,
    client_for: Any,
    django_capture_on_commit_callbacks: Any,
    django_assert_max_num_queries: Any,
) -> None:
    _confirm(circle, client_for, django_capture_on_commit_callbacks)
    assert Meeting.objects.filter(relationship=circle).count() > 20
    client = client_for(member)
    with django_assert_max_num_queries(14):
        assert client.get(_url("schedule", circle.pk)).status_code == 200
