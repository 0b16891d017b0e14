"""How long a search may run: deterministic effort, CPU time or a wall-clock cap.

A search counts its own work (array cells touched, assignments solved) as it goes, so an
``effort`` budget ends after the same steps whatever else the machine is doing: the same
seed and effort give the same circles on a quiet or a busy server. Effort is stated in
*effort seconds*: one effort second is about one CPU second of the circle search on the
reference machine (see ``benchmarks/README.md``), so ``effort=10`` is "about ten seconds
of work", counted in steps.

``cpu_seconds`` counts the process's CPU time instead (steady under load, but not
step-for-step repeatable), and ``wall_seconds`` is a plain deadline, for callers that
must answer in time whatever happens (a request, a worker's time slot). A search stops at
whichever limit it reaches first; the plain deadline is the only one that depends on the
load of the machine.
"""

from __future__ import annotations

import math
import time

from .errors import MatchingError

# Work units (about one numpy cell touched, or one elementary step) per effort second,
# measured on the reference machine: a 1,000-person circle search with effort E used
# about E CPU seconds there (benchmarks/README.md, "Budgets").
UNITS_PER_EFFORT_SECOND = 1.5e8


class Budget:
    """A budget shared by every step of one search. ``progress()`` is the share used so
    far (the largest over the limits given; always 0 with no limit), and steps check
    ``done(mark)`` against a mark between 0 and 1 to take their own share of it."""

    def __init__(
        self,
        *,
        effort: float | None = None,
        cpu_seconds: float | None = None,
        wall_seconds: float | None = None,
    ) -> None:
        for name, value in (
            ("effort", effort),
            ("cpu_seconds", cpu_seconds),
            ("wall_seconds", wall_seconds),
        ):
            if value is not None and (
                isinstance(value, bool) or not math.isfinite(value) or value < 0
            ):
                raise MatchingError(f"{name} must be a non-negative number, got {value!r}")
        self.effort = effort
        self.cpu_seconds = cpu_seconds
        self.wall_seconds = wall_seconds
        self.spent = 0.0  # work units
        self._cpu_start = time.process_time()
        self._wall_start = time.monotonic()

    @property
    def limited(self) -> bool:
        return any(x is not None for x in (self.effort, self.cpu_seconds, self.wall_seconds))

    @property
    def deterministic(self) -> bool:
        """True when only the effort limit can end the search (same steps every run)."""
        return self.cpu_seconds is None and self.wall_seconds is None

    def charge(self, units: float) -> None:
        self.spent += units

    def progress(self) -> float:
        share = 0.0
        if self.effort is not None:
            share = max(share, _ratio(self.spent, self.effort * UNITS_PER_EFFORT_SECOND))
        if self.cpu_seconds is not None:
            share = max(share, _ratio(time.process_time() - self._cpu_start, self.cpu_seconds))
        if self.wall_seconds is not None:
            share = max(share, _ratio(time.monotonic() - self._wall_start, self.wall_seconds))
        return share

    def done(self, mark: float = 1.0) -> bool:
        """Whether the search has used ``mark`` (a share, 0..1) of the budget."""
        return self.limited and self.progress() >= mark

    def effort_used(self) -> float:
        """The work done so far, in effort seconds."""
        return self.spent / UNITS_PER_EFFORT_SECOND


def _ratio(used: float, limit: float) -> float:
    if limit <= 0:
        return math.inf
    return used / limit
