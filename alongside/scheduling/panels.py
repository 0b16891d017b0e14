"""The schedule fills places on the meetings app's pages: the relationship's meeting time,
and on a meeting page the actions that change it (reschedule, cancel, held or missed)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from alongside.core.panels import panel
from alongside.meetings.models import Meeting
from alongside.relationships.models import Relationship, RelationshipMember
from alongside.scheduling.selectors import meeting_actions_context, schedule_panel_context


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
