"""Writes for relationship health: recomputing it, thresholds, and interventions.

``health_refresh`` is the one place that turns stored signals into stored verdicts and
figures (meetings, commitments, pulses, meetings held per week). It reads every signal
of up to 500 relationships in a fixed handful of queries and writes the verdicts back
in one upsert, so a change to one meeting costs a few round trips and the daily job a
few per 500 relationships.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from alongside.accounts.models import User
from alongside.accounts.sign_in_links import email_link
from alongside.audit.services import log_action
from alongside.core.errors import AlongsideError, Problem
from alongside.core.events import emit
from alongside.core.languages import in_language, recipient_language
from alongside.health import rules
from alongside.health.events import HealthChanged
from alongside.health.models import (
    FIGURE_FIELDS,
    THRESHOLD_FIELDS,
    HealthThresholds,
    Intervention,
    MeetingWeek,
    RelationshipHealth,
)
from alongside.meetings.models import Commitment, Meeting
from alongside.outbox.services import Outgoing, emails_enqueue
from alongside.programmes.models import Programme
from alongside.relationships.models import Relationship, RelationshipMember
from alongside.surveys.models import Pulse

CHUNK = 500


def thresholds_for(programme: Programme) -> rules.Thresholds:
    row = HealthThresholds.objects.filter(programme=programme).first()
    return row.as_rules() if row is not None else rules.Thresholds()


def health_refresh(*, relationship_ids: Iterable[int], now: datetime | None = None) -> int:
    """Recompute these relationships' health and figures; returns how many are assessed.

    A fixed handful of queries per 500 relationships, whatever their history.
    """
    ids = sorted(set(relationship_ids))
    assessed = 0
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        assessed += _refresh(Q(pk__in=chunk), now or timezone.now())
    return assessed


def health_refresh_programme(*, programme: Programme, now: datetime | None = None) -> int:
    """Recompute every relationship of a programme; returns how many are assessed."""
    ids = list(
        Relationship.objects.filter(programme=programme).order_by("pk").values_list("pk", flat=True)
    )
    return health_refresh(relationship_ids=ids, now=now)


@dataclass
class _History:
    meetings: list[rules.MeetingSignal] = field(default_factory=list)
    commitments: list[rules.CommitmentSignal] = field(default_factory=list)
    pulses: list[rules.PulseSignal] = field(default_factory=list)
    departures: list[rules.Departure] = field(default_factory=list)
    figures: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FIGURE_FIELDS, 0))
    weeks: dict[date, int] = field(default_factory=lambda: defaultdict(int))


@transaction.atomic
def _refresh(which: Q, now: datetime) -> int:
    relationships = list(
        Relationship.objects.filter(which).select_related("programme__health_thresholds")
    )
    if not relationships:
        return 0
    histories = _histories(which, now)
    previous = {
        relationship_id: (status, status_since)
        for relationship_id, status, status_since in RelationshipHealth.objects.filter(
            relationship__in=Relationship.objects.filter(which)
        ).values_list("relationship_id", "status", "status_since")
    }
    rows = []
    changes: list[HealthChanged] = []
    for relationship in relationships:
        history = histories[relationship.pk]
        row = RelationshipHealth(
            relationship_id=relationship.pk,
            programme_id=relationship.programme_id,
            computed_at=now,
            status_since=now,
            **history.figures,
        )
        if relationship.status == Relationship.Status.ACTIVE:
            verdict = rules.assess(
                rules.Signals(
                    rhythm=relationship.programme.rhythm,
                    started_at=relationship.started_at,
                    meetings=history.meetings,
                    commitments=history.commitments,
                    pulses=history.pulses,
                    departures=history.departures,
                ),
                _thresholds(relationship.programme),
                now,
            )
            row.status = verdict.status.value
            row.reasons = verdict.reasons
            row.suggestion = verdict.suggestion.value
        before = previous.get(relationship.pk)
        if before is not None and before[0] == row.status:
            row.status_since = before[1]
        elif row.status:
            changes.append(
                HealthChanged(
                    organisation_id=relationship.organisation_id,
                    relationship_id=relationship.pk,
                    programme_id=relationship.programme_id,
                    status=row.status,
                    previous_status=before[0] if before is not None else "",
                    reasons=tuple(row.reasons),
                )
            )
        rows.append(row)
    RelationshipHealth.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["relationship"],
        update_fields=[
            "programme",
            "status",
            "reasons",
            "suggestion",
            "computed_at",
            "status_since",
            *FIGURE_FIELDS,
        ],
    )
    _store_weeks(which, relationships, histories)
    for change in changes:
        emit(change)
    return sum(1 for row in rows if row.status)


def _store_weeks(
    which: Q, relationships: list[Relationship], histories: dict[int, _History]
) -> None:
    """Rewrite only the weeks whose count changed (a daily refresh changes almost none)."""
    wanted = {
        (r.pk, week): (r.programme_id, held)
        for r in relationships
        for week, held in histories[r.pk].weeks.items()
    }
    stale = []
    for pk, relationship_id, week, held in (
        MeetingWeek.objects.filter(relationship__in=Relationship.objects.filter(which))
        .order_by()
        .values_list("pk", "relationship_id", "week_start", "held")
    ):
        want = wanted.get((relationship_id, week))
        if want is not None and want[1] == held:
            del wanted[(relationship_id, week)]
        else:
            stale.append(pk)
    if stale:
        MeetingWeek.objects.filter(pk__in=stale).delete()
    MeetingWeek.objects.bulk_create(
        [
            MeetingWeek(relationship_id=r, programme_id=p, week_start=week, held=held)
            for (r, week), (p, held) in wanted.items()
        ],
        batch_size=CHUNK,
    )


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _thresholds(programme: Programme) -> rules.Thresholds:
    try:
        return programme.health_thresholds.as_rules()
    except HealthThresholds.DoesNotExist:
        return rules.Thresholds()


def _histories(which: Q, now: datetime) -> dict[int, _History]:
    """Every signal of the matching relationships, and their figures: four queries."""
    scope = Relationship.objects.filter(which).values("pk")
    histories: dict[int, _History] = defaultdict(_History)
    meetings = (
        Meeting.objects.filter(relationship__in=scope, starts_at__lte=now)
        .order_by()
        .values_list("relationship_id", "starts_at", "status")
    )
    for relationship_id, starts_at, status in meetings.iterator(chunk_size=5000):
        history = histories[relationship_id]
        history.meetings.append(rules.MeetingSignal(starts_at, status))
        if status == Meeting.Status.HELD:
            history.figures["meetings_held"] += 1
            history.weeks[week_start(starts_at.astimezone(UTC).date())] += 1
        elif status == Meeting.Status.MISSED:
            history.figures["meetings_missed"] += 1
        elif status == Meeting.Status.CANCELLED:
            history.figures["meetings_cancelled"] += 1
    commitments = (
        Commitment.objects.filter(relationship__in=scope)
        .order_by()
        .values_list("relationship_id", "status", "reviewed_at")
    )
    for relationship_id, status, reviewed_at in commitments.iterator(chunk_size=5000):
        history = histories[relationship_id]
        history.figures["commitments_made"] += 1
        if status != Commitment.Status.OPEN:
            history.figures["commitments_reviewed"] += 1
            history.commitments.append(rules.CommitmentSignal(status, reviewed_at))
        if status == Commitment.Status.DONE:
            history.figures["commitments_kept"] += 1
        elif status == Commitment.Status.PARTLY:
            history.figures["commitments_partly"] += 1
    pulses = (
        Pulse.objects.filter(relationship__in=scope)
        .order_by()
        .values_list("relationship_id", "rating", "created_at")
    )
    for relationship_id, rating, created_at in pulses.iterator(chunk_size=5000):
        history = histories[relationship_id]
        history.pulses.append(rules.PulseSignal(rating, created_at))
        if 1 <= rating <= 5:
            history.figures[f"pulse_{rating}"] += 1
    departures = (
        RelationshipMember.objects.filter(relationship__in=scope, left_at__isnull=False)
        .order_by()
        .values_list("relationship_id", "person__name", "left_at")
    )
    for relationship_id, name, left_at in departures:
        assert left_at is not None
        histories[relationship_id].departures.append(rules.Departure(name, left_at))
    return histories


# --- Thresholds ------------------------------------------------------------------------


@transaction.atomic
def health_thresholds_update(
    *, programme: Programme, actor: User, values: dict[str, Any]
) -> HealthThresholds:
    """Change some of a programme's thresholds; every bad value is named, nothing half-saved."""
    unknown = sorted(set(values) - set(THRESHOLD_FIELDS))
    if unknown:
        raise AlongsideError(
            _("Unknown thresholds."),
            problems=[Problem(_("is not a threshold."), name) for name in unknown],
        )
    row, _created = HealthThresholds.objects.select_for_update().get_or_create(programme=programme)
    for name, value in values.items():
        setattr(row, name, value)
    problems = _threshold_problems(row)
    if problems:
        raise AlongsideError(_("The thresholds were not saved."), problems=problems)
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
            Problem(_("must be at least the at-risk number of periods."), "dormant_periods")
        )
    if row.missed_struggling > row.missed_window:
        problems.append(
            Problem(
                _("cannot be more than the %(missed_window)s meetings looked at.")
                % {"missed_window": row.missed_window},
                "missed_struggling",
            )
        )
    if row.commitments_min > row.commitments_window:
        problems.append(
            Problem(
                _("cannot be more than the %(commitments_window)s commitments looked at.")
                % {"commitments_window": row.commitments_window},
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
            _("kind must be one of: %(values)s.") % {"values": ", ".join(Intervention.Kind.values)},
            problems=[Problem(_("is not a kind of intervention."), "kind")],
        )
    message = message.strip()
    if len(message) > 5000:
        raise AlongsideError(
            _("The message is too long."),
            problems=[Problem(_("must be at most 5,000 characters."), "message")],
        )
    if kind in (Intervention.Kind.MESSAGE, Intervention.Kind.NOTE) and not message:
        raise AlongsideError(
            "Write the message first." if kind == "message" else "Write the note first.",
            code="message_required",
            problems=[Problem(_("is required."), "message")],
        )
    relationship = Relationship.objects.select_for_update().get(pk=relationship.pk)
    if relationship.status == Relationship.Status.ENDED:
        raise AlongsideError(
            _("%(relationship)s has ended.") % {"relationship": relationship.name}, code="ended"
        )
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
        relationship_id = relationship.pk
        transaction.on_commit(lambda: health_refresh(relationship_ids=[relationship_id]))
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


def intervention_email(
    *, member: RelationshipMember, relationship: Relationship, intervention: Intervention
) -> EmailMultiAlternatives:
    """A programme manager's message to a member; its link signs in and opens the relationship."""
    programme = relationship.programme
    # In the member's own language; the manager's message stays as they wrote it.
    with in_language(recipient_language(member.person.user, programme.organisation)):
        return _intervention_email(
            member=member, relationship=relationship, intervention=intervention
        )


def _intervention_email(
    *, member: RelationshipMember, relationship: Relationship, intervention: Intervention
) -> EmailMultiAlternatives:
    programme = relationship.programme
    path = reverse("meetings:relationship", args=[programme.organisation.slug, relationship.pk])
    rematch = intervention.kind == Intervention.Kind.REMATCH_OFFER
    sender = intervention.actor.get_full_name() if intervention.actor else ""
    context = {
        "person": member.person,
        "programme": programme,
        "relationship": relationship,
        "message": intervention.message,
        "sender": sender or _("Your programme manager"),
        "link": email_link(
            email=member.person.email, path=path, organisation_id=programme.organisation_id
        ),
        "rematch": rematch,
    }
    subject = (
        _("Would a new match help? (%(programme)s)") % {"programme": programme.name}
        if rematch
        else _("A message about %(relationship)s (%(programme)s)")
        % {"relationship": relationship.name, "programme": programme.name}
    )
    email = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("health/email/intervention.txt", context),
        to=[member.person.email],
    )
    email.attach_alternative(
        render_to_string("health/email/intervention.html", context), "text/html"
    )
    return email


def _email_members(relationship: Relationship, intervention: Intervention) -> None:
    members: Sequence[RelationshipMember] = list(
        relationship.members.filter(is_active=True).select_related("person__user")
    )
    organisation_id = relationship.programme.organisation_id
    emails = [
        Outgoing(
            intervention_email(member=member, relationship=relationship, intervention=intervention),
            kind="intervention",
            organisation_id=organisation_id,
            dedupe_key=f"intervention:{intervention.pk}:{member.pk}",
        )
        for member in members
        if member.person.email
    ]
    if not emails:
        raise AlongsideError(
            _("No one in %(relationship)s has an email address.")
            % {"relationship": relationship.name},
            code="email",
        )
    emails_enqueue(emails)
