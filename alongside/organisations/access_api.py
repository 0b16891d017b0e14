"""Access through the API (organisation admins): paused sign-ins and service tokens."""

from __future__ import annotations

from datetime import datetime

from django.http import Http404, HttpRequest
from ninja import Router, Status

from alongside.accounts.api_auth import request_user
from alongside.accounts.models import ApiToken
from alongside.core.schemas import ERRORS, Schema
from alongside.organisations.access import (
    lockout_clear,
    member_lockouts,
    service_token_get,
    service_token_issue,
    service_token_revoke,
    service_token_role,
    service_tokens,
)
from alongside.organisations.api_auth import membership_for
from alongside.organisations.models import Organisation, Role

router = Router(tags=["access"])


class LockoutOut(Schema):
    email: str
    failures: int
    paused_until: datetime


class UnlockIn(Schema):
    email: str


class UnlockedOut(Schema):
    email: str
    attempts_removed: int


class ServiceTokenIn(Schema):
    name: str
    role: Role
    expires_at: datetime


class ServiceTokenOut(Schema):
    id: int
    name: str
    role: str
    prefix: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None


class ServiceTokenCreated(ServiceTokenOut):
    token: str


def _out(token: ApiToken, organisation: Organisation) -> ServiceTokenOut:
    return ServiceTokenOut(
        id=token.pk,
        name=token.name,
        role=service_token_role(token, organisation),
        prefix=token.prefix,
        created_at=token.created_at,
        expires_at=token.expires_at,
        last_used_at=token.last_used_at,
        revoked_at=token.revoked_at,
    )


@router.get(
    "/{org_slug}/lockouts",
    response={200: list[LockoutOut], **ERRORS},
    summary="Members whose password sign-in is paused (admins)",
)
def list_lockouts(request: HttpRequest, org_slug: str) -> list[LockoutOut]:
    membership = membership_for(request, org_slug, Role.ADMIN)
    return [
        LockoutOut(email=locked.email, failures=locked.failures, paused_until=locked.until)
        for locked in member_lockouts(organisation=membership.organisation)
    ]


@router.post(
    "/{org_slug}/lockouts/unlock",
    response={200: UnlockedOut, **ERRORS},
    summary="Lift a member's sign-in pause (admins)",
)
def unlock(request: HttpRequest, org_slug: str, payload: UnlockIn) -> UnlockedOut:
    membership = membership_for(request, org_slug, Role.ADMIN)
    removed = lockout_clear(
        organisation=membership.organisation, email=payload.email, actor=request_user(request)
    )
    return UnlockedOut(email=payload.email.strip().lower(), attempts_removed=removed)


@router.get(
    "/{org_slug}/service-tokens",
    response={200: list[ServiceTokenOut], **ERRORS},
    summary="Service accounts' API tokens, with their last use (admins)",
)
def list_service_tokens(request: HttpRequest, org_slug: str) -> list[ServiceTokenOut]:
    organisation = membership_for(request, org_slug, Role.ADMIN).organisation
    return [_out(token, organisation) for token in service_tokens(organisation=organisation)]


@router.post(
    "/{org_slug}/service-tokens",
    response={201: ServiceTokenCreated, **ERRORS},
    summary="Issue an API token for a new service account (admins)",
    description="The token acts with `role` in this organisation until `expires_at`; its "
    "secret is in this answer only.",
)
def issue_service_token(
    request: HttpRequest, org_slug: str, payload: ServiceTokenIn
) -> Status[ServiceTokenCreated]:
    organisation = membership_for(request, org_slug, Role.ADMIN).organisation
    token, secret = service_token_issue(
        organisation=organisation,
        actor=request_user(request),
        name=payload.name,
        role=payload.role,
        expires_at=payload.expires_at,
    )
    return Status(201, ServiceTokenCreated(**_out(token, organisation).dict(), token=secret))


@router.delete(
    "/{org_slug}/service-tokens/{int:token_id}",
    response={200: ServiceTokenOut, **ERRORS},
    summary="Revoke a service token (admins)",
)
def revoke_service_token(request: HttpRequest, org_slug: str, token_id: int) -> ServiceTokenOut:
    organisation = membership_for(request, org_slug, Role.ADMIN).organisation
    token = service_token_get(organisation=organisation, token_id=token_id)
    if token is None:
        raise Http404("No such service token.")
    return _out(
        service_token_revoke(organisation=organisation, token=token, actor=request_user(request)),
        organisation,
    )
