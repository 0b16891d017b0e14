"""Video links in the API: accounts (admins), a programme's default (its managers) and a
relationship's choice (its members choose; its managers may read)."""

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from alongside.accounts.api_auth import request_user
from alongside.core.schemas import ERRORS, Schema
from alongside.organisations.api_auth import membership_for
from alongside.organisations.models import Role
from alongside.programmes.selectors import programme_get_managed
from alongside.scheduling import selectors
from alongside.scheduling.video import (
    programme_video_of,
    programme_video_set,
    relationship_video_set,
    video_account_connect,
    video_account_disconnect,
    video_account_out,
    video_accounts_of,
    video_state,
)

router = Router(tags=["video"])


class VideoAccountOut(Schema):
    provider: str
    account_id: str
    client_id: str
    organizer: str
    connected_at: datetime
    last_error: str


class VideoAccountIn(Schema):
    account_id: str
    client_id: str
    client_secret: str
    organizer: str = ""


class ProgrammeVideoOut(Schema):
    provider: str
    fixed_url: str


class ProgrammeVideoIn(Schema):
    provider: str
    fixed_url: str = ""


class RelationshipVideoOut(Schema):
    choice: str
    provider: str
    fixed_url: str
    url: str
    status: str
    error: str
    programme_provider: str


class RelationshipVideoIn(Schema):
    choice: str
    fixed_url: str = ""


@router.get(
    "/{org_slug}/video-accounts",
    response={200: list[VideoAccountOut], **ERRORS},
    summary="The organisation's connected Zoom and Microsoft accounts (admins)",
)
def list_video_accounts(request: HttpRequest, org_slug: str) -> Any:
    membership = membership_for(request, org_slug, Role.ADMIN)
    return [
        video_account_out(a)
        for a in video_accounts_of(organisation=membership.organisation).values()
    ]


@router.put(
    "/{org_slug}/video-accounts/{provider}",
    response={200: VideoAccountOut, **ERRORS},
    summary="Connect a Zoom or Microsoft Teams account (the credentials are tried first)",
)
def connect_video_account(
    request: HttpRequest, org_slug: str, provider: str, payload: VideoAccountIn
) -> Any:
    membership = membership_for(request, org_slug, Role.ADMIN)
    account = video_account_connect(
        organisation=membership.organisation,
        actor=request_user(request),
        provider=provider,
        **payload.dict(),
    )
    return video_account_out(account)


@router.delete(
    "/{org_slug}/video-accounts/{provider}",
    response={204: None, **ERRORS},
    summary="Disconnect a video meeting account",
)
def disconnect_video_account(request: HttpRequest, org_slug: str, provider: str) -> Any:
    membership = membership_for(request, org_slug, Role.ADMIN)
    video_account_disconnect(
        organisation=membership.organisation, actor=request_user(request), provider=provider
    )
    return Status(204, None)


PROGRAMME = "/{org_slug}/programmes/{int:programme_id}/video"


@router.get(
    PROGRAMME,
    response={200: ProgrammeVideoOut, **ERRORS},
    summary="The programme's default video link (its managers)",
)
def get_programme_video(request: HttpRequest, org_slug: str, programme_id: int) -> Any:
    membership = membership_for(request, org_slug)
    programme = programme_get_managed(membership=membership, programme_id=programme_id)
    return programme_video_of(programme)


@router.put(
    PROGRAMME,
    response={200: ProgrammeVideoOut, **ERRORS},
    summary="Choose the programme's default: none, fixed, jitsi, zoom or teams",
)
def set_programme_video(
    request: HttpRequest, org_slug: str, programme_id: int, payload: ProgrammeVideoIn
) -> Any:
    membership = membership_for(request, org_slug)
    programme = programme_get_managed(membership=membership, programme_id=programme_id)
    return programme_video_set(
        programme=programme,
        actor=request_user(request),
        provider=payload.provider,
        fixed_url=payload.fixed_url,
    )


RELATIONSHIP = "/{org_slug}/relationships/{int:relationship_id}/video"


@router.get(
    RELATIONSHIP,
    response={200: RelationshipVideoOut, **ERRORS},
    summary="The relationship's video link and how it was chosen",
)
def get_relationship_video(request: HttpRequest, org_slug: str, relationship_id: int) -> Any:
    membership = membership_for(request, org_slug)
    relationship, _member = selectors.relationship_for_viewer(
        membership=membership, relationship_id=relationship_id
    )
    return video_state(relationship=relationship).__dict__


@router.put(
    RELATIONSHIP,
    response={200: RelationshipVideoOut, **ERRORS},
    summary="Choose the relationship's video link (programme, none, fixed, jitsi, zoom, teams)",
)
def set_relationship_video(
    request: HttpRequest, org_slug: str, relationship_id: int, payload: RelationshipVideoIn
) -> Any:
    membership = membership_for(request, org_slug)
    relationship, _member = selectors.acting_member(
        membership=membership, relationship_id=relationship_id
    )
    relationship_video_set(
        relationship=relationship,
        actor=request_user(request),
        choice=payload.choice,
        fixed_url=payload.fixed_url,
    )
    return video_state(relationship=relationship).__dict__
