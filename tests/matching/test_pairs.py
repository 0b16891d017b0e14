from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse
from hypothesis import given, settings
from hypothesis import strategies as st

from alongside.matching import CandidateGraph, MatchingError, solve_pairs

from .helpers import best_matching, symmetric, weight_matrices

FAST = settings(max_examples=60, deadline=None)


def check_invariants(w: np.ndarray, result) -> None:
    n = w.shape[0]
    placed = [i for g in result.groups for i in g]
    left = [u.index for u in result.unmatched]
    assert sorted(placed + left) == list(range(n))
    for g in result.groups:
        assert len(g) == 2
        assert np.isfinite(w[g[0], g[1]])
    assert result.objective == pytest.approx(sum(w[a, b] for a, b in result.groups), abs=1e-9)
    assert result.objective <= result.upper_bound + 1e-9
    assert all(u.reason for u in result.unmatched)


@FAST
@given(weight_matrices(max_n=9), st.sampled_from(["participation", "score"]))
def test_it_finds_the_brute_force_optimum(w, prefer):
    result = solve_pairs(w, prefer=prefer)
    check_invariants(w, result)
    count, total = best_matching(w, prefer == "participation")
    if prefer == "participation":
        assert len(result.groups) == count
    assert result.objective == pytest.approx(total, abs=1e-6)
    assert result.optimal
    assert result.gap < 1e-9


@FAST
@given(weight_matrices(min_n=2, max_n=12), st.sampled_from(["participation", "score"]))
def test_the_candidate_graph_path_keeps_invariants_and_a_valid_bound(w, prefer):
    exact = solve_pairs(w, prefer=prefer)
    sparse = solve_pairs(w, prefer=prefer, exact_max_people=1, candidates_per_person=2)
    check_invariants(w, sparse)
    # The bound of the sparse run must hold for the true optimum.
    assert exact.objective <= sparse.upper_bound + 1e-6
    if prefer == "score":
        assert sparse.objective <= exact.objective + 1e-9


@settings(max_examples=40, deadline=None)
@given(
    st.integers(2, 40),
    st.integers(0, 2**16),
    st.sampled_from(["participation", "score"]),
    st.integers(1, 6),
)
def test_the_lp_path_bound_holds_for_the_true_optimum(n, seed, prefer, k):
    rng = np.random.default_rng(seed)
    w = symmetric(rng.integers(0, 20, (n, n)).astype(float), rng.random((n, n)) < 0.15)
    exact = solve_pairs(w, prefer=prefer)
    sparse = solve_pairs(w, prefer=prefer, exact_max_people=1, candidates_per_person=k)
    check_invariants(w, sparse)
    assert exact.objective <= sparse.upper_bound + 1e-6
    if prefer == "score":
        assert sparse.objective <= exact.objective + 1e-9


@settings(max_examples=20, deadline=None)
@given(weight_matrices(min_n=2, max_n=10), st.integers(0, 5))
def test_it_is_deterministic(w, seed):
    assert solve_pairs(w, seed=seed) == solve_pairs(w, seed=seed)


def test_an_odd_person_out_is_reported():
    w = np.ones((3, 3))
    result = solve_pairs(w)
    assert len(result.groups) == 1
    assert result.unmatched[0].reason.startswith("odd number of people")


def test_a_person_with_no_allowed_partner_is_reported():
    w = np.ones((3, 3))
    w[0, 1:] = w[1:, 0] = -np.inf
    result = solve_pairs(w)
    assert result.groups == ((1, 2),)
    assert "forbidden" in result.unmatched[0].reason


def test_participation_beats_a_single_strong_pair():
    # 0-1 is strong, but pairing 0-2 and 1-3 places everyone.
    w = np.array([[0, 10, 1, -np.inf], [10, 0, -np.inf, 1], [1, -np.inf, 0, 0], [-np.inf, 1, 0, 0]])
    w[2, 3] = w[3, 2] = -np.inf
    assert solve_pairs(w, prefer="participation").groups == ((0, 2), (1, 3))
    assert solve_pairs(w, prefer="score").groups == ((0, 1),)


def test_score_mode_leaves_negative_pairs_single():
    w = -np.ones((4, 4))
    result = solve_pairs(w, prefer="score")
    assert result.groups == ()
    assert result.unmatched[0].reason == "no partner with a positive score"


