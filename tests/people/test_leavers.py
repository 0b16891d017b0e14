"""One leaver path: a deactivated person leaves the programmes still running and their
relationships, whether by hand, through the API or by a people import; history stays."""

from __future__ import annotations

from typing import Any

import pytest

from alongside.accounts.models import User
from alongside.meetings.models import Note
from alongside.people.importing import people_import_apply
from alongside.people.models import Person
from alongside.programmes.models import Enrolment
from alongside.relationships.models import RelationshipMember
from tests.test_access import Tenant, make_tenant_objects


@pytest.fixture
def tenant(cast: dict[str, User]) -> Tenant:
    return make_tenant_objects(cast["admin"].memberships.get().organisation, cast["admin"])


def assert_left(tenant: Tenant, person: Person) -> None:
    person.refresh_from_db()
    assert not person.is_active
    enrolment = Enrolment.objects.get(programme=tenant.programme, person=person)
    assert enrolment.status == "withdrawn"
    assert enrolment.withdrawn_reason == "Left the organisation."
    member = RelationshipMember.objects.get(relationship=tenant.relationship, person=person)
    assert not member.is_active
    assert member.left_at is not None
    # History is kept: the relationship, its meeting and notes are all still there.
    assert Note.objects.filter(meeting=tenant.meeting).exists()
    assert tenant.relationship.members.count() == 3


def test_an_import_with_deactivate_missing_takes_leavers_out_of_relationships(
    cast: dict[str, User], tenant: Tenant
) -> None:
    keep = Person.objects.filter(organisation=tenant.organisation).exclude(pk=tenant.person.pk)
    csv = "email,name\r\n" + "".join(f"{p.email},{p.name}\r\n" for p in keep)
    plan = people_import_apply(
        organisation=tenant.organisation,
        actor=cast["admin"],
        data=csv.encode(),
        deactivate_missing=True,
    )
    assert plan.summary["deactivated"] == 1
    assert_left(tenant, tenant.person)
    # The others stay in the relationship, which goes on with two members.
    tenant.relationship.refresh_from_db()
    assert tenant.relationship.status == "active"
    assert tenant.relationship.members.filter(is_active=True).count() == 2


def test_deactivating_on_the_page_and_through_the_api_takes_the_same_path(
    cast: dict[str, User], tenant: Tenant, client_for: Any, api_for: Any
) -> None:
    client_for(cast["admin"]).post(f"/o/acme/people/{tenant.person.pk}/active/", {"active": "0"})
    assert_left(tenant, tenant.person)
    second = Person.objects.get(organisation=tenant.organisation, name="Second Nobody")
    response = api_for(cast["admin"]).post(
        f"/api/v1/organisations/acme/people/{second.pk}/deactivate"
    )
    assert response.status_code == 200
    assert_left(tenant, second)
    # Two of three gone: the relationship ends, its record stays.
    tenant.relationship.refresh_from_db()
    assert tenant.relationship.status == "ended"


def test_reactivating_does_not_re_enrol(
    cast: dict[str, User], tenant: Tenant, api_for: Any
) -> None:
    api = api_for(cast["admin"])
    api.post(f"/api/v1/organisations/acme/people/{tenant.person.pk}/deactivate")
    api.post(f"/api/v1/organisations/acme/people/{tenant.person.pk}/reactivate")
    tenant.person.refresh_from_db()
    assert tenant.person.is_active
    assert Enrolment.objects.get(person=tenant.person).status == "withdrawn"
