from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from alongside.matching.cli import MatchOptions, run_match

NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
HEADER = "email,name,manager_email,department,level,location,timezone,languages,wants,offers"

PEOPLE = f"""{HEADER},availability
asha@example.com,Asha Rao,boss@example.com,Finance,L4,Bengaluru,Asia/Kolkata,English;Hindi,public speaking,stakeholder management,Mon-Fri 09:00-17:00
ravi@example.com,Ravi Kumar,asha@example.com,Engineering,L4,London,Europe/London,English,stakeholder management,public speaking,Mon-Fri 07:00-16:00
mei@example.com,Mei Lin,,Sales,L3,Singapore,Asia/Singapore,English,negotiation,coaching,Mon-Thu 10:00-18:00
tom@example.com,Tom Berg,,Engineering,L3,London,Europe/London,English,coaching,negotiation,
ana@example.com,Ana Silva,,HR,L3,Lisbon,Europe/Lisbon,English;Portuguese,coaching;hiring,public speaking,Mon-Fri 09:00-17:00
"""  # noqa: E501

MENTORING = f"""{HEADER},role,capacity
lead@example.com,Lee Lead,,Engineering,L7,London,Europe/London,English,,architecture;hiring,mentor,2
chief@example.com,Cat Chief,,Finance,L8,Mumbai,Asia/Kolkata,English,,budgeting,mentor,1
new1@example.com,Nia New,lead@example.com,Engineering,L2,London,Europe/London,English,architecture,,mentee,
new2@example.com,Noor New,,Finance,L2,Pune,Asia/Kolkata,English,budgeting,,mentee,
new3@example.com,Neo New,,Sales,L3,London,Europe/London,English,hiring,,mentee,
"""  # noqa: E501


