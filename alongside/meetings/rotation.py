"""Circle facilitation, Django-free: who facilitates next and who gets focus time.

Plain values in, plain values out, so the fairness rules can be tested over many
meetings without a database.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

# Minutes kept for the opening check-in round and the closing round of commitments.
CHECK_IN_AND_CLOSE_MINUTES = 15


def next_facilitator(
    order: Sequence[int],
    facilitated: Mapping[int, int],
    unavailable: Collection[int] = (),
) -> int | None:
    """The member who has facilitated least, ties broken by ``order``; skip the absent.

    ``order`` lists the members (ids) in their fixed order; ``facilitated`` counts past
    turns; ``unavailable`` holds those who sent apologies. None when nobody can.
    """
    candidates = [member for member in order if member not in unavailable]
    if not candidates:
        return None
    position = {member: index for index, member in enumerate(order)}
    return min(candidates, key=lambda member: (facilitated.get(member, 0), position[member]))


def airtime_minutes(session_minutes: int, present: int) -> int:
    """An equal share of the session for each member present, after check-in and close."""
    if present <= 0:
        return 0
    usable = max(session_minutes - CHECK_IN_AND_CLOSE_MINUTES, session_minutes // 2)
    return usable // present


@dataclass(frozen=True)
class FocusTurn:
    member: int
    meetings_since_focus: int | None  # None: no focus time in the meetings looked at


def focus_order(order: Sequence[int], focus_history: Sequence[Collection[int]]) -> list[FocusTurn]:
    """Members ordered so that the longest without focus time come first.

    ``focus_history`` holds, most recent first, the members who had focus at each past
    meeting. Those who never had it in that window lead, in ``order``.
    """
    turns = []
    for member in order:
        since = next(
            (index for index, had in enumerate(focus_history) if member in had),
            None,
        )
        turns.append(FocusTurn(member=member, meetings_since_focus=since))
    position = {member: index for index, member in enumerate(order)}

    def key(turn: FocusTurn) -> tuple[int, int]:
        since = turn.meetings_since_focus
        waited = len(focus_history) + 1 if since is None else since
        return (-waited, position[turn.member])

    return sorted(turns, key=key)
