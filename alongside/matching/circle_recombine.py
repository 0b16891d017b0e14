"""Large moves on circles: ruin and recreate, recombining two circles exactly, and
annealing by recombining halves of every circle at once (an assignment problem).
"""

from __future__ import annotations

import itertools
from functools import lru_cache

import numpy as np
from scipy.optimize import linear_sum_assignment

from .circle_moves import LocalSearch
from .circle_state import EPS, OVERHEAD, _value
from .validation import BoolArray, FloatArray, IntArray

# Stands in for a forbidden pair's weight when parts of circles are recombined.
_BLOCKED = 1e15
# Ruin and recreate may at first accept circles this much worse per person (shrinking).
ACCEPT_WORSE = 0.2
# Annealing by recombination (measured on scored cohorts and random weights, 1,000
# people, 10 s): noise starts at this share of the weights' standard deviation and falls
# to nothing over the first COOL_AT of the budget; WEAK_FIRST tilts which people move
# towards those who fit their circle least (per standard deviation of the weights).
ANNEAL_NOISE = 0.3
COOL_AT = 0.9
WEAK_FIRST = 1.5
# At most this many circles are recombined in one step (a random share of them above).
RECOMBINE_MAX_CIRCLES = 300
# Up to this many people the annealing keeps its own copy of the weights with forbidden
# pairs blocked (faster); above, it masks them at each step (less memory).
BLOCKED_COPY_MAX_PEOPLE = 4000
# Circles each circle is recombined with in the pair search (its most related ones).
PAIR_PARTNERS = 6


def _packed(members: IntArray, chosen: np.ndarray, width: int) -> IntArray:
    """The ``chosen`` entries of each row of ``members``, moved to the front, in rows of
    ``width`` padded with -1."""
    out = np.full((members.shape[0], max(width, 1)), -1, dtype=np.int64)
    rows, _ = np.nonzero(chosen)
    position = np.cumsum(chosen, axis=1)[chosen] - 1
    out[rows, position] = members[chosen]
    return out


def _inner_sums(w: FloatArray, members: IntArray, chosen: np.ndarray) -> FloatArray:
    """Per row of ``members`` (padded with -1), the weight of the pairs among the
    ``chosen`` entries."""
    safe = np.maximum(members, 0)
    both = chosen[:, :, None] & chosen[:, None, :]
    return (w[safe[:, :, None], safe[:, None, :]] * both).sum(axis=(1, 2)) / 2.0


@lru_cache(maxsize=512)
def _cuts(m: int, t: int) -> tuple[IntArray, IntArray, IntArray, IntArray, IntArray, IntArray]:
    """Every way to cut people 0..m-1 into a part of ``t`` holding person 0 and the
    rest: the parts' members and, for each part, every pair inside it (as two columns).
    Plain index arrays: summing weights by gathering is far faster than small matrix
    products on a shared machine (threaded BLAS)."""
    first = np.array(
        [(0, *rest) for rest in itertools.combinations(range(1, m), t - 1)], dtype=np.int64
    ).reshape(-1, t)
    mask = np.ones((len(first), m), dtype=bool)
    mask[np.arange(len(first))[:, None], first] = False
    second = np.nonzero(mask)[1].reshape(len(first), m - t)
    p1, q1 = np.triu_indices(t, 1)
    p2, q2 = np.triu_indices(m - t, 1)
    return first, second, p1, q1, p2, q2


