"""What the scoring layer knows about a person and about a programme's rules."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from .errors import MatchingError

#: Slots in a week of availability: half-hours, counted from Monday 00:00 UTC.
SLOTS_PER_WEEK = 7 * 48


class Intent(StrEnum):
    TENSION = "tension"  # different functions/experience, goal-skill complementarity first
    FAMILIARITY = "familiarity"  # shared challenges and context first
    BALANCED = "balanced"


class Role(StrEnum):
    PEER = "peer"
    MENTOR = "mentor"
    MENTEE = "mentee"


# Which profile fields a participant may see about someone else. Wants, offers and
# goals are private: reasons shown to participants never quote them.
PUBLIC_FIELDS = frozenset({"name", "function", "location", "languages", "timezone", "level"})
PRIVATE_FIELDS = frozenset({"wants", "offers", "goals"})


@dataclass(frozen=True)
class Candidate:
    """One person as the engine sees them. ``id`` must be unique in a cohort.

    ``utc_offset_hours`` is the person's current offset from UTC; ``availability`` is a
    set of half-hour slots of the week in UTC (see :func:`parse_availability`).
    ``reporting_line`` may list everyone above the person; when empty, the chain is
    followed through ``manager_id`` within the cohort.
    """

    id: str
    name: str = ""
    function: str = ""
    level: int | None = None
    location: str = ""
    timezone: str = ""
    utc_offset_hours: float | None = None
    languages: frozenset[str] = frozenset()
    wants: frozenset[str] = frozenset()
    offers: frozenset[str] = frozenset()
    manager_id: str | None = None
    reporting_line: frozenset[str] = frozenset()
    previous_partners: frozenset[str] = frozenset()
    role: Role = Role.PEER
    capacity: int = 1
    availability: frozenset[int] | None = None


@dataclass(frozen=True)
class ScoreWeights:
    """Points each part of a score can contribute at most (a perfect pair scores the sum)."""

    complementarity: float
    shared_challenges: float
    function_difference: float
    function_sameness: float
    level_difference: float
    level_sameness: float
    same_location: float
    timezone: float
    language: float
    availability: float

    @classmethod
    def for_intent(cls, intent: Intent) -> ScoreWeights:
        if intent == Intent.TENSION:
            return cls(40, 10, 20, 0, 5, 0, 0, 10, 5, 10)
        if intent == Intent.FAMILIARITY:
            return cls(15, 35, 0, 15, 0, 5, 10, 10, 5, 10)
        return cls(30, 20, 10, 0, 0, 5, 5, 10, 5, 10)


@dataclass(frozen=True)
class MatchRules:
    """A programme's matching rules. Hard rules make a pair impossible (-inf).

    ``max_level_gap`` applies between peers; mentors must be at least
    ``mentor_min_level_gap`` levels above their mentees. ``forbidden`` lists pairs of ids
    an admin ruled out; ``locked`` lists groups of ids an admin fixed together. Previous
    partners never meet again with ``avoid_previous_partners``; without it, their pair
    loses ``previous_partner_penalty`` points instead.
    """

    intent: Intent = Intent.BALANCED
    weights: ScoreWeights | None = None
    max_level_gap: int | None = 2
    mentor_min_level_gap: int | None = 1
    max_timezone_difference: float | None = None
    must_share_language: bool = False
    avoid_reporting_line: bool = True
    avoid_previous_partners: bool = True
    forbidden: frozenset[frozenset[str]] = frozenset()
    locked: tuple[tuple[str, ...], ...] = ()
    good_overlap_hours: float = 4.0
    previous_partner_penalty: float = 0.0

    def __post_init__(self) -> None:
        if not isinstance(self.intent, Intent):
            try:
                object.__setattr__(self, "intent", Intent(self.intent))
            except ValueError as exc:
                raise MatchingError(
                    f"intent must be tension, familiarity or balanced, got {self.intent!r}"
                ) from exc
        for name in (
            "max_level_gap",
            "mentor_min_level_gap",
            "max_timezone_difference",
            "previous_partner_penalty",
        ):
            value = getattr(self, name)
            if value is not None and value < 0:
                raise MatchingError(f"{name} must not be negative, got {value}")

    @property
    def score_weights(self) -> ScoreWeights:
        return self.weights or ScoreWeights.for_intent(self.intent)
