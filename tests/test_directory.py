"""The people directory pages, the reporting-line helpers, organisation settings,
member roles and the audit trail."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest

from alongside.accounts.models import User
from alongside.accounts.services import api_token_create
from alongside.audit.models import AuditEvent
from alongside.organisations.models import Membership, Organisation, Role
from alongside.people.models import Person
from alongside.people.reporting_line import (
    ancestors_by_person,
    chain_up,
    in_same_reporting_line,
    reports_below,
)
from alongside.people.selectors import person_reporting_line, reporting_line_ancestors


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# --- Reporting-line helpers (pure functions) -------------------------------------------
#
#            1
#          /   \
#         2     7
#         |    / \
#         3   8   9        10 (no manager), 11 -> 10
#         |
#         4
#         |
#         5
#        / \
#       6   12
MANAGERS: dict[int, int | None] = {
    1: None,
    2: 1,
    3: 2,
    4: 3,
    5: 4,
    6: 5,
    12: 5,
    7: 1,
    8: 7,
    9: 7,
    10: None,
    11: 10,
}


def test_chain_up_six_levels() -> None:
    assert chain_up(6, MANAGERS) == [5, 4, 3, 2, 1]
    assert chain_up(1, MANAGERS) == []
    assert chain_up(8, MANAGERS) == [7, 1]
    assert chain_up(404, MANAGERS) == []


def test_reports_below_is_breadth_first_and_complete() -> None:
    assert reports_below(1, MANAGERS) == [2, 7, 3, 8, 9, 4, 5, 6, 12]
    assert reports_below(5, MANAGERS) == [6, 12]
    assert reports_below(6, MANAGERS) == []
    assert reports_below(10, MANAGERS) == [11]


def test_ancestors_by_person() -> None:
    ancestors = ancestors_by_person(MANAGERS)
    assert set(ancestors) == set(MANAGERS)
    assert ancestors[6] == frozenset({5, 4, 3, 2, 1})
    assert ancestors[12] == frozenset({5, 4, 3, 2, 1})
    assert ancestors[9] == frozenset({7, 1})
    assert ancestors[1] == frozenset()
    assert ancestors[11] == frozenset({10})
    for person in MANAGERS:
        assert ancestors[person] == frozenset(chain_up(person, MANAGERS))


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        (6, 1, True),  # five levels apart
        (1, 6, True),  # symmetric
        (6, 3, True),
        (6, 12, False),  # siblings
        (8, 9, False),  # siblings
        (6, 8, False),  # cousins under the same top
        (3, 7, False),
        (11, 1, False),  # separate trees
        (6, 6, False),
        (5, 6, True),  # direct manager
    ],
)
def test_in_same_reporting_line(a: int, b: int, same: bool) -> None:
    assert in_same_reporting_line(a, b, ancestors_by_person(MANAGERS)) is same


def test_helpers_stop_at_a_cycle() -> None:
    cyclic: dict[int, int | None] = {1: 3, 2: 1, 3: 2, 4: 1}
    assert chain_up(4, cyclic) == [1, 3, 2]
    assert chain_up(1, cyclic) == [3, 2]
    assert sorted(reports_below(1, cyclic)) == [2, 3, 4]
    ancestors = ancestors_by_person(cyclic)
    assert ancestors[4] == frozenset({1, 2, 3})
    assert 1 not in ancestors[1]
    assert in_same_reporting_line(4, 2, ancestors)


def test_a_long_chain_is_not_recursive() -> None:
    chain: dict[int, int | None] = {i: i - 1 if i else None for i in range(5000)}
    assert len(chain_up(4999, chain)) == 4999
    assert len(reports_below(0, chain)) == 4999
    assert len(ancestors_by_person(chain)[4999]) == 4999


# --- The same on the database ------------------------------------------------------------


@pytest.fixture
def chain(cast: dict[str, User], org_a: Organisation) -> list[Person]:
    """Six levels, each with a sibling at the bottom: L0 → L1 → … → L5, plus L5b."""
    people: list[Person] = []
    manager = None
    for level in range(6):
        manager = Person.objects.create(
            organisation=org_a,
            name=f"Level {level}",
            email=f"level{level}@acme.test",
            job_title=f"Title {level}",
            manager=manager,
        )
        people.append(manager)
    people.append(
        Person.objects.create(
            organisation=org_a, name="Level 5b", email="level5b@acme.test", manager=people[4]
        )
    )
    return people


def test_person_reporting_line_on_the_database(
    chain: list[Person], django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(3):
        line = person_reporting_line(person=chain[5])
    assert [p.name for p in line.managers] == [
        "Level 4",
        "Level 3",
        "Level 2",
        "Level 1",
        "Level 0",
    ]
    assert line.direct_reports == []
    top = person_reporting_line(person=chain[0])
    assert [p.name for p in top.direct_reports] == ["Level 1"]
    assert len(top.all_reports) == 6
    middle = person_reporting_line(person=chain[4])
    assert [p.name for p in middle.direct_reports] == ["Level 5", "Level 5b"]
    ancestors = reporting_line_ancestors(organisation=chain[0].organisation)
    assert in_same_reporting_line(chain[5].pk, chain[0].pk, ancestors)
    assert not in_same_reporting_line(chain[5].pk, chain[6].pk, ancestors)


def test_person_detail_shows_the_manager_chain_and_reports(
    cast: dict[str, User], chain: list[Person], client_for: Any
) -> None:
    # Reporting lines are for programme managers and admins (matching avoids them).
    html = client_for(cast["manager"]).get(f"/o/acme/people/{chain[3].pk}/").content.decode()
    section = html[html.index('class="reporting-line"') :]
    chain_html = section[: section.index("Direct reports")]
    positions = [chain_html.index(f">Level {level}<") for level in (0, 1, 2)]
    assert positions == sorted(positions), "managers are listed top-down"
    assert "<strong>Level 3</strong>" in chain_html
    for level in (0, 1, 2):
        assert f'href="/o/acme/people/{chain[level].pk}/"' in chain_html
    reports = section[section.index("Direct reports") :]
    assert "Direct reports (1)" in reports
    assert f'href="/o/acme/people/{chain[4].pk}/"' in reports
    assert "3 people report to Level 3 at any depth" in reports

    top = client_for(cast["admin"]).get(f"/o/acme/people/{chain[0].pk}/").content.decode()
    assert "Level 0 has no manager in the directory" in top
    leaf = client_for(cast["manager"]).get(f"/o/acme/people/{chain[6].pk}/").content.decode()
    assert "Direct reports (0)" in leaf
    member = client_for(cast["member"]).get(f"/o/acme/people/{chain[3].pk}/").content.decode()
    assert "Reporting line" not in member
    assert "Level 2" not in member


def test_person_detail_actions_follow_the_role(
    cast: dict[str, User], chain: list[Person], client_for: Any
) -> None:
    url = f"/o/acme/people/{chain[2].pk}/"
    member = client_for(cast["member"]).get(url).content.decode()
    manager = client_for(cast["manager"]).get(url).content.decode()
    admin = client_for(cast["admin"]).get(url).content.decode()
    assert "Send invitation" not in member
    assert "Edit" not in member
    assert "Send invitation" in manager
    assert "Deactivate" not in manager
    assert "Send invitation" in admin
    assert "Deactivate" in admin


# --- People list: filters via htmx and pagination ----------------------------------------


@pytest.fixture
def crowd(cast: dict[str, User], org_a: Organisation) -> list[Person]:
    departments = ["Finance", "Engineering", "Sales"]
    locations = ["Pune", "Chennai"]
    return Person.objects.bulk_create(
        Person(
            organisation=org_a,
            name=f"Crowd {i:03d}",
            email=f"crowd{i}@acme.test",
            department=departments[i % 3],
            location=locations[i % 2],
            level=f"L{i % 4}",
            job_title="Analyst" if i % 5 == 0 else "Associate",
            is_active=i != 7,
        )
        for i in range(120)
    )


def row_names(html: str) -> list[str]:
    return re.findall(r'<a href="/o/acme/people/\d+/">([^<]+)</a>', html)


def test_full_page_has_the_filter_form_and_rows(
    cast: dict[str, User], crowd: list[Person], client_for: Any
) -> None:
    response = client_for(cast["member"]).get("/o/acme/people/")
    html = response.content.decode()
    assert "<html" in html
    assert 'id="people-filters"' in html
    assert 'hx-get="/o/acme/people/"' in html
    assert 'hx-target="#people-results"' in html
    assert '<option value="Engineering">' in html
    assert '<option value="Chennai">' in html
    assert "122 people" in html  # 119 active crowd + the cast of 3
    assert len(row_names(html)) == 50


def test_htmx_request_returns_only_the_rows(
    cast: dict[str, User], crowd: list[Person], client_for: Any
) -> None:
    response = client_for(cast["member"]).get(
        "/o/acme/people/",
        {"q": "", "department": "Finance", "location": "Pune", "level": "", "status": "active"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    assert "<form" not in html
    assert "site-header" not in html
    assert 'id="result-count"' in html
    # i % 3 == 0 and i % 2 == 0  →  i % 6 == 0: 20 people.
    expected = [f"Crowd {i:03d}" for i in range(120) if i % 6 == 0]
    assert row_names(html) == expected
    assert "20 people" in html


def crowd_names(keep: Any) -> list[str]:
    return [f"Crowd {i:03d}" for i in range(120) if i != 7 and keep(i)]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # Every word must match somewhere (name, email, title or employee id).
        ({"q": "crowd 01"}, crowd_names(lambda i: "01" in f"{i:03d}")),
        ({"q": "CROWD5@ACME"}, ["Crowd 005"]),
        ({"q": "analyst", "department": "Sales"}, crowd_names(lambda i: i % 15 == 5)),
        (
            {"level": "L3", "location": "Chennai", "department": "Sales"},
            crowd_names(lambda i: i % 4 == 3 and i % 2 == 1 and i % 3 == 2),
        ),
        ({"status": "inactive"}, ["Crowd 007"]),
        ({"q": "nobody-by-this-name", "department": "Finance"}, []),
    ],
)
def test_filters(
    query: dict[str, str],
    expected: list[str],
    cast: dict[str, User],
    crowd: list[Person],
    client_for: Any,
) -> None:
    response = client_for(cast["admin"]).get("/o/acme/people/", query, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert row_names(html) == expected
    if not expected:
        assert "No one matches these filters." in html


def test_pagination_keeps_the_filters(
    cast: dict[str, User], crowd: list[Person], client_for: Any
) -> None:
    client = client_for(cast["member"])
    first = client.get("/o/acme/people/", {"q": "crowd"}, HTTP_HX_REQUEST="true").content.decode()
    assert "Page 1 of 3 · 119 in all" in first
    assert 'rel="prev"' not in first
    next_link = re.search(r'<a href="\?([^"]+)"[^>]*rel="next"', first)
    assert next_link is not None
    assert next_link.group(1).replace("&amp;", "&") == "q=crowd&page=2"
    assert 'hx-target="#people-results"' in first
    assert row_names(first)[0] == "Crowd 000"
    third = client.get(
        "/o/acme/people/", {"q": "crowd", "page": "3"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "Page 3 of 3" in third
    assert 'rel="next"' not in third
    assert row_names(third) == [f"Crowd {i:03d}" for i in range(101, 120)]
    # Out-of-range and junk pages fall back instead of failing.
    last = client.get("/o/acme/people/", {"q": "crowd", "page": "99"}).content.decode()
    assert "Page 3 of 3" in last
    junk = client.get("/o/acme/people/", {"q": "crowd", "page": "x"}).content.decode()
    assert "Page 1 of 3" in junk


def test_unknown_filter_values_do_not_leak_other_data(
    cast: dict[str, User], crowd: list[Person], org_b: Organisation, client_for: Any
) -> None:
    Person.objects.create(
        organisation=org_b, name="Crowd Other Org", email="x@other.test", department="Finance"
    )
    html = client_for(cast["member"]).get("/o/acme/people/", {"q": "crowd"}).content.decode()
    assert "Crowd Other Org" not in html
    options = client_for(cast["member"]).get("/o/acme/people/").content.decode()
    assert "Other Co" not in options


# --- Organisation settings and member roles ---------------------------------------------


def test_admin_changes_organisation_settings(
    cast: dict[str, User], org_a: Organisation, client_for: Any
) -> None:
    admin = client_for(cast["admin"])
    page = admin.get("/o/acme/settings/")
    assert page.status_code == 200
    assert 'value="Acme India"' in page.content.decode()
    response = admin.post(
        "/o/acme/settings/", {"name": "Acme Bharat", "default_time_zone": "Asia/Kolkata"}
    )
    assert response.status_code == 302
    org_a.refresh_from_db()
    assert org_a.name == "Acme Bharat"
    bad = admin.post("/o/acme/settings/", {"name": "X", "default_time_zone": "Mars/Base"})
    assert bad.status_code == 200
    assert "Select a valid choice" in bad.content.decode()
    org_a.refresh_from_db()
    assert org_a.name == "Acme Bharat"
    assert client_for(cast["manager"]).get("/o/acme/settings/").status_code == 403


def test_admin_changes_member_roles(cast: dict[str, User], client_for: Any) -> None:
    admin = client_for(cast["admin"])
    page = admin.get("/o/acme/members/").content.decode()
    for email in ("asha.admin@acme.test", "priya.pm@acme.test", "ravi.member@acme.test"):
        assert email in page
    assert "olivia.outsider@other.test" not in page
    ravi = Membership.objects.get(user=cast["member"])
    response = admin.post(f"/o/acme/members/{ravi.pk}/role/", {"role": "programme_manager"})
    assert response.status_code == 302
    assert response["Location"] == "/o/acme/members/"
    ravi.refresh_from_db()
    assert ravi.role == Role.PROGRAMME_MANAGER
    after = admin.get("/o/acme/members/").content.decode()
    assert "ravi.member@acme.test is now a programme manager." in after
    bad = admin.post(f"/o/acme/members/{ravi.pk}/role/", {"role": "overlord"}, follow=True)
    assert "Choose a role from the list." in bad.content.decode()


def test_the_last_admin_cannot_be_demoted_or_removed_from_the_page(
    cast: dict[str, User], client_for: Any
) -> None:
    admin = client_for(cast["admin"])
    mine = Membership.objects.get(user=cast["admin"])
    demoted = admin.post(f"/o/acme/members/{mine.pk}/role/", {"role": "member"}, follow=True)
    assert "at least one admin" in demoted.content.decode()
    removed = admin.post(f"/o/acme/members/{mine.pk}/remove/", follow=True)
    assert "at least one admin" in removed.content.decode()
    mine.refresh_from_db()
    assert mine.role == Role.ADMIN


def test_admin_grants_a_role_to_an_existing_user(
    cast: dict[str, User], org_a: Organisation, client_for: Any
) -> None:
    admin = client_for(cast["admin"])
    response = admin.post(
        "/o/acme/members/", {"email": "olivia.outsider@other.test", "role": "member"}
    )
    assert response.status_code == 302
    assert Membership.objects.filter(user=cast["outsider"], organisation=org_a).exists()
    unknown = admin.post("/o/acme/members/", {"email": "ghost@acme.test", "role": "member"})
    assert unknown.status_code == 200
    assert "No one has signed in as ghost@acme.test yet" in unknown.content.decode()


def test_removing_a_member_unlinks_their_person(cast: dict[str, User], client_for: Any) -> None:
    ravi = Membership.objects.get(user=cast["member"])
    client_for(cast["admin"]).post(f"/o/acme/members/{ravi.pk}/remove/")
    assert not Membership.objects.filter(pk=ravi.pk).exists()
    assert Person.objects.get(email="ravi.member@acme.test").user is None
    assert client_for(cast["member"]).get("/o/acme/people/").status_code == 404


# --- Audit trail -------------------------------------------------------------------------


def test_role_changes_are_audited_and_shown_to_admins_only(
    cast: dict[str, User], org_a: Organisation, client_for: Any
) -> None:
    admin = client_for(cast["admin"])
    ravi = Membership.objects.get(user=cast["member"])
    admin.post(f"/o/acme/members/{ravi.pk}/role/", {"role": "programme_manager"})
    event = AuditEvent.objects.get(action="membership.role_changed")
    assert event.organisation == org_a
    assert event.actor == cast["admin"]
    assert event.actor_label == "asha.admin@acme.test"
    assert event.target_type == "organisations.membership"
    assert event.target_id == str(ravi.pk)
    assert event.data == {
        "user": "ravi.member@acme.test",
        "from": "member",
        "to": "programme_manager",
    }
    page = admin.get("/o/acme/audit/").content.decode()
    assert "membership.role_changed" in page
    assert "asha.admin@acme.test" in page
    assert "programme_manager" in page
    filtered = admin.get("/o/acme/audit/", {"action": "person."}).content.decode()
    assert "membership.role_changed" not in filtered
    # Ravi is a programme manager now, still not an admin.
    assert client_for(cast["member"]).get("/o/acme/audit/").status_code == 403
    assert client_for(cast["outsider"]).get("/o/acme/audit/").status_code == 404


def test_audit_page_shows_only_this_organisation(
    cast: dict[str, User], org_b: Organisation, client_for: Any
) -> None:
    AuditEvent.objects.create(
        organisation=org_b, actor_label="olivia.outsider@other.test", action="secret.thing"
    )
    page = client_for(cast["admin"]).get("/o/acme/audit/").content.decode()
    assert "secret.thing" not in page


def test_token_creation_is_audited(cast: dict[str, User], client_for: Any) -> None:
    client = client_for(cast["member"])
    response = client.post("/accounts/tokens/", {"name": "HR sync"})
    assert response.status_code == 200
    html = response.content.decode()
    secret = re.search(r"alg_[A-Za-z0-9_\-]{20,}", html)
    assert secret is not None, "the new secret is shown once"
    event = AuditEvent.objects.get(action="api_token.created")
    assert event.actor == cast["member"]
    # Personal tokens belong to the user, not to one organisation.
    assert event.organisation is None
    assert event.target_label.startswith("HR sync")
    assert secret.group(0) not in str(event.data)
    assert secret.group(0) not in event.target_label
    # The secret is not shown again.
    assert secret.group(0) not in client.get("/accounts/tokens/").content.decode()
    # Revoking is audited too.
    token_id = int(event.target_id)
    client.post(f"/accounts/tokens/{token_id}/revoke/")
    assert AuditEvent.objects.filter(action="api_token.revoked", target_id=str(token_id)).exists()


def test_token_events_are_in_the_django_admin_for_superusers(
    cast: dict[str, User], client_for: Any
) -> None:
    api_token_create(user=cast["member"], name="script")
    superuser = User.objects.create_superuser("root@acme.test", "x" * 12)
    response = client_for(superuser).get("/admin/audit/auditevent/")
    assert response.status_code == 200
    assert "api_token.created" in response.content.decode()
    assert client_for(cast["admin"]).get("/admin/audit/auditevent/").status_code == 302


def test_people_changes_made_on_pages_are_audited(
    cast: dict[str, User], chain: list[Person], client_for: Any
) -> None:
    admin = client_for(cast["admin"])
    admin.post(f"/o/acme/people/{chain[2].pk}/active/", {"active": "0"})
    chain[2].refresh_from_db()
    assert chain[2].is_active is False
    assert AuditEvent.objects.filter(
        action="person.deactivated", target_id=str(chain[2].pk)
    ).exists()
    assert "person.deactivated" in admin.get("/o/acme/audit/").content.decode()


def test_an_unknown_filter_value_does_not_drop_the_other_filters(cast, client_for, org_a):
    from alongside.people.models import Person

    Person.objects.create(
        organisation=org_a, name="Zubin Finance", email="z@acme.example.com", department="Finance"
    )
    Person.objects.create(
        organisation=org_a, name="Zara Eng", email="za@acme.example.com", department="Engineering"
    )
    response = client_for(cast["admin"]).get(
        "/o/acme/people/", {"q": "Zubin", "department": "No such department"}
    )
    body = response.content.decode()
    assert "Zubin Finance" in body
    assert "Zara Eng" not in body


def test_audit_page_shows_times_in_the_viewers_own_zone(
    cast: dict[str, User], org_a: Organisation, client_for: Any
) -> None:
    AuditEvent.objects.create(
        organisation=org_a,
        actor_label="asha.admin@acme.test",
        action="zone.check",
        created_at=datetime(2026, 11, 20, 12, 0, tzinfo=UTC),
    )
    Person.objects.filter(user=cast["admin"]).update(timezone="America/Los_Angeles")
    page = client_for(cast["admin"]).get("/o/acme/audit/").content.decode()
    assert "When (America/Los_Angeles)" in page
    assert "2026-11-20 04:00" in page  # 12:00 UTC is 04:00 in Los Angeles in November


def test_filter_options_read_the_combinations_not_every_person(org_a) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from alongside.people.selectors import people_filter_options

    Person.objects.bulk_create(
        Person(
            organisation=org_a,
            name=f"P{n}",
            email=f"p{n}@acme.in",
            department=["Finance", "Sales"][n % 2],
            location="Pune",
        )
        for n in range(40)
    )
    with CaptureQueriesContext(connection) as queries:
        options = people_filter_options(organisation=org_a)
    assert options["departments"] == ["Finance", "Sales"]
    (sql,) = [q["sql"] for q in queries.captured_queries]
    # Person's default ordering (name, id) would make every person a distinct row.
    assert "ORDER BY" not in sql
    assert '"name"' not in sql
