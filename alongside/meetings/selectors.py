"""Reads for relationships in motion, with the privacy rules in one place.

Who sees what:
- a relationship's members see its agreement, goals, meetings, shared notes, everyone's
  commitments and check-ins; each member alone sees their own private notes;
- a member who left keeps what happened while they were there, nothing after;
- the programme's managers (and the organisation's admins) see meetings, attendance,
  *that* notes exist and when, and commitment statuses — never note or commitment text;
- anyone else gets a 404, as for another tenant's object.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db.models import Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from alongside.core import authored
from alongside.core.errors import NotFound
from alongside.meetings import rotation
from alongside.meetings.guides import (
    GUIDED_MEETINGS,
    default_guide,
    default_guide_in,
    default_guide_translations,
)
from alongside.meetings.models import (
    Agreement,
    Attendance,
    ClosingChoice,
    Commitment,
    DevelopmentGoal,
    Meeting,
    Note,
    SessionGuide,
)
from alongside.organisations.models import Membership
from alongside.people.models import Person
from alongside.programmes.models import Programme, Stage
from alongside.programmes.selectors import can_manage
from alongside.relationships.models import Relationship, RelationshipMember

MAX_GOALS = 3
# The end-point choice opens this long before the programme's end date.
END_CHOICE_OPENS_BEFORE = timedelta(days=14)


# --- Access -----------------------------------------------------------------------------


@dataclass
class RelationshipAccess:
    """A viewer's standing in one relationship."""

    relationship: Relationship
    me: RelationshipMember | None
    manages: bool

    @property
    def is_member(self) -> bool:
        return self.me is not None

    @property
    def can_write(self) -> bool:
        """Members write while both they and the relationship are active."""
        return (
            self.me is not None
            and self.me.is_active
            and self.relationship.status != Relationship.Status.ENDED
        )

    @property
    def read_only_reason(self) -> str:
        if self.me is None:
            return _("Managers see how the relationship is going, never what is written in it.")
        if self.relationship.status == Relationship.Status.ENDED:
            return _("This relationship has ended; you can still read everything in it.")
        if not self.me.is_active:
            return _(
                "You have left this relationship; you can read what happened while you were in it."
            )
        return ""


def relationship_access(*, membership: Membership, relationship_id: int) -> RelationshipAccess:
    relationship = (
        Relationship.objects.select_related("programme", "organisation")
        .filter(pk=relationship_id, organisation=membership.organisation)
        .first()
    )
    if relationship is None:
        raise NotFound(_("No such relationship."))
    me = (
        RelationshipMember.objects.filter(relationship=relationship, person__user=membership.user)
        .select_related("person", "enrolment")
        .order_by("-is_active", "pk")
        .first()
    )
    manages = can_manage(membership=membership, programme=relationship.programme)
    if me is None and not manages:
        raise NotFound(_("No such relationship."))
    return RelationshipAccess(relationship=relationship, me=me, manages=manages)


def meeting_access(
    *, membership: Membership, meeting_id: int
) -> tuple[Meeting, RelationshipAccess]:
    meeting = (
        Meeting.objects.filter(pk=meeting_id, organisation=membership.organisation)
        .only("pk", "relationship_id")
        .first()
    )
    if meeting is None:
        raise NotFound(_("No such meeting."))
    access = relationship_access(membership=membership, relationship_id=meeting.relationship_id)
    meeting = Meeting.objects.select_related("facilitator__person").get(pk=meeting_id)
    meeting.relationship = access.relationship
    if not access.manages and not _was_there(access.me, meeting):
        raise NotFound(_("No such meeting."))
    return meeting, access


def _was_there(me: RelationshipMember | None, meeting: Meeting) -> bool:
    if me is None:
        return False
    return me.is_active or me.left_at is None or meeting.starts_at <= me.left_at


def viewer_zone(*, membership: Membership) -> ZoneInfo:
    """The viewer's own time zone (their directory entry), else the organisation's."""
    name = (
        Person.objects.filter(organisation=membership.organisation, user=membership.user)
        .values_list("timezone", flat=True)
        .first()
    ) or membership.organisation.default_time_zone
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


