"""Where personal data rights show on lower apps' pages."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from alongside.core.panels import panel
from alongside.privacy.models import DataRequest


@panel("people.me.actions", template="privacy/_my_data_panel.html")
def my_data(*, request: Any, person: Any) -> Mapping[str, Any] | None:
    latest = (
        DataRequest.objects.filter(
            person=person, kind=DataRequest.Kind.PERSON_EXPORT, requested_by=request.user
        )
        .order_by("-created_at")
        .first()
    )
    return {"latest_export": latest}


@panel("people.person.actions", template="privacy/_erase_link.html")
def erase_link(*, request: Any, person: Any) -> Mapping[str, Any] | None:
    membership = getattr(request, "membership", None)
    if membership is None or not membership.is_admin or person.erased_at is not None:
        return None
    if person.user_id is not None and person.user_id == request.user.pk:
        return None
    return {"person": person}


@panel("organisations.settings", template="privacy/_settings_panel.html", order=20)
def organisation_data(*, request: Any) -> Mapping[str, Any] | None:
    return {}
