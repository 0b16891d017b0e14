"""Pages for the schedule: proposed slot, reschedule, cancel, attendance, calendar feed.

The panels (``scheduling/_schedule_panel.html``, ``scheduling/_meeting_actions.html``) are
also included in the relationship and meeting pages; their forms post here, and an htmx
post gets the refreshed panel back while a plain post is redirected to ``next``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from alongside.core.errors import AlongsideError, Forbidden, NotFound
from alongside.core.messages import show_error
from alongside.meetings.models import Meeting
from alongside.organisations.tenancy import OrgRequest, org_view
from alongside.relationships.models import Relationship, RelationshipMember
from alongside.scheduling import selectors, slot_finder, video_views
from alongside.scheduling.invite_services import (
    calendar_feed_get_or_create,
    calendar_feed_render,
    calendar_feed_renew,
    meeting_calendar_file,
    meeting_calendar_filename,
)
from alongside.scheduling.models import Schedule
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

Lookup = Callable[..., Any]


def _access(lookup: Lookup, **kwargs: Any) -> Any:
    """Run a selector's access check: NotFound is a 404 page, Forbidden a 403."""
    try:
        return lookup(**kwargs)
    except NotFound as error:
        raise Http404(error.message) from error
    except Forbidden as error:
        raise PermissionDenied(error.message) from error


