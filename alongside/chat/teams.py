"""Microsoft Teams: proactive 1:1 messages through the organisation's Azure bot (Bot
Framework REST API), Adaptive Cards with one-click actions, channel announcements through
incoming webhook / Workflows addresses, and the bot's messaging endpoint.

The token endpoint and the OpenID metadata (whose keys sign what Teams sends) come from
settings; a conversation's service URL comes from the verified activity that installed
the bot, so tests point all three at a local server.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Sequence
from datetime import timedelta
from functools import lru_cache
from typing import Any

import httpx
import jwt
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from alongside.chat.actions import Button, buttons_for
from alongside.chat.models import TeamsBot, TeamsConversation
from alongside.core.crypto import decrypt
from alongside.core.net import retry_after
from alongside.nudges.channels import ChannelUnavailable, TryLater
from alongside.nudges.models import NudgeDelivery
from alongside.nudges.sending import local_time
from alongside.people.models import Person

logger = logging.getLogger(__name__)

CARD = "application/vnd.microsoft.card.adaptive"
SCOPE = "https://api.botframework.com/.default"
OUTAGE_WAIT = timedelta(minutes=5)
_tokens: dict[str, tuple[str, float]] = {}
_tokens_lock = threading.Lock()


class TeamsRefused(Exception):
    def __init__(self, message: str, status: int = 0, response: httpx.Response | None = None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.response = response


def _http() -> httpx.Client:
    return httpx.Client(timeout=settings.INTEGRATION_TIMEOUT_SECONDS, follow_redirects=False)


# --- Cards -----------------------------------------------------------------------------


def card(
    title: str, text: str, buttons: Sequence[Button], *, submit: bool = True
) -> dict[str, Any]:
    """An Adaptive Card; a button with a token is an Action.Submit to the bot when the card
    comes from the bot, else a link to the action's page."""
    from alongside.chat.actions import action_url

    actions: list[dict[str, Any]] = []
    for button in buttons:
        if button.token and submit:
            actions.append(
                {
                    "type": "Action.Submit",
                    "title": button.label,
                    "data": {"alongside_action": button.token},
                }
            )
        elif button.token:
            actions.append(
                {"type": "Action.OpenUrl", "title": button.label, "url": action_url(button.token)}
            )
        else:
            actions.append({"type": "Action.OpenUrl", "title": button.label, "url": button.url})
    return {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": [
            {
                "type": "TextBlock",
                "text": title,
                "weight": "Bolder",
                "size": "Medium",
                "wrap": True,
            },
            {"type": "TextBlock", "text": text, "wrap": True},
        ],
        "actions": actions,
    }


def card_message(content: dict[str, Any], summary: str) -> dict[str, Any]:
    return {
        "type": "message",
        "summary": summary[:200],
        "attachments": [{"contentType": CARD, "contentUrl": None, "content": content}],
    }


# --- The bot's token and the connector -------------------------------------------------


def bot_token(app_id: str, password: str) -> str:
    with _tokens_lock:
        cached = _tokens.get(app_id)
        if cached and cached[1] > time.monotonic() + 60:
            return cached[0]
    try:
        with _http() as client:
            response = client.post(
                settings.TEAMS_TOKEN_URL,
                data={
                    "grant_type": "client_credentials",
                    "client_id": app_id,
                    "client_secret": password,
                    "scope": SCOPE,
                },
            )
    except httpx.HTTPError as error:
        raise TeamsRefused(
            _("The Microsoft sign-in service could not be reached: %(e)s") % {"e": error}
        ) from error
    body: dict[str, Any] = {}
    with contextlib.suppress(ValueError):
        body = response.json()
    if response.status_code != 200 or not body.get("access_token"):
        detail = body.get("error_description") or body.get("error") or response.status_code
        raise TeamsRefused(
            _("Microsoft refused the bot's app id or password (%(detail)s).") % {"detail": detail},
            response.status_code,
        )
    token = str(body["access_token"])
    with _tokens_lock:
        _tokens[app_id] = (token, time.monotonic() + float(body.get("expires_in", 3600)))
    return token


def forget_token(app_id: str) -> None:
    with _tokens_lock:
        _tokens.pop(app_id, None)


def _connector(bot: TeamsBot, method: str, url: str, body: dict[str, Any] | None = None) -> Any:
    token = bot_token(bot.app_id, decrypt(bot.app_password_encrypted))
    try:
        with _http() as client:
            response = client.request(
                method, url, json=body, headers={"Authorization": f"Bearer {token}"}
            )
    except httpx.HTTPError as error:
        raise TeamsRefused(_("Teams could not be reached: %(e)s") % {"e": error}) from error
    if not 200 <= response.status_code < 300:
        raise TeamsRefused(
            _("Teams answered HTTP %(code)d.") % {"code": response.status_code},
            response.status_code,
            response,
        )
    return response.json() if response.content else {}


# --- The channel -----------------------------------------------------------------------


def _active_bot(organisation_id: int) -> TeamsBot:
    bot = TeamsBot.objects.filter(organisation_id=organisation_id).first()
    if bot is None:
        raise ChannelUnavailable(_("No Teams bot is connected to the organisation."))
    if bot.status != TeamsBot.Status.ACTIVE:
        raise ChannelUnavailable(bot.status_reason or _("The Teams bot needs new credentials."))
    return bot


