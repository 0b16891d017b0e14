"""Find what is left of a person anywhere in the database: a reusable test helper.

It walks every model of every installed app through the app registry (Alongside's,
Django's, sessions, sign-in attempts, the task queue) and looks in every text, email,
JSON and binary column (inside ZIP files too) for the given texts, then at every foreign
key to the given account and at every session. A new app or column is covered without
changing this helper.
"""

from __future__ import annotations

import io
import zipfile
from typing import Any

from django.apps import apps
from django.contrib.sessions.models import Session
from django.db import models


def _blob_texts(value: bytes) -> list[str]:
    texts = [value.decode("utf-8", "replace")]
    if value[:2] == b"PK":
        try:
            with zipfile.ZipFile(io.BytesIO(value)) as archive:
                texts += [archive.read(n).decode("utf-8", "replace") for n in archive.namelist()]
        except zipfile.BadZipFile:
            pass
    return texts


def traces(*, texts: list[str], user_id: int | None = None) -> list[str]:
    """Every place (model.field, pk) where one of ``texts`` or the account still shows."""
    needles = [t for t in texts if t]
    found: list[str] = []
    user_model = apps.get_model("accounts", "User")
    for model in apps.get_models():
        manager: Any = model._default_manager
        for field in model._meta.concrete_fields:
            where = f"{model._meta.label_lower}.{field.name}"
            if isinstance(field, models.CharField | models.TextField | models.JSONField):
                for text in needles:
                    for pk in manager.filter(**{f"{field.name}__icontains": text}).values_list(
                        "pk", flat=True
                    ):
                        found.append(f"{where}#{pk} contains {text!r}")
            elif isinstance(field, models.BinaryField):
                for pk, value in manager.exclude(**{field.name: None}).values_list(
                    "pk", field.name
                ):
                    for blob in _blob_texts(bytes(value)):
                        for text in needles:
                            if text.lower() in blob.lower():
                                found.append(f"{where}#{pk} holds {text!r}")
            elif (
                user_id is not None
                and isinstance(field, models.ForeignKey)
                and field.related_model is user_model
            ):
                for pk in manager.filter(**{field.attname: user_id}).values_list("pk", flat=True):
                    found.append(f"{where}#{pk} points at the account")
    if user_id is not None:
        if user_model.objects.filter(pk=user_id).exists():
            found.append(f"accounts.user#{user_id} still exists")
        for session in Session.objects.all():
            if str(session.get_decoded().get("_auth_user_id")) == str(user_id):
                found.append(f"sessions.session#{session.pk} is signed in as the account")
        audit = apps.get_model("audit", "AuditEvent")
        for pk in audit.objects.filter(
            target_type="accounts.user", target_id=str(user_id)
        ).values_list("pk", flat=True):
            found.append(f"audit.auditevent#{pk} is about the account")
    return found
