"""The session store's own read (alongside/accounts/sessions.py) behaves as Django's."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.sessions.models import Session
from django.utils import timezone

from alongside.accounts.sessions import SessionStore


def test_a_live_session_loads_in_one_query(db: None, django_assert_num_queries: Any) -> None:
    store = SessionStore()
    store["colour"] = "teal"
    store.save()
    again = SessionStore(store.session_key)
    with django_assert_num_queries(1):
        assert again["colour"] == "teal"
    assert again.session_key == store.session_key


def test_an_expired_or_unknown_session_loads_empty_and_gets_a_new_key(db: None) -> None:
    store = SessionStore()
    store["colour"] = "teal"
    store.save()
    Session.objects.filter(session_key=store.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    expired = SessionStore(store.session_key)
    assert expired.load() == {}
    assert expired.session_key is None
    unknown = SessionStore("x" * 32)
    assert unknown.load() == {}
    assert unknown.session_key is None
    # Writing afterwards starts a new session; the expired row is not revived.
    expired["colour"] = "red"
    expired.save()
    assert expired.session_key != store.session_key


def test_a_tampered_session_loads_empty(db: None) -> None:
    store = SessionStore()
    store["colour"] = "teal"
    store.save()
    Session.objects.filter(session_key=store.session_key).update(session_data="forged:data")
    assert SessionStore(store.session_key).load() == {}