# --- Members, agreement, goals ------------------------------------------------------------


def members_of(*, relationship: Relationship) -> list[RelationshipMember]:
    """Everyone who is or was in the relationship, in their fixed order (who joined first)."""
    return list(
        RelationshipMember.objects.filter(relationship=relationship)
        .select_related("person")
        .order_by("joined_at", "pk")
    )


def agreement_for(*, relationship: Relationship) -> Agreement:
    """The relationship's agreement; an unsaved blank one until someone fills it in."""
    agreement = (
        Agreement.objects.filter(relationship=relationship)
        .select_related("fixed_facilitator__person")
        .first()
    )
    return agreement or Agreement(relationship=relationship)


def goals_by_member(*, relationship: Relationship) -> dict[int, list[DevelopmentGoal]]:
    goals: dict[int, list[DevelopmentGoal]] = {}
    for goal in DevelopmentGoal.objects.filter(relationship=relationship).order_by(
        "member_id", "position"
    ):
        goals.setdefault(goal.member_id, []).append(goal)
    return goals


def goal_suggestions(*, member: RelationshipMember) -> list[str]:
    """What the member said they want in their intake, offered as goals to pick from."""
    intake = getattr(member.enrolment, "intake", None)
    if intake is None:
        return []
    suggestions = [str(want) for want in intake.wants or []]
    if intake.wants_other.strip():
        suggestions.append(intake.wants_other.strip())
    suggestions.extend(line.strip(" -•\t") for line in intake.goals.splitlines())
    return [s[:300] for s in dict.fromkeys(s for s in suggestions if s.strip())]


def shared_goals(agreement: Agreement) -> list[str]:
    return [line.strip() for line in agreement.shared_goals.splitlines() if line.strip()]


# --- Guides -------------------------------------------------------------------------------


@dataclass(frozen=True)
class GuideView:
    """A guide as its reader sees it (their language, else the organisation's, else the
    text as first written), with what is written in each language."""

    number: int
    title: str
    body: str
    is_default: bool
    original_title: str = ""
    original_body: str = ""
    translations: dict[str, dict[str, str]] = field(default_factory=dict)
    source_language: str = ""

    @property
    def prompts(self) -> list[str]:
        return [line.strip() for line in self.body.splitlines() if line.strip()]

    def written_in(self, language: str) -> dict[str, str]:
        """The title and body written in ``language`` (empty where it falls back)."""
        if language == self.source_language:
            return {"title": self.original_title, "body": self.original_body}
        return self.translations.get(language, {})

    @property
    def written_languages(self) -> list[str]:
        written = [self.source_language, *authored.written_languages(self.translations, _GUIDE)]
        return list(dict.fromkeys(written))


_GUIDE = ("title", "body")


def _guide_view(programme: Programme, number: int, row: SessionGuide | None) -> GuideView:
    source_language = programme.source_language
    reader = translation.get_language()
    if row is not None:
        return GuideView(
            number,
            row.localised("title", programme.translation_fallback, reader),
            row.localised("body", programme.translation_fallback, reader),
            is_default=False,
            original_title=row.title,
            original_body=row.body,
            translations=row.translations,
            source_language=source_language,
        )
    # A default guide is in the shipped catalogues, so in every shipped language.
    text = default_guide(programme.format, number)
    title, body = default_guide_in(programme.format, number, source_language)
    return GuideView(
        number,
        text.title,
        text.body,
        is_default=True,
        original_title=title,
        original_body=body,
        translations=default_guide_translations(programme.format, number, source_language),
        source_language=source_language,
    )


def guides_for(*, programme: Programme) -> list[GuideView]:
    """The programme's guides for meetings 1…4: its own where edited, else the defaults."""
    own = {g.meeting_number: g for g in SessionGuide.objects.filter(programme=programme)}
    return [_guide_view(programme, n, own.get(n)) for n in range(1, GUIDED_MEETINGS + 1)]


def guide_for_meeting(*, programme: Programme, number: int) -> GuideView:
    """The guide for a meeting; meeting 4's guide serves every later meeting too."""
    wanted = min(max(number, 1), GUIDED_MEETINGS)
    row = SessionGuide.objects.filter(programme=programme, meeting_number=wanted).first()
    return _guide_view(programme, wanted, row)


