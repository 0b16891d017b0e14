"""Reasons in plain words, with the score parts behind them.

Admins see everything. Participants never see anyone's private fields (what they want
to develop or can offer, their goals): those parts get a generic wording instead (see
``PRIVATE_FIELDS`` in :mod:`.profiles`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from .availability import format_hours
from .profiles import Candidate, MatchRules
from .scoring import PARTS, FloatArray, Scorer

Audience = Literal["admin", "participant"]
SHOWN_TOPICS = 3


@dataclass(frozen=True)
class ReasonPart:
    """One part of a score. ``participant_text`` is None when nothing can be shown."""

    part: str
    points: float
    admin_text: str
    participant_text: str | None
    private: bool


@dataclass(frozen=True)
class Explanation:
    score: float
    parts: tuple[ReasonPart, ...]
    forbidden_by: tuple[str, ...] = ()

    def text(self, audience: Audience = "admin", limit: int = 4) -> str:
        """The strongest reasons joined with '; ' (e.g. for a CSV cell or a match card)."""
        if self.forbidden_by:
            return "not allowed: " + "; ".join(self.forbidden_by)
        chosen = []
        for part in self.parts:
            words = part.admin_text if audience == "admin" else part.participant_text
            if words and words not in chosen:
                chosen.append(words)
            if len(chosen) == limit:
                break
        return "; ".join(chosen)


def _topics(items: Sequence[str]) -> str:
    items = sorted(items)
    shown = items[:SHOWN_TOPICS]
    more = len(items) - len(shown)
    text = ", ".join(shown[:-1]) + (" and " if len(shown) > 1 else "") + shown[-1]
    return text + (f" (+{more} more)" if more else "")


def _name(c: Candidate) -> str:
    return c.name or c.id


def _hours(h: float) -> str:
    return format_hours(round(h * 2))


def explain_pair(scorer: Scorer, i: int, j: int, *, mentoring: bool = False) -> Explanation:
    """Why ``i`` and ``j`` fit (with ``mentoring``: ``i`` the mentee, ``j`` the mentor)."""
    rows, cols = np.array([i]), np.array([j])
    values = scorer.parts(rows, cols, mentoring=mentoring)[:, 0, 0]
    score = float(scorer.block(rows, cols, mentoring=mentoring)[0, 0])
    return explain_with(scorer, i, j, values, score, mentoring=mentoring)


def explain_with(
    scorer: Scorer,
    i: int,
    j: int,
    values: FloatArray,
    score: float,
    *,
    mentoring: bool = False,
) -> Explanation:
    """:func:`explain_pair` from the pair's score parts and score, already computed (a
    whole circle's parts come from one :meth:`Scorer.parts` call)."""
    a, b = scorer.candidates[i], scorer.candidates[j]
    points = scorer.points
    parts: list[ReasonPart] = []
    for name, value in zip(PARTS, values.tolist(), strict=True):
        weight = float(getattr(points, name))
        if weight <= 0 or value <= 0:
            continue
        text = _describe(name, a, b, mentoring)
        if text is None:
            continue
        admin, participant, private = text
        parts.append(ReasonPart(name, round(weight * value, 2), admin, participant, private))
    parts.sort(key=lambda p: -p.points)
    forbidden = _forbidden_by(scorer, i, j, mentoring) if not np.isfinite(score) else ()
    return Explanation(score, tuple(parts), forbidden)


def explain(
    a: Candidate, b: Candidate, rules: MatchRules | None = None, *, mentoring: bool = False
) -> Explanation:
    """Explain one pair on its own (``a`` is the mentee when ``mentoring``)."""
    return explain_pair(Scorer([a, b], rules or MatchRules()), 0, 1, mentoring=mentoring)


def _norm(topics: frozenset[str]) -> dict[str, str]:
    return {t.strip().casefold(): t.strip() for t in topics if t.strip()}


def _describe(
    name: str, a: Candidate, b: Candidate, mentoring: bool
) -> tuple[str, str | None, bool] | None:
    if name == "complementarity":
        sentences = []
        directions = [(b, a)] if mentoring else [(a, b), (b, a)]
        for giver, taker in directions:
            offers, wants = _norm(giver.offers), _norm(taker.wants)
            common = [offers[k] for k in offers if k in wants]
            if common:
                sentences.append(
                    f"{_name(giver)} can offer {_topics(common)}, "
                    f"which {_name(taker)} wants to develop"
                )
        if not sentences:
            return None
        return "; ".join(sentences), "your goals and experience complement each other", True
    if name == "shared_challenges":
        wa, wb = _norm(a.wants), _norm(b.wants)
        common = [wa[k] for k in wa if k in wb]
        if not common:
            return None
        return f"both want to develop {_topics(common)}", "you are working on similar goals", True
    if name == "function_difference":
        text = f"different functions ({a.function}, {b.function})"
        return text, text, False
    if name == "function_sameness":
        text = f"same function ({a.function})"
        return text, text, False
    if name == "level_difference":
        if mentoring and a.level is not None and b.level is not None:
            gap = b.level - a.level
            text = f"{_name(b)} is {gap} level{'s' if gap != 1 else ''} more senior"
        else:
            text = f"different levels ({a.level}, {b.level})"
        return text, text, False
    if name == "level_sameness":
        text = "same level" if a.level == b.level else "similar levels"
        return text, text, False
    if name == "same_location":
        text = f"both in {a.location}"
        return text, text, False
    if name == "timezone":
        if a.utc_offset_hours is None or b.utc_offset_hours is None:
            return None
        d = abs(a.utc_offset_hours - b.utc_offset_hours) % 24
        d = min(d, 24 - d)
        if d == 0:
            zone = a.timezone if a.timezone and a.timezone == b.timezone else ""
            text = f"same time zone ({zone})" if zone else "same time zone"
        else:
            text = f"time zones {_hours(d)} apart"
        return text, text, False
    if name == "language":
        la = {x.casefold(): x for x in a.languages}
        common = sorted(la[k] for k in la if k in {y.casefold() for y in b.languages})
        text = f"share {', '.join(common)}"
        return text, text, False
    if name == "availability":
        if a.availability is None or b.availability is None:
            return None
        slots = len(a.availability & b.availability)
        text = f"{format_hours(slots)} of shared working hours a week"
        return text, text, False
    return None


def _forbidden_by(scorer: Scorer, i: int, j: int, mentoring: bool) -> tuple[str, ...]:
    a, b = scorer.candidates[i], scorer.candidates[j]
    rules = scorer.rules
    out = []
    if i == j:
        out.append("the same person")
    if rules.avoid_reporting_line and (j in scorer._line_above(i) or i in scorer._line_above(j)):
        out.append("in the same reporting line")
    if rules.avoid_previous_partners and (
        b.id in a.previous_partners or a.id in b.previous_partners
    ):
        out.append("paired before")
    if frozenset({a.id, b.id}) in rules.forbidden:
        out.append("ruled out by an admin")
    if scorer._rule_mask(np.array([i]), np.array([j]), mentoring)[0, 0]:
        out.append("outside the programme's level, time-zone or language rules")
    return tuple(out) or ("a hard rule",)
