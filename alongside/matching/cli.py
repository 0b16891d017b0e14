"""The spreadsheet matching command, without Django: CSV bytes in, CSV or JSON text out.

``alongside match FILE.csv`` (the management command) is a thin wrapper around
:func:`run_match`. Input is the people-import format plus ``wants`` and ``offers``
(``;``-separated topics), ``role``, ``capacity`` and ``availability``; the app's rules
come from files (previous relationships, forbidden pairs, locked groups) and options
(diversity limits).
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

import numpy as np

from alongside.spreadsheets.people import CsvProblem

from .availability import AVAILABILITY_HELP
from .cli_circles import circle_rows
from .cli_input import MAX_PER_COLUMNS, max_per_values, read_groups_file, read_pairs_file
from .cli_input import read_people as read_people_file
from .cli_rows import Row, person_row, role_label, unplaced_message
from .errors import MatchingError
from .memory import check_memory, sparse_circles_bytes
from .mentoring import solve_mentoring
from .pairs import candidates_for, solve_pairs
from .profiles import Intent, MatchRules, Role
from .reasons import Audience, explain_pair
from .results import MatchResult
from .scoring import Scorer

FORMATS = ("pairs", "circles", "mentoring", "group", "buddies")
HISTORY_RULES = ("never", "penalise")
OUTPUT_COLUMNS = ("group", "email", "name", "role", "score", "reasons")
DENSE_MAX_PEOPLE = 3000  # above this, pairs are scored as a sparse candidate graph
# Points a pair of previous partners loses with --history-rule penalise (a good pair
# scores 50-70 of 100).
HISTORY_PENALTY = 25.0
# A mentor's default number of mentees in group mentoring (a blank capacity cell).
GROUP_CAPACITY = 4
COLUMN_HELP = (
    "Columns: the people-import columns (email, name, manager_email, department, level, "
    "location, timezone, languages, ...) plus wants and offers (';'-separated topics), "
    "role (peer, mentor or mentee; buddy or new joiner for --format buddies), capacity "
    "(mentees a mentor takes, default 1; 4 in group mentoring) and " + AVAILABILITY_HELP + "."
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
    effort: float | None = None
    history: bytes | None = None
    history_rule: str = "never"
    forbid: bytes | None = None
    lock: bytes | None = None
    max_per: str | None = None  # "department=2"
    strict: bool = False
    public_reasons: bool = False


@dataclass(frozen=True)
class MatchOutcome:
    """``csv_text`` is empty when ``problems`` says why nothing was matched."""

    csv_text: str = ""
    problems: list[CsvProblem] = field(default_factory=list)
    result: MatchResult | None = None
    warnings: list[CsvProblem] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    format: str = "pairs"

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def gap_text(self) -> str:
        if self.result is None:
            return ""
        if self.result.optimal:
            return "proven optimal"
        return f"at most {self.result.gap:.1%} from the best possible"

    @property
    def summary(self) -> str:
        if self.result is None:
            return ""
        r = self.result
        groups = sum(1 for g in r.groups if g)
        return (
            f"{groups} groups, {len(r.unmatched)} unmatched; objective {r.objective:.2f}, "
            f"upper bound {r.upper_bound:.2f}, gap {r.gap:.2%}: {self.gap_text}"
        )

    def json_text(self) -> str:
        """The matches, the objective, the bound and the gap, and every reason, as JSON."""
        groups: dict[str, list[dict[str, Any]]] = {}
        unmatched = []
        for group, email, name, role, score, reasons in self.rows:
            person: dict[str, Any] = {"email": email, "name": name, "role": role}
            person["reasons"] = reasons
            if group:
                person["score"] = float(score) if score else None
                groups.setdefault(group, []).append(person)
            else:
                unmatched.append(person)
        r = self.result
        payload = {
            "format": self.format,
            "objective": None if r is None else r.objective,
            "upper_bound": None if r is None else r.upper_bound,
            "gap": None if r is None else r.gap,
            "gap_text": self.gap_text,
            "proven_optimal": bool(r and r.optimal),
            "method": None if r is None else r.method,
            "groups": [{"group": g, "members": members} for g, members in groups.items()],
            "unmatched": unmatched,
            "warnings": [str(w) for w in self.warnings],
        }
        return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"


def run_match(data: bytes, options: MatchOptions, *, now: datetime | None = None) -> MatchOutcome:
    """Read people from CSV bytes, match them, and write the matches as CSV text."""
    problems = _option_problems(options)
    if problems:
        return MatchOutcome(problems=problems, format=options.format)
    people = read_people_file(data, options.format, now or datetime.now(UTC), strict=options.strict)
    problems, warnings = list(people.problems), list(people.warnings)
    emails = {row.email for row in people.rows}
    rules_files = {}
    for option, content, read in (
        ("--history", options.history, "groups"),
        ("--forbid", options.forbid, "pairs"),
        ("--lock", options.lock, "locks"),
    ):
        if content is None:
            continue
        if read == "pairs":
            found = read_pairs_file(content, option, emails)
        else:
            found = read_groups_file(content, option, emails, unknown_is_error=read == "locks")
        problems += found.problems
        warnings += found.warnings if not options.strict else []
        problems += found.warnings if options.strict else []
        rules_files[option] = found.groups
    if problems:
        return MatchOutcome(problems=problems, warnings=warnings, format=options.format)
    candidates = people.candidates
    previous: dict[str, set[str]] = {}
    for group in rules_files.get("--history", []):
        for person in group:
            previous.setdefault(person, set()).update(p for p in group if p != person)
    if previous:
        candidates = [
            replace(c, previous_partners=c.previous_partners | frozenset(previous.get(c.id, ())))
            for c in candidates
        ]
    if options.format == "group":
        blank = {row.email for row in people.rows if not row.extra.get("capacity", "").strip()}
        candidates = [
            replace(c, capacity=GROUP_CAPACITY) if c.id in blank else c for c in candidates
        ]
    rules = _rules(
        options,
        forbidden=frozenset(frozenset(p) for p in rules_files.get("--forbid", [])),
        locked=tuple(rules_files.get("--lock", [])),
    )
    audience: Audience = "participant" if options.public_reasons else "admin"
    try:
        scorer = Scorer(candidates, rules)
        if options.format == "pairs":
            result, rows = _pairs(scorer, options, audience)
        elif options.format == "circles":
            attr = None
            if options.max_per:
                attr = max_per_values(people.rows, options.max_per.split("=")[0].strip())
            result, rows = circle_rows(scorer, options, audience, attr)
        else:
            result, rows = _mentoring(scorer, options, audience)
    except MatchingError as error:
        return MatchOutcome(
            problems=[CsvProblem(None, None, str(error))], warnings=warnings, format=options.format
        )
    if not any(result.groups):
        # Nobody placed: say which rule stands in the way, and fail the run.
        message = unplaced_message(scorer, options.format)
        return MatchOutcome(
            problems=[CsvProblem(None, None, message)],
            result=result,
            warnings=warnings,
            rows=rows,
            format=options.format,
        )
    return MatchOutcome(
        csv_text=_write(rows), result=result, warnings=warnings, rows=rows, format=options.format
    )


def _option_problems(options: MatchOptions) -> list[CsvProblem]:
    out = []

    def fail(message: str) -> None:
        out.append(CsvProblem(None, None, message))

    if options.format not in FORMATS:
        fail(f"--format must be one of {', '.join(FORMATS)}, got {options.format!r}")
    try:
        Intent(options.intent)
    except ValueError:
        fail(f"--intent must be tension, familiarity or balanced, got {options.intent!r}")
    if options.history_rule not in HISTORY_RULES:
        fail(f"--history-rule must be never or penalise, got {options.history_rule!r}")
    if options.max_per is not None:
        column, _, limit = options.max_per.partition("=")
        column = column.strip()
        if column not in MAX_PER_COLUMNS or not limit.strip().isdigit() or int(limit) < 1:
            fail(
                f"--max-per must look like department=2 (a column of {', '.join(MAX_PER_COLUMNS)} "
                f"and a whole number of at least 1), got {options.max_per!r}"
            )
        elif options.format != "circles":
            fail(
                "--max-per limits how many alike people share a circle: "
                "use it with --format circles"
            )
    if options.lock is not None and options.format not in ("pairs", "circles"):
        fail("--lock fixes people together in pairs or circles: use it with those formats")
    return out


def _rules(
    options: MatchOptions,
    *,
    forbidden: frozenset[frozenset[str]],
    locked: tuple[tuple[str, ...], ...],
) -> MatchRules:
    intent = Intent(options.intent)
    penalise = options.history_rule == "penalise"
    common: dict[str, Any] = {
        "intent": intent,
        "forbidden": forbidden,
        "locked": locked,
        "avoid_previous_partners": not penalise,
        "previous_partner_penalty": HISTORY_PENALTY if penalise else 0.0,
    }
    if options.format == "buddies":
        # A buddy is a practical guide: any level, but close in time zone.
        return MatchRules(**common, mentor_min_level_gap=None, max_level_gap=None)
    return MatchRules(**common)


def _pairs(
    scorer: Scorer, options: MatchOptions, audience: Audience
) -> tuple[MatchResult, list[Row]]:
    n, partners = scorer.n, candidates_for(scorer.n)
    check_memory(sparse_circles_bytes(n, partners, len(scorer.topics)), f"pairs for {n:,} people")
    weights = scorer.graph(partners) if n > DENSE_MAX_PEOPLE else scorer.matrix()
    locked = [lock for lock in scorer.locks() if len(lock) == 2]
    longer = [lock for lock in scorer.locks() if len(lock) != 2]
    if longer:
        raise MatchingError(
            f"a lock in pairs must hold two people, but one holds {len(longer[0])}: "
            + ", ".join(scorer.candidates[i].id for i in longer[0])
        )
    result = solve_pairs(weights, seed=options.seed, locked=[(a, b) for a, b in locked])
    rows: list[Row] = []
    for number, (i, j) in enumerate(result.groups, start=1):
        why = explain_pair(scorer, i, j)
        for person, other in ((i, j), (j, i)):
            text = f"with {scorer.candidates[other].name}: {why.text(audience)}"
            rows.append(person_row(scorer, person, str(number), why.score, text, options.format))
    rows.extend(
        person_row(scorer, u.index, "", None, u.reason, options.format) for u in result.unmatched
    )
    return result, rows


def _mentoring(
    scorer: Scorer, options: MatchOptions, audience: Audience
) -> tuple[MatchResult, list[Row]]:
    roles = [c.role for c in scorer.candidates]
    mentees = np.array([i for i, r in enumerate(roles) if r == Role.MENTEE], dtype=np.int64)
    mentors = np.array([i for i, r in enumerate(roles) if r == Role.MENTOR], dtype=np.int64)
    fmt = options.format
    if not len(mentors):
        who = role_label(Role.MENTOR, fmt)
        raise MatchingError(f"nobody has the {who} role, so no one can be matched")
    weights = scorer.block(mentees, mentors, mentoring=True)
    capacities = [scorer.candidates[j].capacity for j in mentors]
    result = solve_mentoring(weights, capacities, seed=options.seed)
    rows: list[Row] = []
    number = 0
    for j, group in enumerate(result.groups):
        mentor = int(mentors[j])
        if not group:
            rows.append(
                person_row(
                    scorer, mentor, "", None, f"no {role_label(Role.MENTEE, fmt)} assigned", fmt
                )
            )
            continue
        number += 1
        names = ", ".join(scorer.candidates[int(mentees[i])].name for i in group)
        mean = float(np.mean([weights[i, j] for i in group]))
        verb = (
            "buddy to"
            if fmt == "buddies"
            else "leads a group with"
            if fmt == "group"
            else "mentors"
        )
        rows.append(person_row(scorer, mentor, str(number), mean, f"{verb} {names}", fmt))
        for i in group:
            mentee = int(mentees[i])
            why = explain_pair(scorer, mentee, mentor, mentoring=True)
            text = f"with {scorer.candidates[mentor].name}: {why.text(audience)}"
            rows.append(person_row(scorer, mentee, str(number), float(weights[i, j]), text, fmt))
    for u in result.unmatched:
        rows.append(person_row(scorer, int(mentees[u.index]), "", None, u.reason, fmt))
    groups = tuple(
        (int(mentors[j]), *(int(mentees[i]) for i in group))
        for j, group in enumerate(result.groups)
        if group
    )
    return replace(result, groups=groups), rows


def _write(rows: list[Row]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(OUTPUT_COLUMNS)
    writer.writerows(rows)
    return buffer.getvalue()
