"""SAML 2.0 sign-in with python3-saml (OneLogin's toolkit): Alongside is the service
provider, each organisation with its own entity id and metadata at a stable address.

Responses are checked strictly: the assertion must be signed with a certificate from the
provider's metadata, be addressed to this organisation (audience, destination), answer
the request this browser started (InResponseTo), and be within its validity window.
"""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from onelogin.saml2.auth import OneLogin_Saml2_Auth
from onelogin.saml2.constants import OneLogin_Saml2_Constants
from onelogin.saml2.errors import OneLogin_Saml2_Error, OneLogin_Saml2_ValidationError
from onelogin.saml2.settings import OneLogin_Saml2_Settings

from alongside.core.errors import AlongsideError
from alongside.sso.models import SamlHandoff, SsoConnection
from alongside.sso.services import Identity

SESSION_KEY = "sso_saml_request"
EMAIL_FORMAT = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"


def entity_id(connection: SsoConnection) -> str:
    return settings.SITE_URL + reverse(
        "sso_flow:saml_metadata", args=[connection.organisation.slug]
    )


def acs_url(connection: SsoConnection) -> str:
    return settings.SITE_URL + reverse("sso_flow:saml_acs", args=[connection.organisation.slug])


def saml_settings(connection: SsoConnection, *, sp_only: bool = False) -> dict[str, Any]:
    config: dict[str, Any] = {
        "strict": True,
        "debug": False,
        "sp": {
            "entityId": entity_id(connection),
            "assertionConsumerService": {
                "url": acs_url(connection),
                "binding": OneLogin_Saml2_Constants.BINDING_HTTP_POST,
            },
            "NameIDFormat": OneLogin_Saml2_Constants.NAMEID_UNSPECIFIED,
        },
        "security": {
            "authnRequestsSigned": False,
            "wantAssertionsSigned": True,
            "wantMessagesSigned": False,
            "wantNameId": False,
            "wantAttributeStatement": False,
            "requestedAuthnContext": False,
            "rejectDeprecatedAlgorithm": True,
            "allowRepeatAttributeName": True,
        },
    }
    if not sp_only:
        config["idp"] = {
            "entityId": connection.idp_entity_id,
            "singleSignOnService": {
                "url": connection.idp_sso_url,
                "binding": OneLogin_Saml2_Constants.BINDING_HTTP_REDIRECT,
            },
            "x509certMulti": {"signing": list(connection.idp_certificates)},
        }
    return config


def sp_metadata(connection: SsoConnection) -> str:
    config = OneLogin_Saml2_Settings(
        saml_settings(connection, sp_only=True), sp_validation_only=True
    )
    metadata = config.get_sp_metadata()
    return metadata.decode() if isinstance(metadata, bytes) else str(metadata)


def _request_data(path: str, post: dict[str, str] | None = None) -> dict[str, Any]:
    """What python3-saml needs of the request, from SITE_URL so that proxies do not matter."""
    site = urlsplit(settings.SITE_URL)
    return {
        "https": "on" if site.scheme == "https" else "off",
        "http_host": site.netloc,
        "script_name": "",
        "path_info": path,
        "get_data": {},
        "post_data": post or {},
    }


def start(request: HttpRequest, connection: SsoConnection) -> str:
    """The identity provider's address for this sign-in; the request id goes to the session."""
    auth = OneLogin_Saml2_Auth(
        _request_data(reverse("sso_flow:start", args=[connection.organisation.slug])),
        saml_settings(connection),
    )
    url = auth.login(return_to=connection.organisation.slug)
    request.session[SESSION_KEY] = {
        "id": auth.get_last_request_id(),
        "organisation": connection.organisation.slug,
    }
    return str(url)


def hand_off(*, organisation_slug: str, saml_response: str, relay_state: str) -> str:
    key = secrets.token_urlsafe(32)
    SamlHandoff.objects.create(
        key=key,
        organisation_slug=organisation_slug,
        saml_response=saml_response,
        relay_state=relay_state[:1000],
    )
    return key


def _reason_message(reason: str) -> str:
    lowered = reason.lower()
    if "audience" in lowered:
        return _(
            "The SAML assertion is addressed to another service (wrong audience), not to this "
            "organisation's Alongside, so it was refused. An admin should check the entity id "
            "configured at the identity provider."
        )
    if "expired" in lowered or "notonorafter" in lowered or "timestamp" in lowered:
        return _(
            "The SAML assertion had expired when it arrived, so it was refused. Check that "
            "the identity provider's clock is right, then sign in again."
        )
    if "signature" in lowered or "signed" in lowered or "digest" in lowered:
        return _(
            "The SAML response's signature does not match the identity provider's "
            "certificate, so it was refused. An admin should refresh the provider's metadata."
        )
    if "inresponseto" in lowered:
        return _("This sign-in was started in another browser or took too long; start it again.")
    if "destination" in lowered or "recipient" in lowered:
        return _(
            "The SAML response was sent to another address than this organisation's, so it "
            "was refused."
        )
    return _("The SAML response was refused.")


def finish(request: HttpRequest, connection: SsoConnection, key: str) -> Identity:
    handoff = SamlHandoff.objects.filter(
        key=key, organisation_slug=connection.organisation.slug
    ).first()
    if handoff is None:
        raise AlongsideError(
            _("This sign-in has already been completed or took too long; start it again."),
            code="provider_response",
            status=403,
        )
    handoff.delete()
    started = request.session.pop(SESSION_KEY, None) or {}
    if started.get("organisation") != connection.organisation.slug:
        raise AlongsideError(
            _("This sign-in was started in another browser or took too long; start it again."),
            code="provider_response",
            status=403,
        )
    auth = OneLogin_Saml2_Auth(
        _request_data(
            reverse("sso_flow:saml_acs", args=[connection.organisation.slug]),
            {"SAMLResponse": handoff.saml_response, "RelayState": handoff.relay_state},
        ),
        saml_settings(connection),
    )
    try:
        auth.process_response(request_id=started.get("id"))
    except (OneLogin_Saml2_Error, OneLogin_Saml2_ValidationError, ValueError) as error:
        reason = str(error)
    else:
        reason = auth.get_last_error_reason() or ("; ".join(auth.get_errors()))
    if reason or not auth.is_authenticated():
        message = _reason_message(reason or "not authenticated")
        raise AlongsideError(
            _("%(message)s (details: %(reason)s)")
            % {"message": message, "reason": reason or _("no assertion")},
            code="provider_response",
            status=403,
        )
    attributes: dict[str, Any] = dict(auth.get_attributes().items())
    attributes.update(dict(auth.get_friendlyname_attributes().items()))
    mapping = connection.mapping()

    def value(name: str) -> str:
        values = attributes.get(name) if name else None
        return str(values[0]).strip() if values else ""

    email = value(mapping["email"])
    name_id = auth.get_nameid() or ""
    if not email and (auth.get_nameid_format() == EMAIL_FORMAT or "@" in name_id):
        email = name_id
    return Identity(
        subject=name_id,
        email=email.lower(),
        name=value(mapping["name"]),
        employee_id=value(mapping["employee_id"]),
        attributes={**attributes, "NameID": name_id},
    )
