"""The API's schema base, and the error shapes every operation shares.

``Schema`` is django-ninja's, with one difference: an item given as a plain ``dict`` (what
the API's functions build for lists, ``Mapped`` in api_pagination.py) is validated by
pydantic directly. ninja wraps every object, dicts included, in a getter that answers
each field through Python code, so it can read Django model attributes, call methods and
run ``resolve_*`` functions; a dict needs none of that, and skipping it takes about a
millisecond off a 50-item list (6–12 % of its CPU time, measured at 10,000 people).
Objects, and dicts for a schema with resolvers, still go through ninja's getter.
"""

from __future__ import annotations

from typing import Any

from ninja import Schema as NinjaSchema
from ninja.schema import DjangoGetter
from pydantic import ModelWrapValidatorHandler, ValidationInfo, model_validator


class Schema(NinjaSchema):
    @model_validator(mode="wrap")
    @classmethod
    def _run_root_validator(
        cls, values: Any, handler: ModelWrapValidatorHandler[Any], info: ValidationInfo
    ) -> Any:
        if type(values) is dict and not cls._ninja_resolvers:
            return handler(values)
        config = cls.model_config
        if config.get("extra") == "forbid" or config.get("validate_assignment", False):
            handler(values)  # checks the object's own fields before they are wrapped
        return handler(DjangoGetter(values, cls, info.context))


class ProblemOut(Schema):
    row: int | None = None
    field: str | None = None
    message: str


class ErrorOut(Schema):
    detail: str
    code: str
    problems: list[ProblemOut]


ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut, 429: ErrorOut}
