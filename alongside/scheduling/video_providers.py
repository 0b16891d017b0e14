"""Creating meetings through the Zoom and Microsoft Graph APIs, and Jitsi room names.

Both providers use server-to-server OAuth (the client-credentials grant): Zoom's
account credentials (account ID, client ID and secret of a Server-to-Server OAuth app),
Microsoft's app registration in the organisation's directory (tenant ID, client ID and
secret, with the OnlineMeetings.ReadWrite.All application permission and an
application access policy for the organiser). One meeting is created per relationship
and kept for all its meetings: Zoom's "recurring, no fixed time" type, and a Teams
online meeting spanning the programme.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
from django.conf import settings
from django.utils.translation import gettext as _

USER_AGENT = "Alongside/1"


class VideoProviderError(Exception):
    """A provider refused or could not be reached; ``message`` says which and why.

    ``retryable`` is False when retrying cannot help (wrong credentials, a missing
    permission), so the link is marked failed until an admin fixes the account.
    """

    def __init__(self, message: str, *, retryable: bool = True) -> None:
        super().__init__(message)
        self.message = message
        self.retryable = retryable


@dataclass(frozen=True)
class Credentials:
    account_id: str
    client_id: str
    client_secret: str
    organizer: str = ""


@dataclass(frozen=True)
class CreatedMeeting:
    url: str
    external_id: str


def jitsi_room_url() -> str:
    """An unguessable room: 128 bits of randomness in the name, nothing about the people."""
    return f"{settings.JITSI_BASE_URL}/Alongside-{secrets.token_hex(16)}"


def _client() -> httpx.Client:
    return httpx.Client(
        timeout=settings.INTEGRATION_TIMEOUT_SECONDS,
        follow_redirects=False,
        headers={"User-Agent": USER_AGENT},
    )


def _refused(provider: str, response: httpx.Response) -> VideoProviderError:
    detail = ""
    try:
        body: Any = response.json()
        if isinstance(body, dict):
            error = body.get("error")
            if isinstance(error, dict):  # Microsoft Graph
                detail = str(error.get("message") or error.get("code") or "")
            else:
                detail = str(
                    body.get("error_description")
                    or body.get("reason")  # Zoom's OAuth errors
                    or body.get("message")
                    or error
                    or ""
                )
    except ValueError:
        detail = response.text[:200]
    retryable = response.status_code in (408, 429) or response.status_code >= 500
    message = _("%(provider)s answered HTTP %(code)d: %(detail)s") % {
        "provider": provider,
        "code": response.status_code,
        "detail": detail or _("no reason given"),
    }
    return VideoProviderError(message, retryable=retryable)


def _post(provider: str, url: str, **kwargs: Any) -> dict[str, Any]:
    try:
        with _client() as client:
            response = client.post(url, **kwargs)
    except httpx.HTTPError as error:
        raise VideoProviderError(
            _("%(provider)s could not be reached: %(error)s")
            % {"provider": provider, "error": str(error) or error.__class__.__name__}
        ) from error
    if not 200 <= response.status_code < 300:
        raise _refused(provider, response)
    try:
        body = response.json()
    except ValueError as error:
        raise VideoProviderError(
            _("%(provider)s answered with something that is not JSON.") % {"provider": provider}
        ) from error
    if not isinstance(body, dict):
        raise VideoProviderError(
            _("%(provider)s answered with an unexpected body.") % {"provider": provider}
        )
    return body


def _token(provider: str, body: dict[str, Any]) -> str:
    token = body.get("access_token")
    if not isinstance(token, str) or not token:
        raise VideoProviderError(
            _("%(provider)s gave no access token.") % {"provider": provider}, retryable=False
        )
    return token


# --- Zoom ------------------------------------------------------------------------------


def zoom_token(credentials: Credentials) -> str:
    body = _post(
        "Zoom",
        settings.ZOOM_OAUTH_URL,
        params={"grant_type": "account_credentials", "account_id": credentials.account_id},
        auth=(credentials.client_id, credentials.client_secret),
    )
    return _token("Zoom", body)


def zoom_meeting_create(credentials: Credentials, *, topic: str) -> CreatedMeeting:
    token = zoom_token(credentials)
    body = _post(
        "Zoom",
        f"{settings.ZOOM_API_URL}/users/me/meetings",
        headers={"Authorization": f"Bearer {token}"},
        json={
            "topic": topic[:200],
            "type": 3,  # recurring with no fixed time: one link for every meeting
            "settings": {"join_before_host": True, "waiting_room": False},
        },
    )
    url = body.get("join_url")
    if not isinstance(url, str) or not url.startswith("https://"):
        raise VideoProviderError(_("Zoom created a meeting without a join address."))
    return CreatedMeeting(url=url, external_id=str(body.get("id", "")))


# --- Microsoft Teams -------------------------------------------------------------------


def microsoft_token(credentials: Credentials) -> str:
    body = _post(
        "Microsoft",
        f"{settings.MICROSOFT_LOGIN_URL}/{credentials.account_id}/oauth2/v2.0/token",
        data={
            "grant_type": "client_credentials",
            "client_id": credentials.client_id,
            "client_secret": credentials.client_secret,
            "scope": "https://graph.microsoft.com/.default",
        },
    )
    return _token("Microsoft", body)


def teams_meeting_create(
    credentials: Credentials, *, subject: str, starts: datetime, ends: datetime
) -> CreatedMeeting:
    token = microsoft_token(credentials)
    body = _post(
        "Microsoft Teams",
        f"{settings.MICROSOFT_GRAPH_URL}/users/{credentials.organizer}/onlineMeetings",
        headers={"Authorization": f"Bearer {token}"},
        json={
            "subject": subject[:200],
            "startDateTime": starts.isoformat(),
            "endDateTime": ends.isoformat(),
        },
    )
    url = body.get("joinWebUrl") or body.get("joinUrl")
    if not isinstance(url, str) or not url.startswith("https://"):
        raise VideoProviderError(_("Microsoft Teams created a meeting without a join address."))
    return CreatedMeeting(url=url, external_id=str(body.get("id", "")))


def check_credentials(provider: str, credentials: Credentials) -> None:
    """Fetch a token once, so that wrong credentials are refused when they are entered."""
    if provider == "zoom":
        zoom_token(credentials)
    else:
        microsoft_token(credentials)
