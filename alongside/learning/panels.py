from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from alongside.core.panels import panel
from alongside.programmes.models import Format, Programme, Stage


@panel("programmes.detail", template="learning/_programme_panel.html", order=60)
def learning_panel(
    *, request: HttpRequest | None, programme: Programme, manages: bool
) -> dict[str, Any] | None:
    if not manages or programme.format == Format.FLASH_ROUNDS:
        return None
    if programme.stage not in (Stage.RUNNING, Stage.CLOSING, Stage.CLOSED):
        return None
    return {"programme": programme}
