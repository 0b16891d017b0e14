"""The programme page shows participants where to choose, and managers how it matches."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from alongside.core.panels import panel
from alongside.programmes.models import Enrolment, Format, Programme, Stage
from alongside.selfmatch.models import ChoiceMode
from alongside.selfmatch.selectors import choice_settings


@panel("programmes.detail", template="selfmatch/_programme_panel.html", order=50)
def choice_panel(
    *, request: HttpRequest | None, programme: Programme, manages: bool
) -> dict[str, Any] | None:
    if programme.format in (Format.PEER_CIRCLES, Format.FLASH_ROUNDS):
        return None
    settings_ = choice_settings(programme)
    if settings_.mode == ChoiceMode.CENTRAL and not manages:
        return None
    return {"programme": programme, "settings": settings_, "manages": manages}


@panel("programmes.my_part", template="selfmatch/_my_part.html", order=50)
def my_choice(
    *, request: HttpRequest | None, programme: Programme, enrolment: Enrolment
) -> dict[str, Any] | None:
    settings_ = choice_settings(programme)
    if settings_.mode == ChoiceMode.CENTRAL:
        return None
    if programme.stage not in (Stage.MATCHING, Stage.RUNNING):
        return None
    return {"programme": programme, "settings": settings_, "enrolment": enrolment}
