"""Reads for the programme dashboard and the organisation overview.

Every figure is summed by the database from the stored health rows (one per
relationship, with its meeting, commitment and pulse counts) and the stored meetings
held per week, both kept by ``health_refresh``; so a dashboard costs the same fixed
number of queries for 10 or 10,000 people (pinned in tests/dashboards/test_queries.py)
and never scans a year of meetings.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Count, Max, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from alongside.core.errors import NotFound
from alongside.health import rules
from alongside.health.models import (
    ACTION_LABELS,
    FIGURE_FIELDS,
    HealthStatus,
    Intervention,
    MeetingWeek,
    RelationshipHealth,
)
from alongside.organisations.models import Membership
from alongside.programmes.models import Enrolment, EnrolmentStatus, Programme
from alongside.programmes.selectors import programmes_managed
from alongside.relationships.models import Relationship, RelationshipMember

FLAGGED = (HealthStatus.DORMANT, HealthStatus.STRUGGLING, HealthStatus.AT_RISK)
LIST_LIMIT = 25
MAX_WEEKS = 78
RECENT_WEEKS = 4  # the overview's "held lately": this week and the three before
LIVE = (Relationship.Status.ACTIVE, Relationship.Status.PAUSED)
# What the lists show: loading only these keeps a list of 75 rows cheap.
LIST_FIELDS = (
    "relationship_id",
    "status",
    "reasons",
    "suggestion",
    "status_since",
    "relationship__name",
)


@dataclass(frozen=True)
class Filters:
    """Narrow a dashboard to relationships with a member in a department / location."""

    kind: str = ""  # a relationship format (programme dashboard) or programme format (overview)
    department: str = ""
    location: str = ""

    @property
    def active(self) -> bool:
        return bool(self.kind or self.department or self.location)

    def as_query(self) -> dict[str, str]:
        return {k: v for k, v in self.__dict__.items() if v}

    def people(self, prefix: str = "person__") -> Q:
        query = Q()
        if self.department:
            query &= Q(**{f"{prefix}department": self.department})
        if self.location:
            query &= Q(**{f"{prefix}location": self.location})
        return query


@dataclass
class FlaggedRelationship:
    health: RelationshipHealth
    relationship: Relationship
    members: list[RelationshipMember] = field(default_factory=list)
    last_intervention: Intervention | None = None

    @property
    def suggestion_label(self) -> str:
        return str(ACTION_LABELS.get(rules.Action(self.health.suggestion), ""))


@dataclass
class FlaggedGroup:
    status: str
    label: str
    count: int
    items: list[FlaggedRelationship]

    @property
    def more(self) -> int:
        return self.count - len(self.items)


@dataclass
class ProgrammeDashboard:
    programme: Programme
    filters: Filters
    enrolment: dict[str, int]
    relationships: dict[str, int]
    meetings: dict[str, int]
    weeks: list[tuple[date, int]]
    expected_per_week: float
    commitments: dict[str, int]
    pulses: dict[str, Any]
    health: dict[str, int]
    computed_at: datetime | None
    flagged: list[FlaggedGroup]

    @property
    def matched_share(self) -> float | None:
        active = self.enrolment["active"]
        return self.enrolment["matched"] / active if active else None

    @property
    def intake_share(self) -> float | None:
        active = self.enrolment["active"]
        return self.enrolment["intake_done"] / active if active else None

    @property
    def kept_share(self) -> float | None:
        reviewed = self.commitments["reviewed"]
        return self.commitments["kept"] / reviewed if reviewed else None

    @property
    def not_assessed(self) -> int:
        return max(0, self.relationships["active"] - sum(self.health.values()))


def _scope(programme: Programme, filters: Filters) -> QuerySet[Relationship]:
    relationships = Relationship.objects.filter(programme=programme)
    if filters.kind:
        relationships = relationships.filter(kind=filters.kind)
    people = filters.people()
    if people:
        relationships = relationships.filter(
            pk__in=RelationshipMember.objects.filter(people).values("relationship_id")
        )
    return relationships


def programme_dashboard(
    *,
    programme: Programme,
    filters: Filters | None = None,
    show_all: str = "",
    now: datetime | None = None,
) -> ProgrammeDashboard:
    filters = filters or Filters()
    now = now or timezone.now()
    scope = _scope(programme, filters)
    # Unfiltered, the stored rows are read by programme (indexed) rather than through
    # the list of its relationships.
    by_relationship = (
        Q(relationship__in=scope.values("pk")) if filters.active else Q(programme=programme)
    )
    relationship_counts = _relationship_counts(scope)
    stored = _stored_figures(by_relationship)
    return ProgrammeDashboard(
        programme=programme,
        filters=filters,
        enrolment=_enrolment(programme, filters),
        relationships=relationship_counts,
        meetings={
            "held": stored["meetings_held"],
            "missed": stored["meetings_missed"],
            "cancelled": stored["meetings_cancelled"],
        },
        weeks=_weeks(programme, by_relationship, now),
        expected_per_week=relationship_counts["active"]
        * 7
        / rules.RHYTHM_DAYS.get(programme.rhythm, 30),
        commitments={
            "made": stored["commitments_made"],
            "reviewed": stored["commitments_reviewed"],
            "kept": stored["commitments_kept"],
            "partly": stored["commitments_partly"],
        },
        pulses=_pulse_summary(stored),
        health={status: stored[f"health_{status}"] for status in HealthStatus.values},
        computed_at=stored["computed_at"],
        flagged=_flagged(by_relationship, stored, show_all),
    )


def _enrolment(programme: Programme, filters: Filters) -> dict[str, int]:
    active = Q(status=EnrolmentStatus.ACTIVE)
    matched = Q(pk__in=_live_member_enrolments(relationship__programme=programme))
    return Enrolment.objects.filter(Q(programme=programme) & filters.people()).aggregate(
        active=Count("pk", filter=active),
        withdrawn=Count("pk", filter=Q(status=EnrolmentStatus.WITHDRAWN)),
        intake_done=Count("pk", filter=active & Q(intake__completed_at__isnull=False)),
        matched=Count("pk", filter=active & matched),
    )


def _live_member_enrolments(**scope: Any) -> QuerySet[RelationshipMember, Any]:
    """The enrolments in a live relationship, as one uncorrelated subquery: PostgreSQL
    hashes it once, where ``EXISTS`` per enrolment probed two indexes 5,000 times."""
    return RelationshipMember.objects.filter(
        is_active=True, relationship__status__in=LIVE, **scope
    ).values("enrolment_id")


def _relationship_counts(scope: QuerySet[Relationship]) -> dict[str, int]:
    counts = dict.fromkeys(Relationship.Status.values, 0)
    for status, count in scope.order_by().values_list("status").annotate(n=Count("pk")):
        counts[status] = count
    counts["total"] = sum(counts.values())
    return counts


def _stored_figures(by_relationship: Q) -> dict[str, Any]:
    """Health counts and every figure, summed from the stored rows in one query."""
    return RelationshipHealth.objects.filter(by_relationship).aggregate(
        **{name: Coalesce(Sum(name), 0) for name in FIGURE_FIELDS},
        **{f"health_{s}": Count("pk", filter=Q(status=s)) for s in HealthStatus.values},
        computed_at=Max("computed_at"),
    )


def _pulse_summary(stored: dict[str, Any]) -> dict[str, Any]:
    spread = {rating: stored[f"pulse_{rating}"] for rating in range(1, 6)}
    total = sum(spread.values())
    mean = sum(r * n for r, n in spread.items()) / total if total else None
    return {"count": total, "mean": mean, "spread": spread}


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _weeks(programme: Programme, by_relationship: Q, now: datetime) -> list[tuple[date, int]]:
    """Meetings held per week (Monday-based, UTC) from the programme's start to now."""
    last_week = week_start(min(now.date(), programme.end_date))
    first_week = max(week_start(programme.start_date), last_week - timedelta(weeks=MAX_WEEKS - 1))
    held = dict(
        MeetingWeek.objects.filter(
            by_relationship,
            programme=programme,
            week_start__gte=first_week,
            week_start__lte=last_week,
        )
        .order_by()
        .values_list("week_start")
        .annotate(n=Sum("held"))
    )
    weeks = []
    week = first_week
    while week <= last_week:
        weeks.append((week, held.get(week, 0)))
        week += timedelta(weeks=1)
    return weeks


