"""The home app fills the programme page's place for its steps: the same checklist and
needs a manager sees on their home page, for this one programme."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from alongside.core.panels import panel
from alongside.home.progress import programme_progress
from alongside.programmes.models import Programme


@panel("programmes.detail", template="home/_programme_steps.html")
def programme_steps(
    *, request: HttpRequest | None, programme: Programme, manages: bool
) -> dict[str, Any] | None:
    if not manages:
        return None
    (progress,) = programme_progress(
        programmes=[programme], organisation_slug=programme.organisation.slug
    )
    return {"item": progress}
