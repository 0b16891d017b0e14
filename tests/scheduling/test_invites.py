"""Invitations and feeds round-trip through a calendar parser, daylight saving included."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar

from alongside.scheduling.invites import InviteAttendee, InviteEvent, feed, invitation

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2027, 1, 4, 8, tzinfo=UTC)


def _event(**changes: object) -> InviteEvent:
    values: dict[str, object] = {
        "uid": "1f0c-meeting@alongside",
        "sequence": 2,
        "starts_at": datetime(2027, 3, 30, 10, tzinfo=LONDON),  # BST, after the change
        "duration_minutes": 45,
        "timezone": "Europe/London",
        "summary": "Circle 1: meeting 3 (New managers)",
        "description": "Mentoring meeting of Circle 1",
        "url": "https://alongside.example/o/acme/mentoring/meetings/7/",
        "attendees": [
            InviteAttendee("Ravi Member", "ravi@acme.test"),
            InviteAttendee("Rao, Asha", "asha@acme.test"),
        ],
    }
    values.update(changes)
    return InviteEvent(**values)  # type: ignore[arg-type]


def test_a_request_parses_back_with_every_field_a_client_needs() -> None:
    calendar = Calendar.from_ical(invitation(_event(), organizer="Alongside <a@x.test>", now=NOW))
    assert str(calendar["METHOD"]) == "REQUEST"
    event = calendar.walk("VEVENT")[0]
    assert str(event["UID"]) == "1f0c-meeting@alongside"
    assert int(event["SEQUENCE"]) == 2
    assert event.decoded("DTSTAMP") == NOW
    assert event.decoded("DTSTART") == datetime(2027, 3, 30, 9, tzinfo=UTC)
    assert event.decoded("DTEND") == datetime(2027, 3, 30, 9, 45, tzinfo=UTC)
    assert event["DTSTART"].params["TZID"] == "Europe/London"
    assert str(event["SUMMARY"]) == "Circle 1: meeting 3 (New managers)"
    assert "https://alongside.example/o/acme/mentoring/meetings/7/" in str(event["DESCRIPTION"])
    assert str(event["STATUS"]) == "CONFIRMED"
    organizer = event["ORGANIZER"]
    assert str(organizer) == "mailto:a@x.test"
    assert organizer.params["CN"] == "Alongside"
    # A comma in a name is quoted, not split into two attendees.
    assert [a.params["CN"] for a in event["ATTENDEE"]] == ["Ravi Member", "Rao, Asha"]


def test_the_vtimezone_covers_the_daylight_saving_change_of_the_meeting() -> None:
    # A January meeting: the VTIMEZONE must still describe March's change, and a
    # client resolving 10:00 London on either side must get the right UTC instant.
    winter = _event(starts_at=datetime(2027, 1, 12, 10, tzinfo=LONDON))
    calendar = Calendar.from_ical(invitation(winter, organizer="a@x.test", now=NOW))
    [vtimezone] = calendar.walk("VTIMEZONE")
    assert str(vtimezone["TZID"]) == "Europe/London"
    tz = vtimezone.to_tz()
    assert datetime(2027, 1, 12, 10, tzinfo=tz).utcoffset() == timedelta(0)
    assert datetime(2027, 4, 6, 10, tzinfo=tz).utcoffset() == timedelta(hours=1)
    assert datetime(2027, 11, 2, 10, tzinfo=tz).utcoffset() == timedelta(0)
    offsets = {int(sub["TZOFFSETTO"].td.total_seconds()) for sub in vtimezone.subcomponents}
    assert offsets == {0, 3600}


def test_a_cancellation_is_method_cancel_with_status_cancelled() -> None:
    calendar = Calendar.from_ical(
        invitation(_event(cancelled=True, sequence=3), organizer="a@x.test", now=NOW)
    )
    assert str(calendar["METHOD"]) == "CANCEL"
    event = calendar.walk("VEVENT")[0]
    assert str(event["STATUS"]) == "CANCELLED"
    assert int(event["SEQUENCE"]) == 3


def test_a_feed_has_no_method_and_no_attendees_and_one_vtimezone_per_zone() -> None:
    india = _event(
        uid="2@alongside",
        timezone="Asia/Kolkata",
        starts_at=datetime(2027, 2, 2, 15, 30, tzinfo=ZoneInfo("Asia/Kolkata")),
    )
    calendar = Calendar.from_ical(feed([_event(), india], name="Mentoring · Acme", now=NOW))
    assert "METHOD" not in calendar
    assert str(calendar["X-WR-CALNAME"]) == "Mentoring · Acme"
    assert sorted(str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")) == [
        "Asia/Kolkata",
        "Europe/London",
    ]
    events = calendar.walk("VEVENT")
    assert [str(e["UID"]) for e in events] == ["1f0c-meeting@alongside", "2@alongside"]
    assert all("ATTENDEE" not in e and "ORGANIZER" not in e for e in events)
