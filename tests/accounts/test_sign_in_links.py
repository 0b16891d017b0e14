"""Signing in with an emailed link: single use, short-lived, bound to the asking browser,
rate limited, and silent about which addresses exist."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.test import Client
from django.utils import timezone

from alongside.accounts.models import SignInLink, User
from alongside.accounts.sign_in_links import BROWSER_COOKIE, email_link
from alongside.audit.models import AuditEvent
from alongside.organisations.models import Membership, Organisation
from alongside.people.models import Person

LOGIN = "/accounts/login/"


_capture: Any = None


@pytest.fixture(autouse=True)
def _commits_run(settings: Any, django_capture_on_commit_callbacks: Any) -> None:
    """Each request's after-commit work (queueing the link) runs, as it would live."""
    global _capture
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    _capture = django_capture_on_commit_callbacks


def ask(client: Client, email: str, next_path: str = "", address: str = "203.0.113.5") -> Any:
    with _capture(execute=True):
        return client.post(
            LOGIN, {"username": email, "method": "link", "next": next_path}, REMOTE_ADDR=address
        )


def link_in(message: Any) -> str:
    found = re.search(r"https?://[^/\s]+(/accounts/link/[^/\s]+/)", message.body)
    assert found is not None, message.body
    return found.group(1)


def signed_in(client: Client) -> str | None:
    return client.session.get(SESSION_KEY)


