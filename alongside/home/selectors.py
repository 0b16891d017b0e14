"""What each person's home page says is next: across every programme they are in.

A participant sees their next meeting, the actions they committed to, the surveys and
check-ins open to them and the decisions waiting (continue or close); a mentor sees their
mentees, their places and what to bring to each next meeting; an admin sees how far the
organisation's set-up has come. Programme managers' checklists live in progress.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Count, Prefetch, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from alongside.meetings.guides import mentor_guidance
from alongside.meetings.models import ClosingChoice, Commitment, Meeting
from alongside.meetings.selectors import (
    closing_point,
    facilitators_by_meeting,
    guide_for_meeting,
)
from alongside.organisations.models import Membership, Role
from alongside.people.models import Person
from alongside.programmes.models import (
    Enrolment,
    EnrolmentRole,
    EnrolmentStatus,
    Programme,
    Stage,
)
from alongside.relationships.models import Relationship, RelationshipMember
from alongside.scheduling.models import Schedule, ScheduleResponse
from alongside.surveys.models import Pulse, Response, Survey
from alongside.surveys.services import midpoint_is_open

# A meeting whose end passed this long ago without an outcome is no longer asked about.
OUTCOME_ASKED_FOR = timedelta(days=21)


def names_sentence(names: Sequence[str]) -> str:
    """ "Zoë", "Zoë and Ravi", "Zoë, Ravi and Meera": no stray commas."""
    names = list(names)
    if not names:
        return ""
    if len(names) == 1:
        return names[0]
    return _("%(names)s and %(last)s") % {"names": ", ".join(names[:-1]), "last": names[-1]}


@dataclass(frozen=True)
class NextStep:
    """One thing the person can do now, as a sentence and the page where they do it."""

    kind: str  # decide | survey | checkin | meeting_time | intake | outcome | action
    title: str
    detail: str
    url: str
    action: str
    programme: str = ""
    when: datetime | None = None


@dataclass(frozen=True)
class MenteeGuide:
    title: str
    tips: list[str]


@dataclass
class MyRelationship:
    relationship: Relationship
    me: RelationshipMember
    others: list[RelationshipMember]
    next_meeting: Meeting | None = None
    facilitates_next: bool = False
    guide: MenteeGuide | None = None  # a mentor's: the next meeting's guide and their tips

    @property
    def with_whom(self) -> str:
        return names_sentence([m.person.name for m in self.others if m.is_active])


@dataclass
class MentorPlace:
    """A mentor's enrolment: their places, their mentees and what to bring next time."""

    enrolment: Enrolment
    taken: int = 0
    mentees: list[MyRelationship] = field(default_factory=list)


@dataclass
class ParticipantHome:
    steps: list[NextStep] = field(default_factory=list)
    relationships: list[MyRelationship] = field(default_factory=list)
    upcoming: list[MyRelationship] = field(default_factory=list)
    mentor_places: list[MentorPlace] = field(default_factory=list)
    enrolments: list[Enrolment] = field(default_factory=list)

    @property
    def as_member(self) -> list[MyRelationship]:
        """Relationships not already shown under "your mentees"."""
        mentoring = {r.relationship.pk for place in self.mentor_places for r in place.mentees}
        return [r for r in self.relationships if r.relationship.pk not in mentoring]

    @property
    def is_empty(self) -> bool:
        return not (self.steps or self.relationships or self.enrolments)


