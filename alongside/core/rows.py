"""Model instances from hand-written SQL, converted exactly as the ORM converts them.

A few queries run on every request: the signed-in user (accounts/backends.py) and the
caller's memberships (the tenant lookup and the organisation switcher,
organisations/selectors.py). Building each through the ORM cost several times the CPU of
running it (1.1 ms against 0.14 ms for the memberships on the benchmark machine), so
those are written once as SQL; the session, a single text column, is read without this
(accounts/sessions.py). Their column lists come from the models, so a new field is read
without touching the SQL, and each row becomes an instance through ``Model.from_db``
after the same database and field conversions the ORM applies (SQLite's dates, JSON).
Everything else goes through the ORM.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model

Converter = Callable[[Any, Any, BaseDatabaseWrapper], Any]


class Columns:
    """The concrete columns of ``model`` read under the table alias ``alias``."""

    def __init__(self, model: type[Model], alias: str) -> None:
        self.model = model
        self.alias = alias
        self.fields = list(model._meta.concrete_fields)
        self.attnames = [field.attname for field in self.fields]
        self._converters: dict[str, list[tuple[int, Any, list[Converter]]]] = {}

    def __len__(self) -> int:
        return len(self.fields)

    def select(self, connection: BaseDatabaseWrapper) -> str:
        quote = connection.ops.quote_name
        return ", ".join(f"{self.alias}.{quote(field.column)}" for field in self.fields)

    def instance(self, connection: BaseDatabaseWrapper, values: Sequence[Any]) -> Model:
        converted = list(values)
        for index, column, converters in self._converters_for(connection):
            for convert in converters:
                converted[index] = convert(converted[index], column, connection)
        return self.model.from_db(connection.alias, self.attnames, converted)

    def _converters_for(
        self, connection: BaseDatabaseWrapper
    ) -> list[tuple[int, Any, list[Converter]]]:
        known = self._converters.get(connection.alias)
        if known is None:
            known = []
            for index, field in enumerate(self.fields):
                column = field.get_col(self.alias)
                converters = connection.ops.get_db_converters(column) + column.get_db_converters(
                    connection
                )
                if converters:
                    known.append((index, column, converters))
            self._converters[connection.alias] = known
        return known
