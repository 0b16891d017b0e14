"""Running the engine on a programme's cohort and storing the draft it proposes.

``match_run_execute`` is the only place that touches both the ORM and the engine.
"""

from __future__ import annotations

import math
import re
import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

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
from alongside.programmes.models import Format, Programme, Stage
from alongside.relationships.models import Relationship

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


def check_can_match(programme: Programme) -> None:
    if programme.format == Format.FLASH_ROUNDS:
        raise AlongsideError(
            _(
                "Flash rounds pair people round by round on the rounds page; "
                "they have no whole-programme matching."
            ),
            code="flash_rounds",
        )
    if programme.stage not in (Stage.MATCHING, Stage.RUNNING):
        raise AlongsideError(
            _("Move the programme to the matching stage before running matching (it is %(lower)s).")
            % {"lower": programme.get_stage_display().lower()},
            code="wrong_stage",
        )


@transaction.atomic
def match_run_request(*, programme: Programme, actor: User) -> MatchRun:
    """Start a run over everyone not yet placed; small cohorts run at once."""
    check_can_match(programme)
    cohort_size = len(unplaced_enrolments(programme))
    if cohort_size < 2:
        raise AlongsideError(
            _("There is no one left to match: everyone enrolled is placed."),
            code="nothing_to_match",
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
            raise AlongsideError(_("There are no mentees waiting for a mentor."))
        if not mentors:
            raise AlongsideError(_("No mentor has a free place; add mentors or raise capacities."))
        locked = _mentoring_locks(cohort, locks)
        locked_score = sum(
            float(scorer.block(np.array([mentee]), np.array([mentor]), mentoring=True)[0, 0])
            for mentee, mentor in locked.mentee_of.items()
        )
        free_mentees = [i for i in mentees if i not in locked.mentee_of]
        capacities = [
            cohort.free_capacity[cohort.enrolments[j].pk] - len(locked.mentees_of.get(j, ()))
            for j in mentors
        ]
        block = scorer.block(
            np.array(free_mentees, dtype=np.int64), np.array(mentors), mentoring=True
        )
        _progress(run, 55, f"Assigning {len(free_mentees)} mentees to {len(mentors)} mentors")
        mentoring = solve_mentoring(block, capacities, seed=0)
        groups = tuple(
            (mentors[j], *locked.mentees_of.get(mentors[j], ()), *(free_mentees[i] for i in group))
            for j, group in enumerate(mentoring.groups)
            if group or locked.mentees_of.get(mentors[j])
        )
        unmatched = tuple(
            type(u)(index=free_mentees[u.index], reason=u.reason) for u in mentoring.unmatched
        )
        result = MatchResult(
            groups,
            unmatched,
            mentoring.objective + locked_score,
            mentoring.upper_bound + locked_score,
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


@dataclass(frozen=True)
class _MentoringLocks:
    mentees_of: dict[int, tuple[int, ...]]  # mentor index -> locked mentee indices
    mentee_of: dict[int, int]


def _mentoring_locks(cohort: Cohort, locks: list[tuple[int, ...]]) -> _MentoringLocks:
    """Mentees a manager (or the mentees themselves, in a hybrid programme) kept with a
    mentor: placed first, within the mentor's free places."""
    mentees_of: dict[int, list[int]] = defaultdict(list)
    mentee_of: dict[int, int] = {}
    candidates = cohort.candidates
    for lock in locks:
        lock_mentors = [i for i in lock if candidates[i].role == "mentor"]
        if len(lock_mentors) != 1:
            raise AlongsideError(
                _("A kept-together rule in mentoring joins mentees with one mentor."),
                code="lock",
            )
        for mentee in lock:
            if mentee != lock_mentors[0]:
                mentees_of[lock_mentors[0]].append(mentee)
                mentee_of[mentee] = lock_mentors[0]
    for mentor, kept in mentees_of.items():
        free = cohort.free_capacity.get(cohort.enrolments[mentor].pk, 0)
        if len(kept) > free:
            raise AlongsideError(
                _(
                    "%(name)s is kept with %(kept)d mentees but has %(free)d free places; "
                    "remove a kept-together rule or raise the capacity."
                )
                % {"name": candidates[mentor].name, "kept": len(kept), "free": free},
                code="capacity",
            )
    return _MentoringLocks({m: tuple(sorted(k)) for m, k in mentees_of.items()}, mentee_of)


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


def group_scores(
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


def group_reasons(scorer: Scorer, members: Sequence[int], mentoring: bool) -> tuple[str, str]:
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
        score, per_member = group_scores(scorer, members, mentoring)
        admin, participant = group_reasons(scorer, members, mentoring)
        groups.append(
            MatchGroup(
                run=run,
                number=number,
                score=finite_score(score),
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
            score=finite_score(per_member[pos]),
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
    run.objective = finite_score(result.objective)
    run.upper_bound = finite_score(result.upper_bound)
    run.method = result.method[:200]
    run.status = MatchRun.Status.DRAFT
    run.progress = 100
    run.progress_message = "Ready to review"
    run.finished_at = timezone.now()
    run.save()
    run.summary = match_run_summary(run)
    run.save(update_fields=["summary"])


def finite_score(value: float) -> float:
    return float(value) if math.isfinite(value) else 0.0


def match_run_summary(run: MatchRun) -> dict[str, Any]:
    """Score spread: the worst-matched tenth, and means by department and by location."""
    members = list(MatchGroupMember.objects.filter(run=run).select_related("enrolment__person"))
    unmatched = list(MatchUnmatched.objects.filter(run=run).select_related("enrolment__person"))
    # People who chose each other (a hybrid programme's picks) are counted apart: the
    # spread below is about the people the engine placed.
    chosen_pairs = {
        frozenset(pair)
        for pair in PairingRule.objects.filter(
            programme_id=run.programme_id, kind=PairingRule.Kind.LOCK, chosen_by_participants=True
        ).values_list("first_id", "second_id")
    }
    by_group: dict[int, set[int]] = defaultdict(set)
    for m in members:
        by_group[m.group_id].add(m.enrolment_id)
    chosen = {
        m.pk
        for m in members
        if any(frozenset((m.enrolment_id, o)) in chosen_pairs for o in by_group[m.group_id])
    }
    members_chosen = len(chosen)
    members = [m for m in members if m.pk not in chosen]
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
        "chosen_by_participants": members_chosen,
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
