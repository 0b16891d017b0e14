"""Writes for schedules and meeting times: propose, accept, reschedule, cancel, log, attend.

Only the relationship's active members change its meetings (the views and API check
that with :func:`alongside.scheduling.selectors.acting_member`); every change that
a calendar already knows about raises the meeting's iCalendar SEQUENCE, and the invite
for that sequence is emailed exactly once (see ``invite_services``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alongside.accounts.models import User
from alongside.audit.services import log_action
from alongside.core.errors import AlongsideError
from alongside.core.events import emit
from alongside.core.validators import is_time_zone
from alongside.meetings.events import MeetingCancelled, MeetingHeld, MeetingMissed
from alongside.meetings.models import Attendance, Meeting
from alongside.meetings.services import agreement_rhythm_agreed
from alongside.organisations.models import Organisation
from alongside.programmes.models import Programme
from alongside.relationships.models import Relationship, RelationshipMember
from alongside.scheduling import slot_finder
from alongside.scheduling.invite_services import (
    dispatch_after_commit,
    meeting_invites_send_to_member,
)
from alongside.scheduling.models import Schedule, ScheduleResponse
from alongside.scheduling.selectors import active_members, attendees_for, member_zone

#: The first proposed meeting is at least this long after the relationship starts.
LEAD_TIME = timedelta(days=3)
OUTCOMES = (Meeting.Status.HELD, Meeting.Status.MISSED)
ATTENDANCE_CHOICES = (
    Attendance.Status.ATTENDED,
    Attendance.Status.MISSED,
    Attendance.Status.APOLOGIES,
)


# --- Proposing helpers ----------------------------------------------------------------


def _duration(programme: Programme) -> int:
    return max(15, min(480, programme.session_minutes or 45))


def _rhythm(programme: Programme) -> str:
    return programme.rhythm if programme.rhythm in slot_finder.RHYTHMS else "monthly"


def _earliest_start(programme: Programme, organisation: Organisation, after: datetime) -> date:
    local = timezone.localtime(after + LEAD_TIME, slot_finder.zone(organisation.default_time_zone))
    return max(programme.start_date, local.date())


# --- Proposing -------------------------------------------------------------------------


def schedules_propose(*, relationships: Sequence[Relationship]) -> list[Schedule]:
    """Propose a recurring slot for each new relationship (bulk: a few queries in all).

    Call it inside the transaction that creates the relationships; relationships that
    already have a schedule are left alone. Only the few member fields the scheduler
    needs are read, so publishing thousands of relationships stays quick.
    """
    if not relationships:
        return []
    ids = [r.pk for r in relationships]
    existing: set[int] = set()
    people_of: dict[int, list[tuple[int, str, str, str, str]]] = defaultdict(list)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        existing.update(
            Schedule.objects.filter(relationship_id__in=chunk).values_list(
                "relationship_id", flat=True
            )
        )
        for relationship_id, *person in (
            RelationshipMember.objects.filter(relationship_id__in=chunk, is_active=True)
            .order_by("-role", "person__name", "pk")
            .values_list(
                "relationship_id",
                "pk",
                "person__name",
                "enrolment__intake__timezone",
                "person__timezone",
                "enrolment__intake__availability",
            )
        ):
            people_of[relationship_id].append(tuple(person))  # type: ignore[arg-type]
    organisations: dict[int, Organisation] = {}
    schedules = []
    for relationship in relationships:
        if relationship.pk in existing or not people_of[relationship.pk]:
            continue
        programme = relationship.programme
        organisation = organisations.setdefault(programme.organisation_id, programme.organisation)
        attendees = [
            slot_finder.Attendee(
                key=pk,
                name=name,
                timezone=_first_zone(intake_zone, person_zone, organisation),
                availability=availability or "",
            )
            for pk, name, intake_zone, person_zone, availability in people_of[relationship.pk]
        ]
        schedules.append(_proposal(relationship, attendees, organisation))
    return Schedule.objects.bulk_create(schedules, batch_size=500)


def _first_zone(intake_zone: str | None, person_zone: str, organisation: Organisation) -> str:
    """As :func:`member_zone`, from plain values."""
    for name in (intake_zone or "", person_zone, organisation.default_time_zone):
        if name and is_time_zone(name):
            return name
    return "UTC"


def _proposal(
    relationship: Relationship,
    attendees: Sequence[slot_finder.Attendee],
    organisation: Organisation,
) -> Schedule:
    programme = relationship.programme
    start = _earliest_start(programme, organisation, relationship.started_at)
    fit = slot_finder.propose(
        attendees=attendees,
        rhythm=_rhythm(programme),
        duration_minutes=_duration(programme),
        start=start,
        until=programme.end_date,
        preferred_zone=organisation.default_time_zone,
    )
    return Schedule(
        relationship=relationship,
        status=Schedule.Status.PROPOSED,
        weekday=fit.slot.weekday,
        start_time=fit.slot.start,
        timezone=fit.slot.timezone,
        rhythm=fit.rhythm,
        duration_minutes=fit.duration_minutes,
        first_date=fit.dates[0] if fit.dates else start,
        until=programme.end_date,
        has_overlap=fit.has_overlap,
        explanation=fit.explanation(),
    )


def schedule_ensure(*, relationship: Relationship) -> Schedule:
    """The relationship's schedule, proposing one first if it has none yet."""
    schedule = Schedule.objects.filter(relationship=relationship).first()
    if schedule is None:
        created = schedules_propose(relationships=[relationship])
        schedule = created[0] if created else Schedule.objects.get(relationship=relationship)
    return schedule


