"""Incremental state for the circle solver: who is where, and per-circle sums.

``gt[c, i]`` is the total weight from person ``i`` to the members of circle ``c`` and
``pair_sum[c]`` the total weight of the pairs inside ``c``, so the effect of any move or
swap is known in O(1) and applying one costs O(n).
"""

from __future__ import annotations

import itertools
import time
from functools import lru_cache

import numpy as np
from scipy.optimize import linear_sum_assignment

from .errors import MatchingError
from .validation import BoolArray, FloatArray, IntArray

EPS = 1e-10
# Stands in for a forbidden pair's weight when parts of circles are recombined.
_BLOCKED = 1e15
STALL = 5e-5  # a quick pass gaining less than this fraction ends the quick search
# Ruin and recreate may at first accept circles this much worse per person (shrinking).
ACCEPT_WORSE = 0.2
# Annealing by recombination (measured on scored cohorts and random weights, 1,000
# people, 10 s): noise starts at this share of the weights' standard deviation and falls
# to nothing over the first COOL_AT of the time; WEAK_FIRST tilts which people move
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


def _value(pair_sum: FloatArray | float, size: IntArray | int) -> FloatArray:
    """Sum over members of their mean weight to the others: 2 * pairs / (size - 1)."""
    s = np.asarray(size, dtype=np.float64)
    return np.where(s > 1, 2.0 * np.asarray(pair_sum) / np.maximum(s - 1, 1), 0.0)


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
    ) -> None:
        n = w.shape[0]
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
        # A copy of ``w`` with forbidden pairs at -_BLOCKED, made when first needed.
        self._w_blocked: FloatArray | None = None

    @property
    def weights(self) -> FloatArray:
        return self.w

    # -- primitive updates -------------------------------------------------------------
    def add(self, i: int, c: int) -> None:
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

    # -- improvement --------------------------------------------------------------------
    def _swap_deltas(self, i: int, a: int, b: IntArray | int, js: IntArray) -> FloatArray:
        sa, sb = self.size[a], self.size[b]
        wij = self.w[i, js]
        delta = 2.0 / (sa - 1) * (self.gt[a, js] - self.gt[a, i] - wij) + 2.0 / (sb - 1) * (
            self.gt[b, i] - self.gt[b, js] - wij
        )
        ok = ~self.fixed[js]
        if self.ft is not None and self.forb is not None:
            ok &= (self.ft[b, i] - self.forb[i, js]) == 0
            ok &= (self.ft[a, js] - self.forb[js, i]) == 0
        if self.div is not None and self.attr is not None and self.cap is not None:
            differ = self.attr[js] != self.attr[i]
            room_b = self.div[b, self.attr[i]] + 1 <= self.cap
            room_a = self.div[a, self.attr[js]] + 1 <= self.cap
            ok &= ~differ | (room_a & room_b)
        return np.where(ok, delta, -np.inf)

    def _move_delta(self, i: int, a: int, b: int) -> float:
        sa, sb = int(self.size[a]), int(self.size[b])
        if sa <= self.min_size or sb >= self.max_size or sb == 0 or self.conflicts(i, b) > 0:
            return -np.inf
        pa, pb = float(self.pair_sum[a]), float(self.pair_sum[b])
        ga, gb = float(self.gt[a, i]), float(self.gt[b, i])
        before = 2.0 * pa / (sa - 1) + 2.0 * pb / (sb - 1)
        after = (2.0 * (pa - ga) / (sa - 2) if sa > 2 else 0.0) + 2.0 * (pb + gb) / sb
        return after - before

    def _improve_person(self, i: int, targets: IntArray) -> bool:
        a = int(self.assign[i])
        best, action = EPS, None
        circles = [int(b) for b in targets.tolist() if b != a]
        for b in circles:
            gain = self._move_delta(i, a, b)
            if gain > best:
                best, action = gain, (b, -1)
        if circles:
            block = self.slots[circles]
            filled = block >= 0
            js = block[filled]
            if len(js):
                bs = np.broadcast_to(np.array(circles)[:, None], block.shape)[filled]
                deltas = self._swap_deltas(i, a, bs, js)
                t = int(np.argmax(deltas))
                if deltas[t] > best:
                    best, action = float(deltas[t]), (int(bs[t]), int(js[t]))
        if action is None:
            return False
        b, j = action
        self.move(i, b)
        if j >= 0:
            self.move(j, a)
        return True

    def _batch_candidates(
        self, pool: IntArray, targets: IntArray
    ) -> tuple[IntArray, IntArray, FloatArray]:
        """For each person, the best swap partner (or move) into one of their target
        circles, evaluated for everyone at once. Returns circle, partner (-1 = move), gain.
        """
        p = len(pool)
        rows = np.arange(p)
        a = self.assign[pool]
        scale = 2.0 / np.maximum(self.size - 1, 1)
        best = np.full(p, -np.inf)
        goal = np.full(p, -1, dtype=np.int64)
        partner = np.full(p, -1, dtype=np.int64)
        for t in range(targets.shape[1]):
            b = targets[:, t]
            slots = self.slots[b]
            filled = slots >= 0
            js = np.where(filled, slots, 0)
            wij = self.w[pool[:, None], js]
            g_ai = self.gt[a, pool][:, None]
            g_bi = self.gt[b, pool][:, None]
            delta = scale[a][:, None] * (self.gt[a[:, None], js] - g_ai - wij) + scale[b][
                :, None
            ] * (g_bi - self.gt[b[:, None], js] - wij)
            bad = ~filled | self.fixed[js]
            if self.ft is not None and self.forb is not None:
                bad |= (self.ft[b, pool][:, None] - self.forb[pool[:, None], js]) > 0
                bad |= (self.ft[a[:, None], js] - self.forb[js, pool[:, None]]) > 0
            if self.div is not None and self.attr is not None and self.cap is not None:
                mine = self.attr[pool]
                differ = self.attr[js] != mine[:, None]
                room_b = (self.div[b, mine] + 1 <= self.cap)[:, None]
                room_a = self.div[a[:, None], self.attr[js]] + 1 <= self.cap
                bad |= differ & ~(room_a & room_b)
            delta[bad] = -np.inf
            col = np.argmax(delta, axis=1)
            value = delta[rows, col]
            better = value > best
            best[better] = value[better]
            goal[better] = b[better]
            partner[better] = slots[rows, col][better]
            if self.min_size < self.max_size:
                moved = self._batch_move_gain(pool, a, b)
                better = moved > best
                best[better] = moved[better]
                goal[better] = b[better]
                partner[better] = -1
        return goal, partner, best

    def _batch_move_gain(self, pool: IntArray, a: IntArray, b: IntArray) -> FloatArray:
        sa, sb = self.size[a].astype(np.float64), self.size[b].astype(np.float64)
        pa, pb = self.pair_sum[a], self.pair_sum[b]
        ga, gb = self.gt[a, pool], self.gt[b, pool]
        with np.errstate(divide="ignore", invalid="ignore"):
            after = np.where(sa > 2, 2.0 * (pa - ga) / (sa - 2), 0.0) + 2.0 * (pb + gb) / sb
            before = 2.0 * pa / (sa - 1) + 2.0 * pb / np.maximum(sb - 1, 1)
        ok = (sa > self.min_size) & (sb < self.max_size) & (sb > 0)
        if self.ft is not None:
            ok &= self.ft[b, pool] == 0
        if self.div is not None and self.attr is not None and self.cap is not None:
            ok &= self.div[b, self.attr[pool]] + 1 <= self.cap
        return np.where(ok, after - before, -np.inf)

    def _swap_delta_one(self, i: int, j: int, a: int, b: int) -> float:
        if self.fixed[j]:
            return -np.inf
        if (
            self.ft is not None
            and self.forb is not None
            and (self.ft[b, i] - self.forb[i, j] > 0 or self.ft[a, j] - self.forb[j, i] > 0)
        ):
            return -np.inf
        if self.div is not None and self.attr is not None and self.cap is not None:
            ai, aj = self.attr[i], self.attr[j]
            if ai != aj and (self.div[b, ai] + 1 > self.cap or self.div[a, aj] + 1 > self.cap):
                return -np.inf
        gt, wij = self.gt, float(self.w[i, j])
        sa, sb = int(self.size[a]), int(self.size[b])
        return 2.0 / (sa - 1) * (float(gt[a, j]) - float(gt[a, i]) - wij) + 2.0 / (sb - 1) * (
            float(gt[b, i]) - float(gt[b, j]) - wij
        )

    def _targets(self, people: IntArray, top: int) -> tuple[IntArray, FloatArray]:
        """Best few circles for each person by gain in mean weight (bulk, approximate)."""
        g = self.gt[:, people].T
        scale = 2.0 / np.maximum(self.size - 1, 1)
        m = g * scale
        own = m[np.arange(len(people)), self.assign[people]]
        h = m - own[:, None]
        h[np.arange(len(people)), self.assign[people]] = -np.inf
        if self.ft is not None:
            h[self.ft[:, people].T > 0] = -np.inf
        h[:, self.size == 0] = -np.inf
        top = min(top, int(np.count_nonzero(self.size)) - 1)
        if top <= 0:
            return np.zeros((len(people), 0), dtype=np.int64), np.full(len(people), -np.inf)
        # A few argmax passes are much cheaper than a partition of the whole matrix.
        rows = np.arange(len(people))
        picks: list[IntArray] = []
        for _ in range(top):
            pick = np.argmax(h, axis=1)
            if not picks:
                best = h[rows, pick].copy()
            picks.append(pick)
            h[rows, pick] = -np.inf
        return np.stack(picks, axis=1), best

    def local_search(self, people: IntArray | None, deadline: float | None) -> None:
        """Apply improving moves and swaps until none is left among ``people`` (all if None)."""
        if self.k < 2:
            return
        everyone = np.arange(self.n) if people is None else people
        everyone = everyone[~self.fixed[everyone]]
        pool = everyone
        full_pass = True
        for _ in range(500):
            if not len(pool):
                return
            targets, best = self._targets(pool, top=3)
            # A move or swap only pays if someone gains by changing circle.
            hopeful = np.flatnonzero(best > 0)
            order = hopeful[np.argsort(-best[hopeful], kind="stable")]
            touched: set[int] = set()
            before = self.objective()
            rows = order
            goal, partner, gain = self._batch_candidates(pool[rows], targets[rows])
            for row in np.argsort(-gain, kind="stable").tolist():
                if gain[row] <= EPS:
                    break
                i, b, j = int(pool[rows[row]]), int(goal[row]), int(partner[row])
                a = int(self.assign[i])
                if a == b:
                    continue
                if j >= 0:
                    if self.assign[j] != b or self._swap_delta_one(i, j, a, b) <= EPS:
                        continue
                    self.move(i, b)
                    self.move(j, a)
                else:
                    if self._move_delta(i, a, b) <= EPS:
                        continue
                    self.move(i, b)
                touched.add(a)
                touched.add(b)
                if deadline is not None and time.monotonic() > deadline:
                    return
            # Stop once passes gain next to nothing (full swap passes can take over).
            if not touched or self.objective() - before < STALL * abs(before):
                if full_pass or touched:
                    return
                pool, full_pass = everyone, True
                continue
            # Next pass: people in circles that changed (cheap); a full pass confirms.
            dirty = np.fromiter((i for c in touched for i in self.members[c]), dtype=np.int64)
            mask = np.zeros(self.n, dtype=bool)
            mask[dirty] = True
            pool = everyone[mask[everyone]]
            full_pass = False

    def full_swap_passes(self, deadline: float | None, max_passes: int | None = None) -> None:
        """Best swap or move for each person against everyone, until none improves.

        Slower than :meth:`local_search` (O(n) per person) but sees every swap, so it
        escapes the places where the quick pass stops.
        """
        if self.k < 2:
            return
        n = self.n
        everyone = np.arange(n)
        passes = 0
        while max_passes is None or passes < max_passes:
            passes += 1
            improved = False
            for i in self.rng.permutation(np.flatnonzero(~self.fixed)).tolist():
                if deadline is not None and time.monotonic() > deadline:
                    return
                if self._best_full_swap(i, everyone):
                    improved = True
            if not improved:
                return

    def _best_full_swap(self, i: int, everyone: IntArray) -> bool:
        a = int(self.assign[i])
        assign = self.assign
        scale = 2.0 / np.maximum(self.size - 1, 1)
        own = self.gt[assign, everyone]
        to_b = self.gt[assign, i]
        wi = self.w[i]
        delta = scale[a] * (self.gt[a] - self.gt[a, i] - wi) + scale[assign] * (to_b - own - wi)
        bad = (assign == a) | self.fixed
        if self.ft is not None and self.forb is not None:
            fi = self.forb[i]
            bad |= (self.ft[a] - fi) > 0
            bad |= (self.ft[assign, i] - fi) > 0
        if self.div is not None and self.attr is not None and self.cap is not None:
            differ = self.attr != self.attr[i]
            full_b = self.div[assign, self.attr[i]] + 1 > self.cap
            full_a = self.div[a, self.attr] + 1 > self.cap
            bad |= differ & (full_a | full_b)
        delta[bad] = -np.inf
        j = int(np.argmax(delta))
        best = float(delta[j])
        move_to, move_gain = -1, EPS
        if self.min_size < self.max_size:
            for b in np.flatnonzero(self.size < self.max_size).tolist():
                if b != a:
                    gain = self._move_delta(i, a, b)
                    if gain > move_gain:
                        move_to, move_gain = b, gain
        if move_to >= 0 and move_gain >= best:
            self.move(i, move_to)
            return True
        if best > EPS:
            b = int(assign[j])
            self.move(i, b)
            self.move(j, a)
            return True
        return False

    def ruin_and_recreate(self, rounds: int | None, deadline: float | None) -> None:
        """Dissolve a few related circles, refill greedily, polish; keep if not worse."""
        if self.k < 2:
            return
        done = 0
        started = time.monotonic()
        best_value, best_assign = self.objective(), self.assign.copy()
        while (rounds is None or done < rounds) and (
            deadline is None or time.monotonic() < deadline
        ):
            done += 1
            before = self.objective()
            # Early on, accept slightly worse circles to leave a local optimum; the
            # allowance shrinks to nothing, and the best circles seen are kept.
            if rounds is not None:
                progress = done / max(rounds, 1)
            elif deadline is not None:
                progress = (time.monotonic() - started) / max(deadline - started, 1e-9)
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
                self.local_search(np.array(ruined, dtype=np.int64), deadline=None)
                everyone = np.arange(self.n)
                for i in ruined:
                    if not self.fixed[i]:
                        self._best_full_swap(i, everyone)
                if self.allow_empty:
                    # With free sizes the rebuilt circles may also change size (measured:
                    # with fixed sizes the extra polish costs more rounds than it gains).
                    self.pair_search(deadline, circles, spread=False)
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
        self, deadline: float | None, circles: list[int] | None = None, spread: bool = True
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
            if deadline is not None and time.monotonic() > deadline:
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

    def anneal(self, deadline: float, spread: float) -> None:
        """Recombine halves of circles until ``deadline``. The noise starts at
        ``ANNEAL_NOISE`` × ``spread`` (the standard deviation of the weights) and falls
        to nothing over the first ``COOL_AT`` of the time, so the search can leave local
        optima; the best circles seen are kept."""
        started = time.monotonic()
        span = max(deadline - started, 1e-9)
        scale = spread if spread > 0 else 1.0
        noise, weak_first = ANNEAL_NOISE * scale, WEAK_FIRST / scale
        best_value, best_assign = self.objective(), self.assign.copy()
        while (now := time.monotonic()) < deadline:
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
