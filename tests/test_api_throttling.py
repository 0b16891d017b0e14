"""Each API token has its own request budget; past it, a 429 that says when to come back."""

from __future__ import annotations

from typing import Any

import pytest

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
