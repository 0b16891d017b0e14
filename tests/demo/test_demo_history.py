"""The demo's running programmes have a believable history: months of meetings on the
programme's rhythm in working hours, notes, commitments at every stage, a healthy pair for
the demo member, one dormant pair and one struggling circle."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from alongside.demo.history import build_history
from alongside.demo.programmes import CIRCLES_NAME, HIPO_NAME, MEMBER_EMAIL
from alongside.health.models import RelationshipHealth
from alongside.meetings.models import (
    Agreement,
    Attendance,
    Commitment,
    DevelopmentGoal,
    Meeting,
    Note,
)
from alongside.organisations.models import Organisation
from alongside.programmes.models import Intake
from alongside.relationships.models import Relationship, RelationshipMember
from alongside.scheduling.models import Schedule
from alongside.surveys.models import Pulse

INTERVAL = {"weekly": 7, "fortnightly": 14}
PERIOD = {"weekly": 7, "fortnightly": 14, "monthly": 30}
HELD, MISSED, CANCELLED, SCHEDULED = "held", "missed", "cancelled", "scheduled"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# Today, and a day in spring whose history spans the weeks when America has changed its
# clocks and Europe has not.
@pytest.mark.parametrize("when", [None, datetime(2027, 4, 6, 5, 30, tzinfo=UTC)])
def test_the_running_programmes_have_a_believable_history(db: None, when: datetime | None) -> None:
    # One test per date, as the demo takes a few seconds to build.
    if when is None:
        check_history()
    else:
        with time_machine.travel(when, tick=False):
            check_history()


def check_history() -> None:
    call_command("demo", "--quiet")
    kestrel = Organisation.objects.get(slug="kestrel")
    # The programmes with months behind them (the self-match pairs formed days ago).
    relationships = list(
        Relationship.objects.filter(
            organisation=kestrel, programme__stage="running", programme__name__in=RUNNING
        )
        .select_related("programme")
        .order_by("name")
    )
    meetings = _meetings_by_relationship(kestrel)
    members = _members_by_relationship(relationships)
    assert len(relationships) >= 15
    assert all(meetings[r.pk] for r in relationships)

    check_months_and_rhythm(relationships, meetings)
    check_status_against_time(meetings)
    check_numbers(meetings)
    check_working_hours(relationships, meetings, members)
    check_nobody_is_double_booked(relationships, meetings, members)
    check_attendance_and_facilitation(relationships, meetings, members)
    check_notes(members)
    check_commitments(relationships, meetings, members)
    check_agreements_goals_and_pulses(relationships, members)
    check_the_member_pair_is_healthy(relationships, meetings, members)
    check_one_dormant_pair(relationships, meetings, members)
    check_one_struggling_circle(relationships, meetings, members)
    check_only_the_two_look_unwell(relationships, meetings)
    check_the_dashboard_sees_them(relationships, members)
    check_the_same_date_gives_the_same_history(kestrel)


def _meetings_by_relationship(kestrel: Organisation) -> dict[int, list[Meeting]]:
    result: dict[int, list[Meeting]] = defaultdict(list)
    for meeting in Meeting.objects.filter(organisation=kestrel).order_by("starts_at", "pk"):
        result[meeting.relationship_id].append(meeting)
    return result


def _members_by_relationship(
    relationships: list[Relationship],
) -> dict[int, list[RelationshipMember]]:
    result: dict[int, list[RelationshipMember]] = defaultdict(list)
    for member in RelationshipMember.objects.filter(
        relationship__in=relationships, is_active=True
    ).select_related("person"):
        result[member.relationship_id].append(member)
    return result


def _past(meetings: list[Meeting]) -> list[Meeting]:
    return [m for m in meetings if m.status in (HELD, MISSED)]


def check_months_and_rhythm(
    relationships: list[Relationship], meetings: dict[int, list[Meeting]]
) -> None:
    for programme in (CIRCLES_NAME, HIPO_NAME):
        held = [
            m
            for r in relationships
            if r.programme.name == programme
            for m in meetings[r.pk]
            if m.status == HELD
        ]
        months = {(m.starts_at.year, m.starts_at.month) for m in held}
        assert len(months) >= 3, programme
        assert min(m.starts_at for m in held) < timezone.now() - timedelta(days=80)
    for relationship in relationships:
        schedule = Schedule.objects.get(relationship=relationship)
        planned = [m for m in meetings[relationship.pk] if not m.unscheduled]
        zone = ZoneInfo(schedule.timezone)
        days = [m.starts_at.astimezone(zone).date() for m in planned]
        if relationship.programme.rhythm == "monthly":
            # The same weekday of every month (the 2nd Tuesday, the last Friday…).
            assert {d.weekday() for d in days} == {schedule.weekday}
            for a, b in pairwise(days):
                assert (b.year * 12 + b.month) - (a.year * 12 + a.month) == 1
                assert (b - a).days in (28, 35)
        else:
            gaps = {(b - a).days for a, b in pairwise(days)}
            assert gaps == {INTERVAL[relationship.programme.rhythm]}, relationship.name
        assert planned[0].starts_at.date() >= relationship.programme.start_date
        # The next meetings are on the calendar.
        assert any(m.status == SCHEDULED for m in planned), relationship.name


def check_status_against_time(meetings: dict[int, list[Meeting]]) -> None:
    now = timezone.now()
    for rows in meetings.values():
        for meeting in rows:
            ends = meeting.starts_at + timedelta(minutes=meeting.duration_minutes)
            if meeting.status in (HELD, MISSED):
                assert ends <= now, meeting
            if meeting.status == HELD:
                assert meeting.held_at is not None
                assert ends <= meeting.held_at <= now
            if meeting.status == SCHEDULED:
                assert ends > now - timedelta(days=1), meeting
            if meeting.status == CANCELLED:
                assert meeting.cancelled_reason
    uids = [m.uid for rows in meetings.values() for m in rows]
    assert len(set(uids)) == len(uids)


def check_numbers(meetings: dict[int, list[Meeting]]) -> None:
    cancelled = 0
    for rows in meetings.values():
        kept = [m.number for m in rows if m.status != CANCELLED]
        assert kept == list(range(1, len(kept) + 1))
        for index, meeting in enumerate(rows):
            if meeting.status == CANCELLED:
                cancelled += 1
                following = [m for m in rows[index + 1 :] if m.status != CANCELLED]
                assert meeting.number == following[0].number
    assert cancelled >= 2  # life happens


def check_working_hours(
    relationships: list[Relationship],
    meetings: dict[int, list[Meeting]],
    members: dict[int, list[RelationshipMember]],
) -> None:
    for relationship in relationships:
        schedule = Schedule.objects.get(relationship=relationship)
        assert schedule.status == Schedule.Status.CONFIRMED
        assert schedule.responses.filter(accepted=True).count() == len(members[relationship.pk])
        utc_times = set()
        for meeting in meetings[relationship.pk]:
            assert meeting.timezone == schedule.timezone
            assert meeting.duration_minutes == relationship.programme.session_minutes
            anchor = meeting.starts_at.astimezone(ZoneInfo(schedule.timezone))
            # The local time stays put across clock changes; the UTC time moves.
            assert anchor.time() == schedule.start_time
            if not meeting.unscheduled:
                assert anchor.weekday() == schedule.weekday
            utc_times.add(meeting.starts_at.time())
            for member in members[relationship.pk]:
                local = meeting.starts_at.astimezone(ZoneInfo(member.person.timezone))
                ends = local + timedelta(minutes=meeting.duration_minutes)
                assert local.weekday() < 5, (relationship.name, member.person.name)
                where = (relationship.name, member.person.name, local)
                assert local.hour >= 8, where
                assert (ends.hour, ends.minute) <= (20, 0), where
        # Its local time never moves; its UTC time moves exactly when the zone's offset does.
        offsets = {
            m.starts_at.astimezone(ZoneInfo(schedule.timezone)).utcoffset()
            for m in meetings[relationship.pk]
        }
        assert len(utc_times) == len(offsets)


def check_nobody_is_double_booked(
    relationships: list[Relationship],
    meetings: dict[int, list[Meeting]],
    members: dict[int, list[RelationshipMember]],
) -> None:
    by_person: dict[int, list[Meeting]] = defaultdict(list)
    for relationship in relationships:
        for member in members[relationship.pk]:
            by_person[member.person_id] += [
                m for m in meetings[relationship.pk] if m.status != CANCELLED
            ]
    assert any(len({m.relationship_id for m in rows}) > 1 for rows in by_person.values())
    for rows in by_person.values():
        rows.sort(key=lambda m: m.starts_at)
        for a, b in pairwise(rows):
            assert a.starts_at + timedelta(minutes=a.duration_minutes) <= b.starts_at, (a, b)


def check_attendance_and_facilitation(
    relationships: list[Relationship],
    meetings: dict[int, list[Meeting]],
    members: dict[int, list[RelationshipMember]],
) -> None:
    rows = defaultdict(list)
    for attendance in Attendance.objects.filter(meeting__relationship__in=relationships):
        rows[attendance.meeting_id].append(attendance)
    for relationship in relationships:
        ids = {m.pk for m in members[relationship.pk]}
        circle = relationship.kind == Relationship.Kind.CIRCLE
        facilitated: Counter[int] = Counter()
        for meeting in meetings[relationship.pk]:
            attendance = rows[meeting.pk]
            if meeting.status == CANCELLED:
                assert attendance == []
                continue
            assert {a.member_id for a in attendance} == ids
            statuses = {a.status for a in attendance}
            if meeting.status == HELD:
                assert "attended" in statuses
                assert "expected" not in statuses
            if meeting.status == MISSED:
                assert statuses <= {"missed", "apologies"}
            if meeting.status == SCHEDULED:
                assert statuses <= {"expected", "apologies"}
            if not circle:
                assert not any(a.had_focus for a in attendance)
                assert meeting.facilitator_id is None
                continue
            assert meeting.facilitator_id in ids
            if meeting.status == HELD:
                attended = {a.member_id for a in attendance if a.status == "attended"}
                assert meeting.facilitator_id in attended
                assert 1 <= sum(a.had_focus for a in attendance) <= 2
                assert all(a.status == "attended" for a in attendance if a.had_focus)
                facilitated[meeting.facilitator_id] += 1
        if circle:
            # Rotating: several people have facilitated, nobody far more than the others.
            assert len(facilitated) >= 3, relationship.name
            assert max(facilitated.values()) - min(facilitated.values()) <= 2


def check_notes(members: dict[int, list[RelationshipMember]]) -> None:
    notes = list(Note.objects.select_related("meeting").filter(meeting__relationship__in=members))
    assert len(notes) > 60
    for note in notes:
        assert note.author_id in {m.pk for m in members[note.meeting.relationship_id]}
        assert note.meeting.status == HELD
        assert note.created_at >= note.meeting.starts_at
        assert note.created_at <= timezone.now()
        assert 10 < len(note.body) < 600
        assert "lorem" not in note.body.lower()
        assert "{" not in note.body
        assert "}" not in note.body
    kinds = Counter(note.visibility for note in notes)
    assert kinds[Note.Visibility.SHARED] > kinds[Note.Visibility.PRIVATE] > 5
    # Written like people, not one template: most notes are different.
    assert len({note.body for note in notes}) > 0.7 * len(notes)


def check_commitments(
    relationships: list[Relationship],
    meetings: dict[int, list[Meeting]],
    members: dict[int, list[RelationshipMember]],
) -> None:
    commitments = list(
        Commitment.objects.filter(relationship__in=relationships).select_related(
            "made_at", "reviewed_at_meeting"
        )
    )
    statuses = Counter(c.status for c in commitments)
    assert set(statuses) == {"open", "done", "partly", "not_yet", "dropped"}
    attended = set(
        Attendance.objects.filter(
            meeting__relationship__in=relationships, status="attended"
        ).values_list("meeting_id", "member_id")
    )
    carried_over = 0
    for commitment in commitments:
        relationship_id = commitment.relationship_id
        assert commitment.member_id in {m.pk for m in members[relationship_id]}
        assert commitment.made_at.relationship_id == relationship_id
        assert commitment.made_at.status == HELD
        assert (commitment.made_at_id, commitment.member_id) in attended
        assert len(commitment.text) > 20
        review = commitment.reviewed_at_meeting
        if commitment.status == "open":
            assert review is None
            assert not commitment.review_note
            held_later = [
                m
                for m in meetings[relationship_id]
                if m.status == HELD
                and m.starts_at > commitment.made_at.starts_at
                and (m.pk, commitment.member_id) in attended
            ]
            carried_over += bool(held_later)
            continue
        assert review is not None
        assert review.relationship_id == relationship_id
        assert review.status == HELD
        assert review.starts_at > commitment.made_at.starts_at
        assert commitment.review_note
        assert commitment.reviewed_at is not None
        assert commitment.reviewed_at <= timezone.now()
    assert carried_over >= 1  # not checked in on although the member has met since


def check_agreements_goals_and_pulses(
    relationships: list[Relationship], members: dict[int, list[RelationshipMember]]
) -> None:
    for relationship in relationships:
        agreement = Agreement.objects.get(relationship=relationship)
        assert agreement.rhythm_confirmed
        assert agreement.rhythm_note
        if relationship.kind == Relationship.Kind.CIRCLE:
            assert agreement.facilitation == Agreement.Facilitation.ROTATING
            assert 1 <= len(agreement.shared_goals.splitlines()) <= 3
        for member in members[relationship.pk]:
            goals = list(DevelopmentGoal.objects.filter(member=member))
            assert 1 <= len(goals) <= 3
            assert [g.position for g in goals] == list(range(1, len(goals) + 1))
            assert all(g.relationship_id == relationship.pk for g in goals)
    # Mentees' goals come from what they said they want in their intake.
    member = RelationshipMember.objects.get(person__email=MEMBER_EMAIL, is_active=True)
    intake = Intake.objects.get(enrolment=member.enrolment)
    goals = " ".join(DevelopmentGoal.objects.filter(member=member).values_list("text", flat=True))
    assert "manager or principal" in goals
    assert intake.wants[0] == "Career growth"

    pulses = list(Pulse.objects.filter(relationship__in=relationships).select_related("meeting"))
    assert {p.kind for p in pulses} == {"meeting", "midpoint"}
    for pulse in pulses:
        assert 1 <= pulse.rating <= 5
        assert pulse.member_id in {m.pk for m in members[pulse.relationship_id]}
        assert pulse.created_at <= timezone.now()
        if pulse.kind == "meeting":
            assert pulse.meeting is not None
            assert pulse.meeting.status == HELD
            assert pulse.created_at >= pulse.meeting.starts_at
    midpoint_programmes = {
        p.relationship.programme.name
        for p in Pulse.objects.filter(kind="midpoint").select_related("relationship__programme")
    }
    assert midpoint_programmes == {CIRCLES_NAME, HIPO_NAME}


def check_the_member_pair_is_healthy(
    relationships: list[Relationship],
    meetings: dict[int, list[Meeting]],
    members: dict[int, list[RelationshipMember]],
) -> None:
    pair = next(
        r for r in relationships if any(m.person.email == MEMBER_EMAIL for m in members[r.pk])
    )
    rows = meetings[pair.pk]
    assert all(m.status == HELD for m in _past(rows))
    assert len(_past(rows)) >= 4
    upcoming = [m for m in rows if m.status == SCHEDULED]
    assert upcoming[0].starts_at - timezone.now() < timedelta(days=10)
    assert Note.objects.filter(meeting__relationship=pair, visibility="shared").count() >= 4
    rohan = next(m for m in members[pair.pk] if m.person.email == MEMBER_EMAIL)
    assert Note.objects.filter(author=rohan, visibility="private").exists()
    assert Commitment.objects.filter(member=rohan, status="open").exists()
    assert Commitment.objects.filter(member=rohan, status="done").exists()


def check_one_dormant_pair(
    relationships: list[Relationship],
    meetings: dict[int, list[Meeting]],
    members: dict[int, list[RelationshipMember]],
) -> None:
    now = timezone.now()
    quiet = []
    for relationship in relationships:
        held = [m for m in meetings[relationship.pk] if m.status == HELD]
        if now - held[-1].starts_at > timedelta(days=45):  # 1½ monthly periods
            quiet.append((relationship, held[-1]))
    assert len(quiet) == 1
    dormant, last_held = quiet[0]
    assert dormant.programme.name == HIPO_NAME
    assert MEMBER_EMAIL not in {m.person.email for m in members[dormant.pk]}
    # Past two monthly periods (and 30 days), where the dashboard calls it dormant.
    assert 60 < (now - last_held.starts_at).days <= 81
    after = [m for m in meetings[dormant.pk] if m.starts_at > last_held.starts_at]
    # Missed since (a meeting earlier today may not be logged yet).
    assert {m.status for m in after if m.starts_at < now - timedelta(days=1)} == {MISSED}
    assert any(m.status == SCHEDULED for m in after)
    # It had been going: a few meetings before it stopped.
    assert len([m for m in meetings[dormant.pk] if m.status == HELD]) >= 3


def check_one_struggling_circle(
    relationships: list[Relationship],
    meetings: dict[int, list[Meeting]],
    members: dict[int, list[RelationshipMember]],
) -> None:
    struggling = [
        r
        for r in relationships
        if r.kind == Relationship.Kind.CIRCLE
        and [m.status for m in _past(meetings[r.pk])[-3:]].count(MISSED) >= 2
    ]
    assert len(struggling) == 1
    circle = struggling[0]
    assert circle.programme.name == CIRCLES_NAME
    last_held = [m for m in meetings[circle.pk] if m.status == HELD][-1]
    recent = Pulse.objects.filter(meeting=last_held).values_list("rating", flat=True)
    assert recent
    assert max(recent) <= 2
    midpoint = Pulse.objects.filter(relationship=circle, kind="midpoint")
    assert midpoint.exists()
    assert max(midpoint.values_list("rating", flat=True)) <= 2
    droppers = Counter(
        Commitment.objects.filter(relationship=circle, status="dropped").values_list(
            "member_id", flat=True
        )
    )
    assert droppers.most_common(1)[0][1] >= 2
    # The other circles are doing fine.
    for relationship in relationships:
        if relationship.kind == Relationship.Kind.CIRCLE and relationship != circle:
            assert MISSED not in [m.status for m in _past(meetings[relationship.pk])[-3:]]


def check_only_the_two_look_unwell(
    relationships: list[Relationship], meetings: dict[int, list[Meeting]]
) -> None:
    """By the dashboard's default rules (no held meeting for over two periods and 30 days
    is dormant; two of the last three missed or cancelled is struggling), exactly the
    dormant pair and the struggling circle stand out."""
    now = timezone.now()
    unwell = {}
    for relationship in relationships:
        rows = meetings[relationship.pk]
        period = PERIOD[relationship.programme.rhythm]
        last_held = max(m.starts_at for m in rows if m.status == HELD)
        past = [m.status for m in rows if m.status != SCHEDULED and m.starts_at <= now][-3:]
        if (now - last_held).days > max(2 * period, 30):
            unwell[relationship.kind] = "dormant"
        elif sum(status in (MISSED, CANCELLED) for status in past) >= 2:
            unwell[relationship.kind] = unwell.get(relationship.kind, "") + "struggling"
        assert (now - last_held).days <= 1.25 * period or relationship.kind in unwell
    assert unwell == {
        Relationship.Kind.MENTORING: "dormant",
        Relationship.Kind.CIRCLE: "struggling",
    }


def check_the_dashboard_sees_them(
    relationships: list[Relationship], members: dict[int, list[RelationshipMember]]
) -> None:
    """The health the demo stores for the dashboard: one dormant pair, one struggling
    circle, and the demo member's pair on track."""
    status = dict(
        RelationshipHealth.objects.filter(relationship__in=relationships).values_list(
            "relationship_id", "status"
        )
    )
    by_status = Counter(status.values())
    assert by_status["dormant"] == 1
    assert by_status["struggling"] == 1
    assert by_status["on_track"] >= len(relationships) - 5
    for relationship in relationships:
        if status[relationship.pk] == "dormant":
            assert relationship.kind == Relationship.Kind.MENTORING
        if status[relationship.pk] == "struggling":
            assert relationship.kind == Relationship.Kind.CIRCLE
        if any(m.person.email == MEMBER_EMAIL for m in members[relationship.pk]):
            assert status[relationship.pk] == "on_track"


