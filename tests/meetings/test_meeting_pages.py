"""The member and manager pages of a relationship and its meetings."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from alongside.meetings.guides import DEFAULT_GUIDES
from alongside.meetings.models import Attendance, Meeting
from alongside.meetings.services import commitment_make, goals_set, note_create
from tests.meetings.conftest import Group
from tests.meetings.factories import attend, meeting


def test_my_mentoring_links_to_the_relationship_page(pair: Group, client_for: Any) -> None:
    body = client_for(pair.users[0]).get(reverse("meetings:mine", args=["acme"]))
    url = reverse("meetings:relationship", args=["acme", pair.relationship.pk])
    assert url in body.content.decode()


def test_the_relationship_page_shows_the_next_meeting_with_guide_and_commitments(
    pair: Group, client_for: Any
) -> None:
    first, second = pair.meetings
    first.status = Meeting.Status.HELD
    first.save()
    commitment_make(meeting=first, member=pair.members[1], text="KAVYA-STEP", actor=pair.users[1])
    goals_set(member=pair.members[0], goals=["Delegation"], actor=pair.users[0])
    body = (
        client_for(pair.users[0])
        .get(reverse("meetings:relationship", args=["acme", pair.relationship.pk]))
        .content.decode()
    )
    assert "Kavya Peer" in body
    assert reverse("meetings:meeting", args=["acme", second.pk]) in body
    assert f"Guide: {DEFAULT_GUIDES['peer_pairs'][2].title}" in body
    assert "KAVYA-STEP" in body
    assert "Delegation" in body
    assert "Asia/Kolkata" in body  # times in the viewer's zone
    assert "14:30" in body  # 09:00 UTC in India
    assert "Meeting 1" in body


def test_the_manager_view_shows_meetings_attendance_and_counts_only(
    pair: Group, manager: Any, client_for: Any
) -> None:
    first = pair.meetings[0]
    attend(first, pair.members[0], Attendance.Status.ATTENDED)
    attend(first, pair.members[1], Attendance.Status.APOLOGIES)
    note_create(
        meeting=first,
        author=pair.members[0],
        visibility="shared",
        body="NOTE-TEXT",
        actor=pair.users[0],
    )
    commitment_make(meeting=first, member=pair.members[0], text="ACTION-TEXT", actor=pair.users[0])
    goals_set(member=pair.members[0], goals=["GOAL-TEXT"], actor=pair.users[0])
    client = client_for(manager)
    page = client.get(reverse("meetings:relationship", args=["acme", pair.relationship.pk]))
    body = page.content.decode()
    assert page.status_code == 200
    assert "1 attended, 1 apologies" in body
    assert "1 note," in body
    for text in ("NOTE-TEXT", "ACTION-TEXT", "GOAL-TEXT"):
        assert text not in body
    meeting_page = client.get(reverse("meetings:meeting", args=["acme", first.pk])).content.decode()
    assert "Will miss it" in meeting_page
    assert "1 member committed to an action" in meeting_page
    for text in ("NOTE-TEXT", "ACTION-TEXT"):
        assert text not in meeting_page
    # Managers only read: member actions are refused.
    response = client.post(
        reverse("meetings:note_add", args=["acme", first.pk]), {"body": "x", "visibility": "shared"}
    )
    assert response.status_code == 403


def test_the_published_relationships_list_links_managers_to_the_overview(
    pair: Group, manager: Any, client_for: Any
) -> None:
    url = reverse("matches:relationships", args=["acme", pair.programme.pk])
    body = client_for(manager).get(url).content.decode()
    assert reverse("meetings:relationship", args=["acme", pair.relationship.pk]) in body


def _queries(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_page_and_api_queries_do_not_grow_with_meetings(
    pair: Group, manager: Any, client_for: Any, api_for: Any
) -> None:
    member = client_for(pair.users[0])
    boss = client_for(manager)
    page = reverse("meetings:relationship", args=["acme", pair.relationship.pk])
    api = f"/api/v1/organisations/acme/relationships/{pair.relationship.pk}/meetings"
    api_client = api_for(pair.users[0])
    api_client.get(api)  # the token's first use records when it was last used
    before = (_queries(member, page), _queries(boss, page), _queries(api_client, api))
    for number in range(3, 13):
        item = meeting(pair.relationship, number)
        attend(item, pair.members[0], Attendance.Status.ATTENDED)
        commitment_make(meeting=item, member=pair.members[0], text="x", actor=pair.users[0])
        note_create(
            meeting=item, author=pair.members[1], visibility="shared", body="y", actor=pair.users[1]
        )
    after = (_queries(member, page), _queries(boss, page), _queries(api_client, api))
    assert after == before


def test_the_api_meeting_detail_carries_the_guide_and_check_in(pair: Group, api_for: Any) -> None:
    first, second = pair.meetings
    commitment_make(meeting=first, member=pair.members[0], text="Step", actor=pair.users[0])
    detail = api_for(pair.users[1]).get(f"/api/v1/organisations/acme/meetings/{second.pk}").json()
    assert detail["guide"]["meeting_number"] == 2
    assert detail["guide"]["title"] == DEFAULT_GUIDES["peer_pairs"][2].title
    assert [c["text"] for c in detail["check_in"]] == ["Step"]
    assert detail["facilitation"] is None
    relationship = (
        api_for(pair.users[1])
        .get(f"/api/v1/organisations/acme/relationships/{pair.relationship.pk}")
        .json()
    )
    assert relationship["viewer"] == "member"
    assert relationship["next_meeting_id"] == first.pk
    assert [m["name"] for m in relationship["members"]] == ["Ravi Member", "Kavya Peer"]


def test_managers_opening_a_members_form_go_back_to_the_overview(
    pair: Group, manager: Any, client_for: Any
) -> None:
    client = client_for(manager)
    overview = reverse("meetings:relationship", args=["acme", pair.relationship.pk])
    for name in ("meetings:agreement", "meetings:closing"):
        response = client.get(reverse(name, args=["acme", pair.relationship.pk]))
        assert (response.status_code, response["Location"]) == (302, overview)
        assert client.post(reverse(name, args=["acme", pair.relationship.pk])).status_code == 403


def test_my_mentoring_shows_the_next_meeting_and_my_open_action(
    pair: Group, circle: Group, client_for: Any
) -> None:
    from alongside.meetings.selectors import mentoring_summaries
    from alongside.organisations.models import Membership

    commitment_make(
        meeting=pair.meetings[0], member=pair.members[0], text="OPEN-ACTION", actor=pair.users[0]
    )
    client = client_for(pair.users[0])
    url = reverse("meetings:mine", args=["acme"])
    body = client.get(url).content.decode()
    assert reverse("meetings:meeting", args=["acme", pair.meetings[0].pk]) in body
    assert "OPEN-ACTION" in body
    assert "none scheduled" in body  # the circle has no meeting yet
    membership = Membership.objects.get(user=pair.users[0])
    summaries = mentoring_summaries(
        membership=membership, relationships=[pair.relationship, circle.relationship]
    )
    assert summaries[pair.relationship.pk].next_meeting == pair.meetings[0]
    assert summaries[circle.relationship.pk].next_meeting is None
    before = _queries(client, url)
    for number in (1, 2, 3):
        meeting(circle.relationship, number)
    assert _queries(client, url) == before


def test_meeting_page_and_notes_api_queries_do_not_grow_with_notes(
    circle: Group, manager: Any, client_for: Any, api_for: Any
) -> None:
    first = meeting(circle.relationship, 1)
    second = meeting(circle.relationship, 2)
    page = reverse("meetings:meeting", args=["acme", second.pk])
    api = f"/api/v1/organisations/acme/meetings/{second.pk}/notes"
    member = client_for(circle.users[0])
    boss = client_for(manager)
    api_client = api_for(circle.users[0])
    api_client.get(api)  # the token's first use records when it was last used
    before = (_queries(member, page), _queries(boss, page), _queries(api_client, api))
    for index, (author, user) in enumerate(zip(circle.members, circle.users, strict=True)):
        commitment_make(meeting=first, member=author, text=f"Act {index}", actor=user)
        commitment_make(meeting=second, member=author, text=f"Next {index}", actor=user)
        for visibility in ("shared", "private"):
            note_create(meeting=second, author=author, visibility=visibility, body="n", actor=user)
    after = (_queries(member, page), _queries(boss, page), _queries(api_client, api))
    assert after == before
