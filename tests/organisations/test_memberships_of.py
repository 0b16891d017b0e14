"""The tenant lookup's hand-written query against the ORM's answer for the same rows."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.db.models import F, FilteredRelation, Q
from django.test import RequestFactory

from alongside.accounts.models import User
from alongside.organisations.models import Membership, Organisation, Role
from alongside.organisations.selectors import (
    membership_in,
    memberships_of,
    request_memberships,
)
from alongside.people.models import Person


def _orm(user: User) -> list[Membership]:
    return list(
        Membership.objects.filter(user=user)
        .select_related("organisation")
        .annotate(
            own_entry=FilteredRelation(
                "organisation__people", condition=Q(organisation__people__user=F("user"))
            ),
            viewer_time_zone=F("own_entry__timezone"),
        )
        .order_by("organisation__name", "organisation__pk")
    )


def _fields(instance: Any) -> dict[str, Any]:
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}


def test_the_memberships_match_the_orm_field_for_field(
    org_a: Organisation, org_b: Organisation, admin: User
) -> None:
    # A second organisation, sorting before the first, where the admin has no own entry
    # but another person (of that organisation) links to another user.
    third = Organisation.objects.create(
        name="Aardvark Ltd",
        slug="aardvark",
        default_time_zone="America/New_York",
        language="es",
        created_at=datetime(2025, 3, 4, 5, 6, 7, 891011, tzinfo=UTC),
    )
    Membership.objects.create(user=admin, organisation=third, role=Role.MEMBER)
    Membership.objects.create(user=admin, organisation=org_b, role=Role.PROGRAMME_MANAGER)
    someone = User.objects.create_user("someone@other.test", "x" * 12)
    Person.objects.create(
        organisation=org_b, user=someone, name="S", email="s@o.test", timezone="Europe/Paris"
    )
    # The admin's own entry in org_a has a zone; one in org_b belongs to org_b only.
    Person.objects.filter(organisation=org_a, user=admin).update(timezone="Asia/Tokyo")
    Person.objects.create(organisation=org_b, user=admin, name="A", email="a@o.test", timezone="")

    found = memberships_of(admin.pk)
    expected = _orm(admin)
    assert [m.organisation.slug for m in found] == ["aardvark", "acme", "other"]
    assert [_fields(m) for m in found] == [_fields(m) for m in expected]
    assert [_fields(m.organisation) for m in found] == [_fields(m.organisation) for m in expected]
    assert [m.viewer_time_zone for m in found] == [m.viewer_time_zone for m in expected]
    assert [m.viewer_time_zone for m in found] == [None, "Asia/Tokyo", ""]
    assert found[0].organisation.created_at == datetime(2025, 3, 4, 5, 6, 7, 891011, tzinfo=UTC)
    # Instances as the ORM makes them: saved state, usable for writes and relations.
    assert not found[1]._state.adding
    assert found[1].organisation is found[1].organisation  # cached, no query
    assert found[1].user == admin


def test_outsiders_and_strangers_find_nothing(
    org_a: Organisation, admin: User, outsider: User
) -> None:
    assert membership_in(memberships_of(outsider.pk), "acme") is None
    assert membership_in(memberships_of(admin.pk), "other") is None
    assert membership_in(memberships_of(admin.pk), "ACME") is None  # slugs match exactly
    stranger = User.objects.create_user("nobody@nowhere.test", "x" * 12)
    assert memberships_of(stranger.pk) == []


def test_a_request_looks_them_up_once_per_caller(
    org_a: Organisation, admin: User, outsider: User, django_assert_num_queries: Any
) -> None:
    request = RequestFactory().get("/")
    with django_assert_num_queries(1):
        first = request_memberships(request, admin)
        again = request_memberships(request, admin)
    assert first is again
    # A token caller replacing the session's user is looked up afresh.
    with django_assert_num_queries(1):
        theirs = request_memberships(request, outsider)
    assert [m.organisation.slug for m in theirs] == ["other"]
    with django_assert_num_queries(0):
        assert request_memberships(request, None) == []
