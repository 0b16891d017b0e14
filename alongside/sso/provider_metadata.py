"""Reading an identity provider's published description when a connection is saved.

An OpenID provider's discovery document and a SAML identity provider's metadata are
read and checked here, once, with a specific message for each thing that can be wrong
(unreachable, not JSON or not XML, the wrong kind of document, a missing endpoint or
certificate), so that a bad configuration is refused before anything is saved.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import requests
from django.utils.translation import gettext as _
from lxml import etree
from onelogin.saml2.idp_metadata_parser import OneLogin_Saml2_IdPMetadataParser

from alongside.core.errors import AlongsideError, Problem

TIMEOUT_SECONDS = 10
WELL_KNOWN = "/.well-known/openid-configuration"
REQUIRED_OIDC = ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri")
MD = "urn:oasis:names:tc:SAML:2.0:metadata"
SAML = "urn:oasis:names:tc:SAML:2.0:assertion"
REDIRECT_BINDING = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"


def _fail(message: str, field_name: str) -> AlongsideError:
    return AlongsideError(message, problems=[Problem(message, field=field_name)])


def _get(url: str, field_name: str, what: str) -> requests.Response:
    try:
        response = requests.get(url, timeout=TIMEOUT_SECONDS, headers={"Accept": what})
    except requests.Timeout:
        raise _fail(
            _("%(url)s did not answer within %(seconds)d seconds.")
            % {"url": url, "seconds": TIMEOUT_SECONDS},
            field_name,
        ) from None
    except requests.RequestException as error:
        raise _fail(
            _("%(url)s could not be reached (%(reason)s).")
            % {"url": url, "reason": type(error).__name__},
            field_name,
        ) from None
    if response.status_code != 200:
        raise _fail(
            _("%(url)s answered HTTP %(status)d instead of the document.")
            % {"url": url, "status": response.status_code},
            field_name,
        )
    return response


def _secure_or_loopback(url: str) -> bool:
    """https everywhere; plain http only to this machine (a provider run for tests)."""
    parts = urlsplit(url)
    return parts.scheme == "https" or (
        parts.scheme == "http" and parts.hostname in ("127.0.0.1", "localhost", "::1")
    )


def discovery_url(issuer_url: str) -> str:
    url = issuer_url.strip()
    if WELL_KNOWN in url:
        return url
    return url.rstrip("/") + WELL_KNOWN


def fetch_oidc_metadata(issuer_url: str) -> dict[str, Any]:
    """The provider's discovery document, checked; raises AlongsideError on field issuer_url."""
    url = discovery_url(issuer_url)
    if not _secure_or_loopback(url):
        raise _fail(_("The issuer must be an https:// address."), "issuer_url")
    response = _get(url, "issuer_url", "application/json")
    try:
        document = response.json()
    except ValueError:
        raise _fail(
            _("%(url)s did not answer with a JSON discovery document.") % {"url": url},
            "issuer_url",
        ) from None
    if not isinstance(document, dict):
        raise _fail(_("%(url)s is not a discovery document.") % {"url": url}, "issuer_url")
    missing = [key for key in REQUIRED_OIDC if not document.get(key)]
    if missing:
        raise _fail(
            _("The discovery document at %(url)s lacks %(keys)s.")
            % {"url": url, "keys": ", ".join(missing)},
            "issuer_url",
        )
    issuer = str(document["issuer"])
    if "{" in issuer:
        raise _fail(
            _(
                "The discovery document is a multi-tenant template (issuer %(issuer)s): use "
                "your own tenant's address, e.g. https://login.microsoftonline.com/<tenant "
                "id>/v2.0."
            )
            % {"issuer": issuer},
            "issuer_url",
        )
    given = issuer_url.strip().split(WELL_KNOWN)[0].rstrip("/")
    if given != issuer.rstrip("/"):
        raise _fail(
            _(
                "The provider names itself %(issuer)s, not %(given)s; use its own issuer "
                "address so that its tokens can be checked."
            )
            % {"issuer": issuer, "given": given},
            "issuer_url",
        )
    keys = (
        "issuer",
        "authorization_endpoint",
        "token_endpoint",
        "jwks_uri",
        "userinfo_endpoint",
        "id_token_signing_alg_values_supported",
        "claims_supported",
        "token_endpoint_auth_methods_supported",
        "end_session_endpoint",
    )
    return {key: document[key] for key in keys if key in document}


@dataclass(frozen=True)
class SamlIdentityProvider:
    entity_id: str
    sso_url: str
    certificates: list[str]
    xml: str
    attributes: list[str] = field(default_factory=list)  # announced names, if any


def _announced_attributes(root: Any) -> list[str]:
    names: list[str] = []
    for descriptor in root.iter(f"{{{MD}}}IDPSSODescriptor"):
        for attribute in descriptor.iter(f"{{{SAML}}}Attribute"):
            for key in ("Name", "FriendlyName"):
                if attribute.get(key):
                    names.append(attribute.get(key))
    return names


def read_saml_metadata(*, url: str = "", xml: str = "") -> SamlIdentityProvider:
    """An identity provider's metadata, from its URL or pasted XML, checked."""
    field_name = "idp_metadata_url" if url else "idp_metadata_xml"
    if url and not _secure_or_loopback(url):
        raise _fail(_("The metadata URL must be an https:// address."), field_name)
    if url:
        xml = _get(url, field_name, "application/samlmetadata+xml, application/xml").text
    if not xml.strip():
        raise _fail(_("Give the identity provider's metadata URL or XML."), "idp_metadata_xml")
    try:
        parser = etree.XMLParser(resolve_entities=False, no_network=True)
        root = etree.fromstring(xml.strip().encode(), parser=parser)
    except etree.XMLSyntaxError as error:
        raise _fail(
            _("The metadata is not well-formed XML: %(reason)s") % {"reason": error.msg},
            field_name,
        ) from None
    if root.find(f".//{{{MD}}}IDPSSODescriptor") is None:
        raise _fail(
            _(
                "This is not identity provider metadata: it has no IDPSSODescriptor (was the "
                "service provider's metadata pasted instead?)."
            ),
            field_name,
        )
    try:
        parsed = OneLogin_Saml2_IdPMetadataParser.parse(
            xml.strip(), required_sso_binding=REDIRECT_BINDING
        ).get("idp", {})
    except Exception as error:  # the parser raises plain exceptions for bad content
        raise _fail(
            _("The metadata could not be read: %(reason)s") % {"reason": error}, field_name
        ) from None
    sso_url = parsed.get("singleSignOnService", {}).get("url", "")
    if not sso_url:
        raise _fail(
            _("The metadata offers no single sign-on address with the HTTP-Redirect binding."),
            field_name,
        )
    certificates = list(parsed.get("x509certMulti", {}).get("signing", []))
    if not certificates and parsed.get("x509cert"):
        certificates = [parsed["x509cert"]]
    if not certificates:
        raise _fail(
            _("The metadata has no signing certificate, so its assertions could not be checked."),
            field_name,
        )
    return SamlIdentityProvider(
        entity_id=parsed.get("entityId", ""),
        sso_url=sso_url,
        certificates=certificates,
        xml=xml.strip(),
        attributes=_announced_attributes(root),
    )
