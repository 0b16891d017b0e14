"""The intake as people fill it: typed availability in common forms, a weekly grid,
grouped topics with a limit, progress, and saving as you go."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from alongside.audit.models import AuditEvent
from alongside.core.errors import AlongsideError
from alongside.matching.availability import parse_availability
from alongside.programmes.availability_text import (
    AvailabilityTextError,
    normalise_availability,
    slots_of,
    text_of,
)
from alongside.programmes.format_defaults import MORE_TOPICS, group_topics
from alongside.programmes.forms import IntakeForm
from alongside.programmes.models import Enrolment, Intake, Programme
from alongside.programmes.services import enrolment_add, intake_save
from tests.programmes.conftest import person_of


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("Mon-Thu 10:00-12:00, 14:00-17:00", "Mon-Thu 10:00-12:00; Mon-Thu 14:00-17:00"),
        ("Mon-Fri 09:00-17:00; Sat 10:00-12:30", "Mon-Fri 09:00-17:00; Sat 10:00-12:30"),
        ("weekdays 9am to 5pm", "Mon-Fri 09:00-17:00"),
        ("Mon-Fri 9-5", "Mon-Fri 09:00-17:00"),
        ("Tue & Thu 14-16", "Tue,Thu 14:00-16:00"),
        ("Monday to Friday 9:30am-1pm\nSaturday 10-12", "Mon-Fri 09:30-13:00; Sat 10:00-12:00"),
        (
            "Mon, Wed, Fri 9:30-11:30 and 15:00-16:00",
            "Mon,Wed,Fri 09:30-11:30; Mon,Wed,Fri 15:00-16:00",
        ),
        ("Mon-Fri 10:00-13:00; Tue,Thu 15:00-18:00", "Mon-Fri 10:00-13:00; Tue,Thu 15:00-18:00"),
        ("Sun-Tue 22:00-24:00", "Mon,Tue,Sun 22:00-24:00"),
        ("   ", ""),
    ],
)
def test_common_typed_forms_read_as_the_engine_reads_them(typed: str, read: str) -> None:
    assert normalise_availability(typed) == read
    if read:
        assert parse_availability(read) == parse_availability(normalise_availability(read))
        assert slots_of(read) == slots_of(typed)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("Mon 10:15-11:00", "'10:15' in 'Mon 10:15-11:00': give times on the hour or half hour"),
        ("whenever", "could not read availability 'whenever': start with the days"),
        ("Mon 17:00-09:00am", "ends before it starts"),
        ("Mon", "'Mon' has no time range"),
        ("Mon-Funday 9-5", "could not read 'Mon-Funday 9-5': expected days and a time range"),
    ],
)
def test_unreadable_availability_says_which_part_and_why(typed: str, message: str) -> None:
    with pytest.raises(AvailabilityTextError, match=message.replace("(", r"\(")):
        normalise_availability(typed)


def test_the_grid_and_the_text_are_the_same_slots() -> None:
    slots = slots_of("Mon-Thu 10:00-12:00, 14:00-17:00")
    assert text_of(slots) == "Mon-Thu 10:00-12:00; Mon-Thu 14:00-17:00"
    assert len(slots) == 4 * (4 + 6)


def test_topics_are_grouped_in_the_programmes_order_with_the_rest_last() -> None:
    groups = dict(
        group_topics(["Presenting", "Delegation", "Underwater welding", "Giving feedback"])
    )
    assert groups["Leading people"] == ["Delegation", "Giving feedback"]
    assert groups["Working with others"] == ["Presenting"]
    assert groups[MORE_TOPICS] == ["Underwater welding"]
    assert list(dict(group_topics(["Underwater welding"]))) == [MORE_TOPICS]


@pytest.fixture
def joined(circles: Programme, manager: Any, member: Any) -> Enrolment:
    return enrolment_add(programme=circles, actor=manager, people=[person_of(member)])[0]


def test_the_service_reads_typed_availability_and_limits_topics(
    joined: Enrolment, member: Any
) -> None:
    intake = intake_save(
        enrolment=joined, actor=member, complete=False, availability="Mon-Thu 10-12, 14-17"
    )
    assert intake.availability == "Mon-Thu 10:00-12:00; Mon-Thu 14:00-17:00"
    four = ["Delegation", "Giving feedback", "Presenting", "Negotiation"]
    with pytest.raises(AlongsideError) as raised:
        intake_save(enrolment=joined, actor=member, wants=four, offers=["Presenting"])
    assert [(p.field, p.message) for p in raised.value.problems] == [
        ("wants", "choose at most 3; you chose 4. The fewer you choose, the sharper your match.")
    ]
    assert Intake.objects.get(enrolment=joined).wants == []


def test_ticking_the_grid_without_script_sets_the_availability(
    joined: Enrolment, circles: Programme
) -> None:
    initial = {"availability": "Mon 09:00-10:00"}
    form = IntakeForm(
        {
            "availability": "Mon 09:00-10:00",
            "availability_grid": ["0-9", "1-9", "1-10"],
            "availability_grid_shown": "1",
        },
        topics=circles.topics,
        initial=initial,
    )
    assert form.is_valid(), form.errors
    assert form.intake_fields()["availability"] == "Mon 09:00-10:00; Tue 09:00-11:00"
    typed = IntakeForm(
        {"availability": "Fri 14-16", "availability_grid": ["0-9"], "availability_grid_shown": "1"},
        topics=circles.topics,
        initial=initial,
    )
    assert typed.is_valid()
    assert typed.intake_fields()["availability"] == "Fri 14-16"  # the service reads it
    unseen = IntakeForm({"availability": "Mon 09:00-10:00"}, topics=circles.topics, initial=initial)
    assert unseen.is_valid()
    assert unseen.intake_fields()["availability"] == "Mon 09:00-10:00"  # no grid: kept


def test_the_page_groups_topics_and_shows_progress_and_the_grid(
    joined: Enrolment, circles: Programme, member: Any, client_for: Any
) -> None:
    page = client_for(member).get(reverse("programmes:intake", args=["acme", circles.pk]))
    body = page.content.decode()
    assert "<legend>Leading people</legend>" in body
    assert "Choose up to 3" in body
    assert 'data-limit="3"' in body
    assert "0 of 5 parts done" in body or "1 of 5 parts done" in body
    assert body.count('name="availability_grid"') == 7 * 16
    assert 'aria-label="Monday 09:00–10:00"' in body


def test_saving_as_you_go_keeps_valid_answers_and_names_the_others(
    joined: Enrolment, circles: Programme, member: Any, client_for: Any
) -> None:
    url = reverse("programmes:intake_autosave", args=["acme", circles.pk])
    client = client_for(member)
    response = client.post(
        url,
        {"goals": "Lead calmly", "availability": "Mon 10:15-11", "wants": ["Delegation"]},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Saved, except:" in body
    assert "give times on the hour or half hour" in body
    intake = Intake.objects.get(enrolment=joined)
    assert (intake.goals, intake.wants, intake.availability) == ("Lead calmly", ["Delegation"], "")
    assert not intake.is_complete
    assert 'id="intake-parts" hx-swap-oob="true"' in body
    response = client.post(
        url,
        {"goals": "Lead calmly", "availability": "weekdays 9-5", "wants": ["Delegation"]},
        headers={"HX-Request": "true"},
    )
    assert "Saved at" in response.content.decode()
    assert 'data-text="Mon-Fri 09:00-17:00"' in response.content.decode()
    saves = AuditEvent.objects.filter(action="intake.saved").count()
    client.post(
        url,
        {"goals": "Lead calmly", "availability": "Mon-Fri 09:00-17:00", "wants": ["Delegation"]},
    )
    assert AuditEvent.objects.filter(action="intake.saved").count() == saves  # nothing new
