"""Configuring single sign-on: checked against the real provider before anything is saved,
each bad input refused with its own message, the secret never shown again."""

from __future__ import annotations

from typing import Any

import pytest

from alongside.accounts.models import User
from alongside.audit.models import AuditEvent
from alongside.core.errors import AlongsideError
from alongside.organisations.models import Organisation
from alongside.sso.models import SsoConnection
from alongside.sso.services import sso_configure, sso_set_enabled, sso_set_required
from tests.identity_providers.harness import OidcProvider, SamlProvider, free_port

SSO = "/api/v1/organisations/acme/sso"


def oidc(org: Organisation, actor: User, provider: OidcProvider, **changes: Any) -> SsoConnection:
    arguments: dict[str, Any] = {
        "protocol": "oidc",
        "issuer_url": provider.issuer,
        "client_id": provider.client_id,
        "client_secret": provider.client_secret,
        "email_domains": ["acme.test"],
        "attribute_mapping": {"email": "email", "name": "name"},
    }
    arguments.update(changes)
    return sso_configure(organisation=org, actor=actor, **arguments)


def problems_of(error: pytest.ExceptionInfo[AlongsideError]) -> list[tuple[str | None, str]]:
    return [(p.field, p.message) for p in error.value.problems]


def test_an_openid_provider_is_read_from_its_discovery_document(
    org_a: Organisation, admin: User, oidc_idp: OidcProvider
) -> None:
    connection = oidc(org_a, admin, oidc_idp)
    assert connection.oidc_metadata["issuer"] == oidc_idp.issuer
    assert connection.oidc_metadata["jwks_uri"] == oidc_idp.issuer + "/jwks"
    # The secret is stored encrypted, never as typed.
    assert oidc_idp.client_secret not in connection.client_secret_encrypted
    assert connection.client_secret_encrypted
    event = AuditEvent.objects.get(action="sso.configured")
    assert "client_secret" in event.data["changed"]
    assert oidc_idp.client_secret not in str(event.data)


def test_the_api_never_shows_the_secret(
    org_a: Organisation, admin: User, oidc_idp: OidcProvider, api_for: Any
) -> None:
    oidc(org_a, admin, oidc_idp)
    body = api_for(admin).get(SSO).json()
    assert body["client_secret_set"] is True
    assert oidc_idp.client_secret not in str(body)
    assert body["redirect_uri"].endswith("/sso/acme/oidc/callback/")
    assert body["tested"] is False


def test_configuring_through_the_api_keeps_the_secret_when_it_is_left_out(
    org_a: Organisation, admin: User, oidc_idp: OidcProvider, api_for: Any
) -> None:
    api = api_for(admin)
    payload = {
        "protocol": "oidc",
        "issuer_url": oidc_idp.issuer,
        "client_id": oidc_idp.client_id,
        "client_secret": oidc_idp.client_secret,
        "email_domains": ["acme.test", "acme-india.test"],
    }
    assert api.request("PUT", SSO, payload).status_code == 200
    stored = SsoConnection.objects.get().client_secret_encrypted
    payload.pop("client_secret")
    payload["display_name"] = "Acme Entra ID"
    answer = api.request("PUT", SSO, payload)
    assert answer.status_code == 200
    assert answer.json()["display_name"] == "Acme Entra ID"
    assert SsoConnection.objects.get().client_secret_encrypted == stored


def test_an_unreachable_issuer_is_refused_and_nothing_is_saved(
    org_a: Organisation, admin: User, oidc_idp: OidcProvider
) -> None:
    closed = f"http://127.0.0.1:{free_port()}/openid"
    with pytest.raises(AlongsideError) as error:
        oidc(org_a, admin, oidc_idp, issuer_url=closed)
    assert problems_of(error) == [
        (
            "issuer_url",
            f"{closed}/.well-known/openid-configuration could not be reached (ConnectionError).",
        )
    ]
    assert not SsoConnection.objects.exists()
    assert not AuditEvent.objects.filter(action="sso.configured").exists()


def test_a_page_that_is_not_a_discovery_document_is_refused(
    org_a: Organisation, admin: User, oidc_idp: OidcProvider
) -> None:
    wrong = oidc_idp.issuer.replace("/openid", "/nowhere")
    with pytest.raises(AlongsideError) as error:
        oidc(org_a, admin, oidc_idp, issuer_url=wrong)
    assert "answered HTTP 404" in problems_of(error)[0][1]
    assert not SsoConnection.objects.exists()


def test_plain_http_is_refused_except_on_this_machine(
    org_a: Organisation, admin: User, oidc_idp: OidcProvider
) -> None:
    with pytest.raises(AlongsideError) as error:
        oidc(org_a, admin, oidc_idp, issuer_url="http://login.example.com/tenant")
    assert problems_of(error) == [("issuer_url", "The issuer must be an https:// address.")]


def test_an_unknown_attribute_mapping_is_refused(
    org_a: Organisation, admin: User, oidc_idp: OidcProvider
) -> None:
    with pytest.raises(AlongsideError) as error:
        oidc(org_a, admin, oidc_idp, attribute_mapping={"email": "email", "department": "dept"})
    assert problems_of(error) == [
        (
            "attribute_mapping.department",
            "'department' is not an attribute Alongside maps; use email, name, employee_id.",
        )
    ]
    with pytest.raises(AlongsideError) as error:
        oidc(org_a, admin, oidc_idp, attribute_mapping={"email": "e mail"})
    assert problems_of(error)[0][0] == "attribute_mapping.email"
    assert not SsoConnection.objects.exists()


