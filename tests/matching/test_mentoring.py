from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from alongside.matching import MatchingError, solve_mentoring

from .helpers import best_mentoring


@st.composite
def mentoring_instances(draw: st.DrawFn):
    n = draw(st.integers(0, 5))
    m = draw(st.integers(1, 3))
    w = draw(arrays(np.float64, (n, m), elements=st.floats(-5, 5, allow_nan=False, width=32)))
    forbid = draw(arrays(np.bool_, (n, m)))
    w = np.where(forbid & (np.random.default_rng(n).random((n, m)) < 0.5), -np.inf, w)
    caps = draw(st.lists(st.integers(0, 2), min_size=m, max_size=m))
    return w, caps


@settings(max_examples=80, deadline=None)
@given(mentoring_instances(), st.sampled_from(["participation", "score"]))
def test_it_is_exact_and_respects_capacities(instance, prefer):
    w, caps = instance
    result = solve_mentoring(w, caps, prefer=prefer)
    n = w.shape[0]
    for j, mentees in enumerate(result.groups):
        assert len(mentees) <= caps[j]
        assert all(np.isfinite(w[i, j]) for i in mentees)
        assert all(result.mentor_of[i] == j for i in mentees)
    placed = sorted(i for g in result.groups for i in g)
    assert sorted(placed + [u.index for u in result.unmatched]) == list(range(n))
    count, total = best_mentoring(w, caps, prefer == "participation")
    if prefer == "participation":
        assert len(placed) == count
    assert result.objective == pytest.approx(total, abs=1e-6)
    assert result.objective <= result.upper_bound
    assert solve_mentoring(w, caps, prefer=prefer) == result


def test_unassigned_mentees_get_a_reason():
    w = np.array([[1.0, -np.inf], [2.0, -np.inf], [-np.inf, -np.inf]])
    result = solve_mentoring(w, [1, 3])
    assert result.mentor_of == (-1, 0, -1)
    reasons = {u.index: u.reason for u in result.unmatched}
    assert reasons[0] == "every allowed mentor is already at capacity"
    assert "every mentor is forbidden" in reasons[2]


def test_group_mentoring_fills_larger_capacities():
    w = np.ones((6, 2))
    w[:, 1] = 2.0
    result = solve_mentoring(w, [2, 4])
    assert len(result.groups[1]) == 4
    assert len(result.groups[0]) == 2


@pytest.mark.parametrize(
    ("caps", "message"),
    [
        ([1, -1], "mentor 1 has a negative capacity \\(-1\\)"),
        ([1], "capacities has 1 entries but weights has 2 mentor columns"),
        ([1.5, 1], "capacities must be whole numbers"),
    ],
)
def test_bad_capacities_are_refused(caps, message):
    with pytest.raises(MatchingError, match=message):
        solve_mentoring(np.ones((2, 2)), caps)


def test_nan_weights_are_refused():
    with pytest.raises(MatchingError, match="NaN"):
        solve_mentoring(np.array([[np.nan]]), [1])
