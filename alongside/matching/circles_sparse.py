"""Circles for tens of thousands of people, without the n × n score matrix.

Input is a :class:`CandidateGraph`: each person's best partners (found by the scoring
layer one block of rows at a time) and a ``score_block`` that scores any block of people
exactly. The solver works in *windows* of a few thousand people:

1. People are cut into windows by growing each one along the candidate graph, so that
   a window holds people who are each other's best partners (and locked people together,
   and no more people sharing one diversity value than its circles can take).
2. Each window is scored as a small dense block and solved by the dense solver.
3. Then, while the budget lasts, windows are drawn again from *whole circles* that
   would trade people (circles joined by candidate pairs), and each window's circles are
   improved by the dense searches from where they are: a window never gets worse, and
   every rule holds, because each circle stays within one window.

Memory is that of the graph and one window (a 2,500-person window is 50 MB), never n².
"""

from __future__ import annotations

import re
from collections import deque

import numpy as np
import scipy.sparse

from .budget import Budget
from .candidates import CandidateGraph
from .circle_bound import loose_bound_from_best
from .circle_recombine import CircleSearch
from .circles import circle_sizes, improve, search_dense, spread_of
from .errors import MatchingError
from .results import MatchResult
from .validation import FloatArray, IntArray

# People per window: large enough that most good trades fall inside one, small enough
# that its dense block and searches stay cheap (measured at 5,000 and 50,000 people).
WINDOW_PEOPLE = 2500
# Share of the budget for building the first circles window by window.
FIRST_PASS_SHARE = 0.4
# Without a budget: improvement passes over freshly drawn windows (deterministic).
PASSES_WITHOUT_BUDGET = 2
_PERSON = re.compile(r"person (\d+)")


def solve_circles_sparse(
    graph: CandidateGraph,
    *,
    min_size: int,
    max_size: int,
    target_size: int | None,
    seed: int,
    budget: Budget,
    attr: IntArray | None,
    cap_per_value: int | None,
    locks: list[list[int]],
) -> MatchResult:
    n = graph.size
    if graph.score_block is None:
        raise MatchingError(
            "circles from a candidate graph need its score_block, to score the people of "
            "each window exactly"
        )
    sizes = circle_sizes(n, min_size, max_size, target_size)
    adjacency = _adjacency(graph)
    _check_feasible_sparse(graph, adjacency, attr, cap_per_value, locks, len(sizes), min_size)
    rng = np.random.default_rng(seed)
    solver = _Windows(
        graph,
        adjacency,
        min_size=min_size,
        max_size=max_size,
        target_size=target_size,
        attr=attr,
        cap_per_value=cap_per_value,
        locks=locks,
        rng=rng,
        budget=budget,
    )
    solver.first_pass()
    if budget.limited:
        while not budget.done():
            before = budget.progress()
            solver.improvement_pass(until=1.0)
            if budget.progress() <= before:
                break  # nothing left that a window could change
    else:
        for _ in range(PASSES_WITHOUT_BUDGET):
            solver.improvement_pass(until=None)
    groups = tuple(sorted(tuple(sorted(g.tolist())) for g in solver.circles))
    objective = float(solver.values.sum())
    allowed = sorted(set(sizes.tolist())) if target_size is not None else None
    upper = _loose_bound(graph, adjacency, allowed or list(range(min_size, max_size + 1)))
    upper = max(upper, objective)
    return MatchResult(groups, (), objective, upper, False, "circles (sparse)")


def _adjacency(graph: CandidateGraph) -> scipy.sparse.csr_array:
    n = graph.size
    rows = np.concatenate([graph.rows, graph.cols])
    cols = np.concatenate([graph.cols, graph.rows])
    vals = np.concatenate([graph.weights, graph.weights])
    return scipy.sparse.csr_array((vals, (rows, cols)), shape=(n, n))


def _loose_bound(
    graph: CandidateGraph, adjacency: scipy.sparse.csr_array, allowed: list[int]
) -> float:
    """Everyone's best circle-mates: the listed partners, and beyond them the best
    unlisted weight (``outside_max``) for every missing place."""
    n = graph.size
    top = max(allowed) - 1
    best = np.full((n, top), -np.inf)
    indptr, data = adjacency.indptr, adjacency.data
    for i in range(n):
        row = np.sort(data[indptr[i] : indptr[i + 1]])[::-1][:top]
        best[i, : len(row)] = row
        if len(row) < top:
            best[i, len(row) :] = graph.outside_max[i]
    # Missing places filled with an unlisted bound may exceed a listed one: keep the order.
    best = -np.sort(-best, axis=1)
    return loose_bound_from_best(best, allowed)


def _check_feasible_sparse(
    graph: CandidateGraph,
    adjacency: scipy.sparse.csr_array,
    attr: IntArray | None,
    cap_per_value: int | None,
    locks: list[list[int]],
    k: int,
    min_size: int,
) -> None:
    assert graph.score_block is not None
    degree = np.diff(adjacency.indptr)
    # Everyone whose unlisted pairs are all forbidden has all their partners listed.
    short = np.flatnonzero(np.isneginf(graph.outside_max) & (degree < min_size - 1))
    if len(short):
        i = int(short[0])
        raise MatchingError(
            f"person {i} may share a circle with only {int(degree[i])} others, "
            f"but circles need at least {min_size} people"
        )
    for lock in locks:
        block = graph.score_block(np.array(lock), np.array(lock)).astype(np.float64)
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


