"""Incremental state for the circle solver: who is where, and per-circle sums.

``gt[c, i]`` is the total weight from person ``i`` to the members of circle ``c`` and
``pair_sum[c]`` the total weight of the pairs inside ``c``, so the effect of any move or
swap is known in O(1) and applying one costs O(n). This module holds the state, its
primitive updates, the greedy construction and the repair of broken rules; the searches
build on it (:mod:`.circle_moves` for moves and swaps, :mod:`.circle_recombine` for
recombining circles and annealing).
"""

from __future__ import annotations

import numpy as np

from .budget import Budget
from .errors import MatchingError
from .validation import BoolArray, FloatArray, IntArray

EPS = 1e-10
# Work units of a step's fixed cost (Python and numpy call overhead, about half a
# millisecond of a large step), charged on top of its size-dependent work.
OVERHEAD = 64_000


def _value(pair_sum: FloatArray | float, size: IntArray | int) -> FloatArray:
    """Sum over members of their mean weight to the others: 2 * pairs / (size - 1)."""
    s = np.asarray(size, dtype=np.float64)
    return np.where(s > 1, 2.0 * np.asarray(pair_sum) / np.maximum(s - 1, 1), 0.0)


class CircleState:
    def __init__(
        self,
        w: FloatArray,
        *,
        k: int,
        min_size: int,
        max_size: int,
        attr: IntArray | None,
        cap_per_value: int | None,
        rng: np.random.Generator,
        allow_empty: bool = False,
        shares: CircleState | None = None,
        budget: Budget | None = None,
    ) -> None:
        n = w.shape[0]
        # Every step charges its work here, so an effort budget ends after the same steps.
        self.budget = budget if budget is not None else Budget()
        self.n, self.k = n, k
        self.min_size, self.max_size = int(min_size), int(max_size)
        # With free sizes some of the ``k`` circles may stay empty (more, smaller circles
        # or fewer, larger ones); an empty circle is never given a single person.
        self.allow_empty = allow_empty
        self.forb: BoolArray | None
        if shares is not None:
            # Another state's weights and forbidden pairs, read only by both.
            w, self.forb = shares.weights, shares.forb
        else:
            # ``w`` is the solver's own copy: forbidden pairs move to a mask, in place.
            np.fill_diagonal(w, 0.0)
            forbidden = np.isneginf(w)
            self.forb = forbidden if forbidden.any() else None
            if self.forb is not None:
                w[forbidden] = 0.0
        self.has_forbidden = self.forb is not None
        self.w: FloatArray = w
        self.attr = attr
        self.cap = cap_per_value
        self.rng = rng
        self.assign = np.full(n, -1, dtype=np.int64)
        self.fixed = np.zeros(n, dtype=bool)
        self.size = np.zeros(k, dtype=np.int64)
        self.members: list[set[int]] = [set() for _ in range(k)]
        # The same membership as a padded array, for vectorised swap evaluation.
        self.slots = np.full((k, self.max_size + 2), -1, dtype=np.int64)
        self.slot_of = np.full(n, -1, dtype=np.int64)
        self.gt = np.zeros((k, n))
        self.pair_sum = np.zeros(k)
        self.ft = np.zeros((k, n), dtype=np.int32) if self.has_forbidden else None
        n_values = int(attr.max()) + 1 if attr is not None and n else 0
        self.div = np.zeros((k, n_values), dtype=np.int32) if attr is not None else None
        self.log: list[tuple[int, int, int]] | None = None

    @property
    def weights(self) -> FloatArray:
        return self.w

    # -- primitive updates -------------------------------------------------------------
    def add(self, i: int, c: int) -> None:
        self.budget.charge(OVERHEAD // 64 + self.n)
        self.pair_sum[c] += self.gt[c, i]
        self.gt[c] += self.w[i]
        if self.ft is not None and self.forb is not None:
            self.ft[c] += self.forb[i]
        if self.div is not None and self.attr is not None:
            self.div[c, self.attr[i]] += 1
        if self.size[c] >= self.slots.shape[1]:
            grown = np.full((self.k, self.slots.shape[1] * 2), -1, dtype=np.int64)
            grown[:, : self.slots.shape[1]] = self.slots
            self.slots = grown
        self.slots[c, self.size[c]] = i
        self.slot_of[i] = self.size[c]
        self.size[c] += 1
        self.members[c].add(i)
        self.assign[i] = c

    def remove(self, i: int) -> int:
        self.budget.charge(OVERHEAD // 64 + self.n)
        c = int(self.assign[i])
        self.gt[c] -= self.w[i]
        self.pair_sum[c] -= self.gt[c, i]
        if self.ft is not None and self.forb is not None:
            self.ft[c] -= self.forb[i]
        if self.div is not None and self.attr is not None:
            self.div[c, self.attr[i]] -= 1
        last_pos = int(self.size[c]) - 1
        last = int(self.slots[c, last_pos])
        pos = int(self.slot_of[i])
        self.slots[c, pos] = last
        self.slot_of[last] = pos
        self.slots[c, last_pos] = -1
        self.slot_of[i] = -1
        self.size[c] -= 1
        self.members[c].discard(i)
        self.assign[i] = -1
        return c

    def move(self, i: int, c: int) -> None:
        old = self.remove(i)
        self.add(i, c)
        if self.log is not None:
            self.log.append((i, old, c))

    def over(self, until: float | None) -> bool:
        """Whether the search has used ``until`` (a share, 0..1) of its budget; never
        when ``until`` is None."""
        return until is not None and self.budget.done(until)

    def objective(self) -> float:
        return float(_value(self.pair_sum, self.size).sum())

    def groups(self) -> tuple[tuple[int, ...], ...]:
        circles = [tuple(sorted(m)) for m in self.members if m]
        return tuple(sorted(circles))

    # -- feasibility helpers ------------------------------------------------------------
    def conflicts(self, i: int, c: int, leaving: int = -1) -> int:
        """Forbidden partners and diversity overflow for ``i`` joining ``c``."""
        bad = 0
        if self.ft is not None and self.forb is not None:
            bad += int(self.ft[c, i]) - (int(self.forb[i, leaving]) if leaving >= 0 else 0)
            if self.assign[i] == c:
                bad = 0
        if self.div is not None and self.attr is not None and self.cap is not None:
            same = int(self.div[c, self.attr[i]])
            if leaving >= 0 and self.attr[leaving] == self.attr[i]:
                same -= 1
            if same + 1 > self.cap:
                bad += 1
        return bad

    def violations(self) -> list[int]:
        out = []
        for i in range(self.n):
            c = int(self.assign[i])
            bad = self.ft is not None and self.ft[c, i] > 0
            if self.div is not None and self.attr is not None and self.cap is not None:
                bad = bad or self.div[c, self.attr[i]] > self.cap
            if bad:
                out.append(i)
        return out

    # -- construction -------------------------------------------------------------------
    def construct(self, sizes: IntArray, locks: list[list[int]]) -> None:
        """Fill the first ``len(sizes)`` circles to those sizes (any others stay empty)."""
        caps = np.zeros(self.k, dtype=np.int64)
        caps[: len(sizes)] = sizes
        for c, lock in enumerate(locks):
            for i in lock:
                self.add(i, c)
                self.fixed[i] = True
        order = self.rng.permutation(self.n)
        order = order[~self.fixed[order]]
        if self.forb is not None:
            hardness = self.forb.sum(axis=1)[order]
            order = order[np.argsort(-hardness, kind="stable")]
        # Seed empty circles with people far from the seeds so far (farthest-point).
        empties = [c for c in range(len(sizes)) if self.size[c] == 0]
        seeded = np.zeros(self.n, dtype=bool)
        if empties and len(order):
            closeness = np.full(self.n, -np.inf)
            pick = int(order[0])
            for c in empties:
                self.add(pick, c)
                seeded[pick] = True
                closeness = np.maximum(closeness, self.w[pick])
                closeness[seeded | self.fixed] = np.inf
                remaining = order[~seeded[order]]
                if not len(remaining):
                    break
                pick = int(remaining[np.argmin(closeness[remaining])])
        self.budget.charge(len(order) * self.k * 4)
        for i in order[~seeded[order]].tolist():
            room = self.size < caps
            mean = self.gt[:, i] / np.maximum(self.size, 1)
            score = np.where(room, mean, -np.inf)
            bad = np.zeros(self.k, dtype=np.int64)
            if self.ft is not None:
                bad += self.ft[:, i]
            if self.div is not None and self.attr is not None and self.cap is not None:
                bad += self.div[:, self.attr[i]] >= self.cap
            clean = room & (bad == 0)
            if clean.any():
                c = int(np.argmax(np.where(clean, score, -np.inf)))
            else:
                c = int(np.argmin(np.where(room, bad, np.iinfo(np.int64).max)))
            self.add(i, c)

    def repair(self, *, min_size: int, max_size: int) -> None:
        """Move or swap people out of circles holding a forbidden pair or too many alike."""
        for _ in range(20):
            bad = self.violations()
            if not bad:
                return
            for i in self.rng.permutation(np.array(bad)).tolist():
                a = int(self.assign[i])
                if self.conflicts(i, a) == 0 and not self._is_violating(i):
                    continue
                self._repair_one(i, a)
        bad = self.violations()
        if bad:
            i = bad[0]
            c = int(self.assign[i])
            partners = sorted(
                j for j in self.members[c] if self.forb is not None and self.forb[i, j]
            )
            what = f"forbidden partners {partners}" if partners else "the diversity limit"
            raise MatchingError(
                f"no valid circles found: person {i} could not be separated from {what} "
                f"with circles of {min_size}–{max_size}; remove some forbidden pairs or "
                "relax the limits"
            )

    def _is_violating(self, i: int) -> bool:
        c = int(self.assign[i])
        if self.ft is not None and self.ft[c, i] > 0:
            return True
        if self.div is not None and self.attr is not None and self.cap is not None:
            return bool(self.div[c, self.attr[i]] > self.cap)
        return False

    def _repair_one(self, i: int, a: int) -> bool:
        if self.fixed[i]:
            return False
        for b in self.rng.permutation(self.k).tolist():
            if b == a or self.size[b] == 0 or self.conflicts(i, b) > 0:
                continue
            if self.size[b] < self.max_size and self.size[a] > self.min_size:
                self.move(i, b)
                return True
            for j in sorted(self.members[b]):
                if self.fixed[j] or self.conflicts(j, a, leaving=i) > 0:
                    continue
                if self.conflicts(i, b, leaving=j) > 0:
                    continue
                self.move(i, b)
                self.move(j, a)
                return True
        return False

    def restore(self, assign: IntArray) -> None:
        """Put everyone back into the circles ``assign`` gives."""
        for i in range(self.n):
            if self.assign[i] >= 0:
                self.remove(i)
        for i, c in enumerate(assign.tolist()):
            self.add(i, c)

    def violations_in(self, circles: list[int]) -> bool:
        for c in circles:
            for i in self.members[c]:
                if self._is_violating(i):
                    return True
        return False
