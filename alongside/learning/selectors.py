"""What happened to a programme's relationships, next to how they were scored.

Each relationship becomes one observation for the Django-free analysis
(``alongside.matching.learning``): the value of every scoring criterion for its members
(recomputed with the engine's own Scorer from their profiles and intakes), its match
score as a share of the points, and an outcome in 0..1 — the mean of what is known of
meetings held, commitments kept, pulses, its health and its members' before/after
change.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.utils.translation import gettext_lazy as _

from alongside.health.models import HealthStatus, RelationshipHealth
from alongside.matches.cohort import build_cohort
from alongside.matching import Scorer, ScoreWeights
from alongside.matching.learning import Effect, Observation, Verdict, analyse, suggest_weights
from alongside.matching.scoring import PARTS
from alongside.programmes.models import Enrolment, Programme, Stage
from alongside.relationships.models import Relationship
from alongside.surveys.selectors import people_ratings

SCORE = "score"
CRITERIA: tuple[str, ...] = (*PARTS, SCORE)
LABELS: dict[str, Any] = {
    "complementarity": _("Goals and skills complement each other"),
    "shared_challenges": _("Shared challenges"),
    "function_difference": _("Different functions"),
    "function_sameness": _("Same function"),
    "level_difference": _("Different levels"),
    "level_sameness": _("Similar levels"),
    "same_location": _("Same location"),
    "timezone": _("Close time zones"),
    "language": _("A shared language"),
    "availability": _("Shared working hours"),
    SCORE: _("The match score as a whole (weakest to strongest match)"),
}
VERDICTS: dict[Verdict, Any] = {
    Verdict.HELPS: _("went with better outcomes"),
    Verdict.HURTS: _("went with worse outcomes"),
    Verdict.NO_CLEAR_EFFECT: _("no clear effect"),
    Verdict.TOO_FEW: _("too few relationships to say"),
    Verdict.NO_VARIATION: _("hardly varied, so nothing can be said"),
}
HEALTH_VALUE = {
    HealthStatus.ON_TRACK: 1.0,
    HealthStatus.AT_RISK: 0.5,
    HealthStatus.STRUGGLING: 0.25,
    HealthStatus.DORMANT: 0.0,
}
# Protections the learning never touches: they are rules, not weights.
PROTECTED_RULES = (
    "avoid_reporting_line",
    "avoid_previous_partners",
    "max_level_gap",
    "mentor_min_level_gap",
    "max_timezone_difference",
    "must_share_language",
)


def outcome_parts(health: RelationshipHealth | None, change: float | None) -> dict[str, float]:
    """Each known signal of how a relationship went, in 0..1."""
    parts: dict[str, float] = {}
    if health is not None:
        met = health.meetings_held + health.meetings_missed
        if met:
            parts["meetings"] = health.meetings_held / met
        if health.commitments_reviewed:
            kept = health.commitments_kept + 0.5 * health.commitments_partly
            parts["commitments"] = min(kept / health.commitments_reviewed, 1.0)
        counts = [getattr(health, f"pulse_{k}") for k in range(1, 6)]
        if sum(counts):
            mean = sum(k * c for k, c in zip(range(1, 6), counts, strict=True)) / sum(counts)
            parts["pulses"] = (mean - 1) / 4
        if health.status in HEALTH_VALUE:
            parts["health"] = HEALTH_VALUE[HealthStatus(health.status)]
    if change is not None:
        parts["change"] = min(max(0.5 + change / 4, 0.0), 1.0)
    return parts


def _changes(programme: Programme) -> dict[int, float]:
    """Each participant's mean before/after change across the capability areas."""
    out: dict[int, float] = {}
    for person in people_ratings(programme=programme):
        deltas = [person.end[a] - person.start[a] for a in person.start if a in person.end]
        if deltas:
            out[person.person] = statistics.fmean(deltas)
    return out


