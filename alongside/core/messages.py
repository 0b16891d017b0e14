"""HTML views show domain errors as messages, with every itemised problem."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest

from alongside.core.errors import AlongsideError


def show_error(request: HttpRequest, error: AlongsideError | str) -> None:
    messages.error(request, str(error))


def problems_for_form(error: AlongsideError) -> dict[str, list[str]]:
    """Problems keyed by field name ('' for the whole form), for form.add_error."""
    by_field: dict[str, list[str]] = {}
    for problem in error.problems:
        by_field.setdefault(problem.field or "", []).append(problem.message)
    return by_field
