"""The single sign-on settings page and API: bad input is named per field and saves nothing."""

from __future__ import annotations

from typing import Any

from alongside.accounts.models import User
from alongside.sso.models import SsoConnection
from tests.identity_providers.harness import free_port

PAGE = "/o/acme/settings/sign-in/"


def test_malformed_metadata_on_the_page_is_named_and_nothing_is_saved(
    admin: User, client_for: Any
) -> None:
    response = client_for(admin).post(
        PAGE,
        {
            "protocol": "saml",
            "email_domains": "acme.test",
            "idp_metadata_xml": "<EntityDescriptor><oops>",
            "attribute_email": "mail",
        },
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "The metadata is not well-formed XML" in body
    assert not SsoConnection.objects.exists()


def test_an_unreachable_issuer_on_the_page_is_named(admin: User, client_for: Any) -> None:
    issuer = f"http://127.0.0.1:{free_port()}/realms/staff"
    response = client_for(admin).post(
        PAGE,
        {
            "protocol": "oidc",
            "email_domains": "acme.test",
            "issuer_url": issuer,
            "client_id": "alongside",
            "client_secret": "s3cret",
            "attribute_email": "email",
        },
    )
    assert "could not be reached" in response.content.decode()
    assert "s3cret" not in response.content.decode()  # never echoed back
    assert not SsoConnection.objects.exists()


def test_choosing_saml_redraws_the_fields_with_what_to_give_the_provider(
    admin: User, client_for: Any
) -> None:
    response = client_for(admin).get(
        PAGE, {"protocol": "saml", "email_domains": "acme.test"}, headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="sso-fields">')
    assert "http://127.0.0.1:8000/sso/acme/saml/metadata/" in body
    assert "http://127.0.0.1:8000/sso/acme/saml/acs/" in body
    assert 'name="idp_metadata_url"' in body
    assert 'name="client_secret"' not in body
    assert 'value="acme.test"' in body  # what was typed is kept


def test_the_api_names_bad_metadata_and_saves_nothing(admin: User, api_for: Any) -> None:
    answer = api_for(admin).request(
        "PUT",
        "/api/v1/organisations/acme/sso",
        {"protocol": "saml", "email_domains": ["acme.test"], "idp_metadata_xml": "not xml"},
    )
    assert answer.status_code == 400
    problem = answer.json()["problems"][0]
    assert problem["field"] == "idp_metadata_xml"
    assert problem["message"].startswith("The metadata is not well-formed XML")
    assert api_for(admin).get("/api/v1/organisations/acme/sso").status_code == 404
