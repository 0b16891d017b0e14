"""Slack through the official ``slack-sdk``: the install (OAuth v2), people found by email,
direct and group messages, and the channel that carries nudges.

The Web API base is ``settings.SLACK_API_URL`` (a local server in the tests). A 429 is
honoured with its ``Retry-After``; ``ok: false`` errors that mean the token no longer
works mark the workspace as needing reconnection, and the message falls back to email.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any
from urllib.error import URLError
from urllib.parse import urlencode

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.web import SlackResponse

from alongside.chat.actions import buttons_for
from alongside.chat.models import SlackUser, SlackWorkspace
from alongside.core.crypto import decrypt
from alongside.core.errors import AlongsideError
from alongside.core.net import retry_after
from alongside.nudges.channels import ChannelUnavailable, TryLater
from alongside.nudges.models import NudgeDelivery
from alongside.nudges.sending import local_time

logger = logging.getLogger(__name__)

BOT_SCOPES = ("chat:write", "im:write", "mpim:write", "users:read", "users:read.email")
#: Errors after which the token is no use until an admin reconnects the workspace.
TOKEN_ERRORS = frozenset(
    {
        "invalid_auth",
        "not_authed",
        "token_revoked",
        "token_expired",
        "account_inactive",
        "missing_scope",
        "no_permission",
        "team_access_not_granted",
        "app_uninstalled",
    }
)
MISS_KEPT_FOR = timedelta(days=1)
STATE_SALT = "alongside.chat.slack-install"
OUTAGE_WAIT = timedelta(minutes=5)


class SlackRefused(Exception):
    def __init__(self, error: str, status: int = 200, retry_at: datetime | None = None) -> None:
        super().__init__(error)
        self.error = error
        self.status = status
        self.retry_at = retry_at


def client(token: str | None = None) -> WebClient:
    return WebClient(
        token=token,
        base_url=settings.SLACK_API_URL,
        timeout=int(settings.INTEGRATION_TIMEOUT_SECONDS),
    )


def call(token: str | None, method: Callable[[WebClient], SlackResponse]) -> dict[str, Any]:
    """One Web API call; Slack's refusals become :class:`SlackRefused`."""
    try:
        response = method(client(token))
    except SlackApiError as error:
        status = error.response.status_code
        data = error.response.data if isinstance(error.response.data, dict) else {}
        name = str(data.get("error") or f"http_{status}")
        at = retry_after(error.response.headers, timezone.now()) if status == 429 else None
        raise SlackRefused(name, status, at) from error
    except (URLError, OSError, TimeoutError) as error:
        raise SlackRefused("unreachable", 0, timezone.now() + OUTAGE_WAIT) from error
    return dict(response.data) if isinstance(response.data, dict) else {}


# --- Install (OAuth v2) ----------------------------------------------------------------


def redirect_uri() -> str:
    return settings.SITE_URL + reverse("slack_oauth_callback")


def install_url(*, organisation_id: int, user_id: int, nonce: str) -> str:
    if not settings.SLACK_CLIENT_ID or not settings.SLACK_CLIENT_SECRET:
        raise AlongsideError(
            _(
                "Slack is not set up on this server: set ALONGSIDE_SLACK_CLIENT_ID and "
                "ALONGSIDE_SLACK_CLIENT_SECRET (see the README)."
            ),
            code="slack_not_configured",
        )
    state = signing.dumps({"o": organisation_id, "u": user_id, "n": nonce}, salt=STATE_SALT)
    query = urlencode(
        {
            "client_id": settings.SLACK_CLIENT_ID,
            "scope": ",".join(BOT_SCOPES),
            "redirect_uri": redirect_uri(),
            "state": state,
        }
    )
    return f"{settings.SLACK_AUTHORIZE_URL}?{query}"


def read_state(state: str) -> dict[str, Any]:
    try:
        data = signing.loads(state, salt=STATE_SALT, max_age=timedelta(minutes=15))
    except signing.BadSignature as error:
        raise AlongsideError(
            _("The Slack sign-in took too long or did not start here; connect again."),
            code="slack_state_invalid",
        ) from error
    if not isinstance(data, dict):
        raise AlongsideError(_("The Slack sign-in is not valid; connect again."))
    return data


def exchange_code(code: str) -> dict[str, Any]:
    """oauth.v2.access: the code for the bot token (client id and secret as Basic auth)."""
    try:
        response = client().oauth_v2_access(
            client_id=settings.SLACK_CLIENT_ID,
            client_secret=settings.SLACK_CLIENT_SECRET,
            code=code,
            redirect_uri=redirect_uri(),
        )
    except SlackApiError as error:
        data = error.response.data if isinstance(error.response.data, dict) else {}
        raise AlongsideError(
            _("Slack did not accept the sign-in (%(error)s); nothing was connected.")
            % {"error": data.get("error") or error.response.status_code},
            code="slack_refused",
        ) from error
    except (URLError, OSError, TimeoutError) as error:
        raise AlongsideError(
            _("Slack could not be reached (%(error)s); nothing was connected.") % {"error": error},
            code="slack_unreachable",
        ) from error
    data = dict(response.data) if isinstance(response.data, dict) else {}
    if data.get("token_type") != "bot" or not data.get("access_token"):
        raise AlongsideError(_("Slack gave no bot token; nothing was connected."))
    return data


# --- People ----------------------------------------------------------------------------


