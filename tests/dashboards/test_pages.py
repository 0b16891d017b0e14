"""The dashboard pages as a programme manager uses them; what others cannot reach."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from alongside.accounts.models import User
from alongside.health.models import HealthThresholds, Intervention
from alongside.health.services import health_refresh_programme
from alongside.organisations.models import Organisation
from alongside.people.models import Person
from alongside.programmes.models import Enrolment, Programme
from alongside.relationships.models import Relationship
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
    pair = make_pair(
        programme, 1, started_at=NOW - timedelta(days=90), department="Finance", location="Pune"
    )
    add_meeting(pair, NOW - timedelta(days=34))
    add_meeting(pair, NOW - timedelta(days=20), "missed")
    add_meeting(pair, NOW - timedelta(days=6), "cancelled")
    return pair


@pytest.fixture
def steady(programme: Programme) -> Pair:
    pair = make_pair(
        programme, 2, started_at=NOW - timedelta(days=90), department="Sales", location="Delhi"
    )
    add_meeting(pair, NOW - timedelta(days=3))
    return pair


def dashboard_url(programme: Programme, query: str = "") -> str:
    return reverse("dashboards:programme", args=["acme", programme.pk]) + query


def relationship_url(programme: Programme, relationship: Relationship) -> str:
    return reverse("dashboards:relationship", args=["acme", programme.pk, relationship.pk])


def text(response: Any) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_the_dashboard_lists_relationships_needing_attention_with_reasons_and_action(
    programme: Programme, quiet: Pair, steady: Pair, manager: User, client_for: Any
) -> None:
    health_refresh_programme(programme=programme)
    page = text(client_for(manager).get(dashboard_url(programme)))
    assert "no meeting for 34 days; 2 of the last 3 meetings missed or cancelled" in page
    assert relationship_url(programme, quiet.relationship) in page
    assert relationship_url(programme, steady.relationship) not in page
    assert "Message them" in page
    assert '<span class="stat">4</span> enrolled' in page
    assert '<span class="stat">100%</span> matched (4)' in page


def test_the_charts_are_inline_svg_with_text_and_no_script(
    programme: Programme, quiet: Pair, steady: Pair, manager: User, client_for: Any
) -> None:
    health_refresh_programme(programme=programme)
    page = text(client_for(manager).get(dashboard_url(programme)))
    assert page.count("<svg") == 3
    assert 'role="img"' in page
    assert "Meetings held per week" in page
    assert "<desc" in page
    assert "<title>" in page
    assert "dashboard.css" in page
    body = page.split("<body", 1)[1]
    assert "<script" not in body
    assert "style=" not in body
    assert "http://" not in page.split("<main", 1)[1].split("</main>")[0]


def test_the_print_stylesheet_hides_the_controls() -> None:
    from pathlib import Path

    import alongside

    css = (Path(alongside.__file__).parent / "static/alongside/dashboard.css").read_text()
    assert "@media print" in css
    assert ".no-print" in css.split("@media print", 1)[1]


def test_filters_narrow_the_figures_to_a_department_and_location(
    programme: Programme, quiet: Pair, steady: Pair, manager: User, client_for: Any
) -> None:
    health_refresh_programme(programme=programme)
    client = client_for(manager)
    page = text(client.get(dashboard_url(programme, "?department=Sales")))
    assert '<span class="stat">2</span> enrolled' in page
    assert relationship_url(programme, quiet.relationship) not in page
    page = text(client.get(dashboard_url(programme, "?department=Finance&location=Pune")))
    assert relationship_url(programme, quiet.relationship) in page
    page = text(client.get(dashboard_url(programme, "?department=Finance&location=Delhi")))
    assert '<span class="stat">0</span> enrolled' in page
    # An unknown value is ignored rather than breaking the page.
    assert text(client.get(dashboard_url(programme, "?location=Atlantis")))


def test_show_all_lifts_the_list_limit_for_one_status(
    programme: Programme, manager: User, client_for: Any
) -> None:
    for number in range(1, 28):
        make_pair(programme, number, started_at=NOW - timedelta(days=20))
    health_refresh_programme(programme=programme)
    client = client_for(manager)
    page = text(client.get(dashboard_url(programme)))
    assert page.count("no first meeting 20 days after the start") == 25
    assert "Show all 27" in page
    page = text(client.get(dashboard_url(programme, "?all=at_risk")))
    assert page.count("no first meeting 20 days after the start") == 27


def test_a_manager_records_interventions_that_show_on_the_relationship(
    programme: Programme,
    quiet: Pair,
    manager: User,
    client_for: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    health_refresh_programme(programme=programme)
    client = client_for(manager)
    url = reverse("dashboards:intervene", args=["acme", programme.pk, quiet.relationship.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"kind": "message", "message": "Can we help you meet?"})
    assert response.status_code == 302
    assert len(mail.outbox) == 2
    client.post(url, {"kind": "pause", "message": "Exams until July"})
    page = text(client.get(relationship_url(programme, quiet.relationship)))
    assert "Messaged the members" in page
    assert "Can we help you meet?" in page
    assert "Paused" in page
    assert "Exams until July" in page
    assert "Priya Programme" in page
    assert "(was dormant)" in page
    assert 'value="resume"' in page
    assert 'value="pause"' not in page
    quiet.relationship.refresh_from_db()
    assert quiet.relationship.status == "paused"
    # The dashboard shows the latest intervention next to a flagged relationship.
    Relationship.objects.filter(pk=quiet.relationship.pk).update(status="active")
    health_refresh_programme(programme=programme)
    assert "Paused 0" in text(client.get(dashboard_url(programme)))


def test_a_refused_intervention_is_explained(
    programme: Programme, quiet: Pair, manager: User, client_for: Any
) -> None:
    client = client_for(manager)
    url = reverse("dashboards:intervene", args=["acme", programme.pk, quiet.relationship.pk])
    response = client.post(url, {"kind": "message", "message": ""}, follow=True)
    assert "Write the message first." in text(response)
    assert not Intervention.objects.exists()


def test_the_relationship_page_shows_health_reasons_and_suggestion(
    programme: Programme, quiet: Pair, manager: User, client_for: Any
) -> None:
    health_refresh_programme(programme=programme)
    page = text(client_for(manager).get(relationship_url(programme, quiet.relationship)))
    assert "Dormant" in page
    assert "<li>no meeting for 34 days</li>" in page
    assert "Suggested: <strong>Message them</strong>" in page
    assert "Nothing recorded yet." in page


def test_a_manager_changes_the_thresholds_and_health_follows(
    programme: Programme,
    quiet: Pair,
    manager: User,
    client_for: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    health_refresh_programme(programme=programme)
    client = client_for(manager)
    url = reverse("dashboards:thresholds", args=["acme", programme.pk])
    form = text(client.get(url))
    assert "This programme uses the defaults." in form
    values = {
        name: getattr(HealthThresholds(), name)
        for name in ("grace_days", "at_risk_periods", "dormant_periods", "dormant_min_days")
    } | {
        "missed_window": 3,
        "missed_struggling": 3,
        "pulse_window": 6,
        "pulse_struggling": 2,
        "commitments_window": 6,
        "commitments_min": 3,
        "commitments_at_risk": 0.4,
        "left_days": 30,
        "dormant_min_days": 60,
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, values)
    assert response.status_code == 302
    assert HealthThresholds.objects.get(programme=programme).dormant_min_days == 60
    quiet.relationship.health.refresh_from_db()
    assert quiet.relationship.health.status == "at_risk"
    values["missed_struggling"] = 9
    page = text(client.post(url, values))
    assert "cannot be more than the 3 meetings looked at." in page


def test_the_overview_compares_the_programmes_a_manager_runs(
    org_a: Organisation, manager: User, admin: User, client_for: Any
) -> None:
    mine = make_programme(org_a, manager, name="Mine")
    build_history(mine, 6, now=NOW)
    health_refresh_programme(programme=mine)
    make_programme(org_a, None, name="Someone else's", format="peer_circles")
    url = reverse("dashboards:overview", args=["acme"])
    page = text(client_for(manager).get(url))
    assert "Mine" in page
    assert "Someone else&#x27;s" not in page
    admin_page = text(client_for(admin).get(url))
    assert "Someone else&#x27;s" in admin_page
    filtered = text(client_for(admin).get(url + "?kind=peer_circles"))
    assert "Someone else&#x27;s" in filtered
    assert reverse("dashboards:programme", args=["acme", mine.pk]) not in filtered


def test_managers_see_the_links_and_members_do_not(
    programme: Programme, manager: User, member: User, client_for: Any
) -> None:
    Enrolment.objects.create(
        programme=programme, person=Person.objects.get(user=member), role="peer", source="self"
    )
    detail = reverse("programmes:detail", args=["acme", programme.pk])
    overview = reverse("dashboards:overview", args=["acme"])
    manager_page = text(client_for(manager).get(detail))
    assert dashboard_url(programme) in manager_page
    assert overview in manager_page
    member_page = text(client_for(member).get(detail))
    assert dashboard_url(programme) not in member_page
    assert overview not in member_page
    assert client_for(member).get(dashboard_url(programme)).status_code == 403


def test_a_manager_of_another_programme_gets_404(
    org_a: Organisation, manager: User, admin: User, client_for: Any
) -> None:
    other = make_programme(org_a, admin, name="Not Priya's")
    pair = make_pair(other, 1, started_at=NOW)
    client = client_for(manager)
    assert client.get(dashboard_url(other)).status_code == 404
    assert client.get(relationship_url(other, pair.relationship)).status_code == 404
    url = reverse("dashboards:intervene", args=["acme", other.pk, pair.relationship.pk])
    assert client.post(url, {"kind": "pause"}).status_code == 404
    pair.relationship.refresh_from_db()
    assert pair.relationship.status == "active"


def test_a_relationship_of_another_programme_is_404_under_this_one(
    org_a: Organisation, programme: Programme, manager: User, client_for: Any
) -> None:
    other = make_programme(org_a, manager, name="Other")
    pair = make_pair(other, 1, started_at=NOW)
    response = client_for(manager).get(relationship_url(programme, pair.relationship))
    assert response.status_code == 404