# --- Meetings -------------------------------------------------------------------------------


def meetings_of(*, relationship: Relationship) -> QuerySet[Meeting]:
    return (
        Meeting.objects.filter(relationship=relationship)
        .select_related("facilitator__person")
        .order_by("starts_at", "pk")
    )


def meetings_visible(*, access: RelationshipAccess) -> list[Meeting]:
    meetings = list(meetings_of(relationship=access.relationship))
    if access.manages:
        return meetings
    return [m for m in meetings if _was_there(access.me, m)]


def next_meeting(meetings: list[Meeting], now: datetime | None = None) -> Meeting | None:
    """The first scheduled meeting that has not finished yet."""
    now = now or timezone.now()
    for meeting in meetings:
        ends = meeting.starts_at + timedelta(minutes=meeting.duration_minutes)
        if meeting.status == Meeting.Status.SCHEDULED and ends >= now:
            return meeting
    return None


def attendance_of(*, meeting: Meeting) -> dict[int, Attendance]:
    return {a.member_id: a for a in Attendance.objects.filter(meeting=meeting)}


def attendance_counts(*, meetings: list[Meeting]) -> dict[int, dict[str, int]]:
    """Per meeting: how many attended, sent apologies or missed it."""
    counts: dict[int, dict[str, int]] = {
        m.pk: {"attended": 0, "apologies": 0, "missed": 0} for m in meetings
    }
    for meeting_id, status in Attendance.objects.filter(meeting__in=meetings).values_list(
        "meeting_id", "status"
    ):
        if status in counts[meeting_id]:
            counts[meeting_id][status] += 1
    return counts


@dataclass
class MentoringSummary:
    """What "My mentoring" shows for one relationship: the next meeting, my open action."""

    next_meeting: Meeting | None = None
    open_commitment: Commitment | None = None


def mentoring_summaries(
    *, membership: Membership, relationships: list[Relationship], now: datetime | None = None
) -> dict[int, MentoringSummary]:
    """Two queries for any number of relationships."""
    now = now or timezone.now()
    summaries = {r.pk: MentoringSummary() for r in relationships}
    upcoming = Meeting.objects.filter(
        relationship__in=relationships,
        status=Meeting.Status.SCHEDULED,
        starts_at__gte=now - timedelta(hours=3),
    ).order_by("starts_at", "pk")
    for meeting in upcoming:
        summary = summaries[meeting.relationship_id]
        ends = meeting.starts_at + timedelta(minutes=meeting.duration_minutes)
        if summary.next_meeting is None and ends >= now:
            summary.next_meeting = meeting
    mine = Commitment.objects.filter(
        relationship__in=relationships,
        member__person__user=membership.user,
        status=Commitment.Status.OPEN,
    ).order_by("created_at", "pk")
    for commitment in mine:
        summaries[commitment.relationship_id].open_commitment = commitment
    return summaries


# --- Notes ---------------------------------------------------------------------------------


def notes_visible(*, access: RelationshipAccess, meeting: Meeting) -> list[Note]:
    """Shared notes for members, plus the viewer's own private ones; nothing for managers."""
    me = access.me
    if me is None:
        return []
    notes = Note.objects.filter(meeting=meeting).filter(
        Q(visibility=Note.Visibility.SHARED) | Q(author=me)
    )
    if not me.is_active and me.left_at is not None:
        notes = notes.filter(created_at__lte=me.left_at)
    return list(notes.select_related("author__person").order_by("created_at", "pk"))


def note_get_own(*, access: RelationshipAccess, note_id: int) -> Note:
    """One of the viewer's own notes in this relationship; anyone else's is a 404."""
    if access.me is None:
        raise NotFound(_("No such note."))
    note = (
        Note.objects.filter(pk=note_id, author=access.me, meeting__relationship=access.relationship)
        .select_related("meeting", "author__person")
        .first()
    )
    if note is None:
        raise NotFound(_("No such note."))
    return note


