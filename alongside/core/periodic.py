"""Periodic jobs (daily health recompute, nudges, invites coming into range…).

Apps register jobs in their ``jobs.py`` module with :func:`periodic`; the worker
(`alongside worker`) discovers those modules and runs each job once per period, claimed
in the database so that two workers never run the same period twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

JobFunction = Callable[[datetime], object]


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    every: timedelta
    function: JobFunction


PERIODIC_JOBS: dict[str, PeriodicJob] = {}


def periodic(
    name: str, *, every: timedelta = timedelta(days=1)
) -> Callable[[JobFunction], JobFunction]:
    """Register ``function(now)`` to run once per ``every``; it must be idempotent."""

    def register(function: JobFunction) -> JobFunction:
        if name in PERIODIC_JOBS and PERIODIC_JOBS[name].function is not function:
            raise ValueError(f"periodic job {name!r} is registered twice")
        PERIODIC_JOBS[name] = PeriodicJob(name=name, every=every, function=function)
        return function

    return register
