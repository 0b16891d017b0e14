"""A page of relationships gets its members as rows, in the order the pages show them."""

from __future__ import annotations

from typing import Any

from alongside.relationships.models import Relationship, RelationshipMember
from alongside.relationships.selectors import relationship_members, relationships_for_programme
from tests.matches.helpers import published_programme


def test_members_come_present_first_then_by_role_and_name(
    admin: Any, org_a: Any, django_assert_num_queries: Any
) -> None:
    programme, _enrolments = published_programme(org_a, admin, "peer_circles", 12)
    relationships = list(relationships_for_programme(programme=programme))
    assert len(relationships) >= 2
    circle = relationships[0]
    first = circle.members.order_by("person__name").first()
    assert first is not None
    RelationshipMember.objects.filter(pk=first.pk).update(is_active=False)
    with django_assert_num_queries(1):
        members = relationship_members(relationships=relationships)
    assert set(members) == {r.pk for r in relationships}
    for relationship in relationships:
        # Present before past, then role descending, then name: stable sorts, last key first.
        expected = sorted(
            RelationshipMember.objects.filter(relationship=relationship).select_related("person"),
            key=lambda m: (m.person.name, m.pk),
        )
        expected.sort(key=lambda m: m.role, reverse=True)
        expected.sort(key=lambda m: not m.is_active)
        assert members[relationship.pk] == [
            {
                "relationship_id": relationship.pk,
                "enrolment_id": m.enrolment_id,
                "person_id": m.person_id,
                "role": m.role,
                "is_active": m.is_active,
                "name": m.person.name,
            }
            for m in expected
        ]
    # The one who left is listed last.
    assert members[circle.pk][-1]["enrolment_id"] == first.enrolment_id
    assert members[circle.pk][-1]["is_active"] is False


def test_no_relationships_no_query(db: None, django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(0):
        assert relationship_members(relationships=Relationship.objects.none()) == {}
