"""The password backend: Django's, loading each request's signed-in user cheaply.

Every signed-in request loads its user; through the ORM that one-row query cost about
four times the CPU of the same SELECT written once (alongside/core/rows.py). Signing in,
permissions and everything else stay Django's ``ModelBackend``.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from django.contrib.auth import backends
from django.db import connections, router

from alongside.accounts.models import User
from alongside.core.rows import Columns

# What ``login()`` records in the session, and what AUTHENTICATION_BACKENDS lists.
PASSWORD_BACKEND = "alongside.accounts.backends.ModelBackend"
# Sessions signed in before this backend existed name Django's; they are read as ours
# (alongside/accounts/sessions.py), so nobody is signed out by an upgrade.
DJANGO_PASSWORD_BACKEND = "django.contrib.auth.backends.ModelBackend"

_USER = Columns(User, "u")


@cache
def _user_sql(alias: str) -> str:
    connection = connections[alias]
    quote = connection.ops.quote_name
    meta = User._meta
    return (
        f"SELECT {_USER.select(connection)} FROM {quote(meta.db_table)} u "
        f"WHERE u.{quote(meta.pk.column)} = %s"
    )


def user_by_pk(user_id: Any) -> User | None:
    alias = router.db_for_read(User)
    connection = connections[alias]
    with connection.cursor() as cursor:
        cursor.execute(_user_sql(alias), [User._meta.pk.get_db_prep_value(user_id, connection)])
        row = cursor.fetchone()
    if row is None:
        return None
    user = _USER.instance(connection, row)
    assert isinstance(user, User)
    return user


class ModelBackend(backends.ModelBackend):
    def get_user(self, user_id: Any) -> Any:
        user = user_by_pk(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