def observations(programme: Programme) -> list[Observation]:
    relationships = list(
        Relationship.objects.filter(programme=programme).prefetch_related("members").order_by("pk")
    )
    enrolment_ids = {m.enrolment_id for r in relationships for m in r.members.all()}
    enrolments = list(
        Enrolment.objects.filter(pk__in=enrolment_ids)
        .select_related("person", "intake")
        .order_by("pk")
    )
    if not enrolments:
        return []
    cohort = build_cohort(programme, enrolments)
    scorer = Scorer(cohort.candidates, cohort.rules)
    position = {e.pk: i for i, e in enumerate(cohort.enrolments)}
    health = {h.relationship_id: h for h in RelationshipHealth.objects.filter(programme=programme)}
    changes = _changes(programme)
    out = []
    for relationship in relationships:
        members = list(relationship.members.all())
        values = _criteria(scorer, members, position, programme.is_mentoring)
        if values is None:
            continue
        values[SCORE] = relationship.score
        member_changes = [changes[m.enrolment_id] for m in members if m.enrolment_id in changes]
        change = statistics.fmean(member_changes) if member_changes else None
        parts = outcome_parts(health.get(relationship.pk), change)
        if parts:
            out.append(Observation(values, statistics.fmean(parts.values())))
    return _score_on_programme_range(out)


def _score_on_programme_range(found: list[Observation]) -> list[Observation]:
    """The match score from this programme's weakest match (0) to its strongest (1), so
    its effect reads like the criteria's: from one end to the other."""
    scores = [o.criteria[SCORE] for o in found]
    low, high = (min(scores), max(scores)) if scores else (0.0, 0.0)
    span = high - low
    return [
        Observation(
            {**o.criteria, SCORE: (o.criteria[SCORE] - low) / span if span > 0 else 0.0},
            o.outcome,
        )
        for o in found
    ]


def _criteria(
    scorer: Scorer, members: Sequence[Any], position: dict[int, int], mentoring: bool
) -> dict[str, float] | None:
    if mentoring:
        mentors = [position[m.enrolment_id] for m in members if m.role == "mentor"]
        mentees = [position[m.enrolment_id] for m in members if m.role != "mentor"]
        if len(mentors) != 1 or not mentees:
            return None
        parts = scorer.parts(np.array(mentees), np.array(mentors), mentoring=True)[:, :, 0]
    else:
        idx = [position[m.enrolment_id] for m in members]
        if len(idx) < 2:
            return None
        block = scorer.parts(np.array(idx), np.array(idx))
        upper = np.triu_indices(len(idx), 1)
        parts = block[:, upper[0], upper[1]]
    return {name: float(parts[k].mean()) for k, name in enumerate(PARTS)}


@dataclass(frozen=True)
class CriterionRow:
    name: str
    label: Any
    effect: Effect
    verdict_text: Any
    weight: float | None
    suggested: float | None


@dataclass(frozen=True)
class LearningReport:
    programme: Programme
    relationships: int
    observations: int
    rows: list[CriterionRow]
    current: dict[str, float]
    suggested: dict[str, float]
    enough: bool

    @property
    def changes_anything(self) -> bool:
        return any(abs(self.current[k] - self.suggested[k]) >= 0.05 for k in self.current)


def learning_report(*, programme: Programme) -> LearningReport:
    found = observations(programme)
    effects = analyse(found, CRITERIA)
    rules = build_cohort(programme, []).rules
    weights: ScoreWeights = rules.score_weights
    current = {name: float(getattr(weights, name)) for name in PARTS}
    suggested = suggest_weights(current, [e for e in effects if e.criterion in PARTS])
    rows = [
        CriterionRow(
            name=e.criterion,
            label=LABELS[e.criterion],
            effect=e,
            verdict_text=VERDICTS[e.verdict],
            weight=current.get(e.criterion),
            suggested=suggested.get(e.criterion),
        )
        for e in effects
    ]
    return LearningReport(
        programme=programme,
        relationships=Relationship.objects.filter(programme=programme).count(),
        observations=len(found),
        rows=rows,
        current=current,
        suggested=suggested,
        enough=any(e.verdict not in (Verdict.TOO_FEW,) for e in effects),
    )


def targets_for(*, programmes: Any, source: Programme) -> list[Programme]:
    """Programmes that can still take new weights: not yet matched, not flash rounds."""
    return list(
        programmes.filter(stage__in=[Stage.DRAFT, Stage.ENROLLING, Stage.MATCHING])
        .exclude(pk=source.pk)
        .exclude(format="flash_rounds")
        .order_by("name")
    )
