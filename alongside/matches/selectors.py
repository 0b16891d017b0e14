"""Reads for the matching workflow and a programme's relationships, scoped to a programme."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, cast

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from alongside.core.errors import NotFound
from alongside.core.folding import Folded, fold
from alongside.matches.models import (
    MatchGroup,
    MatchGroupMember,
    MatchRun,
    MatchUnmatched,
    PairingRule,
)
from alongside.programmes.models import Enrolment, EnrolmentStatus, Programme
from alongside.relationships.models import RelationshipMember

# A department or location is flagged when it has clearly more people among the
# worst-matched tenth than its share of the cohort would give it.
OVER_REPRESENTED_FACTOR = 1.5


def match_runs_for(*, programme: Programme) -> QuerySet[MatchRun]:
    return MatchRun.objects.filter(programme=programme).select_related("created_by")


def match_run_get(*, programme: Programme, run_id: int) -> MatchRun:
    run = (
        MatchRun.objects.filter(programme=programme, pk=run_id)
        .select_related("programme__organisation")
        .first()
    )
    if run is None:
        raise NotFound(_("No such match run in this programme."))
    return run


def match_run_groups(*, run: MatchRun) -> QuerySet[MatchGroup]:
    """The run's groups in order; ``match_group_members`` gives a page of them their
    members."""
    return MatchGroup.objects.filter(run=run).order_by("number")


def match_group_members(*, groups: Iterable[MatchGroup]) -> dict[int, list[dict[str, Any]]]:
    """Each group's members (group id → rows, the other roles before peers, then by
    name): enrolment_id, person_id, name, department, location, role and score.

    One query, and rows rather than models: a page of 50 draft cards shows 100 people,
    and building a member, an enrolment and a person for each (prefetching) took about
    six times the CPU of reading the seven values the cards and the API show.
    """
    members: dict[int, list[dict[str, Any]]] = {group.pk: [] for group in groups}
    rows = (
        MatchGroupMember.objects.filter(group__in=list(members))
        .order_by("-role", "enrolment__person__name", "pk")
        .values(
            "group_id",
            "enrolment_id",
            "role",
            "score",
            person_id=F("enrolment__person_id"),
            name=F("enrolment__person__name"),
            department=F("enrolment__person__department"),
            location=F("enrolment__person__location"),
        )
    )
    for row in rows:
        members[row["group_id"]].append(cast(dict[str, Any], row))
    return members


def match_run_unmatched(*, run: MatchRun) -> QuerySet[MatchUnmatched]:
    return (
        MatchUnmatched.objects.filter(run=run)
        .select_related("enrolment__person")
        .order_by("enrolment__person__name", "pk")
    )


def match_group_get(
    *, run: MatchRun, group_id: int | None = None, number: int | None = None
) -> MatchGroup:
    groups = MatchGroup.objects.filter(run=run)
    group = groups.filter(pk=group_id).first() if group_id is not None else None
    if group_id is None and number is not None:
        group = groups.filter(number=number).first()
    if group is None:
        raise NotFound(_("No such group in this run."))
    return group


def enrolment_in(*, programme: Programme, enrolment_id: int | None) -> Enrolment:
    enrolment = (
        Enrolment.objects.filter(programme=programme, pk=enrolment_id)
        .select_related("person", "programme")
        .first()
        if enrolment_id is not None
        else None
    )
    if enrolment is None:
        raise NotFound(_("No such person in this programme."))
    return enrolment


def pairing_rules_for(*, programme: Programme) -> QuerySet[PairingRule]:
    return (
        PairingRule.objects.filter(programme=programme)
        .select_related("first__person", "second__person")
        .order_by("kind", "first__person__name", "pk")
    )


def pairing_rule_get(*, programme: Programme, rule_id: int) -> PairingRule:
    rule = pairing_rules_for(programme=programme).select_related("programme__organisation")
    found = rule.filter(pk=rule_id).first()
    if found is None:
        raise NotFound(_("No such pairing rule in this programme."))
    return found


def people_waiting(*, programme: Programme) -> int:
    """How many active participants a new run would take in (counted in SQL)."""
    placed = RelationshipMember.objects.filter(
        enrolment=OuterRef("pk"), relationship__programme=programme, is_active=True
    ).exclude(role="mentor")
    return (
        Enrolment.objects.filter(programme=programme, status=EnrolmentStatus.ACTIVE)
        .exclude(Exists(placed))
        .count()
    )


def draft_people_search(
    *, programme: Programme, run: MatchRun | None, query: str, limit: int = 20
) -> list[tuple[Enrolment, str]]:
    """Participants whose name or email matches ``query``, with where the run put them."""
    query = query.strip()
    enrolments = Enrolment.objects.filter(
        # The organisation (true of every enrolment) lets PostgreSQL walk the directory's
        # name-order index and stop at ``limit`` matches.
        programme=programme,
        status=EnrolmentStatus.ACTIVE,
        person__organisation=programme.organisation_id,
    ).select_related("person")
    if query:
        enrolments = enrolments.filter(
            Q(person__name__folded__contains=fold(query)) | Q(person__email__icontains=query)
        )
    found = list(enrolments.order_by(Folded("person__name"), "person__name", "person_id")[:limit])
    where: dict[int, str] = {}
    if run is not None and found:
        ids = [e.pk for e in found]
        for enrolment_id, number in MatchGroupMember.objects.filter(
            run=run, enrolment_id__in=ids
        ).values_list("enrolment_id", "group__number"):
            where[enrolment_id] = str(number)
    return [(e, where.get(e.pk, "")) for e in found]


def match_run_groups_page(*, run: MatchRun, query: str = "") -> QuerySet[MatchGroup]:
    """The run's groups, or only those with a member whose name matches ``query``."""
    groups = match_run_groups(run=run)
    query = query.strip()
    if query:
        groups = groups.filter(
            members__enrolment__person__name__folded__contains=fold(query)
        ).distinct()
    return groups


