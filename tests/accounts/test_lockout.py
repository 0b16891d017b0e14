"""Lock-out per account across addresses, per address across accounts, and the real
client address behind trusted proxies."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client, RequestFactory

from alongside.accounts.models import User
from alongside.core.client_ip import client_ip
from tests.conftest import PASSWORD

LOGIN = "/accounts/login/"


def attempt(email: str, password: str, address: str, **headers: Any) -> Any:
    return Client().post(
        LOGIN, {"username": email, "password": password}, REMOTE_ADDR=address, **headers
    )


def test_an_account_is_paused_across_every_address(cast: dict[str, User]) -> None:
    for n in range(5):
        attempt("ravi.member@acme.test", f"guess {n}", f"198.51.100.{n + 1}")
    locked = attempt("ravi.member@acme.test", PASSWORD, "198.51.100.77")
    assert locked.status_code == 429
    body = locked.content.decode()
    assert "This account's password was mistyped too often" in body
    assert "15 minutes" in body
    assert "Email me a sign-in link" in body
    # Other accounts from those addresses are unaffected.
    assert attempt("asha.admin@acme.test", PASSWORD, "198.51.100.1").status_code == 302


def test_an_address_spraying_many_accounts_is_paused(cast: dict[str, User], settings: Any) -> None:
    settings.ALONGSIDE_LOGIN_ADDRESS_FAILURE_LIMIT = 8
    for n in range(8):
        attempt(f"someone{n}@acme.test", "Winter2026!", "203.0.113.66")
    sprayed = attempt("asha.admin@acme.test", PASSWORD, "203.0.113.66")
    assert sprayed.status_code == 429
    assert "from your network" in sprayed.content.decode()
    # The same account from elsewhere signs in: only that address is paused.
    assert attempt("asha.admin@acme.test", PASSWORD, "203.0.113.67").status_code == 302


def test_signing_in_to_ones_own_account_does_not_reset_the_address(
    cast: dict[str, User], settings: Any
) -> None:
    settings.ALONGSIDE_LOGIN_ADDRESS_FAILURE_LIMIT = 6
    for n in range(5):
        attempt(f"victim{n}@acme.test", "Winter2026!", "203.0.113.70")
    assert attempt("ravi.member@acme.test", PASSWORD, "203.0.113.70").status_code == 302
    attempt("victim9@acme.test", "Winter2026!", "203.0.113.70")
    assert attempt("asha.admin@acme.test", PASSWORD, "203.0.113.70").status_code == 429


@pytest.mark.parametrize(
    ("count", "forwarded", "peer", "expected"),
    [
        (0, "6.6.6.6", "198.51.100.7", "198.51.100.7"),  # no proxy: the header is ignored
        (1, "203.0.113.9", "10.0.0.2", "203.0.113.9"),
        (1, "6.6.6.6, 203.0.113.9", "10.0.0.2", "203.0.113.9"),  # a spoofed prefix
        (2, "6.6.6.6, 203.0.113.9, 10.0.0.5", "10.0.0.2", "203.0.113.9"),
        (1, "", "10.0.0.2", "10.0.0.2"),
        (1, "not-an-address", "10.0.0.2", "10.0.0.2"),
        (1, "[2001:db8::7]:443", "10.0.0.2", "2001:db8::7"),
    ],
)
def test_client_address_behind_trusted_proxies(
    settings: Any, count: int, forwarded: str, peer: str, expected: str
) -> None:
    settings.ALONGSIDE_PROXY_COUNT = count
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    request = RequestFactory().get("/", REMOTE_ADDR=peer, **headers)
    assert client_ip(request) == expected


def test_behind_a_proxy_the_lockout_counts_the_real_client(
    cast: dict[str, User], settings: Any
) -> None:
    """Without this every user would share the proxy's address and one sprayer would
    lock the whole company out; with a spoofed header a sprayer would escape."""
    settings.ALONGSIDE_PROXY_COUNT = 1
    settings.ALONGSIDE_LOGIN_ADDRESS_FAILURE_LIMIT = 6
    for n in range(6):
        attempt(
            f"sprayed{n}@acme.test",
            "Winter2026!",
            "10.0.0.2",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 203.0.113.80",
        )
    # The sprayer's real address is paused whatever it writes in front…
    assert (
        attempt(
            "asha.admin@acme.test",
            PASSWORD,
            "10.0.0.2",
            HTTP_X_FORWARDED_FOR="192.0.2.200, 203.0.113.80",
        ).status_code
        == 429
    )
    # …while a colleague behind the same proxy signs in.
    assert (
        attempt(
            "asha.admin@acme.test", PASSWORD, "10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.81"
        ).status_code
        == 302
    )
