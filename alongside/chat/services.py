"""Writes for chat: connecting Slack and Teams, channel webhooks, each person's channels,
and announcements (a Slack group message per new pair or circle, a card in Teams
channels), each sent once: recorded under a unique key, claimed, retried with backoff and
``Retry-After``."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from functools import partial
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from alongside.accounts.models import User
from alongside.audit.services import log_action
from alongside.chat import slack, teams
from alongside.chat.actions import Button
from alongside.chat.models import (
    ChatAnnouncement,
    SlackUser,
    SlackWorkspace,
    TeamsBot,
    TeamsChannelWebhook,
)
from alongside.core.crypto import decrypt, encrypt
from alongside.core.errors import AlongsideError, NotFound, Problem
from alongside.core.languages import in_language
from alongside.core.net import is_private_host, retry_after
from alongside.organisations.models import Organisation
from alongside.programmes.models import Programme
from alongside.relationships.models import Relationship, RelationshipMember

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2))
CLAIM_FOR = timedelta(minutes=2)


# --- Slack -----------------------------------------------------------------------------


@transaction.atomic
def slack_workspace_install(
    *, organisation: Organisation, actor: User, oauth: Mapping[str, Any]
) -> SlackWorkspace:
    """Keep what oauth.v2.access returned: the team and the bot token (encrypted)."""
    team = oauth.get("team") or {}
    workspace, _created = SlackWorkspace.objects.update_or_create(
        organisation=organisation,
        defaults={
            "team_id": str(team.get("id", "")),
            "team_name": str(team.get("name", ""))[:200],
            "app_id": str(oauth.get("app_id", "")),
            "bot_user_id": str(oauth.get("bot_user_id", "")),
            "scopes": str(oauth.get("scope", ""))[:500],
            "bot_token_encrypted": encrypt(str(oauth["access_token"])),
            "status": SlackWorkspace.Status.ACTIVE,
            "status_reason": "",
            "installed_by": actor,
            "installed_at": timezone.now(),
        },
    )
    SlackUser.objects.filter(workspace=workspace).delete()  # another team: look up again
    log_action(
        actor=actor,
        organisation=organisation,
        action="slack.connected",
        target=workspace,
        data={"team": workspace.team_name, "team_id": workspace.team_id},
    )
    return workspace


@transaction.atomic
def slack_workspace_update(
    *, workspace: SlackWorkspace, actor: User, announce_matches: bool
) -> None:
    SlackWorkspace.objects.filter(pk=workspace.pk).update(announce_matches=announce_matches)
    log_action(
        actor=actor,
        organisation=workspace.organisation,
        action="slack.settings_changed",
        target=workspace,
        data={"announce_matches": announce_matches},
    )


@transaction.atomic
def slack_workspace_disconnect(*, organisation: Organisation, actor: User) -> None:
    workspace = SlackWorkspace.objects.filter(organisation=organisation).first()
    if workspace is None:
        raise NotFound(_("No Slack workspace is connected."))
    log_action(
        actor=actor,
        organisation=organisation,
        action="slack.disconnected",
        target=workspace,
        data={"team": workspace.team_name},
    )
    workspace.delete()


# --- Teams -----------------------------------------------------------------------------


def teams_bot_connect(
    *, organisation: Organisation, actor: User, app_id: str, app_password: str, tenant_id: str = ""
) -> TeamsBot:
    """Connect the organisation's Azure bot; its credentials are tried once first."""
    app_id, app_password = app_id.strip(), app_password.strip()
    missing = [
        Problem(_("is required."), field=name)
        for name, value in (("app_id", app_id), ("app_password", app_password))
        if not value
    ]
    if missing:
        raise AlongsideError(
            _("The Teams bot could not be connected: fill in every field."), problems=missing
        )
    teams.forget_token(app_id)
    try:
        teams.bot_token(app_id, app_password)
    except teams.TeamsRefused as refused:
        raise AlongsideError(
            _("The Teams bot was not connected: %(reason)s") % {"reason": refused.message},
            problems=[Problem(refused.message, field="app_password")],
            code="teams_refused",
        ) from refused
    with transaction.atomic():
        bot, _created = TeamsBot.objects.update_or_create(
            organisation=organisation,
            defaults={
                "app_id": app_id,
                "app_password_encrypted": encrypt(app_password),
                "tenant_id": tenant_id.strip(),
                "status": TeamsBot.Status.ACTIVE,
                "status_reason": "",
                "connected_by": actor,
                "connected_at": timezone.now(),
            },
        )
        log_action(
            actor=actor,
            organisation=organisation,
            action="teams.bot_connected",
            target=bot,
            data={"app_id": app_id},
        )
    return bot


