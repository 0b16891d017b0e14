"""The spreadsheet matching command, without Django: CSV bytes in, CSV text out.

``alongside match FILE.csv`` (the management command) is a thin wrapper around
:func:`run_match`. Input is the people-import format plus ``wants`` and ``offers``
(``;``-separated topics), ``role``, ``capacity`` and ``availability``.
"""

from __future__ import annotations

import csv
import io
import re
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

import numpy as np

from alongside.spreadsheets.people import CsvProblem, PersonRow, parse_people_csv, split_list

from .availability import AVAILABILITY_HELP, parse_availability
from .circles import circle_sizes, solve_circles
from .errors import MatchingError
from .mentoring import solve_mentoring
from .pairs import candidates_for, solve_pairs
from .profiles import Candidate, Intent, MatchRules, Role
from .reasons import explain_pair
from .results import MatchResult, Unmatched
from .scoring import Scorer

FORMATS = ("pairs", "circles", "mentoring", "buddies")
EXTRA_COLUMNS = ("wants", "offers", "role", "capacity", "availability")
OUTPUT_COLUMNS = ("group", "email", "name", "role", "score", "reasons")
DENSE_MAX_PEOPLE = 3000  # above this, pairs are scored as a sparse candidate graph
ROLE_WORDS = {
    "": Role.PEER,
    "peer": Role.PEER,
    "mentor": Role.MENTOR,
    "buddy": Role.MENTOR,
    "mentee": Role.MENTEE,
    "newcomer": Role.MENTEE,
    "new joiner": Role.MENTEE,
}
COLUMN_HELP = (
    "Columns: the people-import columns (email, name, manager_email, department, level, "
    "location, timezone, languages, ...) plus wants and offers (';'-separated topics), "
    "role (peer, mentor or mentee; buddy or newcomer for --format buddies), capacity "
    "(mentees a mentor takes, default 1) and " + AVAILABILITY_HELP + "."
)


@dataclass(frozen=True)
class MatchOptions:
    format: str = "pairs"
    intent: str = "balanced"
    min_size: int = 4
    max_size: int = 8
    target_size: int | None = None
    seed: int = 0
    time_limit: float | None = None


@dataclass(frozen=True)
class MatchOutcome:
    """``csv_text`` is empty when ``problems`` says why nothing was matched."""

    csv_text: str = ""
    problems: list[CsvProblem] = field(default_factory=list)
    result: MatchResult | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def summary(self) -> str:
        if self.result is None:
            return ""
        r = self.result
        groups = sum(1 for g in r.groups if g)
        return (
            f"{groups} groups, {len(r.unmatched)} unmatched; objective {r.objective:.2f}, "
            f"upper bound {r.upper_bound:.2f}, gap {r.gap:.2%}"
            + (" (proven optimal)" if r.optimal else "")
        )


def run_match(data: bytes, options: MatchOptions, *, now: datetime | None = None) -> MatchOutcome:
    """Read people from CSV bytes, match them, and write the matches as CSV text."""
    if options.format not in FORMATS:
        return _fail(f"--format must be one of {', '.join(FORMATS)}, got {options.format!r}")
    try:
        intent = Intent(options.intent)
    except ValueError:
        return _fail(f"--intent must be tension, familiarity or balanced, got {options.intent!r}")
    parsed = parse_people_csv(data, extra_columns=EXTRA_COLUMNS)
    if not parsed.ok:
        return MatchOutcome(problems=list(parsed.problems))
    if not parsed.rows:
        return _fail("the file has no people in it")
    candidates, problems = _candidates(parsed.rows, options.format, now or datetime.now(UTC))
    if problems:
        return MatchOutcome(problems=problems)
    rules = _rules(options.format, intent)
    try:
        scorer = Scorer(candidates, rules)
        if options.format == "pairs":
            result, rows = _pairs(scorer, options)
        elif options.format == "circles":
            result, rows = _circles(scorer, options)
        else:
            result, rows = _mentoring(scorer, options)
    except MatchingError as error:
        return _fail(str(error))
    return MatchOutcome(csv_text=_write(rows), result=result)


