"""Circles: partition everyone into circles of allowed sizes, maximising the sum over people
of their mean weight to the other members of their circle.

The problem is NP-hard. The solver builds greedy circles and improves them with moves and
swaps evaluated in bulk with numpy (incremental per-circle sums keep each evaluation O(1)).
Given a time limit it then anneals by recombination: every step cuts each circle in two
and deals the moving parts back out by an optimal assignment (scipy's
``linear_sum_assignment``), with noise that cools to nothing. A number of ``rounds`` runs
ruin and recreate instead (deterministic effort). The upper bound lets every person have
their best possible circle-mates.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

import numpy as np

from .budget import Budget
from .candidates import CandidateGraph
from .circle_bound import loose_bound, lp_bound
from .circle_recombine import CircleSearch
from .errors import MatchingError
from .memory import check_memory, dense_circles_bytes
from .results import MatchResult
from .validation import (
    FloatArray,
    IntArray,
    as_weight_matrix,
    check_index,
    check_seed,
    check_time_limit,
)

# Up to this many people every partition is tried, so the answer is proven optimal.
EXACT_MAX_PEOPLE = 9
# Up to this many people (or with a time limit) every swap is tried until none improves.
FULL_SWAP_MAX_PEOPLE = 3000
# With free sizes, the share of the time limit spent annealing (the rest may resize).
FREE_SIZES_SHARE = 0.98
# With free sizes, the share of the time limit each start is searched before one is kept.
PROBE_SHARE = 0.03
# The "auto" bound solves the LP relaxation up to this many people (a few seconds).
LP_AUTO_MAX_PEOPLE = 400
# CPU seconds after which the LP's cut rounds stop (the bound holds after any round).
LP_CPU_SECONDS = 60.0


def solve_circles(
    weights: Any,
    *,
    min_size: int = 4,
    max_size: int = 8,
    target_size: int | None = None,
    seed: int = 0,
    time_limit: float | None = None,
    effort: float | None = None,
    cpu_time_limit: float | None = None,
    rounds: int | None = None,
    groups_attr: Sequence[Any] | None = None,
    max_per_value: int | None = None,
    locks: Sequence[Sequence[int]] = (),
    bound: str = "auto",
) -> MatchResult:
    """Partition people into circles of ``min_size``..``max_size`` (closest to
    ``target_size`` when given) maximising the sum over people of their mean weight to
    their circle-mates. ``-inf`` pairs never share a circle.

    ``weights`` is a dense n × n matrix, or a :class:`CandidateGraph` (each person's best
    partners and a ``score_block`` for any block) for the sparse path, which never
    builds the n × n matrix (see :mod:`.circles_sparse`). A dense matrix the machine
    cannot hold is refused up front.

    ``groups_attr`` (one value per person) with ``max_per_value`` caps how many people
    sharing a value a circle may hold (e.g. at most 2 per function). Each entry of
    ``locks`` lists people who must share a circle.

    With a budget the solver keeps improving, by annealing, until it is used up:
    ``effort`` (effort seconds, see :mod:`.budget`: the same seed and effort give the
    same circles on a quiet or a busy machine), ``cpu_time_limit`` (CPU seconds of this
    process) or ``time_limit`` (wall-clock seconds, a cap for callers that must answer in
    time); the first reached ends the search. ``rounds`` adds a fixed number of
    ruin-and-recreate rounds.

    ``bound`` chooses the upper bound reported with the result: ``"lp"`` the linear
    relaxation with triangle cuts (tight: see :mod:`.circle_bound`; seconds at 300
    people, up to a minute at 1,000), ``"quick"`` everyone's best circle-mates (one pass,
    but loose), ``"auto"`` the LP up to ``LP_AUTO_MAX_PEOPLE`` people.
    """
    check_seed(seed)
    min_size, max_size, target_size = _check_sizes(min_size, max_size, target_size)
    check_time_limit(time_limit)
    if bound not in ("auto", "lp", "quick"):
        raise MatchingError(f"bound must be 'auto', 'lp' or 'quick', got {bound!r}")
    budget = Budget(effort=effort, cpu_seconds=cpu_time_limit, wall_seconds=time_limit)
    if rounds is not None and rounds < 0:
        raise MatchingError(f"rounds must be zero or more, got {rounds}")
    if isinstance(weights, CandidateGraph):
        from .circles_sparse import solve_circles_sparse

        n = weights.size
        if n == 0:
            return MatchResult((), (), 0.0, 0.0, True, "circles")
        attr, cap_per_value = _check_diversity(groups_attr, max_per_value, n)
        return solve_circles_sparse(
            weights,
            min_size=min_size,
            max_size=max_size,
            target_size=target_size,
            seed=seed,
            budget=budget,
            attr=attr,
            cap_per_value=cap_per_value,
            locks=_check_locks(locks, n, max_size),
        )
    check_memory(dense_circles_bytes(_side(weights)), "circles from a dense score matrix")
    w = as_weight_matrix(weights, square=True)
    n = w.shape[0]
    if n == 0:
        return MatchResult((), (), 0.0, 0.0, True, "circles")
    attr, cap_per_value = _check_diversity(groups_attr, max_per_value, n)
    lock_sets = _check_locks(locks, n, max_size)
    sizes = circle_sizes(n, min_size, max_size, target_size)
    k = len(sizes)
    _check_feasible(w, attr, cap_per_value, lock_sets, k, min_size, max_size)

    if n <= EXACT_MAX_PEOPLE:
        allowed = sorted(set(sizes.tolist())) if target_size is not None else None
        exact = _exact_small(w, min_size, max_size, allowed, attr, cap_per_value, lock_sets)
        if exact is None:
            raise MatchingError(
                f"no valid circles exist for these {n} people: the forbidden pairs, locks "
                "or diversity limit rule out every partition"
            )
        groups, objective = exact
        return MatchResult(groups, (), objective, objective, True, "circles (exhaustive)")

    rng = np.random.default_rng(seed)
    fixed_sizes = target_size is not None
    allowed = sorted(set(sizes.tolist())) if fixed_sizes else list(range(min_size, max_size + 1))
    # Bounds first: the solver's state then takes over w (and its -inf).
    upper = loose_bound(w, allowed)
    method = "circles"
    if bound == "lp" or (bound == "auto" and n <= LP_AUTO_MAX_PEOPLE):
        relaxed = lp_bound(
            w,
            min_size=min(usable_sizes(n, allowed)),
            sizes=sizes.tolist() if fixed_sizes else None,
            budget=Budget(cpu_seconds=LP_CPU_SECONDS),
        )
        if relaxed is not None and relaxed.value < upper:
            upper, method = relaxed.value, "circles (LP bound)"
    state = search_dense(
        w,
        sizes,
        fixed_sizes=fixed_sizes,
        min_size=min_size,
        max_size=max_size,
        attr=attr,
        cap_per_value=cap_per_value,
        locks=lock_sets,
        rng=rng,
        budget=budget,
        rounds=rounds,
    )
    groups = state.groups()
    objective = state.objective()
    upper = max(upper, objective)
    return MatchResult(groups, (), objective, upper, upper - objective <= 1e-9, method)


def search_dense(
    w: FloatArray,
    sizes: IntArray,
    *,
    fixed_sizes: bool,
    min_size: int,
    max_size: int,
    attr: IntArray | None,
    cap_per_value: int | None,
    locks: list[list[int]],
    rng: np.random.Generator,
    budget: Budget,
    span: tuple[float, float] = (0.0, 1.0),
    rounds: int | None = None,
) -> CircleSearch:
    """Build circles of ``sizes`` on the dense weights ``w`` (taken over: forbidden pairs
    move to a mask) and improve them while the budget's progress is within ``span``."""
    n = w.shape[0]
    lo, hi = span
    limited = budget.limited
    spread = spread_of(w, rng) if limited else 0.0
    if fixed_sizes or not limited:
        profiles = [sizes]
    else:
        # Free sizes with time to search: circles near the middle of the range, and the
        # smallest circles the sizes allow (measured: on scored cohorts and random
        # weights they win, as each mean is over fewer, better chosen partners; planted
        # larger circles need the middle start). A short search on each picks one.
        smallest = circle_sizes(n, min_size, max_size, min_size)
        profiles = [sizes] if np.array_equal(smallest, sizes) else [smallest, sizes]
    states = _starts(
        w, profiles, min_size, max_size, attr, cap_per_value, locks, rng, fixed_sizes, budget
    )
    until = hi if limited else None
    for state in states:
        if not fixed_sizes and (limited or n <= FULL_SWAP_MAX_PEOPLE):
            # Recombining pairs of circles is what lets free sizes change (measured: with
            # fixed sizes it gains no more than the swap passes alone).
            state.pair_search(until)
        if len(states) > 1 and limited:
            state.anneal(min(budget.progress() + (hi - lo) * PROBE_SHARE, hi), spread)
    state = max(states, key=lambda each: each.objective())
    del states
    if not limited and n <= FULL_SWAP_MAX_PEOPLE:
        state.full_swap_passes(None)
    if rounds is not None and rounds > 0:
        state.ruin_and_recreate(rounds, until)
    if limited:
        improve(state, fixed_sizes=fixed_sizes, spread=spread, until=hi)
    return state


