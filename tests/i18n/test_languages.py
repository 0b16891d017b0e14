"""Who gets which language: the person's choice, then the organisation's default, then
the browser's (or sign-in provider's) hint, then English; the switcher keeps the page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from alongside.accounts.models import User
from alongside.core.formatting import format_list
from alongside.core.languages import SSO_HINT_KEY
from alongside.organisations.models import Organisation

pytestmark = pytest.mark.django_db


def language_of(client: Client, path: str, **headers: str) -> str:
    response = client.get(path, headers=headers)
    assert response.status_code == 200, response
    return response["Content-Language"]


def test_a_visitor_gets_the_browsers_language_else_english(client: Client) -> None:
    login = reverse("accounts:login")
    assert language_of(client, login) == "en-gb"
    assert language_of(client, login, accept_language="hi-IN,hi;q=0.9,en;q=0.8") == "hi"
    assert language_of(client, login, accept_language="es-MX,es;q=0.9") == "es"
    assert language_of(client, login, accept_language="fr-FR,de;q=0.5") == "en-gb"


def test_inside_an_organisation_its_default_comes_before_the_browser(
    member: User, org_a: Organisation, client_for: Callable[[User | None], Client]
) -> None:
    org_a.language = "hi"
    org_a.save()
    browser = client_for(member)
    home = reverse("home:organisation", args=[org_a.slug])
    assert language_of(browser, home, accept_language="es") == "hi"
    # Account pages outside the organisation follow the organisation last worked in.
    assert language_of(browser, reverse("accounts:api_tokens"), accept_language="es") == "hi"


def test_the_persons_choice_comes_before_the_organisations_default(
    member: User, org_a: Organisation, client_for: Callable[[User | None], Client]
) -> None:
    org_a.language = "hi"
    org_a.save()
    member.language = "es"
    member.save()
    home = reverse("home:organisation", args=[org_a.slug])
    assert language_of(client_for(member), home, accept_language="hi") == "es"


def test_the_sign_in_providers_hint_comes_after_the_organisations_default(
    member: User, org_a: Organisation, client_for: Callable[[User | None], Client]
) -> None:
    org_a.language = ""  # no default: each person's browser or sign-in provider decides
    org_a.save()
    browser = client_for(member)
    session = browser.session
    session[SSO_HINT_KEY] = "es"
    session.save()
    tokens = reverse("accounts:api_tokens")
    assert language_of(browser, tokens, accept_language="hi") == "es"
    assert language_of(browser, reverse("home:organisation", args=[org_a.slug])) == "es"
    org_a.language = "hi"
    org_a.save()
    assert language_of(browser, reverse("home:organisation", args=[org_a.slug])) == "hi"


def test_the_switcher_keeps_the_page_and_remembers_the_choice(
    member: User, org_a: Organisation, client_for: Callable[[User | None], Client]
) -> None:
    browser = client_for(member)
    page = reverse("people:list", args=[org_a.slug]) + "?q=ravi"
    response = browser.post(reverse("accounts:set_language"), {"language": "hi", "next": page})
    assert response.status_code == 302
    assert response["Location"] == page
    member.refresh_from_db()
    assert member.language == "hi"
    assert language_of(browser, page) == "hi"
    # Empty follows the organisation again.
    browser.post(reverse("accounts:set_language"), {"language": "", "next": page})
    member.refresh_from_db()
    assert member.language == ""


def test_the_switcher_never_sends_to_another_site(client: Client) -> None:
    response = client.post(
        reverse("accounts:set_language"), {"language": "es", "next": "https://evil.test/"}
    )
    assert response["Location"] == "/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"


def test_a_language_picked_before_signing_in_becomes_the_persons_own(
    member: User, client: Client
) -> None:
    client.post(reverse("accounts:set_language"), {"language": "es", "next": "/"})
    client.post(
        reverse("accounts:login"),
        {"username": member.email, "password": "correct horse battery staple"},
    )
    member.refresh_from_db()
    assert member.language == "es"


def test_the_api_reads_and_changes_my_language(member: User, api_for: Any) -> None:
    api = api_for(member)
    assert api.get("/api/v1/me").json()["language"] == ""
    assert api.patch("/api/v1/me", {"language": "hi"}).json()["language"] == "hi"
    codes = [language["code"] for language in api.get("/api/v1/me/languages").json()]
    assert codes[:3] == ["en-gb", "hi", "es"]
    refused = api.patch("/api/v1/me", {"language": "xx"})
    assert refused.status_code == 400
    # The error speaks the caller's language, Hindi since the change above.
    assert "'xx' ऐसी भाषा नहीं है" in refused.json()["detail"]
    member.refresh_from_db()
    assert member.language == "hi"


def test_admins_set_the_organisation_default_on_the_settings_page_and_the_api(
    admin: User, org_a: Organisation, client_for: Callable[[User | None], Client], api_for: Any
) -> None:
    browser = client_for(admin)
    url = reverse("organisations:settings", args=[org_a.slug])
    browser.post(
        url, {"name": org_a.name, "default_time_zone": org_a.default_time_zone, "language": "hi"}
    )
    org_a.refresh_from_db()
    assert org_a.language == "hi"
    response = api_for(admin).patch(f"/api/v1/organisations/{org_a.slug}", {"language": "es"})
    assert response.json()["language"] == "es"
    assert (
        api_for(admin)
        .patch(f"/api/v1/organisations/{org_a.slug}", {"language": "klingon"})
        .status_code
        == 400
    )


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en-gb", "Asha, Ravi and Meera"),
        ("hi", "Asha, Ravi और Meera"),
        ("es", "Asha, Ravi y Meera"),
    ],
)
def test_lists_are_joined_in_the_language(language: str, expected: str) -> None:
    with translation.override(language):
        assert format_list(["Asha", "Ravi", "Meera"]) == expected
