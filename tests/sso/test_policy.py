"""What single sign-on changes on the sign-in page: addresses in its domains are routed to
it, and where it is the only way in, passwords, emailed links and invitations are refused
with a message naming it."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.test import Client

from alongside.accounts.models import User
from alongside.accounts.sign_in_links import email_link
from alongside.organisations.models import Organisation
from alongside.people.invitations import invitation_create, invitation_link
from alongside.people.models import Person
from alongside.sso.models import SsoConnection
from tests.conftest import PASSWORD


@pytest.fixture(autouse=True)
def _locmem(settings: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def connect(org: Organisation, *, required: bool = False) -> SsoConnection:
    return SsoConnection.objects.create(
        organisation=org,
        protocol="oidc",
        display_name="Acme Entra ID",
        email_domains=["acme.test"],
        enabled=True,
        required=required,
        tested_version=1,
    )


def test_an_address_in_a_covered_domain_is_routed_to_its_provider(
    cast: dict[str, User], org_a: Organisation
) -> None:
    connect(org_a)
    hint = Client().get("/accounts/login/realm/", {"username": "neha@acme.test"})
    assert "This address signs in with Acme Entra ID." in hint.content.decode()
    assert 'href="/sso/acme/start/"' in hint.content.decode()
    assert (
        Client().get("/accounts/login/realm/", {"username": "x@other.test"}).content.strip() == b""
    )
    # Submitted without a password, the sign-in form goes there, keeping where it was going.
    response = Client().post(
        "/accounts/login/", {"username": "Neha@ACME.test", "password": "", "next": "/o/acme/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/sso/acme/start/?next=%2Fo%2Facme%2F"
    # With a password, and single sign-on optional, the password still works.
    client = Client()
    assert (
        client.post(
            "/accounts/login/", {"username": "ravi.member@acme.test", "password": PASSWORD}
        ).status_code
        == 302
    )
    assert client.session.get(SESSION_KEY) == str(cast["member"].pk)


def test_where_sso_is_the_only_way_in_a_password_is_refused_naming_it(
    cast: dict[str, User], org_a: Organisation
) -> None:
    connect(org_a, required=True)
    client = Client()
    response = client.post(
        "/accounts/login/", {"username": "ravi.member@acme.test", "password": PASSWORD}
    )
    # The address's domain is covered: straight to the provider, the password unread.
    assert response["Location"] == "/sso/acme/start/"
    assert client.session.get(SESSION_KEY) is None
    hint = Client().get("/accounts/login/realm/", {"username": "ravi.member@acme.test"})
    assert "Passwords and emailed links are switched off for it." in hint.content.decode()


def test_a_member_with_an_address_elsewhere_is_refused_by_membership(
    org_a: Organisation, client_for: Any
) -> None:
    from alongside.organisations.models import Membership

    contractor = User.objects.create_user("sam@contractor.example", PASSWORD, full_name="Sam")
    Membership.objects.create(user=contractor, organisation=org_a, role="member")
    connect(org_a, required=True)
    client = Client()
    response = client.post(
        "/accounts/login/", {"username": "sam@contractor.example", "password": PASSWORD}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Acme India signs its members in with single sign-on only" in body
    assert "Acme Entra ID" in body
    assert client.session.get(SESSION_KEY) is None


def test_site_staff_keep_their_password_to_repair_a_broken_provider(
    cast: dict[str, User], org_a: Organisation
) -> None:
    connect(org_a, required=True)
    operator = User.objects.create_user("ops@hosting.example", PASSWORD, is_staff=True)
    from alongside.organisations.models import Membership

    Membership.objects.create(user=operator, organisation=org_a, role="admin")
    client = Client()
    client.post("/accounts/login/", {"username": "ops@hosting.example", "password": PASSWORD})
    assert client.session.get(SESSION_KEY) == str(operator.pk)


def test_an_emailed_link_is_replaced_by_a_pointer_to_sso(
    cast: dict[str, User], org_a: Organisation, django_capture_on_commit_callbacks: Any
) -> None:
    connect(org_a, required=True)
    with django_capture_on_commit_callbacks(execute=True):
        Client().post(
            "/accounts/login/",
            {"username": "contractor.ravi@elsewhere.test", "method": "link"},
        )
    assert mail.outbox == []  # unknown address: nothing
    from alongside.organisations.models import Membership

    contractor = User.objects.create_user("sam@contractor.example", full_name="Sam")
    Membership.objects.create(user=contractor, organisation=org_a, role="member")
    # Covered domain: routed before any link is asked for.
    response = Client().post(
        "/accounts/login/", {"username": "ravi.member@acme.test", "method": "link"}
    )
    assert response["Location"] == "/sso/acme/start/"
    # A member outside the domains asking for a link is refused (and told why by email
    # only if their domain has a provider; here the link is simply not sent).
    with django_capture_on_commit_callbacks(execute=True):
        Client().post("/accounts/login/", {"username": "sam@contractor.example", "method": "link"})
    assert mail.outbox == []


def test_a_product_email_link_does_not_bypass_sso(
    cast: dict[str, User], org_a: Organisation
) -> None:
    url = email_link(email="ravi.member@acme.test", path="/o/acme/", organisation_id=org_a.pk)
    connect(org_a, required=True)
    path = "/" + url.split("://", 1)[1].split("/", 1)[1]
    client = Client()
    response = client.post(path)
    assert response.status_code == 403
    assert "single sign-on only" in response.content.decode()
    assert client.session.get(SESSION_KEY) is None


def test_an_invitation_does_not_bypass_sso(org_a: Organisation, admin: User) -> None:
    person = Person.objects.create(organisation=org_a, name="Neha New", email="neha@acme.test")
    _invitation, secret = invitation_create(person=person, actor=admin)
    connect(org_a, required=True)
    path = re.sub(r"^https?://[^/]+", "", invitation_link(secret))
    client = Client()
    response = client.post(path, {"password": "", "password_again": ""})
    assert response.status_code == 200
    assert "single sign-on only" in response.content.decode()
    assert client.session.get(SESSION_KEY) is None


def test_a_password_reset_where_sso_is_the_only_way_in_points_to_it(
    cast: dict[str, User], org_a: Organisation, django_capture_on_commit_callbacks: Any
) -> None:
    connect(org_a, required=True)
    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post("/accounts/password-reset/", {"email": "ravi.member@acme.test"})
    assert response["Location"] == "/accounts/password-reset/sent/"
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert mail.outbox[0].subject == "Sign in to Alongside with single sign-on"
    assert "/accounts/reset/" not in body  # a new password would be refused anyway
    assert "/sso/acme/start/" in body
