"""Brute-force references and instance builders for the solver tests."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays


def symmetric(raw: np.ndarray, forbid: np.ndarray | None = None) -> np.ndarray:
    w = (raw + raw.T) / 2.0
    if forbid is not None:
        f = forbid | forbid.T
        w = np.where(f, -np.inf, w)
    np.fill_diagonal(w, 0.0)
    return w


@st.composite
def weight_matrices(draw: st.DrawFn, min_n: int = 0, max_n: int = 8, forbid: bool = True):
    n = draw(st.integers(min_n, max_n))
    raw = draw(arrays(np.float64, (n, n), elements=st.floats(-10, 10, allow_nan=False, width=32)))
    mask = None
    if forbid:
        mask = draw(arrays(np.bool_, (n, n), elements=st.booleans().map(lambda b: b and False)))
        density = draw(st.sampled_from([0.0, 0.1, 0.3]))
        seed = draw(st.integers(0, 2**16))
        mask = np.random.default_rng(seed).random((n, n)) < density
    return symmetric(raw, mask)


def best_matching(w: np.ndarray, participation: bool) -> tuple[int, float]:
    """(pairs, weight) of the best matching by enumeration (lexicographic if participation)."""
    n = w.shape[0]
    best: tuple[int, float] = (0, 0.0)

    def key(count: int, total: float) -> tuple[float, float]:
        return (count, total) if participation else (0, total)

    def go(left: tuple[int, ...], count: int, total: float) -> None:
        nonlocal best
        if key(count, total) > key(*best):
            best = (count, total)
        if len(left) < 2:
            return
        first, rest = left[0], left[1:]
        go(rest, count, total)
        for j in rest:
            if np.isfinite(w[first, j]):
                go(tuple(x for x in rest if x != j), count + 1, total + w[first, j])

    go(tuple(range(n)), 0, 0.0)
    return best


def best_mentoring(w: np.ndarray, caps: list[int], participation: bool) -> tuple[int, float]:
    n, m = w.shape
    best: tuple[float, float] = (-1, -np.inf)
    for choice in itertools.product(range(-1, m), repeat=n):
        if any(c >= 0 and not np.isfinite(w[i, c]) for i, c in enumerate(choice)):
            continue
        if any(choice.count(j) > caps[j] for j in range(m)):
            continue
        count = sum(c >= 0 for c in choice)
        total = sum(w[i, c] for i, c in enumerate(choice) if c >= 0)
        key = (count, total) if participation else (0, total)
        if key > ((best[0], best[1]) if participation else (0, best[1])):
            best = (count, total)
    return int(best[0]), float(best[1])


def circle_objective(w: np.ndarray, groups: tuple[tuple[int, ...], ...]) -> float:
    total = 0.0
    for g in groups:
        sub = w[np.ix_(g, g)]
        sub = np.where(np.eye(len(g), dtype=bool), 0.0, sub)
        total += float(sub.sum()) / (len(g) - 1)
    return total


def planted_circles(n: int, size: int, seed: int, noise: float = 0.3) -> tuple[np.ndarray, float]:
    rng = np.random.default_rng(seed)
    label = rng.permutation(np.arange(n) // size)
    w = rng.normal(0.0, noise, (n, n))
    w = (w + w.T) / 2 + (label[:, None] == label[None, :]) * 1.0
    np.fill_diagonal(w, 0.0)
    groups = tuple(tuple(np.flatnonzero(label == c).tolist()) for c in range(n // size))
    return w, circle_objective(w, groups)
