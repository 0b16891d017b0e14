"""The matching workflow: run the engine, review and adjust a draft, publish it.

``match_run_execute`` is the only place that touches both the ORM and the engine.
"""

from __future__ import annotations

import math
import re
import statistics
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import numpy as np
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, OperationalError, transaction
from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from alongside.accounts.models import User
from alongside.audit.services import log_action
from alongside.core.errors import AlongsideError
from alongside.matches.cohort import Cohort, build_cohort, unplaced_enrolments
from alongside.matches.models import (
    MatchGroup,
    MatchGroupMember,
    MatchRun,
    MatchUnmatched,
    PairingRule,
)
from alongside.matching import (
    MatchingError,
    MatchResult,
    Scorer,
    explain_pair,
    solve_circles,
    solve_mentoring,
    solve_pairs,
)
from alongside.matching.results import Unmatched
from alongside.meetings.schedule_services import schedule_member_joined, schedules_propose
from alongside.programmes.models import Enrolment, EnrolmentStatus, Format, Programme, Stage
from alongside.relationships.models import Relationship, RelationshipMember

# Cohorts up to this size are matched during the request; larger ones in the background.
INLINE_RUN_MAX_PEOPLE = 400
DENSE_MAX_PEOPLE = 3000
# Circles above 60 people keep improving for this effort (effort seconds: about CPU
# seconds, counted in steps, so the same cohort gives the same draft however busy the
# server is), stopping early only if the wall-clock cap is reached first.
CIRCLE_EFFORT = 5.0
CIRCLE_TIME_CAP_SECONDS = 30.0

KIND_FOR_FORMAT = {
    Format.PEER_PAIRS: Relationship.Kind.PAIR,
    Format.PEER_CIRCLES: Relationship.Kind.CIRCLE,
    Format.ONE_TO_ONE: Relationship.Kind.MENTORING,
    Format.GROUP_MENTORING: Relationship.Kind.GROUP,
    Format.BUDDIES: Relationship.Kind.BUDDY,
}


def _check_can_match(programme: Programme) -> None:
    if programme.stage not in (Stage.MATCHING, Stage.RUNNING):
        raise AlongsideError(
            "Move the programme to the matching stage before running matching "
            f"(it is {programme.get_stage_display().lower()}).",
            code="wrong_stage",
        )


@transaction.atomic
def match_run_request(*, programme: Programme, actor: User) -> MatchRun:
    """Start a run over everyone not yet placed; small cohorts run at once."""
    _check_can_match(programme)
    cohort_size = len(unplaced_enrolments(programme))
    if cohort_size < 2:
        raise AlongsideError(
            "There is no one left to match: everyone enrolled is placed.", code="nothing_to_match"
        )
    late = Relationship.objects.filter(programme=programme).exists()
    run = MatchRun.objects.create(
        programme=programme,
        created_by=actor,
        late_joiners_only=late,
        rules=dict(programme.matching_rules),
        progress_message="Waiting for a worker",
    )
    log_action(
        actor=actor,
        organisation=programme.organisation,
        action="match_run.requested",
        target=run,
        data={"people": cohort_size},
    )
    if cohort_size <= INLINE_RUN_MAX_PEOPLE:
        transaction.on_commit(lambda: match_run_execute(run_id=run.pk))
    else:
        from alongside.matches.tasks import execute_match_run

        transaction.on_commit(lambda: execute_match_run.enqueue(run_id=run.pk))
    return run


def _progress(run: MatchRun, percent: int, message: str) -> None:
    MatchRun.objects.filter(pk=run.pk).update(progress=percent, progress_message=message)


def match_run_execute(*, run_id: int) -> MatchRun | None:
    """Claim a queued run, score and solve its cohort, and store the draft. Idempotent."""
    claimed = MatchRun.objects.filter(pk=run_id, status=MatchRun.Status.QUEUED).update(
        status=MatchRun.Status.RUNNING,
        started_at=timezone.now(),
        progress=5,
        progress_message="Reading the cohort",
    )
    if not claimed:
        return None
    run = MatchRun.objects.select_related("programme__organisation").get(pk=run_id)
    try:
        programme = run.programme
        cohort = build_cohort(programme, unplaced_enrolments(programme))
        _progress(run, 25, f"Scoring {len(cohort.candidates)} people")
        result, scorer = _solve(programme, cohort, run)
        _progress(run, 85, "Writing the draft")
        with transaction.atomic():
            _store_result(run, programme, cohort, scorer, result)
    except (MatchingError, AlongsideError) as error:
        MatchRun.objects.filter(pk=run_id).update(
            status=MatchRun.Status.FAILED,
            error=str(error),
            finished_at=timezone.now(),
            progress=100,
            progress_message="Failed",
        )
    run.refresh_from_db()
    return run


