"""Weekly availability as people type it, read into the one form the engine reads.

People write ``Mon-Thu 10:00-12:00, 14:00-17:00``, ``weekdays 9am to 5pm``, ``Tue & Thu
14-16`` or one range a line; the engine reads ``Mon-Thu 10:00-12:00; Mon-Thu
14:00-17:00`` (``alongside.matching.availability``). :func:`normalise_availability` turns
the first into the second, and the weekly grid on the intake page is the same set of
half-hour slots (:func:`slots_of`, :func:`text_of`). Django-free; errors say which part
could not be read and why.
"""

from __future__ import annotations

import re
from collections import defaultdict

DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_DAY_WORDS = {
    **{name.lower(): n for n, name in enumerate(DAY_NAMES)},
    "monday": 0,
    "tuesday": 1,
    "tues": 1,
    "wednesday": 2,
    "weds": 2,
    "thursday": 3,
    "thur": 3,
    "thurs": 3,
    "friday": 4,
    "saturday": 5,
    "sunday": 6,
}
_DAY_GROUPS = {
    "weekdays": [0, 1, 2, 3, 4],
    "weekday": [0, 1, 2, 3, 4],
    "weekends": [5, 6],
    "weekend": [5, 6],
    "daily": list(range(7)),
    "everyday": list(range(7)),
}
SLOTS_PER_DAY = 48  # half hours

_DAY = (
    r"(?:mon(?:day)?|tue(?:s(?:day)?)?|wed(?:s|nesday)?|thu(?:r(?:s(?:day)?)?)?"
    r"|fri(?:day)?|sat(?:urday)?|sun(?:day)?)\.?"
)
_TIME = r"\d{1,2}(?:[:.]\d{2})?\s*(?:am|pm)?"
_RANGE = re.compile(rf"^\s*({_TIME})\s*(?:-|–|—|to|until)\s*({_TIME})\s*$", re.IGNORECASE)
_DAYS_PREFIX = re.compile(
    rf"^\s*((?:{_DAY}|weekdays?|weekends?|daily|every\s*day)"
    rf"(?:\s*(?:-|–|—|to|through|,|/|&|and)\s*(?:{_DAY}|weekdays?|weekends?))*)\s*:?\s*",
    re.IGNORECASE,
)


class AvailabilityTextError(ValueError):
    """The text could not be read; the message names the part and what was expected."""


def _day_list(text: str) -> list[int]:
    text = re.sub(r"every\s*day", "everyday", text.lower())
    days: list[int] = []
    for item in re.split(r"\s*(?:,|/|&|\band\b)\s*", text):
        item = item.strip().rstrip(".")
        if not item:
            continue
        if item in _DAY_GROUPS:
            days.extend(_DAY_GROUPS[item])
            continue
        ends = [
            part.strip().rstrip(".")
            for part in re.split(r"\s*(?:-|–|—|\bto\b|\bthrough\b)\s*", item)
        ]
        if len(ends) == 2 and all(end in _DAY_WORDS for end in ends):
            first, last = _DAY_WORDS[ends[0]], _DAY_WORDS[ends[1]]
            days.extend(
                range(first, last + 1) if first <= last else [*range(first, 7), *range(last + 1)]
            )
        elif len(ends) == 1 and ends[0] in _DAY_WORDS:
            days.append(_DAY_WORDS[ends[0]])
        else:
            raise AvailabilityTextError(
                f"could not read the days {item!r}: use e.g. Mon-Fri or Tue, Thu"
            )
    return days


def _half_hour(text: str, where: str) -> int:
    match = re.fullmatch(r"(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)?", text.strip(), re.IGNORECASE)
    if not match:
        raise AvailabilityTextError(f"could not read the time {text.strip()!r} in {where!r}")
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    suffix = (match.group(3) or "").lower()
    if suffix:
        if not 1 <= hour <= 12:
            raise AvailabilityTextError(f"{text.strip()!r} in {where!r} is not a time")
        hour = hour % 12 + (12 if suffix == "pm" else 0)
    if minute not in (0, 30) or not 0 <= hour <= 24 or (hour == 24 and minute):
        raise AvailabilityTextError(
            f"{text.strip()!r} in {where!r}: give times on the hour or half hour, e.g. 09:30"
        )
    return hour * 2 + minute // 30


