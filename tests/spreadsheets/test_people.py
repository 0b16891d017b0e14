"""The people CSV format on its own: encodings, Excel dialects, and every problem found.

Row numbers are asserted as a spreadsheet shows them (the header is row 1, a blank line
is a row, a quoted cell spanning several lines is one row).
"""

from __future__ import annotations

import unicodedata
from datetime import date

import pytest

from alongside.spreadsheets.people import CsvParseResult, parse_people_csv
from tests.people import make_csv

NAMES = {
    "priya@acme.in": "प्रिया शर्मा",
    "murugan@acme.in": "முருகன் சுப்பிரமணியம்",
    "xiaoming@acme.in": "王小明",
    "fatima@acme.in": "فاطمة الزهراء",
    "jose@acme.in": "José Müller-Łukasiewicz",
    "zoe@acme.in": "Zoë O'Brien, Jr.",
}


def where(result: CsvParseResult) -> list[tuple[int | None, str | None]]:
    return [(p.row, p.column) for p in result.problems]


def only_problem(result: CsvParseResult) -> tuple[int | None, str | None, str]:
    assert len(result.problems) == 1, [str(p) for p in result.problems]
    problem = result.problems[0]
    return problem.row, problem.column, problem.message


# --- Excel-style files that must be read ------------------------------------------------


def test_excel_utf8_with_bom_crlf_and_quoted_commas_and_newlines() -> None:
    data = make_csv(
        [
            ["email", "name", "job_title", "location", "languages"],
            [
                "priya@acme.in",
                NAMES["priya@acme.in"],
                "Lead, Payments",
                "Pune",
                "Hindi;Marathi",
            ],
            ["zoe@acme.in", NAMES["zoe@acme.in"], "Head of\nResearch", "Bengaluru\r\nKA", ""],
            ["jose@acme.in", NAMES["jose@acme.in"], 'The "Fixer"', "Lisbon", "Portuguese"],
        ],
        bom=True,
    )
    assert data.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" in data
    result = parse_people_csv(data)
    assert result.ok, [str(p) for p in result.problems]
    assert result.columns == ("email", "name", "job_title", "location", "languages")
    priya, zoe, jose = result.rows
    assert (priya.row, priya.job_title, priya.languages) == (
        2,
        "Lead, Payments",
        ("Hindi", "Marathi"),
    )
    assert zoe.name == "Zoë O'Brien, Jr."
    assert zoe.job_title == "Head of\nResearch"
    assert zoe.location == "Bengaluru\r\nKA"
    assert jose.job_title == 'The "Fixer"'
    assert jose.row == 4  # the multi-line cells above are one spreadsheet row each


@pytest.mark.parametrize(
    ("delimiter", "label"), [(",", "comma"), (";", "semicolon (European Excel)"), ("\t", "tab")]
)
def test_delimiters_excel_writes(delimiter: str, label: str) -> None:
    data = make_csv(
        [
            ["Email", "Name", "Manager Email", "Languages", "Start Date", "Time Zone"],
            [
                "murugan@acme.in",
                NAMES["murugan@acme.in"],
                "",
                "Tamil;English",
                "2021-06-01",
                "Asia/Kolkata",
            ],
            [
                "xiaoming@acme.in",
                NAMES["xiaoming@acme.in"],
                "murugan@acme.in",
                "Mandarin; English ;",
                "2023-01-09",
                "asia/shanghai",
            ],
        ],
        delimiter=delimiter,
    )
    result = parse_people_csv(data)
    assert result.ok, (label, [str(p) for p in result.problems])
    murugan, xiaoming = result.rows
    assert murugan.name == NAMES["murugan@acme.in"]
    assert murugan.languages == ("Tamil", "English")
    assert xiaoming.manager_email == "murugan@acme.in"
    assert xiaoming.languages == ("Mandarin", "English")
    assert xiaoming.start_date == date(2023, 1, 9)
    assert xiaoming.timezone == "Asia/Shanghai"  # any case in, the IANA spelling out


def test_headers_in_any_case_order_and_spacing_and_common_aliases() -> None:
    data = make_csv(
        [
            [
                " Start Date ",
                "JOB TITLE",
                "Full Name",
                "E-mail",
                "Manager Email",
                "time_zone",
                "Employee ID",
            ],
            [
                "2020-02-29",
                "Analyst",
                NAMES["fatima@acme.in"],
                "Fatima@ACME.in",
                "",
                "Asia/Dubai",
                "E-77",
            ],
        ]
    )
    result = parse_people_csv(data)
    assert result.ok, [str(p) for p in result.problems]
    assert set(result.columns) == {
        "start_date",
        "job_title",
        "name",
        "email",
        "manager_email",
        "timezone",
        "employee_id",
    }
    (row,) = result.rows
    assert row.email == "fatima@acme.in"  # addresses compare case-insensitively
    assert row.name == "فاطمة الزهراء"
    assert (row.start_date, row.job_title, row.employee_id) == (
        date(2020, 2, 29),
        "Analyst",
        "E-77",
    )