def improve(state: CircleSearch, *, fixed_sizes: bool, spread: float, until: float) -> None:
    """Swap passes, then annealing by recombination, until the budget's progress reaches
    ``until``; with free sizes the end is kept for a last pass that may change sizes."""
    start = state.budget.progress()
    state.full_swap_passes(until)
    cool_until = until if fixed_sizes else start + (until - start) * FREE_SIZES_SHARE
    state.anneal(cool_until, spread)
    if not fixed_sizes:
        state.pair_search(until)
    state.full_swap_passes(until)


def _side(weights: Any) -> int:
    shape = getattr(weights, "shape", None)
    if shape is not None and len(shape) == 2:
        return int(shape[0])
    return len(weights) if hasattr(weights, "__len__") else 0


def _starts(
    w: FloatArray,
    profiles: list[IntArray],
    min_size: int,
    max_size: int,
    attr: IntArray | None,
    cap_per_value: int | None,
    locks: list[list[int]],
    rng: np.random.Generator,
    fixed_sizes: bool,
    budget: Budget,
) -> list[CircleSearch]:
    """Greedy circles for each profile of sizes, repaired and polished by a quick local
    search; a profile that cannot be repaired is skipped (its error is raised if none
    can). The first state takes over ``w`` (forbidden pairs move to a mask) and the
    others share it. With free sizes there is room for as many circles as the smallest
    size allows."""
    n = w.shape[0]
    states: list[CircleSearch] = []
    first: CircleSearch | None = None
    error: MatchingError | None = None
    for sizes in profiles:
        state = CircleSearch(
            w,
            k=len(sizes) if fixed_sizes else max(len(sizes), n // min_size),
            min_size=int(sizes.min()) if fixed_sizes else min_size,
            max_size=int(sizes.max()) if fixed_sizes else max_size,
            attr=attr,
            cap_per_value=cap_per_value,
            rng=rng,
            allow_empty=not fixed_sizes,
            shares=first,
            budget=budget,
        )
        first = first or state
        try:
            state.construct(sizes, locks)
            state.repair(min_size=min_size, max_size=max_size)
        except MatchingError as failed:
            error = error or failed
            continue
        state.local_search(None)
        states.append(state)
    if not states:
        assert error is not None
        raise error
    return states


def spread_of(w: FloatArray, rng: np.random.Generator) -> float:
    """Standard deviation of the allowed weights (from a sample on large inputs)."""
    n = w.shape[0]
    if n * n <= 4_000_000:
        values = w[~np.eye(n, dtype=bool)]
    else:
        rows, cols = rng.integers(n, size=(2, 1_000_000))
        values = w[rows[rows != cols], cols[rows != cols]]
    values = values[np.isfinite(values)]
    return float(values.std()) if len(values) else 0.0


def usable_sizes(n: int, allowed: list[int]) -> list[int]:
    """The allowed sizes that some partition of n people actually uses (24 people in
    circles of 5-6 can only be four circles of 6), so a bound need not allow the others."""
    reachable = [True] + [False] * n
    for m in range(1, n + 1):
        reachable[m] = any(s <= m and reachable[m - s] for s in allowed)
    usable = [s for s in allowed if s <= n and reachable[n - s]]
    return usable or allowed


def _check_sizes(min_size: int, max_size: int, target: int | None) -> tuple[int, int, int | None]:
    for name, value in (("min_size", min_size), ("max_size", max_size), ("target_size", target)):
        if value is not None and (
            not isinstance(value, int | np.integer) or isinstance(value, bool)
        ):
            raise MatchingError(f"{name} must be a whole number, got {value!r}")
    if min_size < 2:
        raise MatchingError(f"min_size must be at least 2, got {min_size}")
    if min_size > max_size:
        raise MatchingError(f"min_size ({min_size}) is larger than max_size ({max_size})")
    if target is not None and not min_size <= target <= max_size:
        raise MatchingError(f"target_size {target} is outside {min_size}–{max_size}")
    return int(min_size), int(max_size), None if target is None else int(target)


def circle_sizes(n: int, min_size: int, max_size: int, target: int | None) -> IntArray:
    fewest = -(-n // max_size)
    most = n // min_size
    if fewest > most or n < min_size:
        raise MatchingError(
            f"{n} {'person' if n == 1 else 'people'} cannot form circles of {min_size}–{max_size}"
            if min_size != max_size
            else f"{n} people cannot form circles of exactly {min_size}"
        )
    aim = target if target is not None else (min_size + max_size) / 2
    k = min(max(round(n / aim), fewest), most)
    base, extra = divmod(n, k)
    return np.array([base + 1] * extra + [base] * (k - extra), dtype=np.int64)


def _check_diversity(
    groups_attr: Sequence[Any] | None, max_per_value: int | None, n: int
) -> tuple[IntArray | None, int | None]:
    if groups_attr is None and max_per_value is None:
        return None, None
    if groups_attr is None or max_per_value is None:
        raise MatchingError("groups_attr and max_per_value must be given together")
    if len(groups_attr) != n:
        raise MatchingError(f"groups_attr has {len(groups_attr)} values for {n} people")
    if max_per_value < 1:
        raise MatchingError(f"max_per_value must be at least 1, got {max_per_value}")
    _, codes = np.unique(np.asarray([str(v) for v in groups_attr]), return_inverse=True)
    return codes.astype(np.int64), int(max_per_value)


def _check_locks(locks: Sequence[Sequence[int]], n: int, max_size: int) -> list[list[int]]:
    seen: dict[int, int] = {}
    out: list[list[int]] = []
    for number, lock in enumerate(locks):
        members = sorted({check_index(i, n, "locked person") for i in lock})
        if len(members) > max_size:
            raise MatchingError(
                f"lock {number} holds {len(members)} people, more than max_size {max_size}"
            )
        for person in members:
            if person in seen:
                raise MatchingError(f"person {person} appears in more than one lock")
            seen[person] = number
        if members:
            out.append(members)
    return out


def _check_feasible(
    w: FloatArray,
    attr: IntArray | None,
    cap_per_value: int | None,
    locks: list[list[int]],
    k: int,
    min_size: int,
    max_size: int,
) -> None:
    n = w.shape[0]
    allowed = np.isfinite(w).sum(axis=1)
    lonely = np.flatnonzero(allowed < min_size - 1)
    if len(lonely):
        i = int(lonely[0])
        raise MatchingError(
            f"person {i} may share a circle with only {int(allowed[i])} others, "
            f"but circles need at least {min_size} people"
        )
    for lock in locks:
        block = w[np.ix_(lock, lock)]
        np.fill_diagonal(block, 0.0)
        if np.isneginf(block).any():
            a, b = np.argwhere(np.isneginf(block))[0]
            raise MatchingError(
                f"locked people {lock[a]} and {lock[b]} are a forbidden pair, so they cannot "
                "share a circle"
            )
    if len(locks) > k:
        raise MatchingError(f"{len(locks)} locks need separate circles but only {k} circles fit")
    if attr is not None and cap_per_value is not None:
        counts = np.bincount(attr)
        worst = int(counts.argmax())
        if counts[worst] > k * cap_per_value:
            raise MatchingError(
                f"{int(counts[worst])} people share one value of the diversity attribute, "
                f"but {k} circles with at most {cap_per_value} each hold only {k * cap_per_value}"
            )
        for lock in locks:
            if np.bincount(attr[lock]).max() > cap_per_value:
                raise MatchingError(
                    f"lock {lock} has more than {cap_per_value} people sharing one value"
                )
    del n


def _exact_small(
    w: FloatArray,
    min_size: int,
    max_size: int,
    allowed_sizes: list[int] | None,
    attr: IntArray | None,
    cap_per_value: int | None,
    locks: list[list[int]],
) -> tuple[tuple[tuple[int, ...], ...], float] | None:
    """Try every valid partition (tiny inputs only)."""
    n = w.shape[0]
    lock_of = {i: tuple(lock) for lock in locks for i in lock}
    sizes = set(allowed_sizes) if allowed_sizes else set(range(min_size, max_size + 1))
    best: list[Any] = [None, -np.inf]

    def valid(block: tuple[int, ...]) -> bool:
        if len(block) not in sizes:
            return False
        sub = w[np.ix_(block, block)]
        np.fill_diagonal(sub, 0.0)
        if np.isneginf(sub).any():
            return False
        for i in block:
            if i in lock_of and not set(lock_of[i]) <= set(block):
                return False
        if attr is not None and cap_per_value is not None:
            return bool(np.bincount(attr[list(block)]).max() <= cap_per_value)
        return True

    def value(block: tuple[int, ...]) -> float:
        sub = w[np.ix_(block, block)]
        np.fill_diagonal(sub, 0.0)
        return float(sub.sum()) / (len(block) - 1)

    def search(left: tuple[int, ...], chosen: list[tuple[int, ...]], total: float) -> None:
        if not left:
            if total > best[1] + 1e-12:
                best[0], best[1] = tuple(sorted(chosen)), total
            return
        first, rest = left[0], left[1:]
        for size in sorted(sizes):
            if size > len(left):
                break
            for others in itertools.combinations(rest, size - 1):
                block = (first, *others)
                remaining = tuple(i for i in rest if i not in others)
                if remaining and len(remaining) < min(sizes):
                    continue
                if valid(block):
                    search(remaining, [*chosen, block], total + value(block))

    search(tuple(range(n)), [], 0.0)
    if best[0] is None:
        return None
    return best[0], float(best[1])
