"""Every schedule action through the API, times in UTC and in the caller's own zone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine

from alongside.meetings.models import Meeting
from alongside.scheduling.models import Schedule
from tests.scheduling.helpers import Who, members, relationship_of

NOW = datetime(2027, 1, 4, 8, 0, tzinfo=UTC)
LONDON, KOLKATA, LA = "Europe/London", "Asia/Kolkata", "America/Los_Angeles"
BASE = "/api/v1/organisations/acme"


@pytest.fixture
def frozen() -> Any:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def pair(org_a: Any, member: Any, frozen: Any) -> Any:
    return relationship_of(
        org_a, [Who("Ravi Member", LONDON, user=member), Who("Pat Lee", LA)], kind="pair"
    )


def _confirm(pair: Any, api_for: Any, capture: Any) -> None:
    with capture(execute=True):
        for m in members(pair).values():
            response = api_for(m.person.user).post(
                f"{BASE}/relationships/{pair.pk}/schedule/accept"
            )
            assert response.status_code == 200, response.content


def test_the_schedule_in_my_zone_with_everyone_s_local_time(
    pair: Any, member: Any, api_for: Any
) -> None:
    body = api_for(member).get(f"{BASE}/relationships/{pair.pk}/schedule").json()
    assert body["status"] == "proposed"
    assert body["your_timezone"] == LONDON
    assert body["your_local_start"].endswith(("Z", "+00:00"))  # London in January
    assert body["has_overlap"] is False  # London and Pacific share no 09:00–17:30
    assert "No time is inside both your working hours" in body["explanation"]
    by_name = {m["name"]: m for m in body["members"]}
    assert by_name["Pat Lee"]["timezone"] == LA
    assert by_name["Pat Lee"]["local_start"].endswith("-08:00")
    assert sum(not m["inside_working_hours"] for m in body["members"]) == 1
    assert body["can_act"] is True


def test_accept_confirm_list_reschedule_cancel_and_outcome(
    pair: Any, member: Any, api_for: Any, frozen: Any, django_capture_on_commit_callbacks: Any
) -> None:
    _confirm(pair, api_for, django_capture_on_commit_callbacks)
    api = api_for(member)
    assert api.get(f"{BASE}/relationships/{pair.pk}/schedule").json()["status"] == "confirmed"
    meetings = api.get(
        f"{BASE}/relationships/{pair.pk}/schedule/meetings", {"page_size": 500}
    ).json()["items"]
    assert len(meetings) > 20
    first = meetings[0]
    assert first["number"] == 1
    assert first["status"] == "scheduled"
    assert first["starts_at"].endswith("Z") or first["starts_at"].endswith("+00:00")
    assert first["timezone"] == LONDON
    assert first["url"].endswith(f"/o/acme/mentoring/meetings/{first['id']}/")
    assert {a["name"] for a in first["attendance"]} == {"Ravi Member", "Pat Lee"}

    moved = api.post(
        f"{BASE}/meetings/{first['id']}/reschedule",
        {"starts_at": "2027-01-20T16:30:00+00:00"},
    )
    assert moved.status_code == 200, moved.content
    assert moved.json()["ical_sequence"] == 1
    naive = api.post(f"{BASE}/meetings/{first['id']}/reschedule", {"starts_at": "2027-01-20T16:30"})
    assert naive.status_code == 400
    assert naive.json()["code"] == "naive_datetime"

    second = meetings[1]
    cancelled = api.post(f"{BASE}/meetings/{second['id']}/cancel", {"reason": "Travel"})
    assert cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["number"] == 1  # moved: the old first is now the second

    third = meetings[2]
    frozen.move_to(datetime.fromisoformat(third["starts_at"]) + timedelta(hours=1))
    pat = members(pair)["Pat Lee"]
    outcome = api.post(
        f"{BASE}/meetings/{third['id']}/outcome",
        {"status": "held", "attendance": [{"member_id": pat.pk, "status": "missed"}]},
    )
    assert outcome.status_code == 200, outcome.content
    assert {a["name"]: a["status"] for a in outcome.json()["attendance"]} == {
        "Ravi Member": "attended",
        "Pat Lee": "missed",
    }
    wrong = api.post(f"{BASE}/meetings/{third['id']}/outcome", {"status": "maybe"})
    assert wrong.status_code == 422


def test_proposing_a_slot_and_logging_a_meeting(pair: Any, member: Any, api_for: Any) -> None:
    api = api_for(member)
    proposed = api.post(
        f"{BASE}/relationships/{pair.pk}/schedule/slot",
        {"weekday": 3, "start_time": "16:00", "timezone": LONDON},
    )
    assert proposed.status_code == 200, proposed.content
    assert proposed.json()["start_time"] == "16:00"
    assert proposed.json()["explanation"].startswith("Proposed by Ravi Member.")
    bad = api.post(
        f"{BASE}/relationships/{pair.pk}/schedule/slot",
        {"weekday": 9, "start_time": "16:00"},
    )
    assert bad.status_code == 400
    assert bad.json()["code"] == "invalid_weekday"
    logged = api.post(
        f"{BASE}/relationships/{pair.pk}/schedule/meetings",
        {"starts_at": "2027-01-03T17:00:00+00:00", "duration_minutes": 30},
    )
    assert logged.status_code == 201, logged.content
    assert logged.json()["unscheduled"] is True
    assert logged.json()["status"] == "held"
    future = api.post(
        f"{BASE}/relationships/{pair.pk}/schedule/meetings",
        {"starts_at": "2027-02-03T17:00:00+00:00"},
    )
    assert future.status_code == 400
    assert future.json()["code"] == "in_the_future"


def test_a_manager_reads_but_cannot_act(pair: Any, admin: Any, api_for: Any) -> None:
    api = api_for(admin)
    assert api.get(f"{BASE}/relationships/{pair.pk}/schedule").json()["can_act"] is False
    assert api.get(f"{BASE}/relationships/{pair.pk}/schedule/meetings").status_code == 200
    response = api.post(f"{BASE}/relationships/{pair.pk}/schedule/accept")
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    assert not Schedule.objects.get(relationship=pair).responses.exists()


def test_apologies_through_the_api(
    pair: Any, member: Any, api_for: Any, django_capture_on_commit_callbacks: Any
) -> None:
    _confirm(pair, api_for, django_capture_on_commit_callbacks)
    meeting = Meeting.objects.filter(relationship=pair).order_by("starts_at").first()
    assert meeting is not None
    body = api_for(member).post(f"{BASE}/meetings/{meeting.pk}/apologies", {}).json()
    assert {a["name"]: a["status"] for a in body["attendance"]}["Ravi Member"] == "apologies"
