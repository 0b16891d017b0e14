"""Circles: partition everyone into circles of allowed sizes, maximising the sum over people
of their mean weight to the other members of their circle.

The problem is NP-hard, so the solver builds a greedy solution, improves it with moves and
swaps evaluated in bulk with numpy (incremental per-circle sums keep each evaluation
O(1)), and, given a time limit or a number of rounds, keeps improving by ruin and recreate
(dissolve a few related circles, refill them greedily, polish, keep if not worse). The
upper bound lets every person have their best possible circle-mates.
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from .circle_state import CircleState
from .errors import MatchingError
from .results import MatchResult
from .validation import FloatArray, IntArray, as_weight_matrix, check_index, check_seed

# Up to this many people every partition is tried, so the answer is proven optimal.
EXACT_MAX_PEOPLE = 9
# Up to this many people (or with a time limit) every swap is tried until none improves.
FULL_SWAP_MAX_PEOPLE = 3000
# Rounds of ruin and recreate when no time limit is given (deterministic effort).
DEFAULT_ROUNDS = 0


def solve_circles(
    weights: Any,
    *,
    min_size: int = 4,
    max_size: int = 8,
    target_size: int | None = None,
    seed: int = 0,
    time_limit: float | None = None,
    rounds: int | None = None,
    groups_attr: Sequence[Any] | None = None,
    max_per_value: int | None = None,
    locks: Sequence[Sequence[int]] = (),
) -> MatchResult:
    """Partition people into circles of ``min_size``..``max_size`` (closest to
    ``target_size`` when given) maximising the sum over people of their mean weight to
    their circle-mates. ``-inf`` pairs never share a circle.

    ``groups_attr`` (one value per person) with ``max_per_value`` caps how many people
    sharing a value a circle may hold (e.g. at most 2 per function). Each entry of
    ``locks`` lists people who must share a circle. ``rounds`` fixes the number of
    ruin-and-recreate rounds (deterministic); ``time_limit`` keeps improving until that
    many seconds have passed (same seed, same sequence of rounds).
    """
    started = time.monotonic()
    check_seed(seed)
    w = as_weight_matrix(weights, square=True)
    n = w.shape[0]
    min_size, max_size, target_size = _check_sizes(min_size, max_size, target_size)
    if time_limit is not None and (not math.isfinite(time_limit) or time_limit < 0):
        raise MatchingError(
            f"time_limit must be a non-negative number of seconds, got {time_limit}"
        )
    if rounds is not None and rounds < 0:
        raise MatchingError(f"rounds must be zero or more, got {rounds}")
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
    upper = _upper_bound(w, allowed)  # before the state takes over w (and its -inf)
    state = CircleState(
        w,
        # With free sizes there is room for as many circles as the smallest size allows.
        k=k if fixed_sizes else max(k, n // min_size),
        min_size=sizes.min() if fixed_sizes else min_size,
        max_size=sizes.max() if fixed_sizes else max_size,
        attr=attr,
        cap_per_value=cap_per_value,
        rng=rng,
        allow_empty=not fixed_sizes,
    )
    state.construct(sizes, lock_sets)
    state.repair(min_size=min_size, max_size=max_size)
    state.local_search(None, deadline=None)
    deadline = None if time_limit is None else started + time_limit
    if time_limit is not None or n <= FULL_SWAP_MAX_PEOPLE:
        if not fixed_sizes:
            # Recombining pairs of circles is what lets free sizes change (measured: with
            # fixed sizes it gains no more than the swap passes alone).
            state.pair_search(deadline)
        state.full_swap_passes(deadline)
    budget = rounds if rounds is not None else (None if time_limit is not None else DEFAULT_ROUNDS)
    if budget is None or budget > 0:
        state.ruin_and_recreate(budget, deadline)

    groups = state.groups()
    objective = state.objective()
    upper = max(upper, objective)
    return MatchResult(groups, (), objective, upper, upper - objective <= 1e-9, "circles")


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


def _upper_bound(w: FloatArray, allowed_sizes: list[int]) -> float:
    """Sum over people of the best mean weight to (s - 1) others, best allowed size s."""
    n = w.shape[0]
    top = min(max(allowed_sizes) - 1, n - 1)
    part = np.empty((n, top))
    step = max(1, 4_000_000 // max(n, 1))
    for start in range(0, n, step):
        rows = w[start : start + step]
        largest = np.partition(rows, n - top, axis=1)[:, n - top :]
        part[start : start + step] = -np.sort(-largest, axis=1)
    finite = np.where(np.isfinite(part), part, 0.0)
    csum = np.cumsum(finite, axis=1)
    best = np.full(n, -np.inf)
    for s in allowed_sizes:
        if s - 1 > part.shape[1] or s < 2:
            continue
        ok = np.isfinite(part[:, s - 2])
        mean = np.where(ok, csum[:, s - 2] / (s - 1), -np.inf)
        best = np.maximum(best, mean)
    return float(np.sum(np.where(np.isfinite(best), best, 0.0))) + 1e-9 * n


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
