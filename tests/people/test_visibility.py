"""Who sees what in the directory: one rule for pages, the API, the CSV export and search."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from typing import Any

import pytest

from alongside.accounts.models import User
from alongside.audit.models import AuditEvent
from alongside.organisations.models import Organisation
from alongside.people.models import Person

ORG = "/api/v1/organisations/acme"


@pytest.fixture
def boss(org_a: Organisation) -> Person:
    return Person.objects.create(
        organisation=org_a,
        name="Meera Manager",
        email="meera.boss@acme.test",
        employee_id="E-500",
        job_title="Head of Finance",
        department="Finance",
    )


@pytest.fixture
def shy(org_a: Organisation, boss: Person) -> Person:
    """Someone who shares only their job title and what they offer."""
    return Person.objects.create(
        organisation=org_a,
        name="Sana Shy",
        email="sana.shy@acme.test",
        employee_id="E-777",
        manager=boss,
        job_title="Treasury Analyst",
        department="Finance",
        level="L4",
        location="Mysuru",
        timezone="Asia/Kolkata",
        languages=["Kannada", "English"],
        start_date=date(2024, 2, 1),
        offers="Excel modelling",
        share_department=False,
        share_location=False,
        share_languages=False,
    )


@pytest.fixture
def gone(org_a: Organisation) -> Person:
    return Person.objects.create(
        organisation=org_a,
        name="Lata Leaver",
        email="lata.leaver@acme.test",
        employee_id="E-900",
        is_active=False,
    )


def page(client: Any, url: str, **query: str) -> str:
    response = client.get(url, query)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


# --- Pages ---------------------------------------------------------------------------


def test_a_member_sees_only_shared_public_fields_on_the_list_and_the_page(
    cast: dict[str, User], shy: Person, gone: Person, client_for: Any
) -> None:
    client = client_for(cast["member"])
    listing = page(client, "/o/acme/people/")
    assert "Sana Shy" in listing
    assert "Treasury Analyst" in listing
    for hidden in ("sana.shy@acme.test", "Mysuru", "Lata Leaver", ">Manager</th>"):
        assert hidden not in listing, hidden
    # As a word: the page's random tokens (CSRF) may hold the letters "L4".
    assert not re.search(r"\bL4\b", listing)
    # No level or status filter is offered to colleagues.
    assert 'name="level"' not in listing
    assert 'name="status"' not in listing
    detail = page(client, f"/o/acme/people/{shy.pk}/")
    assert "Treasury Analyst" in detail
    assert "Excel modelling" in detail
    for hidden in (
        "sana.shy@acme.test",
        "E-777",
        "Mysuru",
        "Kannada",
        "2024",
        "Meera Manager",
        "Reporting line",
        "Finance",
    ):
        assert hidden not in detail, hidden
    assert client.get(f"/o/acme/people/{gone.pk}/").status_code == 404


def test_a_programme_manager_sees_what_programmes_need_but_no_employee_id_or_leavers(
    cast: dict[str, User], shy: Person, gone: Person, client_for: Any
) -> None:
    client = client_for(cast["manager"])
    detail = page(client, f"/o/acme/people/{shy.pk}/")
    for shown in ("sana.shy@acme.test", "Mysuru", "Kannada", "L4", "1 February 2024", "Finance"):
        assert shown in detail, shown
    assert "Reporting line" in detail
    assert "Meera Manager" in detail
    assert "E-777" not in detail
    assert client.get(f"/o/acme/people/{gone.pk}/").status_code == 404
    assert "Lata Leaver" not in page(client, "/o/acme/people/", status="inactive")


def test_an_admin_sees_everything_including_leavers(
    cast: dict[str, User], shy: Person, gone: Person, client_for: Any
) -> None:
    client = client_for(cast["admin"])
    detail = page(client, f"/o/acme/people/{shy.pk}/")
    assert "E-777" in detail
    assert "Mysuru" in detail
    assert "Lata Leaver" in page(client, "/o/acme/people/", status="inactive")
    assert "E-900" in page(client, f"/o/acme/people/{gone.pk}/")


@pytest.mark.parametrize(
    "query",
    [
        "E-777",  # employee id
        "sana.shy@acme",  # email
        "Meera",  # the manager's name
        "Mysuru",  # a location she does not share
        "L4",  # level
    ],
)
def test_a_member_cannot_find_anyone_through_a_hidden_field(
    query: str, cast: dict[str, User], shy: Person, client_for: Any, api_for: Any
) -> None:
    html = page(client_for(cast["member"]), "/o/acme/people/", q=query)
    assert "Sana Shy" not in html
    found = api_for(cast["member"]).get(f"{ORG}/people", {"q": query}).json()["items"]
    assert "Sana Shy" not in [p["name"] for p in found]
    exported = client_for(cast["member"]).get("/o/acme/people/export.csv", {"q": query})
    assert "Sana Shy" not in b"".join(exported.streaming_content).decode()


def test_a_member_cannot_filter_by_a_hidden_department_or_location(
    cast: dict[str, User], shy: Person, boss: Person, client_for: Any
) -> None:
    client = client_for(cast["member"])
    by_department = page(client, "/o/acme/people/", department="Finance")
    assert "Meera Manager" in by_department  # shares her department
    assert "Sana Shy" not in by_department
    options = page(client, "/o/acme/people/")
    assert '<option value="Mysuru">' not in options
    assert '<option value="Mysuru">' in page(client_for(cast["manager"]), "/o/acme/people/")


def test_search_finds_shared_fields_for_a_member(
    cast: dict[str, User], shy: Person, client_for: Any
) -> None:
    client = client_for(cast["member"])
    assert "Sana Shy" in page(client, "/o/acme/people/", q="treasury")
    assert "Sana Shy" in page(client, "/o/acme/people/", q="excel")
    assert "Sana Shy" in page(client_for(cast["admin"]), "/o/acme/people/", q="E-777")


# --- API -----------------------------------------------------------------------------


def test_the_api_follows_the_same_rule(
    cast: dict[str, User], shy: Person, gone: Person, api_for: Any
) -> None:
    member = api_for(cast["member"]).get(f"{ORG}/people/{shy.pk}").json()
    assert member["job_title"] == "Treasury Analyst"
    assert member["offers"] == "Excel modelling"
    for hidden in ("email", "employee_id", "manager", "department", "location", "languages"):
        assert member[hidden] is None, hidden
    assert api_for(cast["member"]).get(f"{ORG}/people/{gone.pk}").status_code == 404
    assert api_for(cast["member"]).get(f"{ORG}/people/{shy.pk}/reporting-line").status_code == 403

    manager = api_for(cast["manager"]).get(f"{ORG}/people/{shy.pk}").json()
    assert manager["email"] == "sana.shy@acme.test"
    assert manager["location"] == "Mysuru"
    assert manager["manager"]["name"] == "Meera Manager"
    assert manager["employee_id"] is None
    assert api_for(cast["manager"]).get(f"{ORG}/people/{gone.pk}").status_code == 404

    admin = api_for(cast["admin"]).get(f"{ORG}/people/{shy.pk}").json()
    assert admin["employee_id"] == "E-777"
    assert api_for(cast["admin"]).get(f"{ORG}/people/{gone.pk}").json()["is_active"] is False

    listed = api_for(cast["member"]).get(f"{ORG}/people").json()["items"]
    row = next(p for p in listed if p["name"] == "Sana Shy")
    assert row["email"] is None
    assert row["location"] is None


# --- Exports -------------------------------------------------------------------------


def rows(response: Any) -> list[dict[str, str]]:
    body = (
        b"".join(response.streaming_content) if response.streaming else response.content
    ).decode()
    return list(csv.DictReader(io.StringIO(body.lstrip("\ufeff"))))


def test_the_csv_export_has_exactly_what_each_role_may_see(
    cast: dict[str, User], shy: Person, gone: Person, client_for: Any, api_for: Any
) -> None:
    member = rows(client_for(cast["member"]).get("/o/acme/people/export.csv"))
    assert list(member[0]) == ["name", "job_title", "department", "location", "languages", "offers"]
    sana = next(r for r in member if r["name"] == "Sana Shy")
    assert sana == {
        "name": "Sana Shy",
        "job_title": "Treasury Analyst",
        "department": "",
        "location": "",
        "languages": "",
        "offers": "Excel modelling",
    }
    assert "Lata Leaver" not in [r["name"] for r in member]

    manager = rows(client_for(cast["manager"]).get("/o/acme/people/export.csv"))
    assert "employee_id" not in manager[0]
    assert next(r for r in manager if r["name"] == "Sana Shy")["manager_email"] == (
        "meera.boss@acme.test"
    )
    assert "Lata Leaver" not in [r["name"] for r in manager]

    admin = rows(client_for(cast["admin"]).get("/o/acme/people/export.csv", {"status": "all"}))
    assert next(r for r in admin if r["name"] == "Sana Shy")["employee_id"] == "E-777"
    assert next(r for r in admin if r["name"] == "Lata Leaver")["status"] == "inactive"

    through_api = rows(api_for(cast["member"]).get(f"{ORG}/people/export"))
    assert through_api == member
    assert AuditEvent.objects.filter(action="people.exported").count() == 4


# --- The person's own choices and "how others see me" ----------------------------------


def test_a_person_chooses_what_colleagues_see_and_previews_it(
    cast: dict[str, User], client_for: Any, api_for: Any
) -> None:
    ravi = Person.objects.get(user=cast["member"])
    ravi.location = "Pune"
    ravi.job_title = "Engineer"
    ravi.employee_id = "E-1"
    ravi.save()
    client = client_for(cast["member"])
    before = page(client, "/o/acme/people/me/")
    colleagues = before[before.index('id="seen-by-member"') : before.index('id="seen-by-manager"')]
    assert "Pune" in colleagues
    assert "E-1" not in colleagues
    admins = before[before.index('id="seen-by-admin"') :]
    assert "E-1" in admins

    response = client.post(
        "/o/acme/people/me/",
        {"shared_fields": ["job_title", "offers"], "offers": "Python code reviews"},
    )
    assert response.status_code == 302
    ravi.refresh_from_db()
    assert (ravi.share_job_title, ravi.share_location, ravi.offers) == (
        True,
        False,
        "Python code reviews",
    )
    after = page(client, "/o/acme/people/me/")
    colleagues = after[after.index('id="seen-by-member"') : after.index('id="seen-by-manager"')]
    assert "Pune" not in colleagues
    assert "Python code reviews" in colleagues
    # The preview is exactly what a colleague gets.
    seen = api_for(cast["manager"]).get(f"{ORG}/people/{ravi.pk}").json()
    assert seen["location"] == "Pune"  # managers see it whatever is shared
    colleague = api_for(cast["admin"]).get(f"{ORG}/me/profile").json()
    assert set(colleague["seen_by"]) == {"member", "manager", "admin"}
    mine = api_for(cast["member"]).get(f"{ORG}/me/profile").json()
    assert mine["shared_fields"] == ["job_title", "offers"]
    assert mine["seen_by"]["member"]["location"] is None
    assert mine["seen_by"]["manager"]["location"] == "Pune"
    assert AuditEvent.objects.filter(action="person.profile_updated").count() == 1


def test_bad_profile_input_is_refused_and_changes_nothing(
    cast: dict[str, User], api_for: Any
) -> None:
    api = api_for(cast["member"])
    response = api.patch(
        f"{ORG}/me/profile", {"shared_fields": ["email", "job_title"], "offers": "x" * 301}
    )
    assert response.status_code == 400
    problems = {(p["field"], p["message"]) for p in response.json()["problems"]}
    assert any(field == "shared_fields" and "'email'" in message for field, message in problems)
    assert any(field == "offers" and "300" in message for field, message in problems)
    ravi = Person.objects.get(user=cast["member"])
    assert ravi.share_department
    assert ravi.offers == ""


def test_relationship_partners_see_only_what_the_other_shares(
    cast: dict[str, User], shy: Person, client_for: Any, api_for: Any
) -> None:
    from tests.test_access import make_tenant_objects

    tenant = make_tenant_objects(cast["admin"].memberships.get().organisation, cast["admin"])
    member = tenant.relationship.members.first()
    assert member is not None
    partner = member.person
    partner.location, partner.share_location = "Hubballi", False
    partner.job_title = "Auditor"
    partner.save()
    html = page(client_for(cast["member"]), "/o/acme/mentoring/")
    assert "Auditor" in html
    assert "Hubballi" not in html
    mine = api_for(cast["member"]).get(f"{ORG}/relationships/mine").json()
    other = next(o for o in mine["items"][0]["others"] if o["name"] == partner.name)
    assert other["job_title"] == "Auditor"
    assert other["location"] == ""
