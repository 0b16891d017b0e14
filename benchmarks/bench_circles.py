"""Circle benchmarks: scale (the sparse path), bounds that tell the truth, budgets, and
the engine against exact solvers (scipy's HiGHS MIP, OR-Tools CP-SAT).

    .venv/bin/python -m benchmarks.bench_circles --case bounds-300
    .venv/bin/python -m benchmarks.bench_circles --case exact --sizes 24,36,48,60
    .venv/bin/python -m benchmarks.bench_circles --case cli-50k

Every case prints one JSON line with its figures, the CPU seconds of each step
(time.process_time) and the load average when it ran. Cohorts come from
benchmarks/circles_cohort.py (a three-deep reporting line, functions, levels, offices,
languages, office hours, wants and offers). CP-SAT is used only here: install it with
``pip install -e '.[benchmarks]'``; without it the CP-SAT columns are skipped.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from math import lcm
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from alongside.matching import CandidateGraph, MatchRules, Scorer, solve_circles
from alongside.matching.budget import Budget
from alongside.matching.circle_bound import lp_bound
from alongside.matching.cli_circles import _placeable_dense
from benchmarks.circles_cohort import candidates, people_csv

REPO = Path(__file__).resolve().parent.parent


def cpu() -> float:
    return time.process_time()


def load() -> float:
    return os.getloadavg()[0]


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def weights(n: int, seed: int = 0) -> np.ndarray:
    return Scorer(candidates(n, seed), MatchRules()).matrix()


def placeable(n: int, lo_size: int, seed: int) -> np.ndarray:
    """About n people who can all sit in some circle: the cohort without its directors
    (with few people, a director may find no four others within two levels and outside
    their reporting line), less anyone the rules still keep out, as the command would."""
    people = [c for c in candidates(n + n // 3, seed) if c.level != 6][:n]
    w = Scorer(people, MatchRules()).matrix()
    keep, _ = _placeable_dense(w, lo_size)
    return w[np.ix_(keep, keep)]


def circle_value(w: np.ndarray, groups: list[list[int]]) -> float:
    total = 0.0
    for g in groups:
        block = w[np.ix_(g, g)]
        total += float(block[~np.eye(len(g), dtype=bool)].sum()) / (len(g) - 1)
    return total


# -- bounds -----------------------------------------------------------------------------
def case_bounds(n: int, effort: float) -> dict[str, Any]:
    w = weights(n)
    out: dict[str, Any] = {"case": f"bounds, {n} people", "load": load(), "runs": []}
    for lo, hi in ((4, 8), (5, 6)):
        started = cpu()
        result = solve_circles(w, min_size=lo, max_size=hi, effort=effort, bound="quick")
        solved = cpu()
        relaxed = lp_bound(w.copy(), min_size=lo, budget=Budget(cpu_seconds=120))
        bounded = cpu()
        assert relaxed is not None
        tight = max(relaxed.value, result.objective)
        out["runs"].append(
            {
                "sizes": f"{lo}-{hi}",
                "effort": effort,
                "objective": result.objective,
                "quick_bound": result.upper_bound,
                "quick_gap": result.gap,
                "lp_bound": tight,
                "lp_gap": (tight - result.objective) / tight,
                "lp_rounds": relaxed.rounds,
                "lp_cuts": relaxed.cuts,
                "solve_cpu_s": solved - started,
                "bound_cpu_s": bounded - solved,
            }
        )
    return out


# -- exact reference solvers --------------------------------------------------------------
def _model(w: np.ndarray, lo: int, hi: int) -> dict[str, Any]:
    """The circle problem as a MIP: v[e, s] = pair e shares a circle of s people, z[i, s]
    = person i's circle has s people. Each person has s - 1 circle-mates in circles of s,
    a pair in a circle of s needs both people there, and triangles make "shares a
    circle" transitive. The objective counts each pair at 2 w / (s - 1)."""
    n = w.shape[0]
    sizes = list(range(lo, hi + 1))
    count = len(sizes)
    pairs = list(itertools.combinations(range(n), 2))
    pair = {p: e for e, p in enumerate(pairs)}
    n_v, n_z = len(pairs) * count, n * count
    total = n_v + n_z

    def v(e: int, si: int) -> int:
        return e * count + si

    def z(i: int, si: int) -> int:
        return n_v + i * count + si

    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    lower: list[float] = []
    upper: list[float] = []

    def add(entries: list[tuple[int, float]], lb: float, ub: float) -> None:
        r = len(lower)
        for c, value in entries:
            rows.append(r)
            cols.append(c)
            vals.append(value)
        lower.append(lb)
        upper.append(ub)

    for i in range(n):
        add([(z(i, si), 1.0) for si in range(count)], 1, 1)
        for si, s in enumerate(sizes):
            mates = [(v(pair[(min(i, j), max(i, j))], si), 1.0) for j in range(n) if j != i]
            add([*mates, (z(i, si), -(s - 1.0))], 0, 0)
    objective = np.zeros(total)
    ub = np.ones(total)
    for e, (i, j) in enumerate(pairs):
        add([(v(e, si), 1.0) for si in range(count)], -np.inf, 1)
        for si, s in enumerate(sizes):
            add([(v(e, si), 1.0), (z(i, si), -1.0)], -np.inf, 0)
            add([(v(e, si), 1.0), (z(j, si), -1.0)], -np.inf, 0)
            if np.isfinite(w[i, j]):
                objective[v(e, si)] = (w[i, j] + w[j, i]) / (s - 1)
            else:
                ub[v(e, si)] = 0.0
    for i, j, k in itertools.combinations(range(n), 3):
        a, b, c = pair[(i, j)], pair[(j, k)], pair[(i, k)]
        for signs in ((1.0, 1.0, -1.0), (1.0, -1.0, 1.0), (-1.0, 1.0, 1.0)):
            add(
                [
                    (v(edge, si), sign)
                    for edge, sign in zip((a, b, c), signs, strict=True)
                    for si in range(count)
                ],
                -np.inf,
                1,
            )
    matrix = sparse.csr_matrix((vals, (rows, cols)), shape=(len(lower), total))
    return {
        "pairs": pairs,
        "count": count,
        "n_v": n_v,
        "objective": objective,
        "matrix": matrix,
        "lower": np.array(lower),
        "upper": np.array(upper),
        "ub": ub,
        "sizes": sizes,
    }