@dataclass
class NoteActivity:
    """What a manager may know about notes: how many and when, never what."""

    count: int = 0
    dates: list[datetime] = field(default_factory=list)


def note_activity(*, meetings: list[Meeting]) -> dict[int, NoteActivity]:
    activity: dict[int, NoteActivity] = {m.pk: NoteActivity() for m in meetings}
    for meeting_id, created_at in (
        Note.objects.filter(meeting__in=meetings)
        .order_by("created_at")
        .values_list("meeting_id", "created_at")
    ):
        entry = activity[meeting_id]
        entry.count += 1
        entry.dates.append(created_at)
    return activity


# --- Commitments and the check-in ----------------------------------------------------------


def check_in_for(*, meeting: Meeting) -> list[Commitment]:
    """The commitments this meeting checks in on.

    Every commitment made at an earlier meeting and not yet reviewed (carried over until
    someone reviews it), plus those reviewed at this meeting.
    """
    return list(
        Commitment.objects.filter(relationship_id=meeting.relationship_id)
        .filter(
            Q(status=Commitment.Status.OPEN, made_at__starts_at__lt=meeting.starts_at)
            | Q(reviewed_at_meeting=meeting)
        )
        .exclude(made_at=meeting)
        .select_related("member__person", "made_at")
        .order_by("member__joined_at", "member_id", "made_at__starts_at")
    )


def commitment_made_at(*, meeting: Meeting, member: RelationshipMember) -> Commitment | None:
    return Commitment.objects.filter(made_at=meeting, member=member).first()


def commitments_made_at(*, meeting: Meeting) -> list[Commitment]:
    return list(
        Commitment.objects.filter(made_at=meeting)
        .select_related("member__person")
        .order_by("member__joined_at", "member_id")
    )


def commitment_history(*, member: RelationshipMember) -> list[Commitment]:
    return list(
        Commitment.objects.filter(member=member)
        .select_related("made_at", "reviewed_at_meeting")
        .order_by("-made_at__starts_at", "-pk")
    )


@dataclass(frozen=True)
class CompletionStats:
    """How a member's commitments went.

    The rate counts reviewed commitments only (an open one has not had its chance yet):
    done counts fully, partly counts half, not yet and dropped count nothing.
    """

    total: int
    open: int
    done: int
    partly: int
    not_yet: int
    dropped: int

    @property
    def reviewed(self) -> int:
        return self.done + self.partly + self.not_yet + self.dropped

    @property
    def rate(self) -> int | None:
        """Whole percent, or None before anything was reviewed."""
        if not self.reviewed:
            return None
        # Half up, as people expect (62.5 % shows as 63 %), not Python's half-to-even.
        return math.floor(100 * (self.done + self.partly / 2) / self.reviewed + 0.5)


def completion_stats(statuses: list[str]) -> CompletionStats:
    counts = Counter(statuses)
    return CompletionStats(
        total=len(statuses),
        open=counts[Commitment.Status.OPEN],
        done=counts[Commitment.Status.DONE],
        partly=counts[Commitment.Status.PARTLY],
        not_yet=counts[Commitment.Status.NOT_YET],
        dropped=counts[Commitment.Status.DROPPED],
    )


def completion_by_member(*, relationship: Relationship) -> dict[int, CompletionStats]:
    """Each member's statuses only (what a manager may see)."""
    statuses: dict[int, list[str]] = {}
    for member_id, status in Commitment.objects.filter(relationship=relationship).values_list(
        "member_id", "status"
    ):
        statuses.setdefault(member_id, []).append(status)
    return {member_id: completion_stats(items) for member_id, items in statuses.items()}


# --- Facilitation (circles) -----------------------------------------------------------------


def has_facilitator(relationship: Relationship) -> bool:
    return relationship.kind == Relationship.Kind.CIRCLE