def _check_can_act(
    schedule_or_relationship: Schedule | Relationship, member: RelationshipMember
) -> None:
    relationship = (
        schedule_or_relationship.relationship
        if isinstance(schedule_or_relationship, Schedule)
        else schedule_or_relationship
    )
    if member.relationship_id != relationship.pk or not member.is_active:
        raise AlongsideError(
            _("Only the relationship's members can change its meetings."),
            code="forbidden",
            status=403,
        )
    if relationship.status != Relationship.Status.ACTIVE:
        raise AlongsideError(
            _("%(relationship)s is %(lower)s; its meetings can no longer be changed.")
            % {
                "relationship": relationship.name,
                "lower": relationship.get_status_display().lower(),
            },
            code="inactive",
        )


@transaction.atomic
def schedule_accept(*, schedule: Schedule, member: RelationshipMember, actor: User) -> Schedule:
    """The member accepts the proposed slot; when everyone has, it is confirmed."""
    schedule = (
        Schedule.objects.select_for_update()
        .select_related("relationship__programme__organisation")
        .get(pk=schedule.pk)
    )
    _check_can_act(schedule, member)
    if schedule.status == Schedule.Status.CONFIRMED:
        return schedule  # accepting twice changes nothing
    ScheduleResponse.objects.update_or_create(
        schedule=schedule,
        member=member,
        defaults={"accepted": True, "responded_at": timezone.now()},
    )
    log_action(
        actor=actor,
        organisation=schedule.relationship.organisation,
        action="schedule.accepted",
        target=schedule.relationship,
        data={"member": member.pk},
    )
    _confirm_if_everyone_accepted(schedule, actor)
    return schedule


def _confirm_if_everyone_accepted(schedule: Schedule, actor: User | None) -> None:
    active = set(
        RelationshipMember.objects.filter(
            relationship_id=schedule.relationship_id, is_active=True
        ).values_list("pk", flat=True)
    )
    accepted = set(
        ScheduleResponse.objects.filter(schedule=schedule, accepted=True).values_list(
            "member_id", flat=True
        )
    )
    if active and active <= accepted:
        _confirm(schedule, actor)


def _parse_time(value: str | time) -> time:
    if isinstance(value, time):
        return value.replace(second=0, microsecond=0, tzinfo=None)
    try:
        hours, minutes = (int(part) for part in value.strip().split(":"))
        return time(hours, minutes)
    except ValueError as error:
        raise AlongsideError(
            _("Could not read the time '%(value)s': use 24-hour HH:MM, e.g. 14:30.")
            % {"value": value},
            code="invalid_time",
        ) from error


