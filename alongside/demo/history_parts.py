"""The pieces of the demo history: its stories and limits, a member as the history sees
them, a planned meeting, the rows to write, and small helpers."""

from __future__ import annotations

import calendar
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from alongside.demo.names import NAME_POOLS
from alongside.matching.availability import parse_availability
from alongside.matching.errors import MatchingError
from alongside.meetings.models import (
    Agreement,
    Attendance,
    Commitment,
    DevelopmentGoal,
    Meeting,
    Note,
)
from alongside.programmes.models import Intake
from alongside.relationships.models import RelationshipMember
from alongside.scheduling.models import Schedule, ScheduleResponse
from alongside.surveys.models import Pulse

INTERVAL_DAYS = {"weekly": 7, "fortnightly": 14, "monthly": 28}
# A meeting starts no earlier than 08:00 and ends no later than 20:00 for everyone.
DAY_STARTS, DAY_ENDS = 8 * 60, 20 * 60
UPCOMING = 2  # meetings already on the calendar after today
DROPPER_STAYS = 4  # held meetings the struggling circle's dropper comes to
# The dormant pair's last held meeting, in days before today: beyond two monthly periods
# (and 30 days), where the dashboard's health rules call a relationship dormant.
DORMANT_DAYS = (62, 80)
MEMBER_NEXT_DAYS = (3, 9)  # the demo member's next meeting, in days after today
SCHEDULE_FIELDS = [
    "status",
    "weekday",
    "start_time",
    "timezone",
    "rhythm",
    "duration_minutes",
    "first_date",
    "until",
    "has_overlap",
    "explanation",
    "proposed_at",
    "confirmed_at",
]
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

HEALTHY, MEMBER, DORMANT, STRUGGLING = "healthy", "member", "dormant", "struggling"
REVIEW_WEIGHTS = {
    HEALTHY: (50, 25, 17, 8),
    MEMBER: (55, 30, 15, 0),
    DORMANT: (30, 30, 30, 10),
    STRUGGLING: (15, 25, 35, 25),
}
REVIEW_STATUSES = ("done", "partly", "not_yet", "dropped")


# --- One relationship's plan ----------------------------------------------------------


@dataclass(eq=False)
class HistoryMember:
    row: RelationshipMember
    first_name: str
    zone: str
    slots: frozenset[int] | None  # local half-hours of the week they said they are free
    wants: list[str]
    is_mentor: bool


@dataclass
class PlannedMeeting:
    day: date
    starts_at: datetime
    status: str
    unscheduled: bool = False
    reason: str = ""
    meeting: Meeting | None = None
    attended: list[HistoryMember] = field(default_factory=list)


class HistoryRows:
    """Everything to write, in the order foreign keys need."""

    def __init__(self) -> None:
        self.by_model: dict[type[Any], list[Any]] = {
            model: []
            for model in (
                Schedule,
                ScheduleResponse,
                Agreement,
                DevelopmentGoal,
                Meeting,
                Attendance,
                Note,
                Commitment,
                Pulse,
            )
        }

        self.confirmed: list[Schedule] = []  # proposed by publishing, now confirmed

    def add(self, row: Any) -> None:
        self.by_model[type(row)].append(row)

    def save(self) -> None:
        for schedule in self.confirmed:  # a few rows: cheaper than bulk_update's CASEs
            schedule.save(update_fields=SCHEDULE_FIELDS)
        for model, rows in self.by_model.items():
            model.objects.bulk_create(rows, batch_size=500)


class Cycle:
    """Draw from a list without repeating until it is used up, like a shuffled deck."""

    def __init__(self, rng: random.Random, items: Sequence[str]) -> None:
        self.rng, self.items, self.deck = rng, list(items), list[str]()

    def next(self) -> str:
        if not self.deck:
            self.deck = self.rng.sample(self.items, len(self.items))
        return self.deck.pop()


# --- Small helpers ---------------------------------------------------------------------


def intake_of(row: RelationshipMember) -> Intake | None:
    try:
        return row.enrolment.intake
    except Intake.DoesNotExist:
        return None


def history_member(row: RelationshipMember) -> HistoryMember:
    intake = intake_of(row)
    slots: frozenset[int] | None = None
    if intake is not None and intake.availability:
        try:
            slots = parse_availability(intake.availability, 0.0)
        except MatchingError:
            slots = None
    zone = (intake.timezone if intake is not None else "") or row.person.timezone or "UTC"
    return HistoryMember(
        row=row,
        first_name=first_name(row.person.name),
        zone=zone,
        slots=slots,
        wants=list(intake.wants) if intake is not None else [],
        is_mentor=row.role == "mentor",
    )


def first_name(name: str) -> str:
    """What colleagues call someone: the given name, or the whole name where the family
    name comes first (as in "Lee Shu Fen")."""
    first = name.split()[0] if name.split() else name
    return name if first in _FAMILY_FIRST else first


_FAMILY_FIRST = {f for pool in NAME_POOLS.values() if pool.family_first for f in pool.family}


def city(zone: str) -> str:
    return zone.rsplit("/", 1)[-1].replace("_", " ")


def sentence(phrase: str) -> str:
    return phrase[:1].upper() + phrase[1:]


def rhythm_phrase(rhythm: str, first: date) -> str:
    """``Every other Thursday``; monthly: ``The second Wednesday of every month``."""
    day = WEEKDAYS[first.weekday()]
    if rhythm == "monthly":
        last_week = first.day + 7 > calendar.monthrange(first.year, first.month)[1]
        nth = "last" if last_week else ("first", "second", "third", "fourth")[(first.day - 1) // 7]
        return f"The {nth} {day} of every month"
    return f"{'Every other' if rhythm == 'fortnightly' else 'Every'} {day}"


def outside(value: int, bounds: tuple[int, int]) -> int:
    """0 inside ``bounds``, else how far outside."""
    low, high = bounds
    return max(low - value, value - high, 0)


def monthly_dates(first: date, until: date) -> list[date]:
    weekday, nth = first.weekday(), (first.day - 1) // 7
    last_week = first.day + 7 > calendar.monthrange(first.year, first.month)[1]
    days: list[date] = []
    year, month = first.year, first.month
    while True:
        candidates = [
            date(year, month, d)
            for d in range(1, calendar.monthrange(year, month)[1] + 1)
            if date(year, month, d).weekday() == weekday
        ]
        day = candidates[-1] if last_week else candidates[min(nth, len(candidates) - 1)]
        if day > until:
            return days
        days.append(day)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def number_word(n: int) -> str:
    words = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight")
    return words[n] if 0 <= n < len(words) else str(n)