class CircleSearch(LocalSearch):
    """The circle state with every search the solver uses."""

    # A copy of ``w`` with forbidden pairs at -_BLOCKED, made when first needed.
    _w_blocked: FloatArray | None = None

    def ruin_and_recreate(self, rounds: int | None, until: float | None) -> None:
        """Dissolve a few related circles, refill greedily, polish; keep if not worse.
        Runs ``rounds`` rounds, or until the search has used ``until`` of its budget."""
        if self.k < 2 or (rounds is None and (until is None or not self.budget.limited)):
            return
        done = 0
        started = self.budget.progress()
        best_value, best_assign = self.objective(), self.assign.copy()
        while (rounds is None or done < rounds) and not self.over(until):
            done += 1
            before = self.objective()
            # Early on, accept slightly worse circles to leave a local optimum; the
            # allowance shrinks to nothing, and the best circles seen are kept.
            if rounds is not None:
                progress = done / max(rounds, 1)
            elif until is not None:
                progress = (self.budget.progress() - started) / max(until - started, 1e-9)
            else:
                progress = 1.0
            allowance = ACCEPT_WORSE * abs(best_value) / self.n * max(0.0, 1.0 - progress)
            used = np.flatnonzero(self.size > 0)
            if len(used) < 2:
                return
            a = int(used[self.rng.integers(len(used))])
            members_a = np.fromiter(self.members[a], dtype=np.int64)
            affinity = self.gt[:, members_a].sum(axis=1) / np.maximum(self.size, 1)
            affinity[a] = -np.inf
            affinity[self.size == 0] = -np.inf
            n_related = min(len(used) - 1, int(self.rng.integers(1, 4)))
            related = np.argpartition(-affinity, n_related - 1)[:n_related]
            circles = [a, *[int(c) for c in related]]
            ruined = [i for c in circles for i in self.members[c] if not self.fixed[i]]
            caps = {c: int(self.size[c]) for c in circles}
            self.log = []
            start = {i: int(self.assign[i]) for i in ruined}
            for i in ruined:
                self.remove(i)
            order = self.rng.permutation(np.array(ruined, dtype=np.int64)).tolist()
            placed_ok = True
            for i in order:
                best_c, best_score = -1, -np.inf
                for c in circles:
                    if self.size[c] >= caps[c] or self.conflicts(i, c) > 0:
                        continue
                    score = self.gt[c, i] / max(int(self.size[c]), 1)
                    if score > best_score:
                        best_c, best_score = c, score
                if best_c < 0:
                    placed_ok = False
                    best_c = next(c for c in circles if self.size[c] < caps[c])
                self.add(i, best_c)
            if placed_ok:
                self.local_search(np.array(ruined, dtype=np.int64))
                everyone = np.arange(self.n)
                for i in ruined:
                    if not self.fixed[i]:
                        self._best_full_swap(i, everyone)
                if self.allow_empty:
                    # With free sizes the rebuilt circles may also change size (measured:
                    # with fixed sizes the extra polish costs more rounds than it gains).
                    self.pair_search(until, circles, spread=False)
            worse = self.objective() < before - allowance - EPS
            if not placed_ok or self.violations_in(circles) or worse:
                for i, old, _new in reversed(self.log):
                    self.remove(i)
                    self.add(i, old)
                for i in ruined:
                    self.remove(i)
                for i, c in start.items():
                    self.add(i, c)
            self.log = None
            if self.objective() > best_value + EPS:
                best_value, best_assign = self.objective(), self.assign.copy()
        if self.objective() < best_value - EPS:
            self.restore(best_assign)

    # -- two circles at a time ----------------------------------------------------------
    def recombine(self, a: int, b: int) -> bool:
        """Re-cut the people of circles ``a`` and ``b`` in the best way: every cut into
        two circles of allowed sizes is tried (when ``b`` is empty, ``a`` is split in
        two). Applies the best cut if it beats the current two circles; returns whether
        it did. Merging two circles into one is never tried: some cut of the merged
        circle into two allowed sizes is always at least as good, because the mean
        over all such cuts equals the merged circle's value."""
        people = np.fromiter(self.members[a] | self.members[b], dtype=np.int64)
        m = len(people)
        if m < 2 or self.fixed[people].any():
            return False
        lo, hi = self.min_size, self.max_size
        sub = self.w[np.ix_(people, people)]
        sub = (sub + sub.T) / 2.0  # a pair counts both ways, whatever the order
        forb = None if self.forb is None else self.forb[np.ix_(people, people)]
        codes = None if self.attr is None else self.attr[people]
        # The present cut, summed the same way as the others (the running sums drift).
        in_a = np.isin(people, np.fromiter(self.members[a], dtype=np.int64))
        current = float(
            _value(sub[np.ix_(in_a, in_a)].sum() / 2.0, int(in_a.sum()))
            + _value(sub[np.ix_(~in_a, ~in_a)].sum() / 2.0, int((~in_a).sum()))
        )
        best_value, best_part = current + 1e-9 * max(1.0, abs(current)), None
        for t in range(lo, min(hi, m) + 1):
            if not lo <= m - t <= hi:
                continue
            first, second, p1, q1, p2, q2 = _cuts(m, t)
            self.budget.charge(OVERHEAD // 8 + 3 * len(first) * (len(p1) + len(p2)))
            value = _value(sub[first[:, p1], first[:, q1]].sum(axis=1), t) + _value(
                sub[second[:, p2], second[:, q2]].sum(axis=1), m - t
            )
            if forb is not None:
                value[forb[first[:, p1], first[:, q1]].any(axis=1)] = -np.inf
                value[forb[second[:, p2], second[:, q2]].any(axis=1)] = -np.inf
            if codes is not None and self.cap is not None:
                for part in (first, second):
                    if part.shape[1] > self.cap:
                        ordered = np.sort(codes[part], axis=1)
                        run = ordered[:, self.cap :] == ordered[:, : -self.cap]
                        value[run.any(axis=1)] = -np.inf
            pick = int(np.argmax(value))
            if value[pick] > best_value:
                best_value, best_part = float(value[pick]), first[pick]
        if best_part is None:
            return False
        chosen = set(people[best_part].tolist())
        # Keep the part that overlaps ``a`` most in ``a`` (fewer moves).
        if len(chosen & self.members[a]) < len(chosen & self.members[b]):
            a, b = b, a
        for i in people.tolist():
            target = a if i in chosen else b
            if self.assign[i] != target:
                self.move(i, target)
        return True

    def pair_search(
        self, until: float | None, circles: list[int] | None = None, spread: bool = True
    ) -> None:
        """Recombine each circle with the circles it would best trade people with (and
        split large ones into an empty circle) until no pair improves, starting from
        ``circles`` (all if None); with ``spread`` False, only those circles are revisited.
        """
        if self.k < 2:
            return
        start = range(self.k) if circles is None else circles
        queue = [c for c in start if self.size[c] > 0]
        self.rng.shuffle(queue)
        waiting = np.zeros(self.k, dtype=bool)
        waiting[queue] = True
        partners = min(PAIR_PARTNERS, self.k - 1)
        while queue:
            if self.over(until):
                return
            a = queue.pop()
            waiting[a] = False
            if self.size[a] == 0:
                continue
            tries = self._partners(a, partners)
            if self.allow_empty and self.size[a] >= 2 * self.min_size:
                empty = np.flatnonzero(self.size == 0)
                if len(empty):
                    tries.insert(0, int(empty[0]))
            for b in tries:
                if self.recombine(a, b):
                    for c in (a, b):
                        if self.size[c] > 0 and not waiting[c] and (spread or c in start):
                            waiting[c] = True
                            queue.append(c)
                    break

    # -- all circles at once ------------------------------------------------------------
    def recombine_halves(self, noise: float = 0.0, weak_first: float = 0.0) -> float:
        """Cut every circle in two at random, keep one part of each where it is and deal
        the other parts back out by an optimal assignment: every circle takes exactly one
        moving part, and keeping the present circles is one of the choices.

        One exact step over a neighbourhood of k! recombinations (all single swaps
        between two circles, and cycles of them through any number of circles, among
        the people chosen to move), solved by scipy's ``linear_sum_assignment`` on a
        k × k table of what each combination is worth. Every moving part has the same
        size, so circle sizes stay as they are (a circle whose locks leave fewer people
        to move may change size within the allowed range); locked people never move.

        With ``noise`` 0 the step never loses. A positive ``noise`` (a standard
        deviation, in the units of a circle's value) is added to the table before it is
        solved, so the step may accept a worse recombination, as in annealing.
        ``weak_first`` (per unit of weight) makes people who fit their circle less well
        more likely to be among the movers. Returns the change in the objective.
        """
        split = self.halves(weak_first)
        if split is None:
            return 0.0
        slots, left, right = split
        table, ok = self.recombination_table(left, right)
        k = len(slots)
        # The gathers of the table, then the assignment (about cubic in the circles).
        self.budget.charge(OVERHEAD + 4 * k * k * (left.shape[1] + right.shape[1] + 2))
        current = float(np.trace(table))
        # Combinations that break a rule get a cost no assignment would choose over
        # keeping the present circles.
        table = np.where(ok, table, -(float(np.abs(table[ok]).sum()) + 1.0))
        if noise > 0.0:
            # Uniform noise with this standard deviation (cheaper to draw than normal).
            jitter = (self.rng.random((k, k)) - 0.5) * (noise * 12**0.5)
            np.fill_diagonal(jitter, 0.0)
            rows, cols = linear_sum_assignment(table + jitter, maximize=True)
        else:
            rows, cols = linear_sum_assignment(table, maximize=True)
        gain = float(table[rows, cols].sum()) - current
        if (cols == rows).all() or (noise <= 0.0 and gain <= EPS * max(1.0, abs(current))):
            return 0.0
        if not ok[rows, cols].all():  # only if the noise outweighed a broken rule
            return 0.0
        for a, b in zip(rows.tolist(), cols.tolist(), strict=True):
            if a != b:
                for i in left[a][left[a] >= 0].tolist():
                    self.move(int(i), int(slots[b]))
        return gain

    def halves(self, weak_first: float = 0.0) -> tuple[IntArray, IntArray, IntArray] | None:
        """A random cut of every circle: the circles, and per circle the people who
        would move and those who stay (rows padded with -1). Every circle moves the same
        number of people (fewer only where locks leave fewer movable), between 1 and the
        smallest size - 1. None when there are fewer than two circles."""
        rng = self.rng
        slots = np.flatnonzero(self.size > 0)
        if len(slots) < 2:
            return None
        if len(slots) > RECOMBINE_MAX_CIRCLES:
            # A step's cost grows with the square (gathers) to the cube (assignment) of
            # the circles in it: on many circles, each step takes a random share.
            slots = np.sort(rng.choice(slots, RECOMBINE_MAX_CIRCLES, replace=False))
        members = self.slots[slots][:, : int(self.size[slots].max())]
        movable = (members >= 0) & ~self.fixed[np.maximum(members, 0)]
        # Movable people first, in random order: the first ``take`` of them move.
        keys = rng.random(members.shape) + np.where(movable, 0.0, np.inf)
        if weak_first:
            # People with a lower mean weight to their circle-mates tend to move.
            safe = np.maximum(members, 0)
            mean = self.gt[slots[:, None], safe] / np.maximum(self.size[slots] - 1, 1)[:, None]
            keys += weak_first * (mean - mean.mean(axis=1, keepdims=True))
        members = np.take_along_axis(members, np.argsort(keys, axis=1), axis=1)
        smallest = int(self.size[slots].min())
        take = np.minimum(movable.sum(axis=1), int(rng.integers(1, max(smallest, 2))))
        col = np.arange(members.shape[1])[None, :]
        in_left = (col < take[:, None]) & (members >= 0)
        in_right = (col >= take[:, None]) & (members >= 0)
        left = _packed(members, in_left, int(in_left.sum(axis=1).max()))
        right = _packed(members, in_right, int(in_right.sum(axis=1).max()))
        return slots, left, right

    def recombination_table(self, left: IntArray, right: IntArray) -> tuple[FloatArray, BoolArray]:
        """``table[a, b]``: the value of the circle made of moving part ``a`` and staying
        part ``b``; ``ok[a, b]``: whether that circle keeps the sizes and the rules (no
        forbidden pair, the diversity limit)."""
        w, k = self.w, left.shape[0]
        lm, rm = left >= 0, right >= 0
        lz, rz = np.maximum(left, 0).ravel(), np.maximum(right, 0).ravel()
        if self.forb is None:
            cross = w[lz][:, rz]
        elif self.n <= BLOCKED_COPY_MAX_PEOPLE:
            if self._w_blocked is None:
                self._w_blocked = np.where(self.forb, -_BLOCKED, w)
            cross = self._w_blocked[lz][:, rz]
        else:
            cross = w[lz][:, rz]
            cross[self.forb[lz][:, rz]] = -_BLOCKED
        if not (lm.all() and rm.all()):
            cross *= lm.ravel()[:, None] & rm.ravel()[None, :]
        # Every sum is a gather and a reshape (parts are rows of equal width).
        width_l, width_r = left.shape[1], right.shape[1]
        cross_sum = cross.reshape(k, width_l, k * width_r).sum(axis=1)
        cross_sum = cross_sum.reshape(k, k, width_r).sum(axis=2)
        inner_l, inner_r = _inner_sums(w, left, lm), _inner_sums(w, right, rm)
        new_size = lm.sum(axis=1)[:, None] + rm.sum(axis=1)[None, :]
        ok = (new_size >= self.min_size) & (new_size <= self.max_size)
        if self.forb is not None:
            ok &= cross_sum > -_BLOCKED / 2
        if self.div is not None and self.attr is not None and self.cap is not None:
            n_values = self.div.shape[1]
            count_l = np.zeros((k, n_values), dtype=np.int32)
            count_r = np.zeros((k, n_values), dtype=np.int32)
            np.add.at(count_l, (np.nonzero(lm)[0], self.attr[left[lm]]), 1)
            np.add.at(count_r, (np.nonzero(rm)[0], self.attr[right[rm]]), 1)
            ok &= ~((count_l[:, None, :] + count_r[None, :, :]) > self.cap).any(axis=2)
        table = _value(inner_l[:, None] + inner_r[None, :] + cross_sum, new_size)
        return np.where(ok, table, 0.0), ok

    def anneal(self, until: float, spread: float) -> None:
        """Recombine halves of circles until the search has used ``until`` (a share) of
        its budget. The noise starts at ``ANNEAL_NOISE`` × ``spread`` (the standard
        deviation of the weights) and falls to nothing over the first ``COOL_AT`` of this
        share, so the search can leave local optima; the best circles seen are kept.
        Does nothing without a limited budget."""
        if not self.budget.limited:
            return
        started = self.budget.progress()
        span = max(until - started, 1e-9)
        scale = spread if spread > 0 else 1.0
        noise, weak_first = ANNEAL_NOISE * scale, WEAK_FIRST / scale
        best_value, best_assign = self.objective(), self.assign.copy()
        while (now := self.budget.progress()) < until:
            cooling = max(0.0, 1.0 - (now - started) / span / COOL_AT)
            self.recombine_halves(noise * cooling, weak_first)
            value = self.objective()
            if value > best_value + EPS * max(1.0, abs(best_value)):
                best_value, best_assign = value, self.assign.copy()
        if self.objective() < best_value - EPS * max(1.0, abs(best_value)):
            self.restore(best_assign)

    def _partners(self, a: int, count: int) -> list[int]:
        """The circles whose people would most like to trade places with ``a``'s: for
        each circle, how much its members would gain in mean weight by joining ``a``
        plus how much ``a``'s members would gain by joining it (positive parts)."""
        self.budget.charge(OVERHEAD // 8 + 8 * self.n + 4 * self.k * len(self.members[a]))
        scale = 2.0 / np.maximum(self.size - 1, 1)
        mine = np.fromiter(self.members[a], dtype=np.int64)
        own = self.gt[self.assign, np.arange(self.n)] * scale[self.assign]
        into_a = np.maximum(self.gt[a] * scale[a] - own, 0.0)
        into_a[mine] = 0.0
        score = np.bincount(self.assign, weights=into_a, minlength=self.k)
        leave = self.gt[:, mine] * scale[:, None] - own[mine][None, :]
        score += np.maximum(leave, 0.0).sum(axis=1)
        score[a] = -np.inf
        score[self.size == 0] = -np.inf
        best = np.argsort(-score)[:count]
        return [int(b) for b in best if score[b] > -np.inf]
