"""In Chromium: sign in through the form, open the people list, search and filter it.

The table must update through htmx (no full page load), show exactly the expected
people, paginate, and the page must run without any Content-Security-Policy violation.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from alongside.accounts.models import User
from alongside.organisations.models import Membership, Organisation, Role
from alongside.people.models import Person

EMAIL = "asha.admin@acme.test"
PASSWORD = "correct horse battery staple"
DEPARTMENTS = ("Finance", "Engineering", "Sales")
LOCATIONS = ("Pune", "Chennai")
FIRST_NAMES = (
    "Aarav",
    "Bhavna",
    "Chetan",
    "Divya",
    "Esha",
    "Farid",
    "Gauri",
    "Harsh",
    "Isha",
    "Jai",
)


def build_directory() -> list[Person]:
    organisation = Organisation.objects.create(
        name="Acme India", slug="acme", default_time_zone="Asia/Kolkata"
    )
    admin = User.objects.create_user(EMAIL, PASSWORD, full_name="Asha Admin")
    Membership.objects.create(user=admin, organisation=organisation, role=Role.ADMIN)
    return Person.objects.bulk_create(
        Person(
            organisation=organisation,
            name=f"{FIRST_NAMES[i % 10]} {i:02d}",
            email=f"person{i}@acme.test",
            department=DEPARTMENTS[i % 3],
            location=LOCATIONS[i % 2],
            job_title="Engineer" if i % 2 == 0 else "Designer",
            level=f"L{i % 4}",
            timezone="Asia/Kolkata",
        )
        for i in range(60)
    )


def table_names(page: Any) -> list[str]:
    return page.locator("#people-results tbody td:first-child a").all_inner_texts()


@pytest.mark.django_db(transaction=True)
def test_sign_in_and_filter_the_people_list(page: Any, live_server: Any) -> None:
    people = build_directory()

    # Sign in through the form.
    page.goto("/accounts/login/")
    page.fill("#id_username", EMAIL.upper())
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/o/acme/")

    page.goto("/o/acme/people/")
    assert page.locator("#result-count").inner_text() == "60 people"
    all_names = sorted(p.name for p in people)
    assert table_names(page) == all_names[:50]
    # A marker that a full page load would wipe out.
    # (Playwright's evaluate runs outside the page's CSP; string-eval waits would not.)
    page.evaluate("window.__noReload = 'still here'")

    # Pagination through htmx.
    with page.expect_response(lambda r: "page=2" in r.url and r.request.headers.get("hx-request")):
        page.click("a[rel=next]")
    expect(page.locator("#people-results tbody tr")).to_have_count(10)
    assert table_names(page) == all_names[50:]
    assert "Page 2 of 2" in page.locator("#people-results .pagination").inner_text()
    assert "page=2" in page.url

    # Type in the search box: the list narrows as you type (debounced htmx request).
    with page.expect_response(lambda r: "q=engineer" in r.url and r.status == 200):
        page.locator("#id_q").press_sequentially("engineer", delay=20)
    expect(page.locator("#result-count")).to_have_text("30 people")
    engineers = sorted(p.name for p in people if p.job_title == "Engineer")
    assert table_names(page) == engineers

    # Pick a department in the filter.
    with page.expect_response(lambda r: "department=Finance" in r.url and r.status == 200):
        page.select_option("#id_department", "Finance")
    expect(page.locator("#result-count")).to_have_text("10 people")
    expected = sorted(
        p.name for p in people if p.job_title == "Engineer" and p.department == "Finance"
    )
    assert len(expected) == 10
    assert table_names(page) == expected
    assert page.locator("#people-results .pagination").count() == 0

    # …and a location on top.
    with page.expect_response(lambda r: "location=Chennai" in r.url and r.status == 200):
        page.select_option("#id_location", "Chennai")
    # Engineers are even-numbered and Chennai is odd-numbered: no one is left.
    expect(page.locator("#result-count")).to_have_text("0 people")
    assert table_names(page) == []
    assert "No one matches these filters." in page.locator("#people-results").inner_text()

    # The table was swapped in place, never reloaded; the URL follows the filters.
    assert page.evaluate("window.__noReload") == "still here"
    assert "department=Finance" in page.url
    assert "q=engineer" in page.url
    assert page.locator("#id_q").input_value() == "engineer"

    # Reloading the pushed URL renders the same filtered list server-side.
    page.select_option("#id_location", "")
    expect(page.locator("#result-count")).to_have_text("10 people")
    page.reload()
    assert page.locator("#id_department").input_value() == "Finance"
    assert table_names(page) == expected

    csp_violations = [m for m in page.console_errors if "Content Security Policy" in m]
    assert csp_violations == []
    assert page.console_errors == []
