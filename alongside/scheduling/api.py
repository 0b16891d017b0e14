"""API for schedules, meeting times, attendance and calendar feeds.

Times are given in UTC (``starts_at``) and in the caller's own zone (``local_start``,
with ``timezone``). Members of a relationship act on it; its programme's managers and
the organisation's admins may read it; anyone else gets a 404.
"""

from datetime import datetime, time
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Router, Status
from ninja.pagination import paginate

from alongside.accounts.api_auth import request_user
from alongside.core.api_pagination import Pagination
from alongside.core.errors import NotFound
from alongside.core.schemas import ERRORS, Schema
from alongside.meetings.models import Meeting
from alongside.organisations.api_auth import membership_for
from alongside.organisations.models import Membership
from alongside.relationships.models import Relationship, RelationshipMember
from alongside.scheduling import selectors, slot_finder
from alongside.scheduling.invite_services import (
    calendar_feed_get_or_create,
    calendar_feed_renew,
    meeting_calendar_file,
    meeting_calendar_filename,
)
from alongside.scheduling.models import CalendarFeed
from alongside.scheduling.services import (
    attendance_send_apologies,
    meeting_cancel,
    meeting_log,
    meeting_record_outcome,
    meeting_reschedule,
    schedule_accept,
    schedule_ensure,
    schedule_propose_slot,
)

router = Router(tags=["schedule"])

RELATIONSHIP = "/{org_slug}/relationships/{int:relationship_id}"
MEETING = "/{org_slug}/meetings/{int:meeting_id}"


class MemberTimeOut(Schema):
    member_id: int
    name: str
    timezone: str
    local_start: datetime
    inside_working_hours: bool
    accepted: bool


class ClockShiftOut(Schema):
    member_id: int
    name: str
    first_date: str
    last_date: str
    local_start: str


class ScheduleOut(Schema):
    relationship_id: int
    status: str
    weekday: int
    start_time: str
    timezone: str
    rhythm: str
    duration_minutes: int
    first_date: str
    until: str
    has_overlap: bool
    explanation: str
    next_starts_at: datetime
    your_timezone: str
    your_local_start: datetime
    your_description: str
    members: list[MemberTimeOut]
    clock_changes: list[ClockShiftOut]
    can_act: bool


class SlotIn(Schema):
    weekday: int
    start_time: time
    timezone: str = ""


class AttendanceOut(Schema):
    member_id: int
    name: str
    status: str


class MeetingOut(Schema):
    id: int
    number: int
    status: str
    unscheduled: bool
    starts_at: datetime
    local_start: datetime
    timezone: str
    agreed_timezone: str
    duration_minutes: int
    ical_sequence: int
    cancelled_reason: str
    url: str
    attendance: list[AttendanceOut]


class AttendanceIn(Schema):
    member_id: int
    status: Literal["attended", "missed", "apologies"]


class LogIn(Schema):
    starts_at: datetime
    duration_minutes: int | None = None
    location: str = ""
    attendance: list[AttendanceIn] = []


class RescheduleIn(Schema):
    starts_at: datetime
    duration_minutes: int | None = None


class CancelIn(Schema):
    reason: str = ""


class OutcomeIn(Schema):
    status: Literal["held", "missed"]
    attendance: list[AttendanceIn] = []


class ApologiesIn(Schema):
    attending: bool = False


class CalendarFeedOut(Schema):
    url: str
    webcal_url: str
    created_at: datetime
    last_used_at: datetime | None


def _schedule_out(
    relationship: Relationship, member: RelationshipMember | None, membership: Membership
) -> dict[str, Any]:
    context = selectors.schedule_panel_context(
        relationship=relationship, viewer_member=member, user=membership.user
    )
    schedule = context["schedule"]
    fit: slot_finder.Fit = context["fit"]
    return {
        "relationship_id": relationship.pk,
        "status": schedule.status,
        "weekday": schedule.weekday,
        "start_time": f"{schedule.start_time:%H:%M}",
        "timezone": schedule.timezone,
        "rhythm": schedule.rhythm,
        "duration_minutes": schedule.duration_minutes,
        "first_date": schedule.first_date.isoformat(),
        "until": schedule.until.isoformat(),
        "has_overlap": schedule.has_overlap,
        "explanation": schedule.explanation,
        "next_starts_at": context["my_start"],
        "your_timezone": context["viewer_zone"],
        "your_local_start": context["my_start"],
        "your_description": context["when"],
        "members": [
            {
                "member_id": person.member_id,
                "name": person.name,
                "timezone": person.timezone,
                "local_start": person.at,
                "inside_working_hours": person.inside_hours,
                "accepted": person.accepted,
            }
            for person in context["local_times"]
        ],
        "clock_changes": [
            {
                "member_id": shift.key,
                "name": shift.name,
                "first_date": shift.first.isoformat(),
                "last_date": shift.last.isoformat(),
                "local_start": f"{shift.local_start:%H:%M}",
            }
            for shift in fit.shifts
        ],
        "can_act": context["can_act"],
    }


