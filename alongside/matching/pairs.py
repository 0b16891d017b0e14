"""Pairs: maximum-weight matching, exact on small inputs, near-exact with a bound at scale.

Up to ``EXACT_MAX_PEOPLE`` people, rustworkx's compiled blossom algorithm solves the
dense problem exactly. Above that (or given a :class:`CandidateGraph`) only each
person's best partners are listed, and the fractional-matching LP does the heavy
lifting: solved as an assignment on the bipartite double cover, its duals give an upper
bound valid for *every* pair (unlisted pairs are checked and covered), its whole pairs
are kept, and the rest is joined by cheapest augmenting paths, a vectorised local search
and an exact blossom re-solve around whoever is left single or overpaid.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from typing import Any

import numpy as np
import rustworkx as rx
import scipy.sparse

from .candidates import CandidateGraph, top_k_block
from .errors import MatchingError
from .pairs_lp import dual_lp, lp_round, shifted_lp_assignment
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
CANDIDATES_PER_PERSON = 32


def candidates_for(people: int) -> int:
    """Partners to list per person: more is tighter, fewer is faster at 50,000."""
    return CANDIDATES_PER_PERSON if people <= 20_000 else 24


#: From this many people the exact solver first drops pairs the LP rules out.
PRUNE_MIN_PEOPLE = 120
#: People re-solved exactly around the ones the heuristics left single or overpaid.
REGION_MAX_PEOPLE = 3000

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
        method = "LP-guided matching on candidate pairs, LP bound"
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
    # Only the people with a pair take part: rustworkx's work grows with node count.
    people, local = np.unique(np.concatenate([rows, cols]), return_inverse=True)
    m = len(rows)
    graph = rx.PyGraph(multigraph=False)
    graph.add_nodes_from(range(len(people)))
    graph.add_edges_from(list(zip(local[:m].tolist(), local[m:].tolist(), ints, strict=True)))
    matching = rx.max_weight_matching(
        graph, max_cardinality=participation, weight_fn=lambda weight: weight
    )
    ids = people.tolist()
    return sorted((min(ids[a], ids[b]), max(ids[a], ids[b])) for a, b in matching)


def _exact_dense(weights: FloatArray, participation: bool) -> list[Pair]:
    n = weights.shape[0]
    rows, cols = np.triu_indices(n, 1)
    vals = weights[rows, cols]
    keep = np.isfinite(vals) if participation else vals > 0
    rows, cols, vals = rows[keep], cols[keep], vals[keep]
    if n >= PRUNE_MIN_PEOPLE and len(vals) and vals.min() >= 0:
        pairs = _exact_by_reduced_cost(n, rows, cols, vals, participation)
        if pairs is not None:
            return pairs
    return _blossom(n, rows, cols, vals, participation)


def _exact_by_reduced_cost(
    n: int, rows: IntArray, cols: IntArray, vals: FloatArray, participation: bool
) -> list[Pair] | None:
    """Exact matching by blossom on the few pairs an optimum can use.

    With LP duals ``y`` (bound ``U = sum y``) a matching containing pair ``e`` weighs at
    most ``U - rc_e``, where ``rc_e = y_i + y_j - w_e``. Blossom first solves the pairs
    with the smallest reduced costs; if that matching's weight ``L`` leaves a gap
    ``U - L`` no larger than every reduced cost left out, it is optimal; otherwise
    blossom re-solves on all pairs with ``rc <= U - L``, which hold every optimum. Under
    participation the first matching must pair everyone it can (floor(n / 2)), or None.
    """
    graph = CandidateGraph(n, rows, cols, vals, np.full(n, -np.inf))
    solved = lp_round(graph, np.arange(n), rows, cols, vals)
    if solved is None:
        return None
    prices = solved[2]
    upper = float(prices.sum())
    reduced = prices[rows] + prices[cols] - vals
    slack = 1e-9 * max(1.0, abs(upper))
    threshold = float(np.quantile(reduced, min(1.0, 8.0 * n / max(len(reduced), 1))))
    for _ in range(2):
        inside = reduced <= threshold + slack
        pairs = _blossom(n, rows[inside], cols[inside], vals[inside], participation)
        if participation and len(pairs) < n // 2:
            return None
        lookup = dict(
            zip(
                zip(rows[inside].tolist(), cols[inside].tolist(), strict=True),
                vals[inside].tolist(),
                strict=True,
            )
        )
        lower = float(sum(lookup[p] for p in pairs))
        if upper - lower <= threshold + slack:
            return pairs
        threshold = upper - lower
    return pairs


def _solve_graph(
    graph: CandidateGraph, free: IntArray, participation: bool, exact_max_people: int
) -> tuple[list[Pair], float, float]:
    """Near-exact matching on a candidate graph, with a bound valid for all pairs.

    With non-negative weights (what the scoring layer produces) the LP with its duals
    guides and bounds (:func:`dual_lp`). Otherwise the LP is solved with every weight
    shifted up so that more pairs always pay (participation), and the bound subtracts
    the shift back per pair; its "stay single" option is priced at each person's best
    unlisted pair so the bound covers those too. The local search always works on
    shifted weights under participation, so it never trades a pair away.
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
    dual = None
    if len(vals) and vals.min() >= 0:
        dual = dual_lp(graph, free, rows, cols, vals)
    if dual is not None:
        # The pairs now include the good ones the bound check found the lists missed.
        mate, upper, prices, (rows, cols, vals) = dual
        reduced = prices[rows] + prices[cols] - vals
        mate = _augment_cheapest(mate, rows, cols, reduced, prices, is_free, participation)
    else:
        lp_value, _ = shifted_lp_assignment(graph, free, rows, cols, vals + shift, shift)
        # The bound's LP lets people "stay single" at their outside value; the guide not.
        _, partner = shifted_lp_assignment(graph, free, rows, cols, vals + shift, None)
        mutual = (partner >= 0) & (partner[np.maximum(partner, 0)] == np.arange(n))
        mate = np.where(mutual, partner, -1)
    mate = _greedy_complete(mate, rows, cols, vals + shift, is_free)
    mate = _improve_matching(mate, rows, cols, vals + shift)
    if dual is not None:
        mate = _resolve_region(mate, rows, cols, vals, reduced, is_free, participation)
        mate = _improve_matching(mate, rows, cols, vals + shift)
    pairs: list[Pair] = [(i, int(mate[i])) for i in np.flatnonzero(mate > np.arange(n)).tolist()]
    weight_of = dict(
        zip(zip(rows.tolist(), cols.tolist(), strict=True), vals.tolist(), strict=True)
    )
    objective = float(sum(weight_of[p] for p in pairs))

    if graph.score_block is not None:
        more, extra = _fill_leftovers(graph, pairs, is_free, participation, exact_max_people)
        pairs.extend(more)
        objective += extra
    if dual is None:
        upper = lp_value - shift * len(pairs) if participation else lp_value
    return sorted(pairs), objective, max(upper, objective)


