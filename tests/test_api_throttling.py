"""Each API token has its own request budget; past it, a 429 that says when to come back."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.db.models import F
from django.test import RequestFactory
from django.utils import timezone

pytestmark = pytest.mark.django_db


def test_a_token_over_its_rate_is_told_to_wait_and_another_token_is_not(
    cast: dict, api_for: Any, settings: Any
) -> None:
    settings.API_RATE = "3/m"
    busy, other = api_for(cast["member"]), api_for(cast["member"])
    assert [busy.get("/api/v1/me").status_code for _ in range(3)] == [200, 200, 200]
    refused = busy.get("/api/v1/me")
    assert refused.status_code == 429
    assert refused.json()["code"] == "throttled"
    assert 1 <= int(refused["Retry-After"]) <= 61
    assert other.get("/api/v1/me").status_code == 200  # a second token of the same person


def test_every_server_process_counts_against_one_budget_on_postgresql(
    cast: dict, api_for: Any, settings: Any
) -> None:
    """Two app servers (or two workers of one) each hold their own throttle and cache;
    on PostgreSQL the count is in the database, so together they allow the rate once."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite is one server: the count is kept in the process's cache")
    from django.core.cache import cache

    from alongside.accounts.api_auth import TokenRateThrottle
    from alongside.accounts.jobs import prune_api_rate_counts
    from alongside.accounts.models import ApiRateCount

    settings.API_RATE = "3/m"
    token_request = RequestFactory().get("/api/v1/me", HTTP_AUTHORIZATION="Bearer alg_same")
    first_server, second_server = TokenRateThrottle(), TokenRateThrottle()
    allowed = []
    for server in (first_server, second_server, first_server, second_server):
        cache.clear()  # nothing shared through a process's memory
        allowed.append(server.allow_request(token_request))
    assert allowed == [True, True, True, False]
    wait = second_server.wait()
    assert wait is not None
    assert 0 < wait <= 60
    # Through the API as well: the budget a token spent here is spent for every server.
    busy = api_for(cast["member"])
    assert [busy.get("/api/v1/me").status_code for _ in range(4)] == [200, 200, 200, 429]
    assert ApiRateCount.objects.count() == 2
    # Windows that ended more than a day ago are pruned.
    ApiRateCount.objects.update(window_start=F("window_start") - 2 * 24 * 60 * 60)
    assert prune_api_rate_counts(timezone.now()) == 2
