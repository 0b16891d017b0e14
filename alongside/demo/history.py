"""A few months of history for the demo's running programmes.

Every relationship in the peer circles and the HiPo mentoring programme gets a confirmed
schedule in its members' working hours, meetings on the programme's rhythm from its
start until today (held, now and then cancelled or missed) and the next ones on the
calendar, attendance, shared and private notes, commitments checked in on at the next
meeting, an agreement, development goals from the intakes, and pulses after meetings
and at the midpoint. Three relationships carry a story:

- the demo member's own mentoring pair is healthy: every meeting held, notes, an open
  commitment and the next meeting a few days away;
- one other mentoring pair went dormant: its last held meeting was over two months ago
  (past two monthly periods, where the dashboard's health rules say dormant) and the
  meetings since were missed; the next ones are still on the calendar;
- one circle is struggling: two of its last three meetings missed, low pulses, and a
  member who dropped their commitments and stopped coming.

Monthly means the same n-th weekday of every month, as the scheduler has it.

Rows are written directly with ``bulk_create`` (one statement per model), so the demo
stays fast. A relationship that already has meetings is left alone, so running the demo
again changes nothing; a schedule that publishing proposed is confirmed in place.
Everything is drawn from generators seeded with the relationship's name, so the same
date gives the same history. Times are stored in UTC, computed from the schedule's zone
with ``zoneinfo``, so daylight-saving changes move the UTC time, not the local one.
"""

from __future__ import annotations

import random
import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from alongside.demo import history_texts as texts
from alongside.demo.history_content import MeetingContent
from alongside.demo.history_parts import (
    DAY_ENDS,
    DAY_STARTS,
    DORMANT,
    DORMANT_DAYS,
    DROPPER_STAYS,
    HEALTHY,
    INTERVAL_DAYS,
    MEMBER,
    MEMBER_NEXT_DAYS,
    STRUGGLING,
    UPCOMING,
    WEEKDAYS,
    Cycle,
    HistoryMember,
    HistoryRows,
    PlannedMeeting,
    city,
    history_member,
    intake_of,
    monthly_dates,
    outside,
)
from alongside.demo.programmes import (
    CIRCLES_NAME,
    HIPO_NAME,
    MEMBER_EMAIL,
    SEED,
)
from alongside.meetings.models import (
    Attendance,
    Commitment,
    Meeting,
    Note,
)
from alongside.organisations.models import Organisation
from alongside.programmes.models import Programme, Stage
from alongside.relationships.models import Relationship, RelationshipMember
from alongside.scheduling.models import Schedule, ScheduleResponse


@dataclass(frozen=True)
class HistorySummary:
    meetings: int
    held: int
    notes: int
    commitments: int
    dormant_pair: str
    struggling_circle: str


def build_history(*, organisation: Organisation, today: date) -> HistorySummary:
    """Write the history of every running demo relationship that has none yet."""
    relationships = list(
        Relationship.objects.filter(
            organisation=organisation,
            programme__name__in=(CIRCLES_NAME, HIPO_NAME),
            programme__stage=Stage.RUNNING,
            status=Relationship.Status.ACTIVE,
        )
        .select_related("programme")
        .order_by("programme__name", "name")
    )
    members = _members_of(relationships)
    dormant = _pick_dormant([r for r in relationships if r.programme.name == HIPO_NAME], members)
    struggling = _pick_struggling(
        [r for r in relationships if r.programme.name == CIRCLES_NAME], members
    )

    def story(relationship: Relationship) -> str:
        if relationship == dormant:
            return DORMANT
        if relationship == struggling:
            return STRUGGLING
        if any(m.person.email == MEMBER_EMAIL for m in members[relationship.pk]):
            return MEMBER
        return HEALTHY

    _write(relationships, members, story, today)
    meetings = Meeting.objects.filter(organisation=organisation)
    return HistorySummary(
        meetings=meetings.count(),
        held=meetings.filter(status=Meeting.Status.HELD).count(),
        notes=Note.objects.filter(meeting__organisation=organisation).count(),
        commitments=Commitment.objects.filter(relationship__organisation=organisation).count(),
        dormant_pair=dormant.name if dormant else "",
        struggling_circle=struggling.name if struggling else "",
    )


