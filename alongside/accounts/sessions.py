"""Django's database sessions, read with one plain statement instead of through the ORM.

Every signed-in request loads its session first; building that one-row query through
the ORM cost more CPU than the rest of the request's fixed work. Writes (sign-in, the
language switcher, messages) stay Django's. ``SESSION_ENGINE`` points here.
"""

from __future__ import annotations

from typing import Any, cast

from django.contrib.auth import BACKEND_SESSION_KEY
from django.contrib.sessions.backends import db
from django.db import connections, router
from django.utils import timezone

from alongside.accounts.backends import DJANGO_PASSWORD_BACKEND, PASSWORD_BACKEND


class SessionStore(db.SessionStore):
    def load(self) -> dict[str, Any]:
        data: dict[str, Any] = super().load()
        # Signed in before the password backend became ours (alongside/accounts/backends.py):
        # read as ours, so an upgrade signs nobody out.
        if data.get(BACKEND_SESSION_KEY) == DJANGO_PASSWORD_BACKEND:
            data[BACKEND_SESSION_KEY] = PASSWORD_BACKEND
        return data

    def _get_session_from_db(self) -> Any:
        model = self.model
        connection = connections[router.db_for_read(model)]
        table = connection.ops.quote_name(model._meta.db_table)
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT session_data FROM {table} WHERE session_key = %s AND expire_date > %s",
                [self.session_key, now],
            )
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return None
        return model(session_key=cast(str, self.session_key), session_data=row[0])