@transaction.atomic
def schedule_propose_slot(
    *,
    schedule: Schedule,
    member: RelationshipMember,
    actor: User,
    weekday: int,
    start_time: str | time,
    timezone_name: str = "",
) -> Schedule:
    """Propose another recurring slot (in the proposer's zone unless told otherwise).

    Everyone else's answers are reset; the proposer has accepted their own proposal.
    A confirmed schedule's meetings stay as they are until everyone accepts the new slot.
    """
    schedule = (
        Schedule.objects.select_for_update()
        .select_related("relationship__programme__organisation")
        .get(pk=schedule.pk)
    )
    _check_can_act(schedule, member)
    relationship = schedule.relationship
    organisation = relationship.organisation
    if not isinstance(weekday, int) or not 0 <= weekday <= 6:
        raise AlongsideError(_("The weekday is 0 (Monday) to 6 (Sunday)."), code="invalid_weekday")
    at = _parse_time(start_time)
    members = active_members(relationship)
    me = next((m for m in members if m.pk == member.pk), member)
    zone_name = (timezone_name or "").strip() or member_zone(me, organisation)
    if not is_time_zone(zone_name):
        raise AlongsideError(
            _("%(zone_name)s is not a known time zone (e.g. Asia/Kolkata, Europe/London).")
            % {"zone_name": zone_name},
            code="invalid_timezone",
        )
    programme = relationship.programme
    start = _earliest_start(programme, organisation, timezone.now())
    fit = slot_finder.evaluate(
        slot=slot_finder.Slot(weekday, at, zone_name),
        attendees=attendees_for(members, organisation),
        rhythm=_rhythm(programme),
        duration_minutes=_duration(programme),
        start=start,
        until=programme.end_date,
    )
    if not fit.dates:
        raise AlongsideError(
            _("The programme ends before that slot could first take place."), code="too_late"
        )
    schedule.status = Schedule.Status.PROPOSED
    schedule.weekday, schedule.start_time, schedule.timezone = weekday, at, zone_name
    schedule.rhythm, schedule.duration_minutes = fit.rhythm, fit.duration_minutes
    schedule.first_date, schedule.until = fit.dates[0], programme.end_date
    schedule.has_overlap = fit.has_overlap
    schedule.explanation = f"Proposed by {me.person.name}. {fit.explanation()}"[:500]
    schedule.proposed_at = timezone.now()
    schedule.confirmed_at = None
    schedule.save()
    ScheduleResponse.objects.filter(schedule=schedule).delete()
    ScheduleResponse.objects.create(schedule=schedule, member=member, accepted=True)
    log_action(
        actor=actor,
        organisation=organisation,
        action="schedule.slot_proposed",
        target=relationship,
        data={"weekday": weekday, "start_time": f"{at:%H:%M}", "timezone": zone_name},
    )
    _confirm_if_everyone_accepted(schedule, actor)
    return schedule


