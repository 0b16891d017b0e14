"""Video links: a programme's default, each relationship's choice, and connected accounts.

A relationship follows its programme's default unless its members chose otherwise. Its
link is made once and kept: a fixed address as given, a Jitsi room with an unguessable
name, or a Zoom / Teams meeting created by the worker through the organisation's
connected account (never inside a page request). When the link changes, meetings
already in people's calendars get an updated invitation (a higher SEQUENCE).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from functools import partial
from typing import Any
from urllib.parse import urlsplit

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from alongside.accounts.models import User
from alongside.audit.services import log_action
from alongside.core.crypto import decrypt, encrypt
from alongside.core.errors import AlongsideError, NotFound, Problem
from alongside.meetings.models import Meeting
from alongside.organisations.models import Organisation
from alongside.programmes.models import Programme
from alongside.relationships.models import Relationship
from alongside.scheduling import video_providers
from alongside.scheduling.models import (
    ACCOUNT_PROVIDERS,
    FOLLOW_PROGRAMME,
    ProgrammeVideo,
    RelationshipVideo,
    VideoAccount,
    VideoProvider,
)
from alongside.scheduling.video_providers import Credentials, VideoProviderError

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
Status = RelationshipVideo.Status


# --- Reads -----------------------------------------------------------------------------


@dataclass(frozen=True)
class VideoState:
    """What a relationship's page and the API show about its link."""

    choice: str  # a provider, or "programme"
    provider: str  # what is in effect
    fixed_url: str
    url: str
    status: str
    error: str
    programme_provider: str

    @property
    def label(self) -> str:
        return str(VideoProvider(self.provider).label)


def programme_video_of(programme: Programme) -> ProgrammeVideo:
    found = ProgrammeVideo.objects.filter(programme=programme).first()
    return found or ProgrammeVideo(programme=programme)


def _wanted(row: RelationshipVideo | None, default: ProgrammeVideo | None) -> tuple[str, str]:
    """The provider (and fixed address) in effect for a relationship."""
    if row is not None and row.choice != FOLLOW_PROGRAMME:
        return row.choice, row.fixed_url
    if default is not None:
        return default.provider, default.fixed_url
    return VideoProvider.NONE, ""


def video_state(*, relationship: Relationship) -> VideoState:
    row = RelationshipVideo.objects.filter(relationship=relationship).first()
    default = ProgrammeVideo.objects.filter(programme_id=relationship.programme_id).first()
    provider, _fixed = _wanted(row, default)
    current = row is not None and row.provider == provider
    return VideoState(
        choice=row.choice if row is not None else FOLLOW_PROGRAMME,
        provider=provider,
        fixed_url=row.fixed_url if row is not None else "",
        url=row.url if current and row is not None and row.status == Status.READY else "",
        status=row.status if current and row is not None else Status.PENDING,
        error=row.error if current and row is not None else "",
        programme_provider=default.provider if default is not None else VideoProvider.NONE,
    )


def video_url_of(relationship_id: int) -> str:
    """The link to put in invitations and on meeting pages; empty when there is none."""
    return (
        RelationshipVideo.objects.filter(relationship_id=relationship_id, status=Status.READY)
        .values_list("url", flat=True)
        .first()
        or ""
    )


def video_accounts_of(*, organisation: Organisation) -> dict[str, VideoAccount]:
    return {a.provider: a for a in VideoAccount.objects.filter(organisation=organisation)}


# --- Validation ------------------------------------------------------------------------


def _check_fixed_url(url: str) -> str:
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname or len(url) > 500:
        message = _("must be a full https:// address of at most 500 characters.")
        raise AlongsideError(
            _("The video address is not usable: it %(problem)s") % {"problem": message},
            problems=[Problem(message, field="fixed_url")],
        )
    return url


