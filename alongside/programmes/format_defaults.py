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
    Format.FLASH_ROUNDS: FormatTemplate(
        Format.FLASH_ROUNDS,
        "One-off conversations with a different colleague every round.",
        Rhythm.FORTNIGHTLY,
        20,
        12,
        ["Knowing the organisation", "Building networks", "A fresh perspective"],
        {"intent": "balanced"},
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
    # Points per scoring criterion (the engine's ScoreWeights); None: the intent's own.
    "weights": None,
}


def rules_for(format: str, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    rules = dict(BASE_RULES)
    rules.update(TEMPLATES[format].rules)
    rules.pop("same_location_bonus", None)
    if overrides:
        rules.update(overrides)
    return rules


# How many topics an intake may choose: a few, so that matching can tell what matters.
TOPIC_LIMITS = {"wants": 3, "offers": 5}

# The intake groups a programme's topics under these headings (in this order); topics a
# manager adds that are not listed here come last, under "More topics".
TOPIC_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "Leading people",
        (
            "Leading a team",
            "Giving feedback",
            "Delegation",
            "Coaching others",
            "Hiring and interviewing",
            "Handling conflict",
        ),
    ),
    (
        "Working with others",
        (
            "Stakeholder management",
            "Managing up",
            "Cross-functional collaboration",
            "Communication",
            "Presenting",
            "Negotiation",
            "Building networks",
        ),
    ),
    (
        "Thinking and deciding",
        ("Strategic thinking", "Product thinking", "Data-driven decisions", "Problem solving"),
    ),
    (
        "Your own growth",
        (
            "Career growth",
            "Time management",
            "Work-life balance",
            "Navigating change",
            "Self-confidence",
            "A fresh perspective",
        ),
    ),
    (
        "Finding your way here",
        (
            "Knowing the organisation",
            "Tools and systems",
            "How work gets done here",
            "Finding the right people",
            "Team rituals",
            "Office and city life",
            "Working across time zones",
            "Domain knowledge",
        ),
    ),
)
MORE_TOPICS = "More topics"


def group_topics(topics: list[str]) -> list[tuple[str, list[str]]]:
    """The programme's topics under headings, each group in the programme's own order."""
    heading_of = {
        topic.casefold(): heading for heading, members in TOPIC_GROUPS for topic in members
    }
    groups: dict[str, list[str]] = {heading: [] for heading, _members in TOPIC_GROUPS}
    groups[MORE_TOPICS] = []
    for topic in topics:
        groups[heading_of.get(topic.casefold(), MORE_TOPICS)].append(topic)
    return [(heading, members) for heading, members in groups.items() if members]
