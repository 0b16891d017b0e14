"""Pairs: maximum-weight matching, exact on small inputs, near-exact with a bound at scale."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import rustworkx as rx
import scipy.sparse
from scipy.sparse.csgraph import min_weight_full_bipartite_matching

from .candidates import CandidateGraph, top_k_block
from .errors import MatchingError
from .results import MatchResult, Unmatched
from .validation import (
    FloatArray,
    IntArray,
    as_weight_matrix,
    check_index,
    check_prefer,
    check_seed,
)

#: Above this many people a dense input is first thinned to each person's best partners.
EXACT_MAX_PEOPLE = 800
#: Partners kept per person when thinning (the bound stays valid whatever this is).
CANDIDATES_PER_PERSON = 12

Pair = tuple[int, int]


def solve_pairs(
    weights: Any,
    *,
    prefer: str = "participation",
    seed: int = 0,
    locked: Sequence[Pair] = (),
    exact_max_people: int = EXACT_MAX_PEOPLE,
    candidates_per_person: int = CANDIDATES_PER_PERSON,
) -> MatchResult:
    """Pair people to maximise the total weight of the chosen pairs.

    ``weights`` is a symmetric matrix (``-inf`` forbids a pair), a scipy.sparse matrix
    whose stored entries are the allowed pairs, or a :class:`CandidateGraph`.
    ``prefer="participation"`` matches as many people as possible first, then maximises
    weight; ``prefer="score"`` maximises weight only. ``locked`` pairs are kept as given.
    """
    check_prefer(prefer)
    check_seed(seed)
    participation = prefer == "participation"
    if isinstance(weights, CandidateGraph):
        graph = weights
        dense: FloatArray | None = None
    elif scipy.sparse.issparse(weights):
        graph = CandidateGraph.from_sparse(weights)
        dense = None
    else:
        dense = as_weight_matrix(weights, square=True)
        graph = None
    n = graph.size if graph is not None else dense.shape[0]  # type: ignore[union-attr]
    lock_pairs = _check_locks(locked, n)
    locked_people = np.zeros(n, dtype=bool)
    for i, j in lock_pairs:
        locked_people[[i, j]] = True
    free = np.flatnonzero(~locked_people)
    lock_weight = _lock_weights(lock_pairs, dense, graph)

    if dense is not None and len(free) <= exact_max_people:
        sub = dense[np.ix_(free, free)]
        local_pairs = _exact_dense(sub, participation)
        pairs = [(int(free[a]), int(free[b])) for a, b in local_pairs]
        objective = float(sum(sub[a, b] for a, b in local_pairs))
        quantum = _quantum(sub)
        upper = objective + (len(free) // 2) * quantum
        optimal, method = True, "blossom (exact)"
        best = np.max(dense, axis=1, initial=-np.inf)
    else:
        if graph is None:
            assert dense is not None
            graph = CandidateGraph.from_dense(dense, candidates_per_person)
        pairs, objective, upper = _solve_graph(graph, free, participation, exact_max_people)
        optimal = upper - objective <= 1e-9 * max(1.0, abs(upper))
        method = "blossom on candidate graph + LP bound"
        best = graph.best_weight()

    objective += sum(lock_weight)
    upper += sum(lock_weight)
    pairs.extend(lock_pairs)
    groups = tuple(sorted((min(p), max(p)) for p in pairs))
    unmatched = _unmatched_reasons(n, groups, best, participation)
    return MatchResult(groups, unmatched, float(objective), float(upper), optimal, method)


def _check_locks(locked: Sequence[Pair], n: int) -> list[Pair]:
    seen: set[int] = set()
    pairs: list[Pair] = []
    for pair in locked:
        if len(pair) != 2:
            raise MatchingError(f"a locked pair must have two people, got {pair!r}")
        i = check_index(pair[0], n, "locked person")
        j = check_index(pair[1], n, "locked person")
        if i == j:
            raise MatchingError(f"person {i} cannot be locked into a pair with themselves")
        for person in (i, j):
            if person in seen:
                raise MatchingError(f"person {person} is locked into more than one pair")
            seen.add(person)
        pairs.append((min(i, j), max(i, j)))
    return pairs


def _lock_weights(
    pairs: list[Pair], dense: FloatArray | None, graph: CandidateGraph | None
) -> list[float]:
    values: list[float] = []
    for i, j in pairs:
        if dense is not None:
            value = float(dense[i, j])
        else:
            assert graph is not None
            hit = np.flatnonzero((graph.rows == i) & (graph.cols == j))
            if len(hit):
                value = float(graph.weights[hit[0]])
            elif graph.score_block is not None:
                value = float(graph.score_block(np.array([i]), np.array([j]))[0, 0])
            else:
                value = -np.inf
        if not np.isfinite(value):
            raise MatchingError(f"locked pair ({i}, {j}) is forbidden")
        values.append(value)
    return values


def _quantum(weights: FloatArray) -> float:
    finite = np.abs(weights[np.isfinite(weights)])
    top = float(finite.max()) if len(finite) else 0.0
    return top / 1e12 if top > 0 else 0.0


def _blossom(
    n: int, rows: IntArray, cols: IntArray, vals: FloatArray, participation: bool
) -> list[Pair]:
    """Exact maximum-weight matching (rustworkx needs integer weights: scale by 1e12)."""
    if len(vals) == 0:
        return []
    largest = float(np.abs(vals).max())
    scale = 1e12 / largest if largest > 0 else 1.0
    ints = np.rint(vals * scale).astype(np.int64).tolist()
    graph = rx.PyGraph(multigraph=False)
    graph.add_nodes_from(range(n))
    graph.add_edges_from(list(zip(rows.tolist(), cols.tolist(), ints, strict=True)))
    matching = rx.max_weight_matching(
        graph, max_cardinality=participation, weight_fn=lambda weight: weight
    )
    return sorted((min(a, b), max(a, b)) for a, b in matching)


def _exact_dense(weights: FloatArray, participation: bool) -> list[Pair]:
    n = weights.shape[0]
    rows, cols = np.triu_indices(n, 1)
    vals = weights[rows, cols]
    keep = np.isfinite(vals) if participation else vals > 0
    return _blossom(n, rows[keep], cols[keep], vals[keep], participation)


def _solve_graph(
    graph: CandidateGraph, free: IntArray, participation: bool, exact_max_people: int
) -> tuple[list[Pair], float, float]:
    """Near-exact matching on a candidate graph, with a bound valid for all pairs.

    The fractional LP (solved exactly as an assignment on the bipartite double cover) is
    half-integral: its 2-cycles are pairs, and the few people on longer cycles are matched
    exactly among themselves by blossom. Participation first shifts every weight up by
    ``shift`` so that more pairs always pay; the bound subtracts the shift back per pair.
    """
    n = graph.size
    is_free = np.zeros(n, dtype=bool)
    is_free[free] = True
    keep = is_free[graph.rows] & is_free[graph.cols]
    if not participation:
        keep &= graph.weights > 0
    rows, cols, vals = graph.rows[keep], graph.cols[keep], graph.weights[keep]
    shift = 0.0
    if participation and len(vals):
        outside = graph.outside_max[free]
        lowest = float(min(vals.min(), np.min(outside[np.isfinite(outside)], initial=np.inf)))
        spread = float(vals.max()) - lowest
        shift = max(0.0, -lowest) + spread + 1.0
    lp_value, partner = _lp_assignment(graph, free, rows, cols, vals + shift, shift)

    pairs: list[Pair] = []
    matched = np.zeros(n, dtype=bool)
    mutual = (partner >= 0) & (partner[np.maximum(partner, 0)] == np.arange(n))
    for i in np.flatnonzero(mutual & (np.arange(n) < partner)).tolist():
        pairs.append((i, int(partner[i])))
        matched[[i, partner[i]]] = True
    rest = is_free & ~matched
    inside = rest[rows] & rest[cols]
    pairs.extend(_blossom(n, rows[inside], cols[inside], vals[inside], participation))
    weight_of = dict(
        zip(zip(rows.tolist(), cols.tolist(), strict=True), vals.tolist(), strict=True)
    )
    objective = float(sum(weight_of[p] for p in pairs))

    if graph.score_block is not None:
        more, extra = _fill_leftovers(graph, pairs, is_free, participation, exact_max_people)
        pairs.extend(more)
        objective += extra
    upper = lp_value - shift * len(pairs) if participation else lp_value
    return sorted(pairs), objective, max(upper, objective)


def _fill_leftovers(
    graph: CandidateGraph,
    pairs: list[Pair],
    is_free: np.ndarray,
    participation: bool,
    exact_max_people: int,
) -> tuple[list[Pair], float]:
    """Pair people the candidate graph left single, using their best partners among
    themselves (candidate lists can all point at a few popular people)."""
    assert graph.score_block is not None
    matched = np.zeros(graph.size, dtype=bool)
    for i, j in pairs:
        matched[[i, j]] = True
    left = np.flatnonzero(is_free & ~matched)
    found: list[Pair] = []
    total = 0.0
    while len(left) > 1:
        if len(left) <= exact_max_people:
            sub = graph.score_block(left, left).astype(np.float64)
            np.fill_diagonal(sub, -np.inf)
            local = _exact_dense(sub, participation)
            weights = [float(sub[a, b]) for a, b in local]
        else:
            rows, cols, vals = _leftover_candidates(graph, left)
            if not participation:
                keep = vals > 0
                rows, cols, vals = rows[keep], cols[keep], vals[keep]
            local = _blossom(len(left), rows, cols, vals, participation)
            lookup = dict(
                zip(zip(rows.tolist(), cols.tolist(), strict=True), vals.tolist(), strict=True)
            )
            weights = [lookup[p] for p in local]
        if not local:
            break
        used = np.zeros(len(left), dtype=bool)
        for (a, b), value in zip(local, weights, strict=True):
            found.append((int(left[a]), int(left[b])))
            total += value
            used[[a, b]] = True
        left = left[~used]
    return found, total


def _leftover_candidates(
    graph: CandidateGraph, left: IntArray, k: int = CANDIDATES_PER_PERSON, block: int = 512
) -> tuple[IntArray, IntArray, FloatArray]:
    assert graph.score_block is not None
    parts = []
    for start in range(0, len(left), block):
        chunk = left[start : start + block]
        sub = graph.score_block(chunk, left).astype(np.float64)
        sub[np.arange(len(chunk)), start + np.arange(len(chunk))] = -np.inf
        rows, cols, vals, _ = top_k_block(sub, start + np.arange(len(chunk)), k)
        parts.append((rows, cols, vals))
    rows = np.concatenate([p[0] for p in parts])
    cols = np.concatenate([p[1] for p in parts])
    vals = np.concatenate([p[2] for p in parts])
    g = CandidateGraph.from_edges(len(left), rows, cols, vals)
    return g.rows, g.cols, g.weights


def _lp_assignment(
    graph: CandidateGraph,
    free: IntArray,
    rows: IntArray,
    cols: IntArray,
    vals: FloatArray,
    shift: float,
) -> tuple[float, IntArray]:
    """Fractional-matching LP bound, valid for every pair including those not listed.

    The LP ``max w.x, each person's pairs sum to <= 1`` has the dual ``min sum y``,
    ``y_i + y_j >= w_ij``, ``y >= 0``. Requiring also ``y_i >= outside_max_i / 2`` covers
    every unlisted pair. That LP equals half a maximum-weight assignment on the bipartite
    double cover with a "stay single" edge worth ``max(outside_max_i, 0)`` on the
    diagonal, which scipy's sparse LAPJV solves exactly. Returns the LP value and, per
    person, the partner in the assignment (-1 when single or not free).
    """
    n = graph.size
    m = len(free)
    partner = np.full(n, -1, dtype=np.int64)
    if m == 0:
        return 0.0, partner
    position = np.full(n, -1, dtype=np.int64)
    position[free] = np.arange(m)
    single = np.maximum(graph.outside_max[free] + shift, 0.0)
    r, c = position[rows], position[cols]
    top = float(max(vals.max() if len(vals) else 0.0, single.max(), 0.0)) + 1.0
    # Costs are shifted to stay positive (a full assignment always uses m entries).
    data = np.concatenate([top - vals, top - vals, top - single])
    ii = np.concatenate([r, c, np.arange(m)])
    jj = np.concatenate([c, r, np.arange(m)])
    matrix = scipy.sparse.csr_array((data, (ii, jj)), shape=(m, m))
    row_ind, col_ind = min_weight_full_bipartite_matching(matrix)
    total = float(np.sum(top - matrix[row_ind, col_ind]))
    assigned = row_ind != col_ind
    partner[free[row_ind[assigned]]] = free[col_ind[assigned]]
    value = total / 2.0
    return value + 1e-9 * max(1.0, abs(value)), partner


def _unmatched_reasons(
    n: int, groups: tuple[tuple[int, ...], ...], best: FloatArray, participation: bool
) -> tuple[Unmatched, ...]:
    placed = np.zeros(n, dtype=bool)
    for group in groups:
        placed[list(group)] = True
    left = np.flatnonzero(~placed)
    out: list[Unmatched] = []
    for i in left.tolist():
        if not np.isfinite(best[i]):
            reason = "no allowed partner: every pair with this person is forbidden"
        elif not participation and best[i] <= 0:
            reason = "no partner with a positive score"
        elif len(left) == 1 and n % 2 == 1:
            reason = "odd number of people: one person is left over"
        else:
            reason = "every allowed partner is already paired with someone else"
        out.append(Unmatched(int(i), reason))
    return tuple(out)