@pytest.mark.parametrize(
    ("domains", "message"),
    [
        ([], "Give at least one email domain"),
        (["gmail.com"], "gmail.com is a public email service"),
        (["not a domain"], "'not a domain' is not a domain name."),
    ],
)
def test_email_domains_are_checked(
    org_a: Organisation, admin: User, oidc_idp: OidcProvider, domains: list[str], message: str
) -> None:
    with pytest.raises(AlongsideError) as error:
        oidc(org_a, admin, oidc_idp, email_domains=domains)
    assert message in problems_of(error)[0][1]
    assert problems_of(error)[0][0] == "email_domains"


def test_a_domain_belongs_to_one_organisation_only(
    org_a: Organisation, org_b: Organisation, admin: User, outsider: User, oidc_idp: OidcProvider
) -> None:
    oidc(org_a, admin, oidc_idp)
    with pytest.raises(AlongsideError) as error:
        oidc(org_b, outsider, oidc_idp)
    assert problems_of(error) == [
        ("email_domains", "acme.test is already covered by another organisation's single sign-on.")
    ]


def test_switching_on_needs_a_successful_try_and_required_needs_on(
    org_a: Organisation, admin: User, oidc_idp: OidcProvider
) -> None:
    connection = oidc(org_a, admin, oidc_idp)
    with pytest.raises(AlongsideError, match="Try sign-in first"):
        sso_set_enabled(connection=connection, actor=admin, enabled=True)
    with pytest.raises(AlongsideError, match="Switch single sign-on on"):
        sso_set_required(connection=connection, actor=admin, required=True)
    SsoConnection.objects.filter(pk=connection.pk).update(tested_version=connection.version)
    connection = sso_set_enabled(connection=connection, actor=admin, enabled=True)
    connection = sso_set_required(connection=connection, actor=admin, required=True)
    assert connection.enabled
    assert connection.required
    # A change of settings must be tried again; switching off also ends "required".
    connection = oidc(org_a, admin, oidc_idp, email_domains=["acme.test", "acme.example"])
    assert not connection.tested
    connection = sso_set_enabled(connection=connection, actor=admin, enabled=False)
    assert not connection.required
    actions = list(
        AuditEvent.objects.filter(action__startswith="sso.").values_list("action", flat=True)
    )
    assert sorted(actions) == sorted(
        ["sso.configured", "sso.enabled", "sso.required", "sso.configured", "sso.disabled"]
    )


# --- SAML ---------------------------------------------------------------------------------


def saml(org: Organisation, actor: User, **changes: Any) -> SsoConnection:
    arguments: dict[str, Any] = {
        "protocol": "saml",
        "email_domains": ["acme.test"],
        "attribute_mapping": {"email": "mail", "name": "displayName"},
    }
    arguments.update(changes)
    return sso_configure(organisation=org, actor=actor, **arguments)


def test_a_saml_provider_is_read_from_its_metadata_url(
    org_a: Organisation, admin: User, saml_idp: SamlProvider, client: Any
) -> None:
    connection = saml(org_a, admin, idp_metadata_url=saml_idp.metadata_url)
    assert connection.idp_entity_id == saml_idp.metadata_url
    assert connection.idp_sso_url.endswith("/saml/sso")
    assert len(connection.idp_certificates) == 1
    # Alongside's own metadata for this organisation, at a stable address.
    answer = client.get("/sso/acme/saml/metadata/")
    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/samlmetadata+xml"
    body = answer.content.decode()
    assert 'entityID="http://127.0.0.1:8000/sso/acme/saml/metadata/"' in body
    assert 'Location="http://127.0.0.1:8000/sso/acme/saml/acs/"' in body
    assert 'WantAssertionsSigned="true"' in body


def test_pasted_saml_metadata_works_too(
    org_a: Organisation, admin: User, saml_idp: SamlProvider
) -> None:
    import urllib.request

    with urllib.request.urlopen(saml_idp.metadata_url) as answer:
        xml = answer.read().decode()
    connection = saml(org_a, admin, idp_metadata_xml=xml)
    assert connection.idp_entity_id == saml_idp.metadata_url
    assert connection.idp_metadata_url == ""


@pytest.mark.parametrize(
    ("xml", "message"),
    [
        ("<EntityDescriptor><unclosed>", "The metadata is not well-formed XML:"),
        (
            '<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" '
            'entityID="https://sp.example"><md:SPSSODescriptor/></md:EntityDescriptor>',
            "This is not identity provider metadata: it has no IDPSSODescriptor",
        ),
        (
            '<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" '
            'entityID="https://idp.example"><md:IDPSSODescriptor '
            'protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">'
            '<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" '
            'Location="https://idp.example/sso"/></md:IDPSSODescriptor></md:EntityDescriptor>',
            "The metadata has no signing certificate",
        ),
    ],
)
def test_bad_saml_metadata_is_refused_and_nothing_is_saved(
    org_a: Organisation, admin: User, xml: str, message: str
) -> None:
    with pytest.raises(AlongsideError) as error:
        saml(org_a, admin, idp_metadata_xml=xml)
    field, text = problems_of(error)[0]
    assert field == "idp_metadata_xml"
    assert text.startswith(message), text
    assert not SsoConnection.objects.exists()


def test_a_bad_saml_change_leaves_the_saved_settings_as_they_were(
    org_a: Organisation, admin: User, saml_idp: SamlProvider
) -> None:
    saml(org_a, admin, idp_metadata_url=saml_idp.metadata_url)
    before = SsoConnection.objects.values().get()
    with pytest.raises(AlongsideError):
        saml(org_a, admin, idp_metadata_xml="<not-xml", email_domains=["other.test"])
    assert SsoConnection.objects.values().get() == before