def test_a_link_asked_for_signs_in_the_same_browser_at_once(cast: dict[str, User]) -> None:
    client = Client()
    response = ask(client, "Ravi.Member@acme.test", "/o/acme/people/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/link-sent/"
    assert BROWSER_COOKIE in response.cookies
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["ravi.member@acme.test"]
    opened = client.get(link_in(mail.outbox[0]))
    assert opened.status_code == 302
    assert opened["Location"] == "/o/acme/people/"
    assert signed_in(client) == str(cast["member"].pk)
    event = AuditEvent.objects.get(action="account.signed_in_by_link")
    assert event.actor_id == cast["member"].pk
    assert event.data["same_browser"] is True


def test_a_link_is_single_use(cast: dict[str, User]) -> None:
    client = Client()
    ask(client, "ravi.member@acme.test")
    path = link_in(mail.outbox[0])
    assert client.get(path).status_code == 302
    other = Client()
    again = other.get(path)
    assert again.status_code == 410
    assert "already used" in again.content.decode()
    assert signed_in(other) is None
    # The browser it signed in may follow it again: it just lands.
    assert client.get(path)["Location"] == "/"


def test_a_link_expires_after_fifteen_minutes(cast: dict[str, User]) -> None:
    client = Client()
    ask(client, "ravi.member@acme.test", "/o/acme/")
    path = link_in(mail.outbox[0])
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        stale = client.get(path)
        assert stale.status_code == 410
        body = stale.content.decode()
        assert "expired" in body
        assert "15 minutes" in body
        assert signed_in(client) is None
        # It offers a fresh link, to the same address and the same page.
        with _capture(execute=True):
            fresh = client.post(path + "fresh/", REMOTE_ADDR="203.0.113.5")
        assert fresh.status_code == 302
    assert len(mail.outbox) == 2
    assert client.get(link_in(mail.outbox[1]))["Location"] == "/o/acme/"
    assert signed_in(client) == str(cast["member"].pk)


def test_another_browser_must_confirm_and_a_scanner_spends_nothing(cast: dict[str, User]) -> None:
    ask(Client(), "ravi.member@acme.test")
    path = link_in(mail.outbox[0])
    elsewhere = Client()
    page = elsewhere.get(path)
    assert page.status_code == 200
    body = page.content.decode()
    assert "ravi.member@acme.test" in body
    assert "another browser" in body
    assert signed_in(elsewhere) is None
    assert SignInLink.objects.get().used_at is None  # a GET (a mail scanner) spends nothing
    assert elsewhere.post(path).status_code == 302
    assert signed_in(elsewhere) == str(cast["member"].pk)


def test_unknown_and_known_addresses_get_the_same_answer(cast: dict[str, User]) -> None:
    known = ask(Client(), "ravi.member@acme.test")
    unknown = ask(Client(), "nobody.at.all@acme.test")
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert set(known.cookies) == set(unknown.cookies)

    def page(location: str) -> str:
        body = Client().get(location).content.decode()
        # Each visitor's own CSRF token (in htmx headers and the language switcher's form).
        body = re.sub(r'"X-CSRFToken": "[^"]+"', "", body)
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", body)

    assert page(known["Location"]) == page(unknown["Location"])
    assert [m.to for m in mail.outbox] == [["ravi.member@acme.test"]]


def test_asks_are_rate_limited_per_address_and_per_client(cast: dict[str, User]) -> None:
    client = Client()
    for _ in range(5):
        assert ask(client, "ravi.member@acme.test").status_code == 302
    limited = ask(client, "ravi.member@acme.test")
    assert limited.status_code == 200
    assert "Too many sign-in links" in limited.content.decode()
    assert len(mail.outbox) == 5
    # An unknown address is limited just the same (the limit reveals nothing).
    for n in range(5):
        ask(Client(), "ghost@acme.test", address=f"198.51.100.{n}")
    limited = ask(Client(), "ghost@acme.test", address="198.51.100.9")
    assert "Too many sign-in links" in limited.content.decode()
    # One client asking for many addresses is limited too.
    sprayer = Client()
    answers = [ask(sprayer, f"p{n}@acme.test", address="192.0.2.1").status_code for n in range(20)]
    assert set(answers) == {302}
    limited = ask(sprayer, "one.more@acme.test", address="192.0.2.1")
    assert "Too many sign-in links" in limited.content.decode()


def test_a_directory_person_without_an_account_gets_in_by_link(
    cast: dict[str, User], org_a: Organisation
) -> None:
    Person.objects.create(organisation=org_a, name="Neha New", email="neha.new@acme.test")
    client = Client()
    ask(client, "neha.new@acme.test", "/o/acme/")
    assert len(mail.outbox) == 1
    assert not User.objects.filter(email="neha.new@acme.test").exists()  # not yet
    assert client.get(link_in(mail.outbox[0]))["Location"] == "/o/acme/"
    user = User.objects.get(email="neha.new@acme.test")
    assert not user.has_usable_password()
    assert user.full_name == "Neha New"
    assert Membership.objects.get(user=user, organisation=org_a).role == "member"
    assert Person.objects.get(email="neha.new@acme.test").user == user
    assert client.get("/o/acme/").status_code == 200


def test_an_inactive_directory_person_gets_no_link(
    cast: dict[str, User], org_a: Organisation
) -> None:
    Person.objects.create(
        organisation=org_a, name="Left Already", email="left@acme.test", is_active=False
    )
    ask(Client(), "left@acme.test")
    assert mail.outbox == []


def test_a_link_in_a_product_email_signs_in_and_lands_on_its_page(
    cast: dict[str, User], org_a: Organisation
) -> None:
    Person.objects.create(organisation=org_a, name="Neha New", email="neha.new@acme.test")
    url = email_link(email="neha.new@acme.test", path="/o/acme/surveys/", organisation_id=org_a.pk)
    path = url.split("://", 1)[1].split("/", 1)[1]
    client = Client()
    confirm = client.get("/" + path)
    assert confirm.status_code == 200  # no browser asked for it: confirm first
    assert "neha.new@acme.test" in confirm.content.decode()
    assert client.post("/" + path)["Location"] == "/o/acme/surveys/"
    assert client.get("/o/acme/surveys/").status_code == 200
    link = SignInLink.objects.get()
    assert link.expires_at - link.created_at == timedelta(days=7)


def test_a_link_never_lands_off_site(cast: dict[str, User]) -> None:
    client = Client()
    ask(client, "ravi.member@acme.test", "https://evil.example/")
    assert client.get(link_in(mail.outbox[0]))["Location"] == "/"


def test_a_service_account_gets_no_link(db: None) -> None:
    User.objects.create_user("hr-sync@service.invalid", is_service_account=True)
    ask(Client(), "hr-sync@service.invalid")
    assert mail.outbox == []


def test_password_missing_says_what_to_do(cast: dict[str, User]) -> None:
    response = Client().post(LOGIN, {"username": "ravi.member@acme.test", "password": ""})
    assert response.status_code == 200
    assert "ask for a sign-in link" in response.content.decode()


# --- "Forgotten your password?" for people without one -------------------------------------


def reset(client: Client, email: str, address: str = "203.0.113.5") -> Any:
    with _capture(execute=True):
        return client.post("/accounts/password-reset/", {"email": email}, REMOTE_ADDR=address)


def test_a_password_reset_for_a_directory_person_without_an_account_sends_a_sign_in_link(
    cast: dict[str, User], org_a: Organisation
) -> None:
    """Someone a programme enrolled, who never had an account, used to get nothing here."""
    Person.objects.create(organisation=org_a, name="Neha New", email="neha.new@acme.test")
    client = Client()
    response = reset(client, "Neha.New@acme.test")
    assert response["Location"] == "/accounts/password-reset/sent/"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["neha.new@acme.test"]
    assert "/accounts/reset/" not in mail.outbox[0].body
    assert client.get(link_in(mail.outbox[0]))["Location"] == "/"  # the asking browser: in
    assert signed_in(client) == str(User.objects.get(email="neha.new@acme.test").pk)


def test_a_password_reset_for_an_account_without_a_password_sends_a_sign_in_link(
    cast: dict[str, User], org_a: Organisation
) -> None:
    user = User.objects.create_user("no.password@acme.test", password=None)
    Membership.objects.create(user=user, organisation=org_a, role="member")
    reset(Client(), "no.password@acme.test")
    assert len(mail.outbox) == 1
    assert "/accounts/link/" in mail.outbox[0].body
    assert "/accounts/reset/" not in mail.outbox[0].body


def test_a_password_reset_still_resets_a_password_and_answers_alike_for_strangers(
    cast: dict[str, User], settings: Any
) -> None:
    settings.SITE_URL = "https://mentoring.example.org"
    known = reset(Client(), "ravi.member@acme.test")
    assert len(mail.outbox) == 1
    assert "https://mentoring.example.org/accounts/reset/" in mail.outbox[0].body
    assert "/accounts/link/" not in mail.outbox[0].body
    unknown = reset(Client(), "nobody@acme.test")
    assert len(mail.outbox) == 1  # nothing for an address nobody has
    assert unknown.status_code == known.status_code == 302
    assert unknown["Location"] == known["Location"]
    # The page only queued the work: nothing was sent while the request lasted.
    with _capture(execute=False) as queued:
        Client().post("/accounts/password-reset/", {"email": "ravi.member@acme.test"})
    assert len(queued) == 1
    assert len(mail.outbox) == 1
    page = Client().get(known["Location"]).content.decode()
    assert "a link to choose a new one is on its way; it works for 3 days" in page
    assert "a sign-in link is on its way instead; it works once, for 15 minutes" in page


def test_password_reset_asks_share_the_sign_in_link_rate_limit(cast: dict[str, User]) -> None:
    client = Client()
    for _n in range(5):
        assert reset(client, "ravi.member@acme.test")["Location"].endswith("/sent/")
    limited = reset(client, "ravi.member@acme.test")
    assert limited.status_code == 200
    assert "Too many sign-in links were asked for in the last hour" in limited.content.decode()
    assert len(mail.outbox) == 5


def test_links_and_resets_go_through_the_outbox_and_a_failed_send_is_kept_for_retry(
    cast: dict[str, User], settings: Any
) -> None:
    from alongside.outbox.models import OutboundEmail

    ask(Client(), "ravi.member@acme.test")
    reset(Client(), "ravi.member@acme.test")
    sent = OutboundEmail.objects.order_by("pk")
    assert [(e.kind, e.status, e.recipients) for e in sent] == [
        ("sign_in_link", "sent", ["ravi.member@acme.test"]),
        ("password_reset", "sent", ["ravi.member@acme.test"]),
    ]
    assert len(mail.outbox) == 2
    # A mail server that refuses leaves the email queued with its reason, to be retried
    # later (the sign-in page's answer does not change).
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    assert ask(Client(), "ravi.member@acme.test", address="203.0.113.7").status_code == 302
    waiting = OutboundEmail.objects.get(kind="sign_in_link", status="queued")
    assert waiting.attempts == 1
    assert waiting.last_error
    assert waiting.next_attempt_at > timezone.now()