def _fail(message: str) -> MatchOutcome:
    return MatchOutcome(problems=[CsvProblem(None, None, message)])


def _rules(fmt: str, intent: Intent) -> MatchRules:
    if fmt == "buddies":
        # A buddy is a practical guide: any level, but close in time zone.
        return MatchRules(intent=intent, mentor_min_level_gap=None, max_level_gap=None)
    return MatchRules(intent=intent)


def _level(text: str) -> int | None:
    digits = re.findall(r"\d+", text)
    return int(digits[0]) if digits else None


def _offset(zone: str, now: datetime) -> float | None:
    if not zone:
        return None
    offset = now.astimezone(zoneinfo.ZoneInfo(zone)).utcoffset()
    return None if offset is None else offset.total_seconds() / 3600.0


def _candidates(
    rows: Sequence[PersonRow], fmt: str, now: datetime
) -> tuple[list[Candidate], list[CsvProblem]]:
    problems: list[CsvProblem] = []
    out: list[Candidate] = []
    for row in rows:
        extra = row.extra
        role_text = extra.get("role", "").strip().lower()
        role = ROLE_WORDS.get(role_text)
        if role is None:
            problems.append(
                CsvProblem(
                    row.row,
                    "role",
                    f"{extra.get('role')!r} is not a role: use "
                    "peer, mentor or mentee (buddy or newcomer for buddies)",
                )
            )
            role = Role.PEER
        if fmt in ("mentoring", "buddies") and role == Role.PEER:
            wanted = "mentor or mentee" if fmt == "mentoring" else "buddy or newcomer"
            problems.append(CsvProblem(row.row, "role", f"--format {fmt} needs a role: {wanted}"))
        capacity_text = extra.get("capacity", "").strip()
        capacity = 1
        if capacity_text:
            if not capacity_text.isdigit():
                problems.append(
                    CsvProblem(
                        row.row,
                        "capacity",
                        f"{capacity_text!r} is not a whole number of mentees (0 or more)",
                    )
                )
            else:
                capacity = int(capacity_text)
        offset = _offset(row.timezone, now)
        availability = None
        if extra.get("availability", "").strip():
            try:
                availability = parse_availability(extra["availability"], offset or 0.0)
            except MatchingError as error:
                problems.append(CsvProblem(row.row, "availability", str(error)))
        out.append(
            Candidate(
                id=row.email,
                name=row.name,
                function=row.department,
                level=_level(row.level),
                location=row.location,
                timezone=row.timezone,
                utc_offset_hours=offset,
                languages=frozenset(row.languages),
                wants=frozenset(split_list(extra.get("wants", ""))),
                offers=frozenset(split_list(extra.get("offers", ""))),
                manager_id=row.manager_email or None,
                role=role,
                capacity=capacity,
                availability=availability,
            )
        )
    return out, problems


Row = tuple[str, str, str, str, str, str]


def _person_row(scorer: Scorer, i: int, group: str, score: float | None, reasons: str) -> Row:
    c = scorer.candidates[i]
    shown = "" if score is None or not np.isfinite(score) else f"{score:.1f}"
    return (group, c.id, c.name, c.role.value, shown, reasons)


def _pairs(scorer: Scorer, options: MatchOptions) -> tuple[MatchResult, list[Row]]:
    weights = (
        scorer.graph(candidates_for(scorer.n)) if scorer.n > DENSE_MAX_PEOPLE else scorer.matrix()
    )
    result = solve_pairs(weights, seed=options.seed)
    rows: list[Row] = []
    for number, (i, j) in enumerate(result.groups, start=1):
        why = explain_pair(scorer, i, j)
        for person, other in ((i, j), (j, i)):
            text = f"with {scorer.candidates[other].name}: {why.text()}"
            rows.append(_person_row(scorer, person, str(number), why.score, text))
    rows.extend(_person_row(scorer, u.index, "", None, u.reason) for u in result.unmatched)
    return result, rows


