"""The demo's stories read as intended on the dashboard: a dormant pair, a struggling circle."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.management import call_command

from alongside.demo.programmes import MEMBER_EMAIL
from alongside.health.models import RelationshipHealth
from alongside.relationships.models import Relationship


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def silent_days(health: RelationshipHealth) -> int:
    found = re.search(r"no meeting for (\d+) days", "; ".join(health.reasons))
    return int(found.group(1)) if found else 0


def test_the_demo_comes_with_health_that_tells_its_stories(db: None) -> None:
    call_command("demo", "--quiet")
    running = Relationship.objects.filter(
        organisation__slug="kestrel", programme__stage="running", status="active"
    )
    health = {
        h.relationship.name: h
        for h in RelationshipHealth.objects.select_related("relationship").filter(
            relationship__in=running
        )
    }
    assert len(health) == running.count()
    # The quiet mentoring pair last met 40–55 days ago on a monthly rhythm: overdue (at
    # risk) now, dormant once two months have passed.
    quiet = [h for h in health.values() if silent_days(h) >= 40]
    assert len(quiet) == 1
    assert quiet[0].status in {"at_risk", "dormant"}
    assert quiet[0].suggestion == "message"
    struggling = [h for h in health.values() if h.status == "struggling"]
    assert any("of the last 3 meetings missed" in "; ".join(h.reasons) for h in struggling)
    mine = running.filter(members__person__email=MEMBER_EMAIL).get()
    assert health[mine.name].status == "on_track"
