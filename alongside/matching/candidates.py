"""Sparse candidate graphs: the pairs worth considering when a dense matrix is too big.

At 50,000 people a dense score matrix would need 20 GB, so the scoring layer keeps, for
every person, only their best ``k`` partners. To keep the upper bound honest it also
records, per person, an upper bound on the weight of every pair it left out
(``outside_max``): a pair that is in nobody's top-k scores at most the k-th best weight of
either person.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse

from .errors import MatchingError
from .validation import FloatArray, IntArray

BlockScorer = Callable[[IntArray, IntArray], FloatArray]


@dataclass(frozen=True, eq=False)
class CandidateGraph:
    """Undirected candidate pairs ``(rows[e], cols[e])`` with ``rows < cols``.

    ``outside_max[i]`` bounds the weight of any pair with ``i`` that is not listed
    (``-inf`` when every unlisted pair is forbidden). ``score_block`` optionally scores
    any rows x cols block exactly (-inf for forbidden), which lets the pair solver place
    people the sparse graph could not.
    """

    size: int
    rows: IntArray
    cols: IntArray
    weights: FloatArray
    outside_max: FloatArray
    score_block: BlockScorer | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        n = self.size
        if n < 0:
            raise MatchingError("a candidate graph needs a non-negative size")
        if not (len(self.rows) == len(self.cols) == len(self.weights)):
            raise MatchingError("candidate rows, cols and weights must have the same length")
        if len(self.outside_max) != n:
            raise MatchingError(f"outside_max must have one entry per person ({n})")
        if len(self.rows):
            if self.rows.min() < 0 or self.cols.max() >= n:
                raise MatchingError(f"candidate pair index out of range for {n} people")
            if (self.rows >= self.cols).any():
                raise MatchingError("candidate pairs must be listed once, as (i, j) with i < j")
            if not np.isfinite(self.weights).all():
                raise MatchingError("candidate weights must be finite (leave forbidden pairs out)")
            keys = self.rows * n + self.cols
            if len(np.unique(keys)) != len(keys):
                raise MatchingError("candidate pairs must not repeat")
        if np.isnan(self.outside_max).any() or np.isposinf(self.outside_max).any():
            raise MatchingError("outside_max must be finite or -inf")

    @classmethod
    def from_edges(
        cls,
        size: int,
        rows: Any,
        cols: Any,
        weights: Any,
        *,
        outside_max: Any = None,
        score_block: BlockScorer | None = None,
    ) -> CandidateGraph:
        """Build from possibly duplicated, unordered edges, keeping each pair once."""
        r = np.asarray(rows, dtype=np.int64)
        c = np.asarray(cols, dtype=np.int64)
        w = np.asarray(weights, dtype=np.float64)
        keep = (r != c) & np.isfinite(w)
        r, c, w = r[keep], c[keep], w[keep]
        lo, hi = np.minimum(r, c), np.maximum(r, c)
        _, first = np.unique(lo * max(size, 1) + hi, return_index=True)
        if outside_max is None:
            outside = np.full(size, -np.inf)
        else:
            outside = np.asarray(outside_max, dtype=np.float64)
        return cls(size, lo[first], hi[first], w[first], outside, score_block)

    @classmethod
    def from_sparse(cls, matrix: Any) -> CandidateGraph:
        """A scipy.sparse matrix whose stored entries are the allowed pairs (others forbidden)."""
        coo = scipy.sparse.coo_array(matrix)
        if coo.shape[0] != coo.shape[1]:
            raise MatchingError(f"weights must be square, got {coo.shape[0]} x {coo.shape[1]}")
        if np.isnan(coo.data).any():
            raise MatchingError("weights contain NaN; leave forbidden pairs out of a sparse matrix")
        return cls.from_edges(coo.shape[0], coo.row, coo.col, coo.data)

    @classmethod
    def from_dense(cls, weights: FloatArray, k: int) -> CandidateGraph:
        """Keep each person's ``k`` best allowed partners from a validated dense matrix."""
        n = weights.shape[0]
        k = max(1, min(k, n - 1))
        rows, cols, vals, outside = top_k_block(weights, np.arange(n), k)

        def score_block(r: IntArray, c: IntArray) -> FloatArray:
            return weights[np.ix_(r, c)]

        return cls.from_edges(n, rows, cols, vals, outside_max=outside, score_block=score_block)

    def best_weight(self) -> FloatArray:
        """Each person's best weight over every allowed pair, listed or not."""
        best = self.outside_max.copy()
        if len(self.weights):
            np.maximum.at(best, self.rows, self.weights)
            np.maximum.at(best, self.cols, self.weights)
        return best


def top_k_block(
    block: FloatArray, row_ids: IntArray, k: int
) -> tuple[IntArray, IntArray, FloatArray, FloatArray]:
    """Top-``k`` finite entries of each row of ``block`` (rows are people ``row_ids``).

    Returns edge rows, cols, weights and, per row, the best weight left out.
    """
    n_rows, n_cols = block.shape
    if n_cols <= k:
        order = np.argsort(-block, axis=1, kind="stable")
        outside = np.full(n_rows, -np.inf)
    else:
        order = np.argpartition(-block, k, axis=1)[:, : k + 1]
        vals_k1 = np.take_along_axis(block, order, axis=1)
        # Sort the k+1 kept entries so the (k+1)-th best is the bound for the rest.
        sorter = np.argsort(-vals_k1, axis=1, kind="stable")
        order = np.take_along_axis(order, sorter, axis=1)
        outside = np.take_along_axis(block, order[:, k : k + 1], axis=1)[:, 0].astype(np.float64)
        order = order[:, :k]
    vals = np.take_along_axis(block, order, axis=1).astype(np.float64)
    rows = np.repeat(row_ids.astype(np.int64), order.shape[1])
    cols = order.ravel().astype(np.int64)
    flat = vals.ravel()
    keep = np.isfinite(flat)
    return rows[keep], cols[keep], flat[keep], outside
