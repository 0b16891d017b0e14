from __future__ import annotations

from ninja import Schema


class ProblemOut(Schema):
    row: int | None = None
    field: str | None = None
    message: str


class ErrorOut(Schema):
    detail: str
    code: str
    problems: list[ProblemOut]


ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut, 429: ErrorOut}