def _flagged(by_relationship: Q, stored: dict[str, Any], show_all: str) -> list[FlaggedGroup]:
    """The at-risk / struggling / dormant relationships, longest in that state first."""
    flagged = RelationshipHealth.objects.filter(
        by_relationship, relationship__status=Relationship.Status.ACTIVE, status__in=FLAGGED
    )
    chosen: dict[str, list[int]] = defaultdict(list)
    for pk, status in flagged.order_by("status_since", "pk").values_list("pk", "status"):
        if status == show_all or len(chosen[status]) < LIST_LIMIT:
            chosen[status].append(pk)
    ids = [pk for pks in chosen.values() for pk in pks]
    rows = {
        h.pk: h
        for h in RelationshipHealth.objects.filter(pk__in=ids)
        .select_related("relationship")
        .only(*LIST_FIELDS)
    }
    relationship_ids = [h.relationship_id for h in rows.values()]
    members: dict[int, list[RelationshipMember]] = defaultdict(list)
    for member in (
        RelationshipMember.objects.filter(relationship_id__in=relationship_ids, is_active=True)
        .select_related("person")
        .only("relationship_id", "role", "person__name")
        .order_by("relationship_id", "-role", "person__name")
    ):
        members[member.relationship_id].append(member)
    last: dict[int, Intervention] = {}
    for intervention in Intervention.objects.filter(relationship_id__in=relationship_ids).only(
        "relationship_id", "kind", "created_at"
    ):
        last.setdefault(intervention.relationship_id, intervention)
    groups = []
    for status in FLAGGED:
        items = [
            FlaggedRelationship(
                health=rows[pk],
                relationship=rows[pk].relationship,
                members=members[rows[pk].relationship_id],
                last_intervention=last.get(rows[pk].relationship_id),
            )
            for pk in chosen[status]
            if pk in rows
        ]
        groups.append(
            FlaggedGroup(
                status=status,
                label=str(HealthStatus(status).label),
                count=stored[f"health_{status}"],
                items=items,
            )
        )
    return groups


