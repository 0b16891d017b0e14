"""The built-in nudge sources: set-based reads of what is due now.

Each finder runs a fixed handful of queries whatever the size of the programmes, and
returns plain :class:`DueEvent` data. ``person_recipient`` and ``manager_recipients``
are there for sources in other apps too.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery
from django.urls import reverse
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy

from alongside.core.formatting import lazy_date, lazy_interpolate
from alongside.meetings.models import Commitment, Meeting
from alongside.nudges.events import DueEvent, Recipient
from alongside.organisations.models import Membership, Organisation, Role
from alongside.people.models import Person
from alongside.programmes.models import Enrolment, EnrolmentStatus, Programme, Rhythm, Stage
from alongside.relationships.models import Relationship, RelationshipMember

RHYTHM_DAYS: dict[str, int] = {Rhythm.WEEKLY: 7, Rhythm.FORTNIGHTLY: 14, Rhythm.MONTHLY: 31}
INTAKE_GRACE = timedelta(days=3)
FIRST_MEETING_GRACE = timedelta(days=14)
ENDING_NOTICE = timedelta(days=14)


def person_recipient(person: Person, organisation: Organisation) -> Recipient:
    """A directory person as a recipient, in their own zone or else their organisation's."""
    return Recipient(
        email=person.email.lower(),
        name=person.name,
        timezone=person.timezone or organisation.default_time_zone,
        person_id=person.pk,
        user_id=person.user_id,
    )


def manager_recipients(programmes: Iterable[Programme]) -> dict[int, list[Recipient]]:
    """Each programme's managers (or, for a programme with none, its organisation's admins)."""
    programmes = list(programmes)
    through = Programme.managers.through
    links = through.objects.filter(programme_id__in=[p.pk for p in programmes]).select_related(
        "user"
    )
    users_by_programme: dict[int, list] = defaultdict(list)
    for link in links:
        if link.user.is_active:
            users_by_programme[link.programme_id].append(link.user)
    orphans = {p.organisation_id for p in programmes if not users_by_programme[p.pk]}
    admins: dict[int, list] = defaultdict(list)
    for membership in Membership.objects.filter(
        organisation_id__in=orphans, role=Role.ADMIN, user__is_active=True
    ).select_related("user"):
        admins[membership.organisation_id].append(membership.user)
    zones = {
        (row["user_id"], row["organisation_id"]): row["timezone"]
        for row in Person.objects.filter(
            organisation_id__in={p.organisation_id for p in programmes}, user__isnull=False
        )
        .exclude(timezone="")
        .values("user_id", "organisation_id", "timezone")
    }
    result: dict[int, list[Recipient]] = {}
    for programme in programmes:
        users = users_by_programme[programme.pk] or admins[programme.organisation_id]
        result[programme.pk] = [
            Recipient(
                email=user.email.lower(),
                name=user.full_name or user.email,
                timezone=zones.get(
                    (user.pk, programme.organisation_id),
                    programme.organisation.default_time_zone,
                ),
                user_id=user.pk,
            )
            for user in users
        ]
    return result


def _members_of(
    relationships: QuerySet[Relationship] | list[int],
) -> dict[int, list[Recipient]]:
    """Active members of the given relationships, by relationship id, in one query."""
    ids = relationships.values("pk") if isinstance(relationships, QuerySet) else relationships
    members = RelationshipMember.objects.filter(
        relationship_id__in=ids, is_active=True, person__is_active=True
    ).select_related("person", "relationship__organisation")
    result: dict[int, list[Recipient]] = defaultdict(list)
    for member in members:
        result[member.relationship_id].append(
            person_recipient(member.person, member.relationship.organisation)
        )
    return result


def _programme_link(name: str, programme: Programme) -> str:
    return reverse(name, args=[programme.organisation.slug, programme.pk])


def _mentoring_link(programme: Programme) -> str:
    return reverse("meetings:mine", args=[programme.organisation.slug])


