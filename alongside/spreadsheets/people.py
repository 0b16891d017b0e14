"""Reading a people CSV: encoding, delimiter, columns and every row checked.

Django-free on purpose: the people import and the spreadsheet matching command both
read this format, and the matching command runs without a database. Every problem is
reported with the row number a spreadsheet shows (the header is row 1) and the column.
"""

from __future__ import annotations

import csv
import io
import re
import zoneinfo
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from email_validator import EmailNotValidError, validate_email

from alongside.spreadsheets.cells import control_character_problem

REQUIRED_COLUMNS = ("email", "name")
OPTIONAL_COLUMNS = (
    "employee_id",
    "manager_email",
    "department",
    "job_title",
    "level",
    "location",
    "timezone",
    "languages",
    "start_date",
)
KNOWN_COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS

# Headers people actually write in HR exports, mapped to ours.
COLUMN_ALIASES = {
    "e_mail": "email",
    "email_address": "email",
    "full_name": "name",
    "employee_number": "employee_id",
    "manager": "manager_email",
    "function": "department",
    "title": "job_title",
    "time_zone": "timezone",
    "language": "languages",
}

MAX_LENGTHS = {
    "email": 254,
    "name": 200,
    "employee_id": 64,
    "manager_email": 254,
    "department": 120,
    "job_title": 160,
    "level": 60,
    "location": 120,
}

DELIMITERS = (",", ";", "\t")
# A caller's check of its own columns: (row number, values by column) -> problems.
ExtraCheck = Callable[[int, dict[str, str]], list["CsvProblem"]]
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}


@dataclass(frozen=True)
class CsvProblem:
    """One problem in the file. ``row`` is the spreadsheet row (header = 1)."""

    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        if self.row is None and self.column is None:
            return self.message
        if self.row is None:
            return f"Column '{self.column}': {self.message}"
        if self.column is None:
            return f"Row {self.row}: {self.message}"
        return f"Row {self.row}, column '{self.column}': {self.message}"


@dataclass(frozen=True)
class PersonRow:
    row: int
    email: str
    name: str
    employee_id: str = ""
    manager_email: str = ""
    department: str = ""
    job_title: str = ""
    level: str = ""
    location: str = ""
    timezone: str = ""
    languages: tuple[str, ...] = ()
    start_date: date | None = None
    extra: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class CsvParseResult:
    rows: list[PersonRow]
    problems: list[CsvProblem]
    columns: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems


@lru_cache(maxsize=1)
def _time_zones_by_folded_name() -> dict[str, str]:
    return {name.casefold(): name for name in zoneinfo.available_timezones()}


def canonical_time_zone(value: str) -> str | None:
    """The IANA name for ``value`` (case-insensitive), or None if there is none."""
    return _time_zones_by_folded_name().get(value.strip().casefold())


def normalise_header(raw: str) -> str:
    key = re.sub(r"[\s\-/]+", "_", raw.strip().lower()).strip("_")
    return COLUMN_ALIASES.get(key, key)


def split_list(value: str) -> tuple[str, ...]:
    """Split a ``;``-separated cell, dropping blanks and repeats but keeping order."""
    seen: dict[str, None] = {}
    for part in value.split(";"):
        item = part.strip()
        if item and item.casefold() not in {s.casefold() for s in seen}:
            seen[item] = None
    return tuple(seen)


@lru_cache(maxsize=65536)  # a manager's address repeats on every report's row
def check_email(value: str) -> str | None:
    """The normalised address, or None when it is not a valid email address."""
    try:
        result = validate_email(value, check_deliverability=False, test_environment=True)
    except EmailNotValidError:
        return None
    return result.normalized.lower()


def decode_csv_bytes(data: bytes) -> tuple[str | None, CsvProblem | None]:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), None
        except UnicodeDecodeError:
            pass
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as error:
        byte = data[error.start : error.start + 1].hex().upper()
        return None, CsvProblem(
            row=_row_of_offset(data[: error.start].decode("utf-8")),
            column=None,
            message=(
                f"the file is not UTF-8 encoded (byte 0x{byte} cannot be read). Save it as "
                "'CSV UTF-8' (in Excel: File › Save As › CSV UTF-8) and upload it again."
            ),
        )