def _check_provider(
    organisation: Organisation, provider: str, fixed_url: str, *, allow_follow: bool
) -> tuple[str, str]:
    allowed = list(VideoProvider.values) + ([FOLLOW_PROGRAMME] if allow_follow else [])
    if provider not in allowed:
        message = _("must be one of %(choices)s.") % {"choices": ", ".join(allowed)}
        raise AlongsideError(
            _("The video link could not be saved: the choice %(problem)s") % {"problem": message},
            problems=[Problem(message, field="provider")],
        )
    if provider == VideoProvider.FIXED:
        return provider, _check_fixed_url(fixed_url)
    if (
        provider in ACCOUNT_PROVIDERS
        and not VideoAccount.objects.filter(organisation=organisation, provider=provider).exists()
    ):
        message = _(
            "needs the organisation's %(provider)s account to be connected first "
            "(Settings › Video meetings)."
        ) % {"provider": VideoProvider(provider).label}
        raise AlongsideError(
            _("The video link could not be saved: %(provider)s %(problem)s")
            % {"provider": VideoProvider(provider).label, "problem": message},
            problems=[Problem(message, field="provider")],
            code="video_account_missing",
        )
    return provider, ""


# --- Choosing --------------------------------------------------------------------------


@transaction.atomic
def programme_video_set(
    *, programme: Programme, actor: User, provider: str, fixed_url: str = ""
) -> ProgrammeVideo:
    """The default link of a programme's relationships; those that follow it change too."""
    provider, fixed_url = _check_provider(
        programme.organisation, provider, fixed_url, allow_follow=False
    )
    default, _created = ProgrammeVideo.objects.update_or_create(
        programme=programme,
        defaults={
            "provider": provider,
            "fixed_url": fixed_url,
            "updated_by": actor,
            "updated_at": timezone.now(),
        },
    )
    log_action(
        actor=actor,
        organisation=programme.organisation,
        action="video.programme_default_set",
        target=programme,
        data={"provider": provider, "fixed_url": fixed_url},
    )
    following = Relationship.objects.filter(
        programme=programme, status=Relationship.Status.ACTIVE
    ).exclude(video__choice__in=list(VideoProvider.values))
    for relationship_id in following.values_list("pk", flat=True):
        relationship_video_refresh(relationship_id=relationship_id)
    return default


@transaction.atomic
def relationship_video_set(
    *, relationship: Relationship, actor: User, choice: str, fixed_url: str = ""
) -> RelationshipVideo:
    choice, fixed_url = _check_provider(
        relationship.organisation, choice, fixed_url, allow_follow=True
    )
    row, _created = RelationshipVideo.objects.select_for_update().get_or_create(
        relationship=relationship
    )
    row.choice = choice
    row.fixed_url = fixed_url
    row.save(update_fields=["choice", "fixed_url"])
    log_action(
        actor=actor,
        organisation=relationship.organisation,
        action="video.relationship_set",
        target=relationship,
        data={"choice": choice, "fixed_url": fixed_url},
    )
    return relationship_video_refresh(relationship_id=relationship.pk)


# --- Making the link -------------------------------------------------------------------


@transaction.atomic
def relationship_video_refresh(*, relationship_id: int) -> RelationshipVideo:
    """Make the relationship's link match its choice; Zoom and Teams are queued."""
    relationship = Relationship.objects.select_related("programme").get(pk=relationship_id)
    row, _created = RelationshipVideo.objects.select_for_update().get_or_create(
        relationship=relationship
    )
    default = ProgrammeVideo.objects.filter(programme_id=relationship.programme_id).first()
    provider, fixed_url = _wanted(row, default)
    before = row.url if row.status == Status.READY else ""
    if (
        provider == row.provider
        and row.status == Status.READY
        and (provider != VideoProvider.FIXED or row.url == fixed_url)
    ):
        return row
    row.provider = provider
    row.error = ""
    row.attempts = 0
    row.external_id = ""
    if provider == VideoProvider.NONE:
        row.url, row.status = "", Status.READY
    elif provider == VideoProvider.FIXED:
        row.url, row.status = fixed_url, Status.READY
    elif provider == VideoProvider.JITSI:
        row.url, row.status = video_providers.jitsi_room_url(), Status.READY
    else:
        row.url, row.status = "", Status.PENDING
    row.updated_at = timezone.now()
    row.save()
    if row.status == Status.PENDING:
        _create_after_commit(row.pk)
    if row.url != before:
        _link_changed(relationship_id)
    return row


def _create_after_commit(row_id: int) -> None:
    from alongside.scheduling.tasks import create_video_meeting

    transaction.on_commit(partial(create_video_meeting.enqueue, video_id=row_id))


