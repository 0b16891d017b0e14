"""Templates for the five formats: sensible defaults so a programme launches in minutes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy

from alongside.programmes.models import Format, Rhythm

DEFAULT_TOPICS = [
    gettext_lazy("Stakeholder management"),
    gettext_lazy("Giving feedback"),
    gettext_lazy("Delegation"),
    gettext_lazy("Leading a team"),
    gettext_lazy("Hiring and interviewing"),
    gettext_lazy("Strategic thinking"),
    gettext_lazy("Communication"),
    gettext_lazy("Presenting"),
    gettext_lazy("Negotiation"),
    gettext_lazy("Time management"),
    gettext_lazy("Career growth"),
    gettext_lazy("Managing up"),
    gettext_lazy("Cross-functional collaboration"),
    gettext_lazy("Coaching others"),
    gettext_lazy("Product thinking"),
    gettext_lazy("Data-driven decisions"),
    gettext_lazy("Navigating change"),
    gettext_lazy("Work-life balance"),
    gettext_lazy("Building networks"),
    gettext_lazy("Domain knowledge"),
]


@dataclass(frozen=True)
class FormatTemplate:
    format: Format
    purpose: Any  # texts are lazy: a programme takes them in its organisation's language
    rhythm: Rhythm
    session_minutes: int
    weeks: int
    capability_areas: list[Any]
    rules: dict[str, Any] = field(default_factory=dict)


TEMPLATES: dict[str, FormatTemplate] = {
    Format.PEER_PAIRS: FormatTemplate(
        Format.PEER_PAIRS,
        gettext_lazy("Peers at a similar level sharing skills both ways."),
        Rhythm.FORTNIGHTLY,
        45,
        24,
        [
            gettext_lazy("Giving feedback"),
            gettext_lazy("Communication"),
            gettext_lazy("Problem solving"),
            gettext_lazy("Collaboration"),
        ],
        {"intent": "tension", "max_level_gap": 1},
    ),
    Format.PEER_CIRCLES: FormatTemplate(
        Format.PEER_CIRCLES,
        gettext_lazy("Circles of peers who bring real challenges and hold each other accountable."),
        Rhythm.MONTHLY,
        60,
        26,
        [
            gettext_lazy("Leading a team"),
            gettext_lazy("Giving feedback"),
            gettext_lazy("Delegation"),
            gettext_lazy("Handling conflict"),
            gettext_lazy("Self-confidence"),
        ],
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
        gettext_lazy("A senior mentor and a mentee, for depth over breadth."),
        Rhythm.MONTHLY,
        45,
        26,
        [
            gettext_lazy("Strategic thinking"),
            gettext_lazy("Influence"),
            gettext_lazy("Career direction"),
            gettext_lazy("Leadership presence"),
        ],
        {"intent": "tension", "mentor_min_level_gap": 2, "default_capacity": 1},
    ),
    Format.GROUP_MENTORING: FormatTemplate(
        Format.GROUP_MENTORING,
        gettext_lazy("One experienced mentor with a small group of mentees."),
        Rhythm.FORTNIGHTLY,
        60,
        16,
        [
            gettext_lazy("Domain knowledge"),
            gettext_lazy("Problem solving"),
            gettext_lazy("Confidence"),
            gettext_lazy("Networking"),
        ],
        {"intent": "balanced", "mentor_min_level_gap": 1, "default_capacity": 4},
    ),
    Format.BUDDIES: FormatTemplate(
        Format.BUDDIES,
        gettext_lazy("A colleague who helps a new joiner through their first weeks."),
        Rhythm.WEEKLY,
        30,
        8,
        [
            gettext_lazy("Knowing the organisation"),
            gettext_lazy("Knowing the tools"),
            gettext_lazy("Feeling connected"),
        ],
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
TOPIC_GROUPS: tuple[tuple[Any, tuple[Any, ...]], ...] = (
    (
        gettext_lazy("Leading people"),
        (
            gettext_lazy("Leading a team"),
            gettext_lazy("Giving feedback"),
            gettext_lazy("Delegation"),
            gettext_lazy("Coaching others"),
            gettext_lazy("Hiring and interviewing"),
            gettext_lazy("Handling conflict"),
        ),
    ),
    (
        gettext_lazy("Working with others"),
        (
            gettext_lazy("Stakeholder management"),
            gettext_lazy("Managing up"),
            gettext_lazy("Cross-functional collaboration"),
            gettext_lazy("Communication"),
            gettext_lazy("Presenting"),
            gettext_lazy("Negotiation"),
            gettext_lazy("Building networks"),
        ),
    ),
    (
        gettext_lazy("Thinking and deciding"),
        (
            gettext_lazy("Strategic thinking"),
            gettext_lazy("Product thinking"),
            gettext_lazy("Data-driven decisions"),
            gettext_lazy("Problem solving"),
        ),
    ),
    (
        gettext_lazy("Your own growth"),
        (
            gettext_lazy("Career growth"),
            gettext_lazy("Time management"),
            gettext_lazy("Work-life balance"),
            gettext_lazy("Navigating change"),
            gettext_lazy("Self-confidence"),
            gettext_lazy("A fresh perspective"),
        ),
    ),
    (
        gettext_lazy("Finding your way here"),
        (
            gettext_lazy("Knowing the organisation"),
            gettext_lazy("Tools and systems"),
            gettext_lazy("How work gets done here"),
            gettext_lazy("Finding the right people"),
            gettext_lazy("Team rituals"),
            gettext_lazy("Office and city life"),
            gettext_lazy("Working across time zones"),
            gettext_lazy("Domain knowledge"),
        ),
    ),
)
MORE_TOPICS = gettext_lazy("More topics")


def group_topics(topics: list[str]) -> list[tuple[Any, list[str]]]:
    """The programme's topics under headings, each group in the programme's own order."""
    heading_of = {
        topic.casefold(): heading for heading, members in TOPIC_GROUPS for topic in members
    }
    groups: dict[Any, list[str]] = {heading: [] for heading, _members in TOPIC_GROUPS}
    groups[MORE_TOPICS] = []
    for topic in topics:
        groups[heading_of.get(topic.casefold(), MORE_TOPICS)].append(topic)
    return [(heading, members) for heading, members in groups.items() if members]