def _first_line(text: str) -> str:
    # Any line ending: Excel for Mac's "CSV (Macintosh)" ends lines with a bare CR.
    return re.split(r"\r\n|\r|\n", text, maxsplit=1)[0]


def _row_of_offset(prefix: str) -> int:
    """The spreadsheet row in which the text after ``prefix`` starts.

    Counts records rather than lines, so a quoted cell spanning several lines is one row.
    """
    delimiter = _detect_delimiter(_first_line(prefix))
    try:
        # A sentinel character makes the position itself part of a record.
        records = csv.reader(io.StringIO(prefix + "x", newline=""), delimiter=delimiter)
        return sum(1 for _ in records)
    except csv.Error:
        return len(re.findall(r"\r\n|\r|\n", prefix)) + 1


def _detect_delimiter(header_line: str) -> str:
    best, best_known = ",", -1
    for delimiter in DELIMITERS:
        cells = next(csv.reader([header_line], delimiter=delimiter), [])
        known = sum(1 for cell in cells if normalise_header(cell) in KNOWN_COLUMNS)
        if known > best_known:
            best, best_known = delimiter, known
    return best


def _delimiter_problem(header_cells: list[str], expected: Collection[str]) -> CsvProblem | None:
    """A clear message when the header is one cell that is really several columns."""
    if len(header_cells) != 1:
        return None
    cell = header_cells[0]
    for candidate in ("|", ":", " "):
        parts = [normalise_header(p) for p in cell.split(candidate)]
        if sum(1 for p in parts if p in expected) >= 2:
            name = DELIMITER_NAMES.get(candidate, repr(candidate))
            return CsvProblem(
                row=1,
                column=None,
                message=(
                    f"the columns seem to be separated by a {name} ('{candidate}'); "
                    "use commas, semicolons or tabs between columns."
                ),
            )
    return CsvProblem(
        row=1,
        column=None,
        message=(
            f"could not split the header '{cell[:80]}' into columns: use commas, semicolons "
            "or tabs between columns, with a header row naming them (email, name, …)."
        ),
    )


def parse_people_csv(
    data: bytes,
    *,
    extra_columns: Collection[str] = (),
    known_emails: Collection[str] | None = None,
    existing_managers: Mapping[str, str] | None = None,
    check_extra: ExtraCheck | None = None,
    progress: Callable[[float], None] | None = None,
) -> CsvParseResult:
    """Read and check a people CSV.

    ``check_extra(row_number, values)`` checks a caller's own columns on every row, also
    rows with other problems, so that one pass lists every problem in the file.
    ``progress``: called now and then with the share of the file checked so far (0–1).

    ``known_emails``: addresses that exist outside the file (e.g. the directory); when
    given, a ``manager_email`` that is neither in the file nor there is an error.
    ``existing_managers``: email → manager email for people not in the file, so that a
    cycle through the existing directory is caught too.
    """
    if not data.strip(b"\xef\xbb\xbf\r\n\t ,;"):
        return CsvParseResult([], [CsvProblem(None, None, "the file is empty.")])
    text, problem = decode_csv_bytes(data)
    if text is None:
        return CsvParseResult([], [problem] if problem else [])

    delimiter = _detect_delimiter(_first_line(text))
    records = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    try:
        header_cells = next(records)
    except (StopIteration, csv.Error):
        return CsvParseResult([], [CsvProblem(None, None, "the file is empty.")])

    extras = tuple(normalise_header(c) for c in extra_columns)
    allowed = set(KNOWN_COLUMNS) | set(extras)
    problems: list[CsvProblem] = []
    delimiter_problem = _delimiter_problem(header_cells, allowed)
    if delimiter_problem is not None and not any(
        normalise_header(header_cells[0]) == c for c in REQUIRED_COLUMNS
    ):
        return CsvParseResult([], [delimiter_problem])

    columns: list[str] = []
    for index, raw in enumerate(header_cells):
        control = control_character_problem(raw)
        if control is not None:
            problems.append(CsvProblem(1, f"column {index + 1}", control))
            columns.append("")
            continue
        name = normalise_header(raw)
        if not name:
            columns.append("")  # an unnamed column is fine while it stays empty
            continue
        if name in columns:
            problems.append(CsvProblem(1, raw.strip(), "this column appears more than once."))
        elif name not in allowed:
            known = ", ".join(KNOWN_COLUMNS + extras)
            problems.append(
                CsvProblem(1, raw.strip(), f"unknown column (column {index + 1}). Known: {known}.")
            )
        columns.append(name)
    missing = [required for required in REQUIRED_COLUMNS if required not in columns]
    for required in missing:
        problems.append(CsvProblem(1, required, "this required column is missing."))
    if missing:
        return CsvParseResult([], problems, tuple(c for c in columns if c))
    # An unknown or repeated column is reported, but the rows are still checked so that
    # every problem in the file is listed at once.

    expected_rows = max(1, text.count("\n"))
    rows, row_problems = _read_rows(
        records,
        columns,
        extras,
        delimiter,
        check_extra,
        progress=(lambda row: progress(0.9 * row / expected_rows)) if progress else None,
    )
    problems.extend(row_problems)
    if not rows and not problems:
        problems.append(CsvProblem(None, None, "the file has a header but no people in it."))
    problems.extend(_check_across_rows(rows, known_emails, existing_managers))
    if progress is not None:
        progress(1.0)
    problems.sort(
        key=lambda p: (p.row or 0, columns.index(p.column) if p.column in columns else 99)
    )
    return CsvParseResult(rows, problems, tuple(c for c in columns if c))