def _shared(m: dict[str, Any], solution: np.ndarray) -> np.ndarray:
    """Per pair, whether the solution puts it in one circle."""
    v = np.asarray(solution[: m["n_v"]]).reshape(len(m["pairs"]), m["count"])
    return v.sum(axis=1) > 0.5


def _groups_from_pairs(n: int, pairs: list[tuple[int, int]], chosen: np.ndarray) -> list[list[int]]:
    parent = list(range(n))

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for (i, j), on in zip(pairs, chosen, strict=True):
        if on:
            parent[find(i)] = find(j)
    groups: dict[int, list[int]] = {}
    for i in range(n):
        groups.setdefault(find(i), []).append(i)
    return list(groups.values())


def run_milp(w: np.ndarray, lo: int, hi: int, seconds: float) -> dict[str, Any]:
    m = _model(w, lo, hi)
    started, wall = cpu(), time.perf_counter()
    total = len(m["objective"])
    integrality = np.ones(total)
    res = milp(
        -m["objective"],
        constraints=LinearConstraint(m["matrix"], m["lower"], m["upper"]),
        integrality=integrality,
        bounds=Bounds(np.zeros(total), m["ub"]),
        options={"time_limit": seconds, "disp": False},
    )
    out: dict[str, Any] = {
        "status": "optimal" if res.status == 0 else str(res.message),
        "cpu_s": cpu() - started,
        "wall_s": time.perf_counter() - wall,
        "bound": None if res.mip_dual_bound is None else -float(res.mip_dual_bound),
    }
    if res.x is not None:
        groups = _groups_from_pairs(w.shape[0], m["pairs"], _shared(m, res.x))
        out["objective"] = circle_value(w, groups)
        out["valid"] = all(lo <= len(g) <= hi for g in groups)
    return out


