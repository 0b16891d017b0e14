"""Webhooks listen to what the apps below announce, after it has been committed."""

from __future__ import annotations

from collections.abc import Sequence

from alongside.core.events import DomainEvent, subscribe
from alongside.webhooks.catalogue import BUILDERS, outgoing_for
from alongside.webhooks.models import WebhookEndpoint
from alongside.webhooks.services import webhook_deliveries_queue


@subscribe(*BUILDERS)
def queue_webhooks(events: Sequence[DomainEvent]) -> None:
    organisations = {event.organisation_id for event in events}
    # Most organisations have no webhooks: one query, and nothing is built for them.
    if not WebhookEndpoint.objects.filter(
        organisation_id__in=organisations, is_active=True
    ).exists():
        return
    webhook_deliveries_queue(outgoing=outgoing_for(events))
