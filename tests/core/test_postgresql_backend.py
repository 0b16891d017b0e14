"""The PostgreSQL backend health-checks a reused connection only after a rest."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection, connections


def _postgresql() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the health check is the PostgreSQL backend's")


def _drop_from_the_server_side(pid: int) -> None:
    """Ends the connection's server process from a second connection, as a database
    restart or an idle timeout would."""
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    finally:
        other.close()


@pytest.mark.django_db(transaction=True)
def test_an_idle_connection_dropped_by_the_server_is_replaced(settings: Any) -> None:
    _postgresql()
    connection.health_check_enabled = True
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    _drop_from_the_server_side(pid)
    connection.used_at -= connection.RECENTLY_USED  # a second of rest
    connection.close_if_unusable_or_obsolete()  # what Django does as a request starts
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (new_pid,) = cursor.fetchone()
    assert new_pid != pid


@pytest.mark.django_db(transaction=True)
def test_a_connection_used_a_moment_ago_is_not_checked_again(monkeypatch: Any) -> None:
    _postgresql()
    connection.health_check_enabled = True
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    checks = []
    real = connection.is_usable
    monkeypatch.setattr(connection, "is_usable", lambda: checks.append(1) or real())
    connection.close_if_unusable_or_obsolete()
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    assert checks == []
    # After a rest the check comes back.
    connection.used_at -= connection.RECENTLY_USED
    connection.close_if_unusable_or_obsolete()
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    assert checks == [1]
