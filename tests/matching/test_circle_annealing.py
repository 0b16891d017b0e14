"""Annealing by recombination: every circle is cut in two and the moving parts are dealt
back out by an optimal assignment."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from alongside.matching import MatchingError, solve_circles
from alongside.matching.budget import Budget
from alongside.matching.circle_recombine import CircleSearch as CircleState
from alongside.matching.circles import circle_sizes

from .helpers import circle_objective, planted_circles, symmetric
from .test_circles import check_invariants


def _state(w: np.ndarray, groups: list[list[int]], seed: int = 0, **extra) -> CircleState:
    sizes = [len(g) for g in groups]
    state = CircleState(
        w.copy(),
        k=len(groups),
        min_size=extra.get("lo", min(sizes)),
        max_size=extra.get("hi", max(sizes)),
        attr=extra.get("attr"),
        cap_per_value=extra.get("cap"),
        rng=np.random.default_rng(seed),
    )
    for c, members in enumerate(groups):
        for i in members:
            state.add(i, c)
    for lock in extra.get("locks", []):
        state.fixed[lock] = True
    return state


def _allowed(w: np.ndarray, people: list[int], attr: np.ndarray | None, cap: int | None) -> bool:
    block = w[np.ix_(people, people)]
    if np.isneginf(block[~np.eye(len(people), dtype=bool)]).any():
        return False
    return attr is None or cap is None or int(np.bincount(attr[people]).max()) <= cap


def _instance(seed: int) -> tuple[np.ndarray, list[list[int]], np.ndarray]:
    """25 people (some forbidden pairs, three values capped at 3 per circle) in five
    circles of 5 that keep the rules, from a greedy pass with the same checks."""
    rng = np.random.default_rng(seed)
    while True:
        w = symmetric(rng.normal(size=(25, 25)), rng.random((25, 25)) < 0.04)
        attr = rng.integers(0, 3, 25)
        groups: list[list[int]] = [[] for _ in range(5)]
        for i in rng.permutation(25).tolist():
            for g in sorted(groups, key=len):
                if len(g) < 5 and _allowed(w, [*g, i], attr, 3):
                    g.append(i)
                    break
        if all(len(g) == 5 for g in groups):
            return w, groups, attr


@pytest.mark.parametrize("seed", range(5))
def test_the_table_values_every_combination_of_moving_and_staying_parts(seed):
    w, groups, attr = _instance(seed)
    state = _state(w, groups, seed, attr=attr, cap=3)
    split = state.halves()
    assert split is not None
    slots, left, right = split
    table, ok = state.recombination_table(left, right)
    finite = np.where(np.isfinite(w), w, 0.0)
    for a, b in itertools.product(range(len(slots)), repeat=2):
        people = [int(i) for i in (*left[a], *right[b]) if i >= 0]
        assert ok[a, b] == _allowed(w, people, attr, 3), (a, b)
        if ok[a, b]:
            assert table[a, b] == pytest.approx(circle_objective(finite, (tuple(people),)))
    # The present circles are the diagonal, and they keep the rules.
    assert ok.diagonal().all()
    assert table.trace() == pytest.approx(state.objective())


@pytest.mark.parametrize("seed", range(5))
def test_a_step_without_noise_is_the_best_recombination_of_its_cut(seed):
    w, groups, attr = _instance(seed)
    # Same seed, same cut: one state shows the cut, the other takes the step.
    shown = _state(w, groups, seed, attr=attr, cap=3)
    stepped = _state(w, groups, seed, attr=attr, cap=3)
    split = shown.halves()
    assert split is not None
    _, left, right = split
    table, ok = shown.recombination_table(left, right)
    k = len(groups)
    best = max(
        sum(table[a, b] for a, b in enumerate(order))
        for order in itertools.permutations(range(k))
        if all(ok[a, b] for a, b in enumerate(order))
    )
    before = stepped.objective()
    gain = stepped.recombine_halves()
    assert stepped.objective() == pytest.approx(max(best, before))
    assert gain == pytest.approx(stepped.objective() - before, abs=1e-9)
    assert sorted(int(s) for s in stepped.size) == [5] * k


@st.composite
def annealing_instances(draw: st.DrawFn):
    lo = draw(st.integers(2, 5))
    hi = draw(st.integers(lo, lo + 2))
    k = draw(st.integers(2, 6))
    sizes = [draw(st.integers(lo, hi)) for _ in range(k)]
    n = sum(sizes)
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    density = draw(st.sampled_from([0.0, 0.05]))
    w = symmetric(rng.normal(size=(n, n)), rng.random((n, n)) < density)
    order = rng.permutation(n)
    groups = [order[sum(sizes[:c]) : sum(sizes[: c + 1])].tolist() for c in range(k)]
    with_attr = draw(st.booleans())
    attr = rng.integers(0, 3, n) if with_attr else None
    cap = hi if with_attr else None
    assume(all(_allowed(w, g, attr, cap) for g in groups))
    lock = groups[0][: draw(st.integers(0, 2))]
    return w, groups, lo, hi, attr, cap, lock


@settings(max_examples=60, deadline=None)
@given(annealing_instances(), st.sampled_from([0.0, 0.5, 5.0]), st.sampled_from([0.0, 1.5]))
def test_annealing_keeps_sizes_locks_and_rules(instance, noise, weak_first):
    w, groups, lo, hi, attr, cap, lock = instance
    state = _state(w, groups, 1, lo=lo, hi=hi, attr=attr, cap=cap, locks=lock)
    sizes = sorted(len(g) for g in groups)
    home = {i: int(state.assign[i]) for i in lock}
    for _ in range(15):
        before = state.objective()
        gain = state.recombine_halves(noise, weak_first)
        assert state.objective() == pytest.approx(before + gain, abs=1e-9)
        if noise == 0.0:
            assert gain >= 0.0
    circles = [sorted(m) for m in state.members if m]
    assert all(lo <= len(c) <= hi for c in circles)
    if not lock:
        # Every moving part has the same size; only locks can make them differ.
        assert sorted(len(c) for c in circles) == sizes
    assert all(int(state.assign[i]) == c for i, c in home.items())
    assert all(_allowed(w, c, attr, cap) for c in circles)
    finite = np.where(np.isfinite(w), w, 0.0)
    assert state.objective() == pytest.approx(circle_objective(finite, tuple(map(tuple, circles))))


def test_annealing_never_ends_below_where_it_started():
    rng = np.random.default_rng(8)
    w = symmetric(rng.random((60, 60)))
    groups = [list(range(c, 60, 10)) for c in range(10)]
    state = _state(w, groups, 3)
    state.local_search(None)
    before = state.objective()
    state.budget = Budget(effort=0.3)
    state.anneal(1.0, spread=float(w.std()))
    assert state.objective() >= before - 1e-9
    assert sorted(int(s) for s in state.size) == [6] * 10


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 2**16), st.sampled_from([None, 5]), st.sampled_from([0.0, 0.05]))
def test_a_time_limited_run_keeps_the_invariants(seed, target, density):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(40, 120))
    w = symmetric(rng.normal(size=(n, n)), rng.random((n, n)) < density)
    try:
        result = solve_circles(w, min_size=4, max_size=7, target_size=target, time_limit=0.2)
    except MatchingError as error:
        message = str(error)
        assert "no valid circles" in message or "may share" in message
        return
    check_invariants(w, result, 4, 7)
    if target is not None:
        assert sorted(len(g) for g in result.groups) == sorted(circle_sizes(n, 4, 7, target))


@pytest.mark.parametrize("size", [4, 6])
def test_free_sizes_with_a_time_limit_find_planted_circles_of_any_size(size):
    # Free sizes try the smallest circles and circles near the middle of the range,
    # and keep the start that searches better: planted 6s need the middle one.
    w, planted = planted_circles(240, size, seed=9)
    result = solve_circles(w, min_size=4, max_size=8, time_limit=1.0)
    assert result.objective >= 0.99 * planted
    assert {len(g) for g in result.groups} == {size}


def test_free_sizes_prefer_the_smallest_circles_when_they_are_better():
    # With unstructured weights, each person's mean is higher over fewer, better chosen
    # partners: free sizes end with circles of 4 and beat circles held near 6.
    rng = np.random.default_rng(12)
    w = symmetric(rng.random((240, 240)))
    free = solve_circles(w, min_size=4, max_size=8, time_limit=1.0)
    held = solve_circles(w, min_size=4, max_size=8, target_size=6, time_limit=1.0)
    assert {len(g) for g in free.groups} == {4}
    assert free.objective > held.objective


def test_locked_people_stay_together_through_a_time_limited_run():
    w, _ = planted_circles(120, 6, seed=4)
    lock = [0, 1, 2]
    result = solve_circles(w, min_size=4, max_size=8, target_size=6, locks=[lock], time_limit=0.3)
    (home,) = [g for g in result.groups if 0 in g]
    assert set(lock) <= set(home)


def test_on_many_circles_a_step_recombines_a_random_share_and_never_loses(monkeypatch):
    monkeypatch.setattr("alongside.matching.circle_recombine.RECOMBINE_MAX_CIRCLES", 4)
    rng = np.random.default_rng(21)
    w = symmetric(rng.normal(size=(50, 50)))
    state = _state(w, [list(range(c, 50, 10)) for c in range(10)], 5)
    split = state.halves()
    assert split is not None
    assert len(split[0]) == 4
    moved = set()
    for _ in range(40):
        before = state.assign.copy()
        value = state.objective()
        assert state.recombine_halves() >= 0.0
        assert state.objective() >= value - 1e-9
        moved |= set(np.flatnonzero(state.assign != before).tolist())
    assert sorted(int(s) for s in state.size) == [5] * 10
    assert len(moved) > 10  # different shares of the circles took part