def _link_changed(relationship_id: int) -> None:
    """Meetings already in calendars get an update carrying the new link."""
    from alongside.scheduling.invite_services import dispatch_after_commit

    invited = Meeting.objects.filter(
        relationship_id=relationship_id,
        status=Meeting.Status.SCHEDULED,
        starts_at__gt=timezone.now(),
        invite_sent_sequence__isnull=False,
    )
    ids = list(invited.values_list("pk", flat=True))
    if ids:
        Meeting.objects.filter(pk__in=ids).update(
            ical_sequence=F("ical_sequence") + 1, updated_at=timezone.now()
        )
        dispatch_after_commit(meeting_ids=ids)


def _credentials(account: VideoAccount) -> Credentials:
    return Credentials(
        account_id=account.account_id,
        client_id=account.client_id,
        client_secret=decrypt(account.client_secret_encrypted),
        organizer=account.organizer,
    )


def relationship_video_create_meeting(*, video_id: int) -> str:
    """Create the Zoom or Teams meeting of a pending link (the worker); returns its status.

    Claimed by a conditional update, so two workers never create two meetings.
    """
    claimed = RelationshipVideo.objects.filter(
        pk=video_id, status=Status.PENDING, attempts__lt=MAX_ATTEMPTS
    ).update(attempts=F("attempts") + 1, updated_at=timezone.now())
    if not claimed:
        return "not pending"
    row = RelationshipVideo.objects.select_related("relationship__programme").get(pk=video_id)
    relationship = row.relationship
    account = VideoAccount.objects.filter(
        organisation_id=relationship.organisation_id, provider=row.provider
    ).first()
    provider = row.provider
    try:
        if account is None:
            raise VideoProviderError(
                _("The organisation's %(provider)s account is no longer connected.")
                % {"provider": VideoProvider(provider).label},
                retryable=False,
            )
        topic = f"{relationship.name} ({relationship.programme.name})"
        if provider == VideoProvider.ZOOM:
            created = video_providers.zoom_meeting_create(_credentials(account), topic=topic)
        else:
            programme = relationship.programme
            created = video_providers.teams_meeting_create(
                _credentials(account),
                subject=topic,
                starts=datetime.combine(programme.start_date, time(9), tzinfo=UTC),
                ends=datetime.combine(programme.end_date + timedelta(days=1), time(17), tzinfo=UTC),
            )
    except (VideoProviderError, AlongsideError) as error:
        message = getattr(error, "message", str(error))[:500]
        retryable = getattr(error, "retryable", False)
        give_up = not retryable or row.attempts >= MAX_ATTEMPTS
        RelationshipVideo.objects.filter(pk=row.pk, provider=provider).update(
            status=Status.FAILED if give_up else Status.PENDING, error=message
        )
        if account is not None:
            VideoAccount.objects.filter(pk=account.pk).update(last_error=message)
        logger.warning("Video meeting for relationship %s: %s", relationship.pk, message)
        return str(Status.FAILED if give_up else Status.PENDING)
    with transaction.atomic():
        updated = RelationshipVideo.objects.filter(
            pk=row.pk, provider=provider, status=Status.PENDING
        ).update(
            url=created.url,
            external_id=created.external_id,
            status=Status.READY,
            error="",
            updated_at=timezone.now(),
        )
        if updated:
            _link_changed(relationship.pk)
    return str(Status.READY)


def video_links_retry(*, now: datetime | None = None) -> int:
    """The periodic job: links still waiting for their Zoom or Teams meeting."""
    from alongside.scheduling.tasks import create_video_meeting

    ids = list(
        RelationshipVideo.objects.filter(
            status=Status.PENDING, attempts__lt=MAX_ATTEMPTS
        ).values_list("pk", flat=True)[:200]
    )
    for video_id in ids:
        create_video_meeting.enqueue(video_id=video_id)
    return len(ids)


def video_links_for_published(*, relationship_ids: list[int]) -> None:
    """New relationships get the programme's default link."""
    with_default = Relationship.objects.filter(
        pk__in=relationship_ids, programme__video_default__isnull=False
    ).exclude(programme__video_default__provider=VideoProvider.NONE)
    for relationship_id in with_default.values_list("pk", flat=True):
        relationship_video_refresh(relationship_id=relationship_id)


# --- Accounts --------------------------------------------------------------------------


