"""Templates for the five formats: sensible defaults so a programme launches in minutes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from alongside.programmes.models import Format, Rhythm

DEFAULT_TOPICS = [
    "Stakeholder management",
    "Giving feedback",
    "Delegation",
    "Leading a team",
    "Hiring and interviewing",
    "Strategic thinking",
    "Communication",
    "Presenting",
    "Negotiation",
    "Time management",
    "Career growth",
    "Managing up",
    "Cross-functional collaboration",
    "Coaching others",
    "Product thinking",
    "Data-driven decisions",
    "Navigating change",
    "Work-life balance",
    "Building networks",
    "Domain knowledge",
]


@dataclass(frozen=True)
class FormatTemplate:
    format: Format
    purpose: str
    rhythm: Rhythm
    session_minutes: int
    weeks: int
    capability_areas: list[str]
    rules: dict[str, Any] = field(default_factory=dict)


TEMPLATES: dict[str, FormatTemplate] = {
    Format.PEER_PAIRS: FormatTemplate(
        Format.PEER_PAIRS,
        "Peers at a similar level sharing skills both ways.",
        Rhythm.FORTNIGHTLY,
        45,
        24,
        ["Giving feedback", "Communication", "Problem solving", "Collaboration"],
        {"intent": "tension", "max_level_gap": 1},
    ),
    Format.PEER_CIRCLES: FormatTemplate(
        Format.PEER_CIRCLES,
        "Circles of peers who bring real challenges and hold each other accountable.",
        Rhythm.MONTHLY,
        60,
        26,
        ["Leading a team", "Giving feedback", "Delegation", "Handling conflict", "Self-confidence"],
        {
            "intent": "familiarity",
            "min_size": 4,
            "max_size": 8,
            "target_size": 6,
            "max_level_gap": 1,
            "max_per_function": 2,
        },
    ),
    Format.ONE_TO_ONE: FormatTemplate(
        Format.ONE_TO_ONE,
        "A senior mentor and a mentee, for depth over breadth.",
        Rhythm.MONTHLY,
        45,
        26,
        ["Strategic thinking", "Influence", "Career direction", "Leadership presence"],
        {"intent": "tension", "mentor_min_level_gap": 2, "default_capacity": 1},
    ),
    Format.GROUP_MENTORING: FormatTemplate(
        Format.GROUP_MENTORING,
        "One experienced mentor with a small group of mentees.",
        Rhythm.FORTNIGHTLY,
        60,
        16,
        ["Domain knowledge", "Problem solving", "Confidence", "Networking"],
        {"intent": "balanced", "mentor_min_level_gap": 1, "default_capacity": 4},
    ),
    Format.BUDDIES: FormatTemplate(
        Format.BUDDIES,
        "A colleague who helps a new joiner through their first weeks.",
        Rhythm.WEEKLY,
        30,
        8,
        ["Knowing the organisation", "Knowing the tools", "Feeling connected"],
        {"intent": "familiarity", "max_level_gap": 2, "same_location_bonus": True},
    ),
}

# Rules every programme has, whatever its format (matching the engine's options).
BASE_RULES: dict[str, Any] = {
    "intent": "balanced",
    "min_size": 4,
    "max_size": 8,
    "target_size": None,
    "max_level_gap": 2,
    "mentor_min_level_gap": 1,
    "max_timezone_difference": None,
    "must_share_language": False,
    "avoid_reporting_line": True,
    "avoid_previous_partners": True,
    "max_per_function": None,
    "default_capacity": 1,
}


def rules_for(format: str, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    rules = dict(BASE_RULES)
    rules.update(TEMPLATES[format].rules)
    rules.pop("same_location_bonus", None)
    if overrides:
        rules.update(overrides)
    return rules