def _relationship_link(relationship: Relationship) -> str:
    return reverse(
        "meetings:relationship", args=[relationship.programme.organisation.slug, relationship.pk]
    )


def intake_overdue(now: datetime) -> Iterator[DueEvent]:
    enrolments = (
        Enrolment.objects.filter(
            status=EnrolmentStatus.ACTIVE,
            enrolled_at__lte=now - INTAKE_GRACE,
            programme__stage__in=[Stage.ENROLLING, Stage.MATCHING],
            person__is_active=True,
        )
        .filter(Q(intake__isnull=True) | Q(intake__completed_at__isnull=True))
        .select_related("person", "programme__organisation")
    )
    for enrolment in enrolments:
        programme = enrolment.programme
        yield DueEvent(
            event_key=f"enrolment={enrolment.pk}",
            organisation_id=programme.organisation_id,
            programme_id=programme.pk,
            recipients=(person_recipient(enrolment.person, programme.organisation),),
            subject=lazy_interpolate(
                gettext_lazy("Your intake for %(programme)s is not done yet"),
                {"programme": programme.name},
            ),
            message=lazy_interpolate(
                gettext_lazy(
                    "%(programme)s matches people from their intake: what you want to "
                    "develop and what you can offer. Yours is not finished yet, and it "
                    "takes about five minutes."
                ),
                {"programme": programme.name},
            ),
            action_label=gettext_lazy("Fill in your intake"),
            link=_programme_link("programmes:intake", programme),
        )


def first_meeting_overdue(now: datetime) -> Iterator[DueEvent]:
    held = Meeting.objects.filter(relationship=OuterRef("pk"), status=Meeting.Status.HELD)
    relationships = Relationship.objects.filter(
        status=Relationship.Status.ACTIVE,
        programme__stage=Stage.RUNNING,
        started_at__lte=now - FIRST_MEETING_GRACE,
    ).filter(~Exists(held))
    members = _members_of(relationships)
    for relationship in relationships.select_related("programme__organisation"):
        programme = relationship.programme
        if not members[relationship.pk]:
            continue
        yield DueEvent(
            event_key=f"relationship={relationship.pk}",
            organisation_id=programme.organisation_id,
            programme_id=programme.pk,
            recipients=tuple(members[relationship.pk]),
            subject=lazy_interpolate(
                gettext_lazy("Time for your first meeting in %(programme)s"),
                {"programme": programme.name},
            ),
            message=lazy_interpolate(
                gettext_lazy(
                    "You were matched in %(programme)s on %(date)s and have not met yet. "
                    "A first meeting sets the tone: pick a time that suits you all."
                ),
                {"programme": programme.name, "date": lazy_date(relationship.started_at, "j F")},
            ),
            action_label=gettext_lazy("Plan your first meeting"),
            link=_relationship_link(relationship),
            quick_action=f"pick_time:{relationship.pk}",
        )


def meeting_tomorrow(now: datetime) -> Iterator[DueEvent]:
    meetings = Meeting.objects.filter(
        status=Meeting.Status.SCHEDULED,
        starts_at__gt=now,
        starts_at__lte=now + timedelta(days=1),
        relationship__status=Relationship.Status.ACTIVE,
    )
    members = _members_of(list(meetings.values_list("relationship_id", flat=True).distinct()))
    for meeting in meetings.select_related("relationship__programme__organisation"):
        programme = meeting.relationship.programme
        if not members[meeting.relationship_id]:
            continue
        # A moved meeting is a new event: its members hear about the new time too.
        at = meeting.starts_at.astimezone(UTC)
        yield DueEvent(
            event_key=f"meeting={meeting.pk}:at={at:%Y%m%dT%H%M}",
            organisation_id=programme.organisation_id,
            programme_id=programme.pk,
            recipients=tuple(members[meeting.relationship_id]),
            subject=lazy_interpolate(
                gettext_lazy("Your %(programme)s meeting is tomorrow"),
                {"programme": programme.name},
            ),
            message=lazy_interpolate(
                gettext_lazy(
                    "Meeting %(number)s of %(relationship)s is coming up. Bring the "
                    "commitment you made last time: the meeting opens by checking in on it."
                ),
                {"number": meeting.number, "relationship": meeting.relationship.name},
            ),
            action_label=gettext_lazy("Open the meeting"),
            link=reverse("meetings:meeting", args=[programme.organisation.slug, meeting.pk]),
            event_at=meeting.starts_at,
        )