def run_cpsat(w: np.ndarray, lo: int, hi: int, seconds: float) -> dict[str, Any] | None:
    try:
        from ortools.sat.python import cp_model
    except ImportError:
        return None
    m = _model(w, lo, hi)
    scale = 1000 * lcm(*[s - 1 for s in m["sizes"]])
    model = cp_model.CpModel()
    total = len(m["objective"])
    x = [model.NewBoolVar(f"v{v}") if m["ub"][v] else model.NewConstant(0) for v in range(total)]
    matrix = m["matrix"].tocsr()
    for r in range(matrix.shape[0]):
        start, stop = matrix.indptr[r], matrix.indptr[r + 1]
        expr = sum(
            int(v) * x[c]
            for c, v in zip(matrix.indices[start:stop], matrix.data[start:stop], strict=True)
        )
        lb, ub = m["lower"][r], m["upper"][r]
        if np.isfinite(lb) and lb == ub:
            model.Add(expr == int(lb))
        else:
            model.Add(expr <= int(ub))
    coefficients = np.round(m["objective"] * scale).astype(np.int64)
    model.Maximize(sum(int(c) * x[v] for v, c in enumerate(coefficients) if c))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = seconds
    solver.parameters.num_workers = 1
    started, wall = cpu(), time.perf_counter()
    status = solver.Solve(model)
    out: dict[str, Any] = {
        "status": solver.StatusName(status),
        "cpu_s": cpu() - started,
        "wall_s": time.perf_counter() - wall,
    }
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        # Proven once the search has run (before that CP-SAT reports a placeholder); on
        # weights rounded to 1/1000, so add the most the rounding could hide.
        out["bound"] = solver.BestObjectiveBound() / scale + 0.0005 * w.shape[0] * 2
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        values = np.array([solver.Value(x[v]) for v in range(m["n_v"])])
        groups = _groups_from_pairs(w.shape[0], m["pairs"], _shared(m, values))
        out["objective"] = circle_value(w, groups)
    return out


def case_exact(sizes: list[int], seconds: float, effort: float) -> dict[str, Any]:
    out: dict[str, Any] = {"case": "engine vs exact solvers", "load": load(), "runs": []}
    for number, n in enumerate(sizes):
        w = placeable(n, lo_size=5, seed=10 + number)
        n = w.shape[0]
        for lo, hi in ((5, 6), (4, 8)) if n <= 36 else ((5, 6),):
            started = cpu()
            ours = solve_circles(w, min_size=lo, max_size=hi, effort=effort, bound="lp")
            ours_cpu = cpu() - started
            run: dict[str, Any] = {
                "people": n,
                "sizes": f"{lo}-{hi}",
                "ours": ours.objective,
                "our_bound": ours.upper_bound,
                "our_cpu_s": ours_cpu,
                "milp": run_milp(w, lo, hi, seconds),
                "cpsat": run_cpsat(w, lo, hi, seconds),
            }
            found = [
                r["objective"]
                for r in (run["milp"], run["cpsat"])
                if r is not None and "objective" in r
            ]
            proven = [
                r["bound"]
                for r in (run["milp"], run["cpsat"])
                if r is not None and r.get("bound") is not None
            ]
            best = max(found) if found else None
            run["ours_minus_best_reference"] = None if best is None else ours.objective - best
            # result <= optimum <= bound: the references' proven bound caps our result, and
            # our bound must not be below any partition they found.
            run["brackets"] = bool(
                (not proven or ours.objective <= min(proven) + 1e-6)
                and (best is None or ours.upper_bound >= best - 1e-6)
            )
            out["runs"].append(run)
            print(json.dumps(run), file=sys.stderr, flush=True)
    return out


# -- scale ------------------------------------------------------------------------------
def case_sparse_vs_dense(n: int, effort: float) -> dict[str, Any]:
    scorer = Scorer(candidates(n), MatchRules())
    started = cpu()
    dense = solve_circles(scorer.matrix(), min_size=4, max_size=8, effort=effort, bound="quick")
    dense_cpu = cpu() - started
    started = cpu()
    graph = scorer.graph(24)
    sparse_result = solve_circles(graph, min_size=4, max_size=8, effort=effort)
    sparse_cpu = cpu() - started
    return {
        "case": f"sparse vs dense, {n} people (4-8), effort {effort:g}",
        "load": load(),
        "dense": dense.objective,
        "dense_cpu_s": dense_cpu,
        "sparse": sparse_result.objective,
        "sparse_cpu_s": sparse_cpu,
        "ratio": sparse_result.objective / dense.objective,
    }


def case_sparse_memory(n: int, effort: float) -> dict[str, Any]:
    started = cpu()
    scorer = Scorer(candidates(n), MatchRules())
    graph: CandidateGraph = scorer.graph(24)
    scored = cpu()
    result = solve_circles(graph, min_size=4, max_size=8, effort=effort)
    return {
        "case": f"sparse circles, {n} people (4-8), effort {effort:g}",
        "load": load(),
        "scoring_cpu_s": scored - started,
        "solve_cpu_s": cpu() - scored,
        "objective": result.objective,
        "upper_bound": result.upper_bound,
        "peak_mib": peak_mib(),
    }