def _confirm(schedule: Schedule, actor: User | None) -> None:
    """Confirm the slot and lay out its meetings until the end date.

    Future meetings from an earlier slot are moved to the new times (same UID, higher
    SEQUENCE, so calendars update them); any left over are cancelled.
    """
    now = timezone.now()
    relationship = schedule.relationship
    slot = slot_finder.Slot(schedule.weekday, schedule.start_time, schedule.timezone)
    starts = [
        moment
        for moment in slot_finder.meeting_starts(
            slot=slot, first=schedule.first_date, until=schedule.until, rhythm=schedule.rhythm
        )
        if moment > now
    ]
    previous = list(
        Meeting.objects.select_for_update()
        .filter(
            relationship=relationship,
            status=Meeting.Status.SCHEDULED,
            unscheduled=False,
            starts_at__gt=now,
        )
        .order_by("starts_at", "pk")
    )
    changed: list[Meeting] = []
    for meeting, moment in zip(previous, starts, strict=False):
        if (meeting.starts_at, meeting.duration_minutes, meeting.timezone) != (
            moment,
            schedule.duration_minutes,
            schedule.timezone,
        ):
            meeting.starts_at, meeting.timezone = moment, schedule.timezone
            meeting.duration_minutes = schedule.duration_minutes
            meeting.ical_sequence += 1
            meeting.updated_at = now
            changed.append(meeting)
    Meeting.objects.bulk_update(
        changed, ["starts_at", "timezone", "duration_minutes", "ical_sequence", "updated_at"]
    )
    for meeting in previous[len(starts) :]:
        meeting.status = Meeting.Status.CANCELLED
        meeting.cancelled_reason = "The regular meeting time changed."
        meeting.ical_sequence += 1
        meeting.updated_at = now
    Meeting.objects.bulk_update(
        previous[len(starts) :], ["status", "cancelled_reason", "ical_sequence", "updated_at"]
    )
    created = Meeting.objects.bulk_create(
        Meeting(
            organisation_id=relationship.organisation_id,
            relationship=relationship,
            number=0,
            starts_at=moment,
            duration_minutes=schedule.duration_minutes,
            timezone=schedule.timezone,
        )
        for moment in starts[len(previous) :]
    )
    members = list(
        RelationshipMember.objects.filter(relationship=relationship, is_active=True).values_list(
            "pk", flat=True
        )
    )
    Attendance.objects.bulk_create(
        [Attendance(meeting=meeting, member_id=pk) for meeting in created for pk in members]
    )
    meetings_renumber(relationship=relationship)
    agreement_rhythm_agreed(relationship=relationship, at=now)
    schedule.status = Schedule.Status.CONFIRMED
    schedule.confirmed_at = now
    schedule.save(update_fields=["status", "confirmed_at"])
    log_action(
        actor=actor,
        organisation=relationship.organisation,
        action="schedule.confirmed",
        target=relationship,
        data={"meetings": len(starts), "moved": len(changed)},
    )
    dispatch_after_commit(relationship_id=relationship.pk)


def meetings_renumber(*, relationship: Relationship) -> None:
    """Number the meetings not cancelled 1, 2, 3… by start.

    A cancelled meeting keeps the number it was due to have (its invitation and the
    history say "meeting 3, cancelled"); the next meeting takes that number.
    """
    rows = list(
        Meeting.objects.filter(relationship=relationship)
        .exclude(status=Meeting.Status.CANCELLED)
        .order_by("starts_at", "pk")
        .values_list("pk", "number")
    )
    changes = [
        Meeting(pk=pk, number=position)
        for position, (pk, number) in enumerate(rows, start=1)
        if number != position
    ]
    Meeting.objects.bulk_update(changes, ["number"])


# --- One meeting -----------------------------------------------------------------------


def _lock(meeting: Meeting) -> Meeting:
    return (
        Meeting.objects.select_for_update()
        .select_related("relationship__organisation", "relationship__programme")
        .get(pk=meeting.pk)
    )


def _aware(value: datetime, what: str) -> datetime:
    if timezone.is_naive(value):
        raise AlongsideError(
            _("Give the %(what)s with its time zone (e.g. 2027-03-09T10:00:00+05:30).")
            % {"what": what},
            code="naive_datetime",
        )
    return value


def _check_duration(duration_minutes: int) -> int:
    if not 15 <= duration_minutes <= 480:
        raise AlongsideError(
            _("A meeting lasts between 15 minutes and 8 hours."), code="invalid_duration"
        )
    return duration_minutes