def _solve(programme: Programme, cohort: Cohort, run: MatchRun) -> tuple[MatchResult, Scorer]:
    rules = programme.matching_rules
    scorer = Scorer(cohort.candidates, cohort.rules)
    locks = scorer.locks()
    n = len(cohort.candidates)
    if programme.is_mentoring:
        mentees = [i for i, c in enumerate(cohort.candidates) if c.role == "mentee"]
        mentors = [
            i
            for i, c in enumerate(cohort.candidates)
            if c.role == "mentor" and cohort.free_capacity.get(cohort.enrolments[i].pk, 0) > 0
        ]
        if not mentees:
            raise AlongsideError("There are no mentees waiting for a mentor.")
        if not mentors:
            raise AlongsideError("No mentor has a free place; add mentors or raise capacities.")
        block = scorer.block(np.array(mentees), np.array(mentors), mentoring=True)
        capacities = [cohort.free_capacity[cohort.enrolments[j].pk] for j in mentors]
        _progress(run, 55, f"Assigning {len(mentees)} mentees to {len(mentors)} mentors")
        mentoring = solve_mentoring(block, capacities, seed=0)
        groups = tuple(
            (mentors[j], *(mentees[i] for i in group))
            for j, group in enumerate(mentoring.groups)
            if group
        )
        unmatched = tuple(
            type(u)(index=mentees[u.index], reason=u.reason) for u in mentoring.unmatched
        )
        result = MatchResult(
            groups,
            unmatched,
            mentoring.objective,
            mentoring.upper_bound,
            mentoring.optimal,
            mentoring.method,
        )
        return result, scorer
    if programme.format == Format.PEER_CIRCLES:
        _progress(run, 55, f"Forming circles from {n} people")
        return _solve_circles(cohort, scorer, locks, rules), scorer
    _progress(run, 55, f"Pairing {n} people")
    weights: Any = scorer.matrix() if n <= DENSE_MAX_PEOPLE else scorer.graph(24)
    pair_locks = [lock for lock in locks if len(lock) == 2]
    return solve_pairs(weights, seed=0, locked=[(a, b) for a, b in pair_locks]), scorer


_PERSON_IN_MESSAGE = re.compile(r"person (\d+)")
MAX_CIRCLE_RETRIES = 10


def _solve_circles(
    cohort: Cohort, scorer: Scorer, locks: list[tuple[int, ...]], rules: dict[str, Any]
) -> MatchResult:
    """Circles for everyone who can be placed; the rest are reported, never a failed run.

    Someone whom the hard rules allow with fewer people than a circle needs (the CEO is in
    everyone's reporting line) is left out with the reason, and so is anyone the engine
    names as impossible to place; the others are still matched.
    """
    weights = scorer.matrix()
    n = len(cohort.candidates)
    min_size, max_size = int(rules.get("min_size", 4)), int(rules.get("max_size", 8))
    allowed = np.isfinite(weights)
    np.fill_diagonal(allowed, False)
    keep = np.ones(n, dtype=bool)
    unmatched: dict[int, str] = {}
    while True:
        counts = allowed[np.ix_(keep, keep)].sum(axis=1)
        kept = np.flatnonzero(keep)
        short = kept[counts < min_size - 1]
        if not len(short):
            break
        for i in short:
            keep[i] = False
            others = int(counts[np.searchsorted(kept, i)])
            unmatched[int(i)] = (
                f"the matching rules (reporting line, level gap, time zones, forbids) allow "
                f"only {others} of the others in a circle with them; a circle needs "
                f"{min_size - 1}"
            )
    locked_people = {i for lock in locks for i in lock}
    functions = [c.function for c in cohort.candidates]
    max_per = rules.get("max_per_function")
    for _attempt in range(MAX_CIRCLE_RETRIES):
        kept = np.flatnonzero(keep)
        if len(kept) < min_size:
            for i in kept:
                unmatched[int(i)] = (
                    f"only {len(kept)} people could be placed; a circle needs at least {min_size}"
                )
            return MatchResult((), _as_unmatched(unmatched), 0.0, 0.0, True, "circles")
        position = {int(i): p for p, i in enumerate(kept)}
        sub_locks = [
            tuple(position[i] for i in lock) for lock in locks if all(i in position for i in lock)
        ]
        try:
            result = solve_circles(
                weights[np.ix_(kept, kept)],
                min_size=min_size,
                max_size=max_size,
                target_size=rules.get("target_size"),
                seed=0,
                effort=CIRCLE_EFFORT if len(kept) > 60 else None,
                time_limit=CIRCLE_TIME_CAP_SECONDS if len(kept) > 60 else None,
                groups_attr=[functions[i] for i in kept] if max_per else None,
                max_per_value=int(max_per) if max_per else None,
                locks=sub_locks,
            )
        except MatchingError as error:
            match = _PERSON_IN_MESSAGE.search(str(error))
            if match is None:
                raise
            person = int(kept[int(match.group(1))])
            if person in locked_people:
                name = cohort.candidates[person].name
                raise MatchingError(
                    _PERSON_IN_MESSAGE.sub(name, str(error), count=1)
                    + " (they are locked with others: remove the lock and re-run)"
                ) from error
            keep[person] = False
            unmatched[person] = _PERSON_IN_MESSAGE.sub("this person", str(error), count=1)
            continue
        groups = tuple(tuple(int(kept[i]) for i in group) for group in result.groups)
        for item in result.unmatched:
            unmatched[int(kept[item.index])] = item.reason
        return MatchResult(
            groups,
            _as_unmatched(unmatched),
            result.objective,
            result.upper_bound,
            result.optimal,
            result.method,
        )
    raise MatchingError(
        f"circles could not be formed after leaving out {len(unmatched)} people; "
        "loosen the matching rules (level gap, time zones, per-function limit) and re-run"
    )


