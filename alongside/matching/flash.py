"""Flash rounds: one-off conversations, a fresh partner each round.

Each round pairs the people taking part (one group of three when their number is odd)
so that, in this order of importance,

1. nobody meets someone they have already met in the programme while a pairing without
   that repeat exists (and, when repeats cannot be avoided, the fewest and the least
   repeated partners meet again);
2. pairs mix departments;
3. pairs are close in time zones, so a conversation fits both working days.

The round is an exact maximum-weight matching (``solve_pairs``): a pair already met
``k`` times costs ``k`` times more than everything else a whole round can gain, so the
matching repeats nobody it does not have to. Forbidden pairs (a reporting line) never
meet.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from .errors import MatchingError
from .pairs import solve_pairs

#: Points for a pair from two different (known) departments.
DEPARTMENT_MIX = 1.0
#: Points for a pair in the same time zone, falling to 0 at 12 hours apart.
TIME_ZONE_CLOSENESS = 0.5


@dataclass(frozen=True)
class FlashPerson:
    id: str
    department: str = ""
    utc_offset_hours: float | None = None


@dataclass(frozen=True)
class FlashRoundResult:
    """Groups of ids (pairs, at most one group of three) and who could not be placed."""

    groups: tuple[tuple[str, ...], ...]
    unplaced: tuple[str, ...]
    repeats: int  # pairs inside the groups that had met before


def _times_met(met: Mapping[frozenset[str], int], a: str, b: str) -> int:
    return int(met.get(frozenset((a, b)), 0))


def pair_weights(
    people: Sequence[FlashPerson],
    met: Mapping[frozenset[str], int],
    forbidden: frozenset[frozenset[str]] = frozenset(),
) -> np.ndarray:
    """The symmetric weight matrix of a round (-inf where a pair is forbidden)."""
    n = len(people)
    # More than a whole round's mixing and closeness points can add up to.
    repeat_cost = (DEPARTMENT_MIX + TIME_ZONE_CLOSENESS) * (n + 1) + 1.0
    weights = np.full((n, n), -np.inf)
    for i, a in enumerate(people):
        for j in range(i + 1, n):
            b = people[j]
            if frozenset((a.id, b.id)) in forbidden:
                continue
            value = 0.0
            da, db = a.department.strip().casefold(), b.department.strip().casefold()
            if da and db and da != db:
                value += DEPARTMENT_MIX
            if a.utc_offset_hours is not None and b.utc_offset_hours is not None:
                gap = abs(a.utc_offset_hours - b.utc_offset_hours) % 24
                gap = min(gap, 24 - gap)
                value += TIME_ZONE_CLOSENESS * (1 - gap / 12)
            value -= repeat_cost * _times_met(met, a.id, b.id)
            weights[i, j] = weights[j, i] = value
    return weights


def pair_round(
    people: Sequence[FlashPerson],
    met: Mapping[frozenset[str], int] | None = None,
    *,
    forbidden: frozenset[frozenset[str]] = frozenset(),
) -> FlashRoundResult:
    """Pair this round's people; an odd one out joins the pair that suits them best."""
    met = met or {}
    ids = [p.id for p in people]
    if len(set(ids)) != len(ids):
        raise MatchingError("a person appears more than once in the round")
    if len(people) < 2:
        return FlashRoundResult((), tuple(ids), 0)
    weights = pair_weights(people, met, forbidden)
    result = solve_pairs(weights, prefer="participation")
    groups: list[list[int]] = [list(g) for g in result.groups]
    single = sorted(u.index for u in result.unmatched)
    unplaced: list[int] = []
    for person in single:
        best: tuple[float, int] | None = None
        for g, group in enumerate(groups):
            if len(group) != 2:
                continue
            gain = float(weights[person, group[0]] + weights[person, group[1]])
            if np.isfinite(gain) and (best is None or gain > best[0]):
                best = (gain, g)
        if best is None:
            unplaced.append(person)
        else:
            groups[best[1]].append(person)
    out = tuple(tuple(sorted(ids[i] for i in group)) for group in groups)
    repeats = sum(
        1
        for group in out
        for x, a in enumerate(group)
        for b in group[x + 1 :]
        if _times_met(met, a, b)
    )
    return FlashRoundResult(tuple(sorted(out)), tuple(ids[i] for i in unplaced), repeats)
