"""Turning enrolments into the engine's candidates and a programme into its rules.

The engine never sees the ORM: this module reads the database once and hands plain
dataclasses over. Candidate ids are enrolment ids (as strings).
"""

from __future__ import annotations

import re
import zoneinfo
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from alongside.matches.models import PairingRule
from alongside.matching import (
    Candidate,
    Intent,
    MatchingError,
    MatchRules,
    ScoreWeights,
    parse_availability,
)
from alongside.matching import Role as EngineRole
from alongside.people.reporting_line import ancestors_by_person
from alongside.people.selectors import manager_map
from alongside.programmes.models import Enrolment, EnrolmentStatus, Programme
from alongside.relationships.models import RelationshipMember

_LEVEL_NUMBER = re.compile(r"(\d+)")


def level_number(level: str) -> int | None:
    """'L3 Lead' → 3; levels without a number carry no level rule."""
    match = _LEVEL_NUMBER.search(level or "")
    return int(match.group(1)) if match else None


def utc_offset_hours(zone: str, at: datetime | None = None) -> float | None:
    if not zone:
        return None
    try:
        info = zoneinfo.ZoneInfo(zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None
    offset = (at or timezone.now()).astimezone(info).utcoffset()
    return offset.total_seconds() / 3600 if offset is not None else None


@dataclass(frozen=True)
class Cohort:
    enrolments: list[Enrolment]
    candidates: list[Candidate]
    rules: MatchRules
    # Mentors' places still free (1:1 and group mentoring), by enrolment id.
    free_capacity: dict[int, int]

    def index_of(self, enrolment_id: int) -> int:
        return next(i for i, e in enumerate(self.enrolments) if e.pk == enrolment_id)


def matching_rules(programme: Programme, enrolment_ids: set[int]) -> MatchRules:
    rules = programme.matching_rules
    forbidden: set[frozenset[str]] = set()
    locked: list[tuple[str, ...]] = []
    for rule in PairingRule.objects.filter(programme=programme):
        if rule.first_id not in enrolment_ids or rule.second_id not in enrolment_ids:
            continue
        pair = (str(rule.first_id), str(rule.second_id))
        if rule.kind == PairingRule.Kind.FORBID:
            forbidden.add(frozenset(pair))
        else:
            locked.append(pair)
    tz_gap = rules.get("max_timezone_difference")
    weights = rules.get("weights")
    return MatchRules(
        intent=Intent(rules.get("intent", "balanced")),
        weights=ScoreWeights(**{k: float(v) for k, v in weights.items()}) if weights else None,
        max_level_gap=rules.get("max_level_gap"),
        mentor_min_level_gap=rules.get("mentor_min_level_gap"),
        max_timezone_difference=float(tz_gap) if tz_gap is not None else None,
        must_share_language=bool(rules.get("must_share_language", False)),
        avoid_reporting_line=bool(rules.get("avoid_reporting_line", True)),
        avoid_previous_partners=bool(rules.get("avoid_previous_partners", True)),
        forbidden=frozenset(forbidden),
        locked=_merge_locks(locked),
    )


def _merge_locks(pairs: Sequence[tuple[str, ...]]) -> tuple[tuple[str, ...], ...]:
    """Locked pairs that share a person become one locked group (a circle's core)."""
    groups: list[set[str]] = []
    for pair in pairs:
        touching = [g for g in groups if g & set(pair)]
        merged = set(pair).union(*touching)
        groups = [g for g in groups if g not in touching] + [merged]
    return tuple(tuple(sorted(g, key=int)) for g in groups)


def unplaced_enrolments(programme: Programme) -> list[Enrolment]:
    """Active participants not yet in an active relationship (mentors: with places free)."""
    placed = set(
        RelationshipMember.objects.filter(relationship__programme=programme, is_active=True)
        .exclude(role="mentor")
        .values_list("enrolment_id", flat=True)
    )
    enrolments = (
        Enrolment.objects.filter(programme=programme, status=EnrolmentStatus.ACTIVE)
        .select_related("person", "intake")
        .order_by("pk")
    )
    return [e for e in enrolments if e.pk not in placed]


def mentor_places_taken(programme: Programme) -> dict[int, int]:
    taken: dict[int, int] = defaultdict(int)
    for enrolment_id in RelationshipMember.objects.filter(
        relationship__programme=programme, is_active=True, role="mentor"
    ).values_list("enrolment_id", flat=True):
        taken[enrolment_id] += 1
    return taken


def build_cohort(
    programme: Programme, enrolments: list[Enrolment], *, at: datetime | None = None
) -> Cohort:
    """Candidates for these enrolments, with reporting lines and previous partners."""
    ids = {e.pk for e in enrolments}
    by_person = {e.person_id: e.pk for e in enrolments}
    ancestors = ancestors_by_person(manager_map(organisation=programme.organisation))
    partners = _previous_partners(programme, set(by_person))
    taken = mentor_places_taken(programme) if programme.is_mentoring else {}
    org_zone = programme.organisation.default_time_zone
    candidates = []
    free: dict[int, int] = {}
    for enrolment in enrolments:
        person = enrolment.person
        intake = getattr(enrolment, "intake", None)
        zone = (intake.timezone if intake else "") or person.timezone or org_zone
        offset = utc_offset_hours(zone, at)
        availability = None
        if intake is not None and intake.availability:
            try:
                availability = parse_availability(intake.availability, offset or 0.0)
            except MatchingError:
                availability = None
        languages = (intake.languages if intake and intake.languages else person.languages) or []
        wants = set(intake.wants) if intake else set()
        offers = set(intake.offers) if intake else set()
        line = {str(by_person[a]) for a in ancestors.get(person.pk, frozenset()) if a in by_person}
        previous = {str(by_person[p]) for p in partners.get(person.pk, ()) if p in by_person}
        capacity = 1
        if enrolment.role == "mentor":
            capacity = max(enrolment.capacity - taken.get(enrolment.pk, 0), 0)
            free[enrolment.pk] = capacity
        candidates.append(
            Candidate(
                id=str(enrolment.pk),
                name=person.name,
                function=person.department,
                level=level_number(person.level),
                location=person.location,
                timezone=zone,
                utc_offset_hours=offset,
                languages=frozenset(languages),
                wants=frozenset(wants),
                offers=frozenset(offers),
                reporting_line=frozenset(line),
                previous_partners=frozenset(previous - {str(enrolment.pk)}),
                role=EngineRole(enrolment.role),
                capacity=max(capacity, 1),
                availability=availability,
            )
        )
    return Cohort(enrolments, candidates, matching_rules(programme, ids), free)


def _previous_partners(programme: Programme, person_ids: set[int]) -> dict[int, set[int]]:
    """People each person shared a relationship with before, in any programme."""
    rows = RelationshipMember.objects.filter(
        relationship__organisation=programme.organisation, person_id__in=person_ids
    ).values_list("relationship_id", "person_id")
    relationships: dict[int, set[int]] = defaultdict(set)
    mine = list(rows)
    for relationship_id, _person in mine:
        relationships[relationship_id] = set()
    for relationship_id, person_id in RelationshipMember.objects.filter(
        relationship_id__in=list(relationships)
    ).values_list("relationship_id", "person_id"):
        relationships[relationship_id].add(person_id)
    partners: dict[int, set[int]] = defaultdict(set)
    for relationship_id, person_id in mine:
        partners[person_id] |= relationships[relationship_id] - {person_id}
    return partners
