"""What past matches say about the scoring, honestly.

Each observation is one relationship: the value (0..1) each scoring criterion had for
its members, its match score, and an outcome (0..1) made of what happened to it. For
each criterion the analysis fits outcome = a + b * criterion by least squares
(``scipy.stats.linregress``) and reports b, the change in outcome from a criterion
fully absent (0) to fully present (1), with a confidence interval from Student's t.
The intervals are simultaneous: with k criteria each one is a 1 - alpha/k interval
(Bonferroni), so the chance that *any* interval misses its true value stays at alpha;
an effect is called only when its interval excludes zero. With fewer than
``MIN_OBSERVATIONS`` relationships, or a criterion that hardly varies, nothing is said.

These are associations in one programme, not proof of cause: people were matched on
these criteria, so a criterion's range is what the matching left it.

From the effects, :func:`suggest_weights` proposes the next programme's points: a
criterion that clearly helped gains, one that clearly hurt loses (by at most half),
everything else stays, and the total is kept. The hard rules that protect people
(reporting line, previous partners, forbids, level and time-zone limits) are not
weights and are never touched here.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
from scipy import stats

from .errors import MatchingError

MIN_OBSERVATIONS = 20
MIN_SPREAD = 0.05  # a criterion whose values have a smaller standard deviation is not read
CONFIDENCE = 0.95
#: How far one programme's evidence may move a weight: at most +50 % or -50 %.
MAX_CHANGE = 0.5
#: An outcome change this sure (the interval's near end) earns the full step.
FULL_STEP_EFFECT = 0.2
#: Points a criterion with no weight gets when it clearly helped.
NEW_WEIGHT = 5.0


class Verdict(StrEnum):
    HELPS = "helps"
    HURTS = "hurts"
    NO_CLEAR_EFFECT = "no_clear_effect"
    TOO_FEW = "too_few"
    NO_VARIATION = "no_variation"


@dataclass(frozen=True)
class Observation:
    criteria: Mapping[str, float]
    outcome: float


@dataclass(frozen=True)
class Effect:
    criterion: str
    n: int
    slope: float | None  # change in outcome (0..1) from criterion 0 to criterion 1
    low: float | None
    high: float | None
    verdict: Verdict

    @property
    def is_clear(self) -> bool:
        return self.verdict in (Verdict.HELPS, Verdict.HURTS)


def analyse(
    observations: Sequence[Observation],
    criteria: Sequence[str],
    *,
    confidence: float = CONFIDENCE,
    min_observations: int = MIN_OBSERVATIONS,
) -> list[Effect]:
    """One effect per criterion (in the order given), each with its own sample size."""
    if not 0 < confidence < 1:
        raise MatchingError(f"confidence must lie between 0 and 1, got {confidence}")
    for number, item in enumerate(observations, start=1):
        if not math.isfinite(item.outcome) or not 0 <= item.outcome <= 1:
            raise MatchingError(f"observation {number}: outcome must lie in 0..1")
    # Bonferroni: k simultaneous intervals at an overall confidence.
    level = 1 - (1 - confidence) / max(len(criteria), 1)
    return [_effect(observations, name, level, min_observations) for name in criteria]


def _effect(
    observations: Sequence[Observation], name: str, level: float, min_observations: int
) -> Effect:
    pairs = [
        (float(o.criteria[name]), o.outcome)
        for o in observations
        if name in o.criteria and math.isfinite(o.criteria[name])
    ]
    n = len(pairs)
    if n < min_observations:
        return Effect(name, n, None, None, None, Verdict.TOO_FEW)
    x = np.array([p[0] for p in pairs])
    y = np.array([p[1] for p in pairs])
    if float(np.std(x)) < MIN_SPREAD:
        return Effect(name, n, None, None, None, Verdict.NO_VARIATION)
    fit = stats.linregress(x, y)
    margin = float(stats.t.ppf(1 - (1 - level) / 2, n - 2)) * float(fit.stderr)
    slope = float(fit.slope)
    low, high = slope - margin, slope + margin
    if low > 0:
        verdict = Verdict.HELPS
    elif high < 0:
        verdict = Verdict.HURTS
    else:
        verdict = Verdict.NO_CLEAR_EFFECT
    return Effect(name, n, slope, low, high, verdict)


def suggest_weights(current: Mapping[str, float], effects: Sequence[Effect]) -> dict[str, float]:
    """The next programme's points per criterion: only clear effects move a weight."""
    by_name = {e.criterion: e for e in effects}
    raw: dict[str, float] = {}
    for name, weight in current.items():
        effect = by_name.get(name)
        if effect is None or not effect.is_clear or effect.slope is None:
            raw[name] = float(weight)
            continue
        # The lower end of the interval, not the estimate: move only as far as the data
        # are sure of (an outcome gain of 0.2 or more earns the full step).
        edge = effect.low if effect.verdict == Verdict.HELPS else effect.high
        sure = min(abs(edge or 0.0), FULL_STEP_EFFECT)
        step = MAX_CHANGE * sure / FULL_STEP_EFFECT
        if effect.verdict == Verdict.HELPS:
            raw[name] = float(weight) * (1 + step) if weight > 0 else NEW_WEIGHT * step / MAX_CHANGE
        else:
            raw[name] = float(weight) * (1 - step)
    total_before = sum(float(w) for w in current.values())
    total_after = sum(raw.values())
    if total_after <= 0:
        return {name: float(w) for name, w in current.items()}
    scale = total_before / total_after
    return {name: round(value * scale, 1) for name, value in raw.items()}
