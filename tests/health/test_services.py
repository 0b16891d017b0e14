"""Health stored from the signals, per-programme thresholds, interventions, the daily job."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.core import mail

from alongside.accounts.models import User
from alongside.audit.models import AuditEvent
from alongside.core.errors import AlongsideError
from alongside.core.periodic import PERIODIC_JOBS
from alongside.health.models import HealthThresholds, Intervention, RelationshipHealth
from alongside.health.services import (
    health_refresh,
    health_refresh_programme,
    health_thresholds_update,
    intervention_create,
)
from alongside.organisations.models import Organisation
from alongside.relationships.models import Relationship
from tests.dashboards.helpers import add_meeting, make_pair, make_programme
from tests.links import link_targets

NOW = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def frozen() -> Any:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def health_of(relationship: Relationship) -> RelationshipHealth:
    return RelationshipHealth.objects.get(relationship=relationship)


def test_refresh_stores_each_relationships_status_and_reasons(
    org_a: Organisation, manager: User, frozen: Any
) -> None:
    programme = make_programme(org_a, manager)
    quiet = make_pair(programme, 1, started_at=NOW - timedelta(days=100))
    add_meeting(quiet, NOW - timedelta(days=34))
    busy = make_pair(programme, 2, started_at=NOW - timedelta(days=100))
    add_meeting(busy, NOW - timedelta(days=3))
    assert health_refresh(relationship_ids=[quiet.relationship.pk, busy.relationship.pk]) == 2
    assert health_of(quiet.relationship).status == "dormant"
    assert health_of(quiet.relationship).reasons == ["no meeting for 34 days"]
    assert health_of(quiet.relationship).suggestion == "message"
    assert health_of(busy.relationship).status == "on_track"
    assert health_of(busy.relationship).computed_at == NOW


def test_status_since_stays_while_the_status_stays_and_moves_when_it_changes(
    org_a: Organisation, manager: User, frozen: Any
) -> None:
    programme = make_programme(org_a, manager)
    pair = make_pair(programme, 1, started_at=NOW - timedelta(days=100))
    add_meeting(pair, NOW - timedelta(days=23))
    health_refresh_programme(programme=programme)
    assert health_of(pair.relationship).status == "at_risk"
    frozen.shift(timedelta(days=1))
    health_refresh_programme(programme=programme)
    assert health_of(pair.relationship).status_since == NOW
    assert health_of(pair.relationship).reasons[0].startswith("no meeting for 24 days")
    add_meeting(pair, NOW)
    health_refresh(relationship_ids=[pair.relationship.pk])
    assert health_of(pair.relationship).status == "on_track"
    assert health_of(pair.relationship).status_since == NOW + timedelta(days=1)


def test_thresholds_are_per_programme(org_a: Organisation, manager: User, frozen: Any) -> None:
    strict = make_programme(org_a, manager, name="Strict")
    relaxed = make_programme(org_a, manager, name="Relaxed")
    HealthThresholds.objects.create(programme=relaxed, at_risk_periods=3, dormant_periods=4)
    pairs = []
    for programme in (strict, relaxed):
        pair = make_pair(programme, 1, started_at=NOW - timedelta(days=100))
        add_meeting(pair, NOW - timedelta(days=34))
        health_refresh_programme(programme=programme)
        pairs.append(pair)
    assert health_of(pairs[0].relationship).status == "dormant"
    assert health_of(pairs[1].relationship).status == "on_track"


def test_a_paused_relationship_is_not_assessed(
    org_a: Organisation, manager: User, frozen: Any
) -> None:
    programme = make_programme(org_a, manager)
    pair = make_pair(programme, 1, started_at=NOW - timedelta(days=100))
    health_refresh_programme(programme=programme)
    assert RelationshipHealth.objects.filter(relationship=pair.relationship).exists()
    add_meeting(pair, NOW - timedelta(days=50))
    Relationship.objects.filter(pk=pair.relationship.pk).update(status="paused")
    assert health_refresh_programme(programme=programme) == 0
    health = health_of(pair.relationship)
    assert health.status == ""
    assert health.meetings_held == 1  # its figures still count on the dashboard


def test_a_member_leaving_is_read_from_the_membership(
    org_a: Organisation, manager: User, frozen: Any
) -> None:
    programme = make_programme(org_a, manager)
    pair = make_pair(programme, 1, started_at=NOW - timedelta(days=100))
    add_meeting(pair, NOW - timedelta(days=2))
    leaver = pair.members[1]
    leaver.is_active, leaver.left_at = False, NOW - timedelta(days=4)
    leaver.save()
    health_refresh_programme(programme=programme)
    assert health_of(pair.relationship).reasons == [f"{leaver.person.name} left 4 days ago"]
    assert health_of(pair.relationship).suggestion == "rematch_offer"


def test_the_daily_job_is_registered_and_refreshes_live_programmes(
    org_a: Organisation, manager: User, frozen: Any
) -> None:
    live = make_programme(org_a, manager, name="Live")
    draft = make_programme(org_a, manager, name="Draft")
    draft.stage = "draft"
    draft.save()
    live_pair = make_pair(live, 1, started_at=NOW - timedelta(days=20))
    make_pair(draft, 1, started_at=NOW - timedelta(days=20))
    job = PERIODIC_JOBS["health.daily_refresh"]
    assert job.every == timedelta(days=1)
    assert job.function(NOW) == 1
    assert health_of(live_pair.relationship).status == "at_risk"
    assert RelationshipHealth.objects.count() == 1


def test_thresholds_update_names_every_bad_value_and_saves_nothing(
    org_a: Organisation, manager: User
) -> None:
    programme = make_programme(org_a, manager)
    with pytest.raises(AlongsideError) as caught:
        health_thresholds_update(
            programme=programme,
            actor=manager,
            values={"pulse_struggling": 9, "commitments_at_risk": -1, "bogus": 1},
        )
    assert [p.field for p in caught.value.problems] == ["bogus"]
    with pytest.raises(AlongsideError) as caught:
        health_thresholds_update(
            programme=programme,
            actor=manager,
            values={"pulse_struggling": 9, "commitments_at_risk": -1},
        )
    assert {p.field for p in caught.value.problems} == {"pulse_struggling", "commitments_at_risk"}
    with pytest.raises(AlongsideError) as caught:
        health_thresholds_update(
            programme=programme,
            actor=manager,
            values={"missed_window": 2, "missed_struggling": 3, "dormant_periods": 1},
        )
    assert {p.field for p in caught.value.problems} == {"missed_struggling", "dormant_periods"}
    assert not HealthThresholds.objects.filter(programme=programme).exists()


def test_thresholds_update_saves_audits_and_recomputes(
    org_a: Organisation, manager: User, frozen: Any, django_capture_on_commit_callbacks: Any
) -> None:
    programme = make_programme(org_a, manager)
    pair = make_pair(programme, 1, started_at=NOW - timedelta(days=20))
    health_refresh_programme(programme=programme)
    assert health_of(pair.relationship).status == "at_risk"
    with django_capture_on_commit_callbacks(execute=True):
        health_thresholds_update(programme=programme, actor=manager, values={"grace_days": 30})
    assert HealthThresholds.objects.get(programme=programme).grace_days == 30
    assert health_of(pair.relationship).status == "on_track"
    event = AuditEvent.objects.get(action="health.thresholds_changed")
    assert event.actor == manager
    assert event.data == {"grace_days": 30}


def test_messaging_the_members_emails_each_in_text_and_html_and_is_recorded(
    org_a: Organisation, manager: User, frozen: Any, django_capture_on_commit_callbacks: Any
) -> None:
    programme = make_programme(org_a, manager)
    pair = make_pair(programme, 1, started_at=NOW - timedelta(days=60))
    health_refresh_programme(programme=programme)
    with django_capture_on_commit_callbacks(execute=True):
        intervention = intervention_create(
            relationship=pair.relationship,
            actor=manager,
            kind="message",
            message="How are you getting on? Shall we find you a slot?",
        )
    assert sorted(m.to[0] for m in mail.outbox) == sorted(m.person.email for m in pair.members)
    email = mail.outbox[0]
    assert "Shall we find you a slot?" in email.body
    assert "Priya Programme" in email.body
    html = email.alternatives[0]
    assert html[1] == "text/html"
    assert "Shall we find you a slot?" in str(html[0])
    assert intervention.actor == manager
    assert intervention.health_status == "dormant"
    assert intervention.created_at == NOW
    assert AuditEvent.objects.filter(action="relationship.message", actor=manager).exists()


def test_offering_a_rematch_points_the_members_to_their_page(
    org_a: Organisation, manager: User, django_capture_on_commit_callbacks: Any
) -> None:
    programme = make_programme(org_a, manager)
    pair = make_pair(programme, 1, started_at=NOW)
    with django_capture_on_commit_callbacks(execute=True):
        intervention_create(relationship=pair.relationship, actor=manager, kind="rematch_offer")
    assert len(mail.outbox) == 2
    assert "rematch" in mail.outbox[0].body
    # The link signs in (also someone with no password) and opens the relationship.
    assert link_targets(mail.outbox[0].body) == [f"/o/acme/mentoring/r/{pair.relationship.pk}/"]
    assert Intervention.objects.get().kind == "rematch_offer"


def test_pause_and_resume_change_the_relationship_and_are_refused_twice(
    org_a: Organisation, manager: User, django_capture_on_commit_callbacks: Any
) -> None:
    programme = make_programme(org_a, manager)
    pair = make_pair(programme, 1, started_at=NOW)
    with django_capture_on_commit_callbacks(execute=True):
        intervention_create(relationship=pair.relationship, actor=manager, kind="pause")
    pair.relationship.refresh_from_db()
    assert pair.relationship.status == "paused"
    with pytest.raises(AlongsideError, match="already paused"):
        intervention_create(relationship=pair.relationship, actor=manager, kind="pause")
    with django_capture_on_commit_callbacks(execute=True):
        intervention_create(relationship=pair.relationship, actor=manager, kind="resume")
    pair.relationship.refresh_from_db()
    assert pair.relationship.status == "active"
    assert RelationshipHealth.objects.filter(relationship=pair.relationship).exists()
    with pytest.raises(AlongsideError, match="is not paused"):
        intervention_create(relationship=pair.relationship, actor=manager, kind="resume")
    assert [i.kind for i in Intervention.objects.all()] == ["resume", "pause"]
    assert not mail.outbox


def test_bad_interventions_are_refused_with_a_reason(org_a: Organisation, manager: User) -> None:
    programme = make_programme(org_a, manager)
    pair = make_pair(programme, 1, started_at=NOW)
    with pytest.raises(AlongsideError, match="kind must be one of"):
        intervention_create(relationship=pair.relationship, actor=manager, kind="shout")
    with pytest.raises(AlongsideError, match="Write the message first"):
        intervention_create(relationship=pair.relationship, actor=manager, kind="message")
    with pytest.raises(AlongsideError, match="Write the note first"):
        intervention_create(relationship=pair.relationship, actor=manager, kind="note", message=" ")
    Relationship.objects.filter(pk=pair.relationship.pk).update(status="ended")
    with pytest.raises(AlongsideError, match="has ended"):
        intervention_create(relationship=pair.relationship, actor=manager, kind="note", message="x")
    assert not Intervention.objects.exists()


def test_refresh_keeps_the_figures_and_weeks_the_dashboard_sums(
    org_a: Organisation, manager: User, frozen: Any
) -> None:
    from alongside.health.models import MeetingWeek
    from tests.dashboards.helpers import add_commitment, add_pulse

    programme = make_programme(org_a, manager)
    pair = make_pair(programme, 1, started_at=NOW - timedelta(days=60))
    monday = datetime(2026, 5, 18, 9, 0, tzinfo=UTC)
    first = add_meeting(pair, monday)
    add_meeting(pair, monday + timedelta(days=3))  # same week
    add_meeting(pair, monday + timedelta(days=7), "missed")
    add_commitment(pair, first, "done")
    add_commitment(pair, first, "open", member=1)
    add_pulse(pair, first, 4)
    add_pulse(pair, first, 1, member=1)
    health_refresh_programme(programme=programme)
    health = health_of(pair.relationship)
    assert (health.meetings_held, health.meetings_missed) == (2, 1)
    assert (health.commitments_made, health.commitments_reviewed) == (2, 1)
    assert health.commitments_kept == 1
    assert (health.pulse_1, health.pulse_4, health.pulse_5) == (1, 1, 0)
    weeks = list(MeetingWeek.objects.values_list("week_start", "held"))
    assert weeks == [(monday.date(), 2)]
    kept = MeetingWeek.objects.get()
    # An unchanged week is left alone; a changed one is rewritten; an emptied one goes.
    add_meeting(pair, monday + timedelta(days=8))
    health_refresh_programme(programme=programme)
    assert MeetingWeek.objects.get(week_start=monday.date()).pk == kept.pk
    assert MeetingWeek.objects.get(week_start=(monday + timedelta(days=7)).date()).held == 1
    pair.relationship.meetings.filter(starts_at=monday + timedelta(days=8)).delete()
    health_refresh(relationship_ids=[pair.relationship.pk])
    assert list(MeetingWeek.objects.values_list("week_start", "held")) == [(monday.date(), 2)]


def test_a_member_leaving_recomputes_the_circles_health_on_commit(
    org_a: Organisation, manager: User, frozen: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from alongside.people.models import Person
    from alongside.programmes.models import Enrolment
    from alongside.relationships.models import RelationshipMember
    from alongside.relationships.services import relationship_members_leave

    programme = make_programme(org_a, manager, format="peer_circles")
    circle = make_pair(programme, 1, started_at=NOW - timedelta(days=30))
    third = Person.objects.create(organisation=org_a, name="Third Person", email="t@acme.test")
    enrolment = Enrolment.objects.create(
        programme=programme, person=third, role="peer", source="directory"
    )
    RelationshipMember.objects.create(
        relationship=circle.relationship, enrolment=enrolment, person=third, role="peer"
    )
    add_meeting(circle, NOW - timedelta(days=5))
    health_refresh_programme(programme=programme)
    assert health_of(circle.relationship).status == "on_track"
    with django_capture_on_commit_callbacks(execute=True):
        relationship_members_leave(enrolment=enrolment, actor=manager)
    assert health_of(circle.relationship).status == "struggling"
    assert health_of(circle.relationship).reasons == ["Third Person left 0 days ago"]


def test_signal_changes_in_one_transaction_share_one_refresh(
    org_a: Organisation, manager: User, frozen: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from django.db import transaction

    from alongside.core.events import emit
    from alongside.relationships.events import RelationshipEnded

    programme = make_programme(org_a, manager)
    first = make_pair(programme, 1, started_at=NOW - timedelta(days=20))
    second = make_pair(programme, 2, started_at=NOW - timedelta(days=20))
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        for pair in (first, second):
            emit(
                RelationshipEnded(
                    organisation_id=org_a.pk, relationship_id=pair.relationship.pk, reason="test"
                )
            )
    # One batch carries both signals (the refresh then announces the new statuses in its own).
    signal_batches = [
        c for c in callbacks if any(isinstance(e, RelationshipEnded) for e in c.events)
    ]
    assert len(signal_batches) == 1
    assert RelationshipHealth.objects.filter(status="at_risk").count() == 2


def test_a_commitment_checked_in_through_the_meetings_service_updates_health(
    org_a: Organisation, manager: User, frozen: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from alongside.meetings.services import commitment_check_in, commitment_make

    programme = make_programme(org_a, manager)
    pair = make_pair(programme, 1, started_at=NOW - timedelta(days=40))
    earlier = add_meeting(pair, NOW - timedelta(days=20))
    later = add_meeting(pair, NOW - timedelta(days=6))
    with django_capture_on_commit_callbacks(execute=True):
        commitment = commitment_make(
            meeting=earlier, member=pair.members[0], text="Shadow a 1:1", actor=manager
        )
    assert health_of(pair.relationship).commitments_made == 1
    assert health_of(pair.relationship).commitments_kept == 0
    with django_capture_on_commit_callbacks(execute=True):
        commitment_check_in(
            commitment=commitment,
            meeting=later,
            member=pair.members[0],
            status="done",
            actor=manager,
        )
    assert health_of(pair.relationship).commitments_kept == 1


def test_a_meeting_held_or_missed_through_the_schedule_service_updates_health(
    org_a: Organisation, manager: User, frozen: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from alongside.scheduling.services import meeting_record_outcome

    programme = make_programme(org_a, manager)
    pair = make_pair(programme, 1, started_at=NOW - timedelta(days=60))
    add_meeting(pair, NOW - timedelta(days=34))
    missed = add_meeting(pair, NOW - timedelta(days=20), "scheduled")
    last = add_meeting(pair, NOW - timedelta(days=6), "scheduled")
    health_refresh_programme(programme=programme)
    assert health_of(pair.relationship).status == "dormant"
    with django_capture_on_commit_callbacks(execute=True):
        meeting_record_outcome(
            meeting=missed, member=pair.members[0], actor=manager, status="missed"
        )
    assert health_of(pair.relationship).meetings_missed == 1
    with django_capture_on_commit_callbacks(execute=True):
        meeting_record_outcome(
            meeting=last,
            member=pair.members[0],
            actor=manager,
            status="held",
            attendance={m.pk: "attended" for m in pair.members},
        )
    health = health_of(pair.relationship)
    assert health.status == "on_track"
    assert health.meetings_held == 2
