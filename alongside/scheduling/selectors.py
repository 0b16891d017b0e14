"""Reads for schedules and meeting times, always in the viewer's own time zone.

Who may see what: the relationship's members (current and former) and the programme's
managers (and the organisation's admins) see its schedule and meetings; only active
members change them. Anyone else gets a 404, as for another tenant's object.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from alongside.accounts.models import User
from alongside.core.errors import Forbidden, NotFound
from alongside.core.validators import is_time_zone
from alongside.meetings.models import Attendance, Meeting
from alongside.organisations.models import Membership, Organisation
from alongside.people.models import Person
from alongside.programmes.selectors import can_manage
from alongside.relationships.models import Relationship, RelationshipMember
from alongside.scheduling import slot_finder
from alongside.scheduling.models import CalendarFeed, Schedule
from alongside.scheduling.wording import describe_slot

ACT_FORBIDDEN = gettext_lazy(
    "Only the relationship's members can change its meetings; managers can look."
)


# --- Time zones ------------------------------------------------------------------------


def member_zone(member: RelationshipMember, organisation: Organisation) -> str:
    """The member's zone: their intake's, else their directory entry's, else the org's."""
    intake = getattr(member.enrolment, "intake", None)
    for name in (
        intake.timezone if intake is not None else "",
        member.person.timezone,
        organisation.default_time_zone,
    ):
        if name and is_time_zone(name):
            return name
    return "UTC"


def member_availability(member: RelationshipMember) -> str:
    intake = getattr(member.enrolment, "intake", None)
    return intake.availability if intake is not None else ""


def user_zone(*, user: User, organisation: Organisation) -> str:
    """A signed-in user's zone in an organisation (directory entry, else the org's)."""
    name = (
        Person.objects.filter(organisation=organisation, user=user)
        .values_list("timezone", flat=True)
        .first()
    )
    if name and is_time_zone(name):
        return name
    return organisation.default_time_zone if is_time_zone(organisation.default_time_zone) else "UTC"


def viewer_zone(
    *, organisation: Organisation, viewer_member: RelationshipMember | None, user: User | None
) -> str:
    if viewer_member is not None:
        return member_zone(viewer_member, organisation)
    if user is not None:
        return user_zone(user=user, organisation=organisation)
    return organisation.default_time_zone


def attendees_for(
    members: Sequence[RelationshipMember], organisation: Organisation
) -> list[slot_finder.Attendee]:
    return [
        slot_finder.Attendee(
            key=m.pk,
            name=m.person.name,
            timezone=member_zone(m, organisation),
            availability=member_availability(m),
        )
        for m in members
    ]


def active_members(relationship: Relationship) -> list[RelationshipMember]:
    return list(
        RelationshipMember.objects.filter(relationship=relationship, is_active=True)
        .select_related("person", "enrolment__intake")
        .order_by("-role", "person__name", "pk")
    )


# --- Access ----------------------------------------------------------------------------


def relationship_for_viewer(
    *, membership: Membership, relationship_id: int
) -> tuple[Relationship, RelationshipMember | None]:
    """The relationship and the caller's place in it (None for a manager looking on)."""
    relationship = (
        Relationship.objects.filter(pk=relationship_id, organisation=membership.organisation)
        .select_related("programme", "organisation")
        .first()
    )
    if relationship is None:
        raise NotFound(_("No such relationship."))
    member = (
        RelationshipMember.objects.filter(relationship=relationship, person__user=membership.user)
        .select_related("person", "enrolment__intake")
        .order_by("-is_active")
        .first()
    )
    if member is not None:
        member.relationship = relationship
        return relationship, member
    if can_manage(membership=membership, programme=relationship.programme):
        return relationship, None
    raise NotFound(_("No such relationship."))


def acting_member(
    *, membership: Membership, relationship_id: int
) -> tuple[Relationship, RelationshipMember]:
    """For writes: the caller must be an active member (a manager gets 403)."""
    relationship, member = relationship_for_viewer(
        membership=membership, relationship_id=relationship_id
    )
    if member is None or not member.is_active:
        raise Forbidden(str(ACT_FORBIDDEN))
    return relationship, member


def meeting_for_viewer(
    *, membership: Membership, meeting_id: int
) -> tuple[Meeting, RelationshipMember | None]:
    relationship_id = (
        Meeting.objects.filter(pk=meeting_id, organisation=membership.organisation)
        .values_list("relationship_id", flat=True)
        .first()
    )
    if relationship_id is None:
        raise NotFound(_("No such meeting."))
    relationship, member = relationship_for_viewer(
        membership=membership, relationship_id=relationship_id
    )
    meeting = Meeting.objects.get(pk=meeting_id)
    meeting.relationship = relationship
    return meeting, member