def test_trailing_empty_columns_and_blank_lines_keep_spreadsheet_row_numbers() -> None:
    data = (
        b"email,name,department,,\r\n"
        b"a@acme.in,Anil,Finance,,\r\n"
        b"\r\n"
        b",,,,\r\n"
        b"b@acme.in,Bela,,,\r\n"
        b"\r\n"
    )
    result = parse_people_csv(data)
    assert result.ok, [str(p) for p in result.problems]
    assert [(r.row, r.email) for r in result.rows] == [(2, "a@acme.in"), (5, "b@acme.in")]
    assert result.columns == ("email", "name", "department")


def test_excel_unicode_text_utf16_tab_separated() -> None:
    text = "email\tname\r\nxiaoming@acme.in\t王小明\r\npriya@acme.in\tप्रिया शर्मा\r\n"
    result = parse_people_csv(text.encode("utf-16"))
    assert result.ok, [str(p) for p in result.problems]
    assert [r.name for r in result.rows] == ["王小明", "प्रिया शर्मा"]


def test_classic_mac_line_endings() -> None:
    # Excel for Mac's "CSV (Macintosh)" ends lines with a bare carriage return.
    result = parse_people_csv(b"email,name\ra@acme.in,Anil\rb@acme.in,Bela\r")
    assert result.ok, [str(p) for p in result.problems]
    assert [(r.row, r.name) for r in result.rows] == [(2, "Anil"), (3, "Bela")]


def test_names_in_every_script_are_kept_exactly() -> None:
    decomposed = unicodedata.normalize("NFD", "Zoë Ñúñez")  # e + combining diaeresis
    names = [*NAMES.values(), decomposed, "  spaced  out  "]
    rows = [["email", "name"]] + [[f"p{i}@acme.in", n] for i, n in enumerate(names)]
    result = parse_people_csv(make_csv(rows, bom=True))
    assert result.ok
    assert [r.name for r in result.rows] == [*NAMES.values(), decomposed, "spaced  out"]
    assert result.rows[-2].name != unicodedata.normalize("NFC", decomposed)


def test_languages_are_split_deduplicated_case_insensitively_and_keep_order() -> None:
    result = parse_people_csv(
        make_csv(
            [
                ["email", "name", "languages"],
                ["a@acme.in", "A", "Hindi; tamil;;HINDI; Tamil ;English"],
            ]
        )
    )
    assert result.rows[0].languages == ("Hindi", "tamil", "English")


# --- each problem, with its spreadsheet row and column ----------------------------------


def test_bad_email() -> None:
    data = make_csv(
        [
            ["email", "name"],
            ["good@acme.in", "Good"],
            ["not-an-email", "Bad"],
            ["", "Empty"],
            ["x@@acme", "Worse"],
        ]
    )
    result = parse_people_csv(data)
    assert where(result) == [(3, "email"), (4, "email"), (5, "email")]
    assert "'not-an-email' is not a valid email address" in result.problems[0].message
    assert "is empty" in result.problems[1].message


def test_duplicate_email_in_file_is_case_insensitive() -> None:
    data = make_csv(
        [
            ["email", "name"],
            ["Priya@Acme.in", NAMES["priya@acme.in"]],
            ["zoe@acme.in", "Zoë"],
            ["priya@acme.IN", "Priya again"],
        ]
    )
    row, column, message = only_problem(parse_people_csv(data))
    assert (row, column) == (4, "email")
    assert "priya@acme.in appears more than once" in message
    assert "first on row 2" in message


def test_unknown_manager() -> None:
    data = make_csv(
        [
            ["email", "name", "manager_email"],
            ["a@acme.in", "Anil", "boss@acme.in"],  # in the directory
            ["b@acme.in", "Bela", "a@acme.in"],  # in the file
            ["c@acme.in", "Chen", "ghost@acme.in"],  # nowhere
        ]
    )
    result = parse_people_csv(data, known_emails={"boss@acme.in"})
    row, column, message = only_problem(result)
    assert (row, column) == (4, "manager_email")
    assert "unknown manager ghost@acme.in" in message
    # Without a directory to check against, a manager outside the file is not an error.
    assert parse_people_csv(data).ok


def test_invalid_manager_email_and_own_manager() -> None:
    data = make_csv(
        [
            ["email", "name", "manager_email"],
            ["a@acme.in", "Anil", "boss at acme"],
            ["b@acme.in", "Bela", "B@acme.in"],
        ]
    )
    result = parse_people_csv(data)
    assert where(result) == [(2, "manager_email"), (3, "manager_email")]
    assert "cannot be their own manager" in result.problems[1].message