def _meeting_out(meeting: Meeting, zone_name: str, org_slug: str) -> dict[str, Any]:
    from alongside.scheduling.invite_services import meeting_url

    return {
        "id": meeting.pk,
        "number": meeting.number,
        "status": meeting.status,
        "unscheduled": meeting.unscheduled,
        "starts_at": meeting.starts_at,
        "local_start": meeting.starts_at.astimezone(slot_finder.zone(zone_name)),
        "timezone": zone_name,
        "agreed_timezone": meeting.timezone,
        "duration_minutes": meeting.duration_minutes,
        "ical_sequence": meeting.ical_sequence,
        "cancelled_reason": meeting.cancelled_reason,
        "url": meeting_url(meeting, org_slug),
        "attendance": [
            {"member_id": a.member_id, "name": a.member.person.name, "status": a.status}
            for a in meeting.attendance.all()
        ],
    }


def _reloaded(meeting_id: int, relationship: Relationship) -> Meeting:
    meeting = selectors.meetings_of(relationship=relationship).get(pk=meeting_id)
    meeting.relationship = relationship
    return meeting


def _zone(membership: Membership, member: RelationshipMember | None) -> str:
    return selectors.viewer_zone(
        organisation=membership.organisation, viewer_member=member, user=membership.user
    )


def _attendance(items: list[AttendanceIn]) -> dict[int, str]:
    return {item.member_id: item.status for item in items}


@router.get(
    f"{RELATIONSHIP}/schedule",
    response={200: ScheduleOut, **ERRORS},
    summary="The relationship's meeting time: proposed or confirmed, in everyone's zone",
)
def get_schedule(request: HttpRequest, org_slug: str, relationship_id: int) -> Any:
    membership = membership_for(request, org_slug)
    relationship, member = selectors.relationship_for_viewer(
        membership=membership, relationship_id=relationship_id
    )
    if relationship.status == Relationship.Status.ACTIVE:
        schedule_ensure(relationship=relationship)
    elif selectors.schedule_of(relationship) is None:
        raise NotFound(_("This relationship has no meeting time."))
    return _schedule_out(relationship, member, membership)


@router.post(
    f"{RELATIONSHIP}/schedule/accept",
    response={200: ScheduleOut, **ERRORS},
    summary="Accept the proposed meeting time (confirmed once every member has)",
)
def accept_schedule(request: HttpRequest, org_slug: str, relationship_id: int) -> Any:
    membership = membership_for(request, org_slug)
    relationship, member = selectors.acting_member(
        membership=membership, relationship_id=relationship_id
    )
    schedule_accept(
        schedule=schedule_ensure(relationship=relationship),
        member=member,
        actor=request_user(request),
    )
    return _schedule_out(relationship, member, membership)


@router.post(
    f"{RELATIONSHIP}/schedule/slot",
    response={200: ScheduleOut, **ERRORS},
    summary="Propose another recurring slot (weekday 0 = Monday; time in your zone by default)",
)
def propose_slot(request: HttpRequest, org_slug: str, relationship_id: int, body: SlotIn) -> Any:
    membership = membership_for(request, org_slug)
    relationship, member = selectors.acting_member(
        membership=membership, relationship_id=relationship_id
    )
    schedule_propose_slot(
        schedule=schedule_ensure(relationship=relationship),
        member=member,
        actor=request_user(request),
        weekday=body.weekday,
        start_time=body.start_time,
        timezone_name=body.timezone,
    )
    return _schedule_out(relationship, member, membership)


@router.get(
    f"{RELATIONSHIP}/schedule/meetings",
    response={200: list[MeetingOut], **ERRORS},
    summary="Every meeting's time (UTC and your zone), status, invite sequence and attendance",
)
@paginate(Pagination)
def list_meetings(request: HttpRequest, org_slug: str, relationship_id: int) -> Any:
    membership = membership_for(request, org_slug)
    relationship, member = selectors.relationship_for_viewer(
        membership=membership, relationship_id=relationship_id
    )
    zone_name = _zone(membership, member)
    return [
        _meeting_out(m, zone_name, org_slug)
        for m in selectors.meetings_of(relationship=relationship)
    ]


@router.post(
    f"{RELATIONSHIP}/schedule/meetings",
    response={201: MeetingOut, **ERRORS},
    summary="Log a meeting that happened outside the schedule (held, unscheduled)",
)
def log_meeting(request: HttpRequest, org_slug: str, relationship_id: int, body: LogIn) -> Any:
    membership = membership_for(request, org_slug)
    relationship, member = selectors.acting_member(
        membership=membership, relationship_id=relationship_id
    )
    meeting = meeting_log(
        relationship=relationship,
        member=member,
        actor=request_user(request),
        starts_at=body.starts_at,
        duration_minutes=body.duration_minutes,
        location=body.location,
        attendance=_attendance(body.attendance),
    )
    return Status(
        201, _meeting_out(_reloaded(meeting.pk, relationship), _zone(membership, member), org_slug)
    )


