"""The password backend's user load, and sessions signed in before it existed."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.test import Client

from alongside.accounts.backends import (
    DJANGO_PASSWORD_BACKEND,
    PASSWORD_BACKEND,
    ModelBackend,
    user_by_pk,
)
from alongside.accounts.models import User
from alongside.accounts.sessions import SessionStore


def _fields(user: User) -> dict[str, Any]:
    return {f.attname: getattr(user, f.attname) for f in User._meta.concrete_fields}


def test_the_user_loads_as_the_orm_loads_it(
    cast: dict[str, User], django_assert_num_queries: Any
) -> None:
    member = cast["member"]
    User.objects.filter(pk=member.pk).update(
        last_login=datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC), language="hi"
    )
    with django_assert_num_queries(1):
        loaded = user_by_pk(member.pk)
    assert loaded is not None
    assert _fields(loaded) == _fields(User.objects.get(pk=member.pk))
    assert loaded.last_login == datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)
    assert not loaded._state.adding
    assert user_by_pk(str(member.pk)) == loaded  # as the session stores it
    assert user_by_pk(10**9) is None


def test_a_deactivated_user_is_not_signed_in(cast: dict[str, User]) -> None:
    member = cast["member"]
    assert ModelBackend().get_user(member.pk) == member
    User.objects.filter(pk=member.pk).update(is_active=False)
    assert ModelBackend().get_user(member.pk) is None
    client = Client()
    client.force_login(member, backend=PASSWORD_BACKEND)
    assert client.get("/o/acme/people/").status_code == 302  # to the sign-in page


def _session_for(user: User, backend: str) -> str:
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = backend
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    assert session.session_key is not None
    return session.session_key


def test_a_session_from_before_the_upgrade_stays_signed_in(cast: dict[str, User]) -> None:
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = _session_for(
        cast["member"], DJANGO_PASSWORD_BACKEND
    )
    response = client.get("/o/acme/people/")
    assert response.status_code == 200
    assert response.wsgi_request.user == cast["member"]
    # A backend that was never listed signs nobody in.
    client.cookies[settings.SESSION_COOKIE_NAME] = _session_for(
        cast["member"], "somewhere.else.Backend"
    )
    assert client.get("/o/acme/people/").status_code == 302


def test_a_password_change_elsewhere_ends_the_session(cast: dict[str, User]) -> None:
    member = cast["member"]
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = _session_for(member, PASSWORD_BACKEND)
    assert client.get("/o/acme/people/").status_code == 200
    member.set_password("a completely different one")
    member.save()
    assert client.get("/o/acme/people/").status_code == 302