def _read_rows(
    records: Iterable[list[str]],
    columns: list[str],
    extras: tuple[str, ...],
    delimiter: str,
    check_extra: ExtraCheck | None = None,
    progress: Callable[[int], None] | None = None,
) -> tuple[list[PersonRow], list[CsvProblem]]:
    rows: list[PersonRow] = []
    problems: list[CsvProblem] = []
    width = len(columns)
    row_number = 1
    iterator = iter(records)
    while True:
        try:
            cells = next(iterator)
        except StopIteration:
            break
        except csv.Error as error:
            problems.append(CsvProblem(row_number + 1, None, f"the row cannot be read ({error})."))
            break
        row_number += 1
        if progress is not None and row_number % 500 == 0:
            progress(row_number)
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) > width and any(c.strip() for c in cells[width:]):
            problems.append(
                CsvProblem(
                    row_number,
                    None,
                    f"has {len(cells)} values but the header has {width} columns "
                    f"(is there a stray '{DELIMITER_NAMES.get(delimiter, delimiter)}' "
                    "or an unquoted value?).",
                )
            )
            continue
        control = _control_problems(row_number, cells, columns)
        if control:
            problems.extend(control)
            continue
        values = {
            name: (cells[i].strip() if i < len(cells) else "")
            for i, name in enumerate(columns)
            if name
        }
        for i, name in enumerate(columns):
            if not name and i < len(cells) and cells[i].strip():
                problems.append(
                    CsvProblem(row_number, f"column {i + 1}", "a value in a column with no name.")
                )
        row, cell_problems = _check_row(row_number, values, extras)
        if check_extra is not None:
            cell_problems += check_extra(row_number, values)
            if cell_problems:
                row = None
        problems.extend(cell_problems)
        if row is not None:
            rows.append(row)
    return rows, problems


def _control_problems(row_number: int, cells: list[str], columns: list[str]) -> list[CsvProblem]:
    """A control character in any cell, named by its column (or its position)."""
    problems = []
    for i, cell in enumerate(cells):
        message = control_character_problem(cell)
        if message is not None:
            name = columns[i] if i < len(columns) and columns[i] else f"column {i + 1}"
            problems.append(CsvProblem(row_number, name, message))
    return problems