def build_ended_history(*, programme: Programme) -> None:
    """The same history for a programme that has ended but is not closed yet: meetings
    on its rhythm from its start to its end date (none left on the calendar), notes,
    commitments and pulses, every relationship an ordinary one."""
    relationships = list(
        Relationship.objects.filter(programme=programme, status=Relationship.Status.ACTIVE)
        .select_related("programme")
        .order_by("name")
    )
    assert programme.end_date is not None
    _write(
        relationships,
        _members_of(relationships),
        lambda _relationship: HEALTHY,
        programme.end_date + timedelta(days=1),
    )


def _members_of(relationships: Sequence[Relationship]) -> _Members:
    members: dict[int, list[RelationshipMember]] = {r.pk: [] for r in relationships}
    for row in RelationshipMember.objects.filter(
        relationship__in=relationships, is_active=True
    ).select_related("person", "enrolment__intake"):
        members[row.relationship_id].append(row)
    return members


def _write(
    relationships: Sequence[Relationship],
    members: _Members,
    story: Callable[[Relationship], str],
    today: date,
) -> None:
    # Publishing may already have proposed a schedule: confirm that one, in place.
    proposed = {
        s.relationship_id: s for s in Schedule.objects.filter(relationship__in=relationships)
    }
    done = set(
        Meeting.objects.filter(relationship__in=relationships).values_list(
            "relationship_id", flat=True
        )
    )
    ScheduleResponse.objects.filter(
        schedule__in=[s for r, s in proposed.items() if r not in done]
    ).delete()
    rows = HistoryRows()
    busy: set[tuple[int, int]] = set()  # (person, half-hour of the week in UTC) taken
    for relationship in relationships:
        rows_of_members = members[relationship.pk]
        if relationship.pk in done or len(rows_of_members) < 2:
            continue
        history = _History(relationship, rows_of_members, story(relationship), today, rows, busy)
        history.write(proposed.get(relationship.pk))
    rows.save()


def history_summary(*, organisation: Organisation, story: HistorySummary) -> HistorySummary:
    """The history as it stands once the whole demo is built (the closed programme's too)."""
    meetings = Meeting.objects.filter(organisation=organisation)
    return HistorySummary(
        meetings=meetings.count(),
        held=meetings.filter(status=Meeting.Status.HELD).count(),
        notes=Note.objects.filter(meeting__organisation=organisation).count(),
        commitments=Commitment.objects.filter(relationship__organisation=organisation).count(),
        dormant_pair=story.dormant_pair,
        struggling_circle=story.struggling_circle,
    )


def describe(summary: HistorySummary) -> str:
    return (
        f"History: {summary.meetings} meetings ({summary.held} held), {summary.notes} notes, "
        f"{summary.commitments} commitments; dormant: {summary.dormant_pair}; "
        f"struggling: {summary.struggling_circle}.\n"
    )


_Members = dict[int, list[RelationshipMember]]


def _pick_dormant(pairs: Sequence[Relationship], members: _Members) -> Relationship | None:
    """A mentoring pair that shares nobody with the demo member's own pair."""
    own = [r for r in pairs if any(m.person.email == MEMBER_EMAIL for m in members[r.pk])]
    near = {m.person_id for r in own for m in members[r.pk]}
    candidates = [r for r in pairs if not near & {m.person_id for m in members[r.pk]}]
    return random.Random(f"{SEED}:dormant").choice(candidates) if candidates else None


def _pick_struggling(circles: Sequence[Relationship], members: _Members) -> Relationship | None:
    """The circle spread over the most hours of time-zone difference: its only common
    slot is early for some and late for others, which is where circles stall."""

    def spread(circle: Relationship) -> float:
        moment = datetime(2026, 1, 15, 12, tzinfo=UTC)
        offsets = [
            (moment.astimezone(ZoneInfo(m.person.timezone)).utcoffset() or timedelta())
            for m in members[circle.pk]
        ]
        return (max(offsets) - min(offsets)).total_seconds()

    return max(circles, key=lambda c: (spread(c), c.name), default=None)


