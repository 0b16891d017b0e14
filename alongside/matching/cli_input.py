"""Reading the spreadsheet matching command's input: the people file and its rules files.

Every problem names its file, row and column. Problems that turn a rule off for someone
without stopping the run (a manager not in the file, a level without a number, a
language nobody knows) are warnings; ``strict`` makes them errors. Every problem of every
file is found in one pass.
"""

from __future__ import annotations

import csv
import io
import re
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache

from alongside.spreadsheets.people import (
    CsvProblem,
    PersonRow,
    canonical_time_zone,
    check_email,
    decode_csv_bytes,
    normalise_header,
    parse_people_csv,
    split_list,
)

from .availability import parse_availability
from .errors import MatchingError
from .profiles import Candidate, Role

EXTRA_COLUMNS = ("wants", "offers", "role", "capacity", "availability")
ROLE_WORDS = {
    "": Role.PEER,
    "peer": Role.PEER,
    "mentor": Role.MENTOR,
    "buddy": Role.MENTOR,
    "mentee": Role.MENTEE,
    "newcomer": Role.MENTEE,
    "new joiner": Role.MENTEE,
}
ROLE_FORMATS = {"mentoring": "mentor or mentee", "group": "mentor or mentee"}
# Columns a diversity limit (--max-per) may name, and where each person's value is.
MAX_PER_COLUMNS = ("department", "location", "level", "timezone", "job_title")
OTHER_EMAIL_COLUMNS = ("other_email", "partner_email", "email_2", "second_email")


@dataclass
class PeopleInput:
    rows: list[PersonRow] = field(default_factory=list)
    candidates: list[Candidate] = field(default_factory=list)
    problems: list[CsvProblem] = field(default_factory=list)
    warnings: list[CsvProblem] = field(default_factory=list)


def read_people(data: bytes, fmt: str, now: datetime, *, strict: bool) -> PeopleInput:
    """People, with every problem of the file (cell errors and rule warnings) at once."""

    def check_extra(row: int, values: dict[str, str]) -> list[CsvProblem]:
        return _check_match_columns(row, values, fmt)

    parsed = parse_people_csv(data, extra_columns=EXTRA_COLUMNS, check_extra=check_extra)
    out = PeopleInput(rows=list(parsed.rows), problems=list(parsed.problems))
    if not parsed.rows and not parsed.problems:
        out.problems.append(CsvProblem(None, None, "the file has no people in it"))
    emails = {row.email for row in parsed.rows}
    for row in parsed.rows:
        out.warnings += _rule_warnings(row, emails)
        out.candidates.append(_candidate(row, now))
    if strict:
        out.problems += out.warnings
        out.warnings = []
    out.problems.sort(key=lambda p: (p.row or 0, p.column or ""))
    return out


def _check_match_columns(row: int, values: dict[str, str], fmt: str) -> list[CsvProblem]:
    problems: list[CsvProblem] = []
    role_text = values.get("role", "").strip().lower()
    role = ROLE_WORDS.get(role_text)
    if role is None:
        problems.append(
            CsvProblem(
                row,
                "role",
                f"{values.get('role')!r} is not a role: use "
                "peer, mentor or mentee (buddy or newcomer for buddies)",
            )
        )
    elif fmt in ("mentoring", "group", "buddies") and role == Role.PEER:
        wanted = ROLE_FORMATS.get(fmt, "buddy or new joiner")
        problems.append(CsvProblem(row, "role", f"--format {fmt} needs a role: {wanted}"))
    capacity = values.get("capacity", "").strip()
    if capacity and not capacity.isdigit():
        problems.append(
            CsvProblem(
                row, "capacity", f"{capacity!r} is not a whole number of mentees (0 or more)"
            )
        )
    availability = values.get("availability", "").strip()
    if availability:
        zone = canonical_time_zone(values.get("timezone", "")) or ""
        try:
            parse_availability(availability, _offset(zone) or 0.0)
        except MatchingError as error:
            problems.append(CsvProblem(row, "availability", str(error)))
    return problems


def _rule_warnings(row: PersonRow, emails: set[str]) -> list[CsvProblem]:
    out: list[CsvProblem] = []
    if row.manager_email and row.manager_email not in emails:
        out.append(
            CsvProblem(
                row.row,
                "manager_email",
                f"manager {row.manager_email} is not in this file, so the reporting-line "
                "rule cannot see above this person",
            )
        )
    if row.level and level_number(row.level) is None:
        out.append(
            CsvProblem(
                row.row,
                "level",
                f"{row.level!r} has no number in it, so the level rules are off for this "
                "person (write levels as numbers, e.g. 3 or L3)",
            )
        )
    for language in row.languages:
        if not known_language(language):
            out.append(
                CsvProblem(
                    row.row,
                    "languages",
                    f"{language!r} is not a language name or ISO 639 code (e.g. Hindi, en), "
                    "so it only counts as shared with people who wrote it the same way",
                )
            )
    return out


def level_number(text: str) -> int | None:
    digits = re.findall(r"\d+", text)
    return int(digits[0]) if digits else None


@lru_cache(maxsize=4096)
def known_language(text: str) -> bool:
    """A language name or ISO 639 code (a region or script after it is fine: en-GB)."""
    import pycountry  # loaded on first use: it reads its data files

    value = text.strip()
    for candidate in (value, re.split(r"[-_]", value)[0]):
        folded = candidate.casefold()
        for key in ("alpha_2", "alpha_3"):
            if len(folded) in (2, 3) and pycountry.languages.get(**{key: folded}) is not None:
                return True
        try:
            pycountry.languages.lookup(candidate)
            return True
        except LookupError:
            continue
    return False


