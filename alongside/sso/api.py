"""Single sign-on settings through the API (organisation admins).

"Try sign-in" needs a browser at the identity provider, so the API gives its address
(``try_sign_in_url``, a POST from a signed-in admin's browser) rather than running it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest
from django.urls import reverse
from ninja import Field, Router, Status

from alongside.accounts.api_auth import request_user
from alongside.core.schemas import ERRORS, Schema
from alongside.organisations.api_auth import membership_for
from alongside.organisations.models import Role
from alongside.sso.models import SsoConnection
from alongside.sso.selectors import connection_for
from alongside.sso.services import sso_configure, sso_remove, sso_set_enabled, sso_set_required

router = Router(tags=["single sign-on"])
SSO = "/{org_slug}/sso"


class SsoIn(Schema):
    protocol: str = Field(description="oidc (OpenID Connect) or saml (SAML 2.0)")
    email_domains: list[str]
    attribute_mapping: dict[str, str] = Field(
        default_factory=dict,
        description="Keys email, name, employee_id; values are claim or "
        "attribute names at the provider.",
    )
    display_name: str = ""
    issuer_url: str = ""
    client_id: str = ""
    client_secret: str | None = Field(
        default=None, description="Write-only; omit or null to keep the stored secret."
    )
    idp_metadata_url: str = ""
    idp_metadata_xml: str = ""


class SsoOut(Schema):
    protocol: str
    display_name: str
    email_domains: list[str]
    attribute_mapping: dict[str, str]
    issuer_url: str
    client_id: str
    client_secret_set: bool
    idp_metadata_url: str
    idp_entity_id: str
    idp_sso_url: str
    enabled: bool
    required: bool
    tested: bool
    tested_at: datetime | None
    last_test: dict[str, Any]
    version: int
    redirect_uri: str
    sp_entity_id: str
    sp_metadata_url: str
    acs_url: str
    start_url: str
    try_sign_in_url: str


class EnabledIn(Schema):
    enabled: bool


class RequiredIn(Schema):
    required: bool


def _out(connection: SsoConnection) -> SsoOut:
    slug = connection.organisation.slug
    site = settings.SITE_URL
    metadata_url = site + reverse("sso_flow:saml_metadata", args=[slug])
    return SsoOut(
        protocol=connection.protocol,
        display_name=connection.display_name,
        email_domains=connection.email_domains,
        attribute_mapping=connection.mapping(),
        issuer_url=connection.issuer_url,
        client_id=connection.client_id,
        client_secret_set=bool(connection.client_secret_encrypted),
        idp_metadata_url=connection.idp_metadata_url,
        idp_entity_id=connection.idp_entity_id,
        idp_sso_url=connection.idp_sso_url,
        enabled=connection.enabled,
        required=connection.required,
        tested=connection.tested,
        tested_at=connection.tested_at,
        last_test=connection.last_test,
        version=connection.version,
        redirect_uri=site + reverse("sso_flow:oidc_callback", args=[slug]),
        sp_entity_id=metadata_url,
        sp_metadata_url=metadata_url,
        acs_url=site + reverse("sso_flow:saml_acs", args=[slug]),
        start_url=site + reverse("sso_flow:start", args=[slug]),
        try_sign_in_url=site + reverse("sso:try", args=[slug]),
    )


def _connection(request: HttpRequest, org_slug: str) -> SsoConnection:
    membership = membership_for(request, org_slug, Role.ADMIN)
    connection = connection_for(membership.organisation.slug)
    if connection is None:
        raise Http404("No single sign-on is configured.")
    return connection


@router.get(SSO, response={200: SsoOut, **ERRORS}, summary="Single sign-on settings (admins)")
def get_sso(request: HttpRequest, org_slug: str) -> SsoOut:
    return _out(_connection(request, org_slug))


@router.put(
    SSO,
    response={200: SsoOut, **ERRORS},
    summary="Configure single sign-on (admins)",
    description="Reads the provider's discovery document or metadata before saving; any "
    "problem (unreachable issuer, malformed metadata, unknown attribute) is reported per "
    "field and nothing is saved. A change must be tried again before it can be switched on.",
)
def put_sso(request: HttpRequest, org_slug: str, payload: SsoIn) -> SsoOut:
    membership = membership_for(request, org_slug, Role.ADMIN)
    connection = sso_configure(
        organisation=membership.organisation, actor=request_user(request), **payload.dict()
    )
    return _out(connection)


@router.post(
    SSO + "/enabled",
    response={200: SsoOut, **ERRORS},
    summary="Switch single sign-on on or off (admins)",
    description="Switching on needs a successful try sign-in of the current settings.",
)
def set_enabled(request: HttpRequest, org_slug: str, payload: EnabledIn) -> SsoOut:
    connection = _connection(request, org_slug)
    return _out(
        sso_set_enabled(connection=connection, actor=request_user(request), enabled=payload.enabled)
    )


@router.post(
    SSO + "/required",
    response={200: SsoOut, **ERRORS},
    summary="Make single sign-on the only way in, or not (admins)",
)
def set_required(request: HttpRequest, org_slug: str, payload: RequiredIn) -> SsoOut:
    connection = _connection(request, org_slug)
    return _out(
        sso_set_required(
            connection=connection, actor=request_user(request), required=payload.required
        )
    )


@router.delete(SSO, response={204: None, **ERRORS}, summary="Remove single sign-on (admins)")
def delete_sso(request: HttpRequest, org_slug: str) -> Status[None]:
    sso_remove(connection=_connection(request, org_slug), actor=request_user(request))
    return Status(204, None)
