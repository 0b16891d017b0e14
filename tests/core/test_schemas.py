"""The API's Schema base: dicts straight to pydantic, everything else through ninja's getter."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from alongside.core import schemas
from alongside.core.schemas import Schema


class MemberOut(Schema):
    name: str
    score: float | None = None


class GroupOut(Schema):
    number: int
    members: list[MemberOut]


class LabelledOut(Schema):
    name: str
    label: str

    @staticmethod
    def resolve_label(obj: Any) -> str:
        name = obj["name"] if isinstance(obj, dict) else obj.name
        return f"<{name}>"


class Person:
    def __init__(self, name: str) -> None:
        self.name = name

    def score(self) -> float:
        return 0.5


class Refusing:
    def __init__(self, *args: Any) -> None:
        raise AssertionError("ninja's getter was used")


def test_a_dict_is_validated_by_pydantic_directly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(schemas, "DjangoGetter", Refusing)
    group = GroupOut.model_validate(
        {"number": 3, "members": [{"name": "Asha", "score": 0.9}, {"name": "Bo"}]}
    )
    assert group.model_dump() == {
        "number": 3,
        "members": [{"name": "Asha", "score": 0.9}, {"name": "Bo", "score": None}],
    }
    with pytest.raises(ValidationError, match="members"):
        GroupOut.model_validate({"number": 3})
    # An object still needs the getter.
    with pytest.raises(ValidationError, match="getter was used"):
        MemberOut.model_validate(Person("Asha"))


def test_objects_and_resolvers_keep_ninjas_behaviour() -> None:
    # Attributes are read and methods called, as ninja does for model instances.
    assert MemberOut.model_validate(Person("Asha")).model_dump() == {"name": "Asha", "score": 0.5}
    # A schema with a resolver runs it for a dict too.
    assert LabelledOut.model_validate({"name": "Asha"}).label == "<Asha>"
    assert LabelledOut.model_validate(Person("Bo")).label == "<Bo>"