def summary_rows(summary: dict[str, Any], attribute: str) -> list[dict[str, Any]]:
    """By-department / by-location rows, flagged where the worst tenth is over-represented."""
    rows = []
    for row in summary.get(f"by_{attribute}", []):
        expected = float(row.get("expected_in_worst_tenth") or 0.0)
        actual = int(row.get("in_worst_tenth") or 0)
        over = actual >= 2 and actual > expected * OVER_REPRESENTED_FACTOR
        rows.append({**row, "over_represented": over})
    return rows


def late_joiners_waiting(*, programme: Programme) -> list[Enrolment]:
    """Active late joiners (and people released by a rematch) not in any relationship yet."""
    active_membership = RelationshipMember.objects.filter(
        enrolment=OuterRef("pk"), is_active=True
    ).exclude(role="mentor")
    return list(
        Enrolment.objects.filter(
            programme=programme, status=EnrolmentStatus.ACTIVE, late_joiner=True
        )
        .exclude(role="mentor")
        .exclude(Exists(active_membership))
        .select_related("person")
        .order_by("person__name", "pk")
    )


# --- Comparing two runs ------------------------------------------------------------------


@dataclass(frozen=True)
class Placement:
    """Where one person is in one run: with whom, or unmatched, or not in it at all."""

    in_run: bool
    matched: bool
    partners: tuple[str, ...] = ()


@dataclass(frozen=True)
class MovedPerson:
    enrolment_id: int
    name: str
    first: Placement
    second: Placement

    @property
    def places(self) -> tuple[Placement, Placement]:
        return (self.first, self.second)


@dataclass
class RunComparison:
    first: MatchRun
    second: MatchRun
    people: int = 0
    unchanged: int = 0
    moved: list[MovedPerson] = field(default_factory=list)


def _placements(run_ids: list[int]) -> tuple[dict[int, dict[int, Placement]], dict[int, str]]:
    """Each run's placement of each enrolment, and the enrolments' names (two queries)."""
    groups: dict[tuple[int, int], list[tuple[int, str]]] = defaultdict(list)
    names: dict[int, str] = {}
    for run_id, group_id, enrolment_id, name in MatchGroupMember.objects.filter(
        run_id__in=run_ids
    ).values_list("run_id", "group_id", "enrolment_id", "enrolment__person__name"):
        groups[(run_id, group_id)].append((enrolment_id, name))
        names[enrolment_id] = name
    placed: dict[int, dict[int, Placement]] = {run_id: {} for run_id in run_ids}
    for (run_id, _group_id), members in groups.items():
        for enrolment_id, _name in members:
            partners = tuple(sorted(n for e, n in members if e != enrolment_id))
            placed[run_id][enrolment_id] = Placement(in_run=True, matched=True, partners=partners)
    for run_id, enrolment_id, name in MatchUnmatched.objects.filter(run_id__in=run_ids).values_list(
        "run_id", "enrolment_id", "enrolment__person__name"
    ):
        placed[run_id][enrolment_id] = Placement(in_run=True, matched=False)
        names[enrolment_id] = name
    return placed, names


def match_runs_compare(*, first: MatchRun, second: MatchRun) -> RunComparison:
    """Who is with someone else in ``second`` than in ``first`` (by their partners, not by
    group numbers, which a re-run reshuffles), in name order."""
    placed, names = _placements([first.pk, second.pk])
    absent = Placement(in_run=False, matched=False)
    comparison = RunComparison(first=first, second=second)
    everyone = set(placed[first.pk]) | set(placed[second.pk])
    comparison.people = len(everyone)
    for enrolment_id in everyone:
        before = placed[first.pk].get(enrolment_id, absent)
        after = placed[second.pk].get(enrolment_id, absent)
        if before == after:
            comparison.unchanged += 1
            continue
        comparison.moved.append(
            MovedPerson(
                enrolment_id=enrolment_id, name=names[enrolment_id], first=before, second=after
            )
        )
    comparison.moved.sort(key=lambda row: (row.name.casefold(), row.enrolment_id))
    return comparison


def pairing_rules_by_enrolment(*, rules: list[PairingRule]) -> dict[int, list[tuple[str, str]]]:
    """Each enrolment's locks and forbids as (kind, the other person's name), for marks."""
    marks: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for rule in rules:
        marks[rule.first_id].append((rule.kind, rule.second.person.name))
        marks[rule.second_id].append((rule.kind, rule.first.person.name))
    return dict(marks)
