"""People choose how often they hear from us; managers choose which nudges a programme sends."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
import time_machine
from django.core import mail

from alongside.audit.models import AuditEvent
from alongside.core.errors import AlongsideError
from alongside.nudges.models import NudgeDelivery
from alongside.nudges.services import nudge_preference_set, programme_nudges_configure
from tests.links import link_targets
from tests.nudges.helpers import NOW, build_world, meeting, send_digests, send_nudges

Status = NudgeDelivery.Status


@pytest.fixture
def clock() -> Any:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def busy_world(org: Any, manager: Any, member: Any) -> Any:
    """Ravi's pair meets tomorrow (essential) and the programme ends soon (not essential)."""
    world = build_world(org, manager, pairs=1, member=member)
    meeting(world.pairs[0], NOW - timedelta(days=7), status="held")
    meeting(world.pairs[0], NOW + timedelta(hours=20))
    world.programme.end_date = date(2026, 11, 20)
    world.programme.save()
    return world


def to(address: str) -> list[Any]:
    return [m for m in mail.outbox if m.to == [address]]


def test_each_nudge_by_default(org_a: Any, manager: Any, member: Any, clock: Any) -> None:
    busy_world(org_a, manager, member)
    send_nudges(now=NOW)
    assert sorted(m.subject for m in to("ravi.member@acme.test")) == [
        "New managers ends on 20 November",
        "Your New managers meeting is tomorrow",
    ]


def test_a_daily_digest_gathers_the_days_nudges_into_one_email_once(
    org_a: Any, manager: Any, member: Any, clock: Any
) -> None:
    busy_world(org_a, manager, member)
    nudge_preference_set(user=member, frequency="daily")
    send_nudges(now=NOW)
    # The essential reminder comes at once; the rest waits for the digest.
    assert [m.subject for m in to("ravi.member@acme.test")] == [
        "Your New managers meeting is tomorrow"
    ]
    waiting = NudgeDelivery.objects.get(email="ravi.member@acme.test", status=Status.DIGEST)
    assert waiting.nudge_key == "programme_ending"

    # Digests leave in the hour from 08:00 in the person's zone: not at 14:30 in Kolkata,
    # not at 06:30 the next morning, but at 08:30.
    assert send_digests().queued == 0
    clock.move_to(NOW + timedelta(hours=16))
    assert send_digests().queued == 0
    clock.move_to(NOW + timedelta(hours=18))
    report = send_digests()
    assert report.queued == 1
    digest = to("ravi.member@acme.test")[-1]
    assert digest.subject == "Your Alongside digest for 11 November"
    assert "New managers ends on 20 November" in digest.body
    assert any(path.startswith("/o/acme/mentoring/") for path in link_targets(digest.body))
    assert "New managers ends on 20 November" in digest.alternatives[0][0]
    waiting.refresh_from_db()
    assert waiting.status == Status.IN_DIGEST
    assert waiting.sent_at is not None
    # A second run in the hour (another worker, a retry) sends nothing more.
    assert send_digests().queued == 0
    assert len(to("ravi.member@acme.test")) == 2
    # A nudge that arrives after today's digest has gone waits for tomorrow's.
    late = NudgeDelivery.objects.get(pk=waiting.pk)
    late.pk, late.event_key, late.status, late.digest, late.sent_at = (
        None,
        "late",
        Status.DIGEST,
        None,
        None,
    )
    late.save()
    clock.shift(timedelta(minutes=20))
    assert send_digests().queued == 0
    clock.shift(timedelta(days=1))
    assert send_digests().queued == 1
    assert to("ravi.member@acme.test")[-1].subject == "Your Alongside digest for 12 November"


def test_essentials_only_records_the_rest_without_sending_it(
    org_a: Any, manager: Any, member: Any, clock: Any
) -> None:
    busy_world(org_a, manager, member)
    nudge_preference_set(user=member, frequency="essentials")
    send_nudges(now=NOW)
    assert [m.subject for m in to("ravi.member@acme.test")] == [
        "Your New managers meeting is tomorrow"
    ]
    suppressed = NudgeDelivery.objects.get(email="ravi.member@acme.test", status=Status.SUPPRESSED)
    assert suppressed.nudge_key == "programme_ending"
    clock.move_to(NOW + timedelta(hours=18))  # 08:30 in Kolkata: no digest to send
    assert send_digests().queued == 0


def test_an_unknown_frequency_is_named(member: Any) -> None:
    with pytest.raises(AlongsideError) as caught:
        nudge_preference_set(user=member, frequency="weekly")
    assert caught.value.problems[0].message == (
        "choose one of each, daily, essentials, not 'weekly'."
    )


def test_a_nudge_switched_off_for_a_programme_is_not_recorded(
    org_a: Any, manager: Any, member: Any, clock: Any
) -> None:
    world = busy_world(org_a, manager, member)
    programme_nudges_configure(
        programme=world.programme, actor=manager, enabled={"meeting_tomorrow": False}
    )
    send_nudges(now=NOW)
    assert not NudgeDelivery.objects.filter(nudge_key="meeting_tomorrow").exists()
    assert NudgeDelivery.objects.filter(nudge_key="programme_ending").count() == 2
    event = AuditEvent.objects.get(action="nudges.configured")
    assert event.data == {"enabled": {"meeting_tomorrow": False}}


def test_switching_an_unknown_nudge_changes_nothing(org_a: Any, manager: Any, member: Any) -> None:
    world = busy_world(org_a, manager, member)
    with pytest.raises(AlongsideError) as caught:
        programme_nudges_configure(
            programme=world.programme,
            actor=manager,
            enabled={"meeting_tomorrow": False, "nagging": True},
        )
    assert [p.message for p in caught.value.problems] == ["there is no nudge called 'nagging'."]
    assert not world.programme.nudge_settings.exists()
