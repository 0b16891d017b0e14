"""The programme pages as a programme manager and a participant use them."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from alongside.accounts.models import User
from alongside.organisations.models import Organisation
from alongside.people.models import Person
from alongside.programmes.models import Enrolment, Intake, Programme, Stage
from alongside.programmes.services import (
    enrolment_add,
    enrolment_withdraw,
    intake_save,
    programme_create,
    self_enrol_set_open,
)
from tests.programmes.conftest import person_of


def url(name: str, *args: Any) -> str:
    return reverse(f"programmes:{name}", args=["acme", *args])


def text(response: Any) -> str:
    return response.content.decode()


def test_a_manager_launches_a_circles_programme_from_the_template(
    manager: User, client_for: Any
) -> None:
    client = client_for(manager)
    page = text(client.get(url("new")))
    for label in ("Peer pairs", "Peer circles", "1:1 mentoring", "Group mentoring", "Onboarding"):
        assert label in page
    assert "Circles of 4 to 8 people, ideally 6." in page
    response = client.post(
        url("new"), {"format": "peer_circles", "name": "New managers 2030", "purpose": ""}
    )
    programme = Programme.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("detail", programme.pk)
    assert programme.stage == Stage.DRAFT
    assert programme.purpose.startswith("Circles of peers")
    detail = text(client.get(url("detail", programme.pk)))
    assert "Open enrolment" in detail
    assert "Start running" not in detail  # only the allowed transitions are offered
    assert "Monthly, 60-minute sessions" in detail
    assert "Never with your own manager" in detail


def test_new_programme_shows_field_errors(manager: User, client_for: Any) -> None:
    response = client_for(manager).post(
        url("new"),
        {"format": "peer_pairs", "name": "P", "start_date": "2030-05-01", "end_date": "2030-04-01"},
    )
    assert response.status_code == 200
    assert "must be after the start date." in text(response)
    assert not Programme.objects.exists()


def test_a_member_cannot_create_a_programme(member: User, client_for: Any) -> None:
    assert client_for(member).get(url("new")).status_code == 403


def test_programme_list_shows_counts_and_is_scoped(
    org_a: Organisation,
    circles: Programme,
    mentoring: Programme,
    manager: User,
    member: User,
    directory: dict[str, Person],
    client_for: Any,
) -> None:
    enrolled = enrolment_add(
        programme=circles, actor=manager, people=[directory["anil"], person_of(member)]
    )
    intake_save(enrolment=enrolled[0], actor=None, wants=["Delegation"], offers=["Presenting"])
    page = text(client_for(manager).get(url("list")))
    assert "New managers" in page
    assert "High potentials" in page
    assert "1 of 2" in page
    member_page = text(client_for(member).get(url("list")))
    assert "New managers" in member_page
    assert "High potentials" not in member_page


def test_programme_list_query_count_does_not_grow(
    org_a: Organisation,
    admin: User,
    manager: User,
    directory: dict[str, Person],
    client_for: Any,
    django_assert_num_queries: Any,
) -> None:
    client = client_for(admin)

    def add(count: int) -> None:
        for i in range(count):
            programme = programme_create(
                organisation=org_a, actor=manager, name=f"P{i}", format="peer_pairs"
            )
            enrolment_add(programme=programme, actor=manager, people=list(directory.values()))

    add(2)
    client.get(url("list"))
    with django_assert_num_queries(4) as small:
        client.get(url("list"))
    add(6)
    with django_assert_num_queries(len(small.captured_queries)):
        assert "P5" in text(client.get(url("list")))


def test_a_pm_not_assigned_cannot_see_the_programme(
    org_a: Organisation, circles: Programme, client_for: Any
) -> None:
    from alongside.organisations.models import Membership

    other = User.objects.create_user("kiran.pm@acme.test", "x", full_name="Kiran")
    Membership.objects.create(user=other, organisation=org_a, role="programme_manager")
    client = client_for(other)
    assert client.get(url("detail", circles.pk)).status_code == 404
    assert client.get(url("enrolment", circles.pk)).status_code == 404
    assert "New managers" not in text(client.get(url("list")))


def test_a_participant_sees_their_part_but_not_the_managers_tools(
    circles: Programme, manager: User, member: User, client_for: Any
) -> None:
    enrolment_add(programme=circles, actor=manager, people=[person_of(member)])
    client = client_for(member)
    page = text(client.get(url("detail", circles.pk)))
    assert "You take part as <strong>peer</strong>" in page
    assert "Your intake is not finished yet." in page
    assert "Open enrolment" not in page
    assert client.get(url("enrolment", circles.pk)).status_code == 403
    assert client.get(url("edit", circles.pk)).status_code == 403
    assert client.post(url("transition", circles.pk), {"to": "enrolling"}).status_code == 403
    circles.refresh_from_db()
    assert circles.stage == Stage.DRAFT


def test_stage_buttons_move_the_programme_or_explain_why_not(
    circles: Programme, manager: User, client_for: Any
) -> None:
    client = client_for(manager)
    response = client.post(url("transition", circles.pk), {"to": "enrolling"}, follow=True)
    assert "New managers is now Enrolling." in text(response)
    response = client.post(url("transition", circles.pk), {"to": "matching"}, follow=True)
    assert "Enrol some participants before matching." in text(response)
    response = client.post(url("transition", circles.pk), {"to": "closed"}, follow=True)
    assert "cannot go from enrolling to closed" in text(response)
    circles.refresh_from_db()
    assert circles.stage == Stage.ENROLLING


def test_edit_shows_only_the_rules_of_the_format(
    circles: Programme, mentoring: Programme, manager: User, client_for: Any
) -> None:
    client = client_for(manager)
    circle_form = text(client.get(url("edit", circles.pk)))
    assert 'name="target_size"' in circle_form
    assert 'name="default_capacity"' not in circle_form
    mentoring_form = text(client.get(url("edit", mentoring.pk)))
    assert 'name="default_capacity"' in mentoring_form
    assert 'name="target_size"' not in mentoring_form


def edit_data(programme: Programme, **changes: Any) -> dict[str, Any]:
    data = {
        "name": programme.name,
        "purpose": programme.purpose,
        "start_date": programme.start_date.isoformat(),
        "end_date": programme.end_date.isoformat(),
        "rhythm": programme.rhythm,
        "session_minutes": programme.session_minutes,
        "capability_areas": "\n".join(programme.capability_areas),
        "topics": "\n".join(programme.topics),
        "managers": [u.pk for u in programme.managers.all()],
        **{k: v for k, v in programme.matching_rules.items() if v is not None and v is not False},
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_edit_saves_areas_topics_and_rules(
    circles: Programme, manager: User, client_for: Any
) -> None:
    response = client_for(manager).post(
        url("edit", circles.pk),
        edit_data(
            circles,
            capability_areas="Leading a team\nDelegation\n\nHandling conflict\n",
            topics="Delegation\nHiring",
            target_size="5",
            max_timezone_difference="3.5",
            must_share_language="on",
            session_minutes="45",
        ),
    )
    assert response.status_code == 302
    circles.refresh_from_db()
    assert circles.capability_areas == ["Leading a team", "Delegation", "Handling conflict"]
    assert circles.topics == ["Delegation", "Hiring"]
    assert circles.session_minutes == 45
    assert circles.rule("target_size") == 5
    assert circles.rule("max_timezone_difference") == 3.5
    assert circles.rule("must_share_language") is True


def test_edit_shows_rule_problems_on_their_fields(
    circles: Programme, manager: User, client_for: Any
) -> None:
    response = client_for(manager).post(
        url("edit", circles.pk),
        edit_data(circles, min_size="6", max_size="4", capability_areas="Only one"),
    )
    assert response.status_code == 200
    page = text(response)
    assert "circle sizes 6–4 are not possible" in page
    assert "a programme develops 3 to 8 capability areas" in page
    circles.refresh_from_db()
    assert circles.rule("min_size") == 4


# --- Enrolment page --------------------------------------------------------------------


def test_directory_filters_by_department_level_location_and_start_date(
    circles: Programme, manager: User, directory: dict[str, Person], client_for: Any
) -> None:
    client = client_for(manager)
    page = text(client.get(url("enrolment", circles.pk), {"department": "Finance"}))
    assert "Anil Kumar" in page
    assert "Chen Li" not in page
    partial = client.get(
        url("enrolment", circles.pk),
        {"start_from": "2025-01-01", "start_to": "2025-12-31"},
        headers={"HX-Request": "true"},
    )
    body = text(partial)
    assert "<html" not in body
    assert "Chen Li" in body
    assert "Emma Stone" in body
    assert "Anil Kumar" not in body
    body = text(client.get(url("enrolment", circles.pk), {"level": "M3", "location": "Bengaluru"}))
    assert "Divya Rao" in body
    assert "Anil Kumar" not in body


def test_enrol_selected_people(
    circles: Programme, manager: User, directory: dict[str, Person], client_for: Any
) -> None:
    response = client_for(manager).post(
        url("enrol", circles.pk),
        {"scope": "selected", "people": [directory["anil"].pk, directory["bela"].pk]},
        follow=True,
    )
    assert "2 enrolled" in text(response)
    assert {e.person.name for e in circles.enrolments.all()} == {"Anil Kumar", "Bela Shah"}


def test_enrol_everyone_matching_the_filters_as_mentors_with_capacity(
    mentoring: Programme, manager: User, directory: dict[str, Person], client_for: Any
) -> None:
    client_for(manager).post(
        url("enrol", mentoring.pk),
        {"scope": "all", "department": "Engineering", "role": "mentor", "capacity": "3"},
    )
    enrolled = {(e.person.name, e.role, e.capacity) for e in mentoring.enrolments.all()}
    assert enrolled == {("Chen Li", "mentor", 3), ("Divya Rao", "mentor", 3)}


def test_enrolment_needs_a_role_in_mentoring(
    mentoring: Programme, manager: User, directory: dict[str, Person], client_for: Any
) -> None:
    response = client_for(manager).post(
        url("enrol", mentoring.pk),
        {"scope": "selected", "people": [directory["anil"].pk]},
        follow=True,
    )
    assert "each participant is a mentor or a mentee" in text(response)
    assert not mentoring.enrolments.exists()


def test_someone_of_another_organisation_cannot_be_selected(
    circles: Programme, manager: User, outsider: User, client_for: Any
) -> None:
    client_for(manager).post(
        url("enrol", circles.pk), {"scope": "selected", "people": [person_of(outsider).pk]}
    )
    assert not circles.enrolments.exists()


def test_csv_upload_shows_every_problem_with_its_row(
    circles: Programme, manager: User, directory: dict[str, Person], client_for: Any
) -> None:
    upload = SimpleUploadedFile(
        "cohort.csv", b"email\nanil@acme.test\nwho@acme.test\nnot-an-email\n", "text/csv"
    )
    response = client_for(manager).post(url("enrol_csv", circles.pk), {"file": upload})
    assert response.status_code == 400
    page = text(response)
    assert "The file has 2 problems; no one was enrolled." in page
    assert "Row 3, column &#x27;email&#x27;: who@acme.test is not in the people directory." in page
    assert "Row 4, column &#x27;email&#x27;: &#x27;not-an-email&#x27; is not a valid" in page
    assert not circles.enrolments.exists()


def test_csv_upload_enrols(
    circles: Programme, manager: User, directory: dict[str, Person], client_for: Any
) -> None:
    upload = SimpleUploadedFile("c.csv", b"anil@acme.test\nbela@acme.test\n", "text/csv")
    response = client_for(manager).post(url("enrol_csv", circles.pk), {"file": upload})
    assert response.status_code == 302
    assert circles.enrolments.count() == 2


def test_self_enrolment_link_opens_closes_and_renews(
    circles: Programme, manager: User, member: User, client_for: Any
) -> None:
    client = client_for(manager)
    page = text(client.get(url("enrolment", circles.pk)))
    assert f"/o/acme/programmes/join/{circles.self_enrol_token}/" in page
    client.post(url("self_enrol_settings", circles.pk), {"action": "open"})
    circles.refresh_from_db()
    assert circles.self_enrol_open
    old = circles.self_enrol_token
    client.post(url("self_enrol_settings", circles.pk), {"action": "new_link"})
    circles.refresh_from_db()
    assert circles.self_enrol_open
    assert circles.self_enrol_token != old
    assert client_for(member).get(url("join", old)).status_code == 404
    client.post(url("self_enrol_settings", circles.pk), {"action": "close"})
    circles.refresh_from_db()
    assert not circles.self_enrol_open


def test_withdraw_with_a_reason_keeps_the_history(
    circles: Programme, manager: User, directory: dict[str, Person], client_for: Any
) -> None:
    (enrolment,) = enrolment_add(programme=circles, actor=manager, people=[directory["anil"]])
    response = client_for(manager).post(
        url("withdraw", circles.pk, enrolment.pk), {"reason": "Left the company"}, follow=True
    )
    page = text(response)
    assert "Anil Kumar was withdrawn" in page
    assert "Withdrawn (1)" in page
    assert "Left the company" in page
    enrolment.refresh_from_db()
    assert (enrolment.status, enrolment.withdrawn_reason) == ("withdrawn", "Left the company")


def test_withdraw_of_another_programmes_enrolment_is_404(
    org_a: Organisation,
    circles: Programme,
    mentoring: Programme,
    manager: User,
    directory: dict[str, Person],
    client_for: Any,
) -> None:
    (enrolment,) = enrolment_add(programme=circles, actor=manager, people=[directory["anil"]])
    response = client_for(manager).post(url("withdraw", mentoring.pk, enrolment.pk))
    assert response.status_code == 404
    enrolment.refresh_from_db()
    assert enrolment.status == "active"


def test_enrolled_list_shows_intake_status_and_reminds_the_unfinished(
    circles: Programme,
    manager: User,
    directory: dict[str, Person],
    client_for: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    people = [directory["anil"], directory["bela"], directory["chen"]]
    enrolments = enrolment_add(programme=circles, actor=manager, people=people)
    intake_save(enrolment=enrolments[0], actor=None, wants=["Delegation"], offers=["Presenting"])
    client = client_for(manager)
    page = text(client.get(url("enrolment", circles.pk)))
    assert "Send reminders to the 2 who have not finished their intake" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("remind", circles.pk), follow=True)
    assert "Reminded 2 people." in text(response)
    assert len(mail.outbox) == 2
    assert "reminded 1 time" in text(response)


def test_enrolment_page_query_count_does_not_grow(
    circles: Programme,
    manager: User,
    directory: dict[str, Person],
    client_for: Any,
    django_assert_num_queries: Any,
) -> None:
    client = client_for(manager)
    people = list(directory.values())
    enrolment_add(programme=circles, actor=manager, people=people[:2])
    client.get(url("enrolment", circles.pk))
    # No withdrawals: the counts say so and the withdrawn list is not looked up.
    with django_assert_num_queries(12) as small:
        client.get(url("enrolment", circles.pk))
    added = enrolment_add(programme=circles, actor=manager, people=people[2:])
    with django_assert_num_queries(len(small.captured_queries)):
        client.get(url("enrolment", circles.pk))
    enrolment_withdraw(enrolment=added[0], actor=manager)
    with django_assert_num_queries(13) as one_withdrawn:
        client.get(url("enrolment", circles.pk))
    for enrolment in added[1:]:
        enrolment_withdraw(enrolment=enrolment, actor=manager)
    with django_assert_num_queries(len(one_withdrawn.captured_queries)):
        client.get(url("enrolment", circles.pk))


def test_the_enrolment_page_shows_the_first_withdrawals_by_name_and_counts_them_all(
    circles: Programme,
    manager: User,
    directory: dict[str, Person],
    client_for: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from alongside.programmes import views

    monkeypatch.setattr(views, "WITHDRAWN_SHOWN", 2)
    enrolments = enrolment_add(programme=circles, actor=manager, people=list(directory.values()))
    for enrolment in enrolments:
        enrolment_withdraw(enrolment=enrolment, actor=manager, reason="Moved on")
    by_name = sorted(e.person.name for e in enrolments)
    assert len(by_name) > 2
    page = text(client_for(manager).get(url("enrolment", circles.pk)))
    assert f"Withdrawn ({len(by_name)})" in page
    assert "The first 2 by name are shown" in page
    withdrawn_part = page[page.index("Withdrawn (") :]
    assert by_name[0] in withdrawn_part
    assert by_name[1] in withdrawn_part
    assert by_name[-1] not in withdrawn_part


# --- Participant pages -----------------------------------------------------------------


@pytest.fixture
def joined(circles: Programme, manager: User, member: User) -> Enrolment:
    person = person_of(member)
    person.languages = ["English", "Hindi"]
    person.save()
    return enrolment_add(programme=circles, actor=manager, people=[person])[0]


def test_intake_is_prefilled_from_the_directory(
    joined: Enrolment, circles: Programme, member: User, client_for: Any
) -> None:
    page = text(client_for(member).get(url("intake", circles.pk)))
    assert '<option value="Asia/Kolkata" selected>' in page
    assert 'value="English; Hindi"' in page
    assert "Mon-Thu 10:00-12:00, 14:00-17:00" in page  # an example of typed availability
    assert 'value="Delegation"' in page  # the programme's topics as checkboxes


def test_intake_shows_the_services_problems_on_their_fields(
    joined: Enrolment, circles: Programme, member: User, client_for: Any
) -> None:
    response = client_for(member).post(
        url("intake", circles.pk),
        {"availability": "whenever", "timezone": "Asia/Kolkata", "goals": "Grow"},
    )
    assert response.status_code == 200
    page = text(response)
    assert "could not read availability" in page
    assert not Intake.objects.get(enrolment=joined).is_complete


def test_intake_missing_wants_and_offers_is_explained(
    joined: Enrolment, circles: Programme, member: User, client_for: Any
) -> None:
    page = text(client_for(member).post(url("intake", circles.pk), {"goals": "Grow"}))
    assert "choose at least one thing you want to develop." in page
    assert "choose at least one thing you can offer." in page


def test_intake_completes(
    joined: Enrolment, circles: Programme, member: User, client_for: Any
) -> None:
    client = client_for(member)
    response = client.post(
        url("intake", circles.pk),
        {
            "wants": ["Delegation", "Giving feedback"],
            "offers": ["Presenting"],
            "offers_other": "Excel",
            "goals": "Lead well",
            "availability": "Mon-Fri 09:00-17:00; Sat 10:00-12:30",
            "timezone": "Asia/Kolkata",
            "communication_preference": "video",
            "languages": "English; Hindi",
        },
    )
    assert response.status_code == 302
    intake = Intake.objects.get(enrolment=joined)
    assert intake.is_complete
    assert intake.wants == ["Delegation", "Giving feedback"]
    assert intake.languages == ["English", "Hindi"]
    assert "Your intake is done." in text(client.get(url("detail", circles.pk)))


def test_intake_can_be_saved_for_later(
    joined: Enrolment, circles: Programme, member: User, client_for: Any
) -> None:
    client_for(member).post(url("intake", circles.pk), {"goals": "Think", "later": "1"})
    intake = Intake.objects.get(enrolment=joined)
    assert intake.goals == "Think"
    assert not intake.is_complete


def test_someone_not_taking_part_has_no_intake(
    circles: Programme, manager: User, client_for: Any
) -> None:
    response = client_for(manager).get(url("intake", circles.pk))
    assert response.status_code == 302
    assert response["Location"] == url("detail", circles.pk)


def test_a_member_joins_by_the_link_and_lands_on_the_intake(
    mentoring: Programme, manager: User, member: User, client_for: Any
) -> None:
    self_enrol_set_open(programme=mentoring, actor=manager, open=True)
    client = client_for(member)
    page = text(client.get(url("join", mentoring.self_enrol_token)))
    assert "High potentials" in page
    assert 'value="mentor"' in page
    response = client.post(url("join", mentoring.self_enrol_token), {"role": "mentee"})
    assert response.status_code == 302
    assert response["Location"] == url("intake", mentoring.pk)
    enrolment = Enrolment.objects.get(programme=mentoring)
    assert (enrolment.role, enrolment.source) == ("mentee", "self")
    assert "You are already taking part" in text(
        client.get(url("join", mentoring.self_enrol_token))
    )


def test_a_closed_link_explains_itself(circles: Programme, member: User, client_for: Any) -> None:
    client = client_for(member)
    assert "Self-enrolment for this programme is closed." in text(
        client.get(url("join", circles.self_enrol_token))
    )
    client.post(url("join", circles.self_enrol_token))
    assert not circles.enrolments.exists()


def test_a_link_of_another_organisation_is_404(
    org_b: Organisation, outsider: User, member: User, client_for: Any
) -> None:
    theirs = programme_create(organisation=org_b, actor=outsider, name="T", format="peer_pairs")
    self_enrol_set_open(programme=theirs, actor=outsider, open=True)
    assert client_for(member).get(url("join", theirs.self_enrol_token)).status_code == 404
    assert client_for(member).post(url("join", theirs.self_enrol_token)).status_code == 404
    assert not theirs.enrolments.exists()


def test_edit_changes_the_managers(
    org_a: Organisation,
    circles: Programme,
    manager: User,
    admin: User,
    member: User,
    client_for: Any,
) -> None:
    page = text(client_for(manager).get(url("edit", circles.pk)))
    assert "Asha Admin" in page
    assert "Ravi Member" not in page  # members cannot manage programmes
    client_for(manager).post(url("edit", circles.pk), edit_data(circles, managers=[admin.pk]))
    assert list(circles.managers.all()) == [admin]
    assert client_for(manager).get(url("detail", circles.pk)).status_code == 404
    response = client_for(admin).post(
        url("edit", circles.pk), edit_data(circles, managers=[member.pk])
    )
    assert response.status_code == 200
    assert list(circles.managers.all()) == [admin]
