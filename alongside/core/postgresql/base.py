"""Django's PostgreSQL backend, health-checking only connections that have been idle.

With ``CONN_HEALTH_CHECKS`` Django sends ``SELECT 1`` before the first query of every
request that reuses a connection, so that a connection the database dropped (a restart,
a fail-over, an idle timeout) is replaced instead of failing the request. Under load that
round trip is paid on every request although the connection answered a few milliseconds
earlier: here a connection used within the last ``RECENTLY_USED`` seconds counts as
checked. A database restarting inside that second fails the requests in flight anyway;
one that restarts while the worker is idle is still caught by the check.
"""

from __future__ import annotations

import time
from typing import Any

from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    RECENTLY_USED = 1.0  # seconds

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.used_at = float("-inf")

    def close_if_health_check_failed(self) -> None:
        if (
            self.connection is not None
            and self.health_check_enabled  # type: ignore[attr-defined]
            and not self.health_check_done  # type: ignore[has-type]
            and time.monotonic() - self.used_at < self.RECENTLY_USED
        ):
            self.health_check_done = True
            return
        super().close_if_health_check_failed()

    def _cursor(self, name: str | None = None) -> Any:
        cursor = super()._cursor(name)  # type: ignore[misc]
        self.used_at = time.monotonic()
        return cursor
