"""Weekly availability as text, e.g. ``Mon-Fri 09:00-17:00; Sat 10:00-12:30``.

Each ``;``-separated part is days (``Mon``, ``Mon-Fri`` or ``Mon,Wed``) and a time range
on the half hour in the person's own time zone; an end of ``24:00`` means midnight. The
result is a set of half-hour slots of the week in UTC, so people in different time zones
can be compared.
"""

from __future__ import annotations

import re

from .errors import MatchingError
from .profiles import SLOTS_PER_WEEK

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
AVAILABILITY_HELP = (
    "availability: ';'-separated 'DAYS HH:MM-HH:MM' in the person's time zone, "
    "e.g. 'Mon-Fri 09:00-17:00; Sat 10:00-12:30' (days Mon..Sun, ranges like Mon-Fri or "
    "lists like Mon,Wed; times on the hour or half hour)"
)
_PART = re.compile(r"^\s*([A-Za-z,\-\s]+?)\s+(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


def parse_availability(text: str, utc_offset_hours: float = 0.0) -> frozenset[int]:
    """Parse availability text into half-hour slots of the week in UTC."""
    slots: set[int] = set()
    offset = round(utc_offset_hours * 2)
    for part in (p for p in text.split(";") if p.strip()):
        match = _PART.match(part)
        if not match:
            raise MatchingError(
                f"could not read availability {part.strip()!r}: expected e.g. 'Mon-Fri 09:00-17:00'"
            )
        days = _days(match.group(1))
        start = _slot(int(match.group(2)), int(match.group(3)), part)
        end = _slot(int(match.group(4)), int(match.group(5)), part)
        if end <= start:
            raise MatchingError(f"availability {part.strip()!r} ends before it starts")
        for day in days:
            for slot in range(day * 48 + start, day * 48 + end):
                slots.add((slot - offset) % SLOTS_PER_WEEK)
    return frozenset(slots)


def _days(text: str) -> list[int]:
    out: list[int] = []
    for item in (t.strip().lower() for t in text.split(",") if t.strip()):
        if "-" in item:
            first, _, last = (x.strip()[:3] for x in item.partition("-"))
            if first not in DAYS or last not in DAYS:
                raise MatchingError(f"unknown day range {item!r}: use Mon..Sun")
            a, b = DAYS.index(first), DAYS.index(last)
            out.extend(range(a, b + 1) if a <= b else [*range(a, 7), *range(b + 1)])
        else:
            if item[:3] not in DAYS:
                raise MatchingError(f"unknown day {item!r}: use Mon..Sun")
            out.append(DAYS.index(item[:3]))
    return out


def _slot(hour: int, minute: int, part: str) -> int:
    if minute not in (0, 30) or not (0 <= hour <= 24) or (hour == 24 and minute):
        raise MatchingError(
            f"availability {part.strip()!r}: times must be on the hour or half hour"
        )
    return hour * 2 + minute // 30


def format_hours(slots: int) -> str:
    """Half-hour slots as plain hours: 9 -> '4½ h'."""
    whole, half = divmod(slots, 2)
    if half:
        return f"{whole}½ h" if whole else "½ h"
    return f"{whole} h"
