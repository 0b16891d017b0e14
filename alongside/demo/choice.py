"""Participants choosing, in the demo: a self-match mentoring programme and a flash-rounds
programme, both running, built through the same services the pages use.

- "Find a Mentor 2026": mentees choose a mentor, who accepts or declines within three
  days. Some have a mentor already, a few wait for an answer, one was declined; the
  demo member (a mentee) still has to choose.
- "Coffee Roulette": fortnightly 20-minute conversations. Round 1 met last week (most
  answered its two questions); round 2 is planned and can be skipped.

Running the demo again changes nothing: a programme that exists is left alone.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from alongside.accounts.models import User
from alongside.demo.programmes import (
    MEMBER_EMAIL,
    MENTOR_OFFERS,
    SEED,
    _availability,
    _level,
    _no_emails_or_queued_runs,
)
from alongside.flash.models import FlashPulse, FlashRound
from alongside.flash.services import flash_round_pair, flash_round_plan
from alongside.organisations.models import Organisation
from alongside.people.models import Person
from alongside.programmes.models import Programme, Stage
from alongside.programmes.services import (
    enrolment_add,
    intake_save,
    programme_create,
    programme_transition,
)
from alongside.selfmatch.models import MatchRequest
from alongside.selfmatch.selectors import suggestions_for
from alongside.selfmatch.services import (
    choice_settings_update,
    match_request_accept,
    match_request_decline,
    match_request_send,
)

SELF_MATCH_NAME = "Find a Mentor 2026"
FLASH_NAME = "Coffee Roulette"
CHOICE_NAMES = (SELF_MATCH_NAME, FLASH_NAME)


def build_choice(
    *, organisation: Organisation, manager: User, today: date
) -> list[tuple[str, str, int]]:
    """Create the two programmes if they do not exist; (name, stage, enrolled) of each."""
    people = list(
        Person.objects.filter(organisation=organisation, is_active=True).order_by("employee_id")
    )
    member = next(p for p in people if p.email == MEMBER_EMAIL)
    others = [p for p in people if p.user_id is None]
    with _no_emails_or_queued_runs():
        if not Programme.objects.filter(organisation=organisation, name=SELF_MATCH_NAME).exists():
            _self_match(organisation, manager, others, member, today)
        if not Programme.objects.filter(organisation=organisation, name=FLASH_NAME).exists():
            _flash(organisation, manager, others, member, today)
    return [
        (p.name, p.stage, p.enrolments.filter(status="active").count())
        for p in Programme.objects.filter(
            organisation=organisation, name__in=CHOICE_NAMES
        ).order_by("name")
    ]


def describe_choice(rows: list[tuple[str, str, int]]) -> str:
    parts = [f"{name} ({stage}, {enrolled} enrolled)" for name, stage, enrolled in rows]
    return f"Participants choosing: {'; '.join(parts)}.\n"


def _self_match(
    organisation: Organisation, manager: User, people: list[Person], member: Person, today: date
) -> None:
    rng = random.Random(f"{SEED}:{SELF_MATCH_NAME}")
    started = today - timedelta(days=10)
    programme = programme_create(
        organisation=organisation,
        actor=manager,
        name=SELF_MATCH_NAME,
        format="one_to_one",
        purpose="Choose your own mentor from colleagues two or more levels up.",
        start_date=started,
        end_date=started + timedelta(weeks=26),
    )
    programme_transition(programme=programme, actor=manager, to=Stage.ENROLLING)
    seniors = [p for p in people if _level(p) >= 5]
    juniors = [p for p in people if _level(p) in (2, 3) and p.pk != member.pk]
    mentors = rng.sample(seniors, min(6, len(seniors)))
    mentees = [member, *rng.sample(juniors, min(11, len(juniors)))]
    mentor_rows = enrolment_add(
        programme=programme, actor=manager, people=mentors, role="mentor", capacity=2
    )
    mentee_rows = enrolment_add(programme=programme, actor=manager, people=mentees, role="mentee")
    topics = programme.topics
    for enrolment in mentor_rows:
        intake_save(
            enrolment=enrolment,
            actor=manager,
            wants=[rng.choice(topics)],
            offers=rng.sample([t for t in MENTOR_OFFERS if t in topics], 3),
            availability=_availability(rng, enrolment.person),
        )
    for enrolment in mentee_rows:
        intake_save(
            enrolment=enrolment,
            actor=manager,
            wants=rng.sample([t for t in MENTOR_OFFERS if t in topics], 2),
            availability=_availability(rng, enrolment.person),
        )
    programme_transition(programme=programme, actor=manager, to=Stage.MATCHING)
    programme_transition(programme=programme, actor=manager, to=Stage.RUNNING)
    choice_settings_update(programme=programme, actor=manager, mode="two_sided", response_days=3)
    # Seven mentees asked already (the demo member has not): four were accepted, two wait
    # for an answer, one was declined and can try their next suggestion.
    asked = [e for e in mentee_rows if e.person_id != member.pk][:7]
    for n, enrolment in enumerate(asked):
        enrolment.refresh_from_db()
        options = suggestions_for(enrolment=enrolment)
        if not options:
            continue
        request = match_request_send(
            enrolment=enrolment,
            recipient=options[0].enrolment,
            message=rng.choice(REQUEST_MESSAGES),
            actor=None,
        )
        if n < 4:
            match_request_accept(request=request, actor=None)
        elif n == 6:
            match_request_decline(
                request=request, actor=None, reply="My places are spoken for this term, sorry!"
            )
    moment = timezone.make_aware(datetime.combine(today - timedelta(days=2), time(11)))
    MatchRequest.objects.filter(programme=programme).update(created_at=moment)


REQUEST_MESSAGES = (
    "I'd value your view on moving from delivery into leading a team.",
    "Your talk at the all-hands stayed with me; could we work on presenting?",
    "Looking for someone outside my function to think out loud with.",
    "I'm preparing for a promotion case and would love an honest sounding board.",
)


def _flash(
    organisation: Organisation, manager: User, people: list[Person], member: Person, today: date
) -> None:
    rng = random.Random(f"{SEED}:{FLASH_NAME}")
    started = today - timedelta(days=9)
    programme = programme_create(
        organisation=organisation,
        actor=manager,
        name=FLASH_NAME,
        format="flash_rounds",
        start_date=started,
        end_date=started + timedelta(weeks=12),
    )
    programme_transition(programme=programme, actor=manager, to=Stage.ENROLLING)
    chosen = [member, *rng.sample([p for p in people if p.pk != member.pk], 22)]
    enrolment_add(programme=programme, actor=manager, people=chosen)
    programme_transition(programme=programme, actor=manager, to=Stage.MATCHING)
    programme_transition(programme=programme, actor=manager, to=Stage.RUNNING)
    first = flash_round_plan(programme=programme, actor=manager)
    met = timezone.make_aware(datetime.combine(today - timedelta(days=6), time(11)))
    FlashRound.objects.filter(pk=first.pk).update(meets_at=met)
    first.refresh_from_db()
    groups = flash_round_pair(flash_round=first, actor=manager)
    for group in groups:
        for member_row in group.members.all():
            if rng.random() < 0.7:
                FlashPulse.objects.create(
                    group=group,
                    enrolment_id=member_row.enrolment_id,
                    useful=rng.choices([2, 3, 4, 5], weights=(1, 3, 5, 3))[0],
                    learned=rng.random() < 0.75,
                    created_at=met + timedelta(hours=2),
                )
    flash_round_plan(programme=programme, actor=manager)
