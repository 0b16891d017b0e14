"""Pages: Settings › Slack and Teams (admins); the Slack install's callback; the endpoints
Slack and Teams call back (their own signatures); the one-click action page."""

from __future__ import annotations

import json
import secrets
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST
from slack_sdk.signature import SignatureVerifier

from alongside.accounts.api_auth import request_user
from alongside.chat import slack, teams
from alongside.chat.actions import action_perform, action_read
from alongside.chat.models import (
    ChatAnnouncement,
    SlackWorkspace,
    TeamsBot,
    TeamsChannelWebhook,
)
from alongside.chat.services import (
    slack_workspace_disconnect,
    slack_workspace_install,
    slack_workspace_update,
    teams_bot_connect,
    teams_bot_disconnect,
    teams_webhook_add,
    teams_webhook_remove,
)
from alongside.core.errors import AlongsideError, NotFound
from alongside.core.messages import show_error
from alongside.organisations.models import Membership, Organisation, Role
from alongside.organisations.tenancy import ADMINS, OrgRequest, org_view
from alongside.programmes.models import Programme

NONCE = "slack_install_nonce"


def _settings(request: OrgRequest) -> HttpResponse:
    return redirect("chat:settings", request.organisation.slug)


@org_view(*ADMINS)
def chat_settings(request: OrgRequest) -> HttpResponse:
    organisation = request.organisation
    return render(
        request,
        "chat/settings.html",
        {
            "slack": SlackWorkspace.objects.filter(organisation=organisation).first(),
            "slack_ready": bool(settings.SLACK_CLIENT_ID and settings.SLACK_CLIENT_SECRET),
            "scopes": slack.BOT_SCOPES,
            "teams_bot": TeamsBot.objects.filter(organisation=organisation).first(),
            "webhooks": TeamsChannelWebhook.objects.filter(organisation=organisation)
            .select_related("programme")
            .order_by("name"),
            "programmes": Programme.objects.filter(organisation=organisation).order_by("name"),
            "announcements": ChatAnnouncement.objects.filter(organisation=organisation)[:20],
            "messaging_endpoint": settings.SITE_URL
            + reverse("teams_messages", args=[organisation.slug]),
        },
    )


@org_view(*ADMINS)
@require_POST
def slack_install(request: OrgRequest) -> HttpResponse:
    nonce = secrets.token_urlsafe(16)
    try:
        url = slack.install_url(
            organisation_id=request.organisation.pk, user_id=request.user.pk, nonce=nonce
        )
    except AlongsideError as error:
        show_error(request, error)
        return _settings(request)
    request.session[NONCE] = nonce
    return redirect(url)


@login_required
@require_GET
def slack_oauth_callback(request: HttpRequest) -> HttpResponse:
    """Slack sends the admin back here with a code (or an error) and our signed state."""
    user = request_user(request)
    try:
        state = slack.read_state(request.GET.get("state", ""))
    except AlongsideError as error:
        show_error(request, error)
        return redirect("home")
    expected = request.session.pop(NONCE, None)
    membership = (
        Membership.objects.filter(
            user=user, organisation_id=int(state.get("o") or 0), role=Role.ADMIN
        )
        .select_related("organisation")
        .first()
    )
    # A browser-started install is bound to this session; one started through the API
    # (its address signed for this very user) carries no session nonce.
    nonce_ok = state.get("n") == "" or state.get("n") == expected
    if membership is None or state.get("u") != user.pk or not nonce_ok:
        raise Http404("No such Slack sign-in.")
    organisation: Organisation = membership.organisation
    if request.GET.get("error"):
        show_error(
            request,
            _("Slack was not connected: %(error)s.") % {"error": request.GET.get("error")},
        )
        return redirect("chat:settings", organisation.slug)
    try:
        # The code lives for minutes: it is exchanged now, while the admin waits.
        oauth = slack.exchange_code(request.GET.get("code", ""))
        workspace = slack_workspace_install(organisation=organisation, actor=user, oauth=oauth)
    except AlongsideError as error:
        show_error(request, error)
    else:
        messages.success(
            request, _("Slack workspace %(team)s is connected.") % {"team": workspace.team_name}
        )
    return redirect("chat:settings", organisation.slug)


@org_view(*ADMINS)
@require_POST
def slack_update(request: OrgRequest) -> HttpResponse:
    workspace = SlackWorkspace.objects.filter(organisation=request.organisation).first()
    if workspace is None:
        raise Http404("No Slack workspace.")
    slack_workspace_update(
        workspace=workspace,
        actor=request.user,
        announce_matches=request.POST.get("announce_matches") == "on",
    )
    messages.success(request, _("Slack settings saved."))
    return _settings(request)


@org_view(*ADMINS)
@require_POST
def slack_disconnect(request: OrgRequest) -> HttpResponse:
    try:
        slack_workspace_disconnect(organisation=request.organisation, actor=request.user)
    except NotFound as error:
        raise Http404(error.message) from error
    messages.success(request, _("Slack is disconnected; messages go by email again."))
    return _settings(request)


@org_view(*ADMINS)
@require_POST
def teams_connect(request: OrgRequest) -> HttpResponse:
    try:
        teams_bot_connect(
            organisation=request.organisation,
            actor=request.user,
            app_id=request.POST.get("app_id", ""),
            app_password=request.POST.get("app_password", ""),
            tenant_id=request.POST.get("tenant_id", ""),
        )
    except AlongsideError as error:
        show_error(request, error)
    else:
        messages.success(request, _("The Teams bot is connected."))
    return _settings(request)