def _offset(zone: str, now: datetime | None = None) -> float | None:
    if not zone:
        return None
    moment = now or datetime.now(zoneinfo.ZoneInfo("UTC"))
    offset = moment.astimezone(zoneinfo.ZoneInfo(zone)).utcoffset()
    return None if offset is None else offset.total_seconds() / 3600.0


@lru_cache(maxsize=4096)
def _availability(text: str, offset: float) -> frozenset[int]:
    return parse_availability(text, offset)


def _candidate(row: PersonRow, now: datetime) -> Candidate:
    extra = row.extra
    offset = _offset(row.timezone, now)
    text = extra.get("availability", "").strip()
    capacity = extra.get("capacity", "").strip()
    return Candidate(
        id=row.email,
        name=row.name,
        function=row.department,
        level=level_number(row.level),
        location=row.location,
        timezone=row.timezone,
        utc_offset_hours=offset,
        languages=frozenset(row.languages),
        wants=frozenset(split_list(extra.get("wants", ""))),
        offers=frozenset(split_list(extra.get("offers", ""))),
        manager_id=row.manager_email or None,
        role=ROLE_WORDS[extra.get("role", "").strip().lower()],
        capacity=int(capacity) if capacity else 1,
        availability=_availability(text, offset or 0.0) if text else None,
    )


def max_per_values(rows: Sequence[PersonRow], column: str) -> list[str]:
    """Each person's value of a --max-per column (blank stays blank)."""
    return [str(getattr(row, column, "") or "") for row in rows]


# -- rules files ------------------------------------------------------------------------
@dataclass
class RulesFile:
    """Groups (or pairs) of people by email, with the problems found."""

    groups: list[tuple[str, ...]] = field(default_factory=list)
    problems: list[CsvProblem] = field(default_factory=list)
    warnings: list[CsvProblem] = field(default_factory=list)


def read_groups_file(
    data: bytes, option: str, emails: set[str], *, unknown_is_error: bool
) -> RulesFile:
    """A file with ``group`` and ``email`` columns (e.g. an earlier run's output): people
    with the same group value belong together. Blank groups are skipped."""
    out = RulesFile()
    table = _read_table(data, option, ("group", "email"), out)
    if table is None:
        return out
    groups: dict[str, list[str]] = {}
    for row, values in table:
        group = values.get("group", "").strip()
        email = _email(values.get("email", ""), option, row, "email", emails, out, unknown_is_error)
        if group and email:
            members = groups.setdefault(group, [])
            if email not in members:
                members.append(email)
    out.groups = [tuple(members) for members in groups.values() if len(members) >= 2]
    return out


def read_pairs_file(data: bytes, option: str, emails: set[str]) -> RulesFile:
    """A file with ``email`` and ``other_email`` columns: one pair per row."""
    out = RulesFile()
    table = _read_table(data, option, ("email", "other_email"), out)
    if table is None:
        return out
    for row, values in table:
        a = _email(values.get("email", ""), option, row, "email", emails, out, False)
        b = _email(values.get("other_email", ""), option, row, "other_email", emails, out, False)
        if a and b:
            if a == b:
                out.problems.append(_problem(option, row, "other_email", "a pair needs two people"))
            else:
                out.groups.append((a, b))
    return out


def _problem(option: str, row: int | None, column: str | None, message: str) -> CsvProblem:
    where = f"{option} file" + (f", row {row}" if row else "")
    where += f", column '{column}'" if column else ""
    return CsvProblem(None, None, f"{where}: {message}")


def _email(
    raw: str,
    option: str,
    row: int,
    column: str,
    emails: set[str],
    out: RulesFile,
    unknown_is_error: bool,
) -> str | None:
    text = raw.strip()
    if not text:
        out.problems.append(_problem(option, row, column, "is empty"))
        return None
    email = check_email(text)
    if email is None:
        out.problems.append(_problem(option, row, column, f"{text!r} is not an email address"))
        return None
    if email not in emails:
        message = f"{email} is not in the people file"
        if unknown_is_error:
            out.problems.append(_problem(option, row, column, message))
        else:
            out.warnings.append(_problem(option, row, column, message + ", so this row is skipped"))
        return None
    return email


def _read_table(
    data: bytes, option: str, needed: tuple[str, ...], out: RulesFile
) -> list[tuple[int, dict[str, str]]] | None:
    text, problem = decode_csv_bytes(data)
    if text is None:
        out.problems.append(
            _problem(option, None, None, problem.message if problem else "unreadable")
        )
        return None
    first = re.split(r"\r\n|\r|\n", text, maxsplit=1)[0]
    delimiter = max((",", ";", "\t"), key=lambda d: len(next(csv.reader([first], delimiter=d))))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [normalise_header(cell) for cell in next(reader, [])]
    header = ["other_email" if h in OTHER_EMAIL_COLUMNS else h for h in header]
    missing = [column for column in needed if column not in header]
    if missing:
        out.problems.append(
            _problem(
                option,
                1,
                None,
                f"needs the column{'s' if len(missing) > 1 else ''} "
                f"{', '.join(missing)} (it has: {', '.join(h for h in header if h) or 'none'})",
            )
        )
        return None
    table = []
    for number, cells in enumerate(reader, start=2):
        if any(cell.strip() for cell in cells):
            table.append((number, {h: cells[i] for i, h in enumerate(header) if i < len(cells)}))
    return table
