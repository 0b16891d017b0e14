"""Single sign-on in Chromium against real identity providers on 127.0.0.1.

An admin configures OpenID Connect on the settings page, tries it and switches it on; a
person in the directory with no account then signs in from the sign-in page, routed to
the provider by their email domain. Both protocols refuse, each with its own message, a
token or assertion for another audience, an expired one, one with a bad signature, an
address outside the organisation's domains and someone not in its directory.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from alongside.accounts.models import User
from alongside.audit.models import AuditEvent
from alongside.organisations.models import Membership, Organisation, Role
from alongside.people.models import Person
from alongside.sso.models import SsoConnection
from alongside.sso.services import sso_configure
from tests.identity_providers.harness import (
    OidcProvider,
    SamlProvider,
    oidc_provider,
    require_xmlsec,
    saml_provider,
)

PASSWORD = "correct horse battery staple"
SCREENSHOTS = Path(os.environ.get("ALONGSIDE_SCREENSHOTS", "var/screenshots"))


@pytest.fixture(scope="session")
def oidc_idp(live_server: Any) -> Iterator[OidcProvider]:
    with oidc_provider([f"{live_server.url}/sso/acme/oidc/callback/"]) as provider:
        yield provider


@pytest.fixture(scope="session")
def saml_idp(live_server: Any) -> Iterator[SamlProvider]:
    require_xmlsec()
    with saml_provider() as provider:
        yield provider


@pytest.fixture
def acme(live_server: Any, settings: Any) -> Organisation:
    """Acme India with an admin, a member who signs in with a password, and two people in
    the directory who have never signed in."""
    settings.SITE_URL = live_server.url
    organisation = Organisation.objects.create(name="Acme India", slug="acme")
    for email, name, role in (
        ("asha.admin@acme.test", "Asha Admin", Role.ADMIN),
        ("ravi.member@acme.test", "Ravi Member", Role.MEMBER),
    ):
        user = User.objects.create_user(email, PASSWORD, full_name=name)
        Membership.objects.create(user=user, organisation=organisation, role=role)
        Person.objects.create(organisation=organisation, user=user, name=name, email=email)
    Person.objects.create(organisation=organisation, name="Neha New", email="neha.new@acme.test")
    Person.objects.create(
        organisation=organisation,
        name="Kiran Kumar",
        email="kiran.k@acme.test",
        employee_id="E-1042",
    )
    return organisation


def shoot(page: Any, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def sign_in_with_password(page: Any, email: str) -> None:
    page.goto("/accounts/login/")
    page.fill("#id_username", email)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url("**/o/acme/")


def at_provider(page: Any, email: str, scenario: str = "", employee_id: str = "") -> None:
    """Sign in at the test provider (either protocol) as ``email``."""
    page.wait_for_selector("#scenario")
    page.fill("#email", email)
    page.fill("#name", email.split("@")[0].replace(".", " ").title())
    if employee_id:
        page.fill("#employee_id", employee_id)
    page.select_option("#scenario", scenario)
    page.get_by_role("button", name="Sign in").click()


def enabled(organisation: Organisation, admin: User, **arguments: Any) -> SsoConnection:
    connection = sso_configure(organisation=organisation, actor=admin, **arguments)
    SsoConnection.objects.filter(pk=connection.pk).update(
        tested_version=connection.version, enabled=True
    )
    return SsoConnection.objects.get(pk=connection.pk)


def oidc_settings(provider: OidcProvider) -> dict[str, Any]:
    return {
        "protocol": "oidc",
        "issuer_url": provider.issuer,
        "client_id": provider.client_id,
        "client_secret": provider.client_secret,
        "email_domains": ["acme.test"],
        "attribute_mapping": {"email": "email", "name": "name", "employee_id": "employee_number"},
    }


def saml_settings(provider: SamlProvider) -> dict[str, Any]:
    return {
        "protocol": "saml",
        "idp_metadata_url": provider.metadata_url,
        "email_domains": ["acme.test"],
        "attribute_mapping": {
            "email": "mail",
            "name": "displayName",
            "employee_id": "employeeNumber",
        },
    }


@pytest.mark.django_db(transaction=True)
def test_an_admin_sets_up_openid_connect_and_a_new_person_signs_in(
    page: Any, browser: Any, live_server: Any, acme: Organisation, oidc_idp: OidcProvider
) -> None:
    page.set_viewport_size({"width": 1366, "height": 900})
    sign_in_with_password(page, "asha.admin@acme.test")
    page.goto("/o/acme/settings/sign-in/")
    page.fill("#id_issuer_url", oidc_idp.issuer)
    page.fill("#id_client_id", oidc_idp.client_id)
    page.fill("#id_client_secret", oidc_idp.client_secret)
    page.fill("#id_email_domains", "acme.test")
    page.fill("#id_attribute_employee_id", "employee_number")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".message.success")).to_contain_text("Saved")
    expect(page.locator(".sso-status")).to_contain_text("Not tested")
    shoot(page, "sso-settings-saved-1366")

    # Try sign-in: the provider signs someone in, Alongside only records what it saw.
    page.get_by_role("button", name="Try sign-in").click()
    at_provider(page, "ravi.member@acme.test")
    page.wait_for_url("**/o/acme/settings/sign-in/")
    expect(page.locator(".message.success")).to_contain_text(
        "Try sign-in worked: the provider signed in ravi.member@acme.test, who is Ravi Member"
    )
    expect(page.locator(".account-menu summary")).to_have_text("Account: Asha")  # still the admin
    page.get_by_role("button", name="Switch on").click()
    expect(page.locator(".message.success")).to_contain_text("Single sign-on is on")
    shoot(page, "sso-settings-on-1366")
    page.set_viewport_size({"width": 390, "height": 844})
    shoot(page, "sso-settings-on-390")

    # Neha is in the directory but has no account: the sign-in page routes her address.
    context = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844})
    neha = context.new_page()
    errors: list[str] = []
    neha.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    neha.goto("/accounts/login/")
    neha.fill("#id_username", "neha.new@acme.test")
    hint = neha.locator("#sign-in-realm")
    expect(hint).to_contain_text("This address signs in with Acme India single sign-on.")
    shoot(neha, "sign-in-realm-390")
    neha.get_by_role("link", name="Continue with single sign-on").click()
    at_provider(neha, "neha.new@acme.test")
    neha.wait_for_url("**/o/acme/")
    expect(neha.locator(".account-menu summary")).to_have_text("Account: Neha")
    user = User.objects.get(email="neha.new@acme.test")
    assert not user.has_usable_password()
    assert Membership.objects.get(user=user, organisation=acme).role == "member"
    assert Person.objects.get(email="neha.new@acme.test").user == user
    event = AuditEvent.objects.get(action="sso.signed_in")
    assert event.data["account_created"] is True
    assert errors == []  # no Content-Security-Policy violation on the way
    context.close()


@pytest.mark.django_db(transaction=True)
def test_openid_connect_matches_by_employee_id_when_the_email_differs(
    page: Any, acme: Organisation, oidc_idp: OidcProvider
) -> None:
    admin = User.objects.get(email="asha.admin@acme.test")
    enabled(acme, admin, **oidc_settings(oidc_idp))
    page.goto("/sso/acme/start/")
    at_provider(page, "k.kumar@acme.test", employee_id="E-1042")
    page.wait_for_url("**/o/acme/")
    assert Person.objects.get(employee_id="E-1042").user.email == "kiran.k@acme.test"


OIDC_REFUSALS = [
    ("ravi.member@acme.test", "wrong_audience", "issued for another application (wrong audience)"),
    ("ravi.member@acme.test", "expired", "ID token had already expired"),
    ("ravi.member@acme.test", "bad_signature", "signature does not match the identity provider"),
    ("ravi@gmail.com", "", "covers only acme.test"),
    (
        "ravi.member@acme.test",
        "unverified_email",
        "says it has not verified the address ravi.member@acme.test",
    ),
    (
        "stranger@acme.test",
        "",
        "stranger@acme.test is not in Acme India's people directory, so it cannot sign in "
        "here yet. Ask an organisation admin to add you: Asha Admin <asha.admin@acme.test>.",
    ),
]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("email", "scenario", "message"), OIDC_REFUSALS)
def test_openid_connect_refuses_with_a_clear_message(
    page: Any, acme: Organisation, oidc_idp: OidcProvider, email: str, scenario: str, message: str
) -> None:
    admin = User.objects.get(email="asha.admin@acme.test")
    enabled(acme, admin, **oidc_settings(oidc_idp))
    page.goto("/sso/acme/start/")
    at_provider(page, email, scenario)
    page.wait_for_selector("h1:has-text('You could not be signed in')")
    expect(page.locator(".callout.error")).to_contain_text(message)
    assert not AuditEvent.objects.filter(action="sso.signed_in").exists()
    assert not User.objects.filter(email__in=["ravi@gmail.com", "stranger@acme.test"]).exists()
    if scenario == "bad_signature":
        page.set_viewport_size({"width": 390, "height": 844})
        shoot(page, "sso-refused-bad-signature-390")


@pytest.mark.django_db(transaction=True)
def test_saml_signs_in_a_directory_person_just_in_time(
    page: Any, acme: Organisation, saml_idp: SamlProvider
) -> None:
    admin = User.objects.get(email="asha.admin@acme.test")
    enabled(acme, admin, **saml_settings(saml_idp))
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto("/accounts/login/?next=/o/acme/people/")
    page.fill("#id_username", "neha.new@acme.test")
    # Without waiting for the hint: an empty password and a covered domain go to SSO.
    page.get_by_role("button", name="Sign in", exact=True).click()
    at_provider(page, "neha.new@acme.test")
    page.wait_for_url("**/o/acme/people/")
    user = User.objects.get(email="neha.new@acme.test")
    assert Membership.objects.filter(user=user, organisation=acme).exists()
    event = AuditEvent.objects.get(action="sso.signed_in")
    assert event.data["protocol"] == "saml"
    assert event.data["subject"] == "neha.new@acme.test"


SAML_REFUSALS = [
    ("ravi.member@acme.test", "wrong_audience", "addressed to another service (wrong audience)"),
    ("ravi.member@acme.test", "expired", "The SAML assertion had expired"),
    ("ravi.member@acme.test", "bad_signature", "signature does not match the identity provider"),
    ("ravi@outside.example", "", "covers only acme.test"),
]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("email", "scenario", "message"), SAML_REFUSALS)
def test_saml_refuses_with_a_clear_message(
    page: Any, acme: Organisation, saml_idp: SamlProvider, email: str, scenario: str, message: str
) -> None:
    admin = User.objects.get(email="asha.admin@acme.test")
    enabled(acme, admin, **saml_settings(saml_idp))
    page.goto("/sso/acme/start/")
    at_provider(page, email, scenario)
    page.wait_for_selector("h1:has-text('You could not be signed in')")
    expect(page.locator(".callout.error")).to_contain_text(message)
    assert not AuditEvent.objects.filter(action="sso.signed_in").exists()
    if scenario == "expired":
        page.set_viewport_size({"width": 1366, "height": 900})
        shoot(page, "sso-refused-expired-1366")


@pytest.mark.django_db(transaction=True)
def test_saml_try_sign_in_records_what_the_provider_sent(
    page: Any, acme: Organisation, saml_idp: SamlProvider
) -> None:
    admin = User.objects.get(email="asha.admin@acme.test")
    sso_configure(organisation=acme, actor=admin, **saml_settings(saml_idp))
    sign_in_with_password(page, "asha.admin@acme.test")
    page.goto("/o/acme/settings/sign-in/")
    expect(page.locator("#id_idp_metadata_url")).to_have_value(saml_idp.metadata_url)
    page.set_viewport_size({"width": 390, "height": 844})
    # The long addresses to give the provider wrap inside their box on a phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shoot(page, "sso-saml-settings-390")
    page.set_viewport_size({"width": 1366, "height": 900})
    page.get_by_role("button", name="Try sign-in").click()
    at_provider(page, "kiran.k@acme.test", employee_id="E-1042")
    page.wait_for_url("**/o/acme/settings/sign-in/")
    expect(page.locator(".message.success")).to_contain_text("who is Kiran Kumar")
    connection = SsoConnection.objects.get()
    assert connection.tested
    assert not connection.enabled  # trying switches nothing on
    assert connection.last_test["employee_id"] == "E-1042"
    assert not User.objects.filter(email="kiran.k@acme.test").exists()  # nobody signed in
    page.set_viewport_size({"width": 1366, "height": 900})
    shoot(page, "sso-saml-tested-1366")
