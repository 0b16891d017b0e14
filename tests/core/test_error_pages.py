"""Error pages are styled and say what to do next."""

from __future__ import annotations

from typing import Any

from django.test import Client, RequestFactory
from django.views.defaults import server_error


def test_not_found_explains_and_offers_a_way_home(cast: Any, client_for: Any) -> None:
    response = client_for(cast["member"]).get("/o/acme/no-such-page/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "We can't find that page" in body
    assert "What you can do" in body
    assert 'href="/o/acme/"' in body
    assert "alongside.css" in body


def test_forbidden_gives_the_reason_and_who_can_help(cast: Any, client_for: Any) -> None:
    response = client_for(cast["member"]).get("/o/acme/members/")
    assert response.status_code == 403
    body = response.content.decode()
    assert "You can't open this with your current role" in body
    assert "ask an organisation admin" in body
    assert "alongside.css" in body


def test_an_expired_form_says_nothing_was_saved(cast: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast["member"], backend="alongside.accounts.backends.ModelBackend")
    response = client.post("/accounts/logout/")
    assert response.status_code == 403
    assert "That form had expired, so nothing was saved" in response.content.decode()


def test_a_server_error_page_stands_alone(db: None) -> None:
    response = server_error(RequestFactory().get("/"))
    body = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong on our side" in body
    assert "What you can do" in body
