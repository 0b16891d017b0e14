"""A NUL byte or another control character in an uploaded CSV is refused cell by cell.

Before, a NUL passed every check and then broke the write on PostgreSQL (which refuses
NUL in text) with a server error; now the upload is refused with the row and column.
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from alongside.people.models import Person
from alongside.programmes.models import Enrolment
from alongside.programmes.services import programme_create, programme_transition
from alongside.spreadsheets.cells import control_character_problem
from alongside.spreadsheets.people import parse_people_csv

pytestmark = pytest.mark.django_db

PEOPLE_API = "/api/v1/organisations/acme/people/import"


def upload(data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile("people.csv", data, content_type="text/csv")


@pytest.mark.parametrize(
    ("value", "named"),
    [("a\x00b", "NUL, U+0000"), ("x\x07", "U+0007"), ("\x1bname", "U+001B"), ("z\x85", "U+0085")],
)
def test_a_control_character_is_named_with_its_code(value: str, named: str) -> None:
    problem = control_character_problem(value)
    assert problem is not None
    assert named in problem


def test_tabs_and_line_breaks_inside_a_cell_are_not_control_problems() -> None:
    assert control_character_problem("two\tparts\r\nand a line") is None
    assert control_character_problem("José Müller-Łukasiewicz") is None


def test_the_reader_names_the_row_and_column_of_every_control_character() -> None:
    data = (
        b"email,name,department\r\n"
        b"asha@acme.in,Asha,Finance\r\n"
        b"ravi@acme.in,Ra\x00vi,Sales\r\n"
        b"meera@acme.in,Meera,Ops\x01\r\n"
    )
    result = parse_people_csv(data)
    assert [(p.row, p.column) for p in result.problems] == [(3, "name"), (4, "department")]
    assert "NUL" in result.problems[0].message
    assert [row.email for row in result.rows] == ["asha@acme.in"]


def test_a_control_character_in_an_unnamed_column_names_its_position() -> None:
    result = parse_people_csv(b"email,name,\r\nasha@acme.in,Asha,\x02\r\n")
    assert [(p.row, p.column) for p in result.problems] == [(2, "column 3")]


def test_a_nul_in_a_people_import_is_a_clear_400_and_nothing_is_written(
    cast: dict, api_for
) -> None:
    before = Person.objects.count()
    client = api_for(cast["admin"])
    client.client = Client(raise_request_exception=False)
    data = b"email,name\r\nnew.one@acme.in,New One\r\nnul@acme.in,Nul\x00Person\r\n"
    response = client.post(PEOPLE_API, files={"file": upload(data)})
    assert response.status_code == 400, response.content
    problems = response.json()["problems"]
    assert [(p["row"], p["field"]) for p in problems] == [(3, "name")]
    assert "NUL" in problems[0]["message"]
    assert Person.objects.count() == before


def test_a_nul_in_an_enrolment_csv_is_a_clear_400_and_no_one_is_enrolled(
    cast: dict, api_for
) -> None:
    manager = cast["manager"]
    programme = programme_create(
        organisation=manager.memberships.get().organisation,
        actor=manager,
        name="Circles",
        format="peer_circles",
    )
    programme_transition(programme=programme, actor=manager, to="enrolling")
    client = api_for(manager)
    client.client = Client(raise_request_exception=False)
    data = b"email\r\nasha.admin@acme.test\r\nravi.member@acme.test\x00\r\n"
    path = f"/api/v1/organisations/acme/programmes/{programme.pk}/enrolments/import"
    response = client.post(path, files={"file": upload(data)})
    assert response.status_code == 400, response.content
    problems = response.json()["problems"]
    assert [(p["row"], p["field"]) for p in problems] == [(3, "email")]
    assert "control character (NUL, U+0000)" in problems[0]["message"]
    assert not Enrolment.objects.filter(programme=programme).exists()
