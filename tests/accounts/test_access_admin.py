"""Organisation admins lift a member's sign-in pause, and issue, watch and revoke API tokens
for service accounts with a role and an expiry."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from django.test import Client
from django.utils import timezone

from alongside.accounts.models import ApiToken, User
from alongside.audit.models import AuditEvent
from alongside.organisations.models import Membership, Organisation
from tests.conftest import ApiClient

LOGIN = "/accounts/login/"


def fail_five_times(email: str) -> None:
    for n in range(5):
        Client().post(
            LOGIN, {"username": email, "password": f"guess {n}"}, REMOTE_ADDR=f"192.0.2.{n}"
        )


def test_an_admin_sees_and_lifts_a_members_pause(cast: dict[str, User], client_for: Any) -> None:
    fail_five_times("ravi.member@acme.test")
    fail_five_times("olivia.outsider@other.test")  # another organisation's member
    page = client_for(cast["admin"]).get("/o/acme/settings/access/").content.decode()
    assert "ravi.member@acme.test" in page
    assert "olivia.outsider@other.test" not in page
    response = client_for(cast["admin"]).post(
        "/o/acme/settings/access/unlock/", {"email": "ravi.member@acme.test"}
    )
    assert response.status_code == 302
    signed_in = Client().post(
        LOGIN, {"username": "ravi.member@acme.test", "password": "correct horse battery staple"}
    )
    assert signed_in.status_code == 302
    event = AuditEvent.objects.get(action="lockout.cleared")
    assert event.actor_id == cast["admin"].pk
    assert event.data["email"] == "ravi.member@acme.test"
    # Another organisation's member cannot be unlocked from here.
    client_for(cast["admin"]).post(
        "/o/acme/settings/access/unlock/", {"email": "olivia.outsider@other.test"}
    )
    locked = Client().post(
        LOGIN,
        {"username": "olivia.outsider@other.test", "password": "correct horse battery staple"},
    )
    assert locked.status_code == 429


def test_unlock_through_the_api(cast: dict[str, User], api_for: Any) -> None:
    fail_five_times("priya.pm@acme.test")
    api = api_for(cast["admin"])
    listed = api.get("/api/v1/organisations/acme/lockouts").json()
    assert [row["email"] for row in listed] == ["priya.pm@acme.test"]
    assert listed[0]["failures"] == 5
    answer = api.post("/api/v1/organisations/acme/lockouts/unlock", {"email": "Priya.PM@acme.test"})
    assert answer.status_code == 200
    assert answer.json() == {"email": "priya.pm@acme.test", "attempts_removed": 5}
    assert api.get("/api/v1/organisations/acme/lockouts").json() == []
    refused = api.post("/api/v1/organisations/acme/lockouts/unlock", {"email": "x@nowhere.test"})
    assert refused.status_code == 404


def test_a_service_token_acts_with_its_role_until_it_expires_or_is_revoked(
    cast: dict[str, User], org_a: Organisation, api_for: Any
) -> None:
    admin_api = api_for(cast["admin"])
    expires = timezone.now() + timedelta(days=30)
    created = admin_api.post(
        "/api/v1/organisations/acme/service-tokens",
        {"name": "HR sync", "role": "admin", "expires_at": expires.isoformat()},
    )
    assert created.status_code == 201
    body = created.json()
    assert body["role"] == "admin"
    assert body["last_used_at"] is None
    service = ApiClient(body["token"])
    assert service.get("/api/v1/organisations/acme/people").status_code == 200
    listed = admin_api.get("/api/v1/organisations/acme/service-tokens").json()
    assert listed[0]["last_used_at"] is not None  # its last use shows
    assert "token" not in listed[0]  # the secret is never shown again
    account = User.objects.get(is_service_account=True)
    assert Membership.objects.get(user=account, organisation=org_a).role == "admin"
    # It cannot sign in to the website, with or without a link.
    assert not account.has_usable_password()
    # A member-role token cannot do admin things.
    member_token = admin_api.post(
        "/api/v1/organisations/acme/service-tokens",
        {"name": "Reports", "role": "member", "expires_at": expires.isoformat()},
    ).json()
    low = ApiClient(member_token["token"])
    assert low.get("/api/v1/organisations/acme/memberships").status_code == 403
    # Revoked, it stops working at once.
    assert (
        admin_api.delete(f"/api/v1/organisations/acme/service-tokens/{body['id']}").status_code
        == 200
    )
    assert service.get("/api/v1/organisations/acme/people").status_code == 401
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"service_token.issued", "service_token.revoked"} <= actions


def test_an_expired_service_token_is_refused(cast: dict[str, User], api_for: Any) -> None:
    created = (
        api_for(cast["admin"])
        .post(
            "/api/v1/organisations/acme/service-tokens",
            {
                "name": "Nightly",
                "role": "member",
                "expires_at": (timezone.now() + timedelta(days=1)).isoformat(),
            },
        )
        .json()
    )
    ApiToken.objects.filter(pk=created["id"]).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert ApiClient(created["token"]).get("/api/v1/me").status_code == 401


def test_bad_service_token_input_is_named(cast: dict[str, User], api_for: Any) -> None:
    answer = api_for(cast["admin"]).post(
        "/api/v1/organisations/acme/service-tokens",
        {"name": "Old", "role": "member", "expires_at": "2001-01-01T00:00:00Z"},
    )
    assert answer.status_code == 400
    assert answer.json()["problems"] == [
        {"row": None, "field": "expires_at", "message": "The expiry must be in the future."}
    ]
    assert not User.objects.filter(is_service_account=True).exists()


def test_tokens_are_issued_and_revoked_on_the_page(cast: dict[str, User], client_for: Any) -> None:
    admin = client_for(cast["admin"])
    expires = (timezone.now() + timedelta(days=90)).strftime("%Y-%m-%dT%H:%M")
    page = admin.post(
        "/o/acme/settings/access/tokens/",
        {"name": "HR sync", "role": "programme_manager", "expires_at": expires},
    ).content.decode()
    secret = re.search(r'<code class="secret">(alg_[^<]+)</code>', page)
    assert secret is not None
    assert "Programme manager" in page
    token = ApiToken.objects.get(name="HR sync")
    admin.post("/o/acme/settings/access/tokens/revoke/", {"token_id": token.pk})
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert "revoked" in admin.get("/o/acme/settings/access/").content.decode()
