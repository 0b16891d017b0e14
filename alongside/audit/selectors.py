from __future__ import annotations

from django.db.models import QuerySet

from alongside.audit.models import AuditEvent
from alongside.organisations.models import Organisation


def audit_events_for_organisation(
    *, organisation: Organisation, action: str = ""
) -> QuerySet[AuditEvent]:
    events = AuditEvent.objects.filter(organisation=organisation)
    if action:
        events = events.filter(action__startswith=action)
    return events.order_by("-created_at", "-id")
