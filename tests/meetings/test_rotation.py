"""Circle facilitation: the least-facilitated member leads, apologies are skipped."""

from __future__ import annotations

import random
from collections import Counter
from typing import Any

from django.urls import reverse

from alongside.meetings import rotation
from alongside.meetings.models import Agreement, Attendance, Meeting
from alongside.meetings.selectors import facilitation_for, facilitators_by_meeting
from alongside.meetings.services import agreement_update, meeting_facilitator_set
from tests.meetings.conftest import Group
from tests.meetings.factories import attend, meeting


def test_the_least_facilitated_leads_ties_by_order() -> None:
    assert rotation.next_facilitator([3, 1, 2], {}) == 3
    assert rotation.next_facilitator([3, 1, 2], {3: 1}) == 1
    assert rotation.next_facilitator([3, 1, 2], {3: 1, 1: 1}) == 2
    assert rotation.next_facilitator([3, 1, 2], {3: 1, 1: 1, 2: 1}) == 3


def test_it_skips_members_who_sent_apologies() -> None:
    assert rotation.next_facilitator([1, 2, 3], {}, unavailable={1}) == 2
    assert rotation.next_facilitator([1, 2, 3], {}, unavailable={1, 2, 3}) is None


def test_six_members_over_thirty_meetings_share_turns_within_one() -> None:
    order = [10, 11, 12, 13, 14, 15]
    counts: Counter[int] = Counter()
    rng = random.Random(7)
    for _ in range(30):
        away = {rng.choice(order)} if rng.random() < 0.3 else set()
        pick = rotation.next_facilitator(order, counts, away)
        assert pick is not None
        assert pick not in away
        counts[pick] += 1
        assert max(counts[m] for m in order) - min(counts[m] for m in order) <= 1
    assert sum(counts.values()) == 30
    assert all(counts[m] == 5 for m in order)


def test_airtime_is_an_equal_share_after_check_in_and_close() -> None:
    assert rotation.airtime_minutes(90, 6) == 12  # (90 - 15) // 6
    assert rotation.airtime_minutes(45, 2) == 15
    assert rotation.airtime_minutes(20, 4) == 2  # never less than half the session
    assert rotation.airtime_minutes(45, 0) == 0


def test_focus_order_puts_the_longest_waiting_first() -> None:
    order = [1, 2, 3, 4]
    history = [{1}, {2}, set()]  # most recent first: 1 had focus last time, 2 before that
    turns = rotation.focus_order(order, history)
    assert [t.member for t in turns] == [3, 4, 2, 1]
    assert [t.meetings_since_focus for t in turns] == [None, None, 1, 0]


def test_rotation_over_thirty_stored_meetings_is_fair(circle: Group) -> None:
    """Through the database: 30 meetings, random apologies, counts within one."""
    rng = random.Random(11)
    meetings = [meeting(circle.relationship, n) for n in range(1, 31)]
    away: dict[int, set[int]] = {}
    for item in meetings:
        if rng.random() < 0.4:
            absent = rng.choice(circle.members)
            attend(item, absent, Attendance.Status.APOLOGIES)
            away[item.pk] = {absent.pk}
    chosen = facilitators_by_meeting(relationship=circle.relationship)
    for item in meetings:
        assert chosen[item.pk] is not None
        assert chosen[item.pk] not in away.get(item.pk, set())
    counts = Counter(chosen.values())
    assert max(counts.values()) - min(counts[m.pk] for m in circle.members) <= 1
    assert sum(counts.values()) == 30


def test_cancelled_meetings_take_no_turn_and_hand_picked_ones_count(circle: Group) -> None:
    first = meeting(circle.relationship, 1)
    meeting(circle.relationship, 2, status=Meeting.Status.CANCELLED)
    third = meeting(circle.relationship, 3)
    chosen = facilitators_by_meeting(relationship=circle.relationship)
    assert list(chosen) == [first.pk, third.pk]
    assert chosen[first.pk] == circle.members[0].pk
    assert chosen[third.pk] == circle.members[1].pk
    # Member 3 takes the first meeting by hand: the turn is theirs, and member 1 follows.
    meeting_facilitator_set(
        meeting=first,
        member=circle.members[0],
        facilitator=circle.members[2],
        actor=circle.users[0],
    )
    chosen = facilitators_by_meeting(relationship=circle.relationship)
    assert chosen[first.pk] == circle.members[2].pk
    assert chosen[third.pk] == circle.members[0].pk


def test_a_fixed_facilitator_leads_unless_they_send_apologies(circle: Group) -> None:
    agreement_update(
        member=circle.members[0],
        actor=circle.users[0],
        facilitation=Agreement.Facilitation.FIXED,
        fixed_facilitator=circle.members[3],
    )
    first, second = meeting(circle.relationship, 1), meeting(circle.relationship, 2)
    attend(second, circle.members[3], Attendance.Status.APOLOGIES)
    chosen = facilitators_by_meeting(relationship=circle.relationship)
    assert chosen[first.pk] == circle.members[3].pk
    assert chosen[second.pk] == circle.members[0].pk


def test_the_facilitator_view_lists_airtime_and_who_waited_for_focus(
    circle: Group, client_for: Any
) -> None:
    earlier = meeting(circle.relationship, 1, status=Meeting.Status.HELD)
    for index, member in enumerate(circle.members):
        attend(earlier, member, Attendance.Status.ATTENDED, had_focus=index in (0, 1))
    current = meeting(circle.relationship, 2)
    attend(current, circle.members[5], Attendance.Status.APOLOGIES)
    view = facilitation_for(meeting=current)
    assert view.facilitator == circle.members[1]  # member 0 facilitated meeting 1
    assert view.present == 5
    assert view.airtime_minutes == (45 - 15) // 5
    assert [line.member for line in view.focus[:4]] == circle.members[2:6]
    assert view.focus[-1].meetings_since_focus == 0

    facilitator = client_for(circle.users[1])
    body = facilitator.get(reverse("meetings:meeting", args=["acme", current.pk])).content.decode()
    assert "Your view as facilitator" in body
    assert "6 minutes" in body
    assert "no focus time in recent meetings" in body
    others = (
        client_for(circle.users[2])
        .get(reverse("meetings:meeting", args=["acme", current.pk]))
        .content.decode()
    )
    assert "Your view as facilitator" not in others
    assert "Circle Member 1</strong> facilitates" in others
    relationship_page = facilitator.get(
        reverse("meetings:relationship", args=["acme", circle.relationship.pk])
    ).content.decode()
    assert "You facilitate it." in relationship_page


def test_the_facilitator_marks_focus_time(circle: Group, client_for: Any) -> None:
    current = meeting(circle.relationship, 1)
    response = client_for(circle.users[0]).post(
        reverse("meetings:focus", args=["acme", current.pk]),
        {"member_id": circle.members[4].pk, "had_focus": "1"},
    )
    assert response.status_code == 302
    assert Attendance.objects.get(meeting=current, member=circle.members[4]).had_focus


def test_pairs_have_no_facilitator(pair: Group, api_for: Any) -> None:
    response = api_for(pair.users[0]).get(
        f"/api/v1/organisations/acme/meetings/{pair.meetings[0].pk}/facilitation"
    )
    assert response.status_code == 404
