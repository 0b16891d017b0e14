"""The one-question pulse after a meeting, shown on the meeting page (a meetings page)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy

from alongside.core.panels import panel
from alongside.meetings.models import Meeting
from alongside.relationships.models import Relationship
from alongside.surveys.models import CheckinSettings, Pulse

SCALE = [
    ("1", gettext_lazy("1 – Not well")),
    ("2", "2"),
    ("3", "3"),
    ("4", "4"),
    ("5", gettext_lazy("5 – Very well")),
]


@panel("meetings.meeting.after_notes", template="surveys/_meeting_pulse.html")
def meeting_pulse(*, request: HttpRequest | None, meeting: Meeting) -> dict[str, Any] | None:
    """Shown to the meeting's own active members once it is held (or its time has passed),
    when the programme has the per-meeting pulse switched on; otherwise nothing."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    relationship = meeting.relationship
    if relationship.status != Relationship.Status.ACTIVE:
        return None
    if not CheckinSettings.objects.filter(
        programme_id=relationship.programme_id, meeting_pulse=True
    ).exists():
        return None
    if meeting.status not in (Meeting.Status.HELD, Meeting.Status.SCHEDULED):
        return None
    if meeting.status == Meeting.Status.SCHEDULED and meeting.starts_at > timezone.now():
        return None
    member = relationship.members.filter(person__user=user, is_active=True).first()
    if member is None:
        return None
    pulse = Pulse.objects.filter(member=member, meeting=meeting, kind=Pulse.Kind.MEETING).first()
    return {
        "show": True,
        "meeting": meeting,
        "pulse": pulse,
        "current": str(pulse.rating) if pulse else "",
        "organisation_slug": relationship.organisation.slug,
        "next": request.get_full_path() if request is not None else "",
        "scale": SCALE,
    }