def commitment_due(now: datetime) -> Iterator[DueEvent]:
    today = now.date()
    commitments = Commitment.objects.filter(
        status=Commitment.Status.OPEN,
        due_date__gte=today,
        due_date__lte=today + timedelta(days=1),
        member__is_active=True,
        member__person__is_active=True,
        relationship__status=Relationship.Status.ACTIVE,
    ).select_related("member__person", "relationship__programme__organisation")
    for commitment in commitments:
        programme = commitment.relationship.programme
        yield DueEvent(
            event_key=f"commitment={commitment.pk}:due={commitment.due_date}",
            organisation_id=programme.organisation_id,
            programme_id=programme.pk,
            recipients=(person_recipient(commitment.member.person, programme.organisation),),
            subject=lazy_interpolate(
                gettext_lazy("Your commitment is due %(date)s"),
                {"date": lazy_date(commitment.due_date, "j F")},
            ),
            message=lazy_interpolate(
                gettext_lazy("You committed to: “%(commitment)s”. How is it going?"),
                {"commitment": commitment.text},
            ),
            action_label=gettext_lazy("Review your commitment"),
            link=_relationship_link(commitment.relationship),
            quick_action=f"commitment_done:{commitment.pk}",
        )


def _quiet_relationships(now: datetime, periods: int) -> list[tuple[Relationship, datetime]]:
    """Active relationships that have not met for ``periods`` periods of their rhythm.

    The clock starts at the last meeting held, or at matching when there was none. A
    meeting in the diary does not stop it: recurring schedules always have the next one
    there, and a relationship that keeps missing them is exactly the one to nudge.
    """
    last_held = (
        Meeting.objects.filter(relationship=OuterRef("pk"), status=Meeting.Status.HELD)
        .order_by("-starts_at")
        .values("starts_at")[:1]
    )
    shortest = now - timedelta(days=min(RHYTHM_DAYS.values()) * periods)
    relationships = (
        Relationship.objects.filter(
            status=Relationship.Status.ACTIVE, programme__stage=Stage.RUNNING
        )
        .annotate(last_held=Subquery(last_held), schedule_rhythm=F("schedule__rhythm"))
        .filter(Q(last_held__lte=shortest) | Q(last_held__isnull=True, started_at__lte=shortest))
        .select_related("programme__organisation")
    )
    quiet: list[tuple[Relationship, datetime]] = []
    for relationship in relationships:
        rhythm = str(relationship.schedule_rhythm or relationship.programme.rhythm)
        days = RHYTHM_DAYS.get(rhythm, RHYTHM_DAYS[Rhythm.MONTHLY])
        since: datetime = relationship.last_held or relationship.started_at
        if since <= now - timedelta(days=days * periods):
            quiet.append((relationship, since))
    return quiet