RUNNING = (CIRCLES_NAME, HIPO_NAME)  # the closed programme's history is written with it


def _history_snapshot(kestrel: Organisation) -> list[tuple[object, ...]]:
    meetings = Meeting.objects.filter(
        organisation=kestrel, relationship__programme__name__in=RUNNING
    ).order_by("relationship__name", "starts_at")
    notes = Note.objects.filter(
        meeting__organisation=kestrel, meeting__relationship__programme__name__in=RUNNING
    ).order_by("meeting__starts_at", "author__person__email", "visibility")
    commitments = Commitment.objects.filter(
        relationship__organisation=kestrel, relationship__programme__name__in=RUNNING
    ).order_by("made_at__starts_at", "member__person__email")
    return [
        *meetings.values_list("relationship__name", "number", "starts_at", "status", "uid"),
        *notes.values_list("author__person__email", "visibility", "body"),
        *commitments.values_list("member__person__email", "text", "status", "review_note"),
    ]


def check_the_same_date_gives_the_same_history(kestrel: Organisation) -> None:
    before = _history_snapshot(kestrel)
    counts = (Meeting.objects.count(), Pulse.objects.count(), Agreement.objects.count())
    # A second run finds the history written and adds nothing.
    build_history(organisation=kestrel, today=timezone.localdate())
    assert (Meeting.objects.count(), Pulse.objects.count(), Agreement.objects.count()) == counts
    # Written again from scratch for the same date, it is the same history; a schedule
    # that publishing proposed is confirmed in place.
    for model in (Agreement, DevelopmentGoal, Meeting, Pulse):
        model.objects.filter(
            relationship__organisation=kestrel, relationship__programme__name__in=RUNNING
        ).delete()
    schedules = Schedule.objects.filter(
        relationship__organisation=kestrel, relationship__programme__name__in=RUNNING
    )
    proposed = set(schedules.values_list("pk", flat=True))
    schedules.update(status=Schedule.Status.PROPOSED, confirmed_at=None)
    summary = build_history(organisation=kestrel, today=timezone.localdate())
    assert _history_snapshot(kestrel) == before
    assert set(schedules.values_list("pk", flat=True)) == proposed
    assert set(schedules.values_list("status", flat=True)) == {Schedule.Status.CONFIRMED}
    assert summary.dormant_pair
    assert summary.struggling_circle


@time_machine.travel(datetime(2026, 11, 22, 12, tzinfo=UTC), tick=False)
def test_meetings_keep_their_local_time_across_the_clock_change(db: None) -> None:
    """Built on 22 November, the history reaches back into British summer time: a
    London-anchored pair meets at the same local time, an hour later in UTC since 25
    October; a Kolkata-anchored one (no clock change) at the same UTC time throughout."""
    call_command("demo", "--quiet")
    for zone, utc_hours in (("Europe/London", 2), ("Asia/Kolkata", 1)):
        schedule = Schedule.objects.filter(timezone=zone).order_by("relationship__name").first()
        assert schedule is not None
        planned = Meeting.objects.filter(relationship=schedule.relationship, unscheduled=False)
        assert len({m.starts_at.time() for m in planned}) == utc_hours
        assert {m.starts_at.astimezone(ZoneInfo(zone)).time() for m in planned} == {
            schedule.start_time
        }
        first = planned.order_by("starts_at").first()
        assert first is not None
        assert first.starts_at < datetime(2026, 10, 25, tzinfo=UTC)