def facilitators_by_meeting(*, relationship: Relationship) -> dict[int, int | None]:
    """Who facilitates each meeting: the one set on it, else the agreement's rule.

    Rotation folds over the meetings in order, so a turn someone missed (apologies) or
    a facilitator set by hand counts exactly once.
    """
    agreement = agreement_for(relationship=relationship)
    members = members_of(relationship=relationship)
    meetings = list(
        Meeting.objects.filter(relationship=relationship)
        .exclude(status=Meeting.Status.CANCELLED)
        .order_by("starts_at", "pk")
    )
    apologies: dict[int, set[int]] = {}
    for meeting_id, member_id in Attendance.objects.filter(
        meeting__in=meetings, status=Attendance.Status.APOLOGIES
    ).values_list("meeting_id", "member_id"):
        apologies.setdefault(meeting_id, set()).add(member_id)
    counts: Counter[int] = Counter()
    chosen: dict[int, int | None] = {}
    for meeting in meetings:
        present = [
            m.pk
            for m in members
            if m.is_active or (m.left_at is not None and meeting.starts_at <= m.left_at)
        ]
        away = apologies.get(meeting.pk, set())
        pick: int | None
        if meeting.facilitator_id is not None:
            pick = meeting.facilitator_id
        elif (
            agreement.facilitation == Agreement.Facilitation.FIXED
            and agreement.fixed_facilitator_id in present
            and agreement.fixed_facilitator_id not in away
        ):
            pick = agreement.fixed_facilitator_id
        else:
            pick = rotation.next_facilitator(present, counts, away)
        if pick is not None:
            counts[pick] += 1
        chosen[meeting.pk] = pick
    return chosen


@dataclass
class FocusLine:
    member: RelationshipMember
    meetings_since_focus: int | None
    away: bool


@dataclass
class FacilitationView:
    facilitator: RelationshipMember | None
    set_by_hand: bool
    airtime_minutes: int
    present: int
    focus: list[FocusLine]


def facilitation_for(*, meeting: Meeting) -> FacilitationView:
    """The facilitator, an equal share of airtime, and who waited longest for focus time."""
    relationship = meeting.relationship
    members = {m.pk: m for m in members_of(relationship=relationship) if m.is_active}
    facilitator_id = facilitators_by_meeting(relationship=relationship).get(meeting.pk)
    away = set(
        Attendance.objects.filter(meeting=meeting, status=Attendance.Status.APOLOGIES).values_list(
            "member_id", flat=True
        )
    )
    present = [pk for pk in members if pk not in away]
    earlier = list(
        Meeting.objects.filter(
            relationship=relationship,
            status=Meeting.Status.HELD,
            starts_at__lt=meeting.starts_at,
        )
        .order_by("-starts_at")
        .values_list("pk", flat=True)[: max(len(members), 1)]
    )
    had: dict[int, set[int]] = {pk: set() for pk in earlier}
    for meeting_id, member_id in Attendance.objects.filter(
        meeting_id__in=earlier, had_focus=True
    ).values_list("meeting_id", "member_id"):
        had[meeting_id].add(member_id)
    order = rotation.focus_order(list(members), [had[pk] for pk in earlier])
    return FacilitationView(
        facilitator=members.get(facilitator_id) if facilitator_id else None,
        set_by_hand=meeting.facilitator_id is not None,
        airtime_minutes=rotation.airtime_minutes(meeting.duration_minutes, len(present)),
        present=len(present),
        focus=[
            FocusLine(
                member=members[turn.member],
                meetings_since_focus=turn.meetings_since_focus,
                away=turn.member in away,
            )
            for turn in order
        ],
    )


# --- Closing ---------------------------------------------------------------------------------


def closing_point(*, programme: Programme, today: date | None = None) -> str | None:
    """Which decision is open now: the programme's end, its checkpoint, or none."""
    today = today or timezone.localdate()
    if (
        programme.stage in (Stage.CLOSING, Stage.CLOSED)
        or today >= programme.end_date - END_CHOICE_OPENS_BEFORE
    ):
        return ClosingChoice.Point.END
    if programme.checkpoint_date is not None and today >= programme.checkpoint_date:
        return ClosingChoice.Point.CHECKPOINT
    return None


def closing_choices(*, relationship: Relationship, point: str) -> dict[int, ClosingChoice]:
    return {
        c.member_id: c for c in ClosingChoice.objects.filter(relationship=relationship, point=point)
    }
