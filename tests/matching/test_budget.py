"""Budgets: effort is counted in steps, so the clock and the machine's load cannot change
the circles; CPU and wall-clock limits stop the search in time."""

from __future__ import annotations

import itertools
import time

import numpy as np
import pytest

from alongside.matching import MatchingError, solve_circles
from alongside.matching import budget as budget_module
from alongside.matching.budget import Budget

from .helpers import symmetric


def _weights(n: int, seed: int = 4) -> np.ndarray:
    return symmetric(np.random.default_rng(seed).random((n, n)))


class _RacingClock:
    """A clock that jumps a minute at every reading: a machine so busy that every
    wall-clock or CPU deadline would have passed long ago."""

    def __init__(self) -> None:
        self.ticks = itertools.count()

    def __call__(self) -> float:
        return 60.0 * next(self.ticks)


def test_the_same_seed_and_effort_give_the_same_circles_however_busy_the_machine(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    w = _weights(120)
    quiet = solve_circles(w, min_size=4, max_size=8, seed=3, effort=0.3)
    clock = _RacingClock()
    monkeypatch.setattr(budget_module.time, "monotonic", clock)
    monkeypatch.setattr(budget_module.time, "process_time", clock)
    busy = solve_circles(w, min_size=4, max_size=8, seed=3, effort=0.3)
    assert busy.groups == quiet.groups
    assert busy.objective == quiet.objective


def test_a_larger_effort_searches_further_and_never_ends_worse() -> None:
    w = _weights(150, seed=9)
    short = solve_circles(w, min_size=5, max_size=6, target_size=6, effort=0.02)
    longer = solve_circles(w, min_size=5, max_size=6, target_size=6, effort=0.5)
    assert longer.objective >= short.objective - 1e-9
    assert longer.groups != short.groups


def test_a_wall_clock_cap_ends_the_search_even_with_effort_left(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    w = _weights(120)
    monkeypatch.setattr(budget_module.time, "monotonic", _RacingClock())
    started = time.process_time()
    result = solve_circles(w, min_size=4, max_size=8, effort=10_000.0, time_limit=5.0)
    assert time.process_time() - started < 30.0
    assert sorted(len(g) for g in result.groups)[0] >= 4


def test_cpu_time_counts_only_this_process() -> None:
    budget = Budget(cpu_seconds=0.05)
    assert not budget.done()
    started = time.process_time()
    while time.process_time() - started < 0.06:
        pass
    assert budget.done()
    assert not budget.deterministic


def test_effort_alone_is_deterministic_and_counts_charged_work() -> None:
    budget = Budget(effort=1.0)
    assert budget.deterministic
    assert budget.limited
    budget.charge(budget_module.UNITS_PER_EFFORT_SECOND / 2)
    assert budget.progress() == pytest.approx(0.5)
    assert budget.done(0.5)
    assert not budget.done(0.6)
    assert budget.effort_used() == pytest.approx(0.5)


def test_no_limit_never_ends_and_is_never_done() -> None:
    budget = Budget()
    budget.charge(1e18)
    assert not budget.limited
    assert not budget.done()


@pytest.mark.parametrize(
    ("field", "value"), [("effort", -1.0), ("cpu_seconds", float("nan")), ("wall_seconds", True)]
)
def test_a_budget_that_is_not_a_non_negative_number_is_refused(field: str, value: float) -> None:
    with pytest.raises(MatchingError, match=f"{field} must be a non-negative number"):
        Budget(**{field: value})