def participant_home(
    *, membership: Membership, zone: ZoneInfo, now: datetime | None = None
) -> ParticipantHome:
    """Everything a participant can do next, across all their programmes."""
    now = now or timezone.now()
    slug = membership.organisation.slug
    home = ParticipantHome()
    home.enrolments = list(
        Enrolment.objects.filter(
            programme__organisation=membership.organisation,
            person__user=membership.user,
            status=EnrolmentStatus.ACTIVE,
        )
        .exclude(programme__stage=Stage.CLOSED)
        .select_related("programme", "intake")
        .order_by("programme__start_date", "pk")
    )
    mine = list(
        RelationshipMember.objects.filter(
            relationship__organisation=membership.organisation,
            relationship__status=Relationship.Status.ACTIVE,
            person__user=membership.user,
            is_active=True,
        )
        .select_related("relationship__programme", "enrolment")
        .prefetch_related(
            Prefetch(
                "relationship__members",
                queryset=RelationshipMember.objects.filter(is_active=True)
                .select_related("person")
                .order_by("-role", "person__name"),
            )
        )
        .order_by("relationship__programme__name", "relationship__name")
    )
    home.relationships = [
        MyRelationship(
            relationship=m.relationship,
            me=m,
            others=[o for o in m.relationship.members.all() if o.pk != m.pk],
        )
        for m in mine
    ]
    by_relationship = {r.relationship.pk: r for r in home.relationships}
    home.steps.extend(_decisions(home.relationships, slug))
    home.steps.extend(_surveys(home.enrolments, slug))
    home.steps.extend(_midpoint_checkins(home.relationships, slug))
    home.steps.extend(_meeting_times(home.relationships, slug))
    home.steps.extend(_intakes(home.enrolments, slug))
    _next_meetings(by_relationship, now)
    home.steps.extend(_outcomes_to_record(home.relationships, slug, zone, now))
    home.steps.extend(_open_actions(membership, by_relationship, slug))
    home.upcoming = sorted(
        (r for r in home.relationships if r.next_meeting is not None),
        key=lambda r: r.next_meeting.starts_at,  # type: ignore[union-attr]
    )
    home.mentor_places = _mentor_places(home.enrolments, home.relationships)
    _guide_mentors(home.mentor_places)
    return home


def _decisions(relationships: list[MyRelationship], slug: str) -> list[NextStep]:
    """The checkpoint or the end: each member chooses to continue or close."""
    points = {
        r.relationship.pk: closing_point(programme=r.relationship.programme) for r in relationships
    }
    open_points = {pk: p for pk, p in points.items() if p}
    if not open_points:
        return []
    made = set(
        ClosingChoice.objects.filter(
            member__in=[r.me for r in relationships if r.relationship.pk in open_points]
        ).values_list("relationship_id", "point")
    )
    steps = []
    for r in relationships:
        point = open_points.get(r.relationship.pk)
        if point is None or (r.relationship.pk, point) in made:
            continue
        steps.append(
            NextStep(
                "decide",
                _("Time to decide: continue or close %(name)s?") % {"name": r.relationship.name},
                _("Each of you chooses whether to carry on, with a short reflection.")
                if point == ClosingChoice.Point.CHECKPOINT
                else _("The programme is ending: choose whether to keep meeting."),
                reverse("meetings:closing", args=[slug, r.relationship.pk]),
                _("Make your choice"),
                r.relationship.programme.name,
            )
        )
    return steps


def _surveys(enrolments: list[Enrolment], slug: str) -> list[NextStep]:
    if not enrolments:
        return []
    open_surveys = list(
        Survey.objects.filter(
            programme__in=[e.programme_id for e in enrolments], status=Survey.Status.OPEN
        )
        .select_related("programme")
        .order_by("programme__name", "kind")
    )
    answered = set(
        Response.objects.filter(survey__in=open_surveys, enrolment__in=enrolments).values_list(
            "survey_id", flat=True
        )
    )
    return [
        NextStep(
            "survey",
            (
                _("The start survey of %(programme)s is open.")
                if survey.kind == Survey.Kind.START
                else _("The end survey of %(programme)s is open.")
            )
            % {"programme": survey.programme.name},
            _("A few minutes: how you rate yourself now, so the change can be measured."),
            reverse("surveys:fill", args=[slug, survey.pk]),
            _("Answer it"),
            survey.programme.name,
            survey.closes_at,
        )
        for survey in open_surveys
        if survey.pk not in answered
    ]


def _midpoint_checkins(relationships: list[MyRelationship], slug: str) -> list[NextStep]:
    if not relationships:
        return []
    answered = set(
        Pulse.objects.filter(
            member__in=[r.me for r in relationships], kind=Pulse.Kind.MIDPOINT
        ).values_list("member_id", flat=True)
    )
    open_for: dict[int, bool] = {}
    steps = []
    for r in relationships:
        programme = r.relationship.programme
        if programme.pk not in open_for:
            open_for[programme.pk] = midpoint_is_open(programme)
        if open_for[programme.pk] and r.me.pk not in answered:
            steps.append(
                NextStep(
                    "checkin",
                    _("Halfway check-in: how is %(name)s going?") % {"name": r.relationship.name},
                    _("One rating and anything in the way; only the programme's managers see it."),
                    reverse("surveys:mine", args=[slug]) + f"#checkin-{r.me.pk}",
                    _("Check in"),
                    programme.name,
                )
            )
    return steps


