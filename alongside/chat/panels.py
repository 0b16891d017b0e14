from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from alongside.chat.models import SlackWorkspace, TeamsBot
from alongside.core.panels import panel


@panel("organisations.settings", template="chat/_settings_panel.html", order=12)
def chat_panel(*, request: HttpRequest | None) -> dict[str, Any] | None:
    organisation = getattr(request, "organisation", None)
    if organisation is None:
        return None
    return {
        "slack": SlackWorkspace.objects.filter(organisation=organisation).first(),
        "teams_bot": TeamsBot.objects.filter(organisation=organisation).first(),
    }
