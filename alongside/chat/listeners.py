"""Chat listens to the apps below, after commit: new matches are announced."""

from __future__ import annotations

from collections.abc import Sequence

from alongside.chat.models import SlackWorkspace, TeamsChannelWebhook
from alongside.chat.services import announcements_for_published
from alongside.core.events import subscribe
from alongside.relationships.events import RelationshipsPublished


@subscribe(RelationshipsPublished)
def announce_matches(events: Sequence[RelationshipsPublished]) -> None:
    organisations = {event.organisation_id for event in events}
    # Most organisations have no chat connected: one query each, and nothing more.
    if not (
        SlackWorkspace.objects.filter(organisation_id__in=organisations).exists()
        or TeamsChannelWebhook.objects.filter(organisation_id__in=organisations).exists()
    ):
        return
    announcements_for_published(relationship_ids=[i for e in events for i in e.relationship_ids])