def _circles(scorer: Scorer, options: MatchOptions) -> tuple[MatchResult, list[Row]]:
    # Sizes that cannot work for the whole file are reported as such, first.
    circle_sizes(scorer.n, options.min_size, options.max_size, options.target_size)
    full = scorer.matrix()
    keep, left_out = _circle_candidates(full, options.min_size)
    weights = full[np.ix_(keep, keep)]
    result = solve_circles(
        weights,
        min_size=options.min_size,
        max_size=options.max_size,
        target_size=options.target_size,
        seed=options.seed,
        time_limit=options.time_limit,
    )
    rows: list[Row] = []
    for number, group in enumerate(result.groups, start=1):
        for local in group:
            mates = [j for j in group if j != local]
            scores = weights[local, mates]
            i, best = int(keep[local]), int(keep[mates[int(np.argmax(scores))]])
            why = explain_pair(scorer, i, best)
            text = f"closest fit {scorer.candidates[best].name}: {why.text(limit=3)}"
            rows.append(_person_row(scorer, i, str(number), float(scores.mean()), text))
    unmatched = []
    for i, allowed in left_out:
        reason = (
            f"the matching rules allow only {allowed} of the others in a circle with them "
            f"(a circle needs {options.min_size - 1})"
        )
        rows.append(_person_row(scorer, i, "", None, reason))
        unmatched.append(Unmatched(i, reason))
    groups = tuple(tuple(int(keep[local]) for local in group) for group in result.groups)
    return replace(result, groups=groups, unmatched=tuple(unmatched)), rows


def _circle_candidates(
    weights: np.ndarray, min_size: int
) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """People who can sit in some circle at all. Someone the hard rules keep away from
    almost everyone (the head of the organisation is in everyone's reporting line) is
    left out with a reason instead of failing the whole file."""
    allowed = np.isfinite(weights)
    np.fill_diagonal(allowed, False)
    keep = np.ones(len(weights), dtype=bool)
    left_out: list[tuple[int, int]] = []
    while True:
        counts = (allowed & keep[None, :]).sum(axis=1)
        lonely = np.flatnonzero(keep & (counts < min_size - 1))
        if not len(lonely):
            return np.flatnonzero(keep), left_out
        for i in lonely.tolist():
            left_out.append((i, int(counts[i])))
        keep[lonely] = False


def _mentoring(scorer: Scorer, options: MatchOptions) -> tuple[MatchResult, list[Row]]:
    roles = [c.role for c in scorer.candidates]
    mentees = np.array([i for i, r in enumerate(roles) if r == Role.MENTEE], dtype=np.int64)
    mentors = np.array([i for i, r in enumerate(roles) if r == Role.MENTOR], dtype=np.int64)
    if not len(mentors):
        raise MatchingError("nobody has the mentor role, so no one can be matched")
    weights = scorer.block(mentees, mentors, mentoring=True)
    capacities = [scorer.candidates[j].capacity for j in mentors]
    result = solve_mentoring(weights, capacities, seed=options.seed)
    rows: list[Row] = []
    number = 0
    for j, group in enumerate(result.groups):
        mentor = int(mentors[j])
        if not group:
            rows.append(_person_row(scorer, mentor, "", None, "no mentee assigned"))
            continue
        number += 1
        names = ", ".join(scorer.candidates[int(mentees[i])].name for i in group)
        mean = float(np.mean([weights[i, j] for i in group]))
        rows.append(_person_row(scorer, mentor, str(number), mean, f"mentors {names}"))
        for i in group:
            mentee = int(mentees[i])
            why = explain_pair(scorer, mentee, mentor, mentoring=True)
            text = f"with {scorer.candidates[mentor].name}: {why.text()}"
            rows.append(_person_row(scorer, mentee, str(number), float(weights[i, j]), text))
    for u in result.unmatched:
        rows.append(_person_row(scorer, int(mentees[u.index]), "", None, u.reason))
    return result, rows


def _write(rows: list[Row]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(OUTPUT_COLUMNS)
    writer.writerows(rows)
    return buffer.getvalue()