@transaction.atomic
def teams_bot_disconnect(*, organisation: Organisation, actor: User) -> None:
    bot = TeamsBot.objects.filter(organisation=organisation).first()
    if bot is None:
        raise NotFound(_("No Teams bot is connected."))
    log_action(actor=actor, organisation=organisation, action="teams.bot_disconnected", target=bot)
    bot.delete()


def _check_webhook_url(url: str) -> str:
    url = url.strip()
    parts = urlsplit(url)
    allow_private = settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES
    problem = ""
    if parts.scheme not in ("https", "http") or not parts.hostname or len(url) > 1000:
        problem = _("must be the full https:// address Teams gave for the channel.")
    elif parts.scheme == "http" and not allow_private:
        problem = _("must use https://.")
    elif not allow_private and is_private_host(parts.hostname):
        problem = _("points to a private or local network address.")
    if problem:
        raise AlongsideError(
            _("The Teams channel address is not usable: it %(problem)s") % {"problem": problem},
            problems=[Problem(problem, field="url")],
        )
    return url


@transaction.atomic
def teams_webhook_add(
    *,
    organisation: Organisation,
    actor: User,
    name: str,
    url: str,
    programme: Programme | None = None,
) -> TeamsChannelWebhook:
    name = name.strip()[:200]
    if not name:
        raise AlongsideError(
            _("Give the channel a name, e.g. “Mentoring announcements”."),
            problems=[Problem(_("is required."), field="name")],
        )
    url = _check_webhook_url(url)
    webhook = TeamsChannelWebhook.objects.create(
        organisation=organisation,
        programme=programme,
        name=name,
        url_encrypted=encrypt(url),
        created_by=actor,
    )
    log_action(
        actor=actor,
        organisation=organisation,
        action="teams.webhook_added",
        target=webhook,
        data={"name": name, "programme": programme.pk if programme else None},
    )
    return webhook


@transaction.atomic
def teams_webhook_remove(*, webhook: TeamsChannelWebhook, actor: User) -> None:
    log_action(
        actor=actor,
        organisation=webhook.organisation,
        action="teams.webhook_removed",
        target=webhook,
        data={"name": webhook.name},
    )
    webhook.delete()


# --- Announcements ---------------------------------------------------------------------


