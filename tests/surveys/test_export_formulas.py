"""Every cell of every survey export that a spreadsheet would run as a formula is text.

Imported directory fields (department, location, email) reached two export columns raw;
now every string cell of every column is neutralised, by the page and by the API.
"""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.urls import reverse

from alongside.spreadsheets.cells import FORMULA_STARTS
from tests.surveys.conftest import Cohort
from tests.surveys.export_helpers import export_through_page
from tests.surveys.test_outcomes_closing import answer_both

pytestmark = pytest.mark.django_db

HOSTILE = {
    "name": "@SUM(1+1)",
    "department": '=HYPERLINK("http://evil.example","x")',
    "location": "+1-2",
    "job_title": "-3+3",
}


def hostile_directory(cohort: Cohort) -> None:
    for enrolment in cohort.everyone:
        person = enrolment.person
        for field, value in HOSTILE.items():
            setattr(person, field, value)
        person.save()


def assert_no_formula_cells(text: str) -> None:
    rows = list(csv.reader(io.StringIO(text)))
    assert len(rows) > 1
    cells = [cell for row in rows[1:] for cell in row]
    assert '\'=HYPERLINK("http://evil.example","x")' in cells
    assert "'+1-2" in cells
    assert [cell for cell in cells if cell.startswith(FORMULA_STARTS)] == []


def test_the_identified_page_export_neutralises_every_column(
    cohort: Cohort, cast: dict[str, Any], client_for: Any, django_capture_on_commit_callbacks: Any
) -> None:
    hostile_directory(cohort)
    answer_both(cohort, cast, [(2, 3)] * 2)
    url = reverse("surveys:export", args=["acme", cohort.programme.pk])
    response = export_through_page(
        client_for(cast["admin"]), url, django_capture_on_commit_callbacks, identified="1"
    )
    assert_no_formula_cells(response.content.decode("utf-8-sig"))


def test_the_identified_api_export_neutralises_every_column(
    cohort: Cohort, cast: dict[str, Any], api_for: Any
) -> None:
    hostile_directory(cohort)
    answer_both(cohort, cast, [(2, 3)] * 2)
    path = (
        f"/api/v1/organisations/acme/programmes/{cohort.programme.pk}/survey-data?identified=true"
    )
    response = api_for(cast["admin"]).get(path)
    assert response.status_code == 200
    assert_no_formula_cells(response.content.decode())