def _meeting_times(relationships: list[MyRelationship], slug: str) -> list[NextStep]:
    proposed = {
        s.relationship_id: s
        for s in Schedule.objects.filter(
            relationship__in=[r.relationship for r in relationships],
            status=Schedule.Status.PROPOSED,
        )
    }
    if not proposed:
        return []
    responded = set(
        ScheduleResponse.objects.filter(
            schedule__in=proposed.values(), member__in=[r.me for r in relationships]
        ).values_list("schedule_id", flat=True)
    )
    return [
        NextStep(
            "meeting_time",
            _("Agree a regular meeting time for %(name)s.") % {"name": r.relationship.name},
            _(
                "A time that suits everyone's availability is proposed; accept it or suggest "
                "another."
            ),
            reverse("meetings:relationship", args=[slug, r.relationship.pk]) + "#schedule",
            _("See the time"),
            r.relationship.programme.name,
        )
        for r in relationships
        if r.relationship.pk in proposed and proposed[r.relationship.pk].pk not in responded
    ]


def _intakes(enrolments: list[Enrolment], slug: str) -> list[NextStep]:
    return [
        NextStep(
            "intake",
            _("Tell %(programme)s what you want to develop and what you can offer.")
            % {"programme": e.programme.name},
            _("Your intake takes about five minutes and makes your match a good one."),
            reverse("programmes:intake", args=[slug, e.programme_id]),
            _("Continue your intake") if _started(e) else _("Start your intake"),
            e.programme.name,
        )
        for e in enrolments
        if not e.intake.is_complete
        and e.programme.stage in (Stage.DRAFT, Stage.ENROLLING, Stage.MATCHING)
    ]


def _started(enrolment: Enrolment) -> bool:
    intake = enrolment.intake
    return bool(intake.wants or intake.offers or intake.goals or intake.availability)


def _next_meetings(by_relationship: dict[int, MyRelationship], now: datetime) -> None:
    if not by_relationship:
        return
    for meeting in Meeting.objects.filter(
        relationship_id__in=by_relationship,
        status=Meeting.Status.SCHEDULED,
        starts_at__gte=now - timedelta(hours=3),
    ).order_by("starts_at", "pk"):
        mine = by_relationship[meeting.relationship_id]
        ends = meeting.starts_at + timedelta(minutes=meeting.duration_minutes)
        if mine.next_meeting is None and ends >= now:
            mine.next_meeting = meeting
    for mine in by_relationship.values():
        if mine.relationship.kind == Relationship.Kind.CIRCLE and mine.next_meeting:
            chosen = facilitators_by_meeting(relationship=mine.relationship)
            mine.facilitates_next = chosen.get(mine.next_meeting.pk) == mine.me.pk


def _outcomes_to_record(
    relationships: list[MyRelationship], slug: str, zone: ZoneInfo, now: datetime
) -> list[NextStep]:
    """Meetings that have ended without anyone saying whether they happened."""
    if not relationships:
        return []
    by_pk = {r.relationship.pk: r for r in relationships}
    steps = []
    for meeting in Meeting.objects.filter(
        relationship_id__in=by_pk,
        status=Meeting.Status.SCHEDULED,
        starts_at__lt=now,
        starts_at__gte=now - OUTCOME_ASKED_FOR,
    ).order_by("starts_at"):
        if meeting.starts_at + timedelta(minutes=meeting.duration_minutes) > now:
            continue
        r = by_pk[meeting.relationship_id]
        steps.append(
            NextStep(
                "outcome",
                _("Did meeting %(number)s of %(name)s take place?")
                % {"number": meeting.number, "name": r.relationship.name},
                _("It was on %(when)s. Say whether it happened and who came.")
                % {"when": date_format(meeting.starts_at.astimezone(zone), "D j M, H:i")},
                reverse("meetings:meeting", args=[slug, meeting.pk]),
                _("Record it"),
                r.relationship.programme.name,
                meeting.starts_at,
            )
        )
    return steps


