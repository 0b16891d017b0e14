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

import calendar
import random
import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from alongside.demo import history_texts as texts
from alongside.demo.data import NAME_POOLS
from alongside.demo.programmes import (
    CIRCLES_NAME,
    HIPO_NAME,
    HIPO_WANTS,
    MANAGER_WANTS,
    MEMBER_EMAIL,
    SEED,
)
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
from alongside.organisations.models import Organisation
from alongside.programmes.models import Intake, Programme, Stage
from alongside.relationships.models import Relationship, RelationshipMember
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
    rows = _Rows()
    busy: set[tuple[int, int]] = set()  # (person, half-hour of the week in UTC) taken
    for relationship in relationships:
        rows_of_members = members[relationship.pk]
        if relationship.pk in done or len(rows_of_members) < 2:
            continue
        history = _History(relationship, rows_of_members, story(relationship), today, rows, busy)
        history.write(proposed.get(relationship.pk))
    rows.save()


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


# --- Planning one relationship ---------------------------------------------------------


@dataclass(eq=False)
class _Member:
    row: RelationshipMember
    first_name: str
    zone: str
    slots: frozenset[int] | None  # local half-hours of the week they said they are free
    wants: list[str]
    is_mentor: bool


@dataclass
class _Planned:
    day: date
    starts_at: datetime
    status: str
    unscheduled: bool = False
    reason: str = ""
    meeting: Meeting | None = None
    attended: list[_Member] = field(default_factory=list)


class _Rows:
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


class _Cycle:
    """Draw from a list without repeating until it is used up, like a shuffled deck."""

    def __init__(self, rng: random.Random, items: Sequence[str]) -> None:
        self.rng, self.items, self.deck = rng, list(items), list[str]()

    def next(self) -> str:
        if not self.deck:
            self.deck = self.rng.sample(self.items, len(self.items))
        return self.deck.pop()


