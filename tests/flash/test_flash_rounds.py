"""Flash rounds in a programme: plan, skip (also from the email), pair, invite, pulse."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from alongside.core.errors import AlongsideError
from alongside.flash.jobs import rounds as rounds_job
from alongside.flash.models import FlashMember, FlashPulse, FlashRound, FlashSkip
from alongside.flash.services import (
    flash_pulse_answer,
    flash_round_pair,
    flash_round_plan,
    flash_round_skip,
)
from alongside.people.models import Person
from alongside.programmes.services import enrolment_add, programme_create, programme_transition
from tests.selfmatch.helpers import person

pytestmark = pytest.mark.django_db


def flash_programme(org, actor, count=7):
    programme = programme_create(
        organisation=org,
        actor=actor,
        name="Coffee roulette",
        format="flash_rounds",
        start_date=timezone.localdate() + timedelta(days=3),
        end_date=timezone.localdate() + timedelta(weeks=20),
    )
    programme_transition(programme=programme, actor=actor, to="enrolling")
    people = [
        person(org, f"Flash {i}", level="L2", department=["Sales", "Design", "Finance"][i % 3])
        for i in range(count)
    ]
    enrolments = enrolment_add(programme=programme, actor=actor, people=people)
    programme_transition(programme=programme, actor=actor, to="matching")
    programme_transition(programme=programme, actor=actor, to="running")
    return programme, enrolments


def test_a_round_is_planned_skipped_from_the_email_and_paired_with_invitations(
    cast, org_a, client_for, django_capture_on_commit_callbacks
):
    programme, enrolments = flash_programme(org_a, cast["admin"], count=7)
    with django_capture_on_commit_callbacks(execute=True):
        first = flash_round_plan(programme=programme, actor=cast["admin"])
    assert first.number == 1
    assert first.meets_at.date() >= programme.start_date
    announced = {m.to[0]: m for m in mail.outbox}
    assert len(announced) == 7
    link = re.search(r"http\S+/flash/skip/\S+/", announced[enrolments[0].person.email].body)
    assert link is not None
    path = link.group(0).split("://", 1)[1].split("/", 1)[1]
    anonymous = client_for(None)
    page = anonymous.get("/" + path)
    assert page.status_code == 200
    assert not FlashSkip.objects.exists()  # opening the link changes nothing
    assert anonymous.post("/" + path).status_code == 200
    assert FlashSkip.objects.filter(round=first, enrolment=enrolments[0]).exists()
    assert client_for(None).get("/flash/skip/not-a-token/").status_code == 404
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        groups = flash_round_pair(flash_round=first, actor=cast["admin"])
    placed = FlashMember.objects.filter(round=first).values_list("enrolment_id", flat=True)
    assert sorted(placed) == sorted(e.pk for e in enrolments[1:])
    assert sorted(len(g.members.all()) for g in groups) == [2, 2, 2]
    invitation = mail.outbox[0]
    ics = next(a for a in invitation.attachments if a[0] == "invite.ics")[1]
    calendar = Calendar.from_ical(ics)
    assert calendar["method"] == "REQUEST"
    event = next(c for c in calendar.walk("VEVENT"))
    assert event["dtstart"].dt == first.meets_at
    assert len(event.get("attendee")) == 2
    with pytest.raises(AlongsideError) as late:
        flash_round_skip(flash_round=first, enrolment=enrolments[1], skip=True, actor=None)
    assert late.value.code == "paired"


def test_nobody_meets_twice_until_they_have_met_everyone_and_no_reporting_line_meets(cast, org_a):
    programme, enrolments = flash_programme(org_a, cast["admin"], count=4)
    Person.objects.filter(pk=enrolments[1].person_id).update(manager=enrolments[0].person)
    seen: set[frozenset[int]] = set()
    for _round in range(2):
        flash_round = flash_round_plan(programme=programme, actor=None)
        for group in flash_round_pair(flash_round=flash_round, actor=None):
            pair = frozenset(m.enrolment_id for m in group.members.all())
            assert pair not in seen
            assert pair != frozenset({enrolments[0].pk, enrolments[1].pk})
            seen.add(pair)
    # Four people minus one forbidden pair: five pairs, four of them met in two rounds.
    assert len(seen) == 4


def test_the_pulse_has_two_questions_after_the_conversation(cast, org_a, client_for):
    programme, enrolments = flash_programme(org_a, cast["admin"], count=2)
    flash_round = flash_round_plan(programme=programme, actor=None)
    (group,) = flash_round_pair(flash_round=flash_round, actor=None)
    with pytest.raises(AlongsideError) as early:
        flash_pulse_answer(group=group, enrolment=enrolments[0], useful=4, learned=True)
    assert early.value.code == "too_early"
    FlashRound.objects.filter(pk=flash_round.pk).update(
        meets_at=timezone.now() - timedelta(hours=1)
    )
    client = client_for(enrolments[0].person.user)
    url = reverse("flash:pulse", args=[org_a.slug, programme.pk, flash_round.pk])
    client.post(url, {"useful": "7", "learned": "yes"})
    assert (
        "must be a whole number from 1 to 5."
        in client.get(reverse("flash:rounds", args=[org_a.slug, programme.pk])).content.decode()
    )
    client.post(url, {"useful": "4", "learned": "yes"})
    pulse = FlashPulse.objects.get()
    assert (pulse.useful, pulse.learned) == (4, True)


def test_the_rounds_page_skip_is_one_click(cast, org_a, client_for):
    programme, enrolments = flash_programme(org_a, cast["admin"], count=3)
    flash_round = flash_round_plan(programme=programme, actor=None)
    client = client_for(enrolments[2].person.user)
    page = reverse("flash:rounds", args=[org_a.slug, programme.pk])
    assert "Skip this round" in client.get(page).content.decode()
    client.post(reverse("flash:skip", args=[org_a.slug, programme.pk, flash_round.pk]))
    assert FlashSkip.objects.filter(round=flash_round, enrolment=enrolments[2]).exists()
    assert "You are skipping this round." in client.get(page).content.decode()


def test_the_worker_plans_and_pairs_rounds_on_the_programmes_rhythm(cast, org_a):
    flash_programme(org_a, cast["admin"], count=4)
    now = timezone.now()
    assert rounds_job(now) == 1  # plans round 1
    first = FlashRound.objects.get()
    assert rounds_job(now) == 0  # nothing due yet
    assert rounds_job(first.meets_at - timedelta(days=1)) == 1  # pairs it
    first.refresh_from_db()
    assert first.status == FlashRound.Status.PAIRED
    assert rounds_job(first.meets_at + timedelta(hours=1)) == 1  # plans round 2
    second = FlashRound.objects.get(number=2)
    assert second.meets_at - first.meets_at >= timedelta(weeks=2)


def test_a_round_cannot_meet_after_the_programme_ends(cast, org_a):
    programme, _enrolments = flash_programme(org_a, cast["admin"], count=2)
    too_late = datetime.combine(programme.end_date + timedelta(days=1), time(9), tzinfo=UTC)
    with pytest.raises(AlongsideError) as error:
        flash_round_plan(programme=programme, actor=None, meets_at=too_late)
    assert error.value.problems[0].field == "meets_at"
    assert "a round cannot meet after it" in error.value.message
