"""The manager's nudge settings and send log, and one's own email preferences: pages and API."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.urls import reverse

from alongside.nudges.catalogue import catalogue
from alongside.nudges.models import NudgeDelivery, NudgePreference, ProgrammeNudgeSetting
from tests.nudges.helpers import NOW, build_world, meeting, send_nudges

API = "/api/v1/organisations/acme/programmes"


@pytest.fixture
def world(org_a: Any, manager: Any, member: Any) -> Any:
    world = build_world(org_a, manager, pairs=2, member=member)
    for pair in world.pairs:
        meeting(pair, NOW - timedelta(days=7), status="held")
        meeting(pair, NOW + timedelta(hours=20))
    with time_machine.travel(NOW, tick=False):
        send_nudges(now=NOW)
    return world


def test_the_programme_page_links_its_managers_to_the_nudges(
    world: Any, manager: Any, client_for: Any
) -> None:
    page = client_for(manager).get(reverse("programmes:detail", args=["acme", world.programme.pk]))
    assert reverse("nudges:settings", args=["acme", world.programme.pk]) in page.content.decode()


def test_a_manager_switches_nudges_on_and_off(world: Any, manager: Any, client_for: Any) -> None:
    url = reverse("nudges:settings", args=["acme", world.programme.pk])
    page = client_for(manager).get(url).content.decode()
    assert "Meeting tomorrow" in page
    assert "Programme managers" in page  # who "No meeting for two rhythm periods" goes to
    assert "4 sent" in page
    everything_but_one = [n.key for n in catalogue() if n.key != "meeting_tomorrow"]
    response = client_for(manager).post(url, {"enabled": everything_but_one})
    assert response.status_code == 302
    off = ProgrammeNudgeSetting.objects.filter(programme=world.programme, enabled=False)
    assert [s.nudge_key for s in off] == ["meeting_tomorrow"]


def test_the_send_log_shows_each_delivery_in_the_viewers_zone(
    world: Any, manager: Any, client_for: Any
) -> None:
    url = reverse("nudges:log", args=["acme", world.programme.pk])
    page = client_for(manager).get(url).content.decode()
    assert "Times in Asia/Kolkata" in page
    assert "10 Nov 2026 14:30" in page  # 09:00 UTC, recorded and sent
    assert "ravi.member@acme.test" in page
    assert page.count("<td>Sent") == 4
    filtered = client_for(manager).get(url, {"status": "failed"}).content.decode()
    assert "No nudges recorded yet." in filtered


def test_the_send_log_pins_its_queries(
    world: Any, manager: Any, client_for: Any, django_assert_max_num_queries: Any
) -> None:
    client = client_for(manager)
    url = reverse("nudges:log", args=["acme", world.programme.pk])
    client.get(url)
    with django_assert_max_num_queries(12):
        client.get(url)


def test_a_person_chooses_their_email_frequency(member: Any, client_for: Any) -> None:
    client = client_for(member)
    home = client.get(reverse("home:organisation", args=["acme"])).content.decode()
    assert reverse("email_preferences") in home
    assert "Each nudge as it happens" in client.get(reverse("email_preferences")).content.decode()
    client.post(reverse("email_preferences"), {"frequency": "daily"})
    assert NudgePreference.objects.get(user=member).frequency == "daily"
    response = client.post(reverse("email_preferences"), {"frequency": "hourly"}, follow=True)
    assert "choose one of each, daily, essentials, not &#x27;hourly&#x27;." in (
        response.content.decode()
    )
    assert NudgePreference.objects.get(user=member).frequency == "daily"


def test_api_email_preferences(member: Any, api_for: Any) -> None:
    api = api_for(member)
    assert api.get("/api/v1/me/email-preferences").json()["frequency"] == "each"
    response = api.request("PUT", "/api/v1/me/email-preferences", {"frequency": "essentials"})
    assert response.status_code == 200
    body = response.json()
    assert body["frequency"] == "essentials"
    assert "meeting_tomorrow" in body["essential_nudges"]
    bad = api.request("PUT", "/api/v1/me/email-preferences", {"frequency": "never"})
    assert bad.status_code == 400
    assert bad.json()["problems"][0]["field"] == "frequency"


def test_api_nudge_switches(world: Any, manager: Any, api_for: Any) -> None:
    api = api_for(manager)
    url = f"{API}/{world.programme.pk}/nudges"
    listed = {n["key"]: n for n in api.get(url).json()["items"]}
    assert listed["meeting_tomorrow"]["enabled"] is True
    assert listed["meeting_tomorrow"]["offset_days"] == -1
    changed = api.patch(url, {"enabled": {"commitment_due": False}}).json()
    assert {n["key"]: n["enabled"] for n in changed}["commitment_due"] is False
    bad = api.patch(url, {"enabled": {"nope": True}})
    assert bad.status_code == 400
    assert bad.json()["problems"][0]["message"] == "there is no nudge called 'nope'."


def test_api_send_log(world: Any, manager: Any, member: Any, api_for: Any) -> None:
    url = f"{API}/{world.programme.pk}/nudge-deliveries"
    page = api_for(manager).get(url, {"page_size": 3}).json()
    assert page["count"] == 4
    assert len(page["items"]) == 3
    assert {item["status"] for item in page["items"]} == {"sent"}
    assert api_for(manager).get(url, {"status": "sending"}).json()["count"] == 0
    bad = api_for(manager).get(url, {"status": "lost"})
    assert bad.status_code == 400
    assert bad.json()["problems"][0]["field"] == "status"
    # A participant may not read the programme's log, nor an outsider know it exists.
    assert api_for(member).get(url).status_code == 403
    assert NudgeDelivery.objects.count() == 4


def test_the_link_in_each_email_opens_the_page_where_the_recipient_acts(
    world: Any, member: Any, client_for: Any
) -> None:
    delivery = NudgeDelivery.objects.get(email="ravi.member@acme.test")
    assert delivery.link.startswith("/o/acme/mentoring/meetings/")
    assert client_for(member).get(delivery.link).status_code == 200
