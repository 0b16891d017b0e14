"""Case- and accent-insensitive matching of names, the same in Python, SQLite and PostgreSQL.

``fold`` lowers a text and takes the accents off Latin letters ("Zoë Núñez" → "zoe nunez"),
leaving other scripts as they are: Devanagari, Tamil or Bengali vowel signs are letters of
the word, not accents, so "अमित" stays "अमित". The database compares folded columns with a
folded search term through the ``folded`` transform (``name__folded__contains=fold(term)``):
on SQLite it calls this module's ``fold`` (registered on each connection), on PostgreSQL the
``alongside_fold`` SQL function that the people app's migration creates over ``unaccent``,
with a trigram index behind it.

A model may keep a column's fold stored beside it on PostgreSQL (``FOLDED_COPIES`` on the
model: ``{"name": "name_folded"}``, a generated column its migration adds). ``folded`` and
``Folded`` then read the stored copy instead of folding every row as it is read: folding
costs about a microsecond a row through ``unaccent``, which a search word too short for
the trigram index paid for every person of the organisation, and a search for a common
word paid for every candidate the index returned.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from django.db.backends.signals import connection_created
from django.db.models import CharField, TextField, Transform
from django.db.models.expressions import Col

FUNCTION = "alongside_fold"
# The combining marks that accent Latin, Greek and Cyrillic letters (U+0300–U+036F); the
# marks of Indian scripts live in their own blocks and are kept.
_ACCENTS = range(0x0300, 0x0370)


def fold(text: str | None) -> str:
    """Lower case, without accents on Latin letters; other scripts unchanged."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if ord(c) not in _ACCENTS)
    return unicodedata.normalize("NFKC", bare).casefold()


class Folded(Transform):
    """``<field>__folded``: the column as ``fold`` would write it."""

    lookup_name = "folded"
    function = FUNCTION
    output_field = CharField()

    def as_postgresql(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        stored = _stored_copy(self.lhs)
        if stored is None:
            return self.as_sql(compiler, connection, **extra_context)
        alias, column = stored
        quoted = connection.ops.quote_name(column)
        if alias is None:
            return quoted, []
        return f"{compiler.quote_name_unless_alias(alias)}.{quoted}", []


def _stored_copy(expression: Any) -> tuple[str | None, str] | None:
    """(table alias, column) of the stored fold of a plain column reference, if its model
    keeps one (``FOLDED_COPIES``)."""
    if not isinstance(expression, Col):
        return None
    copies = getattr(expression.target.model, "FOLDED_COPIES", {})
    column = copies.get(expression.target.name)
    return None if column is None else (expression.alias, column)


def _register_sqlite(sender: Any, connection: Any, **kwargs: Any) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function(FUNCTION, 1, fold, deterministic=True)


def install() -> None:
    """Called once from the core app's ``ready``."""
    CharField.register_lookup(Folded)
    TextField.register_lookup(Folded)
    connection_created.connect(_register_sqlite, dispatch_uid="alongside-fold-sqlite")
