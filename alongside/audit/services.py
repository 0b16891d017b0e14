from __future__ import annotations

from typing import Any

from django.db import models

from alongside.accounts.models import User
from alongside.audit.models import AuditEvent
from alongside.organisations.models import Organisation


def log_action(
    *,
    actor: User | None,
    organisation: Organisation | None,
    action: str,
    target: models.Model | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Record a meaningful write. Call it inside the service's transaction."""
    return AuditEvent.objects.create(
        organisation=organisation,
        actor=actor if actor is not None and actor.pk else None,
        actor_label=actor.email if actor is not None and actor.pk else "system",
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_label=str(target)[:255] if target is not None else "",
        data=data or {},
    )
