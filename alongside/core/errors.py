"""The one error type for domain failures.

Services raise ``AlongsideError``; the API renders it as JSON (status 400 unless told
otherwise) and HTML views show its message. ``problems`` carries itemised input errors
(which row, which field, why) so a caller can show all of them at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Problem:
    message: str
    field: str | None = None
    row: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "field": self.field, "message": self.message}

    def __str__(self) -> str:
        values = {"row": self.row, "field": self.field, "message": self.message}
        if self.row is not None and self.field:
            return _("Row %(row)s, column '%(field)s': %(message)s") % values
        if self.row is not None:
            return _("Row %(row)s: %(message)s") % values
        if self.field:
            return _("%(field)s: %(message)s") % values
        return self.message


@dataclass
class AlongsideError(Exception):
    message: str
    code: str = "invalid"
    status: int = 400
    problems: Sequence[Problem] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message

    def as_dict(self) -> dict[str, Any]:
        return {
            "detail": self.message,
            "code": self.code,
            "problems": [p.as_dict() for p in self.problems],
        }


class NotFound(AlongsideError):
    def __init__(self, message: str | None = None) -> None:
        super().__init__(message=message or _("Not found."), code="not_found", status=404)


class Forbidden(AlongsideError):
    def __init__(self, message: str | None = None) -> None:
        super().__init__(
            message=message or _("You do not have permission to do that."),
            code="forbidden",
            status=403,
        )