@org_view(*ADMINS)
@require_POST
def teams_disconnect(request: OrgRequest) -> HttpResponse:
    try:
        teams_bot_disconnect(organisation=request.organisation, actor=request.user)
    except NotFound as error:
        raise Http404(error.message) from error
    messages.success(request, _("The Teams bot is disconnected."))
    return _settings(request)


@org_view(*ADMINS)
@require_POST
def webhook_add(request: OrgRequest) -> HttpResponse:
    programme = None
    chosen = request.POST.get("programme", "").strip()
    if chosen:
        if not chosen.isdigit():
            raise Http404("No such programme.")
        programme = Programme.objects.filter(organisation=request.organisation, pk=chosen).first()
        if programme is None:
            raise Http404("No such programme.")
    try:
        teams_webhook_add(
            organisation=request.organisation,
            actor=request.user,
            name=request.POST.get("name", ""),
            url=request.POST.get("url", ""),
            programme=programme,
        )
    except AlongsideError as error:
        show_error(request, error)
    else:
        messages.success(request, _("The Teams channel will get programme announcements."))
    return _settings(request)


@org_view(*ADMINS)
@require_POST
def webhook_remove(request: OrgRequest, webhook_id: int) -> HttpResponse:
    webhook = TeamsChannelWebhook.objects.filter(
        organisation=request.organisation, pk=webhook_id
    ).first()
    if webhook is None:
        raise Http404("No such Teams channel.")
    teams_webhook_remove(webhook=webhook, actor=request.user)
    messages.success(request, _("The Teams channel is removed."))
    return _settings(request)


# --- Called back by people and by the chat services --------------------------------------


def action_page(request: HttpRequest, token: str) -> HttpResponse:
    """The page behind a card's button: what it does, and one button to do it. The token
    in the address is the credential, as in a calendar feed."""
    error = ""
    done = False
    pending = None
    try:
        pending = action_read(token)
        if request.method == "POST":
            action_perform(token)
            done = True
    except AlongsideError as failure:
        error = failure.message
    status = 400 if error and pending is None else 200
    return render(
        request,
        "chat/action.html",
        {"pending": pending, "error": error, "done": done},
        status=status,
    )


@csrf_exempt
@require_POST
def slack_interactions(request: HttpRequest) -> HttpResponse:
    """Slack's interactivity request URL: a button click, signed with the app's secret."""
    verifier = SignatureVerifier(settings.SLACK_SIGNING_SECRET)
    if not settings.SLACK_SIGNING_SECRET or not verifier.is_valid_request(
        request.body, dict(request.headers)
    ):
        return JsonResponse({"error": "invalid signature"}, status=401)
    try:
        payload = json.loads(request.POST.get("payload", ""))
    except ValueError:
        return JsonResponse({"error": "no payload"}, status=400)
    replies = []
    for action in payload.get("actions", []):
        token = str(action.get("value", ""))
        if not token:
            continue  # a link button: Slack opened the page itself
        try:
            action_perform(token)
            replies.append(_("Done: your commitment is marked as done."))
        except AlongsideError as error:
            replies.append(error.message)
    body: dict[str, Any] = {"response_type": "ephemeral", "replace_original": False}
    body["text"] = " ".join(replies) or _("Nothing to do.")
    return JsonResponse(body)


@csrf_exempt
@require_POST
def teams_messages(request: HttpRequest, org_slug: str) -> HttpResponse:
    """The bot's messaging endpoint (Bot Framework): installs and Action.Submit clicks."""
    bot = TeamsBot.objects.filter(organisation__slug=org_slug).first()
    if bot is None:
        raise Http404("No such bot.")
    try:
        activity = json.loads(request.body)
    except ValueError:
        return JsonResponse({"error": "not JSON"}, status=400)
    try:
        teams.verify_request(bot, request.headers.get("Authorization", ""), activity)
    except Exception as error:
        raise PermissionDenied("The request is not signed by the Bot Framework.") from error
    kind = activity.get("type")
    if kind in ("conversationUpdate", "installationUpdate"):
        if kind == "installationUpdate" and activity.get("action") == "remove":
            return HttpResponse(status=200)
        try:
            teams.remember_conversation(bot, activity)
        except teams.TeamsRefused as refused:
            return JsonResponse({"error": refused.message}, status=502)
    elif kind == "message":
        value = activity.get("value") or {}
        token = value.get("alongside_action") if isinstance(value, dict) else None
        if token:
            try:
                action_perform(str(token))
            except AlongsideError as error:
                return JsonResponse({"type": "message", "text": error.message})
            return JsonResponse({"type": "message", "text": _("Done: marked as done.")})
    return HttpResponse(status=200)


urlpatterns: list[URLPattern] = [
    path("", chat_settings, name="settings"),
    path("slack/install/", slack_install, name="slack_install"),
    path("slack/settings/", slack_update, name="slack_update"),
    path("slack/disconnect/", slack_disconnect, name="slack_disconnect"),
    path("teams/connect/", teams_connect, name="teams_connect"),
    path("teams/disconnect/", teams_disconnect, name="teams_disconnect"),
    path("teams/channels/", webhook_add, name="webhook_add"),
    path("teams/channels/<int:webhook_id>/remove/", webhook_remove, name="webhook_remove"),
]

#: Outside any organisation's pages: callbacks with their own credentials.
integration_urlpatterns: list[URLPattern] = [
    path("slack/oauth/callback", slack_oauth_callback, name="slack_oauth_callback"),
    path("slack/interactions", slack_interactions, name="slack_interactions"),
    path("teams/<slug:org_slug>/messages", teams_messages, name="teams_messages"),
    path("act/<str:token>/", action_page, name="chat_action"),
]
