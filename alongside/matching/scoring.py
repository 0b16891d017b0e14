"""Scoring people: profiles and programme rules in, score matrices (or sparse candidate
graphs) out, vectorised over blocks of people so 10,000 people need no loop over pairs.

Every part of a score lies in 0..1 and is multiplied by the intent's points
(:class:`ScoreWeights`); hard rules make a pair impossible (-inf).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .candidates import CandidateGraph, top_k_block
from .errors import MatchingError
from .profiles import SLOTS_PER_WEEK, Candidate, MatchRules
from .validation import IntArray

# Scores are computed in float32 blocks and returned as float64; both pass through here.
FloatArray = NDArray[Any]

# Parts of a score, in the order the block computation stacks them.
PARTS = (
    "complementarity",
    "shared_challenges",
    "function_difference",
    "function_sameness",
    "level_difference",
    "level_sameness",
    "same_location",
    "timezone",
    "language",
    "availability",
)
LEVEL_SPAN = 3.0  # a level gap this large counts as fully different
BLOCK_CELLS = 8_000_000  # pairs scored at once (about 32 MB per float32 array)


def _codes(values: Sequence[str]) -> IntArray:
    """Integer code per value, -1 for blank (unknown never counts as same or different)."""
    lookup: dict[str, int] = {}
    out = np.full(len(values), -1, dtype=np.int64)
    for i, value in enumerate(values):
        key = value.strip().casefold()
        if key:
            out[i] = lookup.setdefault(key, len(lookup))
    return out


def _norm(topics: frozenset[str]) -> set[str]:
    return {t.strip().casefold() for t in topics if t.strip()}


class Scorer:
    """Encodes a cohort once; scores any block of pairs on demand."""

    def __init__(self, candidates: Sequence[Candidate], rules: MatchRules) -> None:
        self.candidates = list(candidates)
        self.rules = rules
        self.points = rules.score_weights
        n = self.n = len(self.candidates)
        self.index: dict[str, int] = {}
        for i, c in enumerate(self.candidates):
            if c.id in self.index:
                raise MatchingError(f"candidate id {c.id!r} appears more than once")
            self.index[c.id] = i
        self._encode_topics()
        cs = self.candidates
        self.function = _codes([c.function for c in cs])
        self.location = _codes([c.location for c in cs])
        self.level = np.array(
            [np.nan if c.level is None else c.level for c in cs], dtype=np.float32
        )
        self.offset = np.array(
            [np.nan if c.utc_offset_hours is None else c.utc_offset_hours for c in cs],
            dtype=np.float32,
        )
        self._encode_languages()
        self._encode_availability()
        self._encode_forbidden()
        self._encode_profiles()
        self._tables: dict[bool, tuple[FloatArray, np.ndarray]] = {}
        self._blocked_tables: dict[tuple[str, bool], FloatArray] = {}
        self._topic_sides: dict[bool, tuple[FloatArray, FloatArray]] = {}
        del n

    def _encode_profiles(self) -> None:
        """Group people whose non-topic attributes are identical into profile classes.

        Everything but topics depends only on these few attributes, so a small table of
        class x class scores replaces per-pair arithmetic.
        """
        columns = np.stack(
            [
                self.function,
                self.location,
                np.nan_to_num(self.level, nan=-1e6).astype(np.int64),
                np.nan_to_num(self.offset * 4, nan=-1e6).astype(np.int64),
                self.lang_pattern,
                self.avail_pattern,
            ],
            axis=1,
        )
        if self.n:
            _, first, inverse = np.unique(columns, axis=0, return_index=True, return_inverse=True)
        else:
            first, inverse = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        self.profile = inverse.reshape(-1).astype(np.int64)
        self.profile_rep = first.astype(np.int64)

    # -- encoding -----------------------------------------------------------------------
    def _encode_topics(self) -> None:
        vocab: dict[str, int] = {}
        wants = [_norm(c.wants) for c in self.candidates]
        offers = [_norm(c.offers) for c in self.candidates]
        for topic_set in (*wants, *offers):
            for t in sorted(topic_set):
                vocab.setdefault(t, len(vocab))
        self.topics = vocab
        self.wants = np.zeros((self.n, max(len(vocab), 1)), dtype=np.float32)
        self.offers = np.zeros_like(self.wants)
        for matrix, sets in ((self.wants, wants), (self.offers, offers)):
            rows = [i for i, ts in enumerate(sets) for _ in ts]
            cols = [vocab[t] for ts in sets for t in ts]
            matrix[rows, cols] = 1.0
        self.want_count = self.wants.sum(axis=1)
        need = np.maximum(self.want_count, 1.0)[:, None]
        # Row-scaled copies let one matrix product give both score parts (see _topic_points).
        self.wants_share = self.wants / need
        self.wants_cosine = self.wants / np.sqrt(need)

    def _encode_languages(self) -> None:
        sets = [
            frozenset(x.strip().casefold() for x in c.languages if x.strip())
            for c in self.candidates
        ]
        patterns: dict[frozenset[str], int] = {}
        self.lang_pattern = np.array(
            [patterns.setdefault(s, len(patterns)) if s else -1 for s in sets], dtype=np.int64
        )
        keys = list(patterns)
        self.lang_share = np.array([[bool(a & b) for b in keys] for a in keys], dtype=bool).reshape(
            len(keys), len(keys)
        )

    def _encode_availability(self) -> None:
        patterns: dict[frozenset[int], int] = {}
        codes = []
        for c in self.candidates:
            if c.availability is None:
                codes.append(-1)
            else:
                codes.append(patterns.setdefault(c.availability, len(patterns)))
        self.avail_pattern = np.array(codes, dtype=np.int64)
        grid = np.zeros((len(patterns), SLOTS_PER_WEEK), dtype=np.float32)
        for slots, p in patterns.items():
            grid[p, list(slots)] = 1.0
        # Distinct weekly patterns are few (a handful of hours x time zones), so their
        # overlaps form a small table instead of a person x person computation.
        self.avail_overlap = (grid @ grid.T).astype(np.int32)

    def _encode_forbidden(self) -> None:
        pairs: set[tuple[int, int]] = set()
        rules, index = self.rules, self.index
        if rules.avoid_reporting_line:
            for i in range(self.n):
                for boss in self._line_above(i):
                    pairs.add((i, boss))
        if rules.avoid_previous_partners:
            for i, c in enumerate(self.candidates):
                for other in c.previous_partners:
                    if other in index:
                        pairs.add((i, index[other]))
        for pair in rules.forbidden:
            ids = [x for x in pair if x in index]
            if len(ids) == 2:
                pairs.add((index[ids[0]], index[ids[1]]))
        self.forbid_i, self.forbid_j = _both_ways(pairs)
        penalised: set[tuple[int, int]] = set()
        if not rules.avoid_previous_partners and rules.previous_partner_penalty > 0:
            for i, c in enumerate(self.candidates):
                for other in c.previous_partners:
                    if other in index and index[other] != i:
                        penalised.add((i, index[other]))
        self.penalty_i, self.penalty_j = _both_ways(penalised)

    def _line_above(self, i: int) -> list[int]:
        c = self.candidates[i]
        if c.reporting_line:
            return [self.index[x] for x in c.reporting_line if x in self.index and x != c.id]
        out: list[int] = []
        seen = {i}
        boss = c.manager_id
        while boss is not None and boss in self.index and self.index[boss] not in seen:
            j = self.index[boss]
            out.append(j)
            seen.add(j)
            boss = self.candidates[j].manager_id
        return out

    # -- scoring ------------------------------------------------------------------------
    def parts(self, rows: IntArray, cols: IntArray, *, mentoring: bool = False) -> FloatArray:
        """Parts of the score (len(PARTS) x rows x cols, each 0..1), float32.

        With ``mentoring`` the rows are mentees and the columns mentors.
        """
        b, m = len(rows), len(cols)
        out = np.zeros((len(PARTS), b, m), dtype=np.float32)
        wants_r, wants_c = self.wants[rows], self.wants[cols]
        cover = self.offers[cols] @ wants_r.T  # what column j offers that row i wants
        need_r = np.maximum(self.want_count[rows], 1.0)[:, None]
        if mentoring:
            out[0] = np.minimum(cover.T / need_r, 1.0)
        else:
            back = self.offers[rows] @ wants_c.T
            need_c = np.maximum(self.want_count[cols], 1.0)[None, :]
            out[0] = np.minimum((cover.T / need_r + back / need_c) / 2.0, 1.0)
        shared = wants_r @ wants_c.T
        out[1] = shared / np.sqrt(need_r * np.maximum(self.want_count[cols], 1.0)[None, :])
        fr, fc = self.function[rows][:, None], self.function[cols][None, :]
        known = (fr >= 0) & (fc >= 0)
        out[2] = known & (fr != fc)
        out[3] = known & (fr == fc)
        gap = self._level_gap(rows, cols, mentoring)
        gap_known = ~np.isnan(gap)
        spread = np.where(gap_known, np.minimum(np.abs(gap), LEVEL_SPAN) / LEVEL_SPAN, 0.0)
        out[4] = spread
        out[5] = np.where(gap_known, 1.0 - spread, 0.0)
        lr, lc = self.location[rows][:, None], self.location[cols][None, :]
        out[6] = (lr >= 0) & (lr == lc)
        tz = self._tz_difference(rows, cols)
        out[7] = np.where(np.isnan(tz), 0.0, 1.0 - tz / 12.0)
        out[8] = self._share_language(rows, cols)
        hours = self._overlap_hours(rows, cols)
        out[9] = np.minimum(hours / self.rules.good_overlap_hours, 1.0)
        return out

    def block(
        self, rows: IntArray, cols: IntArray, *, mentoring: bool = False, dtype: Any = np.float64
    ) -> FloatArray:
        """Scores of every (row, col) pair, -inf where a hard rule forbids it."""
        rows = np.asarray(rows, dtype=np.int64)
        cols = np.asarray(cols, dtype=np.int64)
        table = self._profile_table_blocked(mentoring)
        left, right = self._topic_sides_for(mentoring)
        everyone = len(cols) == self.n and bool((cols == np.arange(self.n)).all())
        score = left[rows] @ (right if everyone else right[cols]).T
        pr, pc = self.profile[rows], self.profile[cols]
        # One gather adds the profile part and -inf where a level, time-zone or language
        # rule forbids the pair.
        score += table[pr][:, pc]
        out = score if dtype == np.float32 else score.astype(dtype)
        if not mentoring:
            # Nobody pairs with themselves.
            col_pos = np.full(self.n, -1, dtype=np.int64)
            col_pos[cols] = np.arange(len(cols))
            where = col_pos[rows]
            hit = where >= 0
            out[np.flatnonzero(hit), where[hit]] = -np.inf
        self._apply_pairs(out, rows, cols, self.forbid_i, self.forbid_j, None)
        if len(self.penalty_i):
            penalty = -self.rules.previous_partner_penalty
            self._apply_pairs(out, rows, cols, self.penalty_i, self.penalty_j, penalty)
        return out

    def _topic_sides_for(self, mentoring: bool) -> tuple[FloatArray, FloatArray]:
        """Matrices whose product is the topic points of every pair.

        complementarity = (share of i's wants that j offers + share of j's wants that i
        offers) / 2 and shared challenges = cosine of the two wants vectors, so
        [a W~, a O, b W^] @ [O, W~, W^]^T gives both, weighted, in one BLAS call.
        """
        if mentoring not in self._topic_sides:
            a = self.points.complementarity
            b = self.points.shared_challenges
            if mentoring:
                left = np.hstack([a * self.wants_share, b * self.wants_cosine])
                right = np.hstack([self.offers, self.wants_cosine])
            else:
                left = np.hstack(
                    [a / 2 * self.wants_share, a / 2 * self.offers, b * self.wants_cosine]
                )
                right = np.hstack([self.offers, self.wants_share, self.wants_cosine])
            self._topic_sides[mentoring] = (
                np.ascontiguousarray(left, dtype=np.float32),
                np.ascontiguousarray(right, dtype=np.float32),
            )
        return self._topic_sides[mentoring]

    def _profile_table_blocked(self, mentoring: bool) -> FloatArray:
        """The profile table with -inf where the rules forbid the pair."""
        key = ("blocked", mentoring)
        if key not in self._blocked_tables:
            table, forbidden = self._profile_table(mentoring)
            self._blocked_tables[key] = np.where(forbidden, np.float32(-np.inf), table)
        return self._blocked_tables[key]

    def _profile_table(self, mentoring: bool) -> tuple[FloatArray, np.ndarray]:
        if mentoring not in self._tables:
            reps = self.profile_rep
            parts = self.parts(reps, reps, mentoring=mentoring)[2:]
            weights = np.array([getattr(self.points, name) for name in PARTS[2:]], dtype=np.float32)
            table = np.tensordot(weights, parts, axes=1).astype(np.float32)
            forbidden = self._rule_mask(reps, reps, mentoring)
            self._tables[mentoring] = (table, forbidden)
        return self._tables[mentoring]

    def _level_gap(self, rows: IntArray, cols: IntArray, mentoring: bool) -> FloatArray:
        lr, lc = self.level[rows][:, None], self.level[cols][None, :]
        return (lc - lr) if mentoring else np.abs(lr - lc)

    def _tz_difference(self, rows: IntArray, cols: IntArray) -> FloatArray:
        d = np.abs(self.offset[rows][:, None] - self.offset[cols][None, :]) % 24.0
        return np.minimum(d, 24.0 - d)

    def _share_language(self, rows: IntArray, cols: IntArray) -> FloatArray:
        pr, pc = self.lang_pattern[rows], self.lang_pattern[cols]
        if not len(self.lang_share):
            return np.zeros((len(rows), len(cols)), dtype=bool)
        table = self.lang_share[np.maximum(pr, 0)][:, np.maximum(pc, 0)]
        return table & (pr >= 0)[:, None] & (pc >= 0)[None, :]

    def _overlap_hours(self, rows: IntArray, cols: IntArray) -> FloatArray:
        pr, pc = self.avail_pattern[rows], self.avail_pattern[cols]
        if not len(self.avail_overlap):
            return np.zeros((len(rows), len(cols)), dtype=np.float32)
        table = self.avail_overlap[np.maximum(pr, 0)][:, np.maximum(pc, 0)] / 2.0
        known = (pr >= 0)[:, None] & (pc >= 0)[None, :]
        return np.where(known, table, 0.0).astype(np.float32)

    def _rule_mask(self, rows: IntArray, cols: IntArray, mentoring: bool) -> np.ndarray:
        """Pairs the programme's level, time-zone and language rules forbid."""
        rules = self.rules
        mask = np.zeros((len(rows), len(cols)), dtype=bool)
        gap = self._level_gap(rows, cols, mentoring)
        with np.errstate(invalid="ignore"):
            if mentoring and rules.mentor_min_level_gap is not None:
                mask |= gap < rules.mentor_min_level_gap
            if not mentoring and rules.max_level_gap is not None:
                mask |= gap > rules.max_level_gap
            if rules.max_timezone_difference is not None:
                mask |= self._tz_difference(rows, cols) > rules.max_timezone_difference
        if rules.must_share_language:
            known = (self.lang_pattern[rows] >= 0)[:, None] & (self.lang_pattern[cols] >= 0)[
                None, :
            ]
            mask |= known & ~self._share_language(rows, cols)
        return mask

    def _apply_pairs(
        self,
        out: FloatArray,
        rows: IntArray,
        cols: IntArray,
        pair_i: IntArray,
        pair_j: IntArray,
        add: float | None,
    ) -> None:
        """Forbid (``add`` None: reporting lines, previous partners, explicit forbids) or
        add ``add`` points to the listed pairs (sorted by ``pair_i``) in this block."""
        if not len(pair_i):
            return
        if len(rows) and rows[-1] - rows[0] == len(rows) - 1 and (np.diff(rows) == 1).all():
            lo = np.searchsorted(pair_i, rows[0])
            hi = np.searchsorted(pair_i, rows[-1], side="right")
            fi, fj = pair_i[lo:hi], pair_j[lo:hi]
        else:
            fi, fj = pair_i, pair_j
        row_pos = np.full(self.n, -1, dtype=np.int64)
        col_pos = np.full(self.n, -1, dtype=np.int64)
        row_pos[rows] = np.arange(len(rows))
        col_pos[cols] = np.arange(len(cols))
        r, c = row_pos[fi], col_pos[fj]
        hit = (r >= 0) & (c >= 0)
        if add is None:
            out[r[hit], c[hit]] = -np.inf
        else:
            out[r[hit], c[hit]] += add

    def is_forbidden(self, i: int, j: int, *, mentoring: bool = False) -> bool:
        return bool(
            np.isneginf(self.block(np.array([i]), np.array([j]), mentoring=mentoring))[0, 0]
        )

    # -- whole cohorts ------------------------------------------------------------------
    def matrix(self) -> FloatArray:
        """The dense, exactly symmetric score matrix (each pair is scored once)."""
        everyone = np.arange(self.n)
        out = np.empty((self.n, self.n))
        step = max(1, BLOCK_CELLS // max(self.n, 1))
        for start in range(0, self.n, step):
            stop = min(start + step, self.n)
            out[start:stop, start:] = self.block(everyone[start:stop], everyone[start:])
            out[start:, start:stop] = out[start:stop, start:].T
        return out

    def graph(self, k: int) -> CandidateGraph:
        everyone = np.arange(self.n)
        step = max(1, BLOCK_CELLS // max(self.n, 1))
        rows, cols, vals, outside = [], [], [], []
        k = max(1, min(k, self.n - 1))
        for start in range(0, self.n, step):
            chunk = everyone[start : start + step]
            r, c, v, o = top_k_block(self.block(chunk, everyone, dtype=np.float32), chunk, k)
            rows.append(r)
            cols.append(c)
            vals.append(v)
            outside.append(o)
        return CandidateGraph.from_edges(
            self.n,
            np.concatenate(rows) if rows else [],
            np.concatenate(cols) if cols else [],
            np.concatenate(vals) if vals else [],
            outside_max=np.concatenate(outside) if outside else np.zeros(0),
            score_block=self.block,
        )

    def locks(self) -> list[tuple[int, ...]]:
        out = []
        for group in self.rules.locked:
            missing = [x for x in group if x not in self.index]
            if missing:
                raise MatchingError(f"locked id {missing[0]!r} is not in the cohort")
            out.append(tuple(self.index[x] for x in group))
        return out


def _both_ways(pairs: set[tuple[int, int]]) -> tuple[IntArray, IntArray]:
    """Each pair in both directions, sorted (so a block of rows finds its pairs fast)."""
    both = pairs | {(j, i) for i, j in pairs}
    arr = np.array(sorted(both), dtype=np.int64).reshape(-1, 2)
    return arr[:, 0], arr[:, 1]


def score_matrix(candidates: Sequence[Candidate], rules: MatchRules | None = None) -> FloatArray:
    """Dense, symmetric peer score matrix (-inf = forbidden) for pairs and circles."""
    return Scorer(candidates, rules or MatchRules()).matrix()


def candidate_graph(
    candidates: Sequence[Candidate], rules: MatchRules | None = None, *, k: int = 32
) -> CandidateGraph:
    """Each person's ``k`` best allowed peers, for cohorts too big for a dense matrix."""
    return Scorer(candidates, rules or MatchRules()).graph(k)


def mentoring_matrix(
    mentees: Sequence[Candidate], mentors: Sequence[Candidate], rules: MatchRules | None = None
) -> FloatArray:
    """Mentees x mentors scores (-inf = forbidden) for :func:`solve_mentoring`."""
    scorer = Scorer([*mentees, *mentors], rules or MatchRules())
    rows = np.arange(len(mentees))
    cols = np.arange(len(mentees), len(mentees) + len(mentors))
    return scorer.block(rows, cols, mentoring=True)
