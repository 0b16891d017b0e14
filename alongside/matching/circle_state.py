"""Incremental state for the circle solver: who is where, and per-circle sums.

``gt[c, i]`` is the total weight from person ``i`` to the members of circle ``c`` and
``pair_sum[c]`` the total weight of the pairs inside ``c``, so the effect of any move or
swap is known in O(1) and applying one costs O(n).
"""

from __future__ import annotations

import time

import numpy as np

from .errors import MatchingError
from .validation import FloatArray, IntArray

EPS = 1e-10


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
    ) -> None:
        n = w.shape[0]
        self.n, self.k = n, k
        self.min_size, self.max_size = int(min_size), int(max_size)
        forbidden = ~np.isfinite(w)
        np.fill_diagonal(forbidden, False)
        self.has_forbidden = bool(forbidden.any())
        self.forb = forbidden if self.has_forbidden else None
        self.w = np.where(np.isfinite(w), w, 0.0)
        np.fill_diagonal(self.w, 0.0)
        self.attr = attr
        self.cap = cap_per_value
        self.rng = rng
        self.assign = np.full(n, -1, dtype=np.int64)
        self.fixed = np.zeros(n, dtype=bool)
        self.size = np.zeros(k, dtype=np.int64)
        self.members: list[set[int]] = [set() for _ in range(k)]
        self.gt = np.zeros((k, n))
        self.pair_sum = np.zeros(k)
        self.ft = np.zeros((k, n), dtype=np.int32) if self.has_forbidden else None
        n_values = int(attr.max()) + 1 if attr is not None and n else 0
        self.div = np.zeros((k, n_values), dtype=np.int32) if attr is not None else None
        self.log: list[tuple[int, int, int]] | None = None

    # -- primitive updates -------------------------------------------------------------
    def add(self, i: int, c: int) -> None:
        self.pair_sum[c] += self.gt[c, i]
        self.gt[c] += self.w[i]
        if self.ft is not None and self.forb is not None:
            self.ft[c] += self.forb[i]
        if self.div is not None and self.attr is not None:
            self.div[c, self.attr[i]] += 1
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
        caps = sizes.copy()
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
        empties = [c for c in range(self.k) if self.size[c] == 0]
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
            if b == a or self.conflicts(i, b) > 0:
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
    def _swap_deltas(self, i: int, a: int, b: int, js: IntArray) -> FloatArray:
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
        if sa <= self.min_size or sb >= self.max_size or self.conflicts(i, b) > 0:
            return -np.inf
        pa, pb = float(self.pair_sum[a]), float(self.pair_sum[b])
        ga, gb = float(self.gt[a, i]), float(self.gt[b, i])
        before = 2.0 * pa / (sa - 1) + 2.0 * pb / (sb - 1)
        after = (2.0 * (pa - ga) / (sa - 2) if sa > 2 else 0.0) + 2.0 * (pb + gb) / sb
        return after - before

    def _improve_person(self, i: int, targets: IntArray) -> bool:
        a = int(self.assign[i])
        best, action = EPS, None
        for b in targets.tolist():
            if b == a:
                continue
            gain = self._move_delta(i, a, b)
            if gain > best:
                best, action = gain, (b, -1)
            js = np.fromiter(self.members[b], dtype=np.int64, count=len(self.members[b]))
            if not len(js):
                continue
            deltas = self._swap_deltas(i, a, b, js)
            t = int(np.argmax(deltas))
            if deltas[t] > best:
                best, action = float(deltas[t]), (b, int(js[t]))
        if action is None:
            return False
        b, j = action
        self.move(i, b)
        if j >= 0:
            self.move(j, a)
        return True

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
        top = min(top, self.k - 1)
        if top <= 0:
            return np.zeros((len(people), 0), dtype=np.int64), np.full(len(people), -np.inf)
        idx = np.argpartition(-h, top - 1, axis=1)[:, :top]
        return idx, np.take_along_axis(h, idx, axis=1).max(axis=1)

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
            for row in order.tolist():
                i = int(pool[row])
                a = int(self.assign[i])
                if self._improve_person(i, targets[row]):
                    touched.add(a)
                    touched.add(int(self.assign[i]))
                if deadline is not None and time.monotonic() > deadline:
                    return
            if not touched:
                if full_pass:
                    return
                pool, full_pass = everyone, True
                continue
            # Next pass: people in circles that changed (cheap); a full pass confirms.
            dirty = np.fromiter((i for c in touched for i in self.members[c]), dtype=np.int64)
            mask = np.zeros(self.n, dtype=bool)
            mask[dirty] = True
            pool = everyone[mask[everyone]]
            full_pass = False

    def ruin_and_recreate(self, rounds: int | None, deadline: float | None) -> None:
        """Dissolve a few related circles, refill greedily, polish; keep if not worse."""
        if self.k < 2:
            return
        done = 0
        while (rounds is None or done < rounds) and (
            deadline is None or time.monotonic() < deadline
        ):
            done += 1
            before = self.objective()
            a = int(self.rng.integers(self.k))
            members_a = np.fromiter(self.members[a], dtype=np.int64)
            affinity = self.gt[:, members_a].sum(axis=1) / np.maximum(self.size, 1)
            affinity[a] = -np.inf
            n_related = min(self.k - 1, int(self.rng.integers(1, 4)))
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
            if not placed_ok or self.violations_in(circles) or self.objective() < before - EPS:
                for i, old, _new in reversed(self.log):
                    self.remove(i)
                    self.add(i, old)
                for i in ruined:
                    self.remove(i)
                for i, c in start.items():
                    self.add(i, c)
            self.log = None

    def violations_in(self, circles: list[int]) -> bool:
        for c in circles:
            for i in self.members[c]:
                if self._is_violating(i):
                    return True
        return False
