"""The schedule tests share the meetings tests' pair and circle."""

from tests.meetings.conftest import circle, pair

__all__ = ["circle", "pair"]
