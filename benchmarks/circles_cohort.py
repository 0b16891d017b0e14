"""A realistic cohort for the circle benchmarks, written as the matching command's CSV.

Directors, managers and their reports (a reporting line three deep: director, manager,
individual contributor), functions inherited down the line with some movement, levels by
depth, offices in five time zones with their languages, office hours, and 2–4 wanted and
offered topics drawn from 80 with a few popular ones.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import numpy as np

from alongside.matching.cli_input import read_people
from alongside.matching.profiles import Candidate

FUNCTIONS = [
    "Engineering",
    "Finance",
    "Sales",
    "HR",
    "Operations",
    "Legal",
    "Marketing",
    "Product",
    "Support",
    "Data",
]
# (zone, office, share, local language or None, share speaking it)
OFFICES = [
    ("Asia/Kolkata", "Bengaluru", 0.45, "Hindi", 0.6),
    ("Europe/London", "London", 0.2, None, 0.0),
    ("America/New_York", "New York", 0.12, "Spanish", 0.2),
    ("Asia/Singapore", "Singapore", 0.13, "Chinese", 0.4),
    ("Europe/Berlin", "Berlin", 0.1, "German", 0.8),
]
HOURS = ["Mon-Fri 09:00-17:00", "Mon-Fri 10:00-18:00", "Mon-Thu 08:00-16:00", "Mon-Fri 12:00-20:00"]
TOPICS = [f"topic {i}" for i in range(80)]
COLUMNS = (
    "email",
    "name",
    "manager_email",
    "department",
    "level",
    "location",
    "timezone",
    "languages",
    "wants",
    "offers",
    "availability",
)
NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def people_rows(n: int, seed: int = 0) -> list[dict[str, str]]:
    rng = np.random.default_rng(seed)
    popularity = 1.0 / np.arange(1, len(TOPICS) + 1) ** 0.8
    popularity /= popularity.sum()
    office_p = np.array([o[2] for o in OFFICES])
    office_p /= office_p.sum()
    directors = max(1, n // 60)
    managers = max(1, n // 8)
    rows: list[dict[str, str]] = []
    function_of: list[str] = []
    for i in range(n):
        if i < directors:
            depth, boss = 0, None
            function = FUNCTIONS[i % len(FUNCTIONS)]
        elif i < directors + managers:
            depth, boss = 1, int(rng.integers(directors))
            function = function_of[boss] if rng.random() < 0.85 else FUNCTIONS[rng.integers(10)]
        else:
            depth, boss = 2, int(directors + rng.integers(managers))
            function = function_of[boss] if rng.random() < 0.8 else FUNCTIONS[rng.integers(10)]
        function_of.append(function)
        zone, office, _, local, speaks = OFFICES[rng.choice(len(OFFICES), p=office_p)]
        languages = ["English"] + ([local] if local and rng.random() < speaks else [])
        level = {0: 6, 1: 5}.get(depth, int(rng.integers(2, 5)))
        rows.append(
            {
                "email": f"p{i}@example.com",
                "name": f"Person {i}",
                "manager_email": "" if boss is None else f"p{boss}@example.com",
                "department": function,
                "level": f"L{level}",
                "location": office,
                "timezone": zone,
                "languages": ";".join(languages),
                "wants": ";".join(
                    rng.choice(TOPICS, rng.integers(2, 5), replace=False, p=popularity)
                ),
                "offers": ";".join(
                    rng.choice(TOPICS, rng.integers(2, 5), replace=False, p=popularity)
                ),
                "availability": HOURS[rng.integers(len(HOURS))],
            }
        )
    return rows


def people_csv(n: int, seed: int = 0) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(people_rows(n, seed))
    return buffer.getvalue().encode()


def candidates(n: int, seed: int = 0) -> list[Candidate]:
    """The cohort as the matching command reads it."""
    read = read_people(people_csv(n, seed), "circles", NOW, strict=True)
    if read.problems:
        raise RuntimeError(f"the benchmark cohort has problems: {read.problems[:3]}")
    return read.candidates
