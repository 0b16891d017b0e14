"""Progress of slow background work, for the pages that poll it.

All-or-nothing work (an import) writes inside one transaction, and nothing written
there is visible to anyone else before it commits. On PostgreSQL the progress is
therefore written through a second, autocommitting connection of the worker's own;
SQLite allows one writer at a time, so there the figure moves only outside the
transaction (before it and when it ends).
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.db import DatabaseError, connection, models

logger = logging.getLogger(__name__)


class ProgressReporter:
    """Call with a percentage; writes at most every ``interval`` seconds, never backwards."""

    def __init__(
        self,
        model: type[models.Model],
        pk: int,
        *,
        field: str = "progress",
        interval: float = 0.5,
    ) -> None:
        self.model, self.pk, self.field, self.interval = model, pk, field, interval
        self.percent = 0
        self._written_at = 0.0
        self._side: Any = None

    def __call__(self, percent: float, *, force: bool = False) -> None:
        value = max(0, min(100, int(percent)))
        if value <= self.percent:
            return
        self.percent = value
        now = time.monotonic()
        if not force and now - self._written_at < self.interval:
            return
        self._written_at = now
        self._write(value)

    def _write(self, value: int) -> None:
        if not connection.in_atomic_block:
            self.model._default_manager.filter(pk=self.pk).update(**{self.field: value})
            return
        if connection.vendor != "postgresql":
            return
        try:
            if self._side is None:
                self._side = connection.get_new_connection(connection.get_connection_params())
                self._side.autocommit = True
                with self._side.cursor() as cursor:
                    # Never wait behind a lock on the row: progress is worth less than work.
                    cursor.execute("SET lock_timeout = '1s'")
            quote = connection.ops.quote_name
            meta = self.model._meta
            column = str(getattr(meta.get_field(self.field), "column", self.field))
            pk_column = str(meta.pk.column) if meta.pk is not None else "id"
            with self._side.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {quote(meta.db_table)} SET {quote(column)} = %s "
                    f"WHERE {quote(pk_column)} = %s",
                    [value, self.pk],
                )
        except (DatabaseError, OSError, connection.Database.Error):  # type: ignore[attr-defined]
            logger.warning("could not record progress", exc_info=True)

    def close(self) -> None:
        if self._side is not None:
            self._side.close()
            self._side = None

    def __enter__(self) -> ProgressReporter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
