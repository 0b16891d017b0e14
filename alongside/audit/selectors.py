from __future__ import annotations

from django.db import models
from django.db.models import QuerySet

from alongside.audit.models import AuditEvent


def audit_events_for_organisation(
    *, organisation: models.Model, action: str = ""
) -> QuerySet[AuditEvent]:
    events = AuditEvent.objects.filter(organisation_id=organisation.pk)
    if action:
        events = events.filter(action__startswith=action)
    return events.order_by("-created_at", "-id")
