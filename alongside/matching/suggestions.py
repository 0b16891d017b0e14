"""Ranked suggestions for one person: the scores and reasons a whole-cohort run uses,
read along one row, for participants who choose for themselves."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .reasons import Explanation, explain_with
from .scoring import Scorer


@dataclass(frozen=True)
class Suggestion:
    index: int  # the suggested person's position in the scorer's cohort
    id: str
    score: float
    explanation: Explanation


def suggest(
    scorer: Scorer,
    person: int,
    among: Sequence[int],
    *,
    mentoring: bool = False,
    limit: int | None = None,
) -> list[Suggestion]:
    """The people of ``among`` that ``person`` may be matched with, best first.

    With ``mentoring``, ``person`` is a mentee and ``among`` are mentors. A pair a hard
    rule forbids (reporting line, previous partner, a manager's forbid, the level,
    time-zone or language rules) is never suggested. Ties keep the order of ``among``.
    """
    cols = np.array([j for j in among if j != person], dtype=np.int64)
    if not len(cols):
        return []
    rows = np.array([person], dtype=np.int64)
    scores = scorer.block(rows, cols, mentoring=mentoring)[0]
    parts = scorer.parts(rows, cols, mentoring=mentoring)[:, 0, :]
    allowed = np.flatnonzero(np.isfinite(scores))
    order = allowed[np.argsort(-scores[allowed], kind="stable")]
    if limit is not None:
        order = order[:limit]
    out = []
    for k in order.tolist():
        j = int(cols[k])
        score = float(scores[k])
        explanation = explain_with(scorer, person, j, parts[:, k], score, mentoring=mentoring)
        out.append(Suggestion(j, scorer.candidates[j].id, score, explanation))
    return out
