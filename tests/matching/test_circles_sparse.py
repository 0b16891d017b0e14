"""The sparse circle path (a candidate graph, solved in windows) keeps the same rules as
the dense one: sizes, forbidden pairs, locks, diversity limits and reporting lines."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alongside.matching import (
    Candidate,
    CandidateGraph,
    MatchingError,
    MatchRules,
    Scorer,
    circles_sparse,
    solve_circles,
)
from alongside.matching.memory import check_memory, dense_circles_bytes

from .helpers import circle_objective, planted_circles, symmetric


@pytest.fixture(autouse=True)
def _small_windows(monkeypatch: pytest.MonkeyPatch) -> None:
    # Windows of a dozen people, so that small instances cross several windows.
    monkeypatch.setattr(circles_sparse, "WINDOW_PEOPLE", 12)


@st.composite
def sparse_instances(draw: st.DrawFn):
    n = draw(st.integers(24, 60))
    seed = draw(st.integers(0, 2**16))
    rng = np.random.default_rng(seed)
    density = draw(st.sampled_from([0.0, 0.03, 0.08]))
    w = symmetric(rng.normal(size=(n, n)), rng.random((n, n)) < density)
    lo = draw(st.integers(3, 4))
    hi = draw(st.integers(lo, 6))
    target = draw(st.sampled_from([None, hi]))
    locks = []
    if draw(st.booleans()):
        people = rng.permutation(n)[:4].tolist()
        locks = [people[:2], people[2:4]]
    attr = cap = None
    if draw(st.booleans()):
        attr = rng.integers(0, 4, n).tolist()
        cap = 2
    effort = draw(st.sampled_from([None, 0.05]))
    return w, lo, hi, target, locks, attr, cap, effort, seed


@settings(max_examples=40, deadline=None)
@given(sparse_instances())
def test_the_sparse_path_keeps_every_rule(instance):
    w, lo, hi, target, locks, attr, cap, effort, seed = instance
    graph = CandidateGraph.from_dense(w, 5)
    try:
        result = solve_circles(
            graph,
            min_size=lo,
            max_size=hi,
            target_size=target,
            seed=seed % 7,
            effort=effort,
            locks=locks,
            groups_attr=attr,
            max_per_value=cap,
        )
    except MatchingError as error:
        message = str(error)
        # Only instances the rules make impossible, each said in plain words.
        reasons = (
            "cannot",
            "no valid circles",
            "may share",
            "forbidden",
            "share one value",
            "need separate circles",
        )
        assert any(words in message for words in reasons)
        return
    n = w.shape[0]
    assert sorted(i for g in result.groups for i in g) == list(range(n))
    for g in result.groups:
        assert lo <= len(g) <= hi
        block = w[np.ix_(g, g)]
        assert np.isfinite(block[~np.eye(len(g), dtype=bool)]).all()
        if attr is not None:
            assert max(np.bincount([attr[i] for i in g])) <= cap
    where = {i: c for c, g in enumerate(result.groups) for i in g}
    for lock in locks:
        assert len({where[i] for i in lock}) == 1
    assert result.method == "circles (sparse)"
    assert result.objective == pytest.approx(circle_objective(w, result.groups), abs=1e-6)
    assert result.objective <= result.upper_bound + 1e-9


def test_the_sparse_path_is_deterministic_for_a_seed_and_effort():
    w, _ = planted_circles(90, 6, seed=3)
    graph = CandidateGraph.from_dense(w, 8)
    first = solve_circles(graph, min_size=5, max_size=7, target_size=6, effort=0.1, seed=2)
    second = solve_circles(graph, min_size=5, max_size=7, target_size=6, effort=0.1, seed=2)
    assert first.groups == second.groups


def test_the_sparse_path_finds_planted_circles_across_windows(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(circles_sparse, "WINDOW_PEOPLE", 60)
    w, planted = planted_circles(150, 6, seed=4)
    graph = CandidateGraph.from_dense(w, 8)
    result = solve_circles(graph, min_size=5, max_size=7, target_size=6, effort=0.5)
    assert result.objective >= 0.99 * planted


def test_the_sparse_path_never_puts_anyone_with_their_reporting_line():
    people = []
    for i in range(40):
        manager = None if i < 4 else f"p{(i - 4) // 3}"
        people.append(
            Candidate(id=f"p{i}", function=["A", "B", "C"][i % 3], level=3, manager_id=manager)
        )
    scorer = Scorer(people, MatchRules(max_level_gap=None))
    graph = scorer.graph(8)
    result = solve_circles(graph, min_size=4, max_size=5, effort=0.05)
    for group in result.groups:
        for i in group:
            above = set(scorer._line_above(i))
            assert not above & set(group), (i, group)


def test_a_graph_without_a_scorer_for_blocks_is_refused():
    w = symmetric(np.random.default_rng(1).random((30, 30)))
    bare = CandidateGraph.from_dense(w, 5)
    bare = CandidateGraph(bare.size, bare.rows, bare.cols, bare.weights, bare.outside_max)
    with pytest.raises(MatchingError, match="need its score_block"):
        solve_circles(bare, min_size=4, max_size=6)


def test_someone_with_too_few_allowed_partners_is_named():
    w = symmetric(np.random.default_rng(2).random((30, 30)))
    w[0, 3:] = w[3:, 0] = -np.inf
    graph = CandidateGraph.from_dense(w, 5)
    with pytest.raises(MatchingError, match="person 0 may share a circle with only 2 others"):
        solve_circles(graph, min_size=4, max_size=6)


def test_memory_beyond_the_machine_is_refused_up_front():
    with pytest.raises(MatchingError, match=r"would need about 1,\d{3}\.\d GiB of memory"):
        check_memory(dense_circles_bytes(250_000), "circles for 250,000 people", 24 * 2**30)
    check_memory(dense_circles_bytes(1_000), "circles for 1,000 people", 24 * 2**30)
