"""Moves and swaps: one person changes circle, or two people trade places.

Each is evaluated in O(1) from the state's per-circle sums; the quick search evaluates
everyone's best few target circles in bulk, and full passes try every swap for each
person (O(n) each) to leave the places where the quick search stops.
"""

from __future__ import annotations

import numpy as np

from .circle_state import EPS, OVERHEAD, CircleState
from .validation import FloatArray, IntArray

STALL = 5e-5  # a quick pass gaining less than this fraction ends the quick search


class LocalSearch(CircleState):
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
        self.budget.charge(OVERHEAD // 4 + 12 * p * targets.shape[1] * self.slots.shape[1])
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
        self.budget.charge(OVERHEAD // 16 + 4 * self.k * len(people))
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

    def local_search(self, people: IntArray | None, until: float | None = None) -> None:
        """Apply improving moves and swaps until none is left among ``people`` (all if
        None), or until the search has used ``until`` (a share) of its budget."""
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
                if self.over(until):
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

    def full_swap_passes(self, until: float | None, max_passes: int | None = None) -> None:
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
                if self.over(until):
                    return
                if self._best_full_swap(i, everyone):
                    improved = True
            if not improved:
                return

    def _best_full_swap(self, i: int, everyone: IntArray) -> bool:
        # Every swap in bulk, then every move one circle at a time (free sizes only).
        self.budget.charge(
            OVERHEAD // 32 + 5 * self.n + (12 * self.k if self.min_size < self.max_size else 0)
        )
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
        if self.min_size < self.max_size and self.size[a] > self.min_size:
            # Every move at once (the same arithmetic as _move_delta).
            gains = self._batch_move_gain(
                np.full(self.k, i), np.full(self.k, a), np.arange(self.k, dtype=np.int64)
            )
            gains[a] = -np.inf
            b = int(np.argmax(gains))
            if gains[b] > move_gain:
                move_to, move_gain = b, float(gains[b])
        if move_to >= 0 and move_gain >= best:
            self.move(i, move_to)
            return True
        if best > EPS:
            b = int(assign[j])
            self.move(i, b)
            self.move(j, a)
            return True
        return False
