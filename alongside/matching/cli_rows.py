"""Rows of the matching command's output, and what to say when nobody can be placed."""

from __future__ import annotations

import numpy as np

from .profiles import Role
from .scoring import Scorer
from .validation import IntArray

Row = tuple[str, str, str, str, str, str]

# Pairs examined to find the rule that blocks a run (all pairs up to this many).
BLOCKING_SAMPLE = 1_000_000


def role_label(role: Role, fmt: str) -> str:
    """The word for a role in this format: buddies have buddies and new joiners."""
    if fmt == "buddies":
        return {Role.MENTOR: "buddy", Role.MENTEE: "new joiner"}.get(role, role.value)
    return role.value


def person_row(
    scorer: Scorer, i: int, group: str, score: float | None, reasons: str, fmt: str
) -> Row:
    c = scorer.candidates[i]
    shown = "" if score is None or not np.isfinite(score) else f"{score:.1f}"
    return (group, c.id, c.name, role_label(c.role, fmt), shown, reasons)


def unplaced_message(scorer: Scorer, fmt: str) -> str:
    """Why a run placed nobody, naming the rule that rules out the most pairs."""
    mentoring = fmt in ("mentoring", "group", "buddies")
    rows, cols = _pairs_to_examine(scorer, mentoring)
    what = {"pairs": "pair", "circles": "circle"}.get(fmt, "match")
    if not len(rows):
        return f"nobody could be placed: there are not enough people for a {what}"
    blocked = _blocked_by(scorer, rows, cols, mentoring)
    total = len(rows)
    allowed = total - int(np.any(list(blocked.values()), axis=0).sum()) if blocked else total
    if not blocked or not any(mask.any() for mask in blocked.values()):
        return (
            f"nobody could be placed: no rule forbids the {total:,} pairs examined, but the "
            f"{what} sizes, locks or diversity limit leave no valid {what}"
        )
    name, mask = max(blocked.items(), key=lambda item: int(item[1].sum()))
    count = int(mask.sum())
    if name == "the reporting-line rule" and count == total:
        return (
            "nobody could be placed: everyone is in one reporting line (each pair has one "
            "person above the other), and the reporting-line rule keeps such people apart"
        )
    listing = "; ".join(
        f"{rule} rules out {int(m.sum()):,}"
        for rule, m in sorted(blocked.items(), key=lambda item: -int(item[1].sum()))
        if m.any()
    )
    return (
        f"nobody could be placed: the rules leave no valid {what} ({allowed:,} of "
        f"{total:,} possible pairs are allowed). Most pairs are blocked by {name} "
        f"({count:,} pairs): {listing}."
    )


def _pairs_to_examine(scorer: Scorer, mentoring: bool) -> tuple[IntArray, IntArray]:
    n = scorer.n
    if mentoring:
        roles = [c.role for c in scorer.candidates]
        left = np.array([i for i, r in enumerate(roles) if r == Role.MENTEE], dtype=np.int64)
        right = np.array([i for i, r in enumerate(roles) if r == Role.MENTOR], dtype=np.int64)
        rows, cols = np.repeat(left, len(right)), np.tile(right, len(left))
    else:
        rows, cols = np.triu_indices(n, 1) if n * n <= 2 * BLOCKING_SAMPLE else _sample(n)
    if len(rows) > BLOCKING_SAMPLE:
        pick = np.random.default_rng(0).choice(len(rows), BLOCKING_SAMPLE, replace=False)
        rows, cols = rows[pick], cols[pick]
    return rows.astype(np.int64), cols.astype(np.int64)


def _sample(n: int) -> tuple[IntArray, IntArray]:
    rng = np.random.default_rng(0)
    rows, cols = rng.integers(n, size=(2, BLOCKING_SAMPLE))
    keep = rows != cols
    return rows[keep], cols[keep]


def _blocked_by(
    scorer: Scorer, rows: IntArray, cols: IntArray, mentoring: bool
) -> dict[str, np.ndarray]:
    """For each hard rule, which of these pairs it rules out on its own."""
    rules = scorer.rules
    n = scorer.n
    out: dict[str, np.ndarray] = {}
    key = rows * n + cols

    def listed(pairs: set[tuple[int, int]]) -> np.ndarray:
        if not pairs:
            return np.zeros(len(rows), dtype=bool)
        both = np.array([a * n + b for a, b in pairs] + [b * n + a for a, b in pairs])
        return np.isin(key, both)

    if rules.avoid_reporting_line:
        line = {(i, boss) for i in range(n) for boss in scorer._line_above(i)}
        out["the reporting-line rule"] = listed(line)
    if rules.avoid_previous_partners:
        index = scorer.index
        previous = {
            (i, index[other])
            for i, c in enumerate(scorer.candidates)
            for other in c.previous_partners
            if other in index
        }
        out["the rule against previous partners"] = listed(previous)
    if rules.forbidden:
        index = scorer.index
        admin = {
            (index[a], index[b])
            for pair in rules.forbidden
            if len(pair) == 2
            for a, b in [tuple(pair)]
            if a in index and b in index
        }
        out["the forbidden pairs"] = listed(admin)
    level = scorer.level
    with np.errstate(invalid="ignore"):
        gap = (level[cols] - level[rows]) if mentoring else np.abs(level[rows] - level[cols])
        if mentoring and rules.mentor_min_level_gap is not None:
            out["the mentor level-gap rule"] = gap < rules.mentor_min_level_gap
        if not mentoring and rules.max_level_gap is not None:
            out["the level-gap limit"] = gap > rules.max_level_gap
        if rules.max_timezone_difference is not None:
            d = np.abs(scorer.offset[rows] - scorer.offset[cols]) % 24.0
            out["the time-zone limit"] = np.minimum(d, 24.0 - d) > rules.max_timezone_difference
    return out
