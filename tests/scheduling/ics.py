"""Reading the calendar part of a sent invitation back, as a calendar client would."""

from __future__ import annotations

from typing import Any

from icalendar import Calendar


def calendar_part(message: Any) -> tuple[str, Calendar]:
    """(content type, parsed calendar) of the inline text/calendar part of an email."""
    for content, mimetype in message.alternatives:
        if mimetype.startswith("text/calendar"):
            body = content.encode() if isinstance(content, str) else content
            return mimetype, Calendar.from_ical(body)
    raise AssertionError("no text/calendar part in the email")


def attached_ics(message: Any) -> Calendar:
    for name, content, _mimetype in message.attachments:
        if name == "invite.ics":
            return Calendar.from_ical(content)
    raise AssertionError("no invite.ics attachment")


def event_of(calendar: Calendar) -> Any:
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    return events[0]
