"""Programme, enrolment and intake services: the rules a programme manager relies on."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from alongside.accounts.models import User
from alongside.core.errors import AlongsideError
from alongside.organisations.models import Membership, Organisation
from alongside.people.models import Person
from alongside.programmes.format_defaults import DEFAULT_TOPICS, TEMPLATES, rules_for
from alongside.programmes.models import (
    ALLOWED_TRANSITIONS,
    Enrolment,
    EnrolmentStatus,
    Format,
    Intake,
    Programme,
    Stage,
)
from alongside.programmes.selectors import (
    can_manage,
    programme_get,
    programmes_managed,
    programmes_visible,
)
from alongside.programmes.services import (
    enrolment_add,
    enrolment_import_emails,
    enrolment_withdraw,
    intake_save,
    intake_send_reminders,
    programme_create,
    programme_transition,
    programme_update,
    self_enrol,
    self_enrol_set_open,
)
from tests.links import link_targets, sign_in_paths
from tests.programmes.conftest import person_of


def problems(error: pytest.ExceptionInfo[AlongsideError]) -> list[tuple[str | None, int | None]]:
    return [(p.field, p.row) for p in error.value.problems]


# --- Templates -------------------------------------------------------------------------


@pytest.mark.parametrize("format", Format.values)
def test_each_format_starts_from_its_template(
    format: str, org_a: Organisation, manager: User
) -> None:
    programme = programme_create(organisation=org_a, actor=manager, name="P", format=format)
    template = TEMPLATES[format]
    assert programme.stage == Stage.DRAFT
    assert programme.rhythm == template.rhythm
    assert programme.session_minutes == template.session_minutes
    assert programme.capability_areas == template.capability_areas
    assert programme.purpose == template.purpose
    assert programme.topics == DEFAULT_TOPICS
    assert programme.matching_rules == rules_for(format)
    assert programme.end_date == programme.start_date + timedelta(weeks=template.weeks)
    assert list(programme.managers.all()) == [manager]


def test_circles_default_to_six_with_four_to_eight(circles: Programme) -> None:
    assert circles.rule("min_size") == 4
    assert circles.rule("max_size") == 8
    assert circles.rule("target_size") == 6


def test_template_fields_can_be_overridden(org_a: Organisation, manager: User) -> None:
    programme = programme_create(
        organisation=org_a,
        actor=manager,
        name="Buddies for Q3",
        format="buddies",
        purpose="First weeks",
        start_date=date(2030, 7, 1),
        end_date=date(2030, 9, 1),
        session_minutes=20,
        matching_rules={"must_share_language": True},
    )
    assert (programme.purpose, programme.session_minutes) == ("First weeks", 20)
    assert programme.rule("must_share_language") is True
    assert programme.rule("max_level_gap") == 2  # still the template's


def test_unknown_format_is_refused_naming_the_field(org_a: Organisation, manager: User) -> None:
    with pytest.raises(AlongsideError) as error:
        programme_create(organisation=org_a, actor=manager, name="P", format="speed_dating")
    assert problems(error) == [("format", None)]
    assert not Programme.objects.exists()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": "  "}, "name"),
        ({"capability_areas": ["One", "Two"]}, "capability_areas"),
        ({"capability_areas": [str(i) for i in range(9)]}, "capability_areas"),
        ({"session_minutes": 5}, "session_minutes"),
        ({"rhythm": "daily"}, "rhythm"),
        ({"start_date": date(2030, 5, 1), "end_date": date(2030, 4, 1)}, "end_date"),
        ({"matching_rules": {"min_size": 6, "max_size": 4}}, "rules.min_size"),
        ({"matching_rules": {"min_size": 1}}, "rules.min_size"),
        ({"matching_rules": {"target_size": 12}}, "rules.target_size"),
        ({"matching_rules": {"intent": "chaos"}}, "rules.intent"),
        ({"matching_rules": {"max_timezone_difference": 30}}, "rules.max_timezone_difference"),
        ({"matching_rules": {"max_level_gap": -1}}, "rules.max_level_gap"),
        ({"matching_rules": {"default_capacity": 0}}, "rules.default_capacity"),
        ({"matching_rules": {"astrology": True}}, "rules.astrology"),
    ],
)
def test_bad_programme_fields_are_refused_with_the_field(
    fields: dict[str, Any], field: str, circles: Programme, manager: User
) -> None:
    with pytest.raises(AlongsideError) as error:
        programme_update(programme=circles, actor=manager, **fields)
    assert (field, None) in problems(error)
    circles.refresh_from_db()
    assert circles.matching_rules == rules_for("peer_circles")


def test_update_merges_rules_and_keeps_the_rest(circles: Programme, manager: User) -> None:
    programme_update(
        programme=circles, actor=manager, matching_rules={"target_size": 5, "max_size": 6}
    )
    circles.refresh_from_db()
    assert (circles.rule("target_size"), circles.rule("max_size")) == (5, 6)
    assert circles.rule("min_size") == 4


def test_only_editable_fields_can_change(circles: Programme, manager: User) -> None:
    with pytest.raises(AlongsideError) as error:
        programme_update(programme=circles, actor=manager, stage="running")
    assert problems(error) == [("stage", None)]


# --- Lifecycle -------------------------------------------------------------------------

ALL_MOVES = [(a, b) for a in Stage.values for b in Stage.values if a != b]


@pytest.mark.parametrize(("start", "to"), ALL_MOVES, ids=[f"{a}->{b}" for a, b in ALL_MOVES])
def test_each_transition_is_allowed_or_refused_with_the_reason(
    start: str, to: str, circles: Programme, manager: User, directory: dict[str, Person]
) -> None:
    enrolment_add(programme=circles, actor=manager, people=[directory["anil"]])
    Programme.objects.filter(pk=circles.pk).update(stage=start)
    circles.refresh_from_db()
    if to in ALLOWED_TRANSITIONS[start]:
        moved = programme_transition(programme=circles, actor=manager, to=to)
        assert moved.stage == to
    else:
        with pytest.raises(AlongsideError) as error:
            programme_transition(programme=circles, actor=manager, to=to)
        assert error.value.code == "invalid_transition"
        assert f"cannot go from {start}" in error.value.message
        assert "Allowed next stages" in error.value.message
        circles.refresh_from_db()
        assert circles.stage == start


def test_the_full_forward_lifecycle(
    circles: Programme, manager: User, directory: dict[str, Person]
) -> None:
    enrolment_add(programme=circles, actor=manager, people=[directory["anil"]])
    for stage in ("enrolling", "matching", "running", "closing", "closed"):
        circles = programme_transition(programme=circles, actor=manager, to=stage)
    assert circles.stage == Stage.CLOSED
    with pytest.raises(AlongsideError, match="closed programme cannot be changed"):
        programme_update(programme=circles, actor=manager, name="Again")


def test_matching_needs_someone_enrolled(circles: Programme, manager: User) -> None:
    programme_transition(programme=circles, actor=manager, to="enrolling")
    with pytest.raises(AlongsideError, match="Enrol some participants"):
        programme_transition(programme=circles, actor=manager, to="matching")


def test_an_unknown_stage_names_the_field(circles: Programme, manager: User) -> None:
    with pytest.raises(AlongsideError) as error:
        programme_transition(programme=circles, actor=manager, to="paused")
    assert problems(error) == [("stage", None)]


def test_leaving_enrolment_closes_the_self_enrolment_link(
    circles: Programme, manager: User, directory: dict[str, Person]
) -> None:
    programme_transition(programme=circles, actor=manager, to="enrolling")
    self_enrol_set_open(programme=circles, actor=manager, open=True)
    enrolment_add(programme=circles, actor=manager, people=[directory["anil"]])
    moved = programme_transition(programme=circles, actor=manager, to="matching")
    assert moved.self_enrol_open is False


# --- Enrolment -------------------------------------------------------------------------


def test_enrol_from_the_directory_prefills_the_intake(
    circles: Programme, manager: User, directory: dict[str, Person]
) -> None:
    added = enrolment_add(
        programme=circles, actor=manager, people=[directory["farid"], directory["chen"]]
    )
    assert {e.role for e in added} == {"peer"}
    intake = Intake.objects.get(enrolment__person=directory["farid"])
    assert intake.timezone == "Asia/Kolkata"
    assert intake.languages == ["Urdu", "English"]
    assert intake.completed_at is None


def test_enrolling_twice_skips_the_already_enrolled(
    circles: Programme, manager: User, directory: dict[str, Person]
) -> None:
    enrolment_add(programme=circles, actor=manager, people=[directory["anil"]])
    again = enrolment_add(
        programme=circles, actor=manager, people=[directory["anil"], directory["bela"]]
    )
    assert [e.person for e in again] == [directory["bela"]]
    assert circles.enrolments.count() == 2


def test_peers_have_no_mentor_role(
    circles: Programme, manager: User, directory: dict[str, Person]
) -> None:
    with pytest.raises(AlongsideError) as error:
        enrolment_add(programme=circles, actor=manager, people=[directory["anil"]], role="mentor")
    assert problems(error) == [("role", None)]


def test_mentoring_needs_mentor_or_mentee_and_gives_mentors_capacity(
    org_a: Organisation, manager: User, mentoring: Programme, directory: dict[str, Person]
) -> None:
    with pytest.raises(AlongsideError) as error:
        enrolment_add(programme=mentoring, actor=manager, people=[directory["anil"]])
    assert problems(error) == [("role", None)]
    (mentor,) = enrolment_add(
        programme=mentoring, actor=manager, people=[directory["divya"]], role="mentor", capacity=3
    )
    (mentee,) = enrolment_add(
        programme=mentoring, actor=manager, people=[directory["anil"]], role="mentee"
    )
    assert (mentor.role, mentor.capacity) == ("mentor", 3)
    assert (mentee.role, mentee.capacity) == ("mentee", 1)
    group = programme_create(organisation=org_a, actor=manager, name="G", format="group_mentoring")
    (default,) = enrolment_add(
        programme=group, actor=manager, people=[directory["divya"]], role="mentor"
    )
    assert default.capacity == 4  # the group-mentoring template's default


@pytest.mark.parametrize("capacity", [0, 51])
def test_capacity_out_of_range_is_refused(
    capacity: int, mentoring: Programme, manager: User, directory: dict[str, Person]
) -> None:
    with pytest.raises(AlongsideError) as error:
        enrolment_add(
            programme=mentoring,
            actor=manager,
            people=[directory["divya"]],
            role="mentor",
            capacity=capacity,
        )
    assert problems(error) == [("capacity", None)]


def test_inactive_and_foreign_people_cannot_be_enrolled(
    circles: Programme, manager: User, directory: dict[str, Person], outsider: User
) -> None:
    directory["anil"].is_active = False
    directory["anil"].save()
    with pytest.raises(AlongsideError, match="inactive"):
        enrolment_add(programme=circles, actor=manager, people=[directory["anil"]])
    with pytest.raises(AlongsideError, match="Only people of this organisation"):
        enrolment_add(programme=circles, actor=manager, people=[person_of(outsider)])
    assert not circles.enrolments.exists()


def test_no_one_joins_a_closing_programme(
    circles: Programme, manager: User, directory: dict[str, Person]
) -> None:
    Programme.objects.filter(pk=circles.pk).update(stage=Stage.CLOSING)
    circles.refresh_from_db()
    with pytest.raises(AlongsideError, match="no one can join now"):
        enrolment_add(programme=circles, actor=manager, people=[directory["anil"]])


def test_joining_after_matching_marks_a_late_joiner(
    circles: Programme, manager: User, directory: dict[str, Person]
) -> None:
    Programme.objects.filter(pk=circles.pk).update(stage=Stage.RUNNING)
    circles.refresh_from_db()
    (late,) = enrolment_add(programme=circles, actor=manager, people=[directory["anil"]])
    assert late.late_joiner


def test_csv_lists_every_problem_with_its_row_and_enrols_no_one(
    circles: Programme, manager: User, directory: dict[str, Person]
) -> None:
    directory["emma"].is_active = False
    directory["emma"].save()
    data = (
        b"email,team\n"
        b"anil@acme.test,x\n"  # row 2: fine
        b"not-an-email,x\n"  # row 3
        b"nobody@acme.test,x\n"  # row 4
        b"ANIL@acme.test,x\n"  # row 5: duplicate of row 2
        b"emma@acme.test,x\n"  # row 6: inactive
    )
    with pytest.raises(AlongsideError) as error:
        enrolment_import_emails(programme=circles, actor=manager, data=data)
    assert error.value.code == "import_invalid"
    assert problems(error) == [
        ("team", 1),
        ("email", 3),
        ("email", 4),
        ("email", 5),
        ("email", 6),
    ]
    messages = [p.message for p in error.value.problems]
    assert "is also on row 2" in messages[3]
    assert "not in the people directory" in messages[2]
    assert not circles.enrolments.exists()


def test_csv_of_plain_addresses_enrols_everyone(
    circles: Programme, manager: User, directory: dict[str, Person]
) -> None:
    added = enrolment_import_emails(
        programme=circles, actor=manager, data=b"anil@acme.test\r\nbela@acme.test\r\n"
    )
    assert sorted(e.person.name for e in added) == ["Anil Kumar", "Bela Shah"]
    assert {e.source for e in added} == {"csv"}


def test_csv_roles_and_capacity_in_mentoring(
    mentoring: Programme, manager: User, directory: dict[str, Person]
) -> None:
    data = b"email,role,capacity\ndivya@acme.test,mentor,2\nanil@acme.test,mentee,\n"
    enrolment_import_emails(programme=mentoring, actor=manager, data=data)
    roles = {e.person.name: (e.role, e.capacity) for e in mentoring.enrolments.all()}
    assert roles == {"Divya Rao": ("mentor", 2), "Anil Kumar": ("mentee", 1)}
    bad = b"email,role,capacity\nbela@acme.test,boss,\nchen@acme.test,mentor,99\n"
    with pytest.raises(AlongsideError) as error:
        enrolment_import_emails(programme=mentoring, actor=manager, data=bad)
    assert problems(error) == [("role", 2), ("capacity", 3)]


def test_empty_csv_is_refused(circles: Programme, manager: User) -> None:
    with pytest.raises(AlongsideError) as error:
        enrolment_import_emails(programme=circles, actor=manager, data=b"")
    assert error.value.problems


def test_self_enrolment_only_while_open(circles: Programme, manager: User, member: User) -> None:
    with pytest.raises(AlongsideError, match="closed"):
        self_enrol(programme=circles, person=person_of(member))
    self_enrol_set_open(programme=circles, actor=manager, open=True)
    enrolment = self_enrol(programme=circles, person=person_of(member))
    assert (enrolment.source, enrolment.role) == ("self", "peer")
    assert self_enrol(programme=circles, person=person_of(member)).pk == enrolment.pk


def test_a_new_link_replaces_the_old_one(circles: Programme, manager: User) -> None:
    old = circles.self_enrol_token
    self_enrol_set_open(programme=circles, actor=manager, open=True, new_link=True)
    circles.refresh_from_db()
    assert circles.self_enrol_token != old
    assert not Programme.objects.filter(self_enrol_token=old).exists()
    assert circles.self_enrol_open


def test_self_enrolment_cannot_open_on_a_closed_programme(
    circles: Programme, manager: User
) -> None:
    Programme.objects.filter(pk=circles.pk).update(stage=Stage.CLOSED)
    circles.refresh_from_db()
    with pytest.raises(AlongsideError):
        self_enrol_set_open(programme=circles, actor=manager, open=True)


def test_withdrawing_keeps_history_and_can_be_undone(
    circles: Programme, manager: User, directory: dict[str, Person]
) -> None:
    (enrolment,) = enrolment_add(programme=circles, actor=manager, people=[directory["anil"]])
    withdrawn = enrolment_withdraw(enrolment=enrolment, actor=manager, reason=" Moved teams ")
    assert withdrawn.status == EnrolmentStatus.WITHDRAWN
    assert withdrawn.withdrawn_reason == "Moved teams"
    assert withdrawn.withdrawn_at is not None
    assert Intake.objects.filter(enrolment=enrolment).exists()
    (back,) = enrolment_add(programme=circles, actor=manager, people=[directory["anil"]])
    assert back.pk == enrolment.pk
    assert back.status == EnrolmentStatus.ACTIVE
    assert back.withdrawn_reason == ""


def test_coming_back_after_withdrawing_takes_the_new_role(
    mentoring: Programme, manager: User, directory: dict[str, Person]
) -> None:
    (mentee,) = enrolment_add(
        programme=mentoring, actor=manager, people=[directory["divya"]], role="mentee"
    )
    enrolment_withdraw(enrolment=mentee, actor=manager)
    (back,) = enrolment_add(
        programme=mentoring, actor=manager, people=[directory["divya"]], role="mentor", capacity=3
    )
    assert (back.pk, back.role, back.capacity) == (mentee.pk, "mentor", 3)


def test_withdrawing_a_mentor_frees_their_capacity(
    mentoring: Programme, manager: User, directory: dict[str, Person]
) -> None:
    (mentor,) = enrolment_add(
        programme=mentoring, actor=manager, people=[directory["divya"]], role="mentor", capacity=2
    )
    enrolment_withdraw(enrolment=mentor, actor=manager)
    active_mentor_places = sum(
        e.capacity
        for e in Enrolment.objects.filter(programme=mentoring, status="active", role="mentor")
    )
    assert active_mentor_places == 0


# --- Intake ----------------------------------------------------------------------------


@pytest.fixture
def enrolment(circles: Programme, manager: User, directory: dict[str, Person]) -> Enrolment:
    return enrolment_add(programme=circles, actor=manager, people=[directory["anil"]])[0]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"availability": "whenever"}, "availability"),
        ({"wants": ["Juggling"]}, "wants"),
        ({"offers": ["Juggling"]}, "offers"),
        ({"communication_preference": "pigeon"}, "communication_preference"),
        ({"shoe_size": 9}, "shoe_size"),
    ],
)
def test_intake_problems_name_the_field(
    fields: dict[str, Any], field: str, enrolment: Enrolment
) -> None:
    with pytest.raises(AlongsideError) as error:
        intake_save(enrolment=enrolment, actor=None, complete=False, **fields)
    assert (field, None) in problems(error)
    assert Intake.objects.get(enrolment=enrolment).timezone == "Asia/Kolkata"  # unchanged


def test_a_complete_intake_needs_wants_and_offers(enrolment: Enrolment) -> None:
    with pytest.raises(AlongsideError) as error:
        intake_save(enrolment=enrolment, actor=None, goals="Grow")
    assert problems(error) == [("wants", None), ("offers", None)]
    with pytest.raises(AlongsideError) as error:
        intake_save(enrolment=enrolment, actor=None, wants=["Delegation"])
    assert problems(error) == [("offers", None)]


def test_a_mentee_need_not_offer_anything(
    mentoring: Programme, manager: User, directory: dict[str, Person]
) -> None:
    (mentee,) = enrolment_add(
        programme=mentoring, actor=manager, people=[directory["anil"]], role="mentee"
    )
    intake = intake_save(enrolment=mentee, actor=None, wants_other="Board presence")
    assert intake.is_complete


def test_a_complete_intake_is_stored_canonically(enrolment: Enrolment) -> None:
    intake = intake_save(
        enrolment=enrolment,
        actor=None,
        wants=["delegation", "Giving feedback", "Delegation"],
        offers=["Presenting"],
        offers_other="Excel modelling ",
        goals="Lead my first team well",
        availability="Mon-Fri 09:00-17:00; Sat 10:00-12:30",
        timezone="Asia/Kolkata",
        communication_preference="video",
        languages=["English", " Kannada ", "English"],
    )
    assert intake.wants == ["Delegation", "Giving feedback"]
    assert intake.offers_other == "Excel modelling"
    assert intake.languages == ["English", "Kannada"]
    assert intake.completed_at is not None


def test_a_draft_intake_is_not_complete(enrolment: Enrolment) -> None:
    intake = intake_save(enrolment=enrolment, actor=None, complete=False, goals="Later")
    assert not intake.is_complete


def test_reminders_email_only_those_who_have_not_finished(
    circles: Programme,
    manager: User,
    directory: dict[str, Person],
    django_capture_on_commit_callbacks: Any,
) -> None:
    people = [directory[n] for n in ("anil", "bela", "chen", "divya")]
    enrolments = enrolment_add(programme=circles, actor=manager, people=people)
    intake_save(enrolment=enrolments[0], actor=None, wants=["Delegation"], offers=["Presenting"])
    enrolment_withdraw(enrolment=enrolments[3], actor=manager)
    with django_capture_on_commit_callbacks(execute=True):
        count = intake_send_reminders(programme=circles, actor=manager)
    assert count == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["bela@acme.test", "chen@acme.test"]
    link = f"/o/acme/programmes/{circles.pk}/intake/"
    assert all(link_targets(m.body) == [link] for m in mail.outbox)
    assert all(
        sign_in_paths(m.body)[0] in str(m.alternatives[0][0])  # type: ignore[attr-defined]
        for m in mail.outbox
    )
    with django_capture_on_commit_callbacks(execute=True):
        intake_send_reminders(programme=circles, actor=manager)
    bela = Intake.objects.get(enrolment__person=directory["bela"])
    assert bela.reminder_count == 2
    assert bela.reminded_at is not None
    assert bela.reminded_at <= timezone.now()
    assert Intake.objects.get(enrolment__person=directory["anil"]).reminder_count == 0


def test_reminders_are_sent_only_once_the_transaction_commits(
    circles: Programme, manager: User, directory: dict[str, Person]
) -> None:
    enrolment_add(programme=circles, actor=manager, people=[directory["anil"]])
    intake_send_reminders(programme=circles, actor=manager)  # the test's transaction stays open
    assert mail.outbox == []


# --- Role scoping ----------------------------------------------------------------------


def test_admin_sees_every_programme(circles: Programme, admin: User) -> None:
    membership = Membership.objects.get(user=admin)
    assert list(programmes_visible(membership=membership)) == [circles]
    assert can_manage(membership=membership, programme=circles)


def test_a_programme_manager_sees_only_assigned_or_their_own_enrolments(
    org_a: Organisation, circles: Programme, manager: User, admin: User
) -> None:
    other_pm = User.objects.create_user("kiran.pm@acme.test", "x", full_name="Kiran PM")
    Membership.objects.create(user=other_pm, organisation=org_a, role="programme_manager")
    kiran = Person.objects.create(
        organisation=org_a, user=other_pm, name="Kiran PM", email="kiran.pm@acme.test"
    )
    membership = Membership.objects.get(user=other_pm)
    assert not programmes_visible(membership=membership).exists()
    with pytest.raises(AlongsideError) as error:
        programme_get(membership=membership, programme_id=circles.pk)
    assert error.value.status == 404
    enrolment_add(programme=circles, actor=manager, people=[kiran])
    assert list(programmes_visible(membership=membership)) == [circles]
    assert not can_manage(membership=membership, programme=circles)
    assert not programmes_managed(membership=membership).exists()
    circles.managers.add(other_pm)
    assert can_manage(membership=membership, programme=circles)
    assert list(programmes_visible(membership=membership)) == [circles]  # no duplicates


def test_a_member_sees_only_programmes_they_take_part_in(
    org_a: Organisation, circles: Programme, mentoring: Programme, manager: User, member: User
) -> None:
    membership = Membership.objects.get(user=member)
    assert not programmes_visible(membership=membership).exists()
    (enrolment,) = enrolment_add(programme=circles, actor=manager, people=[person_of(member)])
    assert list(programmes_visible(membership=membership)) == [circles]
    enrolment_withdraw(enrolment=enrolment, actor=manager)
    assert not programmes_visible(membership=membership).exists()
