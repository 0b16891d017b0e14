"""Finding a recurring meeting time for people in different time zones (no Django).

Everyone's availability is weekly text in their own zone (``Mon-Fri 09:00-17:30``; the
default when they gave none). A slot is a weekday and a wall-clock time in one *anchor*
zone: a weekly 10:00 in Kolkata stays 10:00 in Kolkata all year, and each member's own
time for it is worked out per date, so daylight-saving changes are exact.

Candidates are every half hour of the anchor week. Each is scored by how many member-
meetings fall inside the members' hours over the whole series (so a slot that breaks
for three weeks when the US changes its clocks before Europe loses to one that never
breaks), then by comfort: not in the first or last hour of someone's day, not over
lunch, not on a Monday or Friday.

Rhythms: ``weekly`` and ``fortnightly`` repeat every 7 / 14 days from the first date;
``monthly`` is the same *n*-th weekday of every month (the 2nd Tuesday…), where a first
meeting in the last week of its month means "the last <weekday>" every month.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import numpy.typing as npt

from alongside.matching.availability import parse_availability
from alongside.matching.errors import MatchingError

DEFAULT_HOURS = "Mon-Fri 09:00-17:30"
RHYTHMS = ("weekly", "fortnightly", "monthly")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
SLOTS = 7 * 48
LUNCH = (12 * 60 + 30, 13 * 60 + 30)  # minutes of the local day
EDGE_MINUTES = 60

BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]


class SchedulingError(ValueError):
    """Input the scheduler cannot work with; the message says what and why."""


@dataclass(frozen=True)
class Attendee:
    key: int
    name: str
    timezone: str
    availability: str = ""  # empty: DEFAULT_HOURS


@dataclass(frozen=True)
class Slot:
    weekday: int  # 0 = Monday
    start: time
    timezone: str


@dataclass(frozen=True)
class ClockShift:
    """A stretch of the series where a clock change moves the slot outside someone's hours."""

    key: int
    name: str
    first: date
    last: date
    local_start: time


@dataclass(frozen=True)
class Fit:
    slot: Slot
    duration_minutes: int
    rhythm: str
    dates: tuple[date, ...]
    cannot: tuple[Attendee, ...]  # outside their hours at the first meeting
    shifts: tuple[ClockShift, ...]
    local_starts: dict[int, datetime] = field(default_factory=dict)  # at the first meeting

    @property
    def has_overlap(self) -> bool:
        return not self.cannot

    def explanation(self) -> str:
        return explain(self)


# --- Dates -----------------------------------------------------------------------------