class _History(MeetingContent):
    def __init__(
        self,
        relationship: Relationship,
        members: list[RelationshipMember],
        story: str,
        today: date,
        rows: HistoryRows,
        busy: set[tuple[int, int]],
    ) -> None:
        self.relationship = relationship
        self.programme: Programme = relationship.programme
        self.story = story
        self.today = today
        self.day_start = datetime.combine(today, time.min, tzinfo=UTC)
        self.rows = rows
        self.busy = busy
        self.rng = random.Random(f"{SEED}:history:{relationship.name}")
        self.members = [history_member(m) for m in members]
        self.is_circle = relationship.kind == Relationship.Kind.CIRCLE
        # Two peers: no mentor, so both write notes and commit alike.
        self.is_peers = not self.is_circle and not any(m.is_mentor for m in self.members)
        self.interval = INTERVAL_DAYS.get(self.programme.rhythm, 28)
        self.duration = self.programme.session_minutes
        self.anchor = self._anchor_zone()
        self.insights = Cycle(self.rng, texts.INSIGHTS)
        self.cycles: dict[str, Cycle] = {}
        # The struggling circle's member who took on a second team and drifted away.
        self.dropper = self.rng.choice(self.members) if story == STRUGGLING else None
        self.reviews: Counter[int] = Counter()
        self.last_held: PlannedMeeting | None = None

    # The schedule --------------------------------------------------------------------

    def _anchor_zone(self) -> str:
        zones = Counter(m.zone for m in self.members)
        best = max(zones.values())
        mentor = next((m.zone for m in self.members if m.is_mentor), None)
        if mentor is not None and zones[mentor] == best:
            return mentor
        return sorted(zone for zone, n in zones.items() if n == best)[0]

    def _choose_slot(self) -> tuple[int, time, bool]:
        """The weekday and local time in the anchor zone inside everyone's working hours
        on every date it will be used (across clock changes), preferring the stated
        availability. A slot that breaks working hours somewhere only wins if no slot
        fits everyone."""
        references = self._references()
        best: list[tuple[int, time]] = []
        best_score = -(10**9)
        for weekday in range(5):
            # The demo member's and the dormant pair's dates must tell their story.
            story_penalty = 100 * min(self._story_fit(d)[0] for d in self._first_dates(weekday))
            for half_hour in range(DAY_STARTS // 30, (DAY_ENDS - self.duration) // 30 + 1):
                start = time(half_hour // 2, 30 * (half_hour % 2))
                score = self._slot_score(weekday, start, references[weekday]) - story_penalty
                if score > best_score:
                    best, best_score = [(weekday, start)], score
                elif score == best_score:
                    best.append((weekday, start))
        weekday, start = self.rng.choice(best)
        for member in self.members:
            self.busy.update((member.row.person_id, s) for s in self._utc_slots(weekday, start))
        fits_everyone = best_score == len(self.members) * len(references[weekday])
        return weekday, start, fits_everyone

    def _references(self) -> dict[int, list[date]]:
        """For each weekday, one date in every stretch with different clock offsets between
        the members' zones, from the programme's start to the last meeting on the calendar."""
        zones = [ZoneInfo(z) for z in sorted({self.anchor, *(m.zone for m in self.members)})]
        found: dict[int, dict[tuple[timedelta | None, ...], date]] = {w: {} for w in range(7)}
        day = self.programme.start_date
        last = min(self.programme.end_date, self.today + timedelta(days=40 * (UPCOMING + 1)))
        while day <= last:
            noon = datetime.combine(day, time(12), tzinfo=UTC)
            offsets = tuple(noon.astimezone(z).utcoffset() for z in zones)
            found[day.weekday()].setdefault(offsets, day)
            day += timedelta(days=1)
        return {weekday: list(dates.values()) for weekday, dates in found.items()}

    def _utc_slots(self, weekday: int, start: time) -> range:
        """The half-hours of the week (in UTC, this week) the meeting takes up."""
        day = self.today + timedelta(days=(weekday - self.today.weekday()) % 7)
        utc = datetime.combine(day, start, tzinfo=ZoneInfo(self.anchor)).astimezone(UTC)
        first = utc.weekday() * 48 + utc.hour * 2 + utc.minute // 30
        return range(first, first + -(-self.duration // 30))

    def _slot_score(self, weekday: int, start: time, references: Sequence[date]) -> int:
        """One point per member and date inside their stated availability; a large penalty
        per member and date outside working hours or the working week."""
        taken = self._utc_slots(weekday, start)
        if any((m.row.person_id, s) in self.busy for m in self.members for s in taken):
            return -(10**8)  # a mentor with two mentees meets them at different times
        score = 0
        for day in references:
            moment = datetime.combine(day, start, tzinfo=ZoneInfo(self.anchor))
            for member in self.members:
                local = moment.astimezone(ZoneInfo(member.zone))
                minutes = local.hour * 60 + local.minute
                if local.weekday() > 4 or not DAY_STARTS <= minutes <= DAY_ENDS - self.duration:
                    score -= 10**5
                    continue
                first = local.weekday() * 48 + minutes // 30
                needed = range(first, first + -(-self.duration // 30))
                if member.slots is not None and all(s in member.slots for s in needed):
                    score += 1
        return score

    def _first_dates(self, weekday: int) -> list[date]:
        """When the first meeting may be: in the programme's first weeks."""
        earliest = self.programme.start_date + timedelta(days=2)
        first = earliest + timedelta(days=(weekday - earliest.weekday()) % 7)
        if self.is_circle:
            return [first]  # circles kick off in the first week
        return [first + timedelta(weeks=w) for w in range(5)]

    def _first_date(self, weekday: int) -> date:
        """The first meeting; for the demo member's pair and the dormant pair, the one
        whose dates best fit their story."""
        options = self._first_dates(weekday)
        if self.story not in (MEMBER, DORMANT):
            return self.rng.choice(options)
        fit = {d: self._story_fit(d)[0] for d in options}
        best = min(fit.values())
        return self.rng.choice([d for d in options if fit[d] == best])

    def _story_fit(self, first: date) -> tuple[int, date | None]:
        """How far (in days) the dates from ``first`` are from the story, and for the
        dormant pair the date of its last held meeting."""
        if self.story not in (MEMBER, DORMANT):
            return 0, None
        days = self._occurrences(first)
        if self.story == MEMBER:
            later = [(d - self.today).days for d in days if d > self.today]
            return (outside(later[0], MEMBER_NEXT_DAYS) if later else 99), None
        past = [(outside((self.today - d).days, DORMANT_DAYS), d) for d in days[2:]]
        past = [(gap, d) for gap, d in past if d < self.today]
        return min(past, key=lambda pair: pair[0]) if past else (99, None)

    def _occurrences(self, first: date) -> list[date]:
        """Weekly and fortnightly from ``first``; monthly on the same n-th weekday of every
        month (the last one if ``first`` falls in the last week of its month)."""
        if self.programme.rhythm == "monthly":
            return monthly_dates(first, self.programme.end_date)
        days, day = [], first
        while day <= self.programme.end_date:
            days.append(day)
            day += timedelta(days=self.interval)
        return days

    def _at(self, day: date, start: time) -> datetime:
        return datetime.combine(day, start, tzinfo=ZoneInfo(self.anchor)).astimezone(UTC)

    # Writing -------------------------------------------------------------------------

    def write(self, proposal: Schedule | None = None) -> None:
        """Write the history; ``proposal`` is a schedule publishing already proposed."""
        weekday, start, overlap = self._choose_slot()
        first = self._first_date(weekday)
        started = self.relationship.started_at
        proposed = started + timedelta(hours=self.rng.randint(1, 6))
        confirmed = proposed + timedelta(hours=self.rng.randint(20, 50))
        schedule = proposal or Schedule(relationship=self.relationship)
        schedule.status = Schedule.Status.CONFIRMED
        schedule.weekday, schedule.start_time, schedule.timezone = weekday, start, self.anchor
        schedule.rhythm, schedule.duration_minutes = self.programme.rhythm, self.duration
        schedule.first_date, schedule.until = first, self.programme.end_date
        schedule.has_overlap = overlap
        schedule.explanation = self._explanation(weekday, start, overlap)
        schedule.proposed_at, schedule.confirmed_at = proposed, confirmed
        if proposal is None:
            self.rows.add(schedule)
        else:
            self.rows.confirmed.append(schedule)
        answered = sorted(
            proposed + (confirmed - proposed) * self.rng.random() for _ in self.members
        )
        answered[-1] = confirmed
        for member, moment in zip(self.members, answered, strict=True):
            self.rows.add(
                ScheduleResponse(schedule=schedule, member=member.row, responded_at=moment)
            )
        planned = self._plan(first, start)
        self.last_held = next((p for p in reversed(planned) if p.status == "held"), None)
        self._meetings(planned, confirmed)
        self._agreement(weekday, start, planned)
        self._goals()
        self._commitments_and_pulses(planned)
        self._midpoint()

    def _explanation(self, weekday: int, start: time, overlap: bool) -> str:
        when = f"{WEEKDAYS[weekday]}s at {start:%H:%M} in {city(self.anchor)}"
        others = self._elsewhere(weekday, start)
        if overlap:
            return f"{when}{others}: inside everyone's stated availability."
        return f"No time is inside everyone's stated availability. Closest: {when}{others}."

    def _plan(self, first: date, start: time) -> list[PlannedMeeting]:
        days = self._occurrences(first)
        end = timedelta(minutes=self.duration)
        past = [d for d in days if self._at(d, start) + end <= self.day_start]
        future = [d for d in days if self._at(d, start) + end > self.day_start][:UPCOMING]
        statuses = self._past_statuses(past)
        planned: list[PlannedMeeting] = []
        for day, status in zip(past, statuses, strict=True):
            at = self._at(day, start)
            if status == Meeting.Status.CANCELLED:
                later = [day + timedelta(days=n) for n in (1, 2, 3)]
                later = [
                    d
                    for d in later
                    if d.weekday() < 5 and self._at(d, start) + end <= self.day_start
                ]
                reasons = texts.MOVED_REASONS if later else texts.SKIPPED_REASONS
                planned.append(PlannedMeeting(day, at, status, reason=self.rng.choice(reasons)))
                if later:
                    moved = self.rng.choice(later)
                    planned.append(PlannedMeeting(moved, self._at(moved, start), "held", True))
                continue
            planned.append(PlannedMeeting(day, at, status))
        planned += [PlannedMeeting(d, self._at(d, start), Meeting.Status.SCHEDULED) for d in future]
        return planned

    def _past_statuses(self, past: list[date]) -> list[str]:
        held: str = Meeting.Status.HELD.value
        missed: str = Meeting.Status.MISSED.value
        cancelled: str = Meeting.Status.CANCELLED.value
        if self.story == DORMANT:
            last = self._story_fit(past[0])[1] if past else None
            return [held if last is not None and d <= last else missed for d in past]
        statuses: list[str] = []
        if self.story == STRUGGLING:
            statuses = [held] * len(past)
            for index, status in zip((-3, -2, -1), (missed, held, missed), strict=True):
                if len(past) >= -index + 1:
                    statuses[index] = status
            return statuses
        for index, _day in enumerate(past):
            roll = self.rng.random()
            # Life happens, but a healthy relationship never has two of three in a row
            # missed or cancelled, and its latest meeting took place.
            settled = bool(statuses) and all(status == held for status in statuses[-2:])
            can_slip = 0 < index < len(past) - 1 and settled
            if self.story == MEMBER:
                statuses.append(cancelled if index == 2 else held)
            elif can_slip and roll < 0.07:
                statuses.append(cancelled)
            elif can_slip and roll < 0.10 and not self.is_circle:
                statuses.append(missed)
            else:
                statuses.append(held)
        return statuses

    def _meetings(self, planned: list[PlannedMeeting], confirmed: datetime) -> None:
        uid_rng = random.Random(f"{SEED}:uids:{self.relationship.name}")
        location = self._location()
        number = 0
        facilitated: Counter[int] = Counter()
        focused: Counter[int] = Counter()
        rotation = self.rng.sample(range(len(self.members)), len(self.members))
        held_so_far = 0
        for plan in planned:
            # A cancelled meeting keeps the number it was due to have; the next one takes it.
            cancelled = plan.status == Meeting.Status.CANCELLED
            number += 0 if cancelled else 1
            ends = plan.starts_at + timedelta(minutes=self.duration)
            meeting = Meeting(
                organisation_id=self.relationship.organisation_id,
                relationship=self.relationship,
                number=number + 1 if cancelled else number,
                starts_at=plan.starts_at,
                duration_minutes=self.duration,
                timezone=self.anchor,
                status=plan.status,
                unscheduled=plan.unscheduled,
                location=location,
                uid=f"{uuid.UUID(int=uid_rng.getrandbits(128), version=4)}@alongside",
                invite_sent_sequence=None if plan.unscheduled else 0,
                created_at=confirmed if not plan.unscheduled else self._before_today(ends),
                updated_at=confirmed,
            )
            plan.meeting = meeting
            if plan.status == Meeting.Status.CANCELLED:
                meeting.cancelled_reason = plan.reason
                meeting.ical_sequence = meeting.invite_sent_sequence = 1
                meeting.updated_at = plan.starts_at - timedelta(days=1, hours=3)
            elif plan.status == Meeting.Status.HELD:
                logged = self._before_today(ends + timedelta(minutes=self.rng.randint(5, 240)))
                meeting.held_at = meeting.updated_at = logged
            elif plan.status == Meeting.Status.MISSED:
                meeting.updated_at = self._before_today(ends + timedelta(days=1))
            self.rows.add(meeting)
            if plan.status == Meeting.Status.CANCELLED:
                continue
            attendance = self._attendance(plan, held_so_far)
            plan.attended = [m for m, status in attendance.items() if status == "attended"]
            focus: set[int] = set()
            if self.is_circle:
                pool = plan.attended if plan.status == "held" else self.members
                order = {id(self.members[i]): n for n, i in enumerate(rotation)}
                pool = sorted(pool, key=lambda m: (facilitated[id(m)], order[id(m)]))
                chosen = pool[0] if pool else None
                if chosen is not None:
                    meeting.facilitator = chosen.row
                    facilitated[id(chosen)] += 1
                if plan.status == "held":
                    takers = sorted(
                        (m for m in plan.attended if m is not chosen or len(plan.attended) < 3),
                        key=lambda m: (focused[id(m)], order[id(m)]),
                    )[: 1 + (self.rng.random() < 0.4)]
                    focus = {id(m) for m in takers}
                    for m in takers:
                        focused[id(m)] += 1
            for member, status in attendance.items():
                self.rows.add(
                    Attendance(
                        meeting=meeting,
                        member=member.row,
                        status=status,
                        had_focus=id(member) in focus,
                    )
                )
            if plan.status == Meeting.Status.HELD:
                held_so_far += 1
                self._notes(plan, held_so_far, [m for m in plan.attended if id(m) in focus])

    def _location(self) -> str:
        places = {m.row.person.location for m in self.members}
        preference = Counter(
            getattr(intake_of(m.row), "communication_preference", "") for m in self.members
        ).most_common(1)
        if len(places) == 1 and preference and preference[0][0] == "in_person":
            return f"{places.pop()} office"
        return "Video call"

    def _attendance(self, plan: PlannedMeeting, held_before: int) -> dict[HistoryMember, str]:
        if plan.status == Meeting.Status.SCHEDULED:
            result = dict.fromkeys(self.members, "expected")
            if self.dropper is not None:
                result[self.dropper] = "apologies"
            return result
        if plan.status == Meeting.Status.MISSED:
            if self.story == DORMANT and not self.is_circle:
                return {m: "apologies" if m.is_mentor else "missed" for m in self.members}
            return {m: "apologies" if self.rng.random() < 0.6 else "missed" for m in self.members}
        if not self.is_circle:
            return dict.fromkeys(self.members, "attended")
        rate = 0.9
        if self.story == STRUGGLING:
            rate = 0.9 if held_before < 3 else 0.6
        result = {}
        for member in self.members:
            came = self.rng.random() < rate
            if member is self.dropper:
                came = held_before < DROPPER_STAYS
            result[member] = "attended" if came else self._absent()
        present = [m for m, s in result.items() if s == "attended"]
        for member in self.rng.sample(self.members, len(self.members)):
            if len(present) >= 3 or (member is self.dropper and held_before >= DROPPER_STAYS):
                continue
            if result[member] != "attended":
                result[member] = "attended"
                present.append(member)
        return result

    def _absent(self) -> str:
        return "apologies" if self.rng.random() < 0.7 else "missed"

    # Notes, commitments, pulses -------------------------------------------------------
