"""Writes for relationship health: recomputing it, thresholds, and interventions.

``health_refresh`` is the one place that turns stored signals into stored verdicts. It
reads every signal for any number of relationships in a fixed handful of queries and
writes the verdicts back in one upsert, so the daily job and a change to one meeting
cost the same number of round trips.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from alongside.accounts.models import User
from alongside.audit.services import log_action
from alongside.core.errors import AlongsideError, Problem
from alongside.health import rules
from alongside.health.models import (
    THRESHOLD_FIELDS,
    HealthThresholds,
    Intervention,
    RelationshipHealth,
)
from alongside.meetings.models import Commitment, Meeting
from alongside.programmes.models import Programme
from alongside.relationships.models import Relationship, RelationshipMember
from alongside.surveys.models import Pulse

# Signals older than this never change a verdict with any sensible thresholds; reading
# only this window keeps a daily refresh of a year-old programme cheap.
LOOKBACK = timedelta(days=400)
CHUNK = 500


def thresholds_for(programme: Programme) -> rules.Thresholds:
    row = HealthThresholds.objects.filter(programme=programme).first()
    return row.as_rules() if row is not None else rules.Thresholds()


def health_refresh(*, relationship_ids: Iterable[int], now: datetime | None = None) -> int:
    """Recompute the health of these relationships; returns how many verdicts were stored."""
    ids = sorted(set(relationship_ids))
    stored = 0
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        stored += _refresh(Q(pk__in=chunk), now or timezone.now())
    return stored


def health_refresh_programme(*, programme: Programme, now: datetime | None = None) -> int:
    """Recompute every relationship of a programme in the same few queries."""
    return _refresh(Q(programme=programme), now or timezone.now())


def health_refresh_on_commit(*, relationship_ids: Iterable[int]) -> None:
    """For services that change a signal: recompute once their transaction has committed."""
    ids = list(relationship_ids)
    transaction.on_commit(lambda: health_refresh(relationship_ids=ids))


@transaction.atomic
def _refresh(which: Q, now: datetime) -> int:
    relationships = list(
        Relationship.objects.filter(which).select_related("programme__health_thresholds")
    )
    active = [r for r in relationships if r.status == Relationship.Status.ACTIVE]
    inactive = [r.pk for r in relationships if r.status != Relationship.Status.ACTIVE]
    if inactive:
        RelationshipHealth.objects.filter(relationship_id__in=inactive).delete()
    if not active:
        return 0
    signals = _signals(which, now)
    previous = {
        relationship_id: (status, status_since)
        for relationship_id, status, status_since in RelationshipHealth.objects.filter(
            relationship__in=Relationship.objects.filter(which)
        ).values_list("relationship_id", "status", "status_since")
    }
    rows = []
    for relationship in active:
        verdict = rules.assess(
            rules.Signals(
                rhythm=relationship.programme.rhythm,
                started_at=relationship.started_at,
                **signals[relationship.pk],
            ),
            _thresholds(relationship.programme),
            now,
        )
        before = previous.get(relationship.pk)
        unchanged = before is not None and before[0] == verdict.status.value
        rows.append(
            RelationshipHealth(
                relationship_id=relationship.pk,
                programme_id=relationship.programme_id,
                status=verdict.status.value,
                reasons=verdict.reasons,
                suggestion=verdict.suggestion.value,
                computed_at=now,
                status_since=before[1] if before is not None and unchanged else now,
            )
        )
    RelationshipHealth.objects.bulk_create(
        rows,
        batch_size=CHUNK,
        update_conflicts=True,
        unique_fields=["relationship"],
        update_fields=[
            "status",
            "reasons",
            "suggestion",
            "computed_at",
            "status_since",
            "programme",
        ],
    )
    return len(rows)


def _thresholds(programme: Programme) -> rules.Thresholds:
    try:
        return programme.health_thresholds.as_rules()
    except HealthThresholds.DoesNotExist:
        return rules.Thresholds()


def _signals(which: Q, now: datetime) -> dict[int, dict[str, list[Any]]]:
    """Every signal of the matching relationships: four queries whatever their number."""
    scope = Relationship.objects.filter(which).values("pk")
    floor = now - LOOKBACK
    signals: dict[int, dict[str, list[Any]]] = defaultdict(
        lambda: {"meetings": [], "commitments": [], "pulses": [], "departures": []}
    )
    meetings = Meeting.objects.filter(
        relationship__in=scope, starts_at__gte=floor, starts_at__lte=now
    ).values_list("relationship_id", "starts_at", "status")
    for relationship_id, starts_at, status in meetings.iterator(chunk_size=5000):
        signals[relationship_id]["meetings"].append(rules.MeetingSignal(starts_at, status))
    commitments = Commitment.objects.filter(
        relationship__in=scope, reviewed_at__gte=floor
    ).values_list("relationship_id", "status", "reviewed_at")
    for relationship_id, status, reviewed_at in commitments.iterator(chunk_size=5000):
        signals[relationship_id]["commitments"].append(rules.CommitmentSignal(status, reviewed_at))
    pulses = Pulse.objects.filter(relationship__in=scope, created_at__gte=floor).values_list(
        "relationship_id", "rating", "created_at"
    )
    for relationship_id, rating, created_at in pulses.iterator(chunk_size=5000):
        signals[relationship_id]["pulses"].append(rules.PulseSignal(rating, created_at))
    departures = RelationshipMember.objects.filter(
        relationship__in=scope, left_at__isnull=False, left_at__gte=floor
    ).values_list("relationship_id", "person__name", "left_at")
    for relationship_id, name, left_at in departures:
        assert left_at is not None
        signals[relationship_id]["departures"].append(rules.Departure(name, left_at))
    return signals


# --- Thresholds ------------------------------------------------------------------------


@transaction.atomic
def health_thresholds_update(
    *, programme: Programme, actor: User, values: dict[str, Any]
) -> HealthThresholds:
    """Change some of a programme's thresholds; every bad value is named, nothing half-saved."""
    unknown = sorted(set(values) - set(THRESHOLD_FIELDS))
    if unknown:
        raise AlongsideError(
            "Unknown thresholds.",
            problems=[Problem("is not a threshold.", name) for name in unknown],
        )
    row, _created = HealthThresholds.objects.select_for_update().get_or_create(programme=programme)
    for name, value in values.items():
        setattr(row, name, value)
    problems = _threshold_problems(row)
    if problems:
        raise AlongsideError("The thresholds were not saved.", problems=problems)
    row.updated_at = timezone.now()
    row.updated_by = actor
    row.save()
    log_action(
        actor=actor,
        organisation=programme.organisation,
        action="health.thresholds_changed",
        target=programme,
        data={name: values[name] for name in sorted(values)},
    )
    transaction.on_commit(lambda: health_refresh_programme(programme=programme))
    return row