def _as_unmatched(reasons: dict[int, str]) -> tuple[Unmatched, ...]:
    return tuple(Unmatched(index=i, reason=r) for i, r in sorted(reasons.items()))


def _group_scores(
    scorer: Scorer, members: Sequence[int], mentoring: bool
) -> tuple[float, list[float]]:
    """A group's score (mean pair score) and each member's mean score to the others."""
    if len(members) < 2:
        return 0.0, [0.0] * len(members)
    if mentoring:
        mentor, mentees = members[0], list(members[1:])
        block = scorer.block(np.array(mentees), np.array([mentor]), mentoring=True)[:, 0]
        values = [float(v) for v in block]
        finite = [v for v in values if math.isfinite(v)]
        mean = statistics.fmean(finite) if finite else float("-inf")
        return mean, [mean, *values]
    idx = np.array(members)
    block = scorer.block(idx, idx)
    np.fill_diagonal(block, np.nan)
    per_member = [float(np.nanmean(row)) for row in block]
    upper = block[np.triu_indices(len(members), 1)]
    return float(np.mean(upper)), per_member


def _group_reasons(scorer: Scorer, members: Sequence[int], mentoring: bool) -> tuple[str, str]:
    """Plain-words reasons: for a pair its explanation, for a circle its strongest links."""
    pairs: list[tuple[float, int, int]] = []
    if mentoring:
        pairs = [(0.0, m, members[0]) for m in members[1:]]
    else:
        for a_pos, a in enumerate(members):
            for b in members[a_pos + 1 :]:
                pairs.append((0.0, a, b))
    admin_lines, participant_lines = [], []
    explained = []
    for _score, a, b in pairs:
        explanation = explain_pair(scorer, a, b, mentoring=mentoring)
        explained.append((explanation.score, a, b, explanation))
    explained.sort(key=lambda item: -item[0] if math.isfinite(item[0]) else math.inf)
    limit = 1 if len(members) == 2 else (len(members) - 1 if mentoring else 3)
    for _score, a, b, explanation in explained[:limit]:
        names = f"{scorer.candidates[a].name} & {scorer.candidates[b].name}"
        admin = explanation.text("admin")
        participant = explanation.text("participant")
        prefix = "" if len(members) == 2 else f"{names}: "
        if admin:
            admin_lines.append(prefix + admin)
        if participant:
            participant_lines.append(prefix + participant)
    return "\n".join(admin_lines), "\n".join(participant_lines)


def _store_result(
    run: MatchRun, programme: Programme, cohort: Cohort, scorer: Scorer, result: MatchResult
) -> None:
    mentoring = programme.is_mentoring
    placed: set[int] = set()
    groups: list[MatchGroup] = []
    member_scores: list[list[float]] = []
    for number, group_members in enumerate(result.groups, start=1):
        members = list(group_members)
        score, per_member = _group_scores(scorer, members, mentoring)
        admin, participant = _group_reasons(scorer, members, mentoring)
        groups.append(
            MatchGroup(
                run=run,
                number=number,
                score=_finite(score),
                reasons_admin=admin,
                reasons_participant=participant,
            )
        )
        member_scores.append(per_member)
        placed.update(members)
    # In bulk (a few queries, not two per group); the groups get their ids back.
    MatchGroup.objects.bulk_create(groups)
    MatchGroupMember.objects.bulk_create(
        MatchGroupMember(
            run=run,
            group=group,
            enrolment=cohort.enrolments[i],
            role=cohort.enrolments[i].role,
            score=_finite(per_member[pos]),
        )
        for group, group_members, per_member in zip(
            groups, result.groups, member_scores, strict=True
        )
        for pos, i in enumerate(group_members)
    )
    reasons = {u.index: u.reason for u in result.unmatched}
    MatchUnmatched.objects.bulk_create(
        MatchUnmatched(
            run=run,
            enrolment=cohort.enrolments[i],
            reason=reasons.get(i, "not placed in any group")[:500],
        )
        for i in range(len(cohort.enrolments))
        if i not in placed and (cohort.enrolments[i].role != "mentor" or i in reasons)
    )
    run.objective = _finite(result.objective)
    run.upper_bound = _finite(result.upper_bound)
    run.method = result.method[:200]
    run.status = MatchRun.Status.DRAFT
    run.progress = 100
    run.progress_message = "Ready to review"
    run.finished_at = timezone.now()
    run.save()
    run.summary = match_run_summary(run)
    run.save(update_fields=["summary"])


