"""The end point: continue or close at the checkpoint and at the end."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from alongside.audit.models import AuditEvent
from alongside.core.errors import AlongsideError
from alongside.meetings.models import ClosingChoice, Note
from alongside.meetings.selectors import closing_point
from alongside.meetings.services import (
    closing_choice_make,
    note_create,
    relationships_close_for_programme,
)
from alongside.relationships.models import Relationship
from tests.meetings.conftest import Group
from tests.meetings.factories import participant, relationship_with

CHECKPOINT = date(2030, 6, 1)


@pytest.fixture
def with_checkpoint(pair: Group) -> Group:
    pair.programme.checkpoint_date = CHECKPOINT
    pair.programme.save()
    return pair


def test_the_choice_opens_at_the_checkpoint_and_two_weeks_before_the_end(
    with_checkpoint: Group,
) -> None:
    programme = with_checkpoint.programme  # ends 31 Dec 2030
    assert closing_point(programme=programme, today=date(2030, 5, 31)) is None
    assert closing_point(programme=programme, today=CHECKPOINT) == "checkpoint"
    assert closing_point(programme=programme, today=date(2030, 12, 16)) == "checkpoint"
    assert closing_point(programme=programme, today=date(2030, 12, 17)) == "end"
    programme.stage = "closing"
    assert closing_point(programme=programme, today=date(2030, 2, 1)) == "end"
    programme.stage, programme.checkpoint_date = "running", None
    assert closing_point(programme=programme, today=date(2030, 7, 1)) is None


def test_nothing_to_decide_before_the_checkpoint(with_checkpoint: Group) -> None:
    with pytest.raises(AlongsideError, match="nothing to decide"):
        closing_choice_make(
            member=with_checkpoint.members[0],
            choice="continue",
            actor=with_checkpoint.users[0],
            today=date(2030, 3, 1),
        )


def test_a_pair_carries_on_when_both_continue(with_checkpoint: Group) -> None:
    for member, user in zip(with_checkpoint.members, with_checkpoint.users, strict=True):
        closing_choice_make(member=member, choice="continue", actor=user, today=CHECKPOINT)
    with_checkpoint.relationship.refresh_from_db()
    assert with_checkpoint.relationship.status == "active"


def test_a_pair_ends_when_one_closes_once_both_have_chosen(with_checkpoint: Group) -> None:
    me, other = with_checkpoint.members
    closing_choice_make(
        member=me,
        choice="close",
        reflection="Learned a lot",
        actor=with_checkpoint.users[0],
        today=CHECKPOINT,
    )
    with_checkpoint.relationship.refresh_from_db()
    assert with_checkpoint.relationship.status == "active"  # waits for everyone
    closing_choice_make(
        member=other, choice="continue", actor=with_checkpoint.users[1], today=CHECKPOINT
    )
    with_checkpoint.relationship.refresh_from_db()
    assert with_checkpoint.relationship.status == "ended"
    assert with_checkpoint.relationship.ended_at is not None
    event = AuditEvent.objects.get(action="relationship.ended")
    assert "fewer than two" in event.data["reason"]
    assert ClosingChoice.objects.get(member=me).reflection == "Learned a lot"


def test_a_circle_goes_on_with_those_who_continue(circle: Group) -> None:
    today = date(2030, 12, 20)  # within the end window
    for index, (member, user) in enumerate(zip(circle.members, circle.users, strict=True)):
        choice = "continue" if index < 2 else "close"
        closing_choice_make(member=member, choice=choice, actor=user, today=today)
    circle.relationship.refresh_from_db()
    assert circle.relationship.status == "active"
    active = set(circle.relationship.members.filter(is_active=True).values_list("pk", flat=True))
    assert active == {circle.members[0].pk, circle.members[1].pk}
    # When the programme closes, the two who continue keep their circle.
    assert relationships_close_for_programme(programme=circle.programme, actor=None) == 0
    circle.relationship.refresh_from_db()
    assert circle.relationship.status == "active"


def test_a_circle_with_one_continuing_ends(circle: Group) -> None:
    today = date(2030, 12, 20)
    for index, (member, user) in enumerate(zip(circle.members, circle.users, strict=True)):
        closing_choice_make(
            member=member, choice="continue" if index == 0 else "close", actor=user, today=today
        )
    circle.relationship.refresh_from_db()
    assert circle.relationship.status == "ended"


def test_closing_the_programme_ends_all_but_those_two_chose_to_continue(
    pair: Group, org_a: Any, manager: Any
) -> None:
    users = [participant(org_a, f"Peer {i}") for i in range(4)]
    kept, kept_members = relationship_with(pair.programme, users[:2], name="Kept")
    relationship_with(pair.programme, users[2:], name="Undecided")
    for member in kept_members:
        ClosingChoice.objects.create(
            relationship=kept, member=member, point="end", choice="continue"
        )
    ClosingChoice.objects.create(
        relationship=pair.relationship, member=pair.members[0], point="end", choice="continue"
    )
    ended = relationships_close_for_programme(programme=pair.programme, actor=manager)
    assert ended == 2
    statuses = dict(
        Relationship.objects.filter(programme=pair.programme).values_list("name", "status")
    )
    assert statuses == {"Kept": "active", "Undecided": "ended", "Relationship 1": "ended"}


def test_a_closed_relationship_stays_readable_but_read_only(
    pair: Group, client_for: Any, api_for: Any
) -> None:
    note_create(
        meeting=pair.meetings[0],
        author=pair.members[0],
        visibility="shared",
        body="OUR-HISTORY",
        actor=pair.users[0],
    )
    relationships_close_for_programme(programme=pair.programme, actor=None)
    client = client_for(pair.users[1])
    page = client.get(reverse("meetings:relationship", args=["acme", pair.relationship.pk]))
    assert page.status_code == 200
    assert "This relationship has ended" in page.content.decode()
    meeting_page = client.get(reverse("meetings:meeting", args=["acme", pair.meetings[0].pk]))
    body = meeting_page.content.decode()
    assert "OUR-HISTORY" in body
    assert "Add note" not in body
    assert 'action="/o/acme/mentoring/meetings/' not in body
    response = api_for(pair.users[1]).post(
        f"/api/v1/organisations/acme/meetings/{pair.meetings[0].pk}/notes", {"body": "late"}
    )
    assert response.status_code == 400
    assert response.json()["code"] == "relationship_ended"
    assert Note.objects.count() == 1


def test_the_closing_page_and_api(pair: Group, client_for: Any, api_for: Any) -> None:
    today = timezone.localdate()
    programme = pair.programme
    programme.start_date, programme.end_date = today - timedelta(days=90), today + timedelta(90)
    programme.checkpoint_date = today + timedelta(days=3)
    programme.save()
    url = reverse("meetings:closing", args=["acme", pair.relationship.pk])
    client = client_for(pair.users[0])
    assert "nothing to decide yet" in client.get(url).content.decode()
    programme.checkpoint_date = today
    programme.save()
    relationship_page = client.get(
        reverse("meetings:relationship", args=["acme", pair.relationship.pk])
    ).content.decode()
    assert "Checkpoint: continue or close?" in relationship_page
    response = client.post(url, {"choice": "continue", "reflection": "Good so far"})
    assert response.status_code == 302
    state = api_for(pair.users[1]).post(
        f"/api/v1/organisations/acme/relationships/{pair.relationship.pk}/closing",
        {"choice": "close"},
    )
    assert state.status_code == 200
    assert state.json()["relationship_status"] == "ended"
    assert state.json()["point"] == "checkpoint"
    assert state.json()["decided"] == 2


def test_managers_set_the_checkpoint_on_the_programme(
    pair: Group, manager: Any, client_for: Any, api_for: Any
) -> None:
    api = api_for(manager)
    url = f"/api/v1/organisations/acme/programmes/{pair.programme.pk}"
    response = api.patch(url, {"checkpoint_date": "2030-06-15"})
    assert response.status_code == 200
    assert response.json()["checkpoint_date"] == "2030-06-15"
    outside = api.patch(url, {"checkpoint_date": "2031-02-01"})
    assert outside.status_code == 400
    assert outside.json()["problems"][0]["field"] == "checkpoint_date"
    edit = client_for(manager).get(reverse("programmes:edit", args=["acme", pair.programme.pk]))
    assert 'name="checkpoint_date"' in edit.content.decode()
    assert 'value="2030-06-15"' in edit.content.decode()


def test_closing_the_programme_for_good_ends_its_relationships(pair: Group, manager: Any) -> None:
    from alongside.programmes.services import programme_transition

    pair.programme.stage = "closing"
    pair.programme.save()
    programme_transition(programme=pair.programme, actor=manager, to="closed")
    pair.relationship.refresh_from_db()
    assert pair.relationship.status == "ended"
    assert AuditEvent.objects.filter(
        action="relationship.ended", data__reason="the programme closed"
    ).exists()


def test_ending_a_relationship_refreshes_its_health(
    with_checkpoint: Group, django_capture_on_commit_callbacks: Any
) -> None:
    from alongside.health.models import RelationshipHealth

    with django_capture_on_commit_callbacks(execute=True):
        for member, user in zip(with_checkpoint.members, with_checkpoint.users, strict=True):
            closing_choice_make(member=member, choice="close", actor=user, today=CHECKPOINT)
    assert RelationshipHealth.objects.filter(relationship=with_checkpoint.relationship).exists()
