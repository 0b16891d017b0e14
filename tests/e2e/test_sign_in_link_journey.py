"""In Chromium: a person with no password asks for a sign-in link and gets in with it; the
same link opened in another browser asks to confirm; an admin lifts a member's pause and
issues a service token."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from alongside.accounts.models import User
from alongside.organisations.models import Membership, Organisation, Role
from alongside.people.models import Person
from tests.e2e.test_sso_journey import shoot

PASSWORD = "correct horse battery staple"


@pytest.fixture
def acme(live_server: Any, settings: Any) -> Organisation:
    settings.SITE_URL = live_server.url
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    organisation = Organisation.objects.create(name="Acme India", slug="acme")
    admin = User.objects.create_user("asha.admin@acme.test", PASSWORD, full_name="Asha Admin")
    Membership.objects.create(user=admin, organisation=organisation, role=Role.ADMIN)
    Person.objects.create(
        organisation=organisation, user=admin, name="Asha Admin", email=admin.email
    )
    Person.objects.create(organisation=organisation, name="Neha New", email="neha.new@acme.test")
    return organisation


def link_path(body: str) -> str:
    found = re.search(r"https?://[^/\s]+(/accounts/link/[^/\s]+/)", body)
    assert found is not None, body
    return found.group(1)


@pytest.mark.django_db(transaction=True)
def test_someone_without_a_password_signs_in_with_an_emailed_link(
    page: Any, browser: Any, live_server: Any, acme: Organisation
) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/accounts/login/?next=/o/acme/people/")
    page.fill("#id_username", "neha.new@acme.test")
    shoot(page, "sign-in-390")
    page.get_by_role("button", name="Email me a sign-in link").click()
    page.wait_for_url("**/accounts/login/link-sent/")
    expect(page.locator("h1")).to_have_text("Check your email")
    shoot(page, "sign-in-link-sent-390")
    assert [m.to for m in mail.outbox] == [["neha.new@acme.test"]]
    path = link_path(mail.outbox[0].body)

    # Opened in another browser, it asks first and spends nothing.
    other = browser.new_context(base_url=live_server.url, viewport={"width": 1366, "height": 900})
    elsewhere = other.new_page()
    elsewhere.goto(path)
    expect(elsewhere.locator("h1")).to_have_text("Continue to Alongside")
    expect(elsewhere.locator("main")).to_contain_text("asked for in another browser")
    shoot(elsewhere, "sign-in-link-confirm-1366")
    other.close()

    # In the browser that asked, it signs in at once and opens the page asked for.
    page.goto(path)
    page.wait_for_url("**/o/acme/people/")
    expect(page.locator(".account-menu summary")).to_have_text("Account: Neha")
    assert User.objects.get(email="neha.new@acme.test").has_usable_password() is False


@pytest.mark.django_db(transaction=True)
def test_an_admin_lifts_a_pause_and_issues_a_service_token(
    page: Any, live_server: Any, acme: Organisation, client: Any
) -> None:
    from django.test import Client

    for n in range(5):
        Client().post(
            "/accounts/login/",
            {"username": "asha.admin@acme.test", "password": f"guess {n}"},
            REMOTE_ADDR=f"192.0.2.{n}",
        )
    other = User.objects.create_user("bilal.admin@acme.test", PASSWORD, full_name="Bilal")
    Membership.objects.create(user=other, organisation=acme, role=Role.ADMIN)
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto("/accounts/login/")
    shoot(page, "sign-in-1366")
    page.fill("#id_username", "bilal.admin@acme.test")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url("**/o/acme/")
    page.goto("/o/acme/settings/access/")
    expect(page.locator("main")).to_contain_text("asha.admin@acme.test")
    page.fill("#id_name", "HR sync")
    page.select_option("#id_role", "admin")
    expires = (timezone.localtime() + timedelta(days=90)).strftime("%Y-%m-%dT%H:%M")
    page.fill("#id_expires_at", expires)
    page.get_by_role("button", name="Issue the token").click()
    expect(page.locator("code.secret")).to_contain_text("alg_")
    shoot(page, "access-1366")
    page.set_viewport_size({"width": 390, "height": 844})
    # Nothing sticks out sideways on a phone (wide tables scroll inside their box).
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # On a phone each paused account is a labelled card with its Unlock button in view.
    expect(page.get_by_role("button", name="Unlock")).to_be_in_viewport()
    shoot(page, "access-390")
    page.get_by_role("button", name="Unlock").click()
    expect(page.locator(".message.success")).to_contain_text(
        "asha.admin@acme.test can sign in with a password again."
    )
