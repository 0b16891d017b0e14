"""``{% meeting_pulse meeting %}``: the one-question pulse after a meeting, where it applies."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from alongside.meetings.models import Meeting
from alongside.relationships.models import Relationship
from alongside.surveys.models import CheckinSettings, Pulse

register = template.Library()


@register.inclusion_tag("surveys/_meeting_pulse.html", takes_context=True)
def meeting_pulse(context: dict[str, Any], meeting: Meeting) -> dict[str, Any]:
    """Shown to the meeting's own active members once it is held (or its time has passed),
    when the programme has the per-meeting pulse switched on; otherwise renders nothing."""
    request = context.get("request")
    user = getattr(request, "user", None)
    hidden: dict[str, Any] = {"show": False}
    if user is None or not user.is_authenticated:
        return hidden
    relationship = meeting.relationship
    if relationship.status != Relationship.Status.ACTIVE:
        return hidden
    if not CheckinSettings.objects.filter(
        programme_id=relationship.programme_id, meeting_pulse=True
    ).exists():
        return hidden
    if meeting.status != Meeting.Status.HELD and meeting.status != Meeting.Status.SCHEDULED:
        return hidden
    if meeting.status == Meeting.Status.SCHEDULED and meeting.starts_at > timezone.now():
        return hidden
    member = relationship.members.filter(person__user=user, is_active=True).first()
    if member is None:
        return hidden
    pulse = Pulse.objects.filter(member=member, meeting=meeting, kind=Pulse.Kind.MEETING).first()
    return {
        "show": True,
        "meeting": meeting,
        "pulse": pulse,
        "current": str(pulse.rating) if pulse else "",
        "organisation_slug": relationship.organisation.slug,
        "next": request.get_full_path() if request is not None else "",
        "csrf_token": context.get("csrf_token"),
        "scale": [
            ("1", "1 – Not well"),
            ("2", "2"),
            ("3", "3"),
            ("4", "4"),
            ("5", "5 – Very well"),
        ],
    }