def case_cli(n: int, effort: float) -> dict[str, Any]:
    """The matching command end to end on a CSV of n people (its own process)."""
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "people.csv"
        source.write_bytes(people_csv(n))
        out = Path(folder) / "circles.csv"
        command = [
            str(REPO / ".venv/bin/alongside"),
            "match",
            str(source),
            "--format",
            "circles",
            "--effort",
            f"{effort:g}",
            "--out",
            str(out),
        ]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        load_before, wall = load(), time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        wall = time.perf_counter() - wall
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        rows = out.read_text(encoding="utf-8").count("\n") - 1 if out.exists() else 0
    return {
        "case": f"alongside match --format circles, {n} people, --effort {effort:g}",
        "command": " ".join(command[1:]),
        "exit": done.returncode,
        "summary": done.stderr.strip().splitlines()[-1:] if done.stderr else [],
        "rows": rows,
        "wall_s": wall,
        "cpu_s": (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
        "peak_mib": after.ru_maxrss / 1024,
        "load_before": load_before,
        "load_after": load(),
    }


def case_determinism(n: int, effort: float) -> dict[str, Any]:
    """The same seed and effort on a quiet machine and with both cores kept busy."""
    w = weights(n)
    started = cpu()
    quiet = solve_circles(w, min_size=4, max_size=8, effort=effort, seed=1, bound="quick")
    quiet_cpu = cpu() - started
    burners = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(2)]
    try:
        time.sleep(1.0)
        busy_load = load()
        started, wall = cpu(), time.perf_counter()
        busy = solve_circles(w, min_size=4, max_size=8, effort=effort, seed=1, bound="quick")
        busy_cpu, busy_wall = cpu() - started, time.perf_counter() - wall
    finally:
        for burner in burners:
            burner.kill()
            burner.wait()
    return {
        "case": f"determinism, {n} people, effort {effort:g}",
        "same_circles": quiet.groups == busy.groups,
        "quiet_objective": quiet.objective,
        "busy_objective": busy.objective,
        "quiet_cpu_s": quiet_cpu,
        "busy_cpu_s": busy_cpu,
        "busy_wall_s": busy_wall,
        "busy_load": busy_load,
    }


def case_app_default(n: int) -> dict[str, Any]:
    """The engine's part of a match run with the app's default budget for circles
    (alongside/matches/services.py: CIRCLE_EFFORT 5, CIRCLE_TIME_CAP_SECONDS 30)."""
    people = candidates(n)
    started, wall = cpu(), time.perf_counter()
    w = Scorer(people, MatchRules()).matrix()
    scored = cpu()
    result = solve_circles(
        w, min_size=4, max_size=8, target_size=6, seed=0, effort=5.0, time_limit=30.0
    )
    return {
        "case": f"app default for circles, {n} people (4-8, target 6), effort 5, 30 s cap",
        "load": load(),
        "scoring_cpu_s": scored - started,
        "solve_cpu_s": cpu() - scored,
        "wall_s": time.perf_counter() - wall,
        "objective": result.objective,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--case",
        required=True,
        choices=[
            "bounds-300",
            "bounds-1000",
            "exact",
            "sparse-vs-dense-5k",
            "sparse-10k",
            "cli-50k",
            "cli",
            "determinism",
            "app-default-5k",
        ],
    )
    parser.add_argument("--people", type=int, default=None)
    parser.add_argument("--effort", type=float, default=None)
    parser.add_argument("--sizes", default="24,36,48,60", help="people per exact instance")
    parser.add_argument("--seconds", type=float, default=60.0, help="time for each reference")
    args = parser.parse_args()
    case = args.case
    if case == "bounds-300":
        result = case_bounds(300, args.effort or 5.0)
    elif case == "bounds-1000":
        result = case_bounds(1000, args.effort or 10.0)
    elif case == "exact":
        sizes = [int(s) for s in args.sizes.split(",")]
        result = case_exact(sizes, args.seconds, args.effort or 2.0)
    elif case == "sparse-vs-dense-5k":
        result = case_sparse_vs_dense(args.people or 5000, args.effort or 20.0)
    elif case == "sparse-10k":
        result = case_sparse_memory(args.people or 10_000, args.effort or 20.0)
    elif case in ("cli-50k", "cli"):
        result = case_cli(args.people or 50_000, args.effort or 40.0)
    elif case == "app-default-5k":
        result = case_app_default(args.people or 5000)
    else:
        result = case_determinism(args.people or 1000, args.effort or 5.0)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
