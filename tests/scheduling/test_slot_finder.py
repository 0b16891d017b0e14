"""The pure scheduler: overlap across time zones, comfort, rhythms and clock changes."""

from __future__ import annotations

import itertools
import subprocess
import sys
import textwrap
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from alongside.scheduling.slot_finder import (
    Attendee,
    SchedulingError,
    Slot,
    anchor_zone,
    evaluate,
    meeting_starts,
    occurrence_dates,
    propose,
)

KOLKATA, LONDON, LA = "Asia/Kolkata", "Europe/London", "America/Los_Angeles"
START, UNTIL = date(2027, 1, 4), date(2027, 6, 30)


def _propose(attendees, rhythm="weekly", **kwargs):
    return propose(
        attendees=attendees,
        rhythm=rhythm,
        duration_minutes=kwargs.pop("duration_minutes", 45),
        start=kwargs.pop("start", START),
        until=kwargs.pop("until", UNTIL),
        **kwargs,
    )


def _local(fit, key):
    return fit.local_starts[key]


def test_india_and_london_meet_inside_both_working_days_away_from_the_edges():
    fit = _propose(
        [Attendee(1, "Asha", KOLKATA), Attendee(2, "Liam", LONDON)], preferred_zone=KOLKATA
    )
    assert fit.has_overlap
    assert fit.slot.timezone == KOLKATA  # tie on zones: the organisation's wins
    asha, liam = _local(fit, 1), _local(fit, 2)
    # Inside 09:00–17:30 for both, not in anyone's first or last hour, not over lunch.
    for local in (asha, liam):
        minutes = local.hour * 60 + local.minute
        assert 10 * 60 <= minutes <= 16 * 60 + 30 - 45
        assert not (12 * 60 + 30 - 45 < minutes < 13 * 60 + 30)
    assert asha.weekday() not in (0, 4, 5, 6)  # midweek
    assert "inside everyone's working hours" in fit.explanation()


def test_a_circle_across_india_london_and_the_us_pacific_names_who_cannot_make_it():
    people = [
        Attendee(1, "Asha", KOLKATA),
        Attendee(2, "Liam", LONDON),
        Attendee(3, "Priya", KOLKATA),
        Attendee(4, "Pat", LA),
    ]
    fit = _propose(people, preferred_zone=KOLKATA)
    # 09:00–17:30 in Kolkata and in Los Angeles never overlap: the slot suits the most.
    assert not fit.has_overlap
    assert [a.name for a in fit.cannot] == ["Pat"]
    assert fit.slot.timezone == KOLKATA  # two of four are in Kolkata
    text = fit.explanation()
    assert "No time suits everyone; this one suits 3 of 4" in text
    assert "Pat" in text
    assert len(text) <= 500
    pat = _local(fit, 4)
    assert pat.tzinfo == ZoneInfo(LA)
    assert not time(9) <= pat.time() <= time(17, 30)


def test_a_pair_without_shared_hours_is_told_so_plainly():
    fit = _propose([Attendee(1, "Asha", KOLKATA), Attendee(2, "Pat", LA)])
    assert not fit.has_overlap
    assert "No time is inside both your working hours" in fit.explanation()


def test_availability_from_the_intake_is_honoured_in_the_person_s_own_zone():
    # Pat works early (06:00–09:00 Pacific) which is 14:00–17:00 in London in winter.
    people = [Attendee(1, "Liam", LONDON), Attendee(2, "Pat", LA, "Mon-Fri 06:00-09:00")]
    fit = _propose(people, preferred_zone=LONDON)
    assert fit.has_overlap
    pat = _local(fit, 2)
    assert time(6) <= pat.time()
    assert pat.hour * 60 + pat.minute + 45 <= 9 * 60
    # The whole series stays inside: the search avoids slots the March gap would break.
    assert fit.shifts == ()


def test_a_dst_change_that_moves_the_slot_outside_someone_s_hours_is_flagged():
    # One hour a day each: it overlaps only while the US and UK differ by 8 hours.
    people = [
        Attendee(1, "Liam", LONDON, "Mon-Fri 16:00-17:00"),
        Attendee(2, "Pat", LA, "Mon-Fri 08:00-09:00"),
    ]
    fit = _propose(people, preferred_zone=LONDON)
    assert fit.has_overlap  # at the first meeting, in January
    assert fit.slot == Slot(fit.slot.weekday, time(16), LONDON)
    # The US springs forward on 14 March 2027, the UK on 28 March: for those two weeks
    # 16:00 in London is 09:00 in Los Angeles, after Pat's hour.
    shifted = {(s.name, s.first, s.last, s.local_start) for s in fit.shifts}
    first_gap = next(d for d in fit.dates if d >= date(2027, 3, 14))
    last_gap = max(d for d in fit.dates if d < date(2027, 3, 28))
    assert shifted == {("Pat", first_gap, last_gap, time(9))}
    assert "Clock change" in fit.explanation()
    assert "Pat" in fit.explanation()