def _open_actions(
    membership: Membership, by_relationship: dict[int, MyRelationship], slug: str
) -> list[NextStep]:
    if not by_relationship:
        return []
    steps = []
    for commitment in (
        Commitment.objects.filter(
            relationship_id__in=by_relationship,
            member__person__user=membership.user,
            status=Commitment.Status.OPEN,
        )
        .select_related("made_at")
        .order_by("due_date", "created_at")
    ):
        r = by_relationship[commitment.relationship_id]
        when = (
            _("due %(date)s") % {"date": date_format(commitment.due_date, "j M")}
            if commitment.due_date
            else _("no due date")
        )
        steps.append(
            NextStep(
                "action",
                _("Your action: %(text)s") % {"text": commitment.text},
                _(
                    "Committed at meeting %(number)s of %(name)s, %(when)s. The next meeting "
                    "opens by checking in on it."
                )
                % {"number": commitment.made_at.number, "name": r.relationship.name, "when": when},
                reverse("meetings:meeting", args=[slug, r.next_meeting.pk]) + "#check-in"
                if r.next_meeting
                else reverse("meetings:relationship", args=[slug, r.relationship.pk])
                + "#commitments-heading",
                _("Check in") if r.next_meeting else _("See your actions"),
                r.relationship.programme.name,
            )
        )
    return steps


def _mentor_places(
    enrolments: list[Enrolment], relationships: list[MyRelationship]
) -> list[MentorPlace]:
    places = [MentorPlace(enrolment=e) for e in enrolments if e.role == EnrolmentRole.MENTOR]
    for place in places:
        place.mentees = [r for r in relationships if r.me.enrolment_id == place.enrolment.pk]
        place.taken = sum(
            sum(1 for o in r.others if o.role != "mentor" and o.is_active) for r in place.mentees
        )
    return places


def _guide_mentors(places: list[MentorPlace]) -> None:
    """For each mentee relationship, the guide of its next meeting and the mentor's tips."""
    for place in places:
        for r in place.mentees:
            number = r.next_meeting.number if r.next_meeting else 1
            guide = guide_for_meeting(programme=r.relationship.programme, number=number)
            r.guide = MenteeGuide(guide.title, mentor_guidance(number))


# --- An admin's set-up of the organisation -----------------------------------------------


@dataclass(frozen=True)
class SetupStep:
    title: str
    detail: str
    url: str
    action: str
    done: bool


def organisation_setup(*, membership: Membership) -> list[SetupStep]:
    """The organisation's first steps, in order: people, sign-in, managers, a programme."""
    organisation = membership.organisation
    slug = organisation.slug
    people = Person.objects.filter(organisation=organisation, is_active=True).aggregate(
        total=Count("pk"), signed_up=Count("pk", filter=Q(user__isnull=False))
    )
    managers = Membership.objects.filter(
        organisation=organisation, role=Role.PROGRAMME_MANAGER
    ).count()
    programmes = Programme.objects.filter(organisation=organisation).count()
    return [
        SetupStep(
            _("Import your people"),
            _(
                "%(count)d people in the directory. Upload a CSV from your HR system; names, "
                "managers, departments and locations drive matching."
            )
            % {"count": people["total"]},
            reverse("people:import", args=[slug]),
            _("Import people"),
            people["total"] > 1,
        ),
        SetupStep(
            _("Choose how people sign in"),
            _("Passwords, single sign-on or email links: set it once for everyone."),
            reverse("organisations:settings", args=[slug]),
            _("Open the settings"),
            people["signed_up"] > 1,
        ),
        SetupStep(
            _("Grant programme managers"),
            _("Give the people who run programmes (HR, L&D) the programme manager role.")
            if not managers
            else _("%(count)d programme managers.") % {"count": managers},
            reverse("organisations:members", args=[slug]),
            _("Manage members"),
            managers > 0,
        ),
        SetupStep(
            _("Start the first programme"),
            _(
                "Pick a format (pairs, circles, 1:1 or group mentoring, buddies) and its "
                "defaults launch it in minutes."
            ),
            reverse("programmes:new", args=[slug]),
            _("New programme"),
            programmes > 0,
        ),
    ]


def programmes_to_show(*, programmes: Sequence[Programme]) -> list[Programme]:
    """Running and starting programmes first; closed ones are on the programmes page."""
    order = {
        s: n
        for n, s in enumerate(
            [Stage.CLOSING, Stage.MATCHING, Stage.ENROLLING, Stage.RUNNING, Stage.DRAFT]
        )
    }
    open_ones = [p for p in programmes if p.stage != Stage.CLOSED]
    return sorted(open_ones, key=lambda p: (order.get(Stage(p.stage), 9), p.start_date, p.pk))
