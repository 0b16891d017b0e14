"""Notes: shared ones for the members, private ones for their author, never for managers."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse

from alongside.audit.models import AuditEvent
from alongside.core.errors import AlongsideError
from alongside.meetings.models import Note
from alongside.meetings.services import note_create
from tests.meetings.conftest import Group
from tests.meetings.factories import participant, relationship_with

SHARED, PRIVATE, OTHERS_PRIVATE = "SHARED-TEXT-41", "MY-SECRET-17", "KAVYA-SECRET-99"


@pytest.fixture
def notes(pair: Group) -> Group:
    meeting = pair.meetings[0]
    me, other = pair.members
    note_create(meeting=meeting, author=me, visibility="shared", body=SHARED, actor=pair.users[0])
    note_create(meeting=meeting, author=me, visibility="private", body=PRIVATE, actor=pair.users[0])
    note_create(
        meeting=meeting,
        author=other,
        visibility="private",
        body=OTHERS_PRIVATE,
        actor=pair.users[1],
    )
    return pair


def _page(client: Any, group: Group) -> Any:
    return client.get(reverse("meetings:meeting", args=["acme", group.meetings[0].pk]))


def _api(api: Any, group: Group, suffix: str = "") -> Any:
    return api.get(f"/api/v1/organisations/acme/meetings/{group.meetings[0].pk}{suffix}")


def test_a_member_reads_shared_notes_and_only_their_own_private_ones(
    notes: Group, client_for: Any, api_for: Any
) -> None:
    body = _page(client_for(notes.users[0]), notes).content.decode()
    assert SHARED in body
    assert PRIVATE in body
    assert OTHERS_PRIVATE not in body
    listed = _api(api_for(notes.users[0]), notes, "/notes").json()["items"]
    assert sorted(n["body"] for n in listed) == sorted([SHARED, PRIVATE])


def test_the_other_member_reads_the_shared_note_but_not_my_private_one(
    notes: Group, client_for: Any, api_for: Any
) -> None:
    body = _page(client_for(notes.users[1]), notes).content.decode()
    assert SHARED in body
    assert OTHERS_PRIVATE in body
    assert PRIVATE not in body
    detail = _api(api_for(notes.users[1]), notes).json()
    assert sorted(n["body"] for n in detail["my_notes_and_shared"]) == sorted(
        [SHARED, OTHERS_PRIVATE]
    )


@pytest.mark.parametrize("role", ["manager", "admin"])
def test_managers_and_admins_see_that_notes_exist_and_when_never_what(
    role: str, notes: Group, cast: dict[str, Any], client_for: Any, api_for: Any
) -> None:
    user = cast[role]
    client = client_for(user)
    meeting_page = _page(client, notes)
    assert meeting_page.status_code == 200
    relationship_page = client.get(
        reverse("meetings:relationship", args=["acme", notes.relationship.pk])
    )
    for response in (meeting_page, relationship_page):
        body = response.content.decode()
        assert "3 notes" in body
        for text in (SHARED, PRIVATE, OTHERS_PRIVATE):
            assert text not in body
    api = api_for(user)
    detail = _api(api, notes)
    assert detail.status_code == 200
    assert detail.json()["notes"]["count"] == 3
    assert len(detail.json()["notes"]["dates"]) == 3
    assert detail.json()["my_notes_and_shared"] is None
    for text in (SHARED, PRIVATE, OTHERS_PRIVATE):
        assert text not in detail.content.decode()
    assert _api(api, notes, "/notes").status_code == 403
    listed = api.get(f"/api/v1/organisations/acme/relationships/{notes.relationship.pk}/meetings")
    assert listed.json()["items"][0]["notes"]["count"] == 3


def test_a_manager_of_another_programme_and_other_participants_get_404(
    notes: Group, org_a: Any, client_for: Any, api_for: Any
) -> None:
    stranger = participant(org_a, "Someone Else")
    relationship_with(notes.programme, [stranger], name="Another pair")
    assert _page(client_for(stranger), notes).status_code == 404
    assert _api(api_for(stranger), notes, "/notes").status_code == 404
    assert _api(api_for(stranger), notes).status_code == 404


def test_outsiders_get_404_everywhere(
    notes: Group, outsider: Any, client_for: Any, api_for: Any
) -> None:
    assert _page(client_for(outsider), notes).status_code == 404
    assert _api(api_for(outsider), notes, "/notes").status_code == 404
    other_slug = api_for(outsider).get(
        f"/api/v1/organisations/other/meetings/{notes.meetings[0].pk}/notes"
    )
    assert other_slug.status_code == 404


def test_a_member_who_left_keeps_only_what_was_written_while_they_were_there(
    notes: Group, client_for: Any
) -> None:
    me = notes.members[0]
    me.is_active = False
    me.left_at = notes.meetings[0].starts_at + timedelta(days=1)
    me.save()
    Note.objects.create(
        meeting=notes.meetings[0],
        author=notes.members[1],
        visibility="shared",
        body="AFTER-YOU-LEFT",
        created_at=me.left_at + timedelta(minutes=5),
    )
    body = _page(client_for(notes.users[0]), notes).content.decode()
    assert SHARED in body
    assert "AFTER-YOU-LEFT" not in body
    assert "You have left this relationship" in body
    # The meeting after they left is not theirs to open.
    later = client_for(notes.users[0]).get(
        reverse("meetings:meeting", args=["acme", notes.meetings[1].pk])
    )
    assert later.status_code == 404


def test_only_the_author_edits_or_deletes_a_note(
    notes: Group, client_for: Any, api_for: Any
) -> None:
    mine = Note.objects.get(body=PRIVATE)
    theirs = Note.objects.get(body=OTHERS_PRIVATE)
    meeting = notes.meetings[0]
    base = f"/api/v1/organisations/acme/meetings/{meeting.pk}/notes"
    other_api = api_for(notes.users[1])
    assert other_api.patch(f"{base}/{mine.pk}", {"body": "hijack"}).status_code == 404
    assert other_api.delete(f"{base}/{mine.pk}").status_code == 404
    other_client = client_for(notes.users[1])
    assert (
        other_client.get(reverse("meetings:note_edit", args=["acme", meeting.pk, mine.pk]))
    ).status_code == 404
    mine.refresh_from_db()
    assert mine.body == PRIVATE

    api = api_for(notes.users[0])
    changed = api.patch(f"{base}/{mine.pk}", {"visibility": "shared"})
    assert changed.status_code == 200
    assert changed.json()["visibility"] == "shared"
    assert AuditEvent.objects.filter(action="note.shared", data__note_id=mine.pk).count() == 1
    assert api.delete(f"{base}/{theirs.pk}").status_code == 404
    assert api.delete(f"{base}/{mine.pk}").status_code == 204
    assert not Note.objects.filter(pk=mine.pk).exists()


def test_adding_a_note_with_htmx_returns_the_notes_panel(pair: Group, client_for: Any) -> None:
    url = reverse("meetings:note_add", args=["acme", pair.meetings[0].pk])
    response = client_for(pair.users[0]).post(
        url, {"body": "We agreed to swap books", "visibility": "shared"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith('<section aria-labelledby="notes-heading"')
    assert "We agreed to swap books" in body
    empty = client_for(pair.users[0]).post(
        url, {"body": "", "visibility": "shared"}, HTTP_HX_REQUEST="true"
    )
    assert "This field is required." in empty.content.decode()
    assert Note.objects.count() == 1


def test_the_audit_trail_never_holds_note_text(notes: Group) -> None:
    events = AuditEvent.objects.filter(action__startswith="note.")
    assert {e.action for e in events} == {"note.shared", "note.added_private"}
    for event in events:
        for text in (SHARED, PRIVATE, OTHERS_PRIVATE):
            assert text not in str(event.data)
            assert text not in event.target_label


def test_notes_are_validated_and_closed_relationships_are_read_only(pair: Group) -> None:
    me = pair.members[0]
    with pytest.raises(AlongsideError) as caught:
        note_create(
            meeting=pair.meetings[0], author=me, visibility="public", body=" ", actor=pair.users[0]
        )
    assert {p.field for p in caught.value.problems} == {"body", "visibility"}
    pair.relationship.status = "ended"
    pair.relationship.save()
    me.relationship.refresh_from_db()
    with pytest.raises(AlongsideError, match="has ended"):
        note_create(
            meeting=pair.meetings[0], author=me, visibility="shared", body="x", actor=pair.users[0]
        )


def test_a_programme_manager_of_another_programme_gets_404(
    notes: Group, org_a: Any, client_for: Any, api_for: Any
) -> None:
    from alongside.organisations.models import Membership, Role

    other_manager = participant(org_a, "Other Manager")
    Membership.objects.filter(user=other_manager).update(role=Role.PROGRAMME_MANAGER)
    assert _page(client_for(other_manager), notes).status_code == 404
    relationship = api_for(other_manager).get(
        f"/api/v1/organisations/acme/relationships/{notes.relationship.pk}"
    )
    assert relationship.status_code == 404


def test_the_django_admin_lists_notes_without_their_text(notes: Group, client_for: Any) -> None:
    from alongside.accounts.models import User

    staff = User.objects.create_superuser("root@acme.test", "pw")
    client = client_for(staff)
    listing = client.get("/admin/meetings/note/")
    assert listing.status_code == 200
    note = Note.objects.get(body=SHARED)
    detail = client.get(f"/admin/meetings/note/{note.pk}/change/")
    assert detail.status_code == 200
    for response in (listing, detail):
        for text in (SHARED, PRIVATE, OTHERS_PRIVATE):
            assert text not in response.content.decode()
    assert client.get("/admin/meetings/note/add/").status_code == 403
    assert client.get("/admin/meetings/meeting/").status_code == 200
    assert client.get("/admin/meetings/commitment/").status_code == 200