def test_the_anchor_zone_keeps_its_wall_time_across_daylight_saving():
    slot = Slot(1, time(10), LONDON)
    starts = meeting_starts(slot=slot, first=START, until=UNTIL, rhythm="weekly")
    in_london = {s.astimezone(ZoneInfo(LONDON)).time() for s in starts}
    assert in_london == {time(10)}
    # In UTC it moves by an hour when the UK changes its clocks on 28 March 2027.
    assert starts[0] == datetime(2027, 1, 5, 10, tzinfo=UTC)
    after = next(s for s in starts if s.date() > date(2027, 3, 28))
    assert after.time() == time(9)
    # …and in Kolkata (no DST) it moves from 15:30 to 14:30.
    assert starts[0].astimezone(ZoneInfo(KOLKATA)).time() == time(15, 30)
    assert after.astimezone(ZoneInfo(KOLKATA)).time() == time(14, 30)


def test_weekly_and_fortnightly_repeat_every_seven_and_fourteen_days():
    weekly = occurrence_dates(first=date(2027, 1, 5), until=date(2027, 2, 2), rhythm="weekly")
    assert weekly[0] == date(2027, 1, 5)
    assert weekly[-1] == date(2027, 2, 2)
    assert [(b - a).days for a, b in itertools.pairwise(weekly)] == [7] * 4
    fortnightly = occurrence_dates(
        first=date(2027, 1, 5), until=date(2027, 3, 1), rhythm="fortnightly"
    )
    assert fortnightly == [date(2027, 1, 5), date(2027, 1, 19), date(2027, 2, 2), date(2027, 2, 16)]


def test_monthly_is_the_same_nth_weekday_and_the_last_week_means_the_last_weekday():
    second_tuesdays = occurrence_dates(
        first=date(2027, 1, 12), until=date(2027, 4, 30), rhythm="monthly"
    )
    assert second_tuesdays == [
        date(2027, 1, 12),
        date(2027, 2, 9),
        date(2027, 3, 9),
        date(2027, 4, 13),
    ]
    # 26 January 2027 is in the last week of January: the last Tuesday every month.
    last_tuesdays = occurrence_dates(
        first=date(2027, 1, 26), until=date(2027, 4, 30), rhythm="monthly"
    )
    assert last_tuesdays == [
        date(2027, 1, 26),
        date(2027, 2, 23),
        date(2027, 3, 30),
        date(2027, 4, 27),
    ]
    fit = _propose([Attendee(1, "Asha", KOLKATA)], rhythm="monthly")
    assert "of every month" in fit.explanation()


def test_no_meeting_before_the_end_date_is_said_plainly():
    fit = _propose([Attendee(1, "Asha", KOLKATA)], start=date(2027, 6, 29), until=date(2027, 6, 28))
    assert fit.dates == ()
    assert "ends before a first meeting could take place" in fit.explanation()


def test_evaluating_a_member_s_own_slot_reports_the_others_local_times():
    people = [Attendee(1, "Asha", KOLKATA), Attendee(2, "Liam", LONDON)]
    fit = evaluate(
        slot=Slot(2, time(8), LONDON),
        attendees=people,
        rhythm="weekly",
        duration_minutes=45,
        start=START,
        until=UNTIL,
    )
    assert [a.name for a in fit.cannot] == ["Liam"]  # 08:00 is before his day starts
    assert fit.local_starts[1].time() == time(13, 30)  # in Kolkata in January


def test_unreadable_availability_falls_back_to_working_hours():
    fit = _propose([Attendee(1, "Asha", KOLKATA, "whenever"), Attendee(2, "Ravi", KOLKATA)])
    assert fit.has_overlap


def test_bad_input_is_refused_with_a_reason():
    with pytest.raises(SchedulingError, match="unknown time zone"):
        _propose([Attendee(1, "Asha", "Mars/Olympus")])
    with pytest.raises(SchedulingError, match="unknown rhythm"):
        _propose([Attendee(1, "Asha", KOLKATA)], rhythm="daily")
    with pytest.raises(SchedulingError, match="nobody"):
        _propose([])


def test_the_anchor_is_the_zone_most_members_share():
    people = [Attendee(1, "A", LONDON), Attendee(2, "B", KOLKATA), Attendee(3, "C", KOLKATA)]
    assert anchor_zone(people, preferred=LONDON) == KOLKATA
    assert anchor_zone(people[:2], preferred=LONDON) == LONDON


def test_the_scheduler_never_imports_django():
    code = textwrap.dedent(
        """
        import sys

        class BlockDjango:
            def find_spec(self, name, path=None, target=None):
                if name == "django" or name.startswith("django."):
                    raise ImportError("the scheduler must not import django")
                return None

        sys.meta_path.insert(0, BlockDjango())
        import alongside.scheduling.slot_finder
        import alongside.scheduling.invites
        """
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
