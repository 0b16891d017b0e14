"""Calendar invitations and subscription feeds (RFC 5545), built with ``icalendar``.

An invitation is ``METHOD:REQUEST`` (or ``CANCEL``) with one VEVENT whose UID never
changes for a meeting and whose SEQUENCE goes up with every change, so calendar clients
update the event they already have instead of adding a second one. Times are given in
the zone the meeting was agreed in, with its VTIMEZONE, so a client shows the right
local time on both sides of a daylight-saving change.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from email.utils import parseaddr
from functools import lru_cache
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone, vCalAddress, vText, vUri

PRODID = "-//Alongside//Mentoring meetings//EN"


@dataclass(frozen=True)
class InviteAttendee:
    name: str
    email: str


@dataclass(frozen=True)
class InviteEvent:
    uid: str
    sequence: int
    starts_at: datetime  # aware
    duration_minutes: int
    timezone: str
    summary: str
    description: str
    url: str
    attendees: Sequence[InviteAttendee] = ()
    cancelled: bool = False
    location: str = ""
    video_url: str = ""  # the meeting's video link: LOCATION (if none given) and CONFERENCE


def _address(email: str, name: str = "") -> vCalAddress:
    address = vCalAddress(f"mailto:{email}")
    if name:
        address.params["CN"] = vText(name)
    return address


def _event(item: InviteEvent, *, organizer: str, stamp: datetime, invitation: bool) -> Event:
    tz = ZoneInfo(item.timezone)
    start = item.starts_at.astimezone(tz)
    event = Event()
    event.add("uid", item.uid)
    event.add("sequence", item.sequence)
    event.add("dtstamp", stamp.astimezone(UTC))
    event.add("dtstart", start)
    event.add("dtend", start + timedelta(minutes=item.duration_minutes))
    event.add("summary", item.summary)
    event.add("description", f"{item.description}\n\n{item.url}".strip())
    if item.url:
        event.add("url", item.url)
    if item.location or item.video_url:
        event.add("location", item.location or item.video_url)
    if item.video_url:
        # RFC 7986 §5.11: how to join; calendar apps show it as a join button.
        event.add(
            "conference",
            vUri(item.video_url),
            parameters={"VALUE": "URI", "FEATURE": "VIDEO", "LABEL": "Video call"},
        )
    event.add("status", "CANCELLED" if item.cancelled else "CONFIRMED")
    event.add("transp", "OPAQUE")
    if invitation:
        organizer_name, organizer_email = parseaddr(organizer)
        event.add("organizer", _address(organizer_email or organizer, organizer_name))
        for person in item.attendees:
            attendee = _address(person.email, person.name)
            attendee.params["ROLE"] = vText("REQ-PARTICIPANT")
            attendee.params["PARTSTAT"] = vText("NEEDS-ACTION")
            attendee.params["RSVP"] = vText("TRUE")
            attendee.params["CUTYPE"] = vText("INDIVIDUAL")
            event.add("attendee", attendee, encode=False)
    return event


def _calendar(events: Sequence[Event], zones: dict[str, tuple[date, date]]) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    # VTIMEZONE first: clients read them before the events that refer to them. The range
    # covers at least a year either side of the meetings, enough for every DST rule they
    # cross, in whole years so that feeds and invitations share the cached components.
    for name, (first, last) in sorted(zones.items()):
        first_year = (first - timedelta(days=366)).year
        last_year = (last + timedelta(days=366)).year
        calendar.add_component(_vtimezone(name, first_year, last_year))
    for event in events:
        calendar.add_component(event)
    return calendar


@lru_cache(maxsize=512)
def _vtimezone(name: str, first_year: int, last_year: int) -> Timezone:
    """A zone's VTIMEZONE for whole years: working out its transitions is the slow part of
    every feed, and a handful of zones and years serve every calendar of the site."""
    return Timezone.from_tzid(
        name, first_date=date(first_year, 1, 1), last_date=date(last_year, 12, 31)
    )


def _zone_ranges(items: Sequence[InviteEvent]) -> dict[str, tuple[date, date]]:
    ranges: dict[str, tuple[date, date]] = {}
    for item in items:
        day = item.starts_at.date()
        first, last = ranges.get(item.timezone, (day, day))
        ranges[item.timezone] = (min(first, day), max(last, day))
    return ranges


def invitation(item: InviteEvent, *, organizer: str, now: datetime) -> bytes:
    """A ``METHOD:REQUEST`` invitation, or ``METHOD:CANCEL`` when the meeting is cancelled."""
    calendar = _calendar(
        [_event(item, organizer=organizer, stamp=now, invitation=True)], _zone_ranges([item])
    )
    calendar.add("method", "CANCEL" if item.cancelled else "REQUEST")
    return calendar.to_ical()


def feed(items: Sequence[InviteEvent], *, name: str, now: datetime) -> bytes:
    """A subscription calendar (no METHOD, no attendees: it is a view, not an invitation)."""
    calendar = _calendar(
        [_event(item, organizer="", stamp=now, invitation=False) for item in items],
        _zone_ranges(items),
    )
    calendar.add("x-wr-calname", name)
    calendar.add("x-published-ttl", "PT1H")
    calendar.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    return calendar.to_ical()