@transaction.atomic
def meeting_reschedule(
    *,
    meeting: Meeting,
    member: RelationshipMember,
    actor: User,
    starts_at: datetime,
    duration_minutes: int | None = None,
) -> Meeting:
    """Move one meeting; calendars get an updated invitation (SEQUENCE + 1)."""
    meeting = _lock(meeting)
    _check_can_act(meeting.relationship, member)
    starts_at = _aware(starts_at, "new start")
    if meeting.status != Meeting.Status.SCHEDULED:
        raise AlongsideError(
            _("This meeting is %(lower)s; only a scheduled meeting can be moved.")
            % {"lower": meeting.get_status_display().lower()},
            code="not_scheduled",
        )
    if starts_at <= timezone.now():
        raise AlongsideError(
            _("Pick a time in the future; to record a meeting that already happened, log it."),
            code="in_the_past",
        )
    old = meeting.starts_at
    meeting.starts_at = starts_at
    if duration_minutes is not None:
        meeting.duration_minutes = _check_duration(duration_minutes)
    meeting.ical_sequence += 1
    meeting.updated_at = timezone.now()
    meeting.save(update_fields=["starts_at", "duration_minutes", "ical_sequence", "updated_at"])
    meetings_renumber(relationship=meeting.relationship)
    log_action(
        actor=actor,
        organisation=meeting.relationship.organisation,
        action="meeting.rescheduled",
        target=meeting,
        data={"from": old.isoformat(), "to": starts_at.isoformat()},
    )
    dispatch_after_commit(meeting_ids=[meeting.pk])
    meeting.refresh_from_db(fields=["number"])
    return meeting


@transaction.atomic
def meeting_cancel(
    *, meeting: Meeting, member: RelationshipMember | None, actor: User | None, reason: str = ""
) -> Meeting:
    """Cancel a scheduled meeting; calendars that have it get METHOD:CANCEL."""
    meeting = _lock(meeting)
    if member is not None:
        _check_can_act(meeting.relationship, member)
    if meeting.status != Meeting.Status.SCHEDULED:
        raise AlongsideError(
            _("This meeting is already %(lower)s.")
            % {"lower": meeting.get_status_display().lower()},
            code="not_scheduled",
        )
    meeting.status = Meeting.Status.CANCELLED
    meeting.cancelled_reason = reason.strip()[:300]
    meeting.ical_sequence += 1
    meeting.updated_at = timezone.now()
    meeting.save(update_fields=["status", "cancelled_reason", "ical_sequence", "updated_at"])
    meetings_renumber(relationship=meeting.relationship)
    log_action(
        actor=actor,
        organisation=meeting.relationship.organisation,
        action="meeting.cancelled",
        target=meeting,
        data={"reason": meeting.cancelled_reason},
    )
    dispatch_after_commit(meeting_ids=[meeting.pk])
    emit(
        MeetingCancelled(
            organisation_id=meeting.organisation_id,
            relationship_id=meeting.relationship_id,
            meeting_id=meeting.pk,
        )
    )
    meeting.refresh_from_db(fields=["number"])
    return meeting


def meetings_cancel_future(*, relationship: Relationship, actor: User | None, reason: str) -> int:
    """Cancel every scheduled meeting still to come (the relationship ended or paused)."""
    now = timezone.now()
    count = 0
    for meeting in Meeting.objects.filter(
        relationship=relationship, status=Meeting.Status.SCHEDULED, starts_at__gt=now
    ):
        meeting_cancel(meeting=meeting, member=None, actor=actor, reason=reason)
        count += 1
    return count


def _attendance_changes(meeting: Meeting, attendance: Mapping[int, str] | None) -> dict[int, str]:
    if not attendance:
        return {}
    members = set(
        RelationshipMember.objects.filter(relationship_id=meeting.relationship_id).values_list(
            "pk", flat=True
        )
    )
    changes: dict[int, str] = {}
    for member_id, status in attendance.items():
        if member_id not in members:
            raise AlongsideError(
                _("Member %(member_id)s is not in this relationship.") % {"member_id": member_id},
                code="unknown_member",
            )
        if status not in ATTENDANCE_CHOICES:
            raise AlongsideError(
                _("Attendance is one of attended, missed or apologies, not '%(status)s'.")
                % {"status": status},
                code="invalid_attendance",
            )
        changes[member_id] = status
    return changes


