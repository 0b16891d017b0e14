"""The one error type for domain failures.

Services raise ``AlongsideError``; the API renders it as JSON (status 400 unless told
otherwise) and HTML views show its message. ``problems`` carries itemised input errors
(which row, which field, why) so a caller can show all of them at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Problem:
    message: str
    field: str | None = None
    row: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "field": self.field, "message": self.message}

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"Row {self.row}")
        if self.field:
            where.append(f"column '{self.field}'" if self.row is not None else self.field)
        return f"{', '.join(where)}: {self.message}" if where else self.message


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
    def __init__(self, message: str = "Not found.") -> None:
        super().__init__(message=message, code="not_found", status=404)


class Forbidden(AlongsideError):
    def __init__(self, message: str = "You do not have permission to do that.") -> None:
        super().__init__(message=message, code="forbidden", status=403)