class _History:
    def __init__(
        self,
        relationship: Relationship,
        members: list[RelationshipMember],
        story: str,
        today: date,
        rows: _Rows,
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
        self.members = [_member(m) for m in members]
        self.is_circle = relationship.kind == Relationship.Kind.CIRCLE
        # Two peers: no mentor, so both write notes and commit alike.
        self.is_peers = not self.is_circle and not any(m.is_mentor for m in self.members)
        self.interval = INTERVAL_DAYS.get(self.programme.rhythm, 28)
        self.duration = self.programme.session_minutes
        self.anchor = self._anchor_zone()
        self.insights = _Cycle(self.rng, texts.INSIGHTS)
        self.cycles: dict[str, _Cycle] = {}
        # The struggling circle's member who took on a second team and drifted away.
        self.dropper = self.rng.choice(self.members) if story == STRUGGLING else None
        self.reviews: Counter[int] = Counter()
        self.last_held: _Planned | None = None

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
            return (_outside(later[0], MEMBER_NEXT_DAYS) if later else 99), None
        past = [(_outside((self.today - d).days, DORMANT_DAYS), d) for d in days[2:]]
        past = [(gap, d) for gap, d in past if d < self.today]
        return min(past, key=lambda pair: pair[0]) if past else (99, None)

    def _occurrences(self, first: date) -> list[date]:
        """Weekly and fortnightly from ``first``; monthly on the same n-th weekday of every
        month (the last one if ``first`` falls in the last week of its month)."""
        if self.programme.rhythm == "monthly":
            return _monthly(first, self.programme.end_date)
        days, day = [], first
        while day <= self.programme.end_date:
            days.append(day)
            day += timedelta(days=self.interval)
        return days

    def _at(self, day: date, start: time) -> datetime:
        return datetime.combine(day, start, tzinfo=ZoneInfo(self.anchor)).astimezone(UTC)

    def _before_today(self, moment: datetime) -> datetime:
        return min(moment, self.day_start - timedelta(minutes=5))

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
        when = f"{WEEKDAYS[weekday]}s at {start:%H:%M} in {_city(self.anchor)}"
        others = self._elsewhere(weekday, start)
        if overlap:
            return f"{when}{others}: inside everyone's stated availability."
        return f"No time is inside everyone's stated availability. Closest: {when}{others}."

    def _elsewhere(self, weekday: int, start: time) -> str:
        day = self.today + timedelta(days=(weekday - self.today.weekday()) % 7)
        moment = datetime.combine(day, start, tzinfo=ZoneInfo(self.anchor))
        zones = sorted({m.zone for m in self.members} - {self.anchor})
        parts = [f"{moment.astimezone(ZoneInfo(z)):%H:%M} in {_city(z)}" for z in zones]
        return f" ({', '.join(parts)})" if parts else ""

    def _plan(self, first: date, start: time) -> list[_Planned]:
        days = self._occurrences(first)
        end = timedelta(minutes=self.duration)
        past = [d for d in days if self._at(d, start) + end <= self.day_start]
        future = [d for d in days if self._at(d, start) + end > self.day_start][:UPCOMING]
        statuses = self._past_statuses(past)
        planned: list[_Planned] = []
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
                planned.append(_Planned(day, at, status, reason=self.rng.choice(reasons)))
                if later:
                    moved = self.rng.choice(later)
                    planned.append(_Planned(moved, self._at(moved, start), "held", True))
                continue
            planned.append(_Planned(day, at, status))
        planned += [_Planned(d, self._at(d, start), Meeting.Status.SCHEDULED) for d in future]
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

    def _meetings(self, planned: list[_Planned], confirmed: datetime) -> None:
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
            getattr(_intake(m.row), "communication_preference", "") for m in self.members
        ).most_common(1)
        if len(places) == 1 and preference and preference[0][0] == "in_person":
            return f"{places.pop()} office"
        return "Video call"

    def _attendance(self, plan: _Planned, held_before: int) -> dict[_Member, str]:
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

    def _notes(self, plan: _Planned, held_number: int, focus: list[_Member]) -> None:
        meeting = plan.meeting
        assert meeting is not None
        ends = plan.starts_at + timedelta(minutes=self.duration)
        written = self._before_today(ends + timedelta(minutes=self.rng.randint(10, 300)))
        if self.is_circle:
            author = next((m for m in self.members if m.row is meeting.facilitator), None)
            if author is None or author not in plan.attended:
                author = plan.attended[0]
            subject = focus[0] if focus else author
            if held_number == 1:
                body = texts.FIRST_CIRCLE_NOTE
            elif self.story == STRUGGLING and held_number > 3:
                body = self._fill(
                    texts.STRUGGLING_CIRCLE_NOTES, subject, present=len(plan.attended)
                )
            elif self.rng.random() < 0.85:
                body = self._fill(texts.CIRCLE_NOTES, subject)
            else:
                body = ""
            self._group_notes(
                meeting,
                author,
                body,
                plan.attended,
                lambda m: subject if subject is not m else author,
                written,
            )
            return
        if self.is_peers:
            self._peer_notes(meeting, plan, held_number, written)
            return
        mentor = next(m for m in self.members if m.is_mentor)
        mentee = next(m for m in self.members if not m.is_mentor)
        always = self.story == MEMBER
        roll = self.rng.random()
        if self.story == DORMANT and plan is self.last_held:
            body = self._fill(texts.CUT_SHORT_NOTES, mentor, member=mentee)
            self._note(meeting, mentee, Note.Visibility.SHARED, body, written)
        elif held_number == 1:
            body = self._fill(texts.FIRST_MENTORING_NOTES, mentor, member=mentee)
            self._note(meeting, mentee, Note.Visibility.SHARED, body, written)
        elif always or roll < 0.75:
            body = self._fill(texts.MENTORING_NOTES, mentor, member=mentee)
            self._note(meeting, mentee, Note.Visibility.SHARED, body, written)
        elif roll < 0.88:
            body = self._fill(texts.MENTOR_NOTES, mentee, member=mentee)
            self._note(meeting, mentor, Note.Visibility.SHARED, body, written)
        if (always and held_number == 2) or self.rng.random() < 0.2:
            body = self._fill(texts.PRIVATE_NOTES, mentor, member=mentee)
            self._note(meeting, mentee, Note.Visibility.PRIVATE, body, written)
        if self.rng.random() < 0.12:
            body = self._fill(texts.MENTOR_PRIVATE_NOTES, mentee, member=mentee)
            self._note(meeting, mentor, Note.Visibility.PRIVATE, body, written)

    def _peer_notes(
        self, meeting: Meeting, plan: _Planned, held_number: int, written: datetime
    ) -> None:
        author = self.rng.choice(plan.attended)
        other = next(m for m in self.members if m is not author)
        if held_number == 1:
            body = self._fill(texts.FIRST_MENTORING_NOTES, other, member=author)
        elif self.rng.random() < 0.8:
            body = self._fill(texts.MENTORING_NOTES, other, member=author)
        else:
            body = ""
        self._group_notes(
            meeting,
            author,
            body,
            plan.attended,
            lambda m: next(x for x in self.members if x is not m),
            written,
        )

    def _group_notes(
        self,
        meeting: Meeting,
        author: _Member,
        body: str,
        attended: Sequence[_Member],
        other_of: Callable[[_Member], _Member],
        written: datetime,
    ) -> None:
        """The shared note (if any) and, now and then, a member's private note about
        ``other_of(member)``: circles and peer pairs alike."""
        if body:
            self._note(meeting, author, Note.Visibility.SHARED, body, written)
        for member in attended:
            if self.rng.random() < 0.12:
                body = self._fill(texts.PRIVATE_NOTES, other_of(member), member=member)
                self._note(meeting, member, Note.Visibility.PRIVATE, body, written)

    def _note(
        self, meeting: Meeting, author: _Member, visibility: str, body: str, at: datetime
    ) -> None:
        self.rows.add(
            Note(
                meeting=meeting,
                author=author.row,
                visibility=visibility,
                body=body,
                created_at=at,
                updated_at=at,
            )
        )

    def _fill(
        self,
        templates: Sequence[str],
        other: _Member,
        *,
        member: _Member | None = None,
        present: int = 0,
    ) -> str:
        """One of ``templates``, not repeated in this relationship until all were used."""
        cycle = self.cycles.setdefault(f"notes:{id(templates)}", _Cycle(self.rng, templates))
        topic_of = member or other
        want = self._want(topic_of)
        topic = texts.TOPICS.get(want)
        situation = self.rng.choice(topic.situations) if topic else "the quarter ahead"
        return cycle.next().format(
            other=other.first_name,
            mentee=(member or other).first_name,
            situation=situation,
            insight=self.insights.next(),
            topic=want.lower(),
            present=_number_word(present),
        )

    def _want(self, member: _Member) -> str:
        wants = [w for w in member.wants if w in texts.TOPICS]
        return self.rng.choice(wants) if wants else "Career growth"

    def _commitments_and_pulses(self, planned: list[_Planned]) -> None:
        open_by_member: dict[int, list[Commitment]] = {}
        held = [p for p in planned if p.status == Meeting.Status.HELD]
        last_held = held[-1] if held else None
        for index, plan in enumerate(held):
            meeting = plan.meeting
            assert meeting is not None
            starts = plan.starts_at
            ends = starts + timedelta(minutes=self.duration)
            # In a circle the latest check-in round ran out of time before its last speaker,
            # whose commitment is carried over to the next meeting.
            last_speaker = None
            if self.is_circle and plan is last_held:
                pending = [m for m in plan.attended if open_by_member.get(id(m))]
                last_speaker = pending[-1] if pending else None
            for member in plan.attended:
                for commitment in open_by_member.pop(id(member), []):
                    if member is last_speaker or self._carried_over(plan, last_held):
                        open_by_member.setdefault(id(member), []).append(commitment)
                        continue
                    status = self._review_status(member)
                    commitment.status = status
                    commitment.reviewed_at_meeting = meeting
                    commitment.review_note = self.rng.choice(texts.REVIEW_NOTES[status])
                    commitment.reviewed_at = starts + timedelta(minutes=self.rng.randint(5, 15))
            for member in plan.attended:
                if not self._commits(member, index, len(held)):
                    continue
                commitment = Commitment(
                    relationship=self.relationship,
                    member=member.row,
                    made_at=meeting,
                    text=self._action(member),
                    due_date=plan.day + timedelta(days=self.interval - 1)
                    if self.rng.random() < 0.6
                    else None,
                    created_at=ends,
                )
                self.rows.add(commitment)
                open_by_member.setdefault(id(member), []).append(commitment)
            for member in plan.attended:
                if self.story != MEMBER and self.rng.random() > 0.7:
                    continue
                hours = self.rng.randint(1, 30)
                self.rows.add(
                    Pulse(
                        relationship=self.relationship,
                        member=member.row,
                        meeting=meeting,
                        kind=Pulse.Kind.MEETING,
                        rating=self._rating(member, index, len(held)),
                        created_at=self._before_today(ends + timedelta(hours=hours)),
                    )
                )

    def _carried_over(self, plan: _Planned, last_held: _Planned | None) -> bool:
        """Now and then the check-in runs out of time and the commitment stays open."""
        return self.story != MEMBER and plan is not last_held and self.rng.random() < 0.06

    def _commits(self, member: _Member, index: int, held: int) -> bool:
        if self.story == STRUGGLING and member is self.dropper:
            return True  # and drops them all
        if self.story == MEMBER:
            return not member.is_mentor or index % 2 == 1
        if self.is_circle or self.is_peers:
            return self.rng.random() < (0.7 if self.story == STRUGGLING else 0.85)
        return self.rng.random() < (0.3 if member.is_mentor else 0.9)

    def _action(self, member: _Member) -> str:
        if member.is_mentor:
            mentee = next(m for m in self.members if not m.is_mentor)
            key = f"mentor:{id(member)}"
            cycle = self.cycles.setdefault(key, _Cycle(self.rng, texts.MENTOR_ACTIONS))
            return cycle.next().format(mentee=mentee.first_name)
        actions = [a for w in member.wants if w in texts.TOPICS for a in texts.TOPICS[w].actions]
        key = f"actions:{id(member)}"
        cycle = self.cycles.setdefault(
            key, _Cycle(self.rng, actions or texts.TOPICS["Career growth"].actions)
        )
        return cycle.next()

    def _review_status(self, member: _Member) -> str:
        self.reviews[id(member)] += 1
        first = self.reviews[id(member)] == 1
        if self.story == STRUGGLING and member is self.dropper:
            return "not_yet" if first else "dropped"
        if self.story == MEMBER and first:
            return "done"  # the demo member starts well
        weights = REVIEW_WEIGHTS[self.story]
        return self.rng.choices(REVIEW_STATUSES, weights=weights)[0]

    def _rating(self, member: _Member, index: int, held: int) -> int:
        if self.story == STRUGGLING:
            return self.rng.choice((1, 2) if index >= 3 else (2, 3, 3, 4))
        if self.story == DORMANT:
            return max(2, 4 - (index * 2) // max(held - 1, 1))
        if self.story == MEMBER:
            return self.rng.choice((4, 4, 5))
        return self.rng.choices((5, 4, 3, 2), weights=(35, 45, 17, 3))[0]

    def _midpoint(self) -> None:
        checkpoint = self.programme.checkpoint_date
        if checkpoint is None or checkpoint >= self.today:
            return
        for member in self.members:
            blocking = ""
            if self.story == DORMANT:
                if member.is_mentor:
                    continue
                rating, blocking = 2, texts.DORMANT_BLOCKING
            elif self.story == STRUGGLING:
                if member is self.dropper:
                    rating, blocking = 1, texts.STRUGGLING_BLOCKING[-1]
                else:
                    rating = self.rng.choice((1, 2, 2))
                    blocking = self.rng.choice(texts.STRUGGLING_BLOCKING[:-1])
            elif self.story == MEMBER:
                rating = 4
            elif self.rng.random() < 0.2:
                continue  # not everyone answers
            else:
                rating = self.rng.choices((5, 4, 3), weights=(35, 50, 15))[0]
                blocking = self.rng.choice(texts.MIDPOINT_BLOCKING)
            answered = datetime.combine(checkpoint, time(9), tzinfo=UTC) + timedelta(
                hours=self.rng.randint(-40, 70)
            )
            self.rows.add(
                Pulse(
                    relationship=self.relationship,
                    member=member.row,
                    kind=Pulse.Kind.MIDPOINT,
                    rating=rating,
                    blocking=blocking,
                    created_at=self._before_today(answered),
                )
            )

    # Agreement and goals --------------------------------------------------------------

    def _agreement(self, weekday: int, start: time, planned: list[_Planned]) -> None:
        first_held = next((p for p in planned if p.status == Meeting.Status.HELD), None)
        agreed = (
            first_held.starts_at + timedelta(minutes=self.duration)
            if first_held
            else self.relationship.started_at
        )
        note = (
            f"{_when(self.programme.rhythm, planned[0].day)} at {start:%H:%M} "
            f"{_city(self.anchor)} time{self._elsewhere(weekday, start)}. If one of us can't "
            "make it, we move it within the same week rather than skip it."
        )
        goals = ""
        if self.is_circle:
            wants = Counter(w for m in self.members for w in m.wants if w in MANAGER_WANTS)
            goals = "\n".join(_sentence(MANAGER_WANTS[want]) for want, _n in wants.most_common(3))
        self.rows.add(
            Agreement(
                relationship=self.relationship,
                rhythm_confirmed=True,
                rhythm_note=note[:300],
                shared_goals=goals,
                facilitation=Agreement.Facilitation.ROTATING,
                confirmed_at=agreed,
                updated_at=agreed,
            )
        )

    def _goals(self) -> None:
        for member in self.members:
            if member.is_mentor:
                goals = [texts.MENTOR_GOALS[w] for w in member.wants if w in texts.MENTOR_GOALS]
            else:
                phrases = MANAGER_WANTS if self.is_circle else HIPO_WANTS
                goals = [_sentence(phrases[w]) for w in member.wants if w in phrases]
                goals = goals[: self.rng.randint(1, 3)]
            for position, text in enumerate(goals[:3], start=1):
                self.rows.add(
                    DevelopmentGoal(
                        relationship=self.relationship,
                        member=member.row,
                        text=text[:300],
                        position=position,
                    )
                )


# --- Small helpers ---------------------------------------------------------------------


def _intake(row: RelationshipMember) -> Intake | None:
    try:
        return row.enrolment.intake
    except Intake.DoesNotExist:
        return None


def _member(row: RelationshipMember) -> _Member:
    intake = _intake(row)
    slots: frozenset[int] | None = None
    if intake is not None and intake.availability:
        try:
            slots = parse_availability(intake.availability, 0.0)
        except MatchingError:
            slots = None
    zone = (intake.timezone if intake is not None else "") or row.person.timezone or "UTC"
    return _Member(
        row=row,
        first_name=_first_name(row.person.name),
        zone=zone,
        slots=slots,
        wants=list(intake.wants) if intake is not None else [],
        is_mentor=row.role == "mentor",
    )


def _first_name(name: str) -> str:
    """What colleagues call someone: the given name, or the whole name where the family
    name comes first (as in "Lee Shu Fen")."""
    first = name.split()[0] if name.split() else name
    return name if first in _FAMILY_FIRST else first


_FAMILY_FIRST = {f for pool in NAME_POOLS.values() if pool.family_first for f in pool.family}


def _city(zone: str) -> str:
    return zone.rsplit("/", 1)[-1].replace("_", " ")


def _sentence(phrase: str) -> str:
    return phrase[:1].upper() + phrase[1:]


def _when(rhythm: str, first: date) -> str:
    """``Every other Thursday``; monthly: ``The second Wednesday of every month``."""
    day = WEEKDAYS[first.weekday()]
    if rhythm == "monthly":
        last_week = first.day + 7 > calendar.monthrange(first.year, first.month)[1]
        nth = "last" if last_week else ("first", "second", "third", "fourth")[(first.day - 1) // 7]
        return f"The {nth} {day} of every month"
    return f"{'Every other' if rhythm == 'fortnightly' else 'Every'} {day}"


def _outside(value: int, bounds: tuple[int, int]) -> int:
    """0 inside ``bounds``, else how far outside."""
    low, high = bounds
    return max(low - value, value - high, 0)


def _monthly(first: date, until: date) -> list[date]:
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


def _number_word(n: int) -> str:
    words = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight")
    return words[n] if 0 <= n < len(words) else str(n)
