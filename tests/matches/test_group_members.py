"""The draft cards' and the API's members of a page of groups, read as rows."""

from __future__ import annotations

from typing import Any

from alongside.matches.models import MatchGroup, MatchGroupMember
from alongside.matches.selectors import match_group_members, match_run_groups
from alongside.people.models import Person
from tests.matches.helpers import _people, _programme, draft_run


def test_members_come_in_card_order_with_their_people(
    admin: Any, org_a: Any, django_assert_num_queries: Any
) -> None:
    programme, enrolments = _programme(org_a, admin, "peer_circles", _people(org_a, 12))
    run = draft_run(programme, admin)
    groups = list(match_run_groups(run=run))
    assert groups
    Person.objects.filter(pk=enrolments[0].person_id).update(department="", location="Pune")
    with django_assert_num_queries(1):
        members = match_group_members(groups=groups)
    assert set(members) == {g.pk for g in groups}
    for group in groups:
        expected = list(
            MatchGroupMember.objects.filter(group=group)
            .select_related("enrolment__person")
            .order_by("-role", "enrolment__person__name", "pk")
        )
        rows = members[group.pk]
        assert [r["enrolment_id"] for r in rows] == [m.enrolment_id for m in expected]
        for row, member in zip(rows, expected, strict=True):
            person = member.enrolment.person
            assert row == {
                "group_id": group.pk,
                "enrolment_id": member.enrolment_id,
                "role": member.role,
                "score": member.score,
                "person_id": person.pk,
                "name": person.name,
                "department": person.department,
                "location": person.location,
            }


def test_a_group_with_no_one_left_has_an_empty_list(admin: Any, org_a: Any) -> None:
    programme, _enrolments = _programme(org_a, admin, "peer_pairs", _people(org_a, 4))
    run = draft_run(programme, admin)
    emptied = MatchGroup.objects.filter(run=run).order_by("number").first()
    assert emptied is not None
    MatchGroupMember.objects.filter(group=emptied).delete()
    members = match_group_members(groups=list(match_run_groups(run=run)))
    assert members[emptied.pk] == []
    assert match_group_members(groups=[]) == {}