def zone(name: str) -> ZoneInfo:
    try:
        return _zone(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise SchedulingError(f"unknown time zone {name!r}") from error


@lru_cache(maxsize=512)
def _zone(name: str) -> ZoneInfo:
    if not name:
        raise ValueError("empty")
    return ZoneInfo(name)


def first_on_or_after(day: date, weekday: int) -> date:
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def occurrence_dates(*, first: date, until: date, rhythm: str) -> list[date]:
    """Every meeting date from ``first`` (a date of the slot's weekday) to ``until``."""
    if rhythm not in RHYTHMS:
        raise SchedulingError(f"unknown rhythm {rhythm!r}: use weekly, fortnightly or monthly")
    return list(_occurrence_dates(first, until, rhythm))


@lru_cache(maxsize=4096)
def _occurrence_dates(first: date, until: date, rhythm: str) -> tuple[date, ...]:
    if rhythm != "monthly":
        step = timedelta(days=7 if rhythm == "weekly" else 14)
        out, day = [], first
        while day <= until:
            out.append(day)
            day += step
        return tuple(out)
    weekday, nth = first.weekday(), (first.day - 1) // 7
    last_week = first.day + 7 > calendar.monthrange(first.year, first.month)[1]
    out = []
    year, month = first.year, first.month
    while True:
        day = _nth_weekday(year, month, weekday, None if last_week else nth)
        if day > until:
            return tuple(out)
        out.append(day)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def _nth_weekday(year: int, month: int, weekday: int, nth: int | None) -> date:
    """The nth (0-based) ``weekday`` of the month, or its last one when ``nth`` is None."""
    days_in_month = calendar.monthrange(year, month)[1]
    if nth is None:
        last = date(year, month, days_in_month)
        return last - timedelta(days=(last.weekday() - weekday) % 7)
    first = 1 + (weekday - date(year, month, 1).weekday()) % 7
    day = first + 7 * nth
    while day > days_in_month:  # a fifth weekday that this month has not got
        day -= 7
    return date(year, month, day)


def starts_at(slot: Slot, day: date) -> datetime:
    """The aware start of the slot on ``day`` in the anchor zone, in UTC."""
    return datetime.combine(day, slot.start, tzinfo=zone(slot.timezone)).astimezone(UTC)


def meeting_starts(*, slot: Slot, first: date, until: date, rhythm: str) -> list[datetime]:
    first = first_on_or_after(first, slot.weekday)
    dates = occurrence_dates(first=first, until=until, rhythm=rhythm)
    return [starts_at(slot, day) for day in dates]


# --- Availability ----------------------------------------------------------------------


@lru_cache(maxsize=1024)
def local_hours(text: str) -> BoolArray:
    """Half-hours of the person's own week (Monday 00:00 local = 0) they are available."""
    try:
        slots = parse_availability(text.strip() or DEFAULT_HOURS, 0.0)
    except MatchingError:
        slots = parse_availability(DEFAULT_HOURS, 0.0)
    hours = np.zeros(SLOTS, dtype=bool)
    hours[list(slots)] = True
    return hours


def _fits(hours: BoolArray, local_minute_of_week: int, duration: int) -> bool:
    first = local_minute_of_week // 30
    last = (local_minute_of_week + duration - 1) // 30
    return all(hours[s % SLOTS] for s in range(first, last + 1))


@lru_cache(maxsize=4096)
def _shifted(text: str, delta: int, duration: int) -> tuple[BoolArray, IntArray]:
    """For each anchor half-hour: does the session fit this person, and its discomfort."""
    hours = local_hours(text)
    quotient, rest = divmod(delta, 30)
    width = -(-(rest + duration) // 30)
    fit = hours.copy()
    for step in range(1, width):
        fit &= np.roll(hours, -step)
    # Available half-hours before / from each slot in its run, for "not at the edges".
    before = np.zeros(SLOTS, dtype=np.int64)
    after = np.zeros(SLOTS, dtype=np.int64)
    for s in range(2 * SLOTS):
        i = s % SLOTS
        before[i] = before[(i - 1) % SLOTS] + 1 if hours[i] and s else (1 if hours[i] else 0)
    for s in range(2 * SLOTS - 1, -1, -1):
        i = s % SLOTS
        after[i] = after[(i + 1) % SLOTS] + 1 if hours[i] else 0
    starts = np.arange(SLOTS, dtype=np.int64) * 30 + rest
    edge = ((before - 1) * 30 + rest < EDGE_MINUTES) | (after * 30 - rest - duration < EDGE_MINUTES)
    day_start = starts % 1440
    lunch = (day_start < LUNCH[1]) & (day_start + duration > LUNCH[0])
    discomfort = edge.astype(np.int64) * 2 + lunch.astype(np.int64) * 2
    return np.roll(fit, -quotient), np.roll(discomfort, -quotient)


def _offset_minutes(tz: ZoneInfo, moment: datetime) -> int:
    offset = moment.astimezone(tz).utcoffset()
    assert offset is not None
    return int(offset.total_seconds() // 60)


# --- Choosing a slot -------------------------------------------------------------------


def anchor_zone(attendees: Sequence[Attendee], preferred: str = "") -> str:
    """The zone most members share; on a tie the organisation's zone, else the first's."""
    counts: dict[str, int] = {}
    for attendee in attendees:
        counts[attendee.timezone] = counts.get(attendee.timezone, 0) + 1
    if not counts:
        return preferred or "UTC"
    top = max(counts.values())
    tied = [z for z, n in counts.items() if n == top]
    return preferred if preferred in tied else tied[0]


def propose(
    *,
    attendees: Sequence[Attendee],
    rhythm: str,
    duration_minutes: int,
    start: date,
    until: date,
    preferred_zone: str = "",
) -> Fit:
    """The best recurring slot for these people from ``start`` to ``until``."""
    _check(attendees, rhythm, duration_minutes)
    # Publishing a cohort proposes a slot for every relationship; most share their zones
    # and hours, so the search runs once per distinct set of people-shapes.
    shapes = tuple(sorted((a.timezone, a.availability.strip()) for a in attendees))
    slot = _best_slot(shapes, rhythm, duration_minutes, start, until, preferred_zone)
    return evaluate(
        slot=slot,
        attendees=attendees,
        rhythm=rhythm,
        duration_minutes=duration_minutes,
        start=start,
        until=until,
    )


@lru_cache(maxsize=2048)
def _best_slot(
    shapes: tuple[tuple[str, str], ...],
    rhythm: str,
    duration_minutes: int,
    start: date,
    until: date,
    preferred_zone: str,
) -> Slot:
    attendees = [Attendee(i, "", tz, hours) for i, (tz, hours) in enumerate(shapes)]
    anchor = anchor_zone(attendees, preferred_zone)
    anchor_tz = zone(anchor)
    zones = [zone(a.timezone) for a in attendees]
    best: tuple[tuple[int, int, int, int], Slot] | None = None
    for weekday in range(7):
        first = first_on_or_after(start, weekday)
        dates = occurrence_dates(first=first, until=until, rhythm=rhythm) or [first]
        regimes: dict[tuple[int, ...], int] = {}
        for day in dates:
            noon = datetime.combine(day, time(12), tzinfo=anchor_tz)
            base = _offset_minutes(anchor_tz, noon)
            deltas = tuple(_offset_minutes(tz, noon) - base for tz in zones)
            regimes[deltas] = regimes.get(deltas, 0) + 1
        window = slice(weekday * 48, weekday * 48 + 48)
        score = np.zeros(48, dtype=np.int64)
        discomfort = np.zeros(48, dtype=np.int64)
        for position, (deltas, weight) in enumerate(regimes.items()):
            for attendee, delta in zip(attendees, deltas, strict=True):
                fit, pain = _shifted(attendee.availability, delta, duration_minutes)
                score += fit[window].astype(np.int64) * weight
                if position == 0:
                    discomfort += np.where(fit[window], pain[window], 0)
        if weekday in (0, 4):
            discomfort += 1
        for half_hour in range(48):
            key = (
                int(score[half_hour]),
                -int(discomfort[half_hour]),
                -(first - start).days,
                -half_hour,
            )
            if best is None or key > best[0]:
                best = (key, Slot(weekday, _half_hour_time(half_hour), anchor))
    assert best is not None
    return best[1]


def _half_hour_time(half_hour: int) -> time:
    return time(half_hour // 2, 30 * (half_hour % 2))


def _check(attendees: Sequence[Attendee], rhythm: str, duration_minutes: int) -> None:
    if rhythm not in RHYTHMS:
        raise SchedulingError(f"unknown rhythm {rhythm!r}: use weekly, fortnightly or monthly")
    if not 15 <= duration_minutes <= 480:
        raise SchedulingError("a session lasts between 15 minutes and 8 hours")
    if not attendees:
        raise SchedulingError("there is nobody to schedule")
    for attendee in attendees:
        zone(attendee.timezone)


def evaluate(
    *,
    slot: Slot,
    attendees: Sequence[Attendee],
    rhythm: str,
    duration_minutes: int,
    start: date,
    until: date,
) -> Fit:
    """Who can make ``slot`` at its first meeting, and where clock changes break it later."""
    _check(attendees, rhythm, duration_minutes)
    zone(slot.timezone)
    first = first_on_or_after(start, slot.weekday)
    dates = tuple(occurrence_dates(first=first, until=until, rhythm=rhythm))
    moments = _moments(slot, dates or (first,))
    cannot: list[Attendee] = []
    shifts: list[ClockShift] = []
    local_starts: dict[int, datetime] = {}
    for attendee in attendees:
        locals_, fits = _series(moments, attendee.timezone, attendee.availability, duration_minutes)
        local_starts[attendee.key] = locals_[0]
        if not fits[0]:
            cannot.append(attendee)
            continue
        run: list[int] = []
        for index, ok in enumerate([*fits, True]):
            if not ok:
                run.append(index)
            elif run:
                shifts.append(
                    ClockShift(
                        key=attendee.key,
                        name=attendee.name,
                        first=dates[run[0]],
                        last=dates[run[-1]],
                        local_start=locals_[run[0]].time().replace(tzinfo=None),
                    )
                )
                run = []
    return Fit(
        slot=slot,
        duration_minutes=duration_minutes,
        rhythm=rhythm,
        dates=dates,
        cannot=tuple(cannot),
        shifts=tuple(shifts),
        local_starts=local_starts,
    )


@lru_cache(maxsize=1024)
def _moments(slot: Slot, dates: tuple[date, ...]) -> tuple[datetime, ...]:
    return tuple(starts_at(slot, day) for day in dates)


@lru_cache(maxsize=4096)
def _series(
    moments: tuple[datetime, ...], zone_name: str, availability: str, duration: int
) -> tuple[tuple[datetime, ...], tuple[bool, ...]]:
    """One person's local start of each meeting and whether it is inside their hours.

    Cached: in a cohort most people share a zone and hours, and all of a programme's
    relationships with the same slot share its meeting times.
    """
    tz, hours = zone(zone_name), local_hours(availability)
    locals_ = tuple(moment.astimezone(tz) for moment in moments)
    return locals_, tuple(_fits(hours, _minute_of_week(local), duration) for local in locals_)


def _minute_of_week(local: datetime) -> int:
    return local.weekday() * 1440 + local.hour * 60 + local.minute


# --- Words -----------------------------------------------------------------------------


ORDINALS = ("first", "second", "third", "fourth")


def describe_slot(slot: Slot, rhythm: str, first: date | None = None) -> str:
    """``Every Tuesday at 10:00``; monthly: ``The second Tuesday of every month at 10:00``."""
    day, at = WEEKDAYS[slot.weekday], f"{slot.start:%H:%M}"
    if rhythm == "monthly":
        if first is None:
            return f"One {day} a month at {at}"
        last_week = first.day + 7 > calendar.monthrange(first.year, first.month)[1]
        nth = "last" if last_week else ORDINALS[(first.day - 1) // 7]
        return f"The {nth} {day} of every month at {at}"
    return f"{'Every other' if rhythm == 'fortnightly' else 'Every'} {day} at {at}"


def _day(value: date) -> str:
    return f"{value.day} {value:%b %Y}"


def explain(fit: Fit) -> str:
    """One plain paragraph (≤ 500 characters) for the members and the managers."""
    slot = fit.slot
    first = fit.dates[0] if fit.dates else None
    when = describe_slot(slot, fit.rhythm, first)
    parts = [f"{when} ({slot.timezone}), {fit.duration_minutes} min"]
    if fit.dates:
        span = f"{_day(fit.dates[0])} to {_day(fit.dates[-1])}"
        parts[0] += f", {len(fit.dates)} meetings from {span}."
    else:
        parts[0] += ": the programme ends before a first meeting could take place."
    if not fit.cannot:
        parts.append("It is inside everyone's working hours.")
    else:
        total = len(fit.local_starts)
        able = total - len(fit.cannot)
        lead = (
            "No time is inside both your working hours"
            if total == 2
            else f"No time suits everyone; this one suits {able} of {total}"
        )
        names = "; ".join(
            f"{a.name} ({fit.local_starts[a.key]:%a %H:%M} their time)" for a in fit.cannot[:4]
        )
        more = f" and {len(fit.cannot) - 4} more" if len(fit.cannot) > 4 else ""
        parts.append(f"{lead}. Outside working hours for: {names}{more}.")
    for shift in fit.shifts[:3]:
        span = (
            _day(shift.first)
            if shift.first == shift.last
            else f"{_day(shift.first)} to {_day(shift.last)}"
        )
        parts.append(
            f"Clock change: on {span} it is {shift.local_start:%H:%M} for {shift.name}, "
            "outside their hours."
        )
    text = " ".join(parts)
    return text if len(text) <= 500 else text[:497] + "…"
