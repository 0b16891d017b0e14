"""A run's quality and fairness in plain words, for the review page, the comparison and the API.

The engine reports an objective and a proven upper bound; a manager reads "98 % of the
best possible" and what that promises. Fairness comes from the run's summary: which
departments or locations have more of the worst-matched tenth than their share.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from alongside.matches.models import MatchRun

#: Below this gap the run is called the best possible (rounding noise of the solvers).
EXACT_GAP = 0.0005


@dataclass(frozen=True)
class Quality:
    #: Share of the best possible, in percent, rounded down (never flattering); None when
    #: the run has no bound to measure against.
    percent: float | None
    headline: str
    explanation: str


def run_quality(run: MatchRun) -> Quality:
    gap = run.gap
    if gap is None:
        return Quality(
            percent=None,
            headline=_("Quality not measured"),
            explanation=_(
                "This run has no bound to compare with, so how close it is to the best "
                "possible is not known."
            ),
        )
    if gap <= EXACT_GAP:
        return Quality(
            percent=100.0,
            headline=_("The best possible matching"),
            explanation=_(
                "No other way of grouping these people under your rules scores higher in "
                "total: the matching method proves it."
            ),
        )
    # Rounded down to one decimal: 97.96 % reads as 97.9 %, never as 98 %.
    percent = math.floor((1.0 - gap) * 1000) / 10
    headroom = round(gap * 100, 1) or 0.1
    return Quality(
        percent=percent,
        headline=_("Match quality %(percent)s %% of the best possible")
        % {"percent": _number(percent)},
        explanation=_(
            "No other way of grouping these people under your rules can score more than "
            "%(headroom)s %% higher in total; the real distance is usually smaller."
        )
        % {"headroom": _number(headroom)},
    )


def _number(value: float) -> str:
    """One decimal (none when it is .0), written the reader's way: 97.5, 97,5."""
    return number_format(value, decimal_pos=0 if float(value).is_integer() else 1)


@dataclass(frozen=True)
class FairnessLine:
    text: str
    concern: bool


def _rows(summary: dict[str, Any], attribute: str) -> list[dict[str, Any]]:
    from alongside.matches.selectors import summary_rows

    return summary_rows(summary, attribute)


def run_fairness(run: MatchRun) -> list[FairnessLine]:
    """Sentences on who is matched less well than the rest; the first says the overall picture."""
    summary = run.summary or {}
    lines: list[FairnessLine] = []
    concerns = 0
    for attribute, word in (("department", _("department")), ("location", _("location"))):
        for row in _rows(summary, attribute):
            if not row["over_represented"]:
                continue
            concerns += 1
            lines.append(
                FairnessLine(
                    text=ngettext(
                        "%(value)s (%(kind)s): %(actual)d person among the worst-matched "
                        "tenth, where its share would be about %(expected)s. Look at their "
                        "matches before publishing.",
                        "%(value)s (%(kind)s): %(actual)d people among the worst-matched "
                        "tenth, where its share would be about %(expected)s. Look at their "
                        "matches before publishing.",
                        int(row["in_worst_tenth"]),
                    )
                    % {
                        "value": row.get("value") or _("not given"),
                        "kind": word,
                        "actual": int(row["in_worst_tenth"]),
                        "expected": _number(float(row.get("expected_in_worst_tenth") or 0)),
                    },
                    concern=True,
                )
            )
    if not concerns and (summary.get("by_department") or summary.get("by_location")):
        lines.insert(
            0,
            FairnessLine(
                text=_(
                    "Fair across the cohort: no department or location has more than its "
                    "share of the worst-matched people."
                ),
                concern=False,
            ),
        )
    unmatched = int(summary.get("unmatched") or 0)
    if unmatched:
        lines.append(
            FairnessLine(
                text=ngettext(
                    "%(count)d person is not matched; the reason is listed under Unmatched.",
                    "%(count)d people are not matched; each reason is listed under Unmatched.",
                    unmatched,
                )
                % {"count": unmatched},
                concern=False,
            )
        )
    return lines
