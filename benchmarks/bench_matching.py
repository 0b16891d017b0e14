"""Matching engine benchmarks: speed and quality against the targets of issue 3.

    .venv/bin/python -m benchmarks.bench_matching            # full run (several minutes)
    .venv/bin/python -m benchmarks.bench_matching --quick    # smaller sizes, a minute
    .venv/bin/python -m benchmarks.bench_matching --case pairs-10k

Every case runs in its own process so its peak memory (ru_maxrss) is its own. Cohorts
are synthetic but shaped like a real organisation: a manager tree, a level pyramid,
10 functions, time zones weighted towards India, ~80 development topics with a few
popular ones, standard office hours per location.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from alongside.matching import (
    Candidate,
    MatchRules,
    Scorer,
    parse_availability,
    solve_circles,
    solve_mentoring,
    solve_pairs,
)
from alongside.matching.circles import circle_sizes
from alongside.matching.pairs import candidates_for

FUNCTIONS = [
    "Engineering",
    "Finance",
    "Sales",
    "HR",
    "Operations",
    "Legal",
    "Marketing",
    "Product",
    "Support",
    "Data",
]
ZONES = [
    ("Asia/Kolkata", 5.5, 0.55),
    ("Europe/London", 0.0, 0.2),
    ("America/New_York", -5.0, 0.1),
    ("Asia/Singapore", 8.0, 0.1),
    ("Europe/Berlin", 1.0, 0.05),
]
HOURS = ["Mon-Fri 09:00-17:00", "Mon-Fri 10:00-18:00", "Mon-Thu 08:00-16:00", "Mon-Fri 12:00-20:00"]
TOPICS = [f"topic {i}" for i in range(80)]


def cohort(n: int, seed: int = 0, role: str = "peer") -> list[Candidate]:
    rng = np.random.default_rng(seed)
    popularity = 1.0 / np.arange(1, len(TOPICS) + 1) ** 0.8
    popularity /= popularity.sum()
    zone_p = np.array([z[2] for z in ZONES])
    availability = {(h, z[1]): parse_availability(h, z[1]) for h in HOURS for z in ZONES}
    people = []
    for i in range(n):
        zone = ZONES[rng.choice(len(ZONES), p=zone_p / zone_p.sum())]
        hours = HOURS[rng.integers(len(HOURS))]
        depth = int(rng.integers(0, 5))
        people.append(
            Candidate(
                id=f"{role}{i}",
                name=f"Person {i}",
                function=FUNCTIONS[rng.integers(len(FUNCTIONS))],
                level=2 + depth,
                location=zone[0].split("/")[1],
                timezone=zone[0],
                utc_offset_hours=zone[1],
                languages=frozenset(
                    ["English"] + (["Hindi"] if zone[1] == 5.5 and rng.random() < 0.6 else [])
                ),
                wants=frozenset(
                    rng.choice(TOPICS, rng.integers(2, 5), replace=False, p=popularity)
                ),
                offers=frozenset(
                    rng.choice(TOPICS, rng.integers(2, 5), replace=False, p=popularity)
                ),
                # A cohort is a slice of the organisation: a fifth of its managers are in it.
                manager_id=(
                    f"{role}{(i - 1) // 6}" if i and rng.random() < 0.2 else f"outside{i // 6}"
                ),
                availability=availability[(hours, zone[1])],
            )
        )
    return people


def timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    start = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - start


# -- cases ------------------------------------------------------------------------------
def case_pairs_exact(n: int, with_networkx: bool) -> dict[str, Any]:
    scorer = Scorer(cohort(n), MatchRules())
    w = scorer.matrix()
    result, seconds = timed(lambda: solve_pairs(w))
    out = {
        "case": f"pairs exact, {n} people",
        "seconds": seconds,
        "objective": result.objective,
        "upper_bound": result.upper_bound,
        "optimal": result.optimal,
    }
    if with_networkx:
        import networkx as nx

        graph = nx.Graph()
        rows, cols = np.triu_indices(n, 1)
        keep = np.isfinite(w[rows, cols])
        graph.add_weighted_edges_from(
            zip(rows[keep].tolist(), cols[keep].tolist(), w[rows, cols][keep].tolist(), strict=True)
        )
        matching, nx_seconds = timed(lambda: nx.max_weight_matching(graph, maxcardinality=True))
        out["networkx_seconds"] = nx_seconds
        out["networkx_objective"] = float(sum(w[a, b] for a, b in matching))
    return out


def case_pairs_large(n: int) -> dict[str, Any]:
    people = cohort(n)
    start = time.perf_counter()
    scorer = Scorer(people, MatchRules())
    graph = scorer.graph(candidates_for(n))
    scored = time.perf_counter() - start
    result = solve_pairs(graph)
    total = time.perf_counter() - start
    return {
        "case": f"pairs end to end, {n} people",
        "seconds": total,
        "scoring_seconds": scored,
        "objective": result.objective,
        "upper_bound": result.upper_bound,
        "unmatched": len(result.unmatched),
    }


def case_mentoring(n_mentees: int, n_mentors: int) -> dict[str, Any]:
    mentees = cohort(n_mentees, seed=1, role="mentee")
    mentors = cohort(n_mentors, seed=2, role="mentor")
    mentors = [Candidate(**{**m.__dict__, "level": (m.level or 1) + 3}) for m in mentors]
    scorer = Scorer([*mentees, *mentors], MatchRules())
    w, scored = timed(
        lambda: scorer.block(
            np.arange(n_mentees), np.arange(n_mentees, n_mentees + n_mentors), mentoring=True
        )
    )
    result, seconds = timed(lambda: solve_mentoring(w, np.full(n_mentors, 2)))
    return {
        "case": f"mentoring {n_mentees} x {n_mentors} (capacity 2)",
        "seconds": seconds,
        "scoring_seconds": scored,
        "objective": result.objective,
        "upper_bound": result.upper_bound,
        "optimal": result.optimal,
        "unmatched": len(result.unmatched),
    }


def case_circles_large(n: int) -> dict[str, Any]:
    w, scored = timed(lambda: Scorer(cohort(n), MatchRules()).matrix())
    result, seconds = timed(lambda: solve_circles(w, min_size=4, max_size=8, target_size=6))
    sizes = sorted({len(g) for g in result.groups})
    return {
        "case": f"circles {n} people (4-8, target 6)",
        "seconds": seconds,
        "scoring_seconds": scored,
        "objective": result.objective,
        "upper_bound": result.upper_bound,
        "sizes": sizes,
    }


def plain_swap_local_search(w: np.ndarray, sizes: list[int], seed: int, time_limit: float) -> float:
    """The baseline: a random partition, then best pairwise swaps until none improves."""
    rng = np.random.default_rng(seed)
    n, k = w.shape[0], len(sizes)
    w = np.where(np.isfinite(w), w, -1e6)
    np.fill_diagonal(w, 0.0)
    assign = rng.permutation(np.repeat(np.arange(k), sizes))
    onehot = np.zeros((n, k))
    onehot[np.arange(n), assign] = 1.0
    g = w @ onehot  # g[i, c]: weight from i to circle c
    scale = 2.0 / (np.array(sizes, dtype=float) - 1)
    deadline = time.perf_counter() + time_limit
    improved = True
    while improved and time.perf_counter() < deadline:
        improved = False
        for i in rng.permutation(n).tolist():
            a = assign[i]
            b = assign
            delta = scale[a] * (g[np.arange(n), a] - g[i, a] - w[i]) + scale[b] * (
                g[i, b] - g[np.arange(n), b] - w[i]
            )
            delta[b == a] = -np.inf
            j = int(np.argmax(delta))
            if delta[j] > 1e-9:
                bj = assign[j]
                g[:, a] += w[j] - w[i]
                g[:, bj] += w[i] - w[j]
                assign[i], assign[j] = bj, a
                improved = True
    total = 0.0
    for c in range(k):
        members = np.flatnonzero(assign == c)
        total += w[np.ix_(members, members)].sum() / (sizes[c] - 1)
    return float(total)


def plain_swap_restarts(
    w: np.ndarray, sizes: list[int], seed: int, time_limit: float
) -> tuple[float, int]:
    """The baseline given the whole budget: descents from new random partitions (same
    sizes) until the time is up; the best objective and the number of descents."""
    deadline = time.perf_counter() + time_limit
    best, runs = -np.inf, 0
    while runs == 0 or time.perf_counter() < deadline:
        left = max(deadline - time.perf_counter(), 0.0)
        best = max(best, plain_swap_local_search(w, sizes, seed + runs, left))
        runs += 1
    return float(best), runs


def circles_lp_bound(
    w: np.ndarray,
    *,
    min_size: int,
    sizes: list[int] | None = None,
    partners: int = 40,
    rounds: int = 6,
    log: Callable[[str], None] | None = None,
) -> float:
    """An upper bound on the circle objective from a linear relaxation with triangle
    cuts, valid for all n² pairs (a Lagrangian bound from the LP's duals).

    Free sizes (``sizes`` None, circles of at least ``min_size``): y_ij = 1/(s-1) when
    i and j share a circle of s, so the objective is sum 2 w_ij y_ij with each person's
    y summing to 1, 0 ≤ y ≤ 1/(min_size-1), and y_ij + y_jk - y_ik ≤ 1/(min_size-1).
    Fixed sizes (``sizes``, all s or s-1): x_ij = 1 when i and j share a circle, each
    person has s-2..s-1 circle-mates, the pairs total sum C(s_c, 2), x_ij + x_jk - x_ik
    ≤ 1; the objective counts every circle at 2 w / (s-1), and the circles of s-1 get
    at most their whole value × (1 - (s-2)/(s-1)) more, bounded by each person's best.
    The LP is solved on each person's ``partners`` best pairs; the bound then adds
    every other pair's positive reduced cost, so leaving pairs out never makes it
    invalid (only looser).
    """
    from scipy import sparse
    from scipy.optimize import linprog

    n = w.shape[0]
    weight = np.where(np.isfinite(w), w, -np.inf)
    np.fill_diagonal(weight, -np.inf)
    allowed = np.isfinite(weight)
    weight = (np.where(allowed, weight, 0.0) + np.where(allowed, weight, 0.0).T) / 2.0
    top = np.argsort(-np.where(allowed, weight, -np.inf), axis=1)[:, :partners]
    listed = np.zeros((n, n), dtype=bool)
    listed[np.arange(n)[:, None], top] = True
    listed = (listed | listed.T) & allowed
    rows, cols = np.nonzero(np.triu(listed, 1))
    m = len(rows)
    var = np.full((n, n), -1, dtype=np.int64)
    var[rows, cols] = var[cols, rows] = np.arange(m)
    incidence = sparse.csr_matrix(
        (np.ones(2 * m), (np.concatenate([rows, cols]), np.tile(np.arange(m), 2))), shape=(n, m)
    )
    free = sizes is None
    if free:
        cap = 1.0 / (min_size - 1)
        gain_matrix = 2.0 * weight
        row_ub, b_row_ub = None, None
        a_eq, b_eq = incidence, np.ones(n)
        extra = 0.0
    else:
        assert sizes is not None
        big, small = max(sizes), min(sizes)
        if big - small > 1:
            raise ValueError("fixed sizes must be s or s - 1")
        cap = 1.0
        gain_matrix = 2.0 * weight / (big - 1)
        row_ub = sparse.vstack([incidence, -incidence]).tocsr()
        b_row_ub = np.concatenate([np.full(n, big - 1.0), np.full(n, -(small - 1.0))])
        a_eq = sparse.csr_matrix(np.ones((1, m)))
        b_eq = np.array([sum(s * (s - 1) / 2 for s in sizes)])
        extra = 0.0
        if small < big:
            best_mean = -np.sort(-np.where(allowed, weight, -np.inf), axis=1)[:, : small - 1]
            circle_max = small * float(best_mean.mean(axis=1).max())
            extra = sizes.count(small) * circle_max * (1.0 - (small - 1) / (big - 1))
    gain = gain_matrix[rows, cols]
    cut_rows: list[int] = []
    cut_cols: list[int] = []
    cut_vals: list[float] = []
    n_cuts = 0
    for number in range(rounds):
        cuts = sparse.csr_matrix((cut_vals, (cut_rows, cut_cols)), shape=(n_cuts, m))
        a_ub = cuts if row_ub is None else sparse.vstack([row_ub, cuts]).tocsr()
        b_ub = np.full(n_cuts, cap)
        if b_row_ub is not None:
            b_ub = np.concatenate([b_row_ub, b_ub])
        res = linprog(
            -gain,
            A_ub=a_ub if a_ub.shape[0] else None,
            b_ub=b_ub if a_ub.shape[0] else None,
            A_eq=a_eq,
            b_eq=b_eq,
            bounds=(0, cap),
            method="highs-ipm",
        )
        if res.status != 0:
            raise RuntimeError(f"circle LP failed: {res.message}")
        if log is not None:
            log(f"LP round {number}: {n_cuts} cuts, {-res.fun:.1f}")
        # Violated triangles y_ij + y_jk - y_ik > cap around each j, on the LP's support.
        y = np.zeros((n, n))
        y[rows, cols] = y[cols, rows] = res.x
        found: list[tuple[float, int, int, int]] = []
        for j in range(n):
            around = np.flatnonzero(y[j] > 1e-7)
            if len(around) < 2:
                continue
            vals = y[j, around]
            excess = vals[:, None] + vals[None, :] - y[np.ix_(around, around)] - cap
            a_idx, c_idx = np.nonzero(np.triu(excess > 1e-6, 1))
            found += [
                (float(excess[p, q]), int(around[p]), j, int(around[q]))
                for p, q in zip(a_idx.tolist(), c_idx.tolist(), strict=True)
            ]
        if not found:
            break
        found.sort(reverse=True)
        for _excess, i, j, k in found[:20000]:
            if var[i, j] < 0 or var[j, k] < 0:
                continue
            cut_rows += [n_cuts, n_cuts]
            cut_cols += [int(var[i, j]), int(var[j, k])]
            cut_vals += [1.0, 1.0]
            if var[i, k] >= 0:
                cut_rows.append(n_cuts)
                cut_cols.append(int(var[i, k]))
                cut_vals.append(-1.0)
            n_cuts += 1
    # Lagrangian bound over every pair: duals of the last LP (as multipliers ≥ 0 for ≤).
    lam = np.maximum(-res.ineqlin.marginals, 0.0) if a_ub.shape[0] else np.zeros(0)
    nu = -res.eqlin.marginals
    bound = float(b_eq @ nu) + (float(b_ub @ lam) if len(lam) else 0.0)
    if free:
        person = nu
        shared = 0.0
        cut_part = lam
    else:
        person = lam[:n] - lam[n : 2 * n]
        shared = float(nu[0])
        cut_part = lam[2 * n :]
    reduced = gain_matrix - person[:, None] - person[None, :] - shared
    if n_cuts:
        by_var = np.asarray(cuts.T @ cut_part).ravel()
        reduced[rows, cols] -= by_var
    reduced = np.where(np.triu(allowed, 1), reduced, 0.0)
    bound += cap * float(np.maximum(reduced, 0.0).sum())
    return bound + extra


def scored_cohort(n: int) -> np.ndarray:
    """The scored cohort of the circle comparisons: real scoring, default rules."""
    return Scorer(cohort(n, seed=5), MatchRules()).matrix()


def uniform_weights(n: int) -> np.ndarray:
    """Unstructured weights: symmetric, uniform on [0, 1) (seed 1), no forbidden pairs."""
    rng = np.random.default_rng(1)
    w = rng.random((n, n))
    w = (w + w.T) / 2.0
    np.fill_diagonal(w, 0.0)
    return w


def against_plain_swap(
    w: np.ndarray, ours: Any, sizes: list[int], time_limit: float
) -> dict[str, Any]:
    """Our objective and bound beside plain swap on ``sizes``: one descent, and the best
    of as many descents as fit in the same time."""
    baseline, base_seconds = timed(lambda: plain_swap_local_search(w, sizes, 0, time_limit))
    restarts, runs = plain_swap_restarts(w, sizes, 0, time_limit)
    return {
        "objective": ours.objective,
        "upper_bound": ours.upper_bound,
        "baseline_objective": baseline,
        "baseline_seconds": base_seconds,
        "restarts_objective": restarts,
        "restarts": runs,
    }


def case_circles_vs_swap(
    n: int, time_limit: float, bound: bool = False, weights: str = "scored"
) -> dict[str, Any]:
    w = scored_cohort(n) if weights == "scored" else uniform_weights(n)
    lo = 5 if weights == "scored" else 4
    hi = 6 if weights == "scored" else 8
    ours, seconds = timed(
        lambda: solve_circles(w, min_size=lo, max_size=hi, target_size=6, time_limit=time_limit)
    )
    sizes = [len(g) for g in ours.groups]
    out = {
        "case": f"circles {n} people, {weights} weights ({lo}-{hi}, target 6), {time_limit:g} s "
        "vs plain swap local search",
        "seconds": seconds,
        **against_plain_swap(w, ours, sizes, time_limit),
        "sizes": sorted(set(sizes)),
    }
    if bound:
        out["lp_bound"], out["lp_seconds"] = timed(
            lambda: circles_lp_bound(w, min_size=lo, sizes=sizes)
        )
    return out


def case_circles_free_sizes(
    n: int, time_limit: float, bound: bool = False, weights: str = "scored"
) -> dict[str, Any]:
    """Sizes 4-8 and no target: the solver picks sizes; plain swap keeps the sizes of
    its random start, which are the solver's own default (as close to 6 as fits)."""
    w = scored_cohort(n) if weights == "scored" else uniform_weights(n)
    ours, seconds = timed(lambda: solve_circles(w, min_size=4, max_size=8, time_limit=time_limit))
    start_sizes = circle_sizes(n, 4, 8, None).tolist()
    ours_sizes = [len(g) for g in ours.groups]
    same_sizes, _ = plain_swap_restarts(w, ours_sizes, 0, time_limit)
    out = {
        "case": f"circles {n} people, {weights} weights (4-8, no target), {time_limit:g} s "
        "vs plain swap local search",
        "seconds": seconds,
        **against_plain_swap(w, ours, start_sizes, time_limit),
        "baseline_on_our_sizes": same_sizes,
        "sizes": {s: ours_sizes.count(s) for s in sorted(set(ours_sizes))},
    }
    if bound:
        out["lp_bound"], out["lp_seconds"] = timed(lambda: circles_lp_bound(w, min_size=4))
    return out


def case_circles_planted(n: int, size: int) -> dict[str, Any]:
    rng = np.random.default_rng(11)
    label = rng.permutation(np.arange(n) // size)
    w = rng.normal(0.0, 0.3, (n, n))
    w = (w + w.T) / 2 + (label[:, None] == label[None, :]) * 1.0
    np.fill_diagonal(w, 0.0)
    planted = 0.0
    for c in range(n // size):
        m = np.flatnonzero(label == c)
        planted += w[np.ix_(m, m)].sum() / (size - 1)
    result, seconds = timed(lambda: solve_circles(w, min_size=4, max_size=8, target_size=size))
    return {
        "case": f"circles {n} people, planted circles of {size}",
        "seconds": seconds,
        "objective": result.objective,
        "upper_bound": result.upper_bound,
        "planted_objective": planted,
    }


CASES: dict[str, Callable[[bool], dict[str, Any]]] = {
    "pairs-500": lambda quick: case_pairs_exact(200 if quick else 500, with_networkx=True),
    "pairs-10k": lambda quick: case_pairs_large(2000 if quick else 10_000),
    "pairs-50k": lambda quick: case_pairs_large(5000 if quick else 50_000),
    "mentoring": lambda quick: case_mentoring(*((1000, 500) if quick else (5000, 2500))),
    "circles-10k": lambda quick: case_circles_large(2000 if quick else 10_000),
    "circles-vs-swap": lambda quick: case_circles_vs_swap(1000, 2.0 if quick else 10.0),
    "circles-free-sizes": lambda quick: case_circles_free_sizes(1000, 2.0 if quick else 10.0),
    "circles-uniform-vs-swap": lambda quick: case_circles_vs_swap(
        1000, 2.0 if quick else 10.0, weights="uniform"
    ),
    "circles-uniform-free-sizes": lambda quick: case_circles_free_sizes(
        1000, 2.0 if quick else 10.0, weights="uniform"
    ),
    "circles-planted": lambda quick: case_circles_planted(600 if quick else 1200, 6),
}
# The same two comparisons plus the LP bound (a minute or more each; not in the full run).
CASES_WITH_BOUND: dict[str, Callable[[bool], dict[str, Any]]] = {
    "circles-vs-swap-bound": lambda quick: case_circles_vs_swap(
        1000, 2.0 if quick else 10.0, bound=True
    ),
    "circles-free-sizes-bound": lambda quick: case_circles_free_sizes(
        1000, 2.0 if quick else 10.0, bound=True
    ),
}


def run_case(name: str, quick: bool) -> dict[str, Any]:
    out = {**CASES, **CASES_WITH_BOUND}[name](quick)
    out["peak_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def machine() -> str:
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            cpu = next(line.split(":", 1)[1].strip() for line in info if "model name" in line)
    except (OSError, StopIteration):
        pass
    ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"nproc {os.cpu_count()}, {cpu}, {ram:.1f} GiB RAM, Python "
        f"{platform.python_version()}, numpy {np.__version__}, "
        f"load average {os.getloadavg()[0]:.1f}"
    )


def row(r: dict[str, Any]) -> str:
    quality = ""
    if r.get("upper_bound"):
        quality = f"{r['objective'] / r['upper_bound']:.4%} of upper bound"
    if "networkx_objective" in r:
        quality += (
            f"; networkx exact {r['networkx_seconds']:.1f} s, ours / networkx = "
            f"{r['objective'] / r['networkx_objective']:.6f}"
        )
    if "baseline_objective" in r:
        quality += (
            f"; plain swap LS {r['baseline_objective']:.1f} → ours "
            f"{r['objective'] / r['baseline_objective'] - 1:+.2%}"
        )
    if "restarts_objective" in r:
        quality += (
            f"; best of {r['restarts']} plain swap descents in the same time "
            f"{r['restarts_objective']:.1f} → ours "
            f"{r['objective'] / r['restarts_objective'] - 1:+.2%}"
        )
    if "baseline_on_our_sizes" in r:
        quality += (
            f"; plain swap descents on our sizes {r['baseline_on_our_sizes']:.1f} → ours "
            f"{r['objective'] / r['baseline_on_our_sizes'] - 1:+.2%}"
        )
    if "lp_bound" in r:
        quality += (
            f"; LP bound {r['lp_bound']:.1f} ({r['lp_seconds']:.0f} s): ours "
            f"{r['objective'] / r['lp_bound']:.2%} of it, at most "
            f"{r['lp_bound'] / r['baseline_objective'] - 1:+.2%} over plain swap LS is possible"
        )
    if "planted_objective" in r:
        quality += f"; {r['objective'] / r['planted_objective']:.2%} of planted"
    if r.get("optimal"):
        quality += " (proven optimal)"
    scoring = f"{r['scoring_seconds']:.2f}" if "scoring_seconds" in r else "–"
    return f"| {r['case']} | {r['seconds']:.2f} | {scoring} | {r['peak_mib']:.0f} | {quality} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller sizes, about a minute")
    parser.add_argument(
        "--case", choices=sorted({**CASES, **CASES_WITH_BOUND}), help="run one case in this process"
    )
    parser.add_argument(
        "--cpu-clock",
        action="store_true",
        help="count time limits and timings in CPU seconds of each case's process (what a "
        "case does on an uncontended core when the machine is shared)",
    )
    args = parser.parse_args()
    if args.cpu_clock:
        # Every deadline (the solver's and the baseline's) and every timing then counts
        # CPU time of this process; numpy here runs single-threaded in these cases.
        time.monotonic = time.process_time
        time.perf_counter = time.process_time
    if args.case:
        print(json.dumps(run_case(args.case, args.quick)))
        return
    print(machine())
    print("| case | seconds (solve or end to end) | scoring s | peak MiB | quality |")
    print("|---|---|---|---|---|")
    for name in CASES:
        cmd = [sys.executable, "-m", "benchmarks.bench_matching", "--case", name]
        done = subprocess.run(
            cmd + (["--quick"] if args.quick else []) + (["--cpu-clock"] if args.cpu_clock else []),
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode:
            print(f"| {name} | failed | | | {done.stderr.strip().splitlines()[-1:]} |")
            continue
        print(row(json.loads(done.stdout.strip().splitlines()[-1])), flush=True)


if __name__ == "__main__":
    main()
