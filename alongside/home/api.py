"""What is next for me, over the API: the same as the home page."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router

from alongside.core.schemas import ERRORS, Schema
from alongside.home.progress import programme_progress
from alongside.home.selectors import participant_home, programmes_to_show
from alongside.meetings.selectors import viewer_zone
from alongside.organisations.api_auth import membership_for
from alongside.programmes.selectors import programmes_managed

router = Router(tags=["home"])


class NextStepOut(Schema):
    kind: str
    title: str
    detail: str
    url: str
    action: str
    programme: str
    when: datetime | None


class UpcomingOut(Schema):
    relationship_id: int
    relationship_name: str
    meeting_id: int
    meeting_number: int
    starts_at: datetime
    with_whom: str
    you_facilitate: bool


class MenteeOut(Schema):
    relationship_id: int
    relationship_name: str
    next_meeting_id: int | None
    guide_title: str
    mentor_tips: list[str]


class MentorPlaceOut(Schema):
    programme_id: int
    programme_name: str
    capacity: int
    taken: int
    mentees: list[MenteeOut]


class StepOut(Schema):
    key: str
    label: str
    state: str
    url: str
    note: str


class NeedOut(Schema):
    text: str
    url: str
    action: str
    urgent: bool


class ProgrammeProgressOut(Schema):
    programme_id: int
    name: str
    stage: str
    steps: list[StepOut]
    needs: list[NeedOut]


class HomeOut(Schema):
    next_steps: list[NextStepOut]
    upcoming: list[UpcomingOut]
    mentor_places: list[MentorPlaceOut]
    programmes: list[ProgrammeProgressOut]


@router.get(
    "/{org_slug}/home",
    response={200: HomeOut, **ERRORS},
    summary="What is next for me: steps, meetings, mentees and the programmes I run",
)
def my_home(request: HttpRequest, org_slug: str) -> Any:
    membership = membership_for(request, org_slug)
    home = participant_home(membership=membership, zone=viewer_zone(membership=membership))
    managed = programmes_to_show(programmes=list(programmes_managed(membership=membership)))
    progress = programme_progress(programmes=managed, organisation_slug=org_slug)
    return {
        "next_steps": [vars(step) for step in home.steps],
        "upcoming": [
            {
                "relationship_id": r.relationship.pk,
                "relationship_name": r.relationship.name,
                "meeting_id": r.next_meeting.pk,
                "meeting_number": r.next_meeting.number,
                "starts_at": r.next_meeting.starts_at,
                "with_whom": r.with_whom,
                "you_facilitate": r.facilitates_next,
            }
            for r in home.upcoming
            if r.next_meeting is not None
        ],
        "mentor_places": [
            {
                "programme_id": place.enrolment.programme_id,
                "programme_name": place.enrolment.programme.name,
                "capacity": place.enrolment.capacity,
                "taken": place.taken,
                "mentees": [
                    {
                        "relationship_id": r.relationship.pk,
                        "relationship_name": r.relationship.name,
                        "next_meeting_id": r.next_meeting.pk if r.next_meeting else None,
                        "guide_title": r.guide.title if r.guide else "",
                        "mentor_tips": r.guide.tips if r.guide else [],
                    }
                    for r in place.mentees
                ],
            }
            for place in home.mentor_places
        ],
        "programmes": [
            {
                "programme_id": item.programme.pk,
                "name": item.programme.name,
                "stage": item.programme.stage,
                "steps": [vars(step) for step in item.steps],
                "needs": [vars(need) for need in item.needs],
            }
            for item in progress
        ],
    }