def quiet_for_one_period(now: datetime) -> Iterator[DueEvent]:
    # Before the first meeting, "No first meeting yet" speaks to the members instead.
    quiet = [
        (r, since)
        for r, since in _quiet_relationships(now, 1)
        if r.last_held is not None  # type: ignore[attr-defined]
    ]
    members = _members_of([r.pk for r, _since in quiet])
    for relationship, since in quiet:
        programme = relationship.programme
        if not members[relationship.pk]:
            continue
        yield DueEvent(
            event_key=f"relationship={relationship.pk}:since={since.astimezone(UTC):%Y%m%d}",
            organisation_id=programme.organisation_id,
            programme_id=programme.pk,
            recipients=tuple(members[relationship.pk]),
            subject=lazy_interpolate(
                gettext_lazy("It has been a while since %(relationship)s met"),
                {"relationship": relationship.name},
            ),
            message=lazy_interpolate(
                gettext_lazy(
                    "Your last meeting in %(programme)s was on %(date)s. Consistency "
                    "matters more than frequency: put the next one in the diary."
                ),
                {"programme": programme.name, "date": lazy_date(since, "j F")},
            ),
            action_label=gettext_lazy("Plan the next meeting"),
            link=_relationship_link(relationship),
            quick_action=f"pick_time:{relationship.pk}",
        )


def quiet_for_two_periods(now: datetime) -> Iterator[DueEvent]:
    quiet = _quiet_relationships(now, 2)
    managers = manager_recipients({r.programme_id: r.programme for r, _s in quiet}.values())
    for relationship, since in quiet:
        programme = relationship.programme
        if not managers[programme.pk]:
            continue
        if relationship.last_held:  # type: ignore[attr-defined]
            wording = gettext_lazy(
                "%(relationship)s last met on %(date)s and has nothing scheduled: two "
                "periods of the %(rhythm)s rhythm without a meeting. A word from you may "
                "get them going again."
            )
        else:
            wording = gettext_lazy(
                "%(relationship)s was matched on %(date)s and has nothing scheduled: two "
                "periods of the %(rhythm)s rhythm without a meeting. A word from you may "
                "get them going again."
            )
        yield DueEvent(
            event_key=f"relationship={relationship.pk}:since={since.astimezone(UTC):%Y%m%d}",
            organisation_id=programme.organisation_id,
            programme_id=programme.pk,
            recipients=tuple(managers[programme.pk]),
            subject=lazy_interpolate(
                gettext_lazy("%(relationship)s in %(programme)s has gone quiet"),
                {"relationship": relationship.name, "programme": programme.name},
            ),
            message=lazy_interpolate(
                wording,
                {
                    "relationship": relationship.name,
                    "date": lazy_date(since, "j F"),
                    "rhythm": lazy(lambda p=programme: p.get_rhythm_display().lower(), str)(),
                },
            ),
            action_label=gettext_lazy("See the programme's relationships"),
            link=_programme_link("matches:relationships", programme),
        )


def programme_ending(now: datetime) -> Iterator[DueEvent]:
    today = now.date()
    programmes = Programme.objects.filter(
        stage__in=[Stage.RUNNING, Stage.CLOSING],
        end_date__gt=today,
        end_date__lte=today + ENDING_NOTICE,
    ).select_related("organisation")
    people: dict[int, list[Recipient]] = defaultdict(list)
    by_id = {p.pk: p for p in programmes}
    for enrolment in Enrolment.objects.filter(
        programme_id__in=list(by_id), status=EnrolmentStatus.ACTIVE, person__is_active=True
    ).select_related("person"):
        programme = by_id[enrolment.programme_id]
        people[programme.pk].append(person_recipient(enrolment.person, programme.organisation))
    for programme in by_id.values():
        if not people[programme.pk]:
            continue
        yield DueEvent(
            event_key=f"programme={programme.pk}:ends={programme.end_date}",
            organisation_id=programme.organisation_id,
            programme_id=programme.pk,
            recipients=tuple(people[programme.pk]),
            subject=lazy_interpolate(
                gettext_lazy("%(programme)s ends on %(date)s"),
                {"programme": programme.name, "date": lazy_date(programme.end_date, "j F")},
            ),
            message=lazy_interpolate(
                gettext_lazy(
                    "%(programme)s has two weeks to go. Use your last meetings to look "
                    "back at your goals, and decide together whether to carry on "
                    "afterwards."
                ),
                {"programme": programme.name},
            ),
            action_label=gettext_lazy("Open your mentoring"),
            link=_mentoring_link(programme),
        )
