"""The learning analysis on simulated programmes whose true effects are known."""

from __future__ import annotations

import numpy as np
import pytest

from alongside.matching import MatchingError
from alongside.matching.learning import (
    Observation,
    Verdict,
    analyse,
    suggest_weights,
)

CRITERIA = ("complementarity", "shared_challenges", "timezone")
WEIGHTS = {"complementarity": 30.0, "shared_challenges": 20.0, "timezone": 10.0}


def simulated(n: int, effect: float, seed: int) -> list[Observation]:
    """Outcome = 0.3 + effect x complementarity + noise; the other criteria do nothing."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        values = {name: float(rng.uniform()) for name in CRITERIA}
        noise = float(rng.normal(0, 0.1))
        outcome = min(max(0.3 + effect * values["complementarity"] + noise, 0.0), 1.0)
        out.append(Observation(values, outcome))
    return out


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_planted_effect_is_found_with_an_interval_around_it(seed):
    effects = {e.criterion: e for e in analyse(simulated(150, 0.4, seed), CRITERIA)}
    found = effects["complementarity"]
    assert found.verdict == Verdict.HELPS
    assert found.low < 0.4 < found.high
    assert found.n == 150
    for name in ("shared_challenges", "timezone"):
        assert effects[name].verdict == Verdict.NO_CLEAR_EFFECT
        assert effects[name].low < 0 < effects[name].high


def test_too_few_relationships_say_nothing():
    effects = analyse(simulated(12, 0.4, 4), CRITERIA)
    assert {e.verdict for e in effects} == {Verdict.TOO_FEW}
    assert all(e.slope is None and e.low is None and e.n == 12 for e in effects)


def test_null_programmes_claim_an_effect_at_most_as_often_as_promised():
    # Simultaneous 95 % intervals: a programme where nothing matters should see any
    # criterion called in at most 5 % of cases. Out of 200 simulated null programmes,
    # more than 20 such claims would be a 1-in-1000 event if the promise held.
    claims = sum(
        any(e.is_clear for e in analyse(simulated(60, 0.0, 100 + seed), CRITERIA))
        for seed in range(200)
    )
    assert claims <= 20


def test_a_small_effect_on_few_relationships_is_not_called():
    effects = {e.criterion: e for e in analyse(simulated(25, 0.05, 7), CRITERIA)}
    assert effects["complementarity"].verdict == Verdict.NO_CLEAR_EFFECT


def test_a_criterion_that_never_varies_is_not_read():
    same = [Observation({"timezone": 1.0}, 0.5 + 0.01 * i) for i in range(30)]
    (effect,) = analyse(same, ["timezone"])
    assert effect.verdict == Verdict.NO_VARIATION


def test_suggested_weights_move_only_clear_effects_and_keep_the_total():
    effects = analyse(simulated(150, 0.4, 1), CRITERIA)
    new = suggest_weights(WEIGHTS, effects)
    assert new["complementarity"] > WEIGHTS["complementarity"]
    assert sum(new.values()) == pytest.approx(sum(WEIGHTS.values()), abs=0.2)
    # The others kept their share of the points relative to each other.
    assert new["shared_challenges"] / new["timezone"] == pytest.approx(2.0, rel=0.02)
    assert suggest_weights(WEIGHTS, analyse(simulated(12, 0.4, 1), CRITERIA)) == WEIGHTS


def test_a_criterion_that_clearly_hurt_loses_at_most_half():
    rng = np.random.default_rng(5)
    hurt = []
    for _ in range(200):
        values = {name: float(rng.uniform()) for name in CRITERIA}
        hurt.append(Observation(values, min(max(0.8 - 0.6 * values["timezone"], 0.0), 1.0)))
    new = suggest_weights(WEIGHTS, analyse(hurt, CRITERIA))
    lowered = new["timezone"] / sum(new.values()) * sum(WEIGHTS.values())
    assert WEIGHTS["timezone"] * 0.5 - 0.5 <= lowered < WEIGHTS["timezone"]


def test_bad_outcomes_are_refused_with_the_observation_number():
    with pytest.raises(MatchingError, match=r"observation 2: outcome must lie in 0\.\.1"):
        analyse(
            [Observation({"timezone": 0.5}, 0.5), Observation({"timezone": 0.5}, 1.5)], ["timezone"]
        )
