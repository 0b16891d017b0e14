"""Producers of exports, by kind: each yields rows (the header first) for one export."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from alongside.exports.models import Export

Rows = Iterator[list[Any]]


@dataclass(frozen=True)
class Producer:
    # How many rows there will be, about (for the progress bar), and the rows themselves.
    count: Callable[[Export], int]
    rows: Callable[[Export], Rows]


PRODUCERS: dict[str, Producer] = {}


def exporter(kind: str, *, count: Callable[[Export], int]) -> Callable[[Callable[..., Rows]], Any]:
    def register(rows: Callable[[Export], Rows]) -> Callable[[Export], Rows]:
        PRODUCERS[kind] = Producer(count=count, rows=rows)
        return rows

    return register
