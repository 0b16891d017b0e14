"""Each organisation's SCIM tokens through the API (admins): list, create, rotate, revoke."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Router, Status

from alongside.accounts.api_auth import request_user
from alongside.core.schemas import ERRORS, Schema
from alongside.organisations.api_auth import membership_for
from alongside.organisations.models import Role
from alongside.scim.models import ScimToken
from alongside.scim.tokens import (
    scim_token_create,
    scim_token_get,
    scim_token_revoke,
    scim_token_rotate,
)

router = Router(tags=["provisioning"])


class ScimTokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None
    is_active: bool


class ScimTokenCreatedOut(ScimTokenOut):
    secret: str
    scim_base_url: str


class ScimTokenIn(Schema):
    name: str


def _created(request: HttpRequest, token: ScimToken, secret: str) -> ScimTokenCreatedOut:
    return ScimTokenCreatedOut(
        **ScimTokenOut.from_orm(token).dict(),
        secret=secret,
        scim_base_url=request.build_absolute_uri(f"/scim/v2/{token.organisation.slug}"),
    )


@router.get(
    "/{org_slug}/scim-tokens",
    response={200: list[ScimTokenOut], **ERRORS},
    summary="The organisation's SCIM tokens (admins)",
)
def list_scim_tokens(request: HttpRequest, org_slug: str) -> list[ScimToken]:
    membership = membership_for(request, org_slug, Role.ADMIN)
    return list(ScimToken.objects.filter(organisation=membership.organisation))


@router.post(
    "/{org_slug}/scim-tokens",
    response={201: ScimTokenCreatedOut, **ERRORS},
    summary="Create a SCIM token for an identity provider (admins); the secret is shown once",
)
def create_scim_token(
    request: HttpRequest, org_slug: str, payload: ScimTokenIn
) -> Status[ScimTokenCreatedOut]:
    membership = membership_for(request, org_slug, Role.ADMIN)
    token, secret = scim_token_create(
        organisation=membership.organisation, actor=request_user(request), name=payload.name
    )
    return Status(201, _created(request, token, secret))


@router.post(
    "/{org_slug}/scim-tokens/{int:token_id}/rotate",
    response={201: ScimTokenCreatedOut, **ERRORS},
    summary="Revoke a SCIM token and issue its replacement in one step (admins)",
)
def rotate_scim_token(
    request: HttpRequest, org_slug: str, token_id: int
) -> Status[ScimTokenCreatedOut]:
    membership = membership_for(request, org_slug, Role.ADMIN)
    token = scim_token_get(organisation=membership.organisation, token_id=token_id)
    new, secret = scim_token_rotate(token=token, actor=request_user(request))
    return Status(201, _created(request, new, secret))


@router.delete(
    "/{org_slug}/scim-tokens/{int:token_id}",
    response={200: ScimTokenOut, **ERRORS},
    summary="Revoke a SCIM token (admins)",
)
def revoke_scim_token(request: HttpRequest, org_slug: str, token_id: int) -> ScimToken:
    membership = membership_for(request, org_slug, Role.ADMIN)
    token = scim_token_get(organisation=membership.organisation, token_id=token_id)
    return scim_token_revoke(token=token, actor=request_user(request))