class TeamsChannel:
    key = "teams"
    label = gettext_lazy("Microsoft Teams")

    def send(self, delivery: NudgeDelivery, items: Sequence[NudgeDelivery]) -> str:
        bot = _active_bot(delivery.organisation_id)
        conversation = TeamsConversation.objects.filter(
            bot=bot, email__iexact=delivery.email
        ).first()
        if conversation is None:
            raise ChannelUnavailable(
                _("The Alongside bot is not installed in Teams for %(email)s.")
                % {"email": delivery.email}
            )
        if items:
            text = "\n\n".join(f"- [{i.subject}]({settings.SITE_URL}{i.link})" for i in items)
        else:
            when = local_time(delivery.event_at, delivery.timezone)
            text = delivery.message + (f"\n\n{when}" if when else "")
        message = card_message(
            card(delivery.subject, text, buttons_for(delivery)), delivery.subject
        )
        base = conversation.service_url.rstrip("/")
        url = f"{base}/v3/conversations/{conversation.conversation_id}/activities"
        try:
            answer = _connector(bot, "POST", url, message)
        except TeamsRefused as refused:
            if refused.status == 429 or refused.status >= 500 or refused.status == 0:
                now = timezone.now()
                at = (
                    retry_after(refused.response.headers, now)
                    if refused.response is not None
                    else None
                )
                if refused.status == 429:
                    raise TryLater(
                        _("Teams asked us to slow down (HTTP 429)."),
                        at=at or now + timedelta(seconds=30),
                    ) from refused
                raise TryLater(
                    refused.message, at=at or now + OUTAGE_WAIT, counts_as_attempt=True
                ) from refused
            if refused.response is None and refused.status in (400, 401):
                TeamsBot.objects.filter(pk=bot.pk).update(
                    status=TeamsBot.Status.BROKEN, status_reason=refused.message[:300]
                )
            if refused.status in (403, 404):
                # The bot was removed or blocked by the person: it cannot write to them.
                conversation.delete()
                raise ChannelUnavailable(
                    _("Teams no longer lets the bot write to %(email)s (HTTP %(code)d).")
                    % {"email": delivery.email, "code": refused.status}
                ) from refused
            raise ChannelUnavailable(refused.message) from refused
        return str(answer.get("id", ""))


# --- Channel webhooks ------------------------------------------------------------------


def post_to_webhook(url: str, message: dict[str, Any]) -> None:
    """Raises TeamsRefused (with the response, for Retry-After) unless accepted."""
    try:
        with _http() as client:
            response = client.post(url, json=message)
    except httpx.HTTPError as error:
        raise TeamsRefused(
            _("The Teams channel address could not be reached: %(e)s") % {"e": error}
        ) from error
    if not 200 <= response.status_code < 300:
        raise TeamsRefused(
            _("The Teams channel answered HTTP %(code)d.") % {"code": response.status_code},
            response.status_code,
            response,
        )


# --- The messaging endpoint ------------------------------------------------------------


@lru_cache(maxsize=16)
def _jwks_client(jwks_uri: str) -> jwt.PyJWKClient:
    return jwt.PyJWKClient(jwks_uri, cache_keys=True, lifespan=3600)


def verify_request(bot: TeamsBot, authorization: str, activity: dict[str, Any]) -> dict[str, Any]:
    """The Bot Framework's bearer token: signed by a key from its OpenID metadata, issued
    for this bot (audience), and naming the service URL the activity came from."""
    if not authorization.startswith("Bearer "):
        raise PermissionError("no bearer token")
    token = authorization.removeprefix("Bearer ").strip()
    with _http() as client:
        metadata = client.get(settings.TEAMS_OPENID_METADATA_URL).json()
    signing_key = _jwks_client(str(metadata["jwks_uri"])).get_signing_key_from_jwt(token)
    claims = jwt.decode(
        token,
        signing_key.key,
        algorithms=["RS256"],
        audience=bot.app_id,
        issuer=settings.TEAMS_TOKEN_ISSUER,
        leeway=300,
    )
    if claims.get("serviceurl") and claims["serviceurl"] != activity.get("serviceUrl"):
        raise PermissionError("the token names another service URL")
    return dict(claims)


def remember_conversation(bot: TeamsBot, activity: dict[str, Any]) -> TeamsConversation | None:
    """When the bot is installed for a person (personal scope), keep where to write to them."""
    conversation = activity.get("conversation") or {}
    if conversation.get("conversationType", "personal") != "personal":
        return None
    service_url = str(activity.get("serviceUrl", ""))
    bot_id = (activity.get("recipient") or {}).get("id")
    users = [m for m in activity.get("membersAdded") or [] if m.get("id") != bot_id]
    if activity.get("type") == "installationUpdate" or not users:
        users = [activity.get("from") or {}]
    stored = None
    for user in users:
        if not user.get("id"):
            continue
        member = _connector(
            bot,
            "GET",
            f"{service_url.rstrip('/')}/v3/conversations/{conversation['id']}/members/{user['id']}",
        )
        email = str(member.get("email") or member.get("userPrincipalName") or "").lower()
        if not email:
            continue
        person = Person.objects.filter(
            organisation_id=bot.organisation_id, email__iexact=email
        ).first()
        stored, _created = TeamsConversation.objects.update_or_create(
            bot=bot,
            email=email,
            defaults={
                "person": person,
                "user_id": str(user["id"]),
                "aad_object_id": str(member.get("aadObjectId") or user.get("aadObjectId") or ""),
                "conversation_id": str(conversation["id"]),
                "service_url": service_url,
                "tenant_id": str(conversation.get("tenantId") or ""),
                "installed_at": timezone.now(),
            },
        )
    return stored