def _threshold_problems(row: HealthThresholds) -> list[Problem]:
    problems: list[Problem] = []
    try:
        row.full_clean(exclude=["programme", "updated_by"])
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            problems.extend(Problem(str(message), name) for message in messages)
    if problems:
        return problems
    if row.dormant_periods < row.at_risk_periods:
        problems.append(
            Problem("must be at least the at-risk number of periods.", "dormant_periods")
        )
    if row.missed_struggling > row.missed_window:
        problems.append(
            Problem(
                f"cannot be more than the {row.missed_window} meetings looked at.",
                "missed_struggling",
            )
        )
    if row.commitments_min > row.commitments_window:
        problems.append(
            Problem(
                f"cannot be more than the {row.commitments_window} commitments looked at.",
                "commitments_min",
            )
        )
    return problems


# --- Interventions ---------------------------------------------------------------------

EMAILED = {Intervention.Kind.MESSAGE, Intervention.Kind.REMATCH_OFFER}


@transaction.atomic
def intervention_create(
    *, relationship: Relationship, actor: User, kind: str, message: str = ""
) -> Intervention:
    """Message the members, offer a rematch, pause, resume or note, and record who did it."""
    if kind not in Intervention.Kind.values:
        raise AlongsideError(
            f"kind must be one of: {', '.join(Intervention.Kind.values)}.",
            problems=[Problem("is not a kind of intervention.", "kind")],
        )
    message = message.strip()
    if len(message) > 5000:
        raise AlongsideError(
            "The message is too long.",
            problems=[Problem("must be at most 5,000 characters.", "message")],
        )
    if kind in (Intervention.Kind.MESSAGE, Intervention.Kind.NOTE) and not message:
        raise AlongsideError(
            "Write the message first." if kind == "message" else "Write the note first.",
            code="message_required",
            problems=[Problem("is required.", "message")],
        )
    relationship = Relationship.objects.select_for_update().get(pk=relationship.pk)
    if relationship.status == Relationship.Status.ENDED:
        raise AlongsideError(f"{relationship.name} has ended.", code="ended")
    if kind == Intervention.Kind.PAUSE:
        _set_status(relationship, Relationship.Status.PAUSED, "is already paused")
    elif kind == Intervention.Kind.RESUME:
        _set_status(relationship, Relationship.Status.ACTIVE, "is not paused")
    health = RelationshipHealth.objects.filter(relationship=relationship).first()
    intervention = Intervention.objects.create(
        organisation_id=relationship.organisation_id,
        relationship=relationship,
        actor=actor,
        kind=kind,
        message=message,
        health_status=health.status if health else "",
    )
    if kind in EMAILED:
        _email_members(relationship, intervention)
    log_action(
        actor=actor,
        organisation=relationship.organisation,
        action=f"relationship.{kind}",
        target=relationship,
        data={"intervention_id": intervention.pk},
    )
    if kind in (Intervention.Kind.PAUSE, Intervention.Kind.RESUME):
        health_refresh_on_commit(relationship_ids=[relationship.pk])
    return intervention