def _finite(value: float) -> float:
    return float(value) if math.isfinite(value) else 0.0


def match_run_summary(run: MatchRun) -> dict[str, Any]:
    """Score spread: the worst-matched tenth, and means by department and by location."""
    members = list(MatchGroupMember.objects.filter(run=run).select_related("enrolment__person"))
    unmatched = list(MatchUnmatched.objects.filter(run=run).select_related("enrolment__person"))
    people: list[tuple[float | None, Any]] = [(m.score, m.enrolment.person) for m in members]
    people += [(None, u.enrolment.person) for u in unmatched]
    total = len(people)
    ranked = sorted(people, key=lambda item: (item[0] is not None, item[0] or 0.0))
    worst_count = max(1, math.ceil(total / 10)) if total else 0
    worst = ranked[:worst_count]
    summary: dict[str, Any] = {
        "people": total,
        "matched": len(members),
        "unmatched": len(unmatched),
        "groups": MatchGroup.objects.filter(run=run).count(),
        "mean_score": round(statistics.fmean([m.score for m in members]), 2) if members else None,
        "worst_tenth": [
            {
                "name": p.name,
                "department": p.department,
                "location": p.location,
                "score": None if s is None else round(s, 2),
            }
            for s, p in worst
        ],
    }
    for attribute in ("department", "location"):
        groups: dict[str, list[float | None]] = defaultdict(list)
        in_worst: dict[str, int] = defaultdict(int)
        for score, person in people:
            groups[getattr(person, attribute) or "—"].append(score)
        for _score, person in worst:
            in_worst[getattr(person, attribute) or "—"] += 1
        rows = []
        for value, scores in sorted(groups.items()):
            matched = [s for s in scores if s is not None]
            rows.append(
                {
                    "value": value,
                    "people": len(scores),
                    "unmatched": len(scores) - len(matched),
                    "mean_score": round(statistics.fmean(matched), 2) if matched else None,
                    "in_worst_tenth": in_worst.get(value, 0),
                    "expected_in_worst_tenth": round(worst_count * len(scores) / total, 1),
                }
            )
        summary[f"by_{attribute}"] = rows
    return summary


# --- Manual adjustments to a draft -------------------------------------------------------


def _draft(run: MatchRun) -> MatchRun:
    locked = MatchRun.objects.select_for_update().select_related("programme").get(pk=run.pk)
    if locked.status != MatchRun.Status.DRAFT:
        raise AlongsideError(
            f"This run is {locked.get_status_display().lower()}; only a draft can be changed.",
            code="not_draft",
        )
    return locked


def _rescore(run: MatchRun, groups: Sequence[MatchGroup]) -> None:
    """Recompute scores and reasons of changed groups (and the run's totals)."""
    programme = run.programme
    mentoring = programme.is_mentoring
    for group in groups:
        members = list(
            group.members.select_related("enrolment__person", "enrolment__intake").order_by("pk")
        )
        if mentoring:
            members.sort(key=lambda m: m.role != "mentor")
        cohort = build_cohort(programme, [m.enrolment for m in members])
        scorer = Scorer(cohort.candidates, cohort.rules)
        order = list(range(len(members)))
        score, per_member = _group_scores(scorer, order, mentoring)
        group.score = _finite(score)
        group.reasons_admin, group.reasons_participant = _group_reasons(scorer, order, mentoring)
        group.save(update_fields=["score", "reasons_admin", "reasons_participant"])
        for member, value in zip(members, per_member, strict=True):
            member.score = _finite(value)
        MatchGroupMember.objects.bulk_update(members, ["score"])
    run.summary = match_run_summary(run)
    run.save(update_fields=["summary"])


