from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alongside.matching import MatchingError, solve_circles

from .helpers import circle_objective, planted_circles, symmetric


@st.composite
def circle_instances(draw: st.DrawFn, min_n: int = 4, max_n: int = 40):
    n = draw(st.integers(min_n, max_n))
    seed = draw(st.integers(0, 2**16))
    rng = np.random.default_rng(seed)
    density = draw(st.sampled_from([0.0, 0.02, 0.08]))
    w = symmetric(rng.normal(size=(n, n)), rng.random((n, n)) < density)
    lo = draw(st.integers(2, 5))
    hi = draw(st.integers(lo, 8))
    return w, lo, hi


def check_invariants(w, result, lo, hi) -> None:
    n = w.shape[0]
    placed = sorted(i for g in result.groups for i in g)
    assert placed == list(range(n))
    for g in result.groups:
        assert lo <= len(g) <= hi
        block = w[np.ix_(g, g)]
        assert np.isfinite(block[~np.eye(len(g), dtype=bool)]).all()
    assert result.objective == pytest.approx(circle_objective(w, result.groups), abs=1e-6)
    assert result.objective <= result.upper_bound + 1e-9


@settings(max_examples=40, deadline=None)
@given(circle_instances(), st.integers(0, 3))
def test_every_valid_result_keeps_the_invariants(instance, seed):
    w, lo, hi = instance
    try:
        result = solve_circles(w, min_size=lo, max_size=hi, seed=seed, rounds=5)
    except MatchingError as error:
        message = str(error)
        assert any(words in message for words in ("cannot", "no valid circles", "may share"))
        return
    check_invariants(w, result, lo, hi)
    assert solve_circles(w, min_size=lo, max_size=hi, seed=seed, rounds=5) == result


@settings(max_examples=25, deadline=None)
@given(circle_instances(min_n=4, max_n=8))
def test_small_instances_are_solved_optimally(instance):
    w, lo, hi = instance
    lo, hi = min(lo, 3), max(hi, 4)
    brute = _brute_force(w, lo, hi)
    try:
        result = solve_circles(w, min_size=lo, max_size=hi)
    except MatchingError:
        assert brute == -np.inf
        return
    check_invariants(w, result, lo, hi)
    assert result.optimal
    assert result.gap == 0.0
    assert result.objective == pytest.approx(brute, abs=1e-9)


def _brute_force(w: np.ndarray, lo: int, hi: int) -> float:
    n = w.shape[0]
    best = -np.inf

    def go(left: list[int], total: float) -> None:
        nonlocal best
        if not left:
            best = max(best, total)
            return
        first, rest = left[0], left[1:]
        for mask in range(1 << len(rest)):
            block = [first] + [rest[b] for b in range(len(rest)) if mask >> b & 1]
            remaining = [x for x in rest if x not in block]
            allowed = np.isfinite(w[np.ix_(block, block)][~np.eye(len(block), dtype=bool)])
            if lo <= len(block) <= hi and allowed.all():
                go(remaining, total + circle_objective(w, (tuple(block),)))

    go(list(range(n)), 0.0)
    return best


def test_planted_circles_are_recovered():
    w, planted = planted_circles(300, 6, seed=1)
    result = solve_circles(w, min_size=4, max_size=8, target_size=6)
    assert result.objective >= 0.98 * planted
    check_invariants(w, result, 4, 8)


def test_target_size_keeps_sizes_closest_to_it():
    w, _ = planted_circles(62, 6, seed=2)
    result = solve_circles(w, min_size=4, max_size=8, target_size=6)
    assert {len(g) for g in result.groups} <= {6, 7}


def test_more_rounds_never_make_it_worse():
    rng = np.random.default_rng(5)
    w = symmetric(rng.random((120, 120)))
    plain = solve_circles(w, min_size=5, max_size=6, rounds=0)
    improved = solve_circles(w, min_size=5, max_size=6, rounds=60)
    assert improved.objective >= plain.objective - 1e-9


