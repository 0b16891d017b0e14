from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Status
from ninja.pagination import paginate

from alongside.accounts.api_auth import request_user
from alongside.accounts.models import ApiToken, User
from alongside.accounts.services import api_token_create, api_token_revoke, user_language_set
from alongside.core.api_pagination import Pagination
from alongside.core.languages import shipped_languages
from alongside.core.schemas import ERRORS, Schema

router = Router(tags=["account"])


class MembershipBrief(Schema):
    organisation: str
    organisation_name: str
    role: str


class MeOut(Schema):
    id: int
    email: str
    full_name: str
    language: str = Field(description="The language chosen; empty follows the organisation's.")
    memberships: list[MembershipBrief]


class MePatch(Schema):
    language: str | None = Field(
        None, description="A code from GET /me/languages, or empty to follow the organisation."
    )


class LanguageOut(Schema):
    code: str
    name: str


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenCreated(TokenOut):
    token: str


class TokenIn(Schema):
    name: str


@router.get("/me", response={200: MeOut, **ERRORS}, summary="Who am I")
def me(request: HttpRequest) -> MeOut:
    return _me_out(request_user(request))


@router.patch("/me", response={200: MeOut, **ERRORS}, summary="Change my language")
def update_me(request: HttpRequest, payload: MePatch) -> MeOut:
    user = request_user(request)
    if payload.language is not None:
        user = user_language_set(user=user, language=payload.language)
    return _me_out(user)


@router.get(
    "/me/languages", response={200: list[LanguageOut], **ERRORS}, summary="Languages offered"
)
def languages(request: HttpRequest) -> list[LanguageOut]:
    request_user(request)
    return [LanguageOut(code=code, name=name) for code, name in shipped_languages()]


def _me_out(user: User) -> MeOut:
    memberships = user.memberships.select_related("organisation").order_by("organisation__name")
    return MeOut(
        id=user.pk,
        email=user.email,
        full_name=user.full_name,
        language=user.language,
        memberships=[
            MembershipBrief(
                organisation=m.organisation.slug,
                organisation_name=m.organisation.name,
                role=m.role,
            )
            for m in memberships
        ],
    )


@router.get("/tokens", response={200: list[TokenOut], **ERRORS}, summary="My API tokens")
@paginate(Pagination)
def list_tokens(request: HttpRequest) -> list[ApiToken]:
    return list(ApiToken.objects.filter(user=request_user(request)))


@router.post("/tokens", response={201: TokenCreated, **ERRORS}, summary="Create an API token")
def create_token(request: HttpRequest, payload: TokenIn) -> Status[TokenCreated]:
    token, secret = api_token_create(user=request_user(request), name=payload.name)
    return Status(
        201,
        TokenCreated(
            id=token.pk,
            name=token.name,
            prefix=token.prefix,
            created_at=token.created_at,
            last_used_at=token.last_used_at,
            revoked_at=token.revoked_at,
            token=secret,
        ),
    )


@router.delete(
    "/tokens/{int:token_id}", response={200: TokenOut, **ERRORS}, summary="Revoke an API token"
)
def revoke_token(request: HttpRequest, token_id: int) -> ApiToken:
    user = request_user(request)
    token = get_object_or_404(ApiToken, pk=token_id, user=user)
    return api_token_revoke(token=token, actor=user)
