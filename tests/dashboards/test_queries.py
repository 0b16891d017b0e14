"""The dashboards cost a fixed number of queries, whatever the size of the programme."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from alongside.accounts.models import User
from alongside.health.services import health_refresh, health_refresh_programme
from alongside.organisations.models import Organisation
from tests.dashboards.helpers import build_history, make_programme

NOW = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


def queries_for(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    return len(context.captured_queries)


@pytest.fixture
def frozen() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


def _dashboard_queries(size: int, org: Organisation, manager: User, client_for: Any) -> int:
    programme = make_programme(org, manager, name=f"Programme of {size}")
    build_history(programme, size, now=NOW)
    health_refresh_programme(programme=programme)
    client = client_for(manager)
    url = reverse("dashboards:programme", args=[org.slug, programme.pk])
    queries_for(client, url)  # warm the session
    return queries_for(client, url)


@pytest.mark.usefixtures("frozen")
def test_the_programme_dashboard_costs_the_same_queries_for_3_and_30_relationships(
    org_a: Organisation, manager: User, client_for: Any
) -> None:
    small = _dashboard_queries(3, org_a, manager, client_for)
    large = _dashboard_queries(30, org_a, manager, client_for)
    assert small == large == 15


@pytest.mark.usefixtures("frozen")
def test_a_filtered_dashboard_costs_the_same_queries(
    org_a: Organisation, manager: User, client_for: Any
) -> None:
    programme = make_programme(org_a, manager)
    build_history(programme, 12, now=NOW)
    health_refresh_programme(programme=programme)
    client = client_for(manager)
    url = reverse("dashboards:programme", args=[org_a.slug, programme.pk])
    queries_for(client, url)
    plain = queries_for(client, url)
    filtered = queries_for(client, url + "?department=Finance&location=Mumbai&kind=pair")
    assert filtered == plain


@pytest.mark.usefixtures("frozen")
def test_the_organisation_overview_costs_the_same_queries_for_3_and_30_relationships(
    org_a: Organisation, manager: User, client_for: Any
) -> None:
    client = client_for(manager)
    url = reverse("dashboards:overview", args=[org_a.slug])
    first = make_programme(org_a, manager, name="First")
    build_history(first, 3, now=NOW)
    health_refresh_programme(programme=first)
    queries_for(client, url)
    small = queries_for(client, url)
    second = make_programme(org_a, manager, name="Second")
    build_history(second, 30, now=NOW)
    health_refresh_programme(programme=second)
    large = queries_for(client, url)
    assert small == large == 9


@pytest.mark.usefixtures("frozen")
def test_health_refresh_costs_the_same_queries_for_3_and_30_relationships(
    org_a: Organisation, manager: User
) -> None:
    programme = make_programme(org_a, manager)
    pairs = build_history(programme, 30, now=NOW)
    ids = [p.relationship.pk for p in pairs]
    with CaptureQueriesContext(connection) as small:
        health_refresh(relationship_ids=ids[:3])
    with CaptureQueriesContext(connection) as large:
        health_refresh(relationship_ids=ids)
    # savepoint, relationships, meetings, commitments, pulses, departures, stored rows,
    # upsert, stored weeks, new weeks, release
    assert len(small.captured_queries) == len(large.captured_queries) == 11