def _check_group_allowed(run: MatchRun, group: MatchGroup, enrolments: list[Enrolment]) -> None:
    programme = run.programme
    rules = programme.matching_rules
    size = len(enrolments)
    if programme.format == Format.PEER_CIRCLES:
        low, high = int(rules.get("min_size", 4)), int(rules.get("max_size", 8))
        if not low <= size <= high:
            raise AlongsideError(
                f"Circle {group.number} would have {size} people; circles hold {low}–{high}.",
                code="size",
            )
    elif not programme.is_mentoring and size != 2:
        raise AlongsideError(f"Pair {group.number} would have {size} people.", code="size")
    if programme.is_mentoring:
        mentors = [e for e in enrolments if e.role == "mentor"]
        if len(mentors) != 1:
            raise AlongsideError(
                f"Group {group.number} must have exactly one mentor.", code="mentor"
            )
        if size - 1 > mentors[0].capacity:
            raise AlongsideError(
                f"{mentors[0].person.name} can take {mentors[0].capacity} mentee(s).",
                code="capacity",
            )
    cohort = build_cohort(programme, enrolments)
    scorer = Scorer(cohort.candidates, cohort.rules)
    mentoring = programme.is_mentoring
    for a in range(size):
        for b in range(a + 1, size):
            if mentoring and "mentor" not in (enrolments[a].role, enrolments[b].role):
                continue
            i, j = (a, b) if enrolments[b].role == "mentor" else (b, a)
            explanation = explain_pair(scorer, i, j, mentoring=mentoring)
            if explanation.forbidden_by:
                raise AlongsideError(
                    f"{enrolments[a].person.name} and {enrolments[b].person.name} cannot be "
                    f"together: {'; '.join(explanation.forbidden_by)}.",
                    code="forbidden",
                )


@transaction.atomic
def match_member_move(
    *, run: MatchRun, enrolment: Enrolment, to_group: MatchGroup | None, actor: User
) -> MatchRun:
    """Move someone to another group (None: out of every group, unmatched)."""
    run = _draft(run)
    member = MatchGroupMember.objects.filter(run=run, enrolment=enrolment).first()
    if to_group is not None and to_group.run_id != run.pk:
        raise AlongsideError("That group belongs to another run.")
    changed: list[MatchGroup] = []
    if member is not None:
        source = member.group
        if to_group is not None and source.pk == to_group.pk:
            return run
        member.delete()
        remaining = [m.enrolment for m in source.members.select_related("enrolment__person")]
        if remaining:
            changed.append(source)
        else:
            source.delete()
    else:
        MatchUnmatched.objects.filter(run=run, enrolment=enrolment).delete()
    if to_group is not None:
        members = [m.enrolment for m in to_group.members.select_related("enrolment__person")]
        _check_group_allowed(run, to_group, [*members, enrolment])
        MatchGroupMember.objects.create(
            run=run, group=to_group, enrolment=enrolment, role=enrolment.role
        )
        changed.append(to_group)
    else:
        MatchUnmatched.objects.create(
            run=run, enrolment=enrolment, reason="taken out of the draft by a manager"
        )
    for group in changed:
        if group.pk != getattr(to_group, "pk", None):
            sizes_ok_group = [
                m.enrolment for m in group.members.select_related("enrolment__person")
            ]
            if run.programme.format == Format.PEER_CIRCLES:
                _check_group_allowed(run, group, sizes_ok_group)
    _rescore(run, changed)
    log_action(
        actor=actor,
        organisation=run.programme.organisation,
        action="match_run.moved",
        target=run,
        data={"enrolment": enrolment.pk, "to_group": to_group.number if to_group else None},
    )
    return run


@transaction.atomic
def match_members_swap(
    *, run: MatchRun, first: Enrolment, second: Enrolment, actor: User
) -> MatchRun:
    """Swap two people between their groups."""
    run = _draft(run)
    a = MatchGroupMember.objects.filter(run=run, enrolment=first).select_related("group").first()
    b = MatchGroupMember.objects.filter(run=run, enrolment=second).select_related("group").first()
    if a is None or b is None:
        raise AlongsideError("Both people must be in a group of this draft to swap them.")
    if a.group_id == b.group_id:
        raise AlongsideError("They are already in the same group.")
    if run.programme.is_mentoring and a.role != b.role:
        raise AlongsideError("Swap a mentor with a mentor, or a mentee with a mentee.")
    group_a, group_b = a.group, b.group
    a.group, b.group = group_b, group_a
    for group, leaving, joining in ((group_a, first, second), (group_b, second, first)):
        others = [
            m.enrolment
            for m in group.members.select_related("enrolment__person")
            if m.enrolment_id != leaving.pk
        ]
        _check_group_allowed(run, group, [*others, joining])
    a.save(update_fields=["group"])
    b.save(update_fields=["group"])
    _rescore(run, [group_a, group_b])
    log_action(
        actor=actor,
        organisation=run.programme.organisation,
        action="match_run.swapped",
        target=run,
        data={"enrolments": [first.pk, second.pk]},
    )
    return run