def _write_attendance(meeting: Meeting, statuses: Mapping[int, str]) -> None:
    current = {a.member_id: a for a in Attendance.objects.filter(meeting=meeting)}
    updates, creates = [], []
    for member_id, status in statuses.items():
        row = current.get(member_id)
        if row is None:
            creates.append(Attendance(meeting=meeting, member_id=member_id, status=status))
        elif row.status != status:
            row.status = status
            updates.append(row)
    Attendance.objects.bulk_create(creates)
    Attendance.objects.bulk_update(updates, ["status"])


@transaction.atomic
def meeting_record_outcome(
    *,
    meeting: Meeting,
    member: RelationshipMember,
    actor: User,
    status: str,
    attendance: Mapping[int, str] | None = None,
) -> Meeting:
    """Say whether a meeting that has started was held or missed, and who came.

    Held: everyone not marked otherwise attended. Missed: everyone who had not sent
    apologies missed it.
    """
    meeting = _lock(meeting)
    _check_can_act(meeting.relationship, member)
    if status not in OUTCOMES:
        raise AlongsideError(
            _("The outcome is held or missed; to call a meeting off, cancel it."),
            code="invalid_outcome",
        )
    if meeting.status == Meeting.Status.CANCELLED:
        raise AlongsideError(_("This meeting was cancelled."), code="cancelled")
    if meeting.starts_at > timezone.now():
        raise AlongsideError(
            _("This meeting has not started yet; record how it went afterwards."),
            code="not_started",
        )
    changes = _attendance_changes(meeting, attendance)
    rows = dict(Attendance.objects.filter(meeting=meeting).values_list("member_id", "status"))
    statuses: dict[int, str] = {}
    for member_id, current in rows.items():
        if status == Meeting.Status.HELD:
            statuses[member_id] = (
                Attendance.Status.ATTENDED if current == Attendance.Status.EXPECTED else current
            )
        else:
            statuses[member_id] = (
                current if current == Attendance.Status.APOLOGIES else Attendance.Status.MISSED
            )
    statuses.update(changes)
    if status == Meeting.Status.HELD and Attendance.Status.ATTENDED not in statuses.values():
        raise AlongsideError(
            _("A meeting that was held had someone there: mark at least one member as attended."),
            code="nobody_attended",
        )
    _write_attendance(meeting, statuses)
    meeting.status = status
    meeting.held_at = meeting.starts_at if status == Meeting.Status.HELD else None
    meeting.updated_at = timezone.now()
    meeting.save(update_fields=["status", "held_at", "updated_at"])
    log_action(
        actor=actor,
        organisation=meeting.relationship.organisation,
        action=f"meeting.{status}",
        target=meeting,
        data={"attendance": {str(k): v for k, v in sorted(statuses.items())}},
    )
    outcome = MeetingHeld if status == Meeting.Status.HELD else MeetingMissed
    emit(
        outcome(
            organisation_id=meeting.organisation_id,
            relationship_id=meeting.relationship_id,
            meeting_id=meeting.pk,
        )
    )
    return meeting


