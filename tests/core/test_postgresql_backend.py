"""The PostgreSQL backend health-checks a reused connection only after a rest."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection, connections


@pytest.fixture
def health_checked(transactional_db: None) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the health check is the PostgreSQL backend's")
    connection.health_check_enabled = True


def _backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    return int(pid)


def _rest_and_start_a_request() -> None:
    connection.used_at -= connection.RECENTLY_USED  # a second of rest
    connection.close_if_unusable_or_obsolete()  # what Django does as a request starts


def test_an_idle_connection_dropped_by_the_server_is_replaced(health_checked: None) -> None:
    pid = _backend_pid()
    # Ended from a second connection, as a database restart or an idle timeout would.
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    finally:
        other.close()
    _rest_and_start_a_request()
    assert _backend_pid() != pid


def test_a_connection_used_a_moment_ago_is_not_checked_again(
    health_checked: None, monkeypatch: Any
) -> None:
    pid = _backend_pid()
    checks = []
    real = connection.is_usable
    monkeypatch.setattr(connection, "is_usable", lambda: checks.append(1) or real())
    connection.close_if_unusable_or_obsolete()
    assert _backend_pid() == pid
    assert checks == []
    # After a rest the check comes back.
    _rest_and_start_a_request()
    assert _backend_pid() == pid
    assert checks == [1]