def test_manager_cycle_within_the_file() -> None:
    data = make_csv(
        [
            ["email", "name", "manager_email"],
            ["ceo@acme.in", "CEO", ""],
            ["a@acme.in", "Anil", "c@acme.in"],
            ["b@acme.in", "Bela", "a@acme.in"],
            ["c@acme.in", "Chen", "b@acme.in"],
            ["d@acme.in", "Dev", "a@acme.in"],  # reports into the cycle, not part of it
        ]
    )
    result = parse_people_csv(data)
    assert where(result) == [(3, "manager_email"), (4, "manager_email"), (5, "manager_email")]
    assert all("manager cycle" in p.message for p in result.problems)
    assert "a@acme.in" in result.problems[0].message
    assert "c@acme.in" in result.problems[0].message


def test_manager_cycle_through_people_already_in_the_directory() -> None:
    # Directory: boss reports to vp, vp reports to nobody. The file makes vp report to
    # a new person who reports to boss: vp → new → boss → vp.
    data = make_csv(
        [
            ["email", "name", "manager_email"],
            ["new@acme.in", "New", "boss@acme.in"],
            ["vp@acme.in", "VP", "new@acme.in"],
        ]
    )
    result = parse_people_csv(
        data,
        known_emails={"boss@acme.in", "vp@acme.in"},
        existing_managers={"boss@acme.in": "vp@acme.in"},
    )
    assert where(result) == [(2, "manager_email"), (3, "manager_email")]
    assert "boss@acme.in" in result.problems[0].message
    # The file can also break a directory cycle-to-be by giving someone a new manager.
    fixed = make_csv(
        [
            ["email", "name", "manager_email"],
            ["vp@acme.in", "VP", ""],
            ["boss@acme.in", "Boss", "vp@acme.in"],
        ]
    )
    assert parse_people_csv(
        fixed,
        known_emails={"boss@acme.in", "vp@acme.in"},
        existing_managers={"vp@acme.in": "boss@acme.in"},
    ).ok


def test_unknown_time_zone() -> None:
    data = make_csv(
        [
            ["email", "name", "timezone"],
            ["a@acme.in", "A", "Asia/Kolkata"],
            ["b@acme.in", "B", "IST"],
            ["c@acme.in", "C", "Asia/Bangalore"],
            ["d@acme.in", "D", ""],
        ]
    )
    result = parse_people_csv(data)
    assert where(result) == [(3, "timezone"), (4, "timezone")]
    assert "'IST' is not a known IANA time zone" in result.problems[0].message


@pytest.mark.parametrize(
    "bad",
    [
        "31/12/2024",
        "2024-02-30",
        "2024-13-01",
        "12/31/2024",
        "2024-1-5",
        "yesterday",
        "2024-06-01T09:00",
    ],
)
def test_bad_date(bad: str) -> None:
    data = make_csv(
        [
            ["email", "name", "start_date"],
            ["a@acme.in", "A", "2024-02-29"],
            ["b@acme.in", "B", bad],
        ]
    )
    row, column, message = only_problem(parse_people_csv(data))
    assert (row, column) == (3, "start_date")
    assert f"'{bad}' is not a date in ISO 8601 form" in message


def test_unknown_column_is_reported_with_the_rows_problems() -> None:
    data = make_csv(
        [
            ["email", "name", "Favourite Colour"],
            ["a@acme.in", "A", "teal"],
            ["bad-email", "B", "red"],
        ]
    )
    result = parse_people_csv(data)
    assert where(result) == [(1, "Favourite Colour"), (3, "email")]
    assert "unknown column (column 3)" in result.problems[0].message
    # A column the caller asks for is not unknown.
    assert parse_people_csv(
        make_csv([["email", "name", "Favourite Colour"], ["a@acme.in", "A", "teal"]]),
        extra_columns=["favourite_colour"],
    ).rows[0].extra == {"favourite_colour": "teal"}


def test_repeated_column() -> None:
    result = parse_people_csv(
        make_csv([["email", "name", "Email"], ["a@acme.in", "A", "a@acme.in"]])
    )
    assert where(result) == [(1, "Email")]
    assert "more than once" in result.problems[0].message


def test_missing_required_column() -> None:
    result = parse_people_csv(make_csv([["email", "department"], ["a@acme.in", "Finance"]]))
    row, column, message = only_problem(result)
    assert (row, column) == (1, "name")
    assert "required column is missing" in message
    result = parse_people_csv(make_csv([["Name"], ["Anil"]]))
    assert where(result) == [(1, "email")]