def test_forbidden_pairs_never_share_a_circle():
    rng = np.random.default_rng(7)
    w = symmetric(rng.random((60, 60)), rng.random((60, 60)) < 0.2)
    result = solve_circles(w, min_size=4, max_size=6, rounds=10)
    check_invariants(w, result, 4, 6)


def test_diversity_limits_people_sharing_a_value():
    rng = np.random.default_rng(8)
    w = symmetric(rng.random((40, 40)))
    function = [i % 4 for i in range(40)]
    # Make same-function pairs attractive so the limit has to bite.
    same = np.equal.outer(function, function)
    w = np.where(same, w + 5.0, w)
    np.fill_diagonal(w, 0.0)
    result = solve_circles(w, min_size=4, max_size=6, groups_attr=function, max_per_value=2)
    for g in result.groups:
        assert max(np.bincount([function[i] for i in g])) <= 2


def test_locked_people_share_a_circle():
    rng = np.random.default_rng(9)
    w = symmetric(rng.random((30, 30)))
    w[0, 29] = w[29, 0] = -5.0
    result = solve_circles(w, min_size=4, max_size=6, locks=[[0, 29, 14]], rounds=10)
    circle = next(g for g in result.groups if 0 in g)
    assert {0, 29, 14} <= set(circle)


@pytest.mark.parametrize(
    ("n", "lo", "hi", "message"),
    [
        (3, 4, 8, "3 people cannot form circles of 4–8"),
        (9, 5, 6, "9 people cannot form circles of 5–6"),
        (7, 4, 4, "7 people cannot form circles of exactly 4"),
    ],
)
def test_impossible_sizes_are_explained(n, lo, hi, message):
    with pytest.raises(MatchingError, match=message):
        solve_circles(np.zeros((n, n)), min_size=lo, max_size=hi)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"min_size": 6, "max_size": 4}, "min_size \\(6\\) is larger than max_size \\(4\\)"),
        ({"min_size": 1, "max_size": 4}, "min_size must be at least 2"),
        ({"min_size": 4, "max_size": 6, "target_size": 9}, "target_size 9 is outside 4–6"),
        ({"groups_attr": [1] * 12}, "must be given together"),
        ({"locks": [[0, 99]]}, "locked person 99 is out of range for 12 people"),
        ({"locks": [[0, 1], [1, 2]]}, "person 1 appears in more than one lock"),
        ({"time_limit": -1.0}, "time_limit must be a non-negative number"),
    ],
)
def test_bad_arguments_are_refused(kwargs, message):
    with pytest.raises(MatchingError, match=message):
        solve_circles(np.zeros((12, 12)), **kwargs)


def test_a_person_forbidden_with_almost_everyone_is_named():
    w = np.zeros((12, 12))
    w[3, :] = w[:, 3] = -np.inf
    w[3, 4] = w[4, 3] = 0.0
    with pytest.raises(MatchingError, match="person 3 may share a circle with only 1 others"):
        solve_circles(w, min_size=4, max_size=6)


def test_too_many_people_alike_for_the_diversity_limit_is_explained():
    attr = ["Finance"] * 7 + ["Sales"] * 5
    with pytest.raises(MatchingError, match="7 people share one value"):
        solve_circles(np.zeros((12, 12)), min_size=4, max_size=4, groups_attr=attr, max_per_value=2)


def test_a_locked_forbidden_pair_is_refused():
    w = np.zeros((12, 12))
    w[0, 1] = w[1, 0] = -np.inf
    with pytest.raises(MatchingError, match="locked people 0 and 1 are a forbidden pair"):
        solve_circles(w, locks=[[0, 1]])


def test_unsatisfiable_forbidden_pairs_raise_a_clear_error():
    # 12 people, circles of exactly 6, and person 0 is forbidden with 6 others.
    w = np.zeros((12, 12))
    for j in range(1, 7):
        w[0, j] = w[j, 0] = -np.inf
    w[1:7, 1:7] = -np.inf
    np.fill_diagonal(w, 0.0)
    with pytest.raises(MatchingError, match=r"person|no valid circles"):
        solve_circles(w, min_size=6, max_size=6)