def announcements_for_published(*, relationship_ids: Iterable[int]) -> list[ChatAnnouncement]:
    """After matches are published: a Slack group message for each new relationship whose
    organisation wants it, and one card per Teams channel for the programme."""
    relationships = list(
        Relationship.objects.filter(pk__in=list(relationship_ids))
        .select_related("programme", "organisation")
        .order_by("pk")
    )
    if not relationships:
        return []
    organisation_ids = {r.organisation_id for r in relationships}
    announcing = set(
        SlackWorkspace.objects.filter(
            organisation_id__in=organisation_ids,
            announce_matches=True,
            status=SlackWorkspace.Status.ACTIVE,
        ).values_list("organisation_id", flat=True)
    )
    rows: list[ChatAnnouncement] = []
    for relationship in relationships:
        if relationship.organisation_id not in announcing:
            continue
        link = settings.SITE_URL + reverse(
            "meetings:relationship", args=[relationship.organisation.slug, relationship.pk]
        )
        # Stored as sent: in the organisation's language, which its members share.
        with in_language(relationship.organisation.language):
            title = _("You have been matched in %(programme)s") % {
                "programme": relationship.programme.name
            }
            text = _(
                "Welcome to %(name)s in %(programme)s. Say hello here, then agree your "
                "first meeting time in Alongside."
            ) % {"name": relationship.name, "programme": relationship.programme.name}
        rows.append(
            ChatAnnouncement(
                organisation_id=relationship.organisation_id,
                target=ChatAnnouncement.Target.SLACK_GROUP,
                target_id=relationship.pk,
                event_key="published",
                title=title,
                text=text,
                link=link,
            )
        )
    by_programme: dict[int, list[Relationship]] = {}
    for relationship in relationships:
        by_programme.setdefault(relationship.programme_id, []).append(relationship)
    for programme_id, published in by_programme.items():
        programme = published[0].programme
        hooks = TeamsChannelWebhook.objects.filter(
            organisation_id=programme.organisation_id
        ).filter(Q(programme__isnull=True) | Q(programme_id=programme_id))
        with in_language(programme.organisation.language):
            title = _("Matches published in %(programme)s") % {"programme": programme.name}
            text = ngettext(
                "%(count)d new relationship has started; its members have been told.",
                "%(count)d new relationships have started; their members have been told.",
                len(published),
            ) % {"count": len(published)}
        for hook in hooks:
            rows.append(
                ChatAnnouncement(
                    organisation_id=programme.organisation_id,
                    target=ChatAnnouncement.Target.TEAMS_CHANNEL,
                    target_id=hook.pk,
                    event_key=f"published:{programme_id}:{min(r.pk for r in published)}",
                    title=title,
                    text=text,
                    link=settings.SITE_URL
                    + reverse(
                        "programmes:detail", args=[programme.organisation.slug, programme.pk]
                    ),
                )
            )
    created = ChatAnnouncement.objects.bulk_create(rows, ignore_conflicts=True)
    ids = list(
        ChatAnnouncement.objects.filter(
            status=ChatAnnouncement.Status.PENDING,
            target__in=[r.target for r in created],
            target_id__in=[r.target_id for r in created],
        ).values_list("pk", flat=True)
    )
    from alongside.chat.tasks import send_announcement

    for announcement_id in ids:
        transaction.on_commit(partial(send_announcement.enqueue, announcement_id=announcement_id))
    return created


def _claim(announcement_id: int, now: datetime) -> bool:
    due = Q(status=ChatAnnouncement.Status.PENDING) | Q(
        status=ChatAnnouncement.Status.SENDING, claimed_until__lt=now
    )
    return bool(
        ChatAnnouncement.objects.filter(due, pk=announcement_id, next_attempt_at__lte=now).update(
            status=ChatAnnouncement.Status.SENDING,
            attempts=F("attempts") + 1,
            claimed_until=now + CLAIM_FOR,
        )
    )


class _Later(Exception):
    def __init__(self, reason: str, at: datetime | None, counts: bool = True) -> None:
        super().__init__(reason)
        self.reason = reason
        self.at = at
        self.counts = counts


class _Failed(Exception):
    pass