@transaction.atomic
def pairing_rule_set(
    *,
    programme: Programme,
    first: Enrolment,
    second: Enrolment,
    kind: str,
    actor: User,
    note: str = "",
) -> PairingRule:
    """Lock two people together or forbid them; kept for every re-run."""
    if kind not in PairingRule.Kind.values:
        raise AlongsideError("kind must be lock or forbid.")
    if first.pk == second.pk:
        raise AlongsideError("Choose two different people.")
    for enrolment in (first, second):
        if enrolment.programme_id != programme.pk:
            raise AlongsideError("Both people must be enrolled in this programme.")
    low, high = sorted((first, second), key=lambda e: e.pk)
    if kind == PairingRule.Kind.LOCK:
        _check_lock_allowed(programme, low, high)
    rule, _created = PairingRule.objects.update_or_create(
        programme=programme,
        first=low,
        second=high,
        defaults={"kind": kind, "note": note[:300], "created_by": actor},
    )
    log_action(
        actor=actor,
        organisation=programme.organisation,
        action=f"pairing.{kind}",
        target=programme,
        data={"enrolments": [low.pk, high.pk]},
    )
    return rule


def _check_lock_allowed(programme: Programme, first: Enrolment, second: Enrolment) -> None:
    """A lock cannot override a hard rule; say which one stands in the way."""
    PairingRule.objects.filter(programme=programme, first=first, second=second).delete()
    cohort = build_cohort(programme, [first, second])
    scorer = Scorer(cohort.candidates, cohort.rules)
    mentoring = programme.is_mentoring
    if mentoring and "mentor" not in (first.role, second.role):
        raise AlongsideError("In mentoring, a lock joins a mentee with a mentor.")
    i, j = (0, 1) if second.role == "mentor" or not mentoring else (1, 0)
    explanation = explain_pair(scorer, i, j, mentoring=mentoring)
    if explanation.forbidden_by:
        raise AlongsideError(
            f"{first.person.name} and {second.person.name} cannot be kept together: "
            f"{'; '.join(explanation.forbidden_by)}.",
            code="forbidden",
        )


@transaction.atomic
def pairing_rule_remove(*, rule: PairingRule, actor: User) -> None:
    log_action(
        actor=actor,
        organisation=rule.programme.organisation,
        action=f"pairing.{rule.kind}_removed",
        target=rule.programme,
        data={"enrolments": [rule.first_id, rule.second_id]},
    )
    rule.delete()


@transaction.atomic
def match_group_lock(*, run: MatchRun, group: MatchGroup, actor: User) -> list[PairingRule]:
    """Keep a whole group together in every re-run (locks each member with the first)."""
    members = [m.enrolment for m in group.members.select_related("enrolment").order_by("pk")]
    return [
        pairing_rule_set(
            programme=run.programme,
            first=members[0],
            second=other,
            kind=PairingRule.Kind.LOCK,
            actor=actor,
        )
        for other in members[1:]
    ]


@transaction.atomic
def match_run_discard(*, run: MatchRun, actor: User) -> MatchRun:
    run = _draft(run)
    run.status = MatchRun.Status.DISCARDED
    run.save(update_fields=["status"])
    log_action(
        actor=actor,
        organisation=run.programme.organisation,
        action="match_run.discarded",
        target=run,
    )
    return run


def match_run_publish(
    *, run: MatchRun, actor: User, keep_matching: bool = False
) -> list[Relationship]:
    """Create the relationships of a draft, all or nothing, and tell the participants."""
    try:
        return _publish(run=run, actor=actor, keep_matching=keep_matching)
    except OperationalError as error:
        # SQLite reports a competing write it could not wait out as "locked"; the whole
        # publish was rolled back, so say so instead of failing with a server error.
        if "locked" not in str(error):
            raise
        raise AlongsideError(
            "Another change to this programme was being saved at the same moment; "
            "nothing was published. Reload the draft and try again.",
            code="busy",
            status=409,
        ) from error