def _token(workspace: SlackWorkspace) -> str:
    return decrypt(workspace.bot_token_encrypted)


def _broken(workspace: SlackWorkspace, error: str) -> ChannelUnavailable:
    reason = _("Slack refused the workspace's token (%(error)s); an admin must reconnect it.") % {
        "error": error
    }
    SlackWorkspace.objects.filter(pk=workspace.pk).update(
        status=SlackWorkspace.Status.BROKEN, status_reason=reason[:300]
    )
    return ChannelUnavailable(reason)


def _refusal(workspace: SlackWorkspace, refused: SlackRefused) -> Exception:
    if refused.retry_at is not None:
        if refused.status == 429:
            return TryLater(_("Slack asked us to slow down (HTTP 429)."), at=refused.retry_at)
        return TryLater(
            _("Slack could not be reached."), at=refused.retry_at, counts_as_attempt=True
        )
    if refused.error in TOKEN_ERRORS:
        return _broken(workspace, refused.error)
    return ChannelUnavailable(_("Slack answered %(error)s.") % {"error": refused.error})


def slack_user_id(workspace: SlackWorkspace, email: str) -> str | None:
    """users.lookupByEmail, remembered with its answer."""
    email = email.lower()
    known = SlackUser.objects.filter(workspace=workspace, email=email).first()
    now = timezone.now()
    if known is not None and (known.found or now - known.looked_up_at < MISS_KEPT_FOR):
        return known.slack_user_id or None
    try:
        data = call(_token(workspace), lambda c: c.users_lookupByEmail(email=email))
        user_id = str(data.get("user", {}).get("id", ""))
    except SlackRefused as refused:
        if refused.error != "users_not_found":
            raise
        user_id = ""
    SlackUser.objects.update_or_create(
        workspace=workspace,
        email=email,
        defaults={"slack_user_id": user_id, "found": bool(user_id), "looked_up_at": now},
    )
    return user_id or None


# --- Messages --------------------------------------------------------------------------


def blocks_for(delivery: NudgeDelivery, items: Sequence[NudgeDelivery]) -> list[dict[str, Any]]:
    text = f"*{delivery.subject}*"
    if items:
        text += "\n" + "\n".join(f"• <{settings.SITE_URL}{i.link}|{i.subject}>" for i in items)
    else:
        text += f"\n{delivery.message}"
        when = local_time(delivery.event_at, delivery.timezone)
        if when:
            text += f"\n_{when}_"
    elements: list[dict[str, Any]] = []
    for index, button in enumerate(buttons_for(delivery)):
        element: dict[str, Any] = {
            "type": "button",
            "text": {"type": "plain_text", "text": button.label[:75]},
            "action_id": f"alongside_{index}",
        }
        if button.token:
            element.update(value=button.token, style="primary")
        else:
            element["url"] = button.url
        elements.append(element)
    return [
        {"type": "section", "text": {"type": "mrkdwn", "text": text[:2900]}},
        {"type": "actions", "elements": elements},
    ]


def _workspace_for(organisation_id: int) -> SlackWorkspace:
    workspace = SlackWorkspace.objects.filter(organisation_id=organisation_id).first()
    if workspace is None:
        raise ChannelUnavailable(_("No Slack workspace is connected to the organisation."))
    if workspace.status != SlackWorkspace.Status.ACTIVE:
        raise ChannelUnavailable(
            workspace.status_reason or _("The Slack workspace needs reconnecting.")
        )
    return workspace


class SlackChannel:
    key = "slack"
    label = gettext_lazy("Slack")

    def send(self, delivery: NudgeDelivery, items: Sequence[NudgeDelivery]) -> str:
        workspace = _workspace_for(delivery.organisation_id)
        try:
            user_id = slack_user_id(workspace, delivery.email)
            if user_id is None:
                raise ChannelUnavailable(
                    _("No Slack user in %(team)s has the address %(email)s.")
                    % {"team": workspace.team_name, "email": delivery.email}
                )
            token = _token(workspace)
            opened = call(token, lambda c: c.conversations_open(users=user_id))
            channel = str(opened.get("channel", {}).get("id", ""))
            blocks = blocks_for(delivery, items)
            posted = call(
                token,
                lambda c: c.chat_postMessage(
                    channel=channel, text=delivery.subject, blocks=blocks, unfurl_links=False
                ),
            )
        except SlackRefused as refused:
            raise _refusal(workspace, refused) from refused
        return f"{posted.get('channel', channel)}/{posted.get('ts', '')}"


def group_message(workspace: SlackWorkspace, user_ids: Sequence[str], text: str, link: str) -> str:
    """Open (or find) the group conversation of these people and post to it."""
    token = _token(workspace)
    opened = call(token, lambda c: c.conversations_open(users=",".join(user_ids)))
    channel = str(opened.get("channel", {}).get("id", ""))
    blocks: list[dict[str, Any]] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": text[:2900]}},
        {
            "type": "actions",
            "elements": [
                {
                    "type": "button",
                    "text": {"type": "plain_text", "text": _("Open Alongside")},
                    "url": link,
                    "action_id": "alongside_open",
                }
            ],
        },
    ]
    posted = call(
        token,
        lambda c: c.chat_postMessage(channel=channel, text=text, blocks=blocks, unfurl_links=False),
    )
    return f"{channel}/{posted.get('ts', '')}"