def _set_status(relationship: Relationship, status: str, refusal: str) -> None:
    wanted_from = (
        Relationship.Status.ACTIVE
        if status == Relationship.Status.PAUSED
        else Relationship.Status.PAUSED
    )
    if relationship.status != wanted_from:
        raise AlongsideError(f"{relationship.name} {refusal}.", code="status")
    relationship.status = status
    relationship.save(update_fields=["status"])


def _email_members(relationship: Relationship, intervention: Intervention) -> None:
    members: Sequence[RelationshipMember] = list(
        relationship.members.filter(is_active=True).select_related("person")
    )
    programme = relationship.programme
    link = settings.SITE_URL + reverse("relationships:mine", args=[programme.organisation.slug])
    rematch = intervention.kind == Intervention.Kind.REMATCH_OFFER
    sender = intervention.actor.get_full_name() if intervention.actor else ""
    emails = []
    for member in members:
        if not member.person.email:
            continue
        context = {
            "person": member.person,
            "programme": programme,
            "relationship": relationship,
            "message": intervention.message,
            "sender": sender or "Your programme manager",
            "link": link,
            "rematch": rematch,
        }
        subject = (
            f"Would a new match help? ({programme.name})"
            if rematch
            else f"A message about {relationship.name} ({programme.name})"
        )
        email = EmailMultiAlternatives(
            subject=subject,
            body=render_to_string("health/email/intervention.txt", context),
            to=[member.person.email],
        )
        email.attach_alternative(
            render_to_string("health/email/intervention.html", context), "text/html"
        )
        emails.append(email)
    if not emails:
        raise AlongsideError(f"No one in {relationship.name} has an email address.", code="email")
    transaction.on_commit(lambda: [e.send(fail_silently=False) for e in emails])
