"""The private calendar subscription: every meeting of mine, no sign-in, renewable."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine
from django.urls import reverse
from icalendar import Calendar

from alongside.meetings.models import Meeting
from alongside.scheduling.models import CalendarFeed, Schedule
from alongside.scheduling.services import meeting_cancel, schedule_accept
from tests.scheduling.helpers import Who, members, relationship_of

NOW = datetime(2027, 1, 4, 8, 0, tzinfo=UTC)


@pytest.fixture
def confirmed(org_a: Any, member: Any, django_capture_on_commit_callbacks: Any) -> Any:
    with time_machine.travel(NOW, tick=False):
        pair = relationship_of(
            org_a,
            [Who("Ravi Member", "Europe/London", user=member), Who("Asha Rao", "Asia/Kolkata")],
            kind="pair",
        )
        schedule = Schedule.objects.get(relationship=pair)
        with django_capture_on_commit_callbacks(execute=True):
            for m in members(pair).values():
                schedule_accept(schedule=schedule, member=m, actor=m.person.user)
            first = Meeting.objects.filter(relationship=pair).order_by("starts_at").first()
            assert first is not None
            asha = members(pair)["Asha Rao"]
            meeting_cancel(meeting=first, member=asha, actor=asha.person.user, reason="x")
        # Someone else's pair in the same organisation: never in Ravi's feed.
        relationship_of(org_a, [Who("Dev Iyer", "Asia/Kolkata"), Who("Meera Das", "Asia/Kolkata")])
    return pair


def test_the_page_shows_my_private_address(member: Any, client_for: Any) -> None:
    body = (
        client_for(member).get(reverse("scheduling:calendar_feed", args=["acme"])).content.decode()
    )
    feed = CalendarFeed.objects.get(user=member)
    assert f"/calendar/{feed.token}.ics" in body
    assert "webcal://" in body
    assert "Renew my calendar address" in body


def test_the_feed_lists_my_meetings_with_cancelled_ones_marked(
    confirmed: Any, member: Any, client: Any
) -> None:
    feed = CalendarFeed.objects.create(user=member, organisation=confirmed.organisation)
    with time_machine.travel(NOW, tick=False):
        response = client.get(reverse("calendar_feed_ics", args=[feed.token]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = Calendar.from_ical(response.content)
    events = calendar.walk("VEVENT")
    mine = Meeting.objects.filter(relationship=confirmed)
    assert {str(e["UID"]) for e in events} == set(mine.values_list("uid", flat=True))
    cancelled = mine.get(status="cancelled")
    statuses = {str(e["UID"]): str(e["STATUS"]) for e in events}
    assert statuses[cancelled.uid] == "CANCELLED"
    assert {s for u, s in statuses.items() if u != cancelled.uid} == {"CONFIRMED"}
    assert calendar.walk("VTIMEZONE")
    feed.refresh_from_db()
    assert feed.last_used_at is not None


def test_renewing_makes_the_old_address_404(
    confirmed: Any, member: Any, client_for: Any, client: Any
) -> None:
    old = CalendarFeed.objects.create(user=member, organisation=confirmed.organisation).token
    response = client_for(member).post(reverse("scheduling:calendar_feed_renew", args=["acme"]))
    assert response.status_code == 302
    new = CalendarFeed.objects.get(user=member).token
    assert new != old
    assert client.get(reverse("calendar_feed_ics", args=[old])).status_code == 404
    assert client.get(reverse("calendar_feed_ics", args=[new])).status_code == 200
    assert client.get("/calendar/not-a-token.ics").status_code == 404


def test_the_feed_address_through_the_api(member: Any, api_for: Any, client: Any) -> None:
    api = api_for(member)
    first = api.get("/api/v1/organisations/acme/calendar-feed").json()
    assert first["url"].startswith("http://testserver/calendar/")
    assert first["webcal_url"].startswith("webcal://testserver/calendar/")
    assert api.get("/api/v1/organisations/acme/calendar-feed").json()["url"] == first["url"]
    renewed = api.post("/api/v1/organisations/acme/calendar-feed/renew").json()
    assert renewed["url"] != first["url"]
    assert client.get(first["url"].removeprefix("http://testserver")).status_code == 404