def acting_member_for_meeting(
    *, membership: Membership, meeting_id: int
) -> tuple[Meeting, RelationshipMember]:
    meeting, member = meeting_for_viewer(membership=membership, meeting_id=meeting_id)
    if member is None or not member.is_active:
        raise Forbidden(str(ACT_FORBIDDEN))
    return meeting, member


# --- Schedule --------------------------------------------------------------------------


@dataclass(frozen=True)
class LocalTime:
    """One person's view of a moment: who, their zone, their wall-clock time."""

    member_id: int
    name: str
    timezone: str
    at: datetime
    inside_hours: bool = True
    is_viewer: bool = False
    accepted: bool = False


def schedule_of(relationship: Relationship) -> Schedule | None:
    return Schedule.objects.filter(relationship=relationship).first()


def schedule_fit(schedule: Schedule, members: Sequence[RelationshipMember]) -> slot_finder.Fit:
    """Who can make the schedule's slot and where clock changes move it (recomputed)."""
    organisation = schedule.relationship.organisation
    today = timezone.localdate(timezone.now(), slot_finder.zone(schedule.timezone))
    return slot_finder.evaluate(
        slot=slot_finder.Slot(schedule.weekday, schedule.start_time, schedule.timezone),
        attendees=attendees_for(members, organisation),
        rhythm=schedule.rhythm,
        duration_minutes=schedule.duration_minutes,
        start=max(schedule.first_date, today),
        until=max(schedule.until, schedule.first_date),
    )


def _next_start(schedule: Schedule) -> datetime:
    slot = slot_finder.Slot(schedule.weekday, schedule.start_time, schedule.timezone)
    today = timezone.localdate(timezone.now(), slot_finder.zone(schedule.timezone))
    day = slot_finder.first_on_or_after(max(schedule.first_date, today), schedule.weekday)
    return slot_finder.starts_at(slot, day)


def schedule_panel_context(
    *,
    relationship: Relationship,
    viewer_member: RelationshipMember | None,
    user: User | None = None,
) -> dict[str, Any]:
    """Context for ``scheduling/_schedule_panel.html``: the slot in the viewer's own zone."""
    organisation = relationship.organisation
    zone_name = viewer_zone(organisation=organisation, viewer_member=viewer_member, user=user)
    schedule = schedule_of(relationship)
    members = active_members(relationship)
    can_act = (
        viewer_member is not None
        and viewer_member.is_active
        and relationship.status == Relationship.Status.ACTIVE
    )
    context: dict[str, Any] = {
        "relationship": relationship,
        "schedule": schedule,
        "viewer_member": viewer_member,
        "viewer_zone": zone_name,
        "can_act": can_act,
        "weekdays": sorted(WEEKDAYS.items()),
    }
    if schedule is None:
        return context
    schedule.relationship = relationship
    fit = schedule_fit(schedule, members)
    moment = _next_start(schedule)
    cannot = {a.key for a in fit.cannot}
    accepted = set(schedule.responses.filter(accepted=True).values_list("member_id", flat=True))
    local_times = [
        LocalTime(
            member_id=m.pk,
            name=m.person.name,
            timezone=member_zone(m, organisation),
            at=moment.astimezone(slot_finder.zone(member_zone(m, organisation))),
            inside_hours=m.pk not in cannot,
            is_viewer=viewer_member is not None and m.pk == viewer_member.pk,
            accepted=m.pk in accepted,
        )
        for m in members
    ]
    mine = moment.astimezone(slot_finder.zone(zone_name))
    upcoming = upcoming_meetings(relationship=relationship, zone_name=zone_name)
    # Once confirmed, "next" is the next meeting actually laid out (a monthly rhythm
    # skips weeks, and a moved meeting keeps its new time), not the slot's next weekday.
    next_start = (
        upcoming[0]["local_start"]
        if upcoming and schedule.status == Schedule.Status.CONFIRMED
        else mine
    )
    context.update(
        {
            "fit": fit,
            "my_start": next_start,
            "my_end": next_start + timedelta(minutes=schedule.duration_minutes),
            "when": describe_slot(
                slot_finder.Slot(
                    next_start.weekday(), next_start.time().replace(tzinfo=None), zone_name
                ),
                schedule.rhythm,
                next_start.date(),
            ),
            "local_times": local_times,
            "waiting_for": [m.person.name for m in members if m.pk not in accepted],
            "i_accepted": viewer_member is not None and viewer_member.pk in accepted,
            "my_shifts": [
                s for s in fit.shifts if viewer_member is not None and s.key == viewer_member.pk
            ],
            "upcoming": upcoming,
        }
    )
    return context


