"""Before/after maths for the outcomes report, on plain data (no Django).

A person's change in a capability area is their end rating minus their start rating;
only people who answered both surveys for that area count ("paired" answers). For each
area the report gives the mean start, mean end, mean change and the share who improved.

Anonymity: a figure is never shown for fewer than ``SMALL_GROUP`` paired answers.
Breakdowns (by department, location, role…) apply the rule per area and also guard
against disclosure by subtraction: the overall figure is shown, so if the hidden groups
of a breakdown together hold fewer than ``SMALL_GROUP`` people, their combined figure
could be worked out from the total and the shown groups. In that case the smallest shown
groups are hidden as well, one at a time, until the hidden groups hold at least
``SMALL_GROUP`` people between them (or every group is hidden).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from django.utils.translation import gettext

SMALL_GROUP = 5


@dataclass(frozen=True)
class PersonRatings:
    """One participant's capability ratings at the start and the end of a programme."""

    person: int
    start: Mapping[str, int]
    end: Mapping[str, int]
    groups: Mapping[str, str] = field(default_factory=dict)  # dimension -> group label


@dataclass(frozen=True)
class AreaChange:
    area: str
    paired: int
    suppressed: bool
    mean_start: float | None = None
    mean_end: float | None = None
    mean_change: float | None = None
    share_improved: float | None = None
    share_declined: float | None = None


@dataclass(frozen=True)
class GroupRow:
    group: str
    areas: list[AreaChange]


@dataclass(frozen=True)
class Rate:
    invited: int
    responded: int
    rate: float | None


@dataclass(frozen=True)
class PersonalChange:
    area: str
    start: int | None
    end: int | None
    change: int | None


def paired(people: Iterable[PersonRatings], area: str) -> list[tuple[int, int]]:
    """(start, end) for everyone who rated ``area`` in both surveys."""
    return [(p.start[area], p.end[area]) for p in people if area in p.start and area in p.end]


def _round(value: float) -> float:
    return round(value, 2)


def area_change(
    pairs: Sequence[tuple[int, int]], area: str, threshold: int = SMALL_GROUP
) -> AreaChange:
    """Mean start, end, change and shares for one area; withheld below ``threshold``."""
    n = len(pairs)
    if n < threshold or n == 0:
        return AreaChange(area=area, paired=n, suppressed=True)
    starts = sum(s for s, _ in pairs)
    ends = sum(e for _, e in pairs)
    return AreaChange(
        area=area,
        paired=n,
        suppressed=False,
        mean_start=_round(starts / n),
        mean_end=_round(ends / n),
        mean_change=_round((ends - starts) / n),
        share_improved=_round(sum(1 for s, e in pairs if e > s) / n),
        share_declined=_round(sum(1 for s, e in pairs if e < s) / n),
    )


def groups_to_hide(sizes: Mapping[str, int], threshold: int = SMALL_GROUP) -> set[str]:
    """The groups of one breakdown whose figures must not be shown (see the module doc)."""
    present = {group: n for group, n in sizes.items() if n > 0}
    hidden = {group for group, n in present.items() if n < threshold}
    shown = sorted((n, group) for group, n in present.items() if group not in hidden)
    while hidden and shown and sum(present[g] for g in hidden) < threshold:
        _n, smallest = shown.pop(0)
        hidden.add(smallest)
    return hidden


def breakdown(
    people: Sequence[PersonRatings],
    areas: Sequence[str],
    dimension: str,
    threshold: int = SMALL_GROUP,
) -> list[GroupRow]:
    """Per group of ``dimension``, the change in each area, with small groups withheld."""
    labels = sorted({p.groups.get(dimension, "") or gettext("Not recorded") for p in people})
    by_group: dict[str, list[PersonRatings]] = {label: [] for label in labels}
    for person in people:
        by_group[person.groups.get(dimension, "") or "Not recorded"].append(person)
    cells: dict[str, list[AreaChange]] = {label: [] for label in labels}
    for area in areas:
        pairs = {label: paired(members, area) for label, members in by_group.items()}
        hide = groups_to_hide({label: len(p) for label, p in pairs.items()}, threshold)
        for label in labels:
            if label in hide:
                cells[label].append(
                    AreaChange(area=area, paired=len(pairs[label]), suppressed=True)
                )
            else:
                cells[label].append(area_change(pairs[label], area, threshold))
    return [
        GroupRow(group=label, areas=cells[label])
        for label in labels
        if any(cell.paired for cell in cells[label])
    ]


def response_rate(invited: int, responded: int) -> Rate:
    return Rate(
        invited=invited,
        responded=responded,
        rate=_round(responded / invited) if invited else None,
    )


def personal_change(person: PersonRatings, areas: Sequence[str]) -> list[PersonalChange]:
    """One person's own before/after; never subject to the threshold (it is their own)."""
    rows = []
    for area in areas:
        start, end = person.start.get(area), person.end.get(area)
        change = end - start if start is not None and end is not None else None
        rows.append(PersonalChange(area=area, start=start, end=end, change=change))
    return rows


def outcomes(
    people: Sequence[PersonRatings],
    areas: Sequence[str],
    dimensions: Sequence[str],
    threshold: int = SMALL_GROUP,
) -> dict[str, Any]:
    """The change per area overall and per group of each dimension, as plain data."""
    return {
        "threshold": threshold,
        "areas": [asdict(area_change(paired(people, area), area, threshold)) for area in areas],
        "breakdowns": {
            dimension: [asdict(row) for row in breakdown(people, areas, dimension, threshold)]
            for dimension in dimensions
        },
    }