def _check_row(
    row_number: int, values: dict[str, str], extras: tuple[str, ...]
) -> tuple[PersonRow | None, list[CsvProblem]]:
    problems: list[CsvProblem] = []

    def fail(column: str, message: str) -> None:
        problems.append(CsvProblem(row_number, column, message))

    for column, limit in MAX_LENGTHS.items():
        if len(values.get(column, "")) > limit:
            fail(column, f"is longer than {limit} characters.")

    email = ""
    raw_email = values.get("email", "")
    if not raw_email:
        fail("email", "is empty; every person needs an email address.")
    else:
        email = check_email(raw_email) or ""
        if not email:
            fail("email", f"'{raw_email}' is not a valid email address.")
    name = values.get("name", "")
    if not name:
        fail("name", "is empty; every person needs a name.")

    manager_email = ""
    raw_manager = values.get("manager_email", "")
    if raw_manager:
        manager_email = check_email(raw_manager) or ""
        if not manager_email:
            fail("manager_email", f"'{raw_manager}' is not a valid email address.")
        elif email and manager_email == email:
            fail("manager_email", "a person cannot be their own manager.")

    time_zone = ""
    raw_zone = values.get("timezone", "")
    if raw_zone:
        time_zone = canonical_time_zone(raw_zone) or ""
        if not time_zone:
            fail(
                "timezone",
                f"'{raw_zone}' is not a known IANA time zone (e.g. Asia/Kolkata, Europe/London, "
                "America/Los_Angeles).",
            )

    start: date | None = None
    raw_date = values.get("start_date", "")
    if raw_date:
        try:
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw_date):
                raise ValueError
            start = date.fromisoformat(raw_date)
        except ValueError:
            fail("start_date", f"'{raw_date}' is not a date in ISO 8601 form (YYYY-MM-DD).")

    if problems:
        return None, problems
    return (
        PersonRow(
            row=row_number,
            email=email,
            name=name,
            employee_id=values.get("employee_id", ""),
            manager_email=manager_email,
            department=values.get("department", ""),
            job_title=values.get("job_title", ""),
            level=values.get("level", ""),
            location=values.get("location", ""),
            timezone=time_zone,
            languages=split_list(values.get("languages", "")),
            start_date=start,
            extra={name: values.get(name, "") for name in extras},
        ),
        [],
    )


def _check_across_rows(
    rows: list[PersonRow],
    known_emails: Collection[str] | None,
    existing_managers: Mapping[str, str] | None,
) -> list[CsvProblem]:
    problems: list[CsvProblem] = []
    first_row_of_email: dict[str, int] = {}
    first_row_of_employee_id: dict[str, int] = {}
    for row in rows:
        if row.email in first_row_of_email:
            problems.append(
                CsvProblem(
                    row.row,
                    "email",
                    f"{row.email} appears more than once in the file (first on row "
                    f"{first_row_of_email[row.email]}).",
                )
            )
        else:
            first_row_of_email[row.email] = row.row
        if row.employee_id:
            if row.employee_id in first_row_of_employee_id:
                problems.append(
                    CsvProblem(
                        row.row,
                        "employee_id",
                        f"employee id {row.employee_id} is also used on row "
                        f"{first_row_of_employee_id[row.employee_id]}.",
                    )
                )
            else:
                first_row_of_employee_id[row.employee_id] = row.row

    if known_emails is not None:
        known = set(known_emails)
        for row in rows:
            if (
                row.manager_email
                and row.manager_email not in first_row_of_email
                and (row.manager_email not in known)
            ):
                problems.append(
                    CsvProblem(
                        row.row,
                        "manager_email",
                        f"unknown manager {row.manager_email}: not in this file or the directory.",
                    )
                )

    managers: dict[str, str] = dict(existing_managers or {})
    for row in rows:
        if row.manager_email:
            managers[row.email] = row.manager_email
        else:
            managers.pop(row.email, None)
    for cycle in find_manager_cycles(managers):
        chain = " → ".join([*cycle, cycle[0]])
        for email in cycle:
            if email in first_row_of_email:
                problems.append(
                    CsvProblem(
                        first_row_of_email[email], "manager_email", f"manager cycle: {chain}."
                    )
                )
    return problems


def find_manager_cycles(managers: Mapping[str, str]) -> list[list[str]]:
    """Every cycle in a person → manager mapping, each listed once, in chain order."""
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    cycles: list[list[str]] = []
    for start in managers:
        if state.get(start):
            continue
        path: list[str] = []
        node: str | None = start
        while node is not None and not state.get(node):
            state[node] = 1
            path.append(node)
            node = managers.get(node)
        if node is not None and state.get(node) == 1:
            cycles.append(path[path.index(node) :])
        for visited in path:
            state[visited] = 2
    return cycles
