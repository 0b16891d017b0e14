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


def case_circles_vs_swap(n: int, time_limit: float) -> dict[str, Any]:
    w = Scorer(cohort(n, seed=5), MatchRules()).matrix()
    ours, seconds = timed(
        lambda: solve_circles(w, min_size=5, max_size=6, target_size=6, time_limit=time_limit)
    )
    sizes = [len(g) for g in ours.groups]
    baseline, base_seconds = timed(lambda: plain_swap_local_search(w, sizes, 0, time_limit))
    return {
        "case": f"circles {n} people, {time_limit:g} s vs plain swap local search",
        "seconds": seconds,
        "objective": ours.objective,
        "upper_bound": ours.upper_bound,
        "baseline_objective": baseline,
        "baseline_seconds": base_seconds,
    }


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
    "circles-planted": lambda quick: case_circles_planted(600 if quick else 1200, 6),
}


def run_case(name: str, quick: bool) -> dict[str, Any]:
    out = CASES[name](quick)
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
            f"+{r['objective'] / r['baseline_objective'] - 1:.2%}"
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
    parser.add_argument("--case", choices=sorted(CASES), help="run one case in this process")
    args = parser.parse_args()
    if args.case:
        print(json.dumps(run_case(args.case, args.quick)))
        return
    print(machine())
    print("| case | seconds (solve or end to end) | scoring s | peak MiB | quality |")
    print("|---|---|---|---|---|")
    for name in CASES:
        cmd = [sys.executable, "-m", "benchmarks.bench_matching", "--case", name]
        done = subprocess.run(
            cmd + (["--quick"] if args.quick else []), capture_output=True, text=True, check=False
        )
        if done.returncode:
            print(f"| {name} | failed | | | {done.stderr.strip().splitlines()[-1:]} |")
            continue
        print(row(json.loads(done.stdout.strip().splitlines()[-1])), flush=True)


if __name__ == "__main__":
    main()
