"""Dashboards, health, thresholds and interventions through the API."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.core import mail

from alongside.accounts.models import User
from alongside.health.models import HealthThresholds, Intervention
from alongside.health.services import health_refresh_programme
from alongside.organisations.models import Organisation
from alongside.programmes.models import Programme
from tests.dashboards.helpers import Pair, add_meeting, build_history, make_pair, make_programme

NOW = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def programme(org_a: Organisation, manager: User) -> Programme:
    return make_programme(org_a, manager)


@pytest.fixture
def quiet(programme: Programme) -> Pair:
    pair = make_pair(programme, 1, started_at=NOW - timedelta(days=90), department="Finance")
    add_meeting(pair, NOW - timedelta(days=34))
    add_meeting(pair, NOW - timedelta(days=20), "missed")
    add_meeting(pair, NOW - timedelta(days=6), "cancelled")
    return pair


def base(programme: Programme) -> str:
    return f"/api/v1/organisations/acme/programmes/{programme.pk}"


def test_the_dashboard_as_json(
    programme: Programme, quiet: Pair, manager: User, api_for: Any
) -> None:
    build_history(programme, 4, now=NOW, first=2)
    health_refresh_programme(programme=programme)
    response = api_for(manager).get(base(programme) + "/dashboard")
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["enrolment"]["active"] == 10
    assert data["matched_share"] == 1.0
    assert data["meetings"]["missed"] == 3  # one of the quiet pair, two of pair 4
    assert data["meetings"]["cancelled"] == 1
    assert sum(w["held"] for w in data["meetings_per_week"]) == data["meetings"]["held"]
    assert data["meetings_per_week"][0]["week_start"] == "2026-01-05"
    assert data["health"]["dormant"] == 3  # quiet, pair 4 (misses) and pair 5 (silent)
    flagged = {f["relationship_id"]: f for f in data["flagged"]}
    assert flagged[quiet.relationship.pk]["reasons"] == [
        "no meeting for 34 days",
        "2 of the last 3 meetings missed or cancelled",
    ]
    assert flagged[quiet.relationship.pk]["suggestion"] == "message"
    assert len(flagged[quiet.relationship.pk]["members"]) == 2


def test_the_dashboard_filters_and_refuses_an_unknown_format(
    programme: Programme, quiet: Pair, manager: User, api_for: Any
) -> None:
    build_history(programme, 4, now=NOW, first=2)
    api = api_for(manager)
    data = api.get(base(programme) + "/dashboard?department=Finance").json()
    assert data["filters"] == {"department": "Finance"}
    assert (
        data["relationships"]["total"] == 2
    )  # quiet, and pair 3 (numbers 2–5: only 3 is in Finance)
    response = api.get(base(programme) + "/dashboard?kind=triangle")
    assert response.status_code == 400
    assert response.json()["problems"][0]["field"] == "kind"


def test_a_relationships_health_with_reasons(
    programme: Programme, quiet: Pair, manager: User, api_for: Any
) -> None:
    api = api_for(manager)
    url = f"{base(programme)}/relationships/{quiet.relationship.pk}/health"
    assert api.get(url).json()["status"] is None
    assert api.post(base(programme) + "/health/refresh").json() == {"refreshed": 1}
    data = api.get(url).json()
    assert data["status"] == "dormant"
    assert data["reasons"][0] == "no meeting for 34 days"
    assert data["computed_at"].startswith("2026-06-01T09:00:00")


def test_thresholds_get_and_put(
    programme: Programme, quiet: Pair, manager: User, api_for: Any
) -> None:
    api = api_for(manager)
    url = base(programme) + "/health-thresholds"
    data = api.get(url).json()
    assert data["customised"] is False
    assert data["grace_days"] == 14
    assert data["dormant_min_days"] == 30
    response = api.request("PUT", url, {"dormant_min_days": 45, "pulse_struggling": 2.5})
    assert response.status_code == 200, response.content
    assert response.json()["customised"] is True
    assert response.json()["dormant_min_days"] == 45
    assert HealthThresholds.objects.get(programme=programme).pulse_struggling == 2.5
    response = api.request("PUT", url, {"commitments_at_risk": 3, "missed_window": 0})
    assert response.status_code == 400
    fields = {p["field"] for p in response.json()["problems"]}
    assert fields == {"commitments_at_risk", "missed_window"}
    assert HealthThresholds.objects.get(programme=programme).commitments_at_risk == 0.4


def test_interventions_created_and_listed(
    programme: Programme,
    quiet: Pair,
    manager: User,
    api_for: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    api = api_for(manager)
    url = f"{base(programme)}/relationships/{quiet.relationship.pk}/interventions"
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(url, {"kind": "message", "message": "Shall we talk?"})
    assert response.status_code == 201, response.content
    assert response.json()["actor_email"] == manager.email
    assert len(mail.outbox) == 2
    response = api.post(url, {"kind": "pause"})
    assert response.status_code == 201
    quiet.relationship.refresh_from_db()
    assert quiet.relationship.status == "paused"
    listed = api.get(url).json()["items"]
    assert [i["kind"] for i in listed] == ["pause", "message"]
    response = api.post(url, {"kind": "dance"})
    assert response.status_code == 400
    assert response.json()["problems"][0]["field"] == "kind"
    assert Intervention.objects.count() == 2


def test_the_overview_lists_managed_programmes_only(
    org_a: Organisation, programme: Programme, admin: User, manager: User, api_for: Any
) -> None:
    build_history(programme, 5, now=NOW)
    health_refresh_programme(programme=programme)
    make_programme(org_a, admin, name="Admin's own", format="peer_circles")
    rows = api_for(manager).get("/api/v1/organisations/acme/dashboard").json()["items"]
    assert [r["name"] for r in rows] == ["New managers"]
    assert rows[0]["enrolled"] == 10
    assert sum(rows[0]["health"].values()) == 5
    admin_rows = api_for(admin).get("/api/v1/organisations/acme/dashboard?kind=peer_circles")
    assert [r["name"] for r in admin_rows.json()["items"]] == ["Admin's own"]


def test_another_programmes_relationship_is_404(
    org_a: Organisation, programme: Programme, manager: User, api_for: Any
) -> None:
    other = make_programme(org_a, manager, name="Other")
    pair = make_pair(other, 1, started_at=NOW)
    url = f"{base(programme)}/relationships/{pair.relationship.pk}/interventions"
    response = api_for(manager).post(url, {"kind": "pause"})
    assert response.status_code == 404
    pair.relationship.refresh_from_db()
    assert pair.relationship.status == "active"


def test_the_responses_match_the_published_schema(
    programme: Programme,
    quiet: Pair,
    manager: User,
    api_for: Any,
    client: Any,
) -> None:
    from tests.test_api_contract import response_schema, validate

    openapi = client.get("/api/v1/openapi.json").json()
    build_history(programme, 3, now=NOW, first=2)
    health_refresh_programme(programme=programme)
    api = api_for(manager)
    api.post(
        f"{base(programme)}/relationships/{quiet.relationship.pk}/interventions",
        {"kind": "note", "message": "Called both; exams until July."},
    )
    template = "/api/v1/organisations/{org_slug}/programmes/{programme_id}"
    relationship = template + "/relationships/{relationship_id}"
    calls = [
        (base(programme) + "/dashboard", template + "/dashboard"),
        ("/api/v1/organisations/acme/dashboard", "/api/v1/organisations/{org_slug}/dashboard"),
        (base(programme) + "/health-thresholds", template + "/health-thresholds"),
        (
            f"{base(programme)}/relationships/{quiet.relationship.pk}/health",
            relationship + "/health",
        ),
        (
            f"{base(programme)}/relationships/{quiet.relationship.pk}/interventions",
            relationship + "/interventions",
        ),
    ]
    for url, path in calls:
        response = api.get(url)
        assert response.status_code == 200, url
        validate(response.json(), response_schema(openapi, "GET", path, 200), openapi)
