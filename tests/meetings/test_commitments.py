"""The accountability loop: one action per meeting, checked in on at a later one."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.urls import reverse

from alongside.core.errors import AlongsideError, Forbidden
from alongside.meetings.models import Commitment
from alongside.meetings.selectors import check_in_for, completion_stats
from alongside.meetings.services import commitment_check_in, commitment_make
from tests.meetings.conftest import Group
from tests.meetings.factories import meeting


def test_completion_rate_counts_reviewed_commitments_with_partly_as_half() -> None:
    stats = completion_stats(["done", "done", "partly", "dropped", "open", "open"])
    assert (stats.total, stats.reviewed, stats.open) == (6, 4, 2)
    assert stats.rate == 63  # (2 + 0.5) / 4 = 62.5 %, rounded half up
    assert completion_stats(["not_yet", "dropped"]).rate == 0
    assert completion_stats(["done"]).rate == 100
    assert completion_stats(["partly"]).rate == 50
    assert completion_stats(["open"]).rate is None
    assert completion_stats([]).rate is None


def test_an_unreviewed_commitment_is_carried_until_someone_reviews_it(pair: Group) -> None:
    me, other = pair.members
    first, second = pair.meetings
    third, fourth = meeting(pair.relationship, 3), meeting(pair.relationship, 4)
    mine = commitment_make(meeting=first, member=me, text="Ask for feedback", actor=pair.users[0])
    theirs = commitment_make(meeting=first, member=other, text="Delegate", actor=pair.users[1])
    commitment_check_in(
        commitment=theirs, meeting=second, member=other, status="done", actor=pair.users[1]
    )
    # Meeting 2: both are checked in on; mine is still open.
    assert [(c.pk, c.status) for c in check_in_for(meeting=second)] == [
        (mine.pk, "open"),
        (theirs.pk, "done"),
    ]
    # Meeting 3: mine is carried over a second time; theirs was settled at meeting 2.
    assert [(c.pk, c.status) for c in check_in_for(meeting=third)] == [(mine.pk, "open")]
    commitment_check_in(
        commitment=mine,
        meeting=third,
        member=me,
        status="partly",
        note="Asked two of four people",
        actor=pair.users[0],
    )
    assert [(c.pk, c.status) for c in check_in_for(meeting=third)] == [(mine.pk, "partly")]
    assert check_in_for(meeting=fourth) == []
    mine.refresh_from_db()
    assert (mine.reviewed_at_meeting, mine.review_note) == (third, "Asked two of four people")
    # A commitment is not checked in on at the meeting where it was made.
    assert check_in_for(meeting=first) == []


def test_only_the_author_checks_in_and_only_at_a_later_meeting(pair: Group) -> None:
    me, other = pair.members
    first, second = pair.meetings
    third = meeting(pair.relationship, 3)
    mine = commitment_make(meeting=second, member=me, text="Read the book", actor=pair.users[0])
    with pytest.raises(Forbidden):
        commitment_check_in(
            commitment=mine, meeting=third, member=other, status="done", actor=pair.users[1]
        )
    with pytest.raises(AlongsideError, match="later meeting"):
        commitment_check_in(
            commitment=mine, meeting=first, member=me, status="done", actor=pair.users[0]
        )
    with pytest.raises(AlongsideError, match="done, partly"):
        commitment_check_in(
            commitment=mine, meeting=third, member=me, status="open", actor=pair.users[0]
        )
    commitment_check_in(
        commitment=mine, meeting=third, member=me, status="not_yet", actor=pair.users[0]
    )
    # Changing one's mind at the same meeting is fine; at another meeting it is settled.
    commitment_check_in(
        commitment=mine, meeting=third, member=me, status="done", actor=pair.users[0]
    )
    fourth = meeting(pair.relationship, 4)
    with pytest.raises(AlongsideError, match="already checked in"):
        commitment_check_in(
            commitment=mine, meeting=fourth, member=me, status="dropped", actor=pair.users[0]
        )
    mine.refresh_from_db()
    assert mine.status == "done"


def test_one_commitment_per_meeting_reworded_until_reviewed(pair: Group) -> None:
    me = pair.members[0]
    first, second = pair.meetings
    made = commitment_make(meeting=first, member=me, text="Draft", actor=pair.users[0])
    again = commitment_make(
        meeting=first,
        member=me,
        text="Book a 1:1 with my lead",
        actor=pair.users[0],
        due_date=date(2030, 1, 14),
    )
    assert again.pk == made.pk
    assert Commitment.objects.get().text == "Book a 1:1 with my lead"
    commitment_check_in(
        commitment=made, meeting=second, member=me, status="done", actor=pair.users[0]
    )
    with pytest.raises(AlongsideError, match="already been checked in"):
        commitment_make(meeting=first, member=me, text="Change", actor=pair.users[0])


def test_commitments_are_validated(pair: Group) -> None:
    me = pair.members[0]
    with pytest.raises(AlongsideError) as caught:
        commitment_make(
            meeting=pair.meetings[1],
            member=me,
            text="Something",
            due_date=date(2029, 12, 1),
            actor=pair.users[0],
        )
    assert caught.value.problems[0].field == "due_date"
    with pytest.raises(AlongsideError) as empty:
        commitment_make(meeting=pair.meetings[1], member=me, text="  ", actor=pair.users[0])
    assert empty.value.problems[0].field == "text"
    assert not Commitment.objects.exists()


def test_the_meeting_page_opens_with_the_check_in(pair: Group, client_for: Any) -> None:
    me, other = pair.members
    first, second = pair.meetings
    commitment_make(meeting=first, member=me, text="MY-ACTION", actor=pair.users[0])
    theirs = commitment_make(meeting=first, member=other, text="THEIR-ACTION", actor=pair.users[1])
    client = client_for(pair.users[0])
    body = client.get(reverse("meetings:meeting", args=["acme", second.pk])).content.decode()
    assert body.index("Check-in on last time") < body.index("Guide:")
    assert "MY-ACTION" in body
    assert "THEIR-ACTION" in body
    assert body.count('name="status"') == 4  # one set of radios: only for my own
    response = client.post(
        reverse("meetings:check_in", args=["acme", second.pk, theirs.pk]), {"status": "done"}
    )
    assert response.status_code == 403
    mine = Commitment.objects.get(text="MY-ACTION")
    response = client.post(
        reverse("meetings:check_in", args=["acme", second.pk, mine.pk]),
        {"status": "done", "note": "Did it on Monday"},
    )
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.status == "done"
    commit = client.post(
        reverse("meetings:commit", args=["acme", second.pk]),
        {"text": "Shadow a senior manager", "due_date": "2030-01-28"},
    )
    assert commit.status_code == 302
    assert Commitment.objects.get(made_at=second, member=me).due_date == date(2030, 1, 28)


def test_the_relationship_page_shows_my_history_and_rate(pair: Group, client_for: Any) -> None:
    me = pair.members[0]
    first, second = pair.meetings
    made = commitment_make(meeting=first, member=me, text="FIRST-ACTION", actor=pair.users[0])
    commitment_check_in(
        commitment=made, meeting=second, member=me, status="partly", actor=pair.users[0]
    )
    commitment_make(meeting=second, member=me, text="SECOND-ACTION", actor=pair.users[0])
    body = (
        client_for(pair.users[0])
        .get(reverse("meetings:relationship", args=["acme", pair.relationship.pk]))
        .content.decode()
    )
    assert "FIRST-ACTION" in body
    assert "SECOND-ACTION" in body
    assert "50%" in body


def test_the_api_commits_checks_in_and_reports_the_rate(
    pair: Group, api_for: Any, manager: Any
) -> None:
    first, second = pair.meetings
    api = api_for(pair.users[0])
    made = api.post(
        f"/api/v1/organisations/acme/meetings/{first.pk}/commitment",
        {"text": "Write the proposal", "due_date": "2030-01-10"},
    )
    assert made.status_code == 200
    assert made.json()["status"] == "open"
    checked = api.post(
        f"/api/v1/organisations/acme/meetings/{second.pk}/check-ins",
        {"commitment_id": made.json()["id"], "status": "done", "note": "Sent"},
    )
    assert checked.status_code == 200
    assert checked.json()["reviewed_at_meeting_id"] == second.pk
    history = api.get(
        f"/api/v1/organisations/acme/relationships/{pair.relationship.pk}/commitments"
    ).json()
    assert history["stats"]["completion_rate"] == 100
    assert [c["text"] for c in history["commitments"]] == ["Write the proposal"]
    bad = api.post(
        f"/api/v1/organisations/acme/meetings/{second.pk}/check-ins",
        {"commitment_id": made.json()["id"], "status": "maybe"},
    )
    assert bad.status_code == 400
    # The manager sees the status, not the text.
    seen = api_for(manager).get(f"/api/v1/organisations/acme/meetings/{second.pk}").json()
    assert seen["check_in"][0]["status"] == "done"
    assert seen["check_in"][0]["text"] is None
    assert seen["check_in"][0]["review_note"] is None
    overview = (
        api_for(manager)
        .get(f"/api/v1/organisations/acme/relationships/{pair.relationship.pk}")
        .json()
    )
    assert overview["viewer"] == "manager"
    assert overview["commitment_stats"][0]["done"] == 1
    assert overview["agreement"] is None


def test_checking_in_with_htmx_returns_the_check_in_section(pair: Group, client_for: Any) -> None:
    first, second = pair.meetings
    mine = commitment_make(meeting=first, member=pair.members[0], text="Step", actor=pair.users[0])
    response = client_for(pair.users[0]).post(
        reverse("meetings:check_in", args=["acme", second.pk, mine.pk]),
        {"status": "not_yet", "note": "Ran out of time"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith('<section aria-labelledby="check-in-heading"')
    assert "Not yet" in body
    assert "Ran out of time" in body
    assert "your check-in is recorded" in body
    assert 'name="status"' not in body