@transaction.atomic
def _publish(*, run: MatchRun, actor: User, keep_matching: bool) -> list[Relationship]:
    # Lock the programme before the run: concurrent publishes queue here, and the one that
    # goes second sees its draft discarded by the first rather than deadlocking on it.
    programme = Programme.objects.select_for_update().get(pk=run.programme_id)
    run = _draft(run)
    _check_can_match(programme)
    kind = KIND_FOR_FORMAT[Format(programme.format)]
    label = {
        "circle": "Circle",
        "group": "Group",
        "mentoring": "Mentoring",
        "buddy": "Buddies",
        "pair": "Pair",
    }[kind]
    start_number = Relationship.objects.filter(programme=programme).count()
    # select_related, not a chained prefetch: on SQLite Django prefetches the enrolments
    # of 2,000 members as a 2,000-term OR that exceeds the expression depth limit.
    members_with_people = Prefetch(
        "members", queryset=MatchGroupMember.objects.select_related("enrolment__person")
    )
    groups = list(run.groups.prefetch_related(members_with_people).order_by("number"))
    if not groups:
        raise AlongsideError("This draft has no groups to publish.")
    created: list[Relationship] = []
    pending: list[tuple[Relationship, list[MatchGroupMember]]] = []
    mentor_load: dict[int, int] = defaultdict(int)
    for offset, group in enumerate(groups, start=1):
        members = list(group.members.all())
        for member in members:
            if member.enrolment.status != EnrolmentStatus.ACTIVE:
                raise AlongsideError(
                    f"{member.enrolment.person.name} has withdrawn since this "
                    "draft was made; re-run matching.",
                    code="stale",
                )
        if programme.is_mentoring:
            created.extend(_publish_mentoring(programme, run, group, members, kind, mentor_load))
            continue
        relationship = _new_relationship(
            programme,
            run,
            kind,
            f"{label} {start_number + offset}",
            group.score,
            group.reasons_admin,
            group.reasons_participant,
        )
        pending.append((relationship, members))
    if pending:
        created.extend(_create_relationships(pending))
    schedules_propose(relationships=created)
    run.status = MatchRun.Status.PUBLISHED
    run.published_at = timezone.now()
    run.save(update_fields=["status", "published_at"])
    MatchRun.objects.filter(programme=programme, status=MatchRun.Status.DRAFT).exclude(
        pk=run.pk
    ).update(status=MatchRun.Status.DISCARDED)
    Enrolment.objects.filter(
        programme=programme, late_joiner=True, memberships__is_active=True
    ).update(late_joiner=False)
    if programme.stage == Stage.MATCHING and not keep_matching:
        programme.stage = Stage.RUNNING
        programme.save(update_fields=["stage"])
    log_action(
        actor=actor,
        organisation=programme.organisation,
        action="match_run.published",
        target=run,
        data={"relationships": len(created)},
    )
    _notify(programme, created)
    return created


def _create_relationships(
    pending: Sequence[tuple[Relationship, Sequence[MatchGroupMember]]],
) -> list[Relationship]:
    """Save new relationships and their members in bulk (a few queries for thousands).

    If someone is already in an active relationship, nothing is written and the error
    names the relationship they were meant to join, as adding them one by one would.
    """
    relationships = Relationship.objects.bulk_create([r for r, _members in pending])
    try:
        with transaction.atomic():
            RelationshipMember.objects.bulk_create(
                RelationshipMember(
                    relationship=relationship,
                    enrolment=m.enrolment,
                    person=m.enrolment.person,
                    role=m.role,
                )
                for relationship, members in pending
                for m in members
            )
    except IntegrityError:
        for relationship, members in pending:
            _add_members(relationship, members)  # raises for the first one in conflict
        raise
    return relationships


def _add_members(relationship: Relationship, members: Sequence[MatchGroupMember]) -> None:
    try:
        with transaction.atomic():
            RelationshipMember.objects.bulk_create(
                RelationshipMember(
                    relationship=relationship,
                    enrolment=m.enrolment,
                    person=m.enrolment.person,
                    role=m.role,
                )
                for m in members
            )
    except IntegrityError as error:
        names = ", ".join(m.enrolment.person.name for m in members)
        raise AlongsideError(
            f"Someone in {relationship.name} ({names}) is already in an active relationship "
            "in this programme; nothing was published. Re-run matching.",
            code="already_matched",
        ) from error


def _publish_mentoring(
    programme: Programme,
    run: MatchRun,
    group: MatchGroup,
    members: list[MatchGroupMember],
    kind: str,
    mentor_load: dict[int, int],
) -> list[Relationship]:
    mentor = next(m for m in members if m.role == "mentor")
    mentees = [m for m in members if m.role != "mentor"]
    # Lock the mentor's enrolment so concurrent publishes cannot overfill their places.
    locked = Enrolment.objects.select_for_update().get(pk=mentor.enrolment_id)
    mentor_relationships = RelationshipMember.objects.filter(
        enrolment=locked, is_active=True, relationship__status=Relationship.Status.ACTIVE
    ).values("relationship")
    taken = (
        RelationshipMember.objects.filter(relationship__in=mentor_relationships, is_active=True)
        .exclude(role="mentor")
        .count()
    )
    if taken + mentor_load[locked.pk] + len(mentees) > locked.capacity:
        raise AlongsideError(
            f"{locked.person.name} has no free mentoring place left "
            f"(capacity {locked.capacity}); nothing was published.",
            code="capacity",
        )
    mentor_load[locked.pk] += len(mentees)
    number = Relationship.objects.filter(programme=programme).count()
    if kind == Relationship.Kind.GROUP:
        relationship = _new_relationship(
            programme,
            run,
            kind,
            f"{locked.person.name}'s group",
            group.score,
            group.reasons_admin,
            group.reasons_participant,
        )
        relationship.save()
        _add_members(relationship, members)
        return [relationship]
    pending: list[tuple[Relationship, list[MatchGroupMember]]] = []
    admin_lines = group.reasons_admin.split("\n")
    participant_lines = group.reasons_participant.split("\n")
    for position, mentee in enumerate(mentees):
        number += 1
        relationship = _new_relationship(
            programme,
            run,
            kind,
            f"{mentee.enrolment.person.name} with {locked.person.name}",
            mentee.score,
            _line_for(admin_lines, position, mentee),
            _line_for(participant_lines, position, mentee),
        )
        pending.append((relationship, [mentor, mentee]))
    return _create_relationships(pending)


