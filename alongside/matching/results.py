"""Frozen result types shared by every solver."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Unmatched:
    """A person the solver could not place, with the reason in plain words."""

    index: int
    reason: str


@dataclass(frozen=True)
class MatchResult:
    """The outcome of one solver run.

    ``groups`` holds tuples of person indices (pairs, circles; for mentoring, the mentees
    of mentor ``j`` are ``groups[j]``). ``objective`` is the value the solver maximised and
    ``upper_bound`` a proven bound on the best possible value, so ``gap`` states how far
    from optimal this run can at most be. ``optimal`` is True when the solver proved it.
    """

    groups: tuple[tuple[int, ...], ...]
    unmatched: tuple[Unmatched, ...]
    objective: float
    upper_bound: float
    optimal: bool
    method: str

    @property
    def gap(self) -> float:
        """Relative optimality gap: 0.0 means proven optimal, 0.01 means within 1 %."""
        slack = max(self.upper_bound - self.objective, 0.0)
        if slack <= 1e-9 * max(1.0, abs(self.upper_bound)):
            return 0.0
        scale = max(abs(self.upper_bound), abs(self.objective))
        return slack / scale if scale > 0 else 0.0

    @property
    def matched_count(self) -> int:
        return sum(len(group) for group in self.groups)

    def group_of(self) -> dict[int, int]:
        """Map each placed person index to the index of their group."""
        return {person: g for g, group in enumerate(self.groups) for person in group}


@dataclass(frozen=True)
class MentoringResult(MatchResult):
    """A mentoring result: ``groups[j]`` are mentor ``j``'s mentees (possibly empty).

    ``mentor_of[i]`` is mentee ``i``'s mentor index, or -1 when unassigned.
    """

    mentor_of: tuple[int, ...] = ()
