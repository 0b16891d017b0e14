"""Slack and Teams in the API: organisation admins only. (Connecting Slack needs a
browser: the API gives the address to open.)"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from alongside.accounts.api_auth import request_user
from alongside.chat import slack
from alongside.chat.models import ChatAnnouncement, SlackWorkspace, TeamsBot, TeamsChannelWebhook
from alongside.chat.services import (
    slack_workspace_disconnect,
    slack_workspace_update,
    teams_bot_connect,
    teams_bot_disconnect,
    teams_webhook_add,
    teams_webhook_remove,
)
from alongside.core.errors import NotFound
from alongside.core.schemas import ERRORS, Schema
from alongside.organisations.api_auth import membership_for
from alongside.organisations.models import Membership, Role
from alongside.programmes.models import Programme

router = Router(tags=["chat"])
BASE = "/{org_slug}/chat"


class SlackOut(Schema):
    team_id: str
    team_name: str
    scopes: str
    status: str
    status_reason: str
    announce_matches: bool
    installed_at: datetime


class TeamsBotOut(Schema):
    app_id: str
    tenant_id: str
    status: str
    status_reason: str
    people_reached: int


class WebhookOut(Schema):
    id: int
    name: str
    programme_id: int | None


class ChatOut(Schema):
    slack: SlackOut | None
    teams_bot: TeamsBotOut | None
    teams_channels: list[WebhookOut]


class InstallOut(Schema):
    url: str


class SlackPatch(Schema):
    announce_matches: bool


class TeamsBotIn(Schema):
    app_id: str
    app_password: str
    tenant_id: str = ""


class WebhookIn(Schema):
    name: str
    url: str
    programme_id: int | None = None


class AnnouncementOut(Schema):
    id: int
    target: str
    target_id: int
    title: str
    status: str
    attempts: int
    last_error: str
    created_at: datetime
    sent_at: datetime | None


def _admin(request: HttpRequest, org_slug: str) -> Membership:
    return membership_for(request, org_slug, Role.ADMIN)


def _state(membership: Membership) -> dict[str, Any]:
    organisation = membership.organisation
    workspace = SlackWorkspace.objects.filter(organisation=organisation).first()
    bot = TeamsBot.objects.filter(organisation=organisation).first()
    return {
        "slack": workspace,
        "teams_bot": (
            {
                "app_id": bot.app_id,
                "tenant_id": bot.tenant_id,
                "status": bot.status,
                "status_reason": bot.status_reason,
                "people_reached": bot.conversations.count(),
            }
            if bot
            else None
        ),
        "teams_channels": list(
            TeamsChannelWebhook.objects.filter(organisation=organisation).order_by("name")
        ),
    }


@router.get(BASE, response={200: ChatOut, **ERRORS}, summary="Slack and Teams as connected")
def get_chat(request: HttpRequest, org_slug: str) -> Any:
    return _state(_admin(request, org_slug))


@router.post(
    f"{BASE}/slack/install",
    response={200: InstallOut, **ERRORS},
    summary="The Slack address to open in a browser to install the app (OAuth v2)",
)
def slack_install(request: HttpRequest, org_slug: str) -> Any:
    membership = _admin(request, org_slug)
    # Signed for this user alone; opened in a browser where they are signed in.
    url = slack.install_url(
        organisation_id=membership.organisation.pk, user_id=membership.user_id, nonce=""
    )
    return {"url": url}


@router.patch(f"{BASE}/slack", response={200: ChatOut, **ERRORS}, summary="Slack settings")
def update_slack(request: HttpRequest, org_slug: str, payload: SlackPatch) -> Any:
    membership = _admin(request, org_slug)
    workspace = SlackWorkspace.objects.filter(organisation=membership.organisation).first()
    if workspace is None:
        raise NotFound("No Slack workspace is connected.")
    slack_workspace_update(
        workspace=workspace, actor=request_user(request), announce_matches=payload.announce_matches
    )
    return _state(membership)


@router.delete(f"{BASE}/slack", response={204: None, **ERRORS}, summary="Disconnect Slack")
def delete_slack(request: HttpRequest, org_slug: str) -> Any:
    membership = _admin(request, org_slug)
    slack_workspace_disconnect(organisation=membership.organisation, actor=request_user(request))
    return Status(204, None)


@router.put(
    f"{BASE}/teams-bot",
    response={200: ChatOut, **ERRORS},
    summary="Connect the organisation's Azure bot (its credentials are tried first)",
)
def set_teams_bot(request: HttpRequest, org_slug: str, payload: TeamsBotIn) -> Any:
    membership = _admin(request, org_slug)
    teams_bot_connect(
        organisation=membership.organisation, actor=request_user(request), **payload.dict()
    )
    return _state(membership)


@router.delete(f"{BASE}/teams-bot", response={204: None, **ERRORS}, summary="Disconnect the bot")
def delete_teams_bot(request: HttpRequest, org_slug: str) -> Any:
    membership = _admin(request, org_slug)
    teams_bot_disconnect(organisation=membership.organisation, actor=request_user(request))
    return Status(204, None)


@router.post(
    f"{BASE}/teams-channels",
    response={201: WebhookOut, **ERRORS},
    summary="Add a Teams channel (incoming webhook or Workflows address) for announcements",
)
def add_teams_channel(request: HttpRequest, org_slug: str, payload: WebhookIn) -> Any:
    membership = _admin(request, org_slug)
    programme = None
    if payload.programme_id is not None:
        programme = Programme.objects.filter(
            organisation=membership.organisation, pk=payload.programme_id
        ).first()
        if programme is None:
            raise NotFound("No such programme.")
    webhook = teams_webhook_add(
        organisation=membership.organisation,
        actor=request_user(request),
        name=payload.name,
        url=payload.url,
        programme=programme,
    )
    return Status(201, webhook)


@router.delete(
    f"{BASE}/teams-channels/{{int:webhook_id}}",
    response={204: None, **ERRORS},
    summary="Remove a Teams channel",
)
def remove_teams_channel(request: HttpRequest, org_slug: str, webhook_id: int) -> Any:
    membership = _admin(request, org_slug)
    webhook = TeamsChannelWebhook.objects.filter(
        organisation=membership.organisation, pk=webhook_id
    ).first()
    if webhook is None:
        raise NotFound("No such Teams channel.")
    teams_webhook_remove(webhook=webhook, actor=request_user(request))
    return Status(204, None)


@router.get(
    f"{BASE}/announcements",
    response={200: list[AnnouncementOut], **ERRORS},
    summary="The last 100 announcements and whether they went",
)
def list_announcements(request: HttpRequest, org_slug: str) -> Any:
    membership = _admin(request, org_slug)
    return list(ChatAnnouncement.objects.filter(organisation=membership.organisation)[:100])
