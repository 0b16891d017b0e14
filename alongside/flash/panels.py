from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from alongside.core.panels import panel
from alongside.programmes.models import Enrolment, Format, Programme


@panel("programmes.detail", template="flash/_programme_panel.html", order=50)
def rounds_panel(
    *, request: HttpRequest | None, programme: Programme, manages: bool
) -> dict[str, Any] | None:
    if programme.format != Format.FLASH_ROUNDS:
        return None
    return {"programme": programme}


@panel("programmes.my_part", template="flash/_my_part.html", order=50)
def my_rounds(
    *, request: HttpRequest | None, programme: Programme, enrolment: Enrolment
) -> dict[str, Any] | None:
    if programme.format != Format.FLASH_ROUNDS:
        return None
    return {"programme": programme}
