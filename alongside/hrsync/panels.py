from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from alongside.core.panels import panel


@panel("organisations.settings", template="hrsync/_settings_link.html", order=15)
def hr_sync_link(*, request: HttpRequest | None) -> dict[str, Any]:
    return {}
