"""Each person's home says what is next for them, in every role they have."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from alongside.home.progress import CURRENT, DONE, TODO, programme_progress
from alongside.home.selectors import names_sentence
from alongside.meetings.models import Commitment, Meeting
from alongside.people.models import Person
from alongside.programmes.models import Programme
from alongside.programmes.services import enrolment_add, programme_create, programme_transition
from alongside.surveys.models import Survey
from tests.meetings.factories import meeting, participant, programme_for, relationship_with


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _home(client: Any) -> str:
    response = client.get("/o/acme/")
    assert response.status_code == 200
    return response.content.decode()


def test_names_are_joined_without_stray_commas() -> None:
    assert names_sentence([]) == ""
    assert names_sentence(["Zoë Wilson"]) == "Zoë Wilson"
    assert names_sentence(["Zoë", "Ravi"]) == "Zoë and Ravi"
    assert names_sentence(["Zoë", "Ravi", "Meera"]) == "Zoë, Ravi and Meera"


def test_a_new_participant_is_asked_for_their_intake(
    cast: Any, client_for: Any, org_a: Any
) -> None:
    admin = cast["admin"]
    p = programme_create(organisation=org_a, actor=admin, name="Circles", format="peer_circles")
    programme_transition(programme=p, actor=admin, to="enrolling")
    enrolment_add(programme=p, actor=admin, people=[Person.objects.get(user=cast["member"])])
    body = _home(client_for(cast["member"]))
    assert "Tell Circles what you want to develop and what you can offer." in body
    assert f'href="/o/acme/programmes/{p.pk}/intake/"' in body
    assert "Start your intake" in body
    # A member sees their own things, not the organisation's statistics.
    assert "people in the directory" not in body


def test_someone_in_no_programme_is_told_what_will_appear(
    cast: Any, client_for: Any, org_a: Any
) -> None:
    body = _home(client_for(cast["member"]))
    assert "Nothing for you here yet" in body


def test_a_participant_sees_next_meeting_actions_outcomes_and_surveys(
    cast: Any, client_for: Any, org_a: Any, django_assert_max_num_queries: Any
) -> None:
    member = cast["member"]
    programme = programme_for(org_a, "peer_pairs", manager=cast["manager"], name="Pairs 2030")
    others = [participant(org_a, "Zoë Wilson")]
    pair, members = relationship_with(programme, [member, *others], name="Ravi & Zoë")
    now = timezone.now()
    past = meeting(pair, 1, starts_at=now - timedelta(days=3))
    upcoming = meeting(pair, 2, starts_at=now + timedelta(days=4))
    Commitment.objects.create(
        relationship=pair, member=members[0], made_at=past, text="Ask for feedback on the plan"
    )
    Survey.objects.create(programme=programme, kind="start", status="open")
    client = client_for(member)
    with django_assert_max_num_queries(24):
        body = _home(client)
    assert "Your next meeting" in body
    assert reverse("meetings:meeting", args=["acme", upcoming.pk]) in body
    assert reverse("scheduling:meeting_ics", args=["acme", upcoming.pk]) in body
    assert "with Zoë Wilson" in body
    assert "with Zoë Wilson," not in body  # the stray comma of old
    assert "Did meeting 1 of Ravi &amp; Zoë take place?" in body
    assert "Your action: Ask for feedback on the plan" in body
    assert "The start survey of Pairs 2030 is open." in body
    # The relationship card is a link.
    assert re.search(
        rf'<a href="{reverse("meetings:relationship", args=["acme", pair.pk])}">\s*<strong>Ravi',
        body,
    )
    # Once the meeting is recorded and the survey answered, they drop off the list.
    Meeting.objects.filter(pk=past.pk).update(status=Meeting.Status.HELD)
    body = _home(client_for(member))
    assert "take place?" not in body


def test_a_checkpoint_asks_each_member_to_decide(cast: Any, client_for: Any, org_a: Any) -> None:
    today = timezone.localdate()
    programme = programme_for(
        org_a,
        "peer_pairs",
        start_date=today - timedelta(days=60),
        end_date=today + timedelta(days=120),
        checkpoint_date=today - timedelta(days=1),
    )
    pair, _members = relationship_with(
        programme, [cast["member"], participant(org_a, "Kavya Peer")], name="Kavya & Ravi"
    )
    body = _home(client_for(cast["member"]))
    assert "Time to decide: continue or close Kavya &amp; Ravi?" in body
    assert reverse("meetings:closing", args=["acme", pair.pk]) in body


def test_the_manager_sees_each_programme_with_its_steps_and_needs(
    cast: Any, client_for: Any, org_a: Any
) -> None:
    manager = cast["manager"]
    programme = programme_create(
        organisation=org_a, actor=manager, name="Buddies 2030", format="buddies"
    )
    programme.managers.add(manager)
    programme_transition(programme=programme, actor=manager, to="enrolling")
    people = [participant(org_a, f"Joiner {n}") for n in range(3)]
    enrolment_add(
        programme=programme,
        actor=manager,
        people=[Person.objects.get(user=u) for u in people],
    )
    (progress,) = programme_progress(programmes=[programme], organisation_slug="acme")
    states = {step.key: step.state for step in progress.steps}
    assert states == {
        "define": DONE,
        "enrol": DONE,
        "intakes": CURRENT,
        "match": TODO,
        "publish": TODO,
        "running": TODO,
        "closing": TODO,
    }
    body = _home(client_for(manager))
    assert "Programmes you run" in body
    assert "3 people have not finished their intake." in body
    assert reverse("programmes:enrolment", args=["acme", programme.pk]) + "#intakes-heading" in body
    assert 'aria-current="step"' in body
    assert "people in the directory" in body


def test_an_admin_walks_the_organisation_set_up(cast: Any, client_for: Any) -> None:
    body = _home(client_for(cast["admin"]))
    assert re.search(r"Set up Acme India: \d of 4 done", body)
    for name in ("people:import", "organisations:settings", "organisations:members"):
        assert reverse(name, args=["acme"]) in body
    assert escape("Grant programme managers") in body


def test_every_role_of_the_demo_has_a_home_that_says_what_is_next(
    db: None, client_for: Any
) -> None:
    from django.core.management import call_command

    from alongside.accounts.models import User
    from alongside.demo.programmes import HIPO_NAME, MEMBER_EMAIL
    from alongside.relationships.models import RelationshipMember

    call_command("demo", "--quiet")
    rohan = client_for(User.objects.get(email=MEMBER_EMAIL))
    body = rohan.get("/o/kestrel/").content.decode()
    assert "Your next meeting" in body
    assert "Time to decide: continue or close" in body
    # Rohan's mentor sees their mentees, their places and what to bring next time.
    mentor = RelationshipMember.objects.get(
        relationship__members__person__email=MEMBER_EMAIL,
        relationship__programme__name=HIPO_NAME,
        role="mentor",
    ).person
    if mentor.user is None:
        pytest.fail("the demo gives Rohan's mentor a sign-in")
    body = client_for(mentor.user).get("/o/kestrel/").content.decode()
    assert f"Your mentees in {escape(HIPO_NAME)}" in body
    assert re.search(r"\d of your \d places? taken", body)
    assert "For you as mentor:" in body
    manager = Programme.objects.get(name=HIPO_NAME).managers.first()
    body = client_for(manager).get("/o/kestrel/").content.decode()
    assert "is struggling or has gone quiet" in body


def test_the_programme_page_shows_its_steps_in_order_to_its_managers_only(
    cast: Any, client_for: Any, org_a: Any
) -> None:
    manager = cast["manager"]
    programme = programme_create(
        organisation=org_a, actor=manager, name="Pairs", format="peer_pairs"
    )
    programme.managers.add(manager)
    enrolment_add(
        programme=programme, actor=manager, people=[Person.objects.get(user=cast["member"])]
    )
    url = reverse("programmes:detail", args=["acme", programme.pk])
    body = client_for(manager).get(url).content.decode()
    labels = re.findall(r'<span class="step-label">(\w+)', body)
    assert labels == ["Define", "Enrol", "Intakes", "Match", "Publish", "Running", "Closing"]
    assert "now: Define" in body
    assert "Open enrolment" in body
    assert 'class="primary">Open enrolment</button>' in body
    member_view = client_for(cast["member"]).get(url).content.decode()
    assert "step-label" not in member_view


def test_the_api_says_what_is_next_as_the_home_page_does(
    cast: Any, api_for: Any, org_a: Any
) -> None:
    member = cast["member"]
    programme = programme_for(org_a, "peer_pairs", manager=cast["manager"], name="Pairs 2030")
    pair, members = relationship_with(
        programme, [member, participant(org_a, "Zoë Wilson")], name="Ravi & Zoë"
    )
    upcoming = meeting(pair, 1, starts_at=timezone.now() + timedelta(days=2))
    Commitment.objects.create(
        relationship=pair, member=members[0], made_at=upcoming, text="Draft the plan"
    )
    answer = api_for(member).get("/api/v1/organisations/acme/home")
    assert answer.status_code == 200
    data = answer.json()
    assert [(u["meeting_id"], u["with_whom"]) for u in data["upcoming"]] == [
        (upcoming.pk, "Zoë Wilson")
    ]
    assert [s["kind"] for s in data["next_steps"]] == ["action"]
    assert data["programmes"] == []
    managed = api_for(cast["manager"]).get("/api/v1/organisations/acme/home").json()
    assert [p["name"] for p in managed["programmes"]] == ["Pairs 2030"]
    steps = [s["key"] for s in managed["programmes"][0]["steps"]]
    assert steps == ["define", "enrol", "intakes", "match", "publish", "running", "closing"]