def filter_options(*, programme: Programme) -> dict[str, list[str]]:
    """Departments and locations of the programme's people; the formats of its relationships."""
    departments, locations = set(), set()
    for department, location in (
        Enrolment.objects.filter(programme=programme)
        .order_by()
        .values_list("person__department", "person__location")
        .distinct()
    ):
        departments.add(department)
        locations.add(location)
    return {
        "departments": sorted(d for d in departments if d),
        "locations": sorted(loc for loc in locations if loc),
    }


# --- One relationship ------------------------------------------------------------------


def relationship_get_managed(*, programme: Programme, relationship_id: int) -> Relationship:
    relationship = (
        Relationship.objects.filter(programme=programme, pk=relationship_id)
        .select_related("programme__organisation")
        .first()
    )
    if relationship is None:
        raise NotFound(_("No such relationship in this programme."))
    return relationship


def relationship_health(*, relationship: Relationship) -> RelationshipHealth | None:
    return RelationshipHealth.objects.filter(relationship=relationship).first()


def interventions_of(*, relationship: Relationship) -> QuerySet[Intervention]:
    return Intervention.objects.filter(relationship=relationship).select_related("actor")


# --- The organisation overview ---------------------------------------------------------


@dataclass
class ProgrammeRow:
    programme: Programme
    enrolled: int = 0
    intake_done: int = 0
    matched: int = 0
    health: dict[str, int] = field(default_factory=lambda: dict.fromkeys(HealthStatus.values, 0))
    meetings_held_recently: int = 0
    commitments_reviewed: int = 0
    commitments_kept: int = 0
    pulse_mean: float | None = None
    pulse_count: int = 0

    @property
    def flagged(self) -> int:
        return sum(self.health[s] for s in FLAGGED)

    @property
    def kept_share(self) -> float | None:
        return (
            self.commitments_kept / self.commitments_reviewed if self.commitments_reviewed else None
        )


def organisation_overview(
    *, membership: Membership, filters: Filters | None = None, now: datetime | None = None
) -> list[ProgrammeRow]:
    """One row per programme the caller manages, in four queries whatever their number."""
    filters = filters or Filters()
    now = now or timezone.now()
    programmes = programmes_managed(membership=membership).order_by("-start_date", "name")
    if filters.kind:
        programmes = programmes.filter(format=filters.kind)
    rows = {p.pk: ProgrammeRow(programme=p) for p in programmes}
    if not rows:
        return []
    ids = list(rows)
    scope = Relationship.objects.filter(programme_id__in=ids)
    people = filters.people()
    if people:
        scope = scope.filter(
            pk__in=RelationshipMember.objects.filter(people).values("relationship_id")
        )
    _overview_enrolment(rows, ids, filters)
    by_relationship = Q(relationship__in=scope.values("pk")) if people else Q()
    sums = {name: Coalesce(Sum(name), 0) for name in FIGURE_FIELDS[3:]}
    statuses = {f"health_{s}": Count("pk", filter=Q(status=s)) for s in HealthStatus.values}
    for figures in (
        RelationshipHealth.objects.filter(by_relationship, programme_id__in=ids)
        .order_by()
        .values("programme_id")
        .annotate(**sums, **statuses)
    ):
        row = rows[figures["programme_id"]]
        row.health = {s: figures[f"health_{s}"] for s in HealthStatus.values}
        row.commitments_reviewed = figures["commitments_reviewed"]
        row.commitments_kept = figures["commitments_kept"]
        pulses = _pulse_summary(figures)
        row.pulse_mean, row.pulse_count = pulses["mean"], pulses["count"]
    since = week_start(now.date()) - timedelta(weeks=RECENT_WEEKS - 1)
    for programme_id, held in (
        MeetingWeek.objects.filter(by_relationship, programme_id__in=ids, week_start__gte=since)
        .order_by()
        .values_list("programme_id")
        .annotate(n=Sum("held"))
    ):
        rows[programme_id].meetings_held_recently = held
    return list(rows.values())


def _overview_enrolment(rows: dict[int, ProgrammeRow], ids: list[int], filters: Filters) -> None:
    active = Q(status=EnrolmentStatus.ACTIVE)
    matched = Q(pk__in=_live_member_enrolments(relationship__programme_id__in=ids))
    for programme_id, enrolled, intake_done, matched_count in (
        Enrolment.objects.filter(Q(programme_id__in=ids) & filters.people())
        .order_by()
        .values_list("programme_id")
        .annotate(
            enrolled=Count("pk", filter=active),
            intake_done=Count("pk", filter=active & Q(intake__completed_at__isnull=False)),
            matched=Count("pk", filter=active & matched),
        )
    ):
        row = rows[programme_id]
        row.enrolled, row.intake_done, row.matched = enrolled, intake_done, matched_count