def _augment_cheapest(
    mate: IntArray,
    rows: IntArray,
    cols: IntArray,
    reduced: FloatArray,
    prices: FloatArray,
    is_free: np.ndarray,
    participation: bool,
    max_visits: int = 20_000,
) -> IntArray:
    """Pair single people through the cheapest alternating paths, priced by the LP.

    The LP is nearly integral: its whole pairs are kept, and people it split (odd
    cycles) or left single are joined by augmenting paths whose new pairs have the least
    total reduced cost ``y_i + y_j - w_ij`` (Dijkstra; tight pairs cost nothing). Such a
    path changes the weight by at least ``y_u + y_z - cost``. Without blossom shrinking
    some paths are missed; the local search afterwards handles those.
    """
    n = len(mate)
    heads = np.concatenate([rows, cols])
    tails = np.concatenate([cols, rows])
    costs = np.concatenate([reduced, reduced])
    order = np.argsort(heads, kind="stable")
    start = np.searchsorted(heads[order], np.arange(n + 1)).tolist()
    adjacency = tails[order].tolist()
    edge_cost = np.maximum(costs[order], 0.0).tolist()
    mate_list = mate.tolist()
    price = prices.tolist()
    for u in np.flatnonzero(is_free & (mate < 0)).tolist():
        if mate_list[u] >= 0 or start[u] == start[u + 1]:
            continue
        reach: dict[int, int] = {}  # inner person -> the outer person who reached them
        dist = {u: 0.0}
        heap = [(0.0, u)]
        found, visits = -1, 0
        while heap and visits < max_visits:
            d, outer = heapq.heappop(heap)
            if d > dist.get(outer, np.inf):
                continue
            if outer != u and mate_list[outer] < 0:
                found = outer
                break
            for e in range(start[outer], start[outer + 1]):
                visits += 1
                inner = adjacency[e]
                # Keep the search a tree: an inner person is never an outer one too.
                if inner in reach or (inner in dist and mate_list[inner] >= 0) or inner == u:
                    continue
                partner = mate_list[inner]
                step = d + edge_cost[e]
                if partner < 0:
                    # Reaching a single person ends a path: queue them as a finish.
                    if step < dist.get(inner, np.inf):
                        dist[inner] = step
                        reach[inner] = outer
                        heapq.heappush(heap, (step, inner))
                    continue
                if partner in (outer, u) or partner in reach:
                    continue
                if step < dist.get(partner, np.inf):
                    dist[partner] = step
                    reach[inner] = outer
                    heapq.heappush(heap, (step, partner))
        if found < 0:
            continue
        if not participation and price[u] + price[found] - dist[found] <= 0:
            continue
        # Walk the path back to u, then flip it: each outer takes the inner it reached.
        path: list[tuple[int, int]] = []
        inner, seen = found, set()
        while inner not in seen and inner in reach:
            seen.add(inner)
            outer = reach[inner]
            path.append((inner, outer))
            if outer == u:
                break
            inner = mate_list[outer]
            seen.add(outer)
        if not path or path[-1][1] != u:
            continue
        for inner, outer in path:
            mate_list[inner], mate_list[outer] = outer, inner
    return np.array(mate_list, dtype=np.int64)


