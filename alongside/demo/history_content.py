"""Notes, commitments, pulses, agreements and goals in the demo history."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from alongside.demo import history_texts as texts
from alongside.demo.history_parts import (
    DORMANT,
    MEMBER,
    REVIEW_STATUSES,
    REVIEW_WEIGHTS,
    STRUGGLING,
    Cycle,
    HistoryMember,
    HistoryRows,
    PlannedMeeting,
    city,
    number_word,
    rhythm_phrase,
    sentence,
)
from alongside.demo.programmes import (
    HIPO_WANTS,
    MANAGER_WANTS,
)
from alongside.meetings.models import (
    Agreement,
    Commitment,
    DevelopmentGoal,
    Meeting,
    Note,
)
from alongside.programmes.models import Programme
from alongside.relationships.models import Relationship
from alongside.surveys.models import Pulse


class MeetingContent:
    """What happens in and after the meetings of one relationship's history: notes,
    commitments and check-ins, pulses, the midpoint check-in, the agreement and goals.

    Mixed into the history of one relationship (``history._History``), which sets these.
    """

    relationship: Relationship
    programme: Programme
    story: str
    today: date
    day_start: datetime
    rows: HistoryRows
    rng: random.Random
    members: list[HistoryMember]
    is_circle: bool
    is_peers: bool
    interval: int
    duration: int
    anchor: str
    insights: Cycle
    cycles: dict[str, Cycle]
    dropper: HistoryMember | None
    reviews: Counter[int]
    last_held: PlannedMeeting | None

    def _before_today(self, moment: datetime) -> datetime:
        return min(moment, self.day_start - timedelta(minutes=5))

    def _elsewhere(self, weekday: int, start: time) -> str:
        day = self.today + timedelta(days=(weekday - self.today.weekday()) % 7)
        moment = datetime.combine(day, start, tzinfo=ZoneInfo(self.anchor))
        zones = sorted({m.zone for m in self.members} - {self.anchor})
        parts = [f"{moment.astimezone(ZoneInfo(z)):%H:%M} in {city(z)}" for z in zones]
        return f" ({', '.join(parts)})" if parts else ""

    def _notes(self, plan: PlannedMeeting, held_number: int, focus: list[HistoryMember]) -> None:
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
        self, meeting: Meeting, plan: PlannedMeeting, held_number: int, written: datetime
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
        author: HistoryMember,
        body: str,
        attended: Sequence[HistoryMember],
        other_of: Callable[[HistoryMember], HistoryMember],
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
        self, meeting: Meeting, author: HistoryMember, visibility: str, body: str, at: datetime
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
        other: HistoryMember,
        *,
        member: HistoryMember | None = None,
        present: int = 0,
    ) -> str:
        """One of ``templates``, not repeated in this relationship until all were used."""
        cycle = self.cycles.setdefault(f"notes:{id(templates)}", Cycle(self.rng, templates))
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
            present=number_word(present),
        )

    def _want(self, member: HistoryMember) -> str:
        wants = [w for w in member.wants if w in texts.TOPICS]
        return self.rng.choice(wants) if wants else "Career growth"

    def _commitments_and_pulses(self, planned: list[PlannedMeeting]) -> None:
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

    def _carried_over(self, plan: PlannedMeeting, last_held: PlannedMeeting | None) -> bool:
        """Now and then the check-in runs out of time and the commitment stays open."""
        return self.story != MEMBER and plan is not last_held and self.rng.random() < 0.06

    def _commits(self, member: HistoryMember, index: int, held: int) -> bool:
        if self.story == STRUGGLING and member is self.dropper:
            return True  # and drops them all
        if self.story == MEMBER:
            return not member.is_mentor or index % 2 == 1
        if self.is_circle or self.is_peers:
            return self.rng.random() < (0.7 if self.story == STRUGGLING else 0.85)
        return self.rng.random() < (0.3 if member.is_mentor else 0.9)

    def _action(self, member: HistoryMember) -> str:
        if member.is_mentor:
            mentee = next(m for m in self.members if not m.is_mentor)
            key = f"mentor:{id(member)}"
            cycle = self.cycles.setdefault(key, Cycle(self.rng, texts.MENTOR_ACTIONS))
            return cycle.next().format(mentee=mentee.first_name)
        actions = [a for w in member.wants if w in texts.TOPICS for a in texts.TOPICS[w].actions]
        key = f"actions:{id(member)}"
        cycle = self.cycles.setdefault(
            key, Cycle(self.rng, actions or texts.TOPICS["Career growth"].actions)
        )
        return cycle.next()

    def _review_status(self, member: HistoryMember) -> str:
        self.reviews[id(member)] += 1
        first = self.reviews[id(member)] == 1
        if self.story == STRUGGLING and member is self.dropper:
            return "not_yet" if first else "dropped"
        if self.story == MEMBER and first:
            return "done"  # the demo member starts well
        weights = REVIEW_WEIGHTS[self.story]
        return self.rng.choices(REVIEW_STATUSES, weights=weights)[0]

    def _rating(self, member: HistoryMember, index: int, held: int) -> int:
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

    def _agreement(self, weekday: int, start: time, planned: list[PlannedMeeting]) -> None:
        first_held = next((p for p in planned if p.status == Meeting.Status.HELD), None)
        agreed = (
            first_held.starts_at + timedelta(minutes=self.duration)
            if first_held
            else self.relationship.started_at
        )
        note = (
            f"{rhythm_phrase(self.programme.rhythm, planned[0].day)} at {start:%H:%M} "
            f"{city(self.anchor)} time{self._elsewhere(weekday, start)}. If one of us can't "
            "make it, we move it within the same week rather than skip it."
        )
        goals = ""
        if self.is_circle:
            wants = Counter(w for m in self.members for w in m.wants if w in MANAGER_WANTS)
            goals = "\n".join(sentence(MANAGER_WANTS[want]) for want, _n in wants.most_common(3))
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
                goals = [sentence(phrases[w]) for w in member.wants if w in phrases]
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