def _next(request: OrgRequest, fallback: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def _schedule_url(request: OrgRequest, relationship_id: int) -> str:
    return reverse("scheduling:schedule", args=[request.organisation.slug, relationship_id])


def _local_datetime(value: str, zone_name: str) -> datetime:
    """A ``datetime-local`` field's value, read in the viewer's own zone."""
    try:
        naive = datetime.fromisoformat(value.strip())
    except ValueError as error:
        raise AlongsideError(
            _("Give a date and time, e.g. 2027-03-09 14:30."), code="invalid_datetime"
        ) from error
    if timezone.is_aware(naive):
        return naive
    return naive.replace(tzinfo=slot_finder.zone(zone_name))


def _int(value: str | None, what: str) -> int:
    try:
        return int(value or "")
    except ValueError as error:
        raise AlongsideError(_("Choose the %(what)s.") % {"what": what}, code="invalid") from error


def _panel_response(
    request: OrgRequest,
    relationship: Relationship,
    member: RelationshipMember | None,
    error: AlongsideError | None,
    done: str,
) -> HttpResponse:
    if request.htmx:
        context = selectors.schedule_panel_context(
            relationship=relationship, viewer_member=member, user=request.user
        )
        context.update(
            {"error": error, "done": None if error else done, "next_url": request.POST.get("next")}
        )
        return render(request, "scheduling/_schedule_panel.html", context)
    if error:
        show_error(request, error)
    else:
        messages.success(request, done)
    return HttpResponseRedirect(_next(request, _schedule_url(request, relationship.pk)))


def _actions_response(
    request: OrgRequest,
    meeting: Meeting,
    member: RelationshipMember | None,
    error: AlongsideError | None,
    done: str,
) -> HttpResponse:
    if request.htmx:
        meeting.refresh_from_db()
        context = selectors.meeting_actions_context(
            meeting=meeting, viewer_member=member, user=request.user
        )
        context.update(
            {"error": error, "done": None if error else done, "next_url": request.POST.get("next")}
        )
        return render(request, "scheduling/_meeting_actions.html", context)
    if error:
        show_error(request, error)
    else:
        messages.success(request, done)
    return HttpResponseRedirect(_next(request, _schedule_url(request, meeting.relationship_id)))


@org_view()
@require_GET
def schedule(request: OrgRequest, relationship_id: int) -> HttpResponse:
    """The relationship's meeting time and every meeting, for its members and managers."""
    relationship, member = _access(
        selectors.relationship_for_viewer,
        membership=request.membership,
        relationship_id=relationship_id,
    )
    if relationship.status == Relationship.Status.ACTIVE:
        schedule_ensure(relationship=relationship)
    context = selectors.schedule_panel_context(
        relationship=relationship, viewer_member=member, user=request.user
    )
    zone_name = context["viewer_zone"]
    rows = []
    for meeting in selectors.meetings_of(relationship=relationship):
        meeting.relationship = relationship
        row = selectors.meeting_actions_context(
            meeting=meeting, viewer_member=member, user=request.user, zone_name=zone_name
        )
        rows.append(row)
    context.update({"meetings": rows, "zone_name": zone_name, "now": timezone.now()})
    return render(request, "scheduling/schedule.html", context)


def _relationship_action(
    action: Callable[[OrgRequest, Schedule, RelationshipMember], str],
) -> Callable[..., HttpResponse]:
    @org_view()
    @require_POST
    def view(request: OrgRequest, relationship_id: int) -> HttpResponse:
        relationship, member = _access(
            selectors.acting_member,
            membership=request.membership,
            relationship_id=relationship_id,
        )
        error: AlongsideError | None = None
        done = ""
        try:
            done = action(request, schedule_ensure(relationship=relationship), member)
        except AlongsideError as err:
            error = err
        relationship.refresh_from_db()
        return _panel_response(request, relationship, member, error, done)

    view.__name__ = action.__name__
    return view


def _accept(request: OrgRequest, schedule: Schedule, member: RelationshipMember) -> str:
    schedule = schedule_accept(schedule=schedule, member=member, actor=request.user)
    if schedule.status == Schedule.Status.CONFIRMED:
        return _(
            "Everyone has accepted: the meetings are in the calendar and invitations are sent."
        )
    return _("You accepted this time; waiting for the others.")


def _propose(request: OrgRequest, schedule: Schedule, member: RelationshipMember) -> str:
    schedule = schedule_propose_slot(
        schedule=schedule,
        member=member,
        actor=request.user,
        weekday=_int(request.POST.get("weekday"), "weekday"),
        start_time=request.POST.get("start_time", ""),
        timezone_name=request.POST.get("timezone", ""),
    )
    if schedule.status == Schedule.Status.CONFIRMED:
        return _("The new time is confirmed.")
    return _("You proposed a new time; the others are asked to accept it.")


schedule_accept_view = _relationship_action(_accept)
schedule_propose_view = _relationship_action(_propose)


@org_view()
@require_POST
def log(request: OrgRequest, relationship_id: int) -> HttpResponse:
    """Record a meeting that happened outside the schedule."""
    relationship, member = _access(
        selectors.acting_member,
        membership=request.membership,
        relationship_id=relationship_id,
    )
    zone_name = selectors.member_zone(member, request.organisation)
    try:
        meeting = meeting_log(
            relationship=relationship,
            member=member,
            actor=request.user,
            starts_at=_local_datetime(request.POST.get("starts_at", ""), zone_name),
            duration_minutes=_int(request.POST.get("duration_minutes"), "length")
            if request.POST.get("duration_minutes")
            else None,
            location=request.POST.get("location", ""),
        )
    except AlongsideError as error:
        return _panel_response(request, relationship, member, error, "")
    return _panel_response(
        request,
        relationship,
        member,
        None,
        _("Meeting %(number)s is recorded as held.") % {"number": meeting.number},
    )


def _meeting_action(
    action: Callable[[OrgRequest, Meeting, RelationshipMember, str], str],
) -> Callable[..., HttpResponse]:
    @org_view()
    @require_POST
    def view(request: OrgRequest, meeting_id: int) -> HttpResponse:
        meeting, member = _access(
            selectors.acting_member_for_meeting,
            membership=request.membership,
            meeting_id=meeting_id,
        )
        zone_name = selectors.member_zone(member, request.organisation)
        error: AlongsideError | None = None
        done = ""
        try:
            done = action(request, meeting, member, zone_name)
        except AlongsideError as err:
            error = err
        return _actions_response(request, meeting, member, error, done)

    view.__name__ = action.__name__
    return view


def _reschedule(
    request: OrgRequest, meeting: Meeting, member: RelationshipMember, zone: str
) -> str:
    moved = meeting_reschedule(
        meeting=meeting,
        member=member,
        actor=request.user,
        starts_at=_local_datetime(request.POST.get("starts_at", ""), zone),
    )
    local = timezone.localtime(moved.starts_at, slot_finder.zone(zone))
    return _("Moved to %(when)s (%(zone)s); everyone gets an updated invitation.") % {
        "when": date_format(local, "D j M Y H:i"),
        "zone": zone,
    }


def _cancel(request: OrgRequest, meeting: Meeting, member: RelationshipMember, zone: str) -> str:
    meeting_cancel(
        meeting=meeting, member=member, actor=request.user, reason=request.POST.get("reason", "")
    )
    return _("Meeting cancelled; calendars are told.")


def _outcome(request: OrgRequest, meeting: Meeting, member: RelationshipMember, zone: str) -> str:
    attendance: dict[int, str] = {}
    for key in request.POST:
        value = request.POST.get(key, "")
        if key.startswith("attendance-") and value:
            attendance[_int(key.removeprefix("attendance-"), "member")] = value
    updated = meeting_record_outcome(
        meeting=meeting,
        member=member,
        actor=request.user,
        status=request.POST.get("status", ""),
        attendance=attendance,
    )
    return _("Recorded as %(lower)s.") % {"lower": updated.get_status_display().lower()}


def _apologies(request: OrgRequest, meeting: Meeting, member: RelationshipMember, zone: str) -> str:
    attending = request.POST.get("attending") == "1"
    attendance_send_apologies(
        meeting=meeting, member=member, actor=request.user, attending=attending
    )
    if attending:
        return _("Glad you can make it.")
    if meeting.relationship.kind == Relationship.Kind.CIRCLE:
        return _(
            "The others know you will miss this one. Under Facilitation you can "
            "hand over to someone who will be there."
        )
    return _("The others know you will miss this one.")


meeting_reschedule_view = _meeting_action(_reschedule)
meeting_cancel_view = _meeting_action(_cancel)
meeting_outcome_view = _meeting_action(_outcome)
meeting_apologies_view = _meeting_action(_apologies)


@org_view()
def calendar_feed(request: OrgRequest) -> HttpResponse:
    """My private calendar subscription address for this organisation's meetings."""
    feed = calendar_feed_get_or_create(user=request.user, organisation=request.organisation)
    url = request.build_absolute_uri(reverse("calendar_feed_ics", args=[feed.token]))
    return render(
        request,
        "scheduling/calendar_feed.html",
        {
            "feed": feed,
            "feed_url": url,
            "webcal_url": url.replace("https://", "webcal://", 1).replace(
                "http://", "webcal://", 1
            ),
        },
    )


@org_view()
@require_POST
def calendar_feed_renew_view(request: OrgRequest) -> HttpResponse:
    calendar_feed_renew(user=request.user, organisation=request.organisation)
    messages.success(
        request,
        _(
            "Your calendar address is renewed: the old one no longer works. "
            "Subscribe again with the new one."
        ),
    )
    return redirect("scheduling:calendar_feed", org_slug=request.organisation.slug)


@org_view()
@require_GET
def meeting_ics(request: OrgRequest, meeting_id: int) -> HttpResponse:
    """One meeting as a calendar file: "add to calendar" on its page and the home page."""
    meeting, _member = _access(
        selectors.meeting_for_viewer, membership=request.membership, meeting_id=meeting_id
    )
    return calendar_file_response(meeting)


def calendar_file_response(meeting: Meeting) -> HttpResponse:
    response = HttpResponse(
        meeting_calendar_file(meeting=meeting), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{meeting_calendar_filename(meeting)}"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def calendar_feed_ics(request: Any, token: str) -> HttpResponse:
    """The subscription itself: no sign-in, the secret token in the address is the key."""
    body = calendar_feed_render(token=token)
    if body is None:
        raise Http404("No such calendar.")
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="alongside.ics"'
    response["Cache-Control"] = "private, max-age=300"
    response["X-Robots-Tag"] = "noindex"
    return response


urlpatterns: list[URLPattern] = [
    path("<int:relationship_id>/schedule/", schedule, name="schedule"),
    path("<int:relationship_id>/schedule/accept/", schedule_accept_view, name="schedule_accept"),
    path("<int:relationship_id>/schedule/propose/", schedule_propose_view, name="schedule_propose"),
    path("<int:relationship_id>/meetings/log/", log, name="meeting_log"),
    path(
        "meetings/<int:meeting_id>/reschedule/",
        meeting_reschedule_view,
        name="meeting_reschedule",
    ),
    path("meetings/<int:meeting_id>/cancel/", meeting_cancel_view, name="meeting_cancel"),
    path("meetings/<int:meeting_id>/outcome/", meeting_outcome_view, name="meeting_outcome"),
    path("meetings/<int:meeting_id>/apologies/", meeting_apologies_view, name="meeting_apologies"),
    path("meetings/<int:meeting_id>/calendar.ics", meeting_ics, name="meeting_ics"),
    path("<int:relationship_id>/video/", video_views.relationship_video, name="relationship_video"),
    path("calendar/", calendar_feed, name="calendar_feed"),
    path("calendar/renew/", calendar_feed_renew_view, name="calendar_feed_renew"),
]
