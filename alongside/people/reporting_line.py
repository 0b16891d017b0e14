"""The reporting line as a graph: pure functions over an id → manager-id mapping."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping


def chain_up(person_id: int, managers: Mapping[int, int | None]) -> list[int]:
    """Managers of ``person_id``, nearest first, stopping safely at any cycle."""
    chain: list[int] = []
    seen = {person_id}
    current = managers.get(person_id)
    while current is not None and current not in seen:
        chain.append(current)
        seen.add(current)
        current = managers.get(current)
    return chain


def reports_below(person_id: int, managers: Mapping[int, int | None]) -> list[int]:
    """Everyone who reports to ``person_id`` at any depth, breadth first."""
    children: dict[int, list[int]] = defaultdict(list)
    for person, manager in managers.items():
        if manager is not None:
            children[manager].append(person)
    below: list[int] = []
    seen = {person_id}
    frontier = [person_id]
    while frontier:
        next_frontier: list[int] = []
        for node in frontier:
            for child in children.get(node, ()):
                if child not in seen:
                    seen.add(child)
                    below.append(child)
                    next_frontier.append(child)
        frontier = next_frontier
    return below


def ancestors_by_person(managers: Mapping[int, int | None]) -> dict[int, frozenset[int]]:
    """Each person's whole chain of managers. Two people share a reporting line exactly
    when one is in the other's set; that is the rule matching needs."""
    memo: dict[int, frozenset[int]] = {}
    for start in managers:
        stack: list[int] = []
        node: int | None = start
        while node is not None and node not in memo and node not in stack:
            stack.append(node)
            node = managers.get(node)
        base: frozenset[int] = memo.get(node, frozenset()) if node is not None else frozenset()
        for member in reversed(stack):
            manager = managers.get(member)
            base = base | {manager} if manager is not None and manager != member else base
            memo[member] = base - {member}
    return memo


def in_same_reporting_line(a: int, b: int, ancestors: Mapping[int, frozenset[int]]) -> bool:
    return a in ancestors.get(b, frozenset()) or b in ancestors.get(a, frozenset())