def _time_range(text: str, where: str) -> range:
    match = _RANGE.match(text)
    if not match:
        raise AvailabilityTextError(
            f"could not read {where!r}: expected days and a time range, e.g. 'Mon-Fri 09:00-17:00'"
        )
    start = _half_hour(match.group(1), where)
    end = _half_hour(match.group(2), where)
    plain = not re.search(r"am|pm", match.group(0), re.IGNORECASE)
    if plain and end <= start and end < 24 and end + 24 > start:
        end += 24  # "9-5" is nine to five, not five in the morning
    if end <= start:
        raise AvailabilityTextError(f"{where!r} ends before it starts")
    return range(start, end)


def slots_of(text: str) -> set[int]:
    """The half-hour slots of the week (0 = Monday 00:00) that ``text`` describes."""
    slots: set[int] = set()
    days: list[int] | None = None
    # Parts are separated by ';', new lines or ' and ' between ranges; within a part, a
    # comma before a time continues the same days, a comma before a day starts new ones.
    for part in re.split(r"\s*(?:;|\n|\r)\s*", text):
        if not part.strip():
            continue
        chunks = re.split(r"\s*,\s*(?=\d)|\s+and\s+(?=\d)", part.strip())
        for chunk in chunks:
            if not chunk.strip():
                continue
            prefix = _DAYS_PREFIX.match(chunk)
            rest = chunk
            if prefix and prefix.group(1).strip():
                days = _day_list(prefix.group(1))
                rest = chunk[prefix.end() :]
            if days is None:
                raise AvailabilityTextError(
                    f"could not read availability {chunk.strip()!r}: start with the days, "
                    "e.g. 'Mon-Fri 09:00-17:00'"
                )
            if not rest.strip():
                raise AvailabilityTextError(
                    f"{chunk.strip()!r} has no time range, e.g. 09:00-17:00"
                )
            hours = _time_range(rest, chunk.strip())
            for day in days:
                slots.update(day * SLOTS_PER_DAY + h for h in hours)
        days = None
    return slots


def _clock(half_hours: int) -> str:
    return f"{half_hours // 2:02d}:{30 * (half_hours % 2):02d}"


def _runs(values: list[int]) -> list[tuple[int, int]]:
    """Consecutive runs of sorted integers as (first, last) pairs."""
    runs: list[tuple[int, int]] = []
    for value in values:
        if runs and value == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], value)
        else:
            runs.append((value, value))
    return runs


def _days_text(days: list[int]) -> str:
    parts = []
    for first, last in _runs(days):
        if first == last:
            parts.append(DAY_NAMES[first])
        elif last == first + 1:
            parts.extend((DAY_NAMES[first], DAY_NAMES[last]))
        else:
            parts.append(f"{DAY_NAMES[first]}-{DAY_NAMES[last]}")
    return ",".join(parts)


def text_of(slots: set[int]) -> str:
    """The engine's form of a set of half-hour slots: each time range with its days."""
    days_of: dict[tuple[int, int], list[int]] = defaultdict(list)
    for day in range(7):
        hours = sorted(s - day * SLOTS_PER_DAY for s in slots if s // SLOTS_PER_DAY == day)
        for first, last in _runs(hours):
            days_of[(first, last + 1)].append(day)
    ordered = sorted(days_of.items(), key=lambda item: (item[1][0], item[0]))
    return "; ".join(
        f"{_days_text(days)} {_clock(start)}-{_clock(end)}" for (start, end), days in ordered
    )


def normalise_availability(text: str) -> str:
    """Any common typed form, as the engine reads it (empty stays empty)."""
    if not text.strip():
        return ""
    slots = slots_of(text)
    if not slots:
        raise AvailabilityTextError("no time was given: e.g. 'Mon-Fri 09:00-17:00'")
    return text_of(slots)


def weekly_hours(slots: set[int]) -> float:
    return len(slots) / 2
