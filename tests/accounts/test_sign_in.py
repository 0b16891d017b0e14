"""Sign-in, lockout, password reset, invitations and the security headers of every page."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from alongside.accounts.models import ApiToken, User
from alongside.organisations.models import Membership, Organisation, Role
from alongside.people.models import Invitation, Person
from tests.conftest import PASSWORD
from tests.test_access import ORG_PAGES, fill, make_tenant_objects, org_urls

LOGIN = "/accounts/login/"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def signed_in_user_id(client: Client) -> str | None:
    return client.session.get(SESSION_KEY)


def sign_in(client: Client, email: str, password: str, **extra: Any) -> Any:
    return client.post(LOGIN, {"username": email, "password": password, **extra})


def only_path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


# --- Sign in and out ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed", ["ravi.member@acme.test", "Ravi.Member@ACME.test", "  ravi.member@acme.test "]
)
def test_sign_in_by_email_through_the_form(cast: dict[str, User], typed: str) -> None:
    client = Client()
    page = client.get(LOGIN)
    assert page.status_code == 200
    assert 'name="username"' in page.content.decode()
    assert 'type="email"' in page.content.decode()
    response = sign_in(client, typed, PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert signed_in_user_id(client) == str(cast["member"].pk)
    # Home sends a single-organisation member straight in.
    assert client.get(reverse("home"))["Location"] == "/o/acme/"
    assert client.get("/o/acme/people/").status_code == 200


def test_sign_in_follows_a_safe_next_only(cast: dict[str, User]) -> None:
    client = Client()
    response = sign_in(client, "ravi.member@acme.test", PASSWORD, next="/o/acme/people/")
    assert response["Location"] == "/o/acme/people/"
    client = Client()
    response = sign_in(client, "ravi.member@acme.test", PASSWORD, next="https://evil.example/")
    assert response["Location"] == reverse("home")


def test_wrong_password_is_refused_with_a_message(cast: dict[str, User]) -> None:
    client = Client()
    response = sign_in(client, "ravi.member@acme.test", "wrong password")
    assert response.status_code == 200
    assert "correct email and password" in response.content.decode().replace("\n", " ")
    assert signed_in_user_id(client) is None


def test_inactive_user_cannot_sign_in(cast: dict[str, User]) -> None:
    User.objects.filter(pk=cast["member"].pk).update(is_active=False)
    client = Client()
    sign_in(client, "ravi.member@acme.test", PASSWORD)
    assert signed_in_user_id(client) is None


def test_logout_is_a_post(cast: dict[str, User]) -> None:
    client = Client()
    sign_in(client, "ravi.member@acme.test", PASSWORD)
    assert client.get("/accounts/logout/").status_code == 405
    assert signed_in_user_id(client) is not None
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert response["Location"] == LOGIN
    assert signed_in_user_id(client) is None
    assert client.get("/o/acme/people/").status_code == 302


def test_logout_needs_the_csrf_token(cast: dict[str, User]) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast["member"], backend="alongside.accounts.backends.ModelBackend")
    assert client.post("/accounts/logout/").status_code == 403
    assert signed_in_user_id(client) is not None


def test_login_form_needs_the_csrf_token(cast: dict[str, User]) -> None:
    client = Client(enforce_csrf_checks=True)
    assert sign_in(client, "ravi.member@acme.test", PASSWORD).status_code == 403
    page = client.get(LOGIN)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())
    assert token is not None
    response = sign_in(
        client, "ravi.member@acme.test", PASSWORD, csrfmiddlewaretoken=token.group(1)
    )
    assert response.status_code == 302


# --- Brute-force protection --------------------------------------------------------------


def test_lockout_after_repeated_failures(cast: dict[str, User], settings: Any) -> None:
    limit = django_settings.AXES_FAILURE_LIMIT
    assert limit == 5
    client = Client()
    for attempt in range(1, limit):
        response = sign_in(client, "ravi.member@acme.test", f"guess {attempt}")
        assert response.status_code == 200, attempt
        assert "Too many sign-in attempts" not in response.content.decode()
    locked = sign_in(client, "ravi.member@acme.test", f"guess {limit}")
    assert locked.status_code in {403, 429}
    assert "Too many sign-in attempts" in locked.content.decode()
    # Even the right password is refused now…
    right = sign_in(client, "ravi.member@acme.test", PASSWORD)
    assert right.status_code in {403, 429}
    assert "Too many sign-in attempts" in right.content.decode()
    assert signed_in_user_id(client) is None
    # …also with a different letter case, which is the same account.
    upper = sign_in(Client(), "RAVI.MEMBER@acme.test", PASSWORD)
    assert upper.status_code in {403, 429}
    # The lockout page has the same headers and no inline script.
    assert "unsafe-inline" not in right["Content-Security-Policy"]
    assert_no_inline_script(right.content.decode(), "lockout page")
    # Another account from the same address is not locked.
    other = Client()
    assert sign_in(other, "asha.admin@acme.test", PASSWORD).status_code == 302


def test_successful_sign_in_resets_the_failure_count(cast: dict[str, User]) -> None:
    client = Client()
    for attempt in range(django_settings.AXES_FAILURE_LIMIT - 1):
        sign_in(client, "ravi.member@acme.test", f"guess {attempt}")
    assert sign_in(client, "ravi.member@acme.test", PASSWORD).status_code == 302
    client.post("/accounts/logout/")
    for attempt in range(django_settings.AXES_FAILURE_LIMIT - 1):
        sign_in(client, "ravi.member@acme.test", f"again {attempt}")
    assert sign_in(client, "ravi.member@acme.test", PASSWORD).status_code == 302


# --- Password reset ----------------------------------------------------------------------


def test_password_reset_by_email(
    cast: dict[str, User], django_capture_on_commit_callbacks: Any
) -> None:
    client = Client()
    assert client.get("/accounts/password-reset/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):  # the queued email goes out
        response = client.post("/accounts/password-reset/", {"email": "Ravi.Member@acme.test"})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ravi.member@acme.test"]
    link = re.search(r"https?://\S+/accounts/reset/\S+/", message.body)
    assert link is not None
    confirm = client.get(only_path(link.group(0)), follow=True)
    assert confirm.status_code == 200
    form_url = confirm.redirect_chain[-1][0] if confirm.redirect_chain else link.group(0)
    assert "set-password" in form_url
    new_password = "a brand new long passphrase"
    done = client.post(
        only_path(form_url), {"new_password1": new_password, "new_password2": new_password}
    )
    assert done.status_code == 302
    assert done["Location"] == reverse("accounts:password_reset_complete")
    assert client.get(done["Location"]).status_code == 200
    # The new password works and the old one does not.
    assert sign_in(Client(), "ravi.member@acme.test", PASSWORD).status_code == 200
    assert sign_in(Client(), "ravi.member@acme.test", new_password).status_code == 302
    # The link is single-use.
    again = client.get(only_path(link.group(0)), follow=True)
    assert "new_password1" not in again.content.decode()


def test_password_reset_for_unknown_email_sends_nothing_and_says_the_same(
    db: None, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post("/accounts/password-reset/", {"email": "nobody@acme.test"})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert mail.outbox == []


# --- Invitations -------------------------------------------------------------------------


@pytest.fixture
def newcomer(org_a: Organisation) -> Person:
    return Person.objects.create(
        organisation=org_a, name="Nisha Newcomer", email="nisha@acme.test", department="Finance"
    )


def send_invitation(
    client: Client, person: Person, capture: Any, expect_status: int = 302
) -> str | None:
    """Press 'Send invitation' on the person's page; returns the link's path."""
    detail = client.get(f"/o/acme/people/{person.pk}/")
    assert "Send invitation" in detail.content.decode()
    sent_before = len(mail.outbox)
    with capture(execute=True):
        response = client.post(f"/o/acme/people/{person.pk}/invite/")
    assert response.status_code == expect_status
    if len(mail.outbox) == sent_before:
        return None
    message = mail.outbox[-1]
    assert message.to == [person.email]
    link = re.search(r"https?://\S+/accounts/invitation/\S+/", message.body)
    assert link is not None
    html = message.alternatives[0][0]
    assert link.group(0) in html
    return only_path(link.group(0))


@pytest.mark.parametrize("sender", ["admin", "manager"])
def test_invitation_flow(
    sender: str,
    cast: dict[str, User],
    newcomer: Person,
    client_for: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    link = send_invitation(client_for(cast[sender]), newcomer, django_capture_on_commit_callbacks)
    assert link is not None
    invitation = Invitation.objects.get(person=newcomer)
    assert invitation.token_hash not in link  # only the hash is stored
    browser = Client()
    page = browser.get(link)
    assert page.status_code == 200
    assert "Acme India" in page.content.decode()
    weak = browser.post(link, {"password": "short", "password_again": "short"})
    assert weak.status_code == 200
    assert signed_in_user_id(browser) is None
    password = "my own long passphrase"
    response = browser.post(link, {"password": password, "password_again": password})
    assert response.status_code == 302
    assert response["Location"] == "/o/acme/"
    user = User.objects.get(email="nisha@acme.test")
    assert signed_in_user_id(browser) == str(user.pk)
    assert user.check_password(password)
    assert Membership.objects.get(user=user, organisation__slug="acme").role == Role.MEMBER
    newcomer.refresh_from_db()
    assert newcomer.user == user
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None
    assert browser.get("/o/acme/people/").status_code == 200
    # The link is used up.
    used = Client().get(link)
    assert used.status_code == 404
    assert "no longer valid" in used.content.decode()
    assert (
        Client().post(link, {"password": "x" * 20, "password_again": "x" * 20}).status_code == 404
    )
    # And the person can sign in with the password they chose.
    assert sign_in(Client(), "Nisha@acme.test", password).status_code == 302


def test_member_cannot_send_invitations(
    cast: dict[str, User], newcomer: Person, client_for: Any
) -> None:
    response = client_for(cast["member"]).post(f"/o/acme/people/{newcomer.pk}/invite/")
    assert response.status_code == 403
    assert not Invitation.objects.exists()
    assert mail.outbox == []


def test_expired_invitation_is_refused(
    cast: dict[str, User],
    newcomer: Person,
    client_for: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    link = send_invitation(client_for(cast["admin"]), newcomer, django_capture_on_commit_callbacks)
    assert link is not None
    Invitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    assert Client().get(link).status_code == 404
    response = Client().post(link, {"password": "x" * 20, "password_again": "x" * 20})
    assert response.status_code == 404
    assert not Membership.objects.filter(user__email="nisha@acme.test").exists()


def test_invitation_is_valid_for_the_configured_days(
    cast: dict[str, User],
    newcomer: Person,
    client_for: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    send_invitation(client_for(cast["admin"]), newcomer, django_capture_on_commit_callbacks)
    invitation = Invitation.objects.get()
    lifetime = invitation.expires_at - invitation.created_at
    expected = timedelta(days=django_settings.INVITATION_VALID_DAYS)
    assert abs(lifetime - expected) < timedelta(minutes=1)


def test_a_new_invitation_replaces_the_old_link(
    cast: dict[str, User],
    newcomer: Person,
    client_for: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    admin = client_for(cast["admin"])
    first = send_invitation(admin, newcomer, django_capture_on_commit_callbacks)
    second = send_invitation(admin, newcomer, django_capture_on_commit_callbacks)
    assert first is not None
    assert second is not None
    assert first != second
    assert Client().get(first).status_code == 404
    assert Client().get(second).status_code == 200
    assert Invitation.objects.filter(revoked_at__isnull=True).count() == 1


def test_unknown_invitation_secret_is_404(db: None) -> None:
    response = Client().get("/accounts/invitation/not-a-real-secret/")
    assert response.status_code == 404
    assert "no longer valid" in response.content.decode()


def test_inactive_person_cannot_be_invited(
    cast: dict[str, User], newcomer: Person, client_for: Any
) -> None:
    Person.objects.filter(pk=newcomer.pk).update(is_active=False)
    response = client_for(cast["admin"]).post(f"/o/acme/people/{newcomer.pk}/invite/", follow=True)
    assert "inactive" in response.content.decode()
    assert not Invitation.objects.exists()


# --- Security headers and the CSP --------------------------------------------------------


def assert_no_inline_script(html: str, where: str) -> None:
    for attributes, content in re.findall(r"<script\b([^>]*)>(.*?)</script>", html, re.S | re.I):
        if re.search(r'type="application/(ld\+)?json"', attributes):
            continue
        assert "src=" in attributes, f"{where}: <script> without src"
        assert not content.strip(), f"{where}: inline script body"
    assert not re.search(r"<[^>]+\son[a-z]+\s*=", html, re.I), f"{where}: inline event handler"
    assert 'href="javascript:' not in html, f"{where}: javascript: URL"
    for src in re.findall(r'<script\b[^>]*\bsrc="([^"]+)"', html, re.I):
        assert src.startswith("/static/"), f"{where}: script from elsewhere: {src}"


def assert_security_headers(response: Any, where: str) -> None:
    csp = response["Content-Security-Policy"]
    directives = dict(
        [*part.strip().split(" ", 1), ""][:2] for part in csp.split(";") if part.strip()
    )
    assert directives["script-src"] == "'self'", where
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["base-uri"] == "'self'"
    assert response["X-Frame-Options"] == "DENY", where
    assert response["X-Content-Type-Options"] == "nosniff", where
    assert response["Referrer-Policy"] == "same-origin", where
    assert "camera=()" in response["Permissions-Policy"], where
    assert "geolocation=()" in response["Permissions-Policy"], where
    assert response["Cross-Origin-Opener-Policy"] == "same-origin", where


@pytest.mark.parametrize(
    "path",
    [LOGIN, "/accounts/password-reset/", "/accounts/invitation/nope/", "/healthz", "/o/acme/"],
)
def test_security_headers_on_public_responses(db: None, path: str) -> None:
    assert_security_headers(Client().get(path), path)


def test_session_and_csrf_cookies_are_locked_down(cast: dict[str, User]) -> None:
    client = Client()
    page = client.get(LOGIN)
    csrf = page.cookies[django_settings.CSRF_COOKIE_NAME]
    assert csrf["samesite"] == "Lax"
    response = sign_in(client, "ravi.member@acme.test", PASSWORD)
    session = response.cookies[django_settings.SESSION_COOKIE_NAME]
    assert session["httponly"] is True
    assert session["samesite"] == "Lax"
    assert django_settings.SESSION_COOKIE_HTTPONLY is True
    assert django_settings.CSRF_COOKIE_HTTPONLY is True


def test_signing_in_rotates_the_session_key(cast: dict[str, User]) -> None:
    client = Client()
    client.get(LOGIN)
    session = client.session
    session["probe"] = "x"
    session.save()
    before = session.session_key
    sign_in(client, "ravi.member@acme.test", PASSWORD)
    assert client.session.session_key != before


def every_admin_page(cast: dict[str, User], org_a: Organisation) -> list[str]:
    tenant = make_tenant_objects(org_a, cast["admin"])
    # An export is its requester's alone: let the admin have this one.
    tenant.export.requested_by = cast["admin"]
    tenant.export.save(update_fields=["requested_by"])
    urls = [
        fill(name, org_urls()[name], tenant)
        for name in sorted(ORG_PAGES)
        # A person's own data download is a ZIP for them alone (admins get a 404).
        if not ORG_PAGES[name].post_only and name != "privacy:request_download"
    ]
    token = ApiToken.objects.create(
        user=cast["admin"], name="page", prefix="alg_page", token_hash="3" * 64
    )
    assert token.pk
    urls += [
        "/",
        "/accounts/tokens/",
        "/o/acme/people/?q=a&department=&status=all&page=1",
        "/o/acme/audit/?action=membership",
        "/api/v1/docs",
    ]
    return urls


def test_no_inline_script_on_any_page_for_the_admin(
    cast: dict[str, User], org_a: Organisation, client_for: Any
) -> None:
    client = client_for(cast["admin"])
    rendered = 0
    for url in every_admin_page(cast, org_a):
        response = client.get(url)
        assert response.status_code in {200, 302}, url
        if response.status_code == 302 or not response["Content-Type"].startswith("text/html"):
            continue
        assert_security_headers(response, url)
        assert_no_inline_script(response.content.decode(), url)
        rendered += 1
    assert rendered >= 12


def test_no_inline_script_on_public_pages(db: None) -> None:
    for url in (
        LOGIN,
        "/accounts/password-reset/",
        "/accounts/password-reset/sent/",
        "/accounts/reset/done/",
        "/accounts/invitation/nope/",
    ):
        response = Client().get(url)
        assert response["Content-Type"].startswith("text/html"), url
        assert_no_inline_script(response.content.decode(), url)


def test_htmx_partials_have_no_inline_script(cast: dict[str, User], client_for: Any) -> None:
    response = client_for(cast["admin"]).get("/o/acme/people/", headers={"HX-Request": "true"})
    body = response.content.decode()
    assert "<html" not in body
    assert_no_inline_script(body, "people rows partial")


def test_email_links_use_the_site_url(
    cast: dict[str, User],
    newcomer: Person,
    client_for: Any,
    django_capture_on_commit_callbacks: Any,
    settings: Any,
) -> None:
    settings.SITE_URL = "https://mentoring.example.org"
    send_invitation(client_for(cast["admin"]), newcomer, django_capture_on_commit_callbacks)
    assert "https://mentoring.example.org/accounts/invitation/" in mail.outbox[-1].body
