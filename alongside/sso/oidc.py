"""OpenID Connect sign-in with Authlib: authorisation code flow with PKCE (S256), state and
nonce kept in the session, and the ID token's signature checked against the provider's
published keys (JWKS), with its issuer, audience, expiry and nonce.

Each organisation's client is built for the request from its stored connection, so any
number of organisations can each have their own provider.
"""

from __future__ import annotations

from typing import Any

import requests
from authlib.integrations.base_client import OAuthError
from authlib.integrations.django_client import DjangoOAuth2App, OAuth
from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from joserfc import errors as jose_errors

from alongside.core.encryption import decrypt
from alongside.core.errors import AlongsideError
from alongside.sso.models import SsoConnection
from alongside.sso.services import Identity

TIMEOUT_SECONDS = 10


def redirect_uri(connection: SsoConnection) -> str:
    """The address to register at the provider (one per organisation, stable)."""
    return settings.SITE_URL + reverse(
        "sso_flow:oidc_callback", args=[connection.organisation.slug]
    )


def client(connection: SsoConnection) -> DjangoOAuth2App:
    metadata = connection.oidc_metadata
    methods = metadata.get("token_endpoint_auth_methods_supported") or []
    auth_method = (
        "client_secret_post"
        if "client_secret_post" in methods and "client_secret_basic" not in methods
        else "client_secret_basic"
    )
    app = OAuth().register(
        name=f"sso-{connection.organisation.slug}",
        client_id=connection.client_id,
        client_secret=decrypt(connection.client_secret_encrypted),
        authorize_url=metadata["authorization_endpoint"],
        access_token_url=metadata["token_endpoint"],
        client_kwargs={
            "scope": "openid email profile",
            "code_challenge_method": "S256",
            "token_endpoint_auth_method": auth_method,
            "default_timeout": TIMEOUT_SECONDS,
        },
        # Authlib reads the provider's description from these instead of fetching it.
        issuer=metadata["issuer"],
        jwks_uri=metadata["jwks_uri"],
        userinfo_endpoint=metadata.get("userinfo_endpoint"),
        # Only signatures made with the provider's published public keys: no shared-secret
        # (HS*) or unsigned ID tokens, whatever the provider says it supports.
        id_token_signing_alg_values_supported=[
            alg
            for alg in metadata.get("id_token_signing_alg_values_supported", ["RS256"])
            if alg[:2] in ("RS", "PS", "ES", "Ed")
        ]
        or ["RS256"],
    )
    assert isinstance(app, DjangoOAuth2App)
    return app


def start(request: HttpRequest, connection: SsoConnection) -> str:
    """The provider's authorisation address for this sign-in (state, nonce and PKCE
    verifier go to the session)."""
    try:
        response = client(connection).authorize_redirect(request, redirect_uri(connection))
    except requests.RequestException as error:
        raise unreachable(connection, error) from error
    return str(response["Location"])


def unreachable(connection: SsoConnection, error: Exception) -> AlongsideError:
    return AlongsideError(
        _("The identity provider %(issuer)s could not be reached (%(reason)s). Try again later.")
        % {"issuer": connection.oidc_metadata.get("issuer", ""), "reason": type(error).__name__},
        code="provider_unreachable",
        status=502,
    )


def _token_error(connection: SsoConnection, error: Exception) -> AlongsideError:
    """A specific sentence for each way a provider's answer can be refused."""
    claim = getattr(error, "claim", "")
    if isinstance(error, jose_errors.BadSignatureError):
        message = _(
            "The ID token's signature does not match the identity provider's published keys, "
            "so it was refused. An admin should check the issuer address."
        )
    elif isinstance(error, jose_errors.ExpiredTokenError):
        message = _(
            "The identity provider's ID token had already expired when it arrived, so it was "
            "refused. Check that the provider's clock is right, then sign in again."
        )
    elif isinstance(error, jose_errors.ClaimError) and claim in ("aud", "azp"):
        # Authlib asks for an authorised party (azp) whenever the audience is not this
        # client alone, so a token for someone else fails there first.
        message = _(
            "The ID token was issued for another application (wrong audience), not for client "
            "id %(client)s, so it was refused."
        ) % {"client": connection.client_id}
    elif isinstance(error, jose_errors.InvalidClaimError) and claim == "iss":
        message = _(
            "The ID token was issued by another provider (wrong issuer), not by %(issuer)s."
        ) % {"issuer": connection.oidc_metadata.get("issuer", "")}
    elif isinstance(error, jose_errors.InvalidClaimError) and claim == "nonce":
        message = _("The ID token does not belong to this sign-in (wrong nonce); start again.")
    elif isinstance(error, jose_errors.ClaimError):
        message = _("The ID token was refused: %(reason)s.") % {"reason": error}
    elif isinstance(error, jose_errors.JoseError):
        message = _("The ID token could not be checked (%(reason)s).") % {
            "reason": getattr(error, "description", "") or type(error).__name__
        }
    elif isinstance(error, OAuthError) and error.error == "mismatching_state":
        message = _("This sign-in was started in another browser or took too long; start it again.")
    elif isinstance(error, OAuthError):
        message = _("The identity provider refused the sign-in: %(reason)s.") % {
            "reason": error.description or error.error
        }
    else:
        message = _("The sign-in could not be completed (%(reason)s).") % {
            "reason": type(error).__name__
        }
    return AlongsideError(message, code="provider_response", status=403)


def _claim(claims: dict[str, Any], name: str) -> str:
    value = claims.get(name, "") if name else ""
    if isinstance(value, list):
        value = value[0] if value else ""
    return str(value or "").strip()


def finish(request: HttpRequest, connection: SsoConnection) -> Identity:
    """Check the provider's answer and return who signed in; AlongsideError otherwise."""
    app = client(connection)
    try:
        token = app.authorize_access_token(request)
        claims: dict[str, Any] = dict(token.get("userinfo") or {})
        if not claims:
            raise OAuthError(error="no_id_token", description=_("no ID token was returned"))
        mapping = connection.mapping()
        wanted = [name for name in mapping.values() if name]
        if app.server_metadata.get("userinfo_endpoint") and any(n not in claims for n in wanted):
            # Some providers put only the subject in the ID token; ask for the rest.
            more = app.userinfo(token=token)
            if more.get("sub") == claims.get("sub"):
                claims = {**dict(more), **claims}
    except requests.RequestException as error:
        raise unreachable(connection, error) from error
    except (OAuthError, jose_errors.JoseError) as error:
        raise _token_error(connection, error) from error
    mapping = connection.mapping()
    if mapping["email"] == "email" and claims.get("email_verified") in (False, "false"):
        # Whoever controls an account at the provider could otherwise put a colleague's
        # address in it and be signed in as them. Providers that never send the claim
        # (Entra ID) vouch for their directory's addresses.
        raise AlongsideError(
            _(
                "The identity provider says it has not verified the address %(email)s, so it "
                "cannot sign in here. Verify it with the provider, or ask an organisation admin."
            )
            % {"email": _claim(claims, "email")},
            code="email_not_verified",
            status=403,
        )
    return Identity(
        subject=str(claims.get("sub", "")),
        email=_claim(claims, mapping["email"]).lower(),
        name=_claim(claims, mapping["name"]),
        employee_id=_claim(claims, mapping["employee_id"]),
        attributes=claims,
    )