def upcoming_meetings(
    *, relationship: Relationship, zone_name: str, limit: int = 3
) -> list[dict[str, Any]]:
    tz = slot_finder.zone(zone_name)
    return [
        {"meeting": m, "local_start": m.starts_at.astimezone(tz)}
        for m in Meeting.objects.filter(
            relationship=relationship,
            status=Meeting.Status.SCHEDULED,
            starts_at__gt=timezone.now(),
        ).order_by("starts_at")[:limit]
    ]


# --- Meetings --------------------------------------------------------------------------


def meetings_of(*, relationship: Relationship) -> QuerySet[Meeting]:
    return (
        Meeting.objects.filter(relationship=relationship)
        .prefetch_related(
            Prefetch(
                "attendance",
                queryset=Attendance.objects.select_related("member__person").order_by(
                    "member__person__name"
                ),
            )
        )
        .order_by("starts_at", "pk")
    )


def meeting_actions_context(
    *,
    meeting: Meeting,
    viewer_member: RelationshipMember | None,
    user: User | None = None,
    zone_name: str | None = None,
) -> dict[str, Any]:
    """Context for ``scheduling/_meeting_actions.html``: reschedule, cancel, outcome.

    Lists pass ``zone_name`` and meetings from :func:`meetings_of` (attendance
    prefetched) so that each meeting costs no further query.
    """
    relationship = meeting.relationship
    zone_name = zone_name or viewer_zone(
        organisation=relationship.organisation, viewer_member=viewer_member, user=user
    )
    tz = slot_finder.zone(zone_name)
    now = timezone.now()
    can_act = (
        viewer_member is not None
        and viewer_member.is_active
        and relationship.status == Relationship.Status.ACTIVE
    )
    if "attendance" in getattr(meeting, "_prefetched_objects_cache", {}):
        attendance = list(meeting.attendance.all())
    else:
        attendance = list(
            Attendance.objects.filter(meeting=meeting)
            .select_related("member__person")
            .order_by("member__person__name")
        )
    local = meeting.starts_at.astimezone(tz)
    return {
        "meeting": meeting,
        "viewer_zone": zone_name,
        "local_start": local,
        "local_end": local + timedelta(minutes=meeting.duration_minutes),
        "can_act": can_act,
        "can_move": can_act and meeting.status == Meeting.Status.SCHEDULED,
        "can_record": can_act
        and meeting.status != Meeting.Status.CANCELLED
        and meeting.starts_at <= now,
        "can_send_apologies": can_act
        and meeting.status == Meeting.Status.SCHEDULED
        and meeting.starts_at > now,
        "attendance_rows": attendance,
        "my_attendance": next(
            (
                a
                for a in attendance
                if viewer_member is not None and a.member_id == viewer_member.pk
            ),
            None,
        ),
        "attendance_choices": [
            (Attendance.Status.ATTENDED, _("Attended")),
            (Attendance.Status.APOLOGIES, _("Sent apologies")),
            (Attendance.Status.MISSED, _("Missed")),
        ],
        "local_value": local.strftime("%Y-%m-%dT%H:%M"),
    }


# --- Calendar feed ---------------------------------------------------------------------


def feed_by_token(token: str) -> CalendarFeed | None:
    if not token or len(token) > 64:
        return None
    return CalendarFeed.objects.filter(token=token).select_related("user", "organisation").first()


def meetings_for_feed(*, user: User, organisation: Organisation) -> QuerySet[Meeting]:
    """Every meeting of the user's relationships in the organisation (from a year back)."""
    since = timezone.now() - timedelta(days=366)
    return (
        Meeting.objects.filter(
            organisation=organisation,
            attendance__member__person__user=user,
            starts_at__gte=since,
        )
        .select_related(
            "relationship__programme", "relationship__organisation", "relationship__video"
        )
        .distinct()
        .order_by("starts_at")
    )


def date_in_zone(moment: datetime, zone_name: str) -> date:
    return moment.astimezone(slot_finder.zone(zone_name)).date()