@transaction.atomic
def meeting_log(
    *,
    relationship: Relationship,
    member: RelationshipMember,
    actor: User,
    starts_at: datetime,
    duration_minutes: int | None = None,
    attendance: Mapping[int, str] | None = None,
    location: str = "",
) -> Meeting:
    """Record a meeting that happened outside the schedule (held, unscheduled)."""
    relationship = Relationship.objects.select_related("organisation", "programme").get(
        pk=relationship.pk
    )
    _check_can_act(relationship, member)
    starts_at = _aware(starts_at, "meeting's start")
    if starts_at > timezone.now():
        raise AlongsideError(
            _("Only a meeting that already happened can be logged; schedule future ones."),
            code="in_the_future",
        )
    if starts_at < relationship.started_at - timedelta(days=1):
        raise AlongsideError(
            _("That is before this relationship started."), code="before_relationship"
        )
    organisation = relationship.organisation
    meeting = Meeting.objects.create(
        organisation=organisation,
        relationship=relationship,
        number=0,
        starts_at=starts_at,
        duration_minutes=_check_duration(duration_minutes or _duration(relationship.programme)),
        timezone=member_zone(member, organisation),
        status=Meeting.Status.HELD,
        unscheduled=True,
        held_at=starts_at,
        location=location.strip()[:300],
    )
    active = RelationshipMember.objects.filter(
        relationship=relationship, is_active=True
    ).values_list("pk", flat=True)
    statuses = {pk: str(Attendance.Status.ATTENDED) for pk in active}
    statuses.update(_attendance_changes(meeting, attendance))
    _write_attendance(meeting, statuses)
    meetings_renumber(relationship=relationship)
    log_action(
        actor=actor,
        organisation=organisation,
        action="meeting.logged",
        target=meeting,
        data={"starts_at": starts_at.isoformat()},
    )
    emit(
        MeetingHeld(
            organisation_id=meeting.organisation_id,
            relationship_id=relationship.pk,
            meeting_id=meeting.pk,
        )
    )
    meeting.refresh_from_db()
    return meeting


@transaction.atomic
def attendance_send_apologies(
    *, meeting: Meeting, member: RelationshipMember, actor: User, attending: bool = False
) -> Attendance:
    """A member says they will miss an upcoming meeting (or that they can come after all)."""
    meeting = _lock(meeting)
    _check_can_act(meeting.relationship, member)
    if meeting.status != Meeting.Status.SCHEDULED:
        raise AlongsideError(_("Apologies are for meetings still to come."), code="not_scheduled")
    status = Attendance.Status.EXPECTED if attending else Attendance.Status.APOLOGIES
    row, _created = Attendance.objects.update_or_create(
        meeting=meeting, member=member, defaults={"status": status}
    )
    log_action(
        actor=actor,
        organisation=meeting.relationship.organisation,
        action="meeting.apologies" if not attending else "meeting.attending",
        target=meeting,
    )
    return row


# --- Members joining and leaving -------------------------------------------------------


def schedule_member_joined(*, member: RelationshipMember) -> None:
    """Include a late joiner: in the schedule's answers and every meeting still to come."""
    relationship = member.relationship
    schedule = Schedule.objects.filter(relationship=relationship).first()
    if schedule is None:
        schedules_propose(relationships=[relationship])
        return
    future = list(
        Meeting.objects.filter(
            relationship=relationship,
            status=Meeting.Status.SCHEDULED,
            starts_at__gt=timezone.now(),
        ).values_list("pk", "invite_sent_sequence")
    )
    Attendance.objects.bulk_create(
        [Attendance(meeting_id=pk, member=member) for pk, _sent in future],
        ignore_conflicts=True,
    )
    already_invited = [pk for pk, sent in future if sent is not None]
    if already_invited:
        # Queued in the outbox with the joining itself: both happen, or neither.
        meeting_invites_send_to_member(meeting_ids=already_invited, member_id=member.pk)


def schedule_member_left(*, member: RelationshipMember) -> None:
    """Take a leaver out of the meetings still to come; confirm if they were the holdout."""
    Attendance.objects.filter(
        member=member,
        status__in=[Attendance.Status.EXPECTED, Attendance.Status.APOLOGIES],
        meeting__status=Meeting.Status.SCHEDULED,
        meeting__starts_at__gt=timezone.now(),
    ).delete()
    schedule = Schedule.objects.filter(relationship_id=member.relationship_id).first()
    if schedule is None:
        return
    ScheduleResponse.objects.filter(schedule=schedule, member=member).delete()
    relationship = Relationship.objects.get(pk=member.relationship_id)
    if (
        schedule.status == Schedule.Status.PROPOSED
        and relationship.status == Relationship.Status.ACTIVE
        and ScheduleResponse.objects.filter(schedule=schedule).exists()
    ):
        schedule.relationship = relationship
        _confirm_if_everyone_accepted(schedule, None)
