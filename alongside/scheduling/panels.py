"""The schedule fills places on the meetings app's pages: the relationship's meeting time,
and on a meeting page the actions that change it (reschedule, cancel, held or missed)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from alongside.core.panels import panel
from alongside.meetings.models import Meeting
from alongside.programmes.models import Programme
from alongside.relationships.models import Relationship, RelationshipMember
from alongside.scheduling.selectors import meeting_actions_context, schedule_panel_context
from alongside.scheduling.video import programme_video_of, video_panel_context, video_url_of


@panel("meetings.relationship", template="scheduling/_schedule_panel.html")
def schedule(
    *,
    request: HttpRequest | None,
    relationship: Relationship,
    viewer_member: RelationshipMember | None,
) -> dict[str, Any] | None:
    """For the relationship's own members; the managers' overview shows no schedule."""
    if viewer_member is None:
        return None
    return schedule_panel_context(relationship=relationship, viewer_member=viewer_member)


@panel("meetings.meeting", template="scheduling/_meeting_actions.html")
def meeting_actions(
    *, request: HttpRequest | None, meeting: Meeting, viewer_member: RelationshipMember | None
) -> dict[str, Any] | None:
    if viewer_member is None:
        return None
    return meeting_actions_context(meeting=meeting, viewer_member=viewer_member)


@panel("meetings.meeting", template="scheduling/_video_link.html", order=50)
def meeting_video(
    *, request: HttpRequest | None, meeting: Meeting, viewer_member: RelationshipMember | None
) -> dict[str, Any] | None:
    """The join link, for the members and the managers looking on."""
    if meeting.status == Meeting.Status.CANCELLED:
        return None
    url = video_url_of(meeting.relationship_id)
    return {"video_url": url} if url else None


@panel("meetings.relationship", template="scheduling/_video_panel.html", order=110)
def relationship_video(
    *,
    request: HttpRequest | None,
    relationship: Relationship,
    viewer_member: RelationshipMember | None,
) -> dict[str, Any] | None:
    return video_panel_context(relationship=relationship, viewer_member=viewer_member)


@panel("programmes.detail", template="scheduling/_programme_video_link.html", order=120)
def programme_video_link(
    *, request: HttpRequest | None, programme: Programme, manages: bool
) -> dict[str, Any] | None:
    if not manages:
        return None
    return {"video_default": programme_video_of(programme)}


@panel("organisations.settings", template="scheduling/_settings_link.html", order=30)
def video_settings_link(*, request: HttpRequest | None) -> dict[str, Any]:
    return {}