def _required(values: dict[str, str]) -> None:
    missing = [
        Problem(_("is required."), field=name) for name, value in values.items() if not value
    ]
    if missing:
        raise AlongsideError(
            _("The account could not be connected: fill in %(fields)s.")
            % {"fields": ", ".join(p.field or "" for p in missing)},
            problems=missing,
        )


def video_account_connect(
    *,
    organisation: Organisation,
    actor: User,
    provider: str,
    account_id: str,
    client_id: str,
    client_secret: str,
    organizer: str = "",
) -> VideoAccount:
    """Connect (or replace) the Zoom or Microsoft account; the credentials are tried once
    first, so wrong ones are refused with the provider's reason and nothing is stored."""
    if provider not in ACCOUNT_PROVIDERS:
        raise AlongsideError(
            _("Only Zoom and Microsoft Teams accounts can be connected."),
            problems=[Problem(_("must be zoom or teams."), field="provider")],
        )
    fields = {
        "account_id": account_id.strip(),
        "client_id": client_id.strip(),
        "client_secret": client_secret.strip(),
    }
    if provider == VideoProvider.TEAMS:
        fields["organizer"] = organizer.strip()
    _required(fields)
    credentials = Credentials(
        account_id=fields["account_id"],
        client_id=fields["client_id"],
        client_secret=fields["client_secret"],
        organizer=fields.get("organizer", ""),
    )
    try:
        video_providers.check_credentials(provider, credentials)
    except VideoProviderError as error:
        raise AlongsideError(
            _("The account was not connected: %(reason)s") % {"reason": error.message},
            problems=[Problem(error.message, field="client_secret")],
            code="video_account_refused",
        ) from error
    with transaction.atomic():
        account, _created = VideoAccount.objects.update_or_create(
            organisation=organisation,
            provider=provider,
            defaults={
                "account_id": credentials.account_id,
                "client_id": credentials.client_id,
                "client_secret_encrypted": encrypt(credentials.client_secret),
                "organizer": credentials.organizer,
                "connected_by": actor,
                "connected_at": timezone.now(),
                "last_error": "",
            },
        )
        log_action(
            actor=actor,
            organisation=organisation,
            action="video.account_connected",
            target=account,
            data={"provider": provider, "client_id": credentials.client_id},
        )
        # Links that failed for want of a working account are tried again.
        retry = RelationshipVideo.objects.filter(
            relationship__organisation=organisation, provider=provider, status=Status.FAILED
        )
        ids = list(retry.values_list("pk", flat=True))
        retry.update(status=Status.PENDING, attempts=0, error="")
        for video_id in ids:
            _create_after_commit(video_id)
    return account


@transaction.atomic
def video_account_disconnect(*, organisation: Organisation, actor: User, provider: str) -> None:
    account = VideoAccount.objects.filter(organisation=organisation, provider=provider).first()
    if account is None:
        raise NotFound(_("No %(provider)s account is connected.") % {"provider": provider})
    log_action(
        actor=actor,
        organisation=organisation,
        action="video.account_disconnected",
        target=account,
        data={"provider": provider},
    )
    account.delete()


def video_account_out(account: VideoAccount) -> dict[str, Any]:
    return {
        "provider": account.provider,
        "account_id": account.account_id,
        "client_id": account.client_id,
        "organizer": account.organizer,
        "connected_at": account.connected_at,
        "last_error": account.last_error,
    }


def video_panel_context(*, relationship: Relationship, viewer_member: Any | None) -> dict[str, Any]:
    """Context for ``scheduling/_video_panel.html``: the link and, for members, the choice."""
    state = video_state(relationship=relationship)
    can_choose = (
        viewer_member is not None
        and viewer_member.is_active
        and relationship.status == Relationship.Status.ACTIVE
    )
    connected = set(
        VideoAccount.objects.filter(organisation_id=relationship.organisation_id).values_list(
            "provider", flat=True
        )
    )
    choices = [(FOLLOW_PROGRAMME, _("The programme's choice"))] + [
        (value, label)
        for value, label in VideoProvider.choices
        if value not in ACCOUNT_PROVIDERS or value in connected
    ]
    return {
        "relationship": relationship,
        "video": state,
        "can_choose": can_choose,
        "video_choices": choices,
        "programme_label": VideoProvider(state.programme_provider).label,
    }
