"""The one audit trail. It sits on the ground floor: any app may write to it, and it
imports none of them (the actor is any user, the organisation and target any model)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import models

from alongside.audit.models import AuditEvent


def log_action(
    *,
    actor: AbstractBaseUser | None,
    organisation: models.Model | None,
    action: str,
    target: models.Model | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Record a meaningful write. Call it inside the service's transaction."""
    acting = actor if actor is not None and actor.pk else None
    return AuditEvent.objects.create(
        organisation_id=organisation.pk if organisation is not None else None,
        actor_id=acting.pk if acting is not None else None,
        actor_label=acting.get_username() if acting is not None else "system",
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_label=str(target)[:255] if target is not None else "",
        data=data or {},
    )