def _resolve_region(
    mate: IntArray,
    rows: IntArray,
    cols: IntArray,
    vals: FloatArray,
    reduced: FloatArray,
    is_free: np.ndarray,
    participation: bool,
    max_people: int = REGION_MAX_PEOPLE,
) -> IntArray:
    """Re-solve exactly (blossom) around the people the heuristics left unhappy.

    Seeds are single people and pairs the LP prices above their weight; the region
    grows through nearly tight pairs and always holds both people of a pair, so the
    old matching inside it is one of blossom's options and the result cannot get worse.
    """
    n = len(mate)
    pair_rc = np.zeros(n)
    matched = mate >= 0
    lookup = dict(
        zip(zip(rows.tolist(), cols.tolist(), strict=True), reduced.tolist(), strict=True)
    )
    for i in np.flatnonzero(matched & (mate > np.arange(n))).tolist():
        pair_rc[i] = pair_rc[mate[i]] = lookup.get((i, int(mate[i])), 0.0)
    seeds = np.flatnonzero(is_free & ((mate < 0) | (pair_rc > 1e-6)))
    if not len(seeds):
        return mate
    region = np.zeros(n, dtype=bool)
    region[seeds] = True
    region[mate[seeds][mate[seeds] >= 0]] = True
    # Grow (and re-solve) through nearly tight pairs, about two per person, plus the
    # current pairs so the old matching stays one of blossom's options.
    in_use = mate[rows] == cols
    share = min(1.0, 2.0 * n / max(len(reduced), 1))
    cheap = (reduced <= np.quantile(reduced, share)) | in_use if len(reduced) else in_use
    for _ in range(3):
        if region.sum() >= max_people:
            break
        touch = cheap & (region[rows] ^ region[cols])
        new = np.zeros(n, dtype=bool)
        new[rows[touch]] = True
        new[cols[touch]] = True
        new &= is_free & ~region
        picked = np.flatnonzero(new)
        room = max_people - int(region.sum())
        if len(picked) * 2 > room:
            picked = picked[: max(room // 2, 0)]
        region[picked] = True
        partners = mate[picked]
        region[partners[partners >= 0]] = True
    inside = region[rows] & region[cols] & cheap
    if not participation:
        inside &= vals > 0
    local = _blossom(n, rows[inside], cols[inside], vals[inside], participation)
    mate = mate.copy()
    mate[region] = -1
    for a, b in local:
        mate[a], mate[b] = b, a
    return mate


def _greedy_complete(
    mate: IntArray, rows: IntArray, cols: IntArray, vals: FloatArray, is_free: np.ndarray
) -> IntArray:
    """Add the heaviest candidate pairs between single people, heaviest first."""
    mate = mate.copy()
    open_ = (mate < 0) & is_free
    both = open_[rows] & open_[cols] & (vals > 0)
    for e in np.flatnonzero(both)[np.argsort(-vals[both], kind="stable")].tolist():
        a, b = int(rows[e]), int(cols[e])
        if mate[a] < 0 and mate[b] < 0:
            mate[a], mate[b] = b, a
    return mate


def _improve_matching(
    mate: IntArray, rows: IntArray, cols: IntArray, vals: FloatArray, max_rounds: int = 100
) -> IntArray:
    """Local search on a matching, every move evaluated for all candidate pairs at once.

    Moves: a single person takes a pair partner (or an unused pair forms); two pairs
    (a-b, c-d) swap to (a-c, b-d); a single person u takes a from a-b while b pairs with
    another single person x (an augmenting path of length three). Non-overlapping
    improving moves are applied together, best first, until none is left.
    """
    n = len(mate)
    mate = mate.copy()
    if not len(rows):
        return mate
    keys = rows * n + cols
    order = np.argsort(keys)
    sorted_keys, sorted_vals = keys[order], vals[order]

    def weight(a: IntArray, b: IntArray) -> FloatArray:
        lo, hi = np.minimum(a, b), np.maximum(a, b)
        k = lo * n + hi
        pos = np.minimum(np.searchsorted(sorted_keys, k), max(len(sorted_keys) - 1, 0))
        hit = (a >= 0) & (b >= 0) & (a != b) & (sorted_keys[pos] == k)
        return np.where(hit, sorted_vals[pos], -np.inf)

    both_r = np.concatenate([rows, cols])
    both_c = np.concatenate([cols, rows])
    both_v = np.concatenate([vals, vals])
    for _ in range(max_rounds):
        matched_w = np.where(mate >= 0, weight(np.arange(n), mate), 0.0)
        a, c, w_ac = both_r, both_c, both_v
        b, d = mate[a], mate[c]
        fresh = b != c
        a, c, w_ac, b, d = a[fresh], c[fresh], w_ac[fresh], b[fresh], d[fresh]
        w_ab, w_cd = matched_w[a], matched_w[c]
        # a-c replaces a-b and c-d; b and d pair up when they can, else stay single.
        w_bd = weight(b, d)
        swap = np.where(np.isfinite(w_bd), w_bd, 0.0)
        gain = w_ac + swap - w_ab - w_cd
        # Augmenting path: a single, c's partner d pairs with its best single neighbour.
        single = mate < 0
        best_single = np.full(n, -np.inf)
        best_single_id = np.full(n, -1, dtype=np.int64)
        cand = single[both_c]
        if cand.any():
            src, dst, val = both_r[cand], both_c[cand], both_v[cand]
            o = np.lexsort((dst, -val))
            src, dst, val = src[o], dst[o], val[o]
            first = np.unique(src, return_index=True)[1]
            best_single[src[first]] = val[first]
            best_single_id[src[first]] = dst[first]
        extra = np.where(
            (b < 0) & (d >= 0) & (best_single_id[np.maximum(d, 0)] != a),
            best_single[np.maximum(d, 0)],
            -np.inf,
        )
        use_extra = extra > np.where(np.isfinite(w_bd), w_bd, 0.0)
        gain = np.where(use_extra, w_ac + extra - w_ab - w_cd, gain)
        third = np.where(use_extra, best_single_id[np.maximum(d, 0)], -1)
        improving = np.flatnonzero(gain > 1e-9)
        if not len(improving):
            break
        improving = improving[np.argsort(-gain[improving], kind="stable")]
        touched = np.zeros(n, dtype=bool)
        applied = 0
        for e in improving.tolist():
            people = [int(x) for x in (a[e], b[e], c[e], d[e], third[e]) if x >= 0]
            if touched[people].any():
                continue
            if use_extra[e] and third[e] >= 0 and mate[third[e]] >= 0:
                continue
            touched[people] = True
            ae, be, ce, de = int(a[e]), int(b[e]), int(c[e]), int(d[e])
            for x in (ae, be, ce, de):
                if x >= 0:
                    mate[x] = -1
            mate[ae], mate[ce] = ce, ae
            if use_extra[e] and third[e] >= 0:
                t = int(third[e])
                mate[de], mate[t] = t, de
            elif be >= 0 and de >= 0 and np.isfinite(w_bd[e]):
                mate[be], mate[de] = de, be
            applied += 1
        if not applied:
            break
    return mate


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