def _new_relationship(
    programme: Programme,
    run: MatchRun,
    kind: str,
    name: str,
    score: float,
    reasons_admin: str,
    reasons_participant: str,
) -> Relationship:
    return Relationship(
        organisation=programme.organisation,
        programme=programme,
        match_run=run,
        kind=kind,
        name=name,
        score=score,
        reasons_admin=reasons_admin,
        reasons_participant=reasons_participant,
    )


def _line_for(lines: list[str], position: int, mentee: MatchGroupMember) -> str:
    name = mentee.enrolment.person.name
    for line in lines:
        if line.startswith(name + " & "):
            return line.split(": ", 1)[-1]
    return lines[position] if position < len(lines) else ""


def _notify(programme: Programme, relationships: Sequence[Relationship]) -> None:
    """Tell every member of a new relationship who they are with (after commit)."""
    home = settings.SITE_URL + reverse("relationships:mine", args=[programme.organisation.slug])
    messages = []
    # The members of all the relationships in a few queries, not one per relationship.
    members_of: dict[int, list[RelationshipMember]] = defaultdict(list)
    ids = [relationship.pk for relationship in relationships]
    for start in range(0, len(ids), 500):
        for member in RelationshipMember.objects.filter(
            relationship_id__in=ids[start : start + 500]
        ).select_related("person"):
            members_of[member.relationship_id].append(member)
    for relationship in relationships:
        members = members_of[relationship.pk]
        for member in members:
            others = [m.person for m in members if m.pk != member.pk]
            context = {
                "person": member.person,
                "others": others,
                "programme": programme,
                "relationship": relationship,
                "link": home,
            }
            message = EmailMultiAlternatives(
                subject=f"You've been matched in {programme.name}",
                body=render_to_string("relationships/email/matched.txt", context),
                to=[member.person.email],
            )
            message.attach_alternative(
                render_to_string("relationships/email/matched.html", context), "text/html"
            )
            messages.append(message)
    if messages:
        transaction.on_commit(lambda: [m.send(fail_silently=True) for m in messages])


@transaction.atomic
def relationship_add_late_joiner(
    *, relationship: Relationship, enrolment: Enrolment, actor: User
) -> RelationshipMember:
    """Put a late joiner into an existing circle/group without disturbing anyone else."""
    programme = relationship.programme
    if enrolment.programme_id != programme.pk or enrolment.status != EnrolmentStatus.ACTIVE:
        raise AlongsideError("Only an active participant of this programme can join.")
    if relationship.status != Relationship.Status.ACTIVE:
        raise AlongsideError(f"{relationship.name} is not active.")
    members = list(relationship.members.filter(is_active=True).select_related("enrolment__person"))
    size = len(members) + 1
    if relationship.kind == Relationship.Kind.CIRCLE:
        high = int(programme.rule("max_size", 8))
        if size > high:
            raise AlongsideError(f"{relationship.name} is full ({high} people).", code="size")
    elif relationship.kind == Relationship.Kind.GROUP:
        mentor = next(m.enrolment for m in members if m.role == "mentor")
        if size - 1 > mentor.capacity:
            raise AlongsideError(f"{mentor.person.name}'s group is full.", code="capacity")
    else:
        raise AlongsideError(
            "Late joiners can join circles and mentoring groups; pairs are "
            "matched among the late joiners instead.",
            code="format",
        )
    try:
        with transaction.atomic():
            member = RelationshipMember.objects.create(
                relationship=relationship,
                enrolment=enrolment,
                person=enrolment.person,
                role=enrolment.role,
            )
    except IntegrityError as error:
        raise AlongsideError(
            f"{enrolment.person.name} is already in an active relationship.", code="already_matched"
        ) from error
    Enrolment.objects.filter(pk=enrolment.pk).update(late_joiner=False)
    member.relationship = relationship
    schedule_member_joined(member=member)
    log_action(
        actor=actor,
        organisation=programme.organisation,
        action="relationship.joined",
        target=relationship,
        data={"enrolment": enrolment.pk},
    )
    _notify(programme, [relationship])
    return member
