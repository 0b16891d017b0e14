"""Circle upper bounds: proven, so no partition can beat them, and the LP bound is tight."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from alongside.matching import solve_circles
from alongside.matching.circle_bound import loose_bound, lp_bound
from alongside.matching.circles import _exact_small, circle_sizes, usable_sizes

from .helpers import planted_circles, symmetric


def _instance(n: int, seed: int, density: float) -> np.ndarray:
    rng = np.random.default_rng(seed)
    forbid = rng.random((n, n)) < density
    return symmetric(rng.normal(0.0, 1.0, (n, n)), forbid)


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(6, 9),
    seed=st.integers(0, 2**16),
    density=st.sampled_from([0.0, 0.15]),
    sizes=st.sampled_from([(3, 5), (2, 4), (3, 3)]),
    partners=st.sampled_from([2, 3, 30]),
)
def test_the_lp_bound_is_never_below_the_best_partition(n, seed, density, sizes, partners):
    lo, hi = sizes
    w = _instance(n, seed, density)
    exact = _exact_small(w.copy(), lo, hi, None, None, None, [])
    relaxed = lp_bound(w.copy(), min_size=lo, partners=partners)
    if exact is not None:
        # Pairs left out of the LP (few partners) still count through their reduced costs.
        assert relaxed is not None
        assert relaxed.value >= exact[1] - 1e-6


def _profiles(n: int, allowed: list[int]) -> set[tuple[int, ...]]:
    """Every multiset of allowed circle sizes that adds up to n."""
    if n == 0:
        return {()}
    return {
        tuple(sorted((s, *rest))) for s in allowed if s <= n for rest in _profiles(n - s, allowed)
    }


@settings(max_examples=30, deadline=None)
@given(n=st.integers(6, 9), seed=st.integers(0, 2**16), target=st.sampled_from([3, 4]))
def test_the_fixed_size_lp_bound_is_never_below_the_best_partition(n, seed, target):
    w = _instance(n, seed, 0.1)
    sizes = circle_sizes(n, 2, 5, target).tolist()
    allowed = sorted(set(sizes))
    # The exhaustive search takes any mix of the allowed sizes: compare where the sizes
    # the LP is given are the only mix that adds up.
    assume(_profiles(n, allowed) == {tuple(sorted(sizes))})
    exact = _exact_small(w.copy(), 2, 5, allowed, None, None, [])
    relaxed = lp_bound(w.copy(), min_size=min(sizes), sizes=sizes, partners=3)
    if exact is not None:
        assert relaxed is not None
        assert relaxed.value >= exact[1] - 1e-6


def test_the_lp_bound_is_far_tighter_than_everyone_having_their_favourites():
    w, planted = planted_circles(60, 6, seed=2, noise=0.6)
    relaxed = lp_bound(w.copy(), min_size=5)
    assert relaxed is not None
    loose = loose_bound(w.copy(), [5, 6, 7])
    assert relaxed.value >= planted - 1e-6
    assert relaxed.value - planted < (loose - planted) / 2
    assert relaxed.cuts > 0


def test_solve_circles_reports_the_lp_bound_and_stays_below_it():
    rng = np.random.default_rng(5)
    w = symmetric(rng.random((80, 80)))
    quick = solve_circles(w, min_size=4, max_size=6, bound="quick")
    tight = solve_circles(w, min_size=4, max_size=6, bound="lp")
    assert tight.method == "circles (LP bound)"
    assert quick.method == "circles"
    assert tight.objective <= tight.upper_bound + 1e-9
    assert tight.upper_bound < quick.upper_bound
    assert tight.gap < quick.gap


def test_an_unknown_bound_is_refused():
    with pytest.raises(ValueError, match="bound must be 'auto', 'lp' or 'quick'"):
        solve_circles(np.zeros((12, 12)), bound="best")


def test_only_sizes_that_add_up_to_everyone_are_used_by_the_bound():
    assert usable_sizes(24, [5, 6]) == [6]
    assert usable_sizes(25, [5, 6]) == [5]
    assert usable_sizes(30, [5, 6]) == [5, 6]
    w, planted = planted_circles(24, 6, seed=3, noise=0.8)
    result = solve_circles(w, min_size=5, max_size=6, bound="lp")
    assert result.upper_bound >= planted - 1e-6
    everyone_free = lp_bound(w.copy(), min_size=5)
    assert everyone_free is not None
    assert result.upper_bound < everyone_free.value