def test_locked_pairs_are_kept():
    w = np.arange(16, dtype=float).reshape(4, 4)
    w = w + w.T
    result = solve_pairs(w, locked=[(0, 1)])
    assert (0, 1) in result.groups
    assert (2, 3) in result.groups


def test_a_locked_forbidden_pair_is_refused():
    w = np.ones((4, 4))
    w[0, 1] = w[1, 0] = -np.inf
    with pytest.raises(MatchingError, match="locked pair \\(0, 1\\) is forbidden"):
        solve_pairs(w, locked=[(0, 1)])


def test_it_accepts_a_sparse_matrix_and_a_candidate_graph():
    matrix = scipy.sparse.coo_array(([5.0, 5.0, 1.0, 1.0], ([0, 1, 2, 3], [1, 0, 3, 2])), (4, 4))
    assert solve_pairs(matrix).groups == ((0, 1), (2, 3))
    graph = CandidateGraph.from_edges(4, [0, 2], [1, 3], [5.0, 1.0])
    result = solve_pairs(graph)
    assert result.groups == ((0, 1), (2, 3))
    assert result.objective == pytest.approx(6.0)
    assert result.upper_bound == pytest.approx(6.0, rel=1e-6)


def test_a_larger_instance_is_near_optimal_with_a_tight_bound():
    rng = np.random.default_rng(3)
    features = rng.random((1200, 4))
    w = 2.0 - np.linalg.norm(features[:, None, :] - features[None, :, :], axis=2)
    result = solve_pairs(w)
    assert len(result.groups) == 600
    assert result.gap < 0.05


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        (np.ones((2, 3)), "must be square, got 2 x 3"),
        (np.array([[0, np.nan], [np.nan, 0]]), "contains NaN at \\[0, 1\\]"),
        (np.array([[0, 1.0], [2.0, 0]]), "is not symmetric: \\[0, 1\\] = 1 but \\[1, 0\\] = 2"),
        (np.array([[0, -np.inf], [1.0, 0]]), "\\[0, 1\\] is forbidden but \\[1, 0\\] is not"),
        (np.array([[0, np.inf], [np.inf, 0]]), "contains \\+inf"),
        ([[0, "a"], ["a", 0]], "must be a numeric matrix"),
        (np.ones(3), "must be a 2-dimensional matrix"),
    ],
)
def test_invalid_input_is_refused_with_a_clear_message(weights, message):
    with pytest.raises(MatchingError, match=message):
        solve_pairs(weights)


def test_an_unknown_preference_is_refused():
    with pytest.raises(MatchingError, match="prefer must be 'participation' or 'score'"):
        solve_pairs(np.ones((2, 2)), prefer="speed")


def test_empty_and_single_inputs_work():
    assert solve_pairs(np.zeros((0, 0))).groups == ()
    assert len(solve_pairs(np.zeros((1, 1))).unmatched) == 1


@pytest.mark.parametrize("prefer", ["participation", "score"])
def test_the_pruned_exact_path_agrees_with_networkx(prefer):
    import networkx as nx

    rng = np.random.default_rng(11)
    n = 131
    w = symmetric(rng.integers(0, 50, (n, n)).astype(float), rng.random((n, n)) < 0.1)
    result = solve_pairs(w, prefer=prefer)
    graph = nx.Graph()
    rows, cols = np.triu_indices(n, 1)
    for i, j in zip(rows.tolist(), cols.tolist(), strict=True):
        if np.isfinite(w[i, j]) and (prefer == "participation" or w[i, j] > 0):
            graph.add_edge(i, j, weight=w[i, j])
    expected = nx.max_weight_matching(graph, maxcardinality=prefer == "participation")
    assert result.optimal
    assert len(result.groups) == len(expected)
    assert result.objective == pytest.approx(sum(w[a, b] for a, b in expected), abs=1e-6)


def test_the_interior_point_path_keeps_a_valid_bound(monkeypatch):
    from alongside.matching import pairs_lp

    monkeypatch.setattr(pairs_lp, "ASSIGNMENT_MAX_PEOPLE", 5)
    rng = np.random.default_rng(4)
    w = symmetric(rng.integers(0, 30, (60, 60)).astype(float), rng.random((60, 60)) < 0.1)
    exact = solve_pairs(w)
    sparse = solve_pairs(w, exact_max_people=1, candidates_per_person=4)
    check_invariants(w, sparse)
    assert len(sparse.groups) == len(exact.groups)
    assert exact.objective <= sparse.upper_bound + 1e-6
