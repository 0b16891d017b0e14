"""The two-circle recombination and the free-size search of the circle solver."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from alongside.matching import solve_circles
from alongside.matching.circle_recombine import CircleSearch as CircleState

from .helpers import circle_objective, planted_circles, symmetric


def _state(w: np.ndarray, groups: list[list[int]], lo: int, hi: int, **extra) -> CircleState:
    state = CircleState(
        w.copy(),
        k=len(groups),
        min_size=lo,
        max_size=hi,
        attr=extra.get("attr"),
        cap_per_value=extra.get("cap"),
        rng=np.random.default_rng(0),
        allow_empty=extra.get("allow_empty", False),
    )
    for c, members in enumerate(groups):
        for i in members:
            state.add(i, c)
    return state


def _best_cut(w: np.ndarray, people: list[int], sizes: set[int], ok) -> float:
    best = -np.inf
    for t in sizes:
        for first in itertools.combinations(people, t):
            rest = tuple(i for i in people if i not in first)
            parts = tuple(p for p in (first, rest) if p)
            if all(len(p) in sizes for p in parts) and all(ok(p) for p in parts):
                best = max(best, circle_objective(w, parts))
    return best


@pytest.mark.parametrize("seed", range(6))
def test_recombining_two_circles_finds_the_best_cut(seed):
    rng = np.random.default_rng(seed)
    w = symmetric(rng.normal(size=(11, 11)))
    state = _state(w, [list(range(5)), list(range(5, 11))], 5, 6)
    best = _best_cut(w, list(range(11)), {5, 6}, lambda part: True)
    before = state.objective()
    changed = state.recombine(0, 1)
    assert state.objective() == pytest.approx(max(best, before), abs=1e-9)
    assert changed == (best > before + 1e-6)
    assert sorted(int(s) for s in state.size) == [5, 6]


def test_recombining_respects_forbidden_pairs_and_the_diversity_limit():
    rng = np.random.default_rng(3)
    w = symmetric(rng.random((10, 10)) + 1.0)
    w[0, 1] = w[1, 0] = -np.inf
    attr = np.array([0, 1, 0, 1, 0, 1, 0, 1, 0, 0])
    state = _state(w, [[0, 2, 3, 5, 7], [1, 4, 6, 8, 9]], 5, 5, attr=attr, cap=3)

    def ok(part: tuple[int, ...]) -> bool:
        return not {0, 1} <= set(part) and max(np.bincount(attr[list(part)])) <= 3

    finite = np.where(np.isfinite(w), w, 0.0)
    state.recombine(0, 1)
    groups = [sorted(m) for m in state.members]
    assert all(ok(tuple(g)) for g in groups)
    assert state.objective() == pytest.approx(
        max(
            _best_cut(finite, list(range(10)), {5}, ok),
            circle_objective(finite, ([0, 2, 3, 5, 7], [1, 4, 6, 8, 9])),
        ),
        abs=1e-9,
    )


def test_with_free_sizes_a_large_circle_is_split_into_an_empty_one():
    rng = np.random.default_rng(4)
    w = symmetric(rng.random((8, 8)))
    w[:4, :4] += 3.0
    w[4:, 4:] += 3.0
    np.fill_diagonal(w, 0.0)
    state = _state(w, [list(range(8)), []], 4, 8, allow_empty=True)
    assert state.recombine(0, 1)
    assert sorted(sorted(m) for m in state.members) == [[0, 1, 2, 3], [4, 5, 6, 7]]


def test_free_sizes_recover_planted_circles_smaller_than_the_middle_size():
    # Without a target or a time limit the solver starts from circles of about 6;
    # planted circles of 4 need more circles than that, which only the free-size moves
    # can open.
    w, planted = planted_circles(200, 4, seed=6)
    result = solve_circles(w, min_size=4, max_size=8)
    assert result.objective >= 0.98 * planted
    assert {len(g) for g in result.groups} == {4}
