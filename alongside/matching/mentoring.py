"""Mentoring (1:1 and group): exact assignment of mentees to mentor slots."""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.optimize import linear_sum_assignment

from .errors import MatchingError
from .results import MentoringResult, Unmatched
from .validation import as_weight_matrix, check_prefer, check_seed


def solve_mentoring(
    weights: Any,
    capacities: Any,
    *,
    prefer: str = "participation",
    seed: int = 0,
) -> MentoringResult:
    """Assign each mentee (row) to at most one mentor (column), mentor ``j`` taking at most
    ``capacities[j]`` mentees, maximising the total weight; exact.

    ``-inf`` forbids a mentee-mentor pair. With ``prefer="participation"`` (default) as
    many mentees as possible get a mentor, then weight is maximised; ``prefer="score"``
    maximises weight only, so a mentee whose every option scores below zero stays single.
    """
    check_prefer(prefer)
    check_seed(seed)
    w = as_weight_matrix(weights, square=False)
    n_mentees, n_mentors = w.shape
    caps = _check_capacities(capacities, n_mentors)
    slots = np.repeat(np.arange(n_mentors), caps)
    mentor_of = np.full(n_mentees, -1, dtype=np.int64)
    if n_mentees and len(slots):
        # Work on the mentees x mentors matrix, then copy columns out to slots once.
        allowed = np.isfinite(w)
        if prefer == "score":
            allowed &= w >= 0
        finite = w[allowed]
        spread = float(np.abs(finite).max()) * 2.0 if len(finite) else 0.0
        # A disallowed pair costs more than any set of allowed ones can gain, so the
        # assignment maximises the number of allowed pairs first, then their weight.
        penalty = (spread + 1.0) * (min(n_mentees, len(slots)) + 1)
        # With prefer="score" a single mentee is worth 0, exactly like a pair worth 0.
        blocked = -penalty if prefer == "participation" else 0.0
        work = np.where(allowed, w, blocked)[:, slots]
        rows, cols = linear_sum_assignment(work, maximize=True)
        good = allowed[rows, slots[cols]]
        mentor_of[rows[good]] = slots[cols[good]]
    by_mentor: list[list[int]] = [[] for _ in range(n_mentors)]
    for i, j in enumerate(mentor_of.tolist()):
        if j >= 0:
            by_mentor[j].append(i)
    groups = tuple(tuple(mentees) for mentees in by_mentor)
    assigned = mentor_of >= 0
    objective = float(w[np.flatnonzero(assigned), mentor_of[assigned]].sum())
    unmatched = _reasons(w, caps, mentor_of, prefer)
    # The assignment is exact; the bound only absorbs floating-point rounding.
    upper = objective + 1e-9 * max(1.0, abs(objective))
    return MentoringResult(
        groups=groups,
        unmatched=unmatched,
        objective=objective,
        upper_bound=upper,
        optimal=True,
        method="assignment on mentor slots (exact)",
        mentor_of=tuple(int(m) for m in mentor_of),
    )


def _check_capacities(capacities: Any, n_mentors: int) -> np.ndarray:
    try:
        caps = np.asarray(capacities, dtype=np.float64).reshape(-1)
    except (TypeError, ValueError) as exc:
        raise MatchingError(f"capacities must be a list of whole numbers: {exc}") from exc
    if len(caps) != n_mentors:
        raise MatchingError(
            f"capacities has {len(caps)} entries but weights has {n_mentors} mentor columns"
        )
    if not np.isfinite(caps).all() or (caps != np.round(caps)).any():
        raise MatchingError("capacities must be whole numbers")
    if (caps < 0).any():
        j = int(np.flatnonzero(caps < 0)[0])
        raise MatchingError(f"mentor {j} has a negative capacity ({int(caps[j])})")
    return caps.astype(np.int64)


def _reasons(
    w: np.ndarray, caps: np.ndarray, mentor_of: np.ndarray, prefer: str
) -> tuple[Unmatched, ...]:
    out: list[Unmatched] = []
    open_mentors = caps > 0
    for i in np.flatnonzero(mentor_of < 0).tolist():
        row = w[i]
        allowed = np.isfinite(row) & open_mentors
        if not np.isfinite(row).any():
            reason = "no allowed mentor: every mentor is forbidden for this mentee"
        elif not allowed.any():
            reason = "every allowed mentor has no capacity"
        elif prefer == "score" and not (row[allowed] >= 0).any():
            reason = "no mentor with a non-negative score"
        else:
            reason = "every allowed mentor is already at capacity"
        out.append(Unmatched(int(i), reason))
    return tuple(out)