class _Windows:
    """The circles found so far (global person indices) and their exact values."""

    def __init__(
        self,
        graph: CandidateGraph,
        adjacency: scipy.sparse.csr_array,
        *,
        min_size: int,
        max_size: int,
        target_size: int | None,
        attr: IntArray | None,
        cap_per_value: int | None,
        locks: list[list[int]],
        rng: np.random.Generator,
        budget: Budget,
    ) -> None:
        self.graph, self.adjacency = graph, adjacency
        self.n = graph.size
        self.min_size, self.max_size, self.target_size = min_size, max_size, target_size
        self.fixed_sizes = target_size is not None
        self.attr, self.cap = attr, cap_per_value
        self.locks = locks
        self.lock_of = np.full(self.n, -1, dtype=np.int64)
        for number, lock in enumerate(locks):
            self.lock_of[lock] = number
        self.rng, self.budget = rng, budget
        self.circles: list[IntArray] = []
        self.values = np.zeros(0)
        # Ideal window: whole circles of about WINDOW_PEOPLE people in all.
        self.window = max(WINDOW_PEOPLE, 4 * max_size)

    # -- scoring -----------------------------------------------------------------------
    def _block(self, people: IntArray) -> FloatArray:
        assert self.graph.score_block is not None
        self.budget.charge(8 * len(people) ** 2)
        block = np.array(self.graph.score_block(people, people), dtype=np.float64)
        # Exactly symmetric, as the dense solver expects (float32 scores may differ).
        finite = np.isfinite(block)
        values = np.where(finite, block, 0.0)
        block = np.where(finite & finite.T, (values + values.T) / 2.0, -np.inf)
        np.fill_diagonal(block, 0.0)
        return block

    # -- first pass --------------------------------------------------------------------
    def first_pass(self) -> None:
        windows = self._grow_windows()
        count = len(windows)
        circles: list[IntArray] = []
        values: list[float] = []
        for number, people in enumerate(windows):
            mark = FIRST_PASS_SHARE * (number + 1) / count if self.budget.limited else 1.0
            start = self.budget.progress()
            found, found_values = self._solve_window(people, (start, mark))
            circles += found
            values += found_values
        self.circles, self.values = circles, np.array(values)

    def _grow_windows(self) -> list[IntArray]:
        """Windows grown breadth-first along the strongest candidate pairs."""
        n, size = self.n, self.window
        if n <= size * 1.5:
            return [np.arange(n)]
        indptr, indices, data = self.adjacency.indptr, self.adjacency.indices, self.adjacency.data
        taken = np.zeros(n, dtype=bool)
        order = self.rng.permutation(n)
        cursor = 0
        value_cap = None
        if self.attr is not None and self.cap is not None:
            circles_per_window = size / (self.target_size or self.min_size)
            value_cap = max(int(circles_per_window * self.cap * 0.9), self.cap)
        windows: list[IntArray] = []
        left = n
        while left > 0:
            if left < size * 1.5:
                windows.append(np.flatnonzero(~taken))
                break
            members: list[int] = []
            counts: dict[int, int] = {}
            queue: deque[int] = deque()
            queued = np.zeros(n, dtype=bool)
            while len(members) < size:
                if not queue:
                    while cursor < n and taken[order[cursor]]:
                        cursor += 1
                    if cursor >= n:
                        break
                    queue.append(int(order[cursor]))
                    queued[order[cursor]] = True
                person = queue.popleft()
                if taken[person]:
                    continue
                group = self.locks[self.lock_of[person]] if self.lock_of[person] >= 0 else [person]
                if value_cap is not None and self.attr is not None:
                    values = self.attr[group].tolist()
                    if any(counts.get(v, 0) + values.count(v) > value_cap for v in values):
                        continue  # left for a later window
                    for v in values:
                        counts[v] = counts.get(v, 0) + 1
                for p in group:
                    taken[p] = True
                    members.append(p)
                start, stop = indptr[person], indptr[person + 1]
                near = indices[start:stop][np.argsort(-data[start:stop], kind="stable")]
                for j in near.tolist():
                    if not taken[j] and not queued[j]:
                        queued[j] = True
                        queue.append(j)
            if not members:
                windows.append(np.flatnonzero(~taken))
                break
            windows.append(np.array(members, dtype=np.int64))
            left -= len(members)
        return [w for w in windows if len(w)]

    def _solve_window(
        self, people: IntArray, span: tuple[float, float]
    ) -> tuple[list[IntArray], list[float]]:
        block = self._block(people)
        position = {int(p): i for i, p in enumerate(people.tolist())}
        local_locks = [[position[p] for p in lock] for lock in self.locks if lock[0] in position]
        sizes = circle_sizes(len(people), self.min_size, self.max_size, self.target_size)
        try:
            state = search_dense(
                block,
                sizes,
                fixed_sizes=self.fixed_sizes,
                min_size=self.min_size,
                max_size=self.max_size,
                attr=None if self.attr is None else self.attr[people],
                cap_per_value=self.cap,
                locks=local_locks,
                rng=self.rng,
                budget=self.budget,
                span=span,
            )
        except MatchingError as error:
            # Name the person as the caller knows them.
            raise MatchingError(
                _PERSON.sub(lambda m: f"person {int(people[int(m.group(1))])}", str(error))
            ) from error
        return self._read(state, people)

    @staticmethod
    def _read(state: CircleSearch, people: IntArray) -> tuple[list[IntArray], list[float]]:
        circles, values = [], []
        for c, members in enumerate(state.members):
            if members:
                circles.append(people[np.array(sorted(members), dtype=np.int64)])
                s = int(state.size[c])
                values.append(2.0 * float(state.pair_sum[c]) / (s - 1))
        return circles, values

    # -- improvement -------------------------------------------------------------------
    def improvement_pass(self, until: float | None) -> None:
        """Every circle once, in windows of circles that would trade people."""
        windows = self._circle_windows()
        count = len(windows)
        start = self.budget.progress()
        for number, chosen in enumerate(windows):
            if until is not None and self.budget.done(until):
                return
            mark = None
            if until is not None:
                # An even share of what is left for this pass; a pass takes at most half
                # of the rest, so later passes draw different windows.
                share = (until - start) / 2 if until - start > 0.1 else until - start
                mark = min(start + share * (number + 1) / count, until)
            self._improve_window(chosen, mark)

    def _circle_windows(self) -> list[list[int]]:
        """Whole circles grouped breadth-first by how much their people would gain
        together (positive candidate weights between circles)."""
        k = len(self.circles)
        circle_of = np.empty(self.n, dtype=np.int64)
        for c, members in enumerate(self.circles):
            circle_of[members] = c
        coo = self.adjacency.tocoo()
        across = circle_of[coo.row] != circle_of[coo.col]
        links = scipy.sparse.csr_array(
            (
                np.maximum(coo.data[across], 0.0) + 1e-9,
                (circle_of[coo.row[across]], circle_of[coo.col[across]]),
            ),
            shape=(k, k),
        )
        links.sum_duplicates()
        sizes = np.array([len(m) for m in self.circles])
        taken = np.zeros(k, dtype=bool)
        order = self.rng.permutation(k)
        windows: list[list[int]] = []
        cursor = 0
        while cursor < k:
            while cursor < k and taken[order[cursor]]:
                cursor += 1
            if cursor >= k:
                break
            window: list[int] = []
            people = 0
            frontier: dict[int, float] = {int(order[cursor]): 0.0}
            while people < self.window:
                if not frontier:
                    while cursor < k and taken[order[cursor]]:
                        cursor += 1
                    if cursor >= k:
                        break
                    frontier[int(order[cursor])] = 0.0
                c = max(frontier, key=lambda key: frontier[key])
                del frontier[c]
                if taken[c]:
                    continue
                taken[c] = True
                window.append(c)
                people += int(sizes[c])
                start, stop = links.indptr[c], links.indptr[c + 1]
                for d, strength in zip(
                    links.indices[start:stop].tolist(), links.data[start:stop].tolist(), strict=True
                ):
                    if not taken[d]:
                        frontier[d] = frontier.get(d, 0.0) + strength
            windows.append(window)
        return windows

    def _improve_window(self, chosen: list[int], until: float | None) -> None:
        people = np.concatenate([self.circles[c] for c in chosen])
        if len(chosen) < 2:
            return
        block = self._block(people)
        local = np.repeat(np.arange(len(chosen)), [len(self.circles[c]) for c in chosen])
        attr = None if self.attr is None else self.attr[people]
        extra = len(people) // self.min_size - len(chosen) if not self.fixed_sizes else 0
        state = CircleSearch(
            block,
            k=len(chosen) + max(extra, 0),
            min_size=self.min_size,
            max_size=self.max_size,
            attr=attr,
            cap_per_value=self.cap,
            rng=self.rng,
            allow_empty=not self.fixed_sizes,
            budget=self.budget,
        )
        state.restore(local)
        state.fixed[self.lock_of[people] >= 0] = True
        before = state.objective()
        if until is None:
            state.local_search(None)
            if not self.fixed_sizes:
                state.pair_search(None)
            state.full_swap_passes(None)
        else:
            state.local_search(None, until)
            improve(
                state,
                fixed_sizes=self.fixed_sizes,
                spread=spread_of(state.weights, self.rng),
                until=until,
            )
        if state.objective() < before - 1e-9 * max(1.0, abs(before)):
            return  # never happens (the searches keep the best); kept as a guard
        found, values = self._read(state, people)
        keep = sorted(set(range(len(self.circles))) - set(chosen))
        self.circles = [self.circles[c] for c in keep] + found
        self.values = np.concatenate([self.values[keep], np.array(values)])