def announcement_send(*, announcement_id: int, now: datetime | None = None) -> str:
    """Send one announcement if it is due and not claimed elsewhere; returns its status."""
    now = now or timezone.now()
    if not _claim(announcement_id, now):
        return "not due"
    announcement = ChatAnnouncement.objects.get(pk=announcement_id)
    mine = ChatAnnouncement.objects.filter(
        pk=announcement.pk, status=ChatAnnouncement.Status.SENDING
    )
    language = (
        Organisation.objects.filter(pk=announcement.organisation_id)
        .values_list("language", flat=True)
        .first()
    )
    try:
        # Its buttons in the organisation's language, like its stored title and text.
        with in_language(language):
            if announcement.target == ChatAnnouncement.Target.SLACK_GROUP:
                reference = _send_slack_group(announcement)
            else:
                reference = _send_teams_channel(announcement, now)
    except _Later as later:
        if later.counts and announcement.attempts >= MAX_ATTEMPTS:
            mine.update(
                status=ChatAnnouncement.Status.FAILED,
                last_error=later.reason[:500],
                claimed_until=None,
            )
            return str(ChatAnnouncement.Status.FAILED)
        wait = now + BACKOFF[min(announcement.attempts, len(BACKOFF)) - 1]
        at = max(wait, later.at) if later.at else wait
        if not later.counts:
            at = later.at or wait
        mine.update(
            status=ChatAnnouncement.Status.PENDING,
            next_attempt_at=at,
            last_error=later.reason[:500],
            claimed_until=None,
            attempts=F("attempts") - (0 if later.counts else 1),
        )
        return str(ChatAnnouncement.Status.PENDING)
    except _Failed as failed:
        mine.update(
            status=ChatAnnouncement.Status.FAILED, last_error=str(failed)[:500], claimed_until=None
        )
        return str(ChatAnnouncement.Status.FAILED)
    mine.update(
        status=ChatAnnouncement.Status.SENT,
        sent_at=timezone.now(),
        reference=reference[:200],
        last_error="",
        claimed_until=None,
    )
    return str(ChatAnnouncement.Status.SENT)


def _send_slack_group(announcement: ChatAnnouncement) -> str:
    workspace = SlackWorkspace.objects.filter(organisation_id=announcement.organisation_id).first()
    if workspace is None or workspace.status != SlackWorkspace.Status.ACTIVE:
        raise _Failed(_("No working Slack workspace is connected."))
    emails = list(
        RelationshipMember.objects.filter(relationship_id=announcement.target_id, is_active=True)
        .values_list("person__email", flat=True)
        .order_by("person__email")
    )
    try:
        users = [uid for uid in (slack.slack_user_id(workspace, e) for e in emails) if uid]
        if len(users) < 2:
            raise _Failed(
                _("Fewer than two of the members are on Slack; no group message was opened.")
            )
        return slack.group_message(
            workspace, users, f"*{announcement.title}*\n{announcement.text}", announcement.link
        )
    except slack.SlackRefused as refused:
        if refused.status == 429:
            raise _Later(
                _("Slack asked us to slow down (HTTP 429)."), refused.retry_at, counts=False
            ) from refused
        if refused.retry_at is not None:
            raise _Later(_("Slack could not be reached."), refused.retry_at) from refused
        if refused.error in slack.TOKEN_ERRORS:
            raise _Failed(str(slack._broken(workspace, refused.error))) from refused
        raise _Failed(_("Slack answered %(error)s.") % {"error": refused.error}) from refused


def _send_teams_channel(announcement: ChatAnnouncement, now: datetime) -> str:
    webhook = TeamsChannelWebhook.objects.filter(pk=announcement.target_id).first()
    if webhook is None:
        raise _Failed(_("The Teams channel address was removed."))
    content = teams.card(
        announcement.title, announcement.text, [Button(_("Open Alongside"), announcement.link)]
    )
    try:
        teams.post_to_webhook(
            decrypt(webhook.url_encrypted), teams.card_message(content, announcement.title)
        )
    except teams.TeamsRefused as refused:
        at = retry_after(refused.response.headers, now) if refused.response is not None else None
        if refused.status == 429:
            raise _Later(
                _("Teams asked us to slow down (HTTP 429)."), at, counts=False
            ) from refused
        if refused.status == 0 or refused.status >= 500 or refused.status == 408:
            raise _Later(refused.message, at) from refused
        raise _Failed(refused.message) from refused
    return str(webhook.pk)


def announcements_send_due(*, now: datetime | None = None, limit: int = 200) -> int:
    now = now or timezone.now()
    due = (
        ChatAnnouncement.objects.filter(next_attempt_at__lte=now)
        .filter(
            Q(status=ChatAnnouncement.Status.PENDING)
            | Q(status=ChatAnnouncement.Status.SENDING, claimed_until__lt=now)
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    sent = 0
    for announcement_id in list(due):
        sent += announcement_send(announcement_id=announcement_id, now=now) == "sent"
    return sent
