"""The relationship and meeting pages agree with themselves: one rhythm, one 'Meeting 3',
a calendar file per meeting, guidance for mentors and a hand-over for an absent facilitator."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from alongside.meetings.models import Agreement, Attendance, Meeting
from alongside.relationships.models import RelationshipMember
from alongside.scheduling.services import schedule_accept, schedules_propose
from tests.meetings.conftest import Group
from tests.meetings.factories import meeting, participant, programme_for, relationship_with


def _page(client: Any, name: str, *args: int) -> str:
    response = client.get(reverse(name, args=["acme", *args]))
    assert response.status_code == 200
    return response.content.decode()


def test_accepting_the_meeting_time_agrees_the_rhythm(pair: Group, client_for: Any) -> None:
    (schedule,) = schedules_propose(relationships=[pair.relationship])
    body = _page(client_for(pair.users[0]), "meetings:relationship", pair.relationship.pk)
    assert "not agreed yet" in body
    for member, user in zip(pair.members, pair.users, strict=True):
        schedule = schedule_accept(schedule=schedule, member=member, actor=user)
    agreement = Agreement.objects.get(relationship=pair.relationship)
    assert agreement.rhythm_confirmed
    assert agreement.confirmed_at is not None
    body = _page(client_for(pair.users[0]), "meetings:relationship", pair.relationship.pk)
    assert "not agreed yet" not in body
    assert "not confirmed yet" not in body
    assert "— agreed on" in body


def test_a_cancelled_meeting_does_not_share_the_number_of_the_one_that_replaced_it(
    pair: Group, client_for: Any
) -> None:
    first, second = pair.meetings
    Meeting.objects.filter(pk=first.pk).update(status=Meeting.Status.HELD)
    Meeting.objects.filter(pk=second.pk).update(
        status=Meeting.Status.CANCELLED, cancelled_reason="Off sick"
    )
    replacement = meeting(pair.relationship, 2, starts_at=second.starts_at + timedelta(days=2))
    body = _page(client_for(pair.users[0]), "meetings:relationship", pair.relationship.pk)
    assert body.count(">Meeting 2</a>") == 1
    assert "Off sick" in body
    cancelled = _page(client_for(pair.users[0]), "meetings:meeting", second.pk)
    assert "<h1>Cancelled meeting" in cancelled
    assert "<h1>Meeting 2" in _page(client_for(pair.users[0]), "meetings:meeting", replacement.pk)


def test_each_meeting_has_a_calendar_file_for_its_members(
    pair: Group, client_for: Any, api_for: Any, client: Any
) -> None:
    soon = (timezone.now() + timedelta(days=3)).replace(microsecond=0)
    upcoming = meeting(pair.relationship, 3, starts_at=soon)
    url = reverse("scheduling:meeting_ics", args=["acme", upcoming.pk])
    assert url in _page(client_for(pair.users[0]), "meetings:meeting", upcoming.pk)
    response = client_for(pair.users[0]).get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert "attachment;" in response["Content-Disposition"]
    (event,) = Calendar.from_ical(response.content).walk("VEVENT")
    assert str(event["UID"]) == upcoming.uid
    assert str(event["SUMMARY"]).startswith(f"{pair.relationship.name}: meeting 3")
    assert event.decoded("DTSTART") == upcoming.starts_at
    api = api_for(pair.users[1]).get(
        f"/api/v1/organisations/acme/meetings/{upcoming.pk}/calendar.ics"
    )
    assert api.status_code == 200
    assert upcoming.uid.encode() in api.content
    stranger = participant(pair.programme.organisation, "Stranger Danger")
    assert client_for(stranger).get(url).status_code == 404


def test_a_mentor_gets_guidance_for_the_meeting(org_a: Any, client_for: Any) -> None:
    programme = programme_for(org_a, "one_to_one")
    mentee, mentor = participant(org_a, "Rohan K"), participant(org_a, "Zoë W")
    relationship, members = relationship_with(programme, [mentee, mentor], name="Rohan & Zoë")
    RelationshipMember.objects.filter(pk=members[1].pk).update(role="mentor")
    first = meeting(relationship, 1)
    body = _page(client_for(mentor), "meetings:meeting", first.pk)
    assert "For you as mentor" in body
    assert "Listen more than you speak" in body
    assert "For you as mentor" not in _page(client_for(mentee), "meetings:meeting", first.pk)


def test_a_facilitator_who_sends_apologies_is_asked_to_hand_over(
    circle: Group, client_for: Any
) -> None:
    upcoming = meeting(circle.relationship, 1, starts_at=timezone.now() + timedelta(days=2))
    me = circle.members[0]
    Meeting.objects.filter(pk=upcoming.pk).update(facilitator=me)
    client = client_for(circle.users[0])
    response = client.post(
        reverse("scheduling:meeting_apologies", args=["acme", upcoming.pk]),
        {"next": reverse("meetings:meeting", args=["acme", upcoming.pk])},
        follow=True,
    )
    body = response.content.decode()
    assert "Under Facilitation you can hand over" in body
    assert "You are down to facilitate, but you have sent apologies." in body
    assert 'id="handover-to"' in body
    assert f'value="{me.pk}"' not in body.split('id="handover-to"')[1].split("</select>")[0]
    # Handing over to the next member settles it.
    client.post(
        reverse("meetings:facilitator", args=["acme", upcoming.pk]),
        {"member_id": circle.members[1].pk},
    )
    body = _page(client, "meetings:meeting", upcoming.pk)
    assert "You are down to facilitate" not in body
    assert "facilitates this meeting instead" in body
    assert Attendance.objects.get(meeting=upcoming, member=me).status == "apologies"
