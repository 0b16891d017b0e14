"""Circles for the matching command: the dense path for smaller files, the sparse path
(a candidate graph, solved in windows) above ``SPARSE_FROM_PEOPLE``, chosen on its own."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np

from .candidates import CandidateGraph
from .circles import circle_sizes, solve_circles
from .cli_rows import Row, person_row
from .errors import MatchingError
from .memory import check_memory, dense_circles_bytes, dense_matrix_bytes, sparse_circles_bytes
from .reasons import Audience, explain_with
from .results import MatchResult, Unmatched
from .scoring import Scorer
from .validation import FloatArray, IntArray

if TYPE_CHECKING:
    from .cli import MatchOptions

# Above this many people circles use the sparse path (never an n × n matrix).
SPARSE_FROM_PEOPLE = 4000
# Partners per person in the sparse path's candidate graph.
CIRCLE_PARTNERS = 24
# Up to this many people the command proves its bound with the LP relaxation (a minute
# at most); above, the quick bound is stated as "at most X % from the best possible".
LP_BOUND_MAX_PEOPLE = 1500


def circle_rows(
    scorer: Scorer, options: MatchOptions, audience: Audience, attr: Sequence[str] | None
) -> tuple[MatchResult, list[Row]]:
    n = scorer.n
    # Sizes that cannot work for the whole file are reported as such, first.
    circle_sizes(n, options.min_size, options.max_size, options.target_size)
    sparse = n > SPARSE_FROM_PEOPLE
    what = f"circles for {n:,} people"
    if sparse:
        check_memory(sparse_circles_bytes(n, CIRCLE_PARTNERS, len(scorer.topics)), what)
        weights: FloatArray | CandidateGraph = scorer.graph(CIRCLE_PARTNERS)
        assert isinstance(weights, CandidateGraph)
        keep, left_out = _placeable_sparse(weights, options.min_size)
        weights = _subgraph(weights, keep, scorer)
    else:
        check_memory(2 * dense_matrix_bytes(n) + dense_circles_bytes(n), what)
        full = scorer.matrix()
        keep, left_out = _placeable_dense(full, options.min_size)
        weights = full[np.ix_(keep, keep)]
        del full
    position = {int(p): i for i, p in enumerate(keep.tolist())}
    locks = []
    for lock in scorer.locks():
        outside = [scorer.candidates[i].id for i in lock if i not in position]
        if outside:
            raise MatchingError(
                f"{outside[0]} is locked with others, but the matching rules keep them out of "
                "every circle; remove the lock or loosen the rules"
            )
        locks.append([position[i] for i in lock])
    cap = int(options.max_per.split("=")[1]) if options.max_per else None
    if len(keep) < options.min_size:
        result = MatchResult((), (), 0.0, 0.0, True, "circles")
    else:
        result = solve_circles(
            weights,
            min_size=options.min_size,
            max_size=options.max_size,
            target_size=options.target_size,
            seed=options.seed,
            time_limit=options.time_limit,
            effort=options.effort,
            groups_attr=None if attr is None else [attr[i] for i in keep],
            max_per_value=cap,
            locks=locks,
            bound="lp" if len(keep) <= LP_BOUND_MAX_PEOPLE else "quick",
        )
    groups = tuple(tuple(int(keep[local]) for local in group) for group in result.groups)
    rows = _rows(scorer, groups, audience, options.format)
    unmatched = []
    for i, allowed in left_out:
        reason = (
            f"the matching rules allow only {allowed} of the others in a circle with them "
            f"(a circle needs {options.min_size - 1})"
        )
        rows.append(person_row(scorer, i, "", None, reason, options.format))
        unmatched.append(Unmatched(i, reason))
    return replace(result, groups=groups, unmatched=tuple(unmatched)), rows


def _rows(
    scorer: Scorer, groups: tuple[tuple[int, ...], ...], audience: Audience, fmt: str
) -> list[Row]:
    """One row per person: their mean score in the circle and why their closest fit fits
    (one scoring call per circle, so 50,000 people take seconds)."""
    rows: list[Row] = []
    for number, group in enumerate(groups, start=1):
        members = np.array(group, dtype=np.int64)
        block = scorer.block(members, members)
        parts = scorer.parts(members, members)
        for p, i in enumerate(group):
            scores = np.delete(block[p], p)
            mates = np.delete(np.arange(len(group)), p)
            best = int(mates[int(np.argmax(scores))])
            why = explain_with(scorer, i, group[best], parts[:, p, best], float(block[p, best]))
            name = scorer.candidates[group[best]].name
            text = f"closest fit {name}: {why.text(audience, limit=3)}"
            rows.append(person_row(scorer, i, str(number), float(scores.mean()), text, fmt))
    return rows


def _placeable_dense(weights: FloatArray, min_size: int) -> tuple[IntArray, list[tuple[int, int]]]:
    """People who can sit in some circle at all. Someone the hard rules keep away from
    almost everyone (the head of the organisation is in everyone's reporting line) is
    left out with a reason instead of failing the whole file."""
    allowed = np.isfinite(weights)
    np.fill_diagonal(allowed, False)
    keep = np.ones(len(weights), dtype=bool)
    left_out: list[tuple[int, int]] = []
    while True:
        counts = (allowed & keep[None, :]).sum(axis=1)
        lonely = np.flatnonzero(keep & (counts < min_size - 1))
        if not len(lonely):
            return np.flatnonzero(keep), left_out
        for i in lonely.tolist():
            left_out.append((i, int(counts[i])))
        keep[lonely] = False


def _placeable_sparse(
    graph: CandidateGraph, min_size: int
) -> tuple[IntArray, list[tuple[int, int]]]:
    """As :func:`_placeable_dense` on the candidate graph: a person whose unlisted pairs
    are all forbidden has every allowed partner listed, so their count is exact; anyone
    else has at least as many allowed partners as the graph lists per person."""
    n = graph.size
    keep = np.ones(n, dtype=bool)
    left_out: list[tuple[int, int]] = []
    exact = np.isneginf(graph.outside_max)
    while True:
        live = keep[graph.rows] & keep[graph.cols]
        counts = np.bincount(graph.rows[live], minlength=n) + np.bincount(
            graph.cols[live], minlength=n
        )
        lonely = np.flatnonzero(keep & exact & (counts < min_size - 1))
        if not len(lonely):
            return np.flatnonzero(keep), left_out
        for i in lonely.tolist():
            left_out.append((i, int(counts[i])))
        keep[lonely] = False


def _subgraph(graph: CandidateGraph, keep: IntArray, scorer: Scorer) -> CandidateGraph:
    if len(keep) == graph.size:
        return graph
    local = np.full(graph.size, -1, dtype=np.int64)
    local[keep] = np.arange(len(keep))
    live = (local[graph.rows] >= 0) & (local[graph.cols] >= 0)

    def score_block(rows: IntArray, cols: IntArray) -> FloatArray:
        return scorer.block(keep[rows], keep[cols])

    return CandidateGraph.from_edges(
        len(keep),
        local[graph.rows[live]],
        local[graph.cols[live]],
        graph.weights[live],
        outside_max=graph.outside_max[keep],
        score_block=score_block,
    )