def _act_on_meeting(
    request: HttpRequest, org_slug: str, meeting_id: int
) -> tuple[Membership, Meeting, RelationshipMember]:
    membership = membership_for(request, org_slug)
    meeting, member = selectors.acting_member_for_meeting(
        membership=membership, meeting_id=meeting_id
    )
    return membership, meeting, member


ICS_RESPONSE = {
    "responses": {
        "200": {
            "description": "The meeting as an iCalendar file; its UID is the meeting's own, "
            "so a later invitation or the subscription updates the same event.",
            "content": {"text/calendar": {"schema": {"type": "string"}}},
        }
    }
}


@router.get(
    f"{MEETING}/calendar.ics",
    response={**ERRORS},
    openapi_extra=ICS_RESPONSE,
    summary="One meeting as a calendar file to import (add to calendar)",
)
def meeting_calendar(request: HttpRequest, org_slug: str, meeting_id: int) -> Any:
    membership = membership_for(request, org_slug)
    meeting, _member = selectors.meeting_for_viewer(membership=membership, meeting_id=meeting_id)
    response = HttpResponse(
        meeting_calendar_file(meeting=meeting), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{meeting_calendar_filename(meeting)}"'
    return response


@router.post(
    f"{MEETING}/reschedule",
    response={200: MeetingOut, **ERRORS},
    summary="Move a scheduled meeting; everyone gets an updated invitation (SEQUENCE + 1)",
)
def reschedule_meeting(
    request: HttpRequest, org_slug: str, meeting_id: int, body: RescheduleIn
) -> Any:
    membership, meeting, member = _act_on_meeting(request, org_slug, meeting_id)
    meeting_reschedule(
        meeting=meeting,
        member=member,
        actor=request_user(request),
        starts_at=body.starts_at,
        duration_minutes=body.duration_minutes,
    )
    return _meeting_out(
        _reloaded(meeting.pk, meeting.relationship), _zone(membership, member), org_slug
    )


@router.post(
    f"{MEETING}/cancel",
    response={200: MeetingOut, **ERRORS},
    summary="Cancel a scheduled meeting; calendars get METHOD:CANCEL",
)
def cancel_meeting(request: HttpRequest, org_slug: str, meeting_id: int, body: CancelIn) -> Any:
    membership, meeting, member = _act_on_meeting(request, org_slug, meeting_id)
    meeting_cancel(meeting=meeting, member=member, actor=request_user(request), reason=body.reason)
    return _meeting_out(
        _reloaded(meeting.pk, meeting.relationship), _zone(membership, member), org_slug
    )


@router.post(
    f"{MEETING}/outcome",
    response={200: MeetingOut, **ERRORS},
    summary="Record that a meeting was held or missed, and each member's attendance",
)
def record_outcome(request: HttpRequest, org_slug: str, meeting_id: int, body: OutcomeIn) -> Any:
    membership, meeting, member = _act_on_meeting(request, org_slug, meeting_id)
    meeting_record_outcome(
        meeting=meeting,
        member=member,
        actor=request_user(request),
        status=body.status,
        attendance=_attendance(body.attendance),
    )
    return _meeting_out(
        _reloaded(meeting.pk, meeting.relationship), _zone(membership, member), org_slug
    )


@router.post(
    f"{MEETING}/apologies",
    response={200: MeetingOut, **ERRORS},
    summary="Say you will miss an upcoming meeting (attending: true takes it back)",
)
def send_apologies(request: HttpRequest, org_slug: str, meeting_id: int, body: ApologiesIn) -> Any:
    membership, meeting, member = _act_on_meeting(request, org_slug, meeting_id)
    attendance_send_apologies(
        meeting=meeting, member=member, actor=request_user(request), attending=body.attending
    )
    return _meeting_out(
        _reloaded(meeting.pk, meeting.relationship), _zone(membership, member), org_slug
    )


def _feed_out(request: HttpRequest, feed: CalendarFeed) -> dict[str, Any]:
    url = request.build_absolute_uri(reverse("calendar_feed_ics", args=[feed.token]))
    return {
        "url": url,
        "webcal_url": "webcal://" + url.split("://", 1)[1],
        "created_at": feed.created_at,
        "last_used_at": feed.last_used_at,
    }


@router.get(
    "/{org_slug}/calendar-feed",
    response={200: CalendarFeedOut, **ERRORS},
    summary="My private calendar subscription address for this organisation's meetings",
)
def get_calendar_feed(request: HttpRequest, org_slug: str) -> Any:
    membership = membership_for(request, org_slug)
    feed = calendar_feed_get_or_create(
        user=request_user(request), organisation=membership.organisation
    )
    return _feed_out(request, feed)


@router.post(
    "/{org_slug}/calendar-feed/renew",
    response={200: CalendarFeedOut, **ERRORS},
    summary="Renew my calendar address; the old one stops working at once",
)
def renew_calendar_feed(request: HttpRequest, org_slug: str) -> Any:
    membership = membership_for(request, org_slug)
    feed = calendar_feed_renew(user=request_user(request), organisation=membership.organisation)
    return _feed_out(request, feed)