def rows_of(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def run(data: str, **options) -> object:
    return run_match(data.encode(), MatchOptions(**options), now=NOW)


def test_pairs_list_everyone_once_with_reasons():
    outcome = run(PEOPLE, format="pairs")
    assert outcome.ok
    rows = rows_of(outcome.csv_text)
    assert sorted(r["email"] for r in rows) == sorted(
        [
            "asha@example.com",
            "ravi@example.com",
            "mei@example.com",
            "tom@example.com",
            "ana@example.com",
        ]
    )
    assert list(rows[0]) == ["group", "email", "name", "role", "score", "reasons"]
    unmatched = [r for r in rows if not r["group"]]
    assert len(unmatched) == 1
    assert unmatched[0]["reasons"].startswith("odd number of people")
    asha = next(r for r in rows if r["email"] == "asha@example.com")
    partner = (
        next(r for r in rows if r["group"] == asha["group"] and r is not asha)
        if asha["group"]
        else None
    )
    assert partner is None or partner["email"] != "ravi@example.com"  # Ravi reports to Asha
    assert "upper bound" in outcome.summary


def test_circles_respect_the_sizes():
    outcome = run(PEOPLE, format="circles", min_size=2, max_size=3)
    assert outcome.ok
    rows = rows_of(outcome.csv_text)
    sizes = {}
    for r in rows:
        sizes[r["group"]] = sizes.get(r["group"], 0) + 1
    assert all(2 <= s <= 3 for s in sizes.values())
    assert all(r["reasons"].startswith("closest fit") for r in rows)


def test_circles_that_cannot_be_formed_explain_why():
    outcome = run(PEOPLE, format="circles", min_size=6, max_size=8)
    assert not outcome.ok
    assert str(outcome.problems[0]) == "5 people cannot form circles of 6–8"


def test_mentoring_respects_capacity_and_the_reporting_line():
    outcome = run(MENTORING, format="mentoring")
    assert outcome.ok, outcome.problems
    rows = {r["email"]: r for r in rows_of(outcome.csv_text)}
    lead_group = rows["lead@example.com"]["group"]
    # Nia reports to Lee, so she goes to Cat; Lee's two places take the others.
    assert rows["new1@example.com"]["group"] == rows["chief@example.com"]["group"]
    assert rows["new2@example.com"]["group"] == lead_group
    assert rows["new3@example.com"]["reasons"].startswith(
        "with Lee Lead: Lee Lead can offer hiring"
    )
    assert rows["lead@example.com"]["role"] == "mentor"


def test_buddies_use_buddy_and_newcomer_roles():
    data = f"""{HEADER},role
old@example.com,Olga Old,,Ops,L3,London,Europe/London,English,,onboarding,buddy
new@example.com,Ned New,,Ops,L3,London,Europe/London,English,onboarding,,newcomer
"""
    outcome = run(data, format="buddies")
    assert outcome.ok, outcome.problems
    rows = rows_of(outcome.csv_text)
    assert {r["group"] for r in rows} == {"1"}


def test_mentoring_needs_roles():
    outcome = run(PEOPLE, format="mentoring")
    assert str(outcome.problems[0]) == (
        "Row 2, column 'role': --format mentoring needs a role: mentor or mentee"
    )


@pytest.mark.parametrize(
    ("extra_header", "extra_cell", "expected"),
    [
        ("role", "boss", "Row 2, column 'role': 'boss' is not a role"),
        ("capacity", "two", "Row 2, column 'capacity': 'two' is not a whole number"),
        ("capacity", "-1", "Row 2, column 'capacity': '-1' is not a whole number"),
        ("availability", "Mon 9-5", "Row 2, column 'availability': could not read availability"),
    ],
)
def test_bad_cells_get_row_and_column(extra_header, extra_cell, expected):
    data = (
        f"{HEADER},{extra_header}\na@example.com,A,,F,L1,X,Europe/London,English,x,y,{extra_cell}\n"
    )
    outcome = run(data, format="pairs")
    assert not outcome.ok
    assert str(outcome.problems[0]).startswith(expected)


def test_problems_from_the_people_format_are_passed_on():
    data = "email,name,favourite_colour\nbob@,Bob,blue\n"
    outcome = run(data, format="pairs")
    assert not outcome.ok
    assert any("favourite_colour" in str(p) for p in outcome.problems)


def test_a_file_that_is_not_utf8_is_refused():
    outcome = run_match("email,name\nzoe@example.com,Zoë\n".encode("latin-1"), MatchOptions())
    assert not outcome.ok


def test_an_empty_file_is_refused():
    outcome = run("email,name\n", format="pairs")
    assert not outcome.ok


def test_it_is_deterministic():
    first = run(PEOPLE, format="circles", min_size=2, max_size=3, seed=3)
    second = run(PEOPLE, format="circles", min_size=2, max_size=3, seed=3)
    assert first.csv_text == second.csv_text


def test_the_command_writes_the_file_and_prints_the_gap(tmp_path: Path, capsys):
    source = tmp_path / "people.csv"
    source.write_text(PEOPLE, encoding="utf-8")
    out = tmp_path / "matches.csv"
    call_command("match", str(source), "--format", "pairs", "--out", str(out))
    captured = capsys.readouterr()
    assert "upper bound" in captured.err
    assert "gap" in captured.err
    assert rows_of(out.read_text(encoding="utf-8"))[0]["email"]


def test_the_command_writes_csv_to_stdout(tmp_path: Path, capsys):
    source = tmp_path / "people.csv"
    source.write_text(PEOPLE, encoding="utf-8")
    call_command(
        "match",
        str(source),
        "--format",
        "circles",
        "--min-size",
        "2",
        "--max-size",
        "3",
        "--intent",
        "familiarity",
    )
    assert capsys.readouterr().out.startswith("group,email,name,role,score,reasons")


def test_the_command_reports_row_errors(tmp_path: Path):
    source = tmp_path / "people.csv"
    source.write_text(f"{HEADER},capacity\na@example.com,A,,F,L1,X,,,x,y,lots\n", encoding="utf-8")
    with pytest.raises(CommandError, match="Row 2, column 'capacity'"):
        call_command("match", str(source), "--format", "pairs")


def test_the_command_reports_a_missing_file(tmp_path: Path):
    with pytest.raises(CommandError, match="cannot read"):
        call_command("match", str(tmp_path / "nope.csv"), "--format", "pairs")


def test_someone_the_rules_keep_out_of_every_circle_is_left_out_with_a_reason():
    # The head of the team is in everyone's reporting line, so no circle can hold them.
    people = [f"{HEADER}", "boss@example.com,Bo Boss,,Ops,L5,X,Europe/London,English,x,y"]
    for i in range(8):
        people.append(f"m{i}@example.com,M {i},boss@example.com,Ops,L3,X,Europe/London,English,x,y")
    outcome = run("\n".join(people) + "\n", format="circles", min_size=4, max_size=5)
    assert outcome.ok, outcome.problems
    rows = {r["email"]: r for r in rows_of(outcome.csv_text)}
    assert rows["boss@example.com"]["group"] == ""
    assert rows["boss@example.com"]["reasons"].startswith("the matching rules allow only 0")
    assert all(rows[f"m{i}@example.com"]["group"] for i in range(8))
    assert "1 unmatched" in outcome.summary
