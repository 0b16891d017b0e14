"""Input checks shared by the solvers; every failure is a MatchingError with a clear message."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from .errors import MatchingError

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]

# Scores computed in float32 differ in the last digits between [i, j] and [j, i].
SYMMETRY_TOLERANCE = 1e-6


def as_weight_matrix(weights: Any, *, square: bool, name: str = "weights") -> FloatArray:
    """Return ``weights`` as a float64 matrix, or raise MatchingError saying what is wrong."""
    try:
        matrix = np.array(weights, dtype=np.float64, copy=True)
    except (TypeError, ValueError) as exc:
        raise MatchingError(f"{name} must be a numeric matrix: {exc}") from exc
    if matrix.ndim != 2:
        raise MatchingError(
            f"{name} must be a 2-dimensional matrix, got {matrix.ndim} dimension(s)"
        )
    symmetric = True
    if square:
        rows, cols = matrix.shape
        if rows != cols:
            raise MatchingError(f"{name} must be square, got {rows} x {cols}")
        np.fill_diagonal(matrix, -np.inf)
        top, symmetric = _scan_square(matrix)
    else:
        top = float(matrix.max()) if matrix.size else 0.0
    if np.isnan(top):
        i, j = map(int, np.argwhere(np.isnan(matrix))[0])
        raise MatchingError(f"{name} contains NaN at [{i}, {j}]; use -inf to forbid a pair")
    if np.isposinf(top):
        i, j = map(int, np.argwhere(np.isposinf(matrix))[0])
        raise MatchingError(f"{name} contains +inf at [{i}, {j}]; weights must be finite or -inf")
    if not symmetric:
        _raise_asymmetry(matrix, name)
    return matrix


def check_prefer(prefer: str) -> None:
    if prefer not in ("participation", "score"):
        raise MatchingError(f"prefer must be 'participation' or 'score', got {prefer!r}")


def check_seed(seed: int) -> None:
    if not isinstance(seed, int | np.integer) or isinstance(seed, bool):
        raise MatchingError(f"seed must be an integer, got {seed!r}")


def check_time_limit(time_limit: float | None) -> None:
    if time_limit is not None and (not np.isfinite(time_limit) or time_limit < 0):
        raise MatchingError(
            f"time_limit must be a non-negative number of seconds, got {time_limit}"
        )


def check_index(index: Any, size: int, what: str) -> int:
    if not isinstance(index, int | np.integer) or isinstance(index, bool):
        raise MatchingError(f"{what} must be an integer index, got {index!r}")
    if not 0 <= int(index) < size:
        raise MatchingError(f"{what} {index} is out of range for {size} people")
    return int(index)


def _scan_square(matrix: FloatArray) -> tuple[float, bool]:
    """One pass in row blocks: the largest entry (NaN if any) and a symmetry probe.

    The probe compares Wx with x'W for a fixed random x instead of building a transposed
    copy; forbidden entries get a sentinel value so a one-sided -inf also shows up.
    """
    n = matrix.shape[0]
    if n <= 1:
        return (float(matrix.max()) if matrix.size else 0.0), True
    x = np.asarray(np.random.default_rng(12345).random(size=n), dtype=np.float64)
    left = np.empty(n)
    right = np.zeros(n)
    top, bottom = -np.inf, np.inf
    step = max(1, 2_000_000 // n)
    for start in range(0, n, step):
        rows = matrix[start : start + step]
        block_top = float(rows.max())
        if np.isnan(block_top) or np.isposinf(block_top):
            return block_top, False
        top = max(top, block_top)
        probe = np.where(np.isneginf(rows), 7.31, rows)
        bottom = min(bottom, float(probe.min()))
        left[start : start + step] = probe @ x
        right += x[start : start + step] @ probe
    largest = max(abs(top), abs(bottom), 7.31)
    tolerance = SYMMETRY_TOLERANCE * (largest * float(x.sum()) + 1.0)
    return top, bool(np.all(np.abs(left - right) <= tolerance))


def _raise_asymmetry(matrix: FloatArray, name: str) -> None:
    finite = np.isfinite(matrix)
    if not np.array_equal(finite, finite.T):
        i, j = map(int, np.argwhere(finite != finite.T)[0])
        raise MatchingError(
            f"{name} is not symmetric: [{i}, {j}] is forbidden but [{j}, {i}] is not"
        )
    values = np.where(finite, matrix, 0.0)
    close = np.isclose(values, values.T, rtol=SYMMETRY_TOLERANCE, atol=SYMMETRY_TOLERANCE)
    i, j = map(int, np.argwhere(~close)[0])
    raise MatchingError(
        f"{name} is not symmetric: [{i}, {j}] = {matrix[i, j]:g} but [{j}, {i}] = {matrix[j, i]:g}"
    )