@pytest.mark.parametrize("encoding", ["cp1252", "latin-1"])
def test_wrong_encoding(encoding: str) -> None:
    data = make_csv(
        [
            ["email", "name"],
            ["a@acme.in", "Anil"],
            ["jose@acme.in", "José Muñoz"],
            ["z@acme.in", "Zoë"],
        ],
        encoding=encoding,
    )
    row, column, message = only_problem(parse_people_csv(data))
    assert (row, column) == (3, None)
    assert "not UTF-8 encoded (byte 0xE9" in message
    assert "CSV UTF-8" in message


def test_wrong_encoding_row_counts_multi_line_cells_as_one_row() -> None:
    data = make_csv(
        [
            ["email", "name", "location"],
            ["a@acme.in", "Anil", "Floor 3,\nTower B"],
            ["b@acme.in", "Bjørn", "Oslo"],
        ],
        encoding="cp1252",
    )
    assert only_problem(parse_people_csv(data))[:2] == (3, None)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("email|name|department", "pipe ('|')"),
        ("email:name", "':'"),
        ("email name", "' '"),
    ],
)
def test_wrong_delimiter(header: str, expected: str) -> None:
    separator = header[5]
    data = f"{header}\r\na@acme.in{separator}Anil{separator}Finance\r\n".encode()
    row, column, message = only_problem(parse_people_csv(data))
    assert (row, column) == (1, None)
    assert "seem to be separated by" in message
    assert expected in message


def test_one_unsplittable_header_cell() -> None:
    row, column, message = only_problem(parse_people_csv(b"who#what\r\nx#y\r\n"))
    assert (row, column) == (1, None)
    assert "could not split the header" in message


@pytest.mark.parametrize(
    "data", [b"", b"\xef\xbb\xbf", b"\r\n\r\n", b"  \n\t\n", b",,,\r\n;;;\r\n", b"\xef\xbb\xbf\r\n"]
)
def test_empty_file(data: bytes) -> None:
    row, column, message = only_problem(parse_people_csv(data))
    assert (row, column, message) == (None, None, "the file is empty.")


@pytest.mark.parametrize(
    "data", [b"email,name", b"\xef\xbb\xbfEmail,Name\r\n", b"email;name\r\n\r\n;\r\n"]
)
def test_header_only(data: bytes) -> None:
    row, column, message = only_problem(parse_people_csv(data))
    assert (row, column) == (None, None)
    assert message == "the file has a header but no people in it."


def test_stray_delimiter_and_value_under_an_unnamed_column() -> None:
    data = b"email,name,\r\na@acme.in,Rao, Anil\r\nb@acme.in,Bela,,oops\r\n"
    result = parse_people_csv(data)
    assert where(result) == [(2, "column 3"), (3, None)]
    assert "a value in a column with no name" in result.problems[0].message
    assert "has 4 values but the header has 3 columns" in result.problems[1].message


def test_duplicate_employee_id_and_too_long_values() -> None:
    data = make_csv(
        [
            ["email", "name", "employee_id", "job_title"],
            ["a@acme.in", "A", "E1", "x" * 160],
            ["b@acme.in", "B", "E2", "x" * 161],
            ["c@acme.in", "C", "E1", ""],
        ]
    )
    result = parse_people_csv(data)
    assert where(result) == [(3, "job_title"), (4, "employee_id")]
    assert "longer than 160 characters" in result.problems[0].message
    assert "also used on row 2" in result.problems[1].message


def test_every_problem_in_a_file_is_reported_at_once_in_row_order() -> None:
    data = make_csv(
        [
            ["Email", "Name", "Manager Email", "Time Zone", "Start Date"],
            ["ok@acme.in", "Okay", "", "Asia/Kolkata", "2022-04-01"],
            ["priya@acme", NAMES["priya@acme.in"], "", "", ""],  # bad email
            ["ok@ACME.in", "Again", "", "", ""],  # duplicate
            ["m@acme.in", "M", "ghost@acme.in", "", ""],  # unknown manager
            ["t@acme.in", "T", "", "Mars/Olympus", ""],  # unknown zone
            ["d@acme.in", "D", "", "", "31/12/2024"],  # bad date
        ],
        bom=True,
    )
    result = parse_people_csv(data, known_emails=set())
    assert where(result) == [
        (3, "email"),
        (4, "email"),
        (5, "manager_email"),
        (6, "timezone"),
        (7, "start_date"),
    ]


def test_several_problems_on_one_row_are_all_listed() -> None:
    data = make_csv(
        [["email", "name", "timezone", "start_date"], ["nope", "", "Nowhere", "2024-02-30"]]
    )
    assert where(parse_people_csv(data)) == [
        (2, "email"),
        (2, "name"),
        (2, "timezone"),
        (2, "start_date"),
    ]


def test_addresses_on_reserved_test_domains_are_accepted():
    # Staging copies of an HR export often use .test addresses; they are valid syntax.
    result = parse_people_csv(b"email,name\nasha@acme.test,Asha\n")
    assert result.ok, result.problems
    assert result.rows[0].email == "asha@acme.test"
