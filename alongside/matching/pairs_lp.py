"""The fractional-matching LP behind the pair solver at scale: guide, duals and bound.

``max w.x, each person's pairs sum to <= 1`` is solved exactly as an assignment on the
bipartite double cover (scipy's sparse LAPJV), its duals recovered by shortest paths in
the residual graph; above ``ASSIGNMENT_MAX_PEOPLE`` HiGHS's interior point solves the
dual directly. The duals bound every matching, and :func:`_cover_unlisted` extends the
bound to the pairs the candidate lists left out.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse
from scipy.optimize import linprog
from scipy.sparse.csgraph import min_weight_full_bipartite_matching

from .candidates import CandidateGraph
from .validation import FloatArray, IntArray

#: Up to this many people the LP is solved as a sparse assignment (exact, with one
#: cutting-plane round); above it HiGHS's interior point scales better.
ASSIGNMENT_MAX_PEOPLE = 15_000


def dual_lp(
    graph: CandidateGraph,
    free: IntArray,
    rows: IntArray,
    cols: IntArray,
    vals: FloatArray,
    rounds: int | None = None,
) -> tuple[IntArray, float, FloatArray, tuple[IntArray, IntArray, FloatArray]] | None:
    """Solve the LP, then re-solve with the pairs its bound check found short (cutting
    planes): each round tightens the bound and shows the guide pairs it missed.

    Returns the guide matching, the bound, the LP prices and the final list of pairs.
    """
    if rounds is None:
        rounds = 1 if len(free) <= ASSIGNMENT_MAX_PEOPLE else 0
    for round_ in range(rounds + 1):
        solved = lp_round(graph, free, rows, cols, vals)
        if solved is None:
            return None
        mate, upper, prices, (extra_r, extra_c, extra_w) = solved
        # Rounding can flag a listed pair as short: never list a pair twice.
        n = graph.size
        fresh = ~np.isin(extra_r * n + extra_c, rows * n + cols)
        extra_r, extra_c, extra_w = extra_r[fresh], extra_c[fresh], extra_w[fresh]
        rows = np.concatenate([rows, extra_r])
        cols = np.concatenate([cols, extra_c])
        vals = np.concatenate([vals, extra_w])
        if not len(extra_w) or round_ == rounds:
            break
    return mate, upper, prices, (rows, cols, vals)


def lp_round(
    graph: CandidateGraph, free: IntArray, rows: IntArray, cols: IntArray, vals: FloatArray
) -> tuple[IntArray, float, FloatArray, tuple[IntArray, IntArray, FloatArray]] | None:
    """The fractional-matching LP, with its duals: a guide for pairing and a bound.

    The LP ``max w.x, each person's pairs sum to <= 1`` equals half a maximum-weight
    assignment on the bipartite double cover (with a zero "stay single" diagonal), which
    scipy's sparse LAPJV solves exactly. Its duals ``y`` (``y_i + y_j >= w_ij``,
    ``y >= 0``) come from shortest paths in the residual graph; ``sum(y)`` bounds every
    matching on the listed pairs, and :func:`_cover_unlisted` raises ``y`` just enough to
    cover the unlisted pairs as well. The assignment's 2-cycles are the pairs the LP
    takes whole.
    """
    n = graph.size
    nf = len(free)
    if nf > ASSIGNMENT_MAX_PEOPLE:
        return _highs_round(graph, free, rows, cols, vals)
    position = np.full(n, -1, dtype=np.int64)
    position[free] = np.arange(nf)
    r, c = position[rows], position[cols]
    top = float(max(vals.max(), 0.0)) + 1.0
    heads = np.concatenate([r, c, np.arange(nf)])
    tails = np.concatenate([c, r, np.arange(nf)])
    cost = np.concatenate([top - vals, top - vals, np.full(nf, top)])
    matrix = scipy.sparse.csr_array((cost, (heads, tails)), shape=(nf, nf))
    try:
        row_ind, col_ind = min_weight_full_bipartite_matching(matrix)
    except ValueError:
        return None
    sigma = np.empty(nf, dtype=np.int64)
    sigma[row_ind] = col_ind
    assigned = np.asarray(matrix[np.arange(nf), sigma]).reshape(-1)
    potential = _residual_potentials(sigma[heads], tails, cost - assigned[heads], nf)
    if potential is None:
        return None
    u = assigned - potential[sigma]
    y = np.maximum((top - u - potential) / 2.0, 0.0)
    # Floating point: raise y until every listed pair is exactly covered.
    short = np.zeros(nf)
    np.maximum.at(short, r, vals - y[r] - y[c])
    y += short
    prices = np.zeros(n)
    prices[free] = y
    y, extra = _cover_unlisted(y, graph, free)
    upper = float(y.sum()) * (1 + 1e-12) + 1e-9
    mate = np.full(n, -1, dtype=np.int64)
    whole = (sigma != np.arange(nf)) & (sigma[sigma] == np.arange(nf))
    mate[free[whole]] = free[sigma[whole]]
    return mate, upper, prices, extra


def _highs_round(
    graph: CandidateGraph, free: IntArray, rows: IntArray, cols: IntArray, vals: FloatArray
) -> tuple[IntArray, float, FloatArray, tuple[IntArray, IntArray, FloatArray]] | None:
    """The same LP through its dual, ``min sum y, y_i + y_j >= w_ij, y >= 0``, with
    HiGHS's interior point (for large cohorts, where the sparse assignment slows down).
    The constraints' marginals are the LP's pairs."""
    n = graph.size
    m, nf = len(vals), len(free)
    position = np.full(n, -1, dtype=np.int64)
    position[free] = np.arange(nf)
    r, c = position[rows], position[cols]
    constraints = scipy.sparse.csr_array(
        (np.full(2 * m, -1.0), (np.tile(np.arange(m), 2), np.concatenate([r, c]))), shape=(m, nf)
    )
    solved = linprog(
        np.ones(nf), A_ub=constraints, b_ub=-vals, bounds=(0, None), method="highs-ipm"
    )
    if solved.status != 0 or solved.x is None:
        return None
    y = np.maximum(np.asarray(solved.x, dtype=np.float64), 0.0)
    short = np.zeros(nf)
    np.maximum.at(short, r, vals - y[r] - y[c])
    y += short
    prices = np.zeros(n)
    prices[free] = y
    y, extra = _cover_unlisted(y, graph, free)
    upper = float(y.sum()) * (1 + 1e-12) + 1e-9
    taken = -np.asarray(solved.ineqlin.marginals) > 0.75
    mate = np.full(n, -1, dtype=np.int64)
    for e in np.flatnonzero(taken).tolist():
        a, b = int(rows[e]), int(cols[e])
        if mate[a] < 0 and mate[b] < 0:
            mate[a], mate[b] = b, a
    return mate, upper, prices, extra


def _residual_potentials(
    src: IntArray, dst: IntArray, weight: FloatArray, size: int, max_rounds: int = 3000
) -> FloatArray | None:
    """Shortest distances from a virtual source (0 to every node): vectorised
    Bellman-Ford, one relaxation of all arcs per round, until nothing changes."""
    keep = src != dst
    order = np.argsort(dst[keep], kind="stable")
    src, dst, weight = src[keep][order], dst[keep][order], weight[keep][order]
    if not len(dst):
        return np.zeros(size)
    starts = np.flatnonzero(np.r_[True, dst[1:] != dst[:-1]])
    targets = dst[starts]
    dist = np.zeros(size)
    # Rounding in the assignment can leave cycles a hair below zero; ignoring gains
    # this small keeps the search finite (the caller re-checks every pair anyway).
    tolerance = 1e-9 * max(1.0, float(np.abs(weight).max()))
    for _ in range(max_rounds):
        best = np.minimum.reduceat(dist[src] + weight, starts)
        improved = best < dist[targets] - tolerance
        if not improved.any():
            return dist
        dist[targets[improved]] = best[improved]
    return None


def _cover_unlisted(
    y: FloatArray, graph: CandidateGraph, free: IntArray
) -> tuple[FloatArray, tuple[IntArray, IntArray, FloatArray]]:
    """Raise the duals ``y`` (indexed like ``free``) until they cover unlisted pairs too.

    An unlisted pair weighs at most ``min(t_i, t_j)`` (t = ``outside_max``), so pairs of
    people with ``y >= t / 2`` are covered already. The others are checked exactly
    against everyone with ``score_block`` (a fraction of a full scoring pass); the
    cheapest raises covering every pair found short come from a small LP (a fractional
    vertex cover). Without ``score_block`` the others are raised to t / 2. Returns the
    raised duals and the pairs found short (good pairs the candidate lists missed).
    """
    y = y.copy()
    t = graph.outside_max[free]
    low = np.flatnonzero(np.isfinite(t) & (y < t / 2))
    none = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0))
    if graph.score_block is None:
        return np.where(np.isfinite(t), np.maximum(y, t / 2), y), none
    found_r, found_c, found_w, found_v = [], [], [], []
    step = max(1, 4_000_000 // max(len(free), 1))
    for start in range(0, len(low), step):
        chunk = low[start : start + step]
        scores = graph.score_block(free[chunk], free)
        short = scores - y[chunk][:, None] - y[None, :]
        r, c = np.nonzero(short > 1e-9)
        found_r.append(chunk[r])
        found_c.append(c)
        found_w.append(scores[r, c])
        found_v.append(short[r, c])
    if not found_r or not sum(len(x) for x in found_r):
        return y, none
    r, c = np.concatenate(found_r), np.concatenate(found_c)
    w, v = np.concatenate(found_w), np.concatenate(found_v)
    lo, hi = np.minimum(r, c), np.maximum(r, c)
    _, first = np.unique(lo * len(free) + hi, return_index=True)
    lo, hi, w, v = lo[first], hi[first], w[first], v[first]
    people, local = np.unique(np.concatenate([lo, hi]), return_inverse=True)
    m = len(lo)
    cover = scipy.sparse.csr_array(
        (np.full(2 * m, -1.0), (np.tile(np.arange(m), 2), local)), shape=(m, len(people))
    )
    solved = linprog(np.ones(len(people)), A_ub=cover, b_ub=-v, bounds=(0, None), method="highs")
    if solved.status == 0 and solved.x is not None:
        raise_by = np.asarray(solved.x, dtype=np.float64)
        # Solver tolerances: top up any pair still short.
        gap = v - raise_by[local[:m]] - raise_by[local[m:]]
        np.maximum.at(raise_by, local[:m], gap)
        y[people] += np.maximum(raise_by, 0.0)
    else:
        fallback = np.zeros(len(free))
        np.maximum.at(fallback, lo, v)
        y += fallback
    return y, (free[lo], free[hi], w)


def shifted_lp_assignment(
    graph: CandidateGraph,
    free: IntArray,
    rows: IntArray,
    cols: IntArray,
    vals: FloatArray,
    shift: float | None,
) -> tuple[float, IntArray]:
    """Fractional-matching LP bound, valid for every pair including those not listed.

    The LP ``max w.x, each person's pairs sum to <= 1`` has the dual ``min sum y``,
    ``y_i + y_j >= w_ij``, ``y >= 0``. Requiring also ``y_i >= outside_max_i / 2`` covers
    every unlisted pair. That LP equals half a maximum-weight assignment on the bipartite
    double cover with a "stay single" edge worth ``max(outside_max_i, 0)`` on the
    diagonal, which scipy's sparse LAPJV solves exactly. Returns the LP value and, per
    person, the partner in the assignment (-1 when single or not free). With ``shift``
    None the unlisted pairs are ignored (a guide for the solution, not a bound).
    """
    n = graph.size
    m = len(free)
    partner = np.full(n, -1, dtype=np.int64)
    if m == 0:
        return 0.0, partner
    position = np.full(n, -1, dtype=np.int64)
    position[free] = np.arange(m)
    outside = graph.outside_max[free]
    single = np.zeros(m) if shift is None else np.maximum(outside + shift, 0.0)
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
