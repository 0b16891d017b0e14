"""The programmes API: the same rules as the pages, with errors that name the field."""

from __future__ import annotations

from typing import Any

from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from alongside.accounts.models import User
from alongside.organisations.models import Membership, Organisation
from alongside.people.models import Person
from alongside.programmes.models import Enrolment, Intake, Programme
from alongside.programmes.services import (
    enrolment_add,
    intake_save,
    programme_create,
    self_enrol_set_open,
)
from tests.api_rate import rate_count_queries
from tests.programmes.conftest import person_of

ORG = "/api/v1/organisations/acme/programmes"


def problems(response: Any) -> list[tuple[str | None, int | None]]:
    return [(p["field"], p["row"]) for p in response.json()["problems"]]


def test_create_from_the_template_and_read_it_back(manager: User, api_for: Any) -> None:
    api = api_for(manager)
    response = api.post(ORG, {"name": "Buddies", "format": "buddies"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["stage"], body["rhythm"], body["session_minutes"]) == ("draft", "weekly", 30)
    assert body["matching_rules"]["max_level_gap"] == 2
    assert body["manages"] is True
    assert body["self_enrol_url"].endswith(
        f"/o/acme/programmes/join/{Programme.objects.get().self_enrol_token}/"
    )
    got = api.get(f"{ORG}/{body['id']}").json()
    assert got == body


def test_create_errors_name_the_field(manager: User, api_for: Any) -> None:
    response = api_for(manager).post(
        ORG,
        {
            "name": "P",
            "format": "peer_circles",
            "capability_areas": ["One"],
            "matching_rules": {"min_size": 9},
        },
    )
    assert response.status_code == 400
    assert set(problems(response)) == {
        ("capability_areas", None),
        ("rules.min_size", None),
        ("rules.target_size", None),  # the template's 6 is below the new minimum
    }
    assert not Programme.objects.exists()


def test_list_is_scoped_and_counts(
    circles: Programme,
    mentoring: Programme,
    manager: User,
    member: User,
    directory: dict[str, Person],
    api_for: Any,
) -> None:
    (mine,) = enrolment_add(programme=circles, actor=manager, people=[person_of(member)])
    intake_save(enrolment=mine, actor=None, wants=["Delegation"], offers=["Presenting"])
    enrolment_add(programme=circles, actor=manager, people=[directory["anil"]])
    as_manager = {p["name"]: p for p in api_for(manager).get(ORG).json()["items"]}
    assert set(as_manager) == {"New managers", "High potentials"}
    assert (as_manager["New managers"]["enrolled"], as_manager["New managers"]["intakes_done"]) == (
        2,
        1,
    )
    as_member = api_for(member).get(ORG).json()["items"]
    assert [p["name"] for p in as_member] == ["New managers"]
    assert as_member[0]["manages"] is False
    assert as_member[0]["self_enrol_url"] is None  # the link is the managers' to share


def test_list_query_count_does_not_grow(
    org_a: Organisation,
    admin: User,
    manager: User,
    directory: dict[str, Person],
    api_for: Any,
    django_assert_num_queries: Any,
) -> None:
    api = api_for(admin)
    programme_create(organisation=org_a, actor=manager, name="P0", format="peer_pairs")
    api.get(ORG)
    with django_assert_num_queries(4 + rate_count_queries()) as small:
        api.get(ORG)
    for i in range(1, 6):
        programme = programme_create(
            organisation=org_a, actor=manager, name=f"P{i}", format="peer_pairs"
        )
        enrolment_add(programme=programme, actor=manager, people=list(directory.values()))
    with django_assert_num_queries(len(small.captured_queries)):
        assert api.get(ORG).json()["count"] == 6


def test_patch_merges_rules_and_reports_problems(
    circles: Programme, manager: User, api_for: Any
) -> None:
    api = api_for(manager)
    response = api.patch(f"{ORG}/{circles.pk}", {"matching_rules": {"target_size": 5}})
    assert response.status_code == 200
    assert response.json()["matching_rules"]["target_size"] == 5
    assert response.json()["matching_rules"]["min_size"] == 4
    bad = api.patch(f"{ORG}/{circles.pk}", {"matching_rules": {"target_size": 20}, "rhythm": "x"})
    assert bad.status_code == 400
    assert set(problems(bad)) == {("rules.target_size", None), ("rhythm", None)}


def test_stage_changes_follow_the_lifecycle(
    circles: Programme, manager: User, api_for: Any
) -> None:
    api = api_for(manager)
    assert api.post(f"{ORG}/{circles.pk}/stage", {"to": "enrolling"}).json()["stage"] == (
        "enrolling"
    )
    refused = api.post(f"{ORG}/{circles.pk}/stage", {"to": "closed"})
    assert refused.status_code == 400
    assert refused.json()["code"] == "invalid_transition"
    assert "cannot go from enrolling to closed" in refused.json()["detail"]


def test_members_taking_part_get_403_and_unassigned_pms_404(
    org_a: Organisation, circles: Programme, manager: User, member: User, api_for: Any
) -> None:
    enrolment_add(programme=circles, actor=manager, people=[person_of(member)])
    response = api_for(member).post(f"{ORG}/{circles.pk}/stage", {"to": "enrolling"})
    assert response.status_code == 403
    assert api_for(member).get(f"{ORG}/{circles.pk}").status_code == 200
    other = User.objects.create_user("kiran.pm@acme.test", "x", full_name="Kiran")
    Membership.objects.create(user=other, organisation=org_a, role="programme_manager")
    assert api_for(other).get(f"{ORG}/{circles.pk}").status_code == 404
    assert api_for(other).get(f"{ORG}/{circles.pk}/enrolments").status_code == 404


def test_enrol_list_and_withdraw(
    mentoring: Programme, manager: User, directory: dict[str, Person], api_for: Any
) -> None:
    api = api_for(manager)
    response = api.post(
        f"{ORG}/{mentoring.pk}/enrolments",
        {"person_ids": [directory["divya"].pk], "role": "mentor", "capacity": 2},
    )
    assert response.status_code == 200, response.content
    assert response.json()["added"] == 1
    mentor = response.json()["enrolments"][0]
    assert (mentor["name"], mentor["role"], mentor["capacity"]) == ("Divya Rao", "mentor", 2)
    assert mentor["intake_complete"] is False
    no_role = api.post(f"{ORG}/{mentoring.pk}/enrolments", {"person_ids": [directory["anil"].pk]})
    assert problems(no_role) == [("role", None)]
    listed = api.get(f"{ORG}/{mentoring.pk}/enrolments").json()["items"]
    assert [e["name"] for e in listed] == ["Divya Rao"]
    withdrawn = api.post(
        f"{ORG}/{mentoring.pk}/enrolments/{mentor['id']}/withdraw", {"reason": "On leave"}
    ).json()
    assert (withdrawn["status"], withdrawn["withdrawn_reason"]) == ("withdrawn", "On leave")
    assert api.get(f"{ORG}/{mentoring.pk}/enrolments").json()["items"] == []
    history = api.get(f"{ORG}/{mentoring.pk}/enrolments?status=withdrawn").json()["items"]
    assert [e["id"] for e in history] == [mentor["id"]]
    everyone = api.get(f"{ORG}/{mentoring.pk}/enrolments?status=all").json()["items"]
    assert [e["id"] for e in everyone] == [mentor["id"]]
    bad = api.get(f"{ORG}/{mentoring.pk}/enrolments?status=gone")
    assert problems(bad) == [("status", None)]


def test_enrol_unknown_or_foreign_people_names_the_field(
    circles: Programme, manager: User, outsider: User, api_for: Any
) -> None:
    response = api_for(manager).post(
        f"{ORG}/{circles.pk}/enrolments", {"person_ids": [person_of(outsider).pk, 999999]}
    )
    assert response.status_code == 400
    assert problems(response) == [("person_ids", None), ("person_ids", None)]
    assert not Enrolment.objects.exists()


def test_withdraw_an_enrolment_of_another_programme_is_404(
    circles: Programme,
    mentoring: Programme,
    manager: User,
    directory: dict[str, Person],
    api_for: Any,
) -> None:
    (enrolment,) = enrolment_add(programme=circles, actor=manager, people=[directory["anil"]])
    response = api_for(manager).post(f"{ORG}/{mentoring.pk}/enrolments/{enrolment.pk}/withdraw", {})
    assert response.status_code == 404


def test_csv_import_lists_each_problem_with_its_row(
    circles: Programme, manager: User, directory: dict[str, Person], api_for: Any
) -> None:
    api = api_for(manager)
    bad = SimpleUploadedFile("c.csv", b"email\nanil@acme.test\nx@nowhere.test\nanil@acme.test\n")
    response = api.post(f"{ORG}/{circles.pk}/enrolments/import", files={"file": bad})
    assert response.status_code == 400
    assert problems(response) == [("email", 3), ("email", 4)]
    good = SimpleUploadedFile("c.csv", b"email\nanil@acme.test\nbela@acme.test\n")
    response = api.post(f"{ORG}/{circles.pk}/enrolments/import", files={"file": good})
    assert response.status_code == 200
    assert response.json()["added"] == 2


def test_csv_import_with_a_default_role(
    mentoring: Programme, manager: User, directory: dict[str, Person], api_for: Any
) -> None:
    upload = SimpleUploadedFile("c.csv", b"anil@acme.test\nbela@acme.test\n")
    response = api_for(manager).post(
        f"{ORG}/{mentoring.pk}/enrolments/import", files={"file": upload, "role": "mentee"}
    )
    assert response.status_code == 200, response.content
    assert {e["role"] for e in response.json()["enrolments"]} == {"mentee"}


def test_self_enrolment_and_joining(
    circles: Programme, manager: User, member: User, api_for: Any
) -> None:
    old = circles.self_enrol_token
    joined = api_for(member).post(f"{ORG}/join/{old}", {})
    assert joined.status_code == 400
    assert "closed" in joined.json()["detail"]
    opened = api_for(manager).post(
        f"{ORG}/{circles.pk}/self-enrolment", {"open": True, "new_link": True}
    )
    assert opened.json()["open"] is True
    circles.refresh_from_db()
    assert opened.json()["url"].endswith(f"/join/{circles.self_enrol_token}/")
    assert api_for(member).post(f"{ORG}/join/{old}", {}).status_code == 404
    joined = api_for(member).post(f"{ORG}/join/{circles.self_enrol_token}", {})
    assert joined.status_code == 201
    assert (joined.json()["source"], joined.json()["role"]) == ("self", "peer")


def test_reminders(
    circles: Programme,
    manager: User,
    directory: dict[str, Person],
    api_for: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    enrolments = enrolment_add(
        programme=circles, actor=manager, people=[directory["anil"], directory["bela"]]
    )
    intake_save(enrolment=enrolments[0], actor=None, wants=["Delegation"], offers=["Presenting"])
    with django_capture_on_commit_callbacks(execute=True):
        response = api_for(manager).post(f"{ORG}/{circles.pk}/reminders")
    assert response.json() == {"reminded": 1}
    assert [m.to for m in mail.outbox] == [["bela@acme.test"]]
    listed = {
        e["name"]: e for e in api_for(manager).get(f"{ORG}/{circles.pk}/enrolments").json()["items"]
    }
    assert listed["Bela Shah"]["intake_reminders"] == 1
    assert listed["Anil Kumar"]["intake_complete"] is True


def test_own_intake_read_and_write(
    circles: Programme, manager: User, member: User, api_for: Any
) -> None:
    api = api_for(member)
    assert api.get(f"{ORG}/{circles.pk}/intake").status_code == 404  # not taking part
    enrolment_add(programme=circles, actor=manager, people=[person_of(member)])
    intake = api.get(f"{ORG}/{circles.pk}/intake").json()
    assert intake["timezone"] == "Asia/Kolkata"
    assert intake["complete"] is False
    bad = api.request(
        "PUT", f"{ORG}/{circles.pk}/intake", {"availability": "soon", "wants": ["Juggling"]}
    )
    assert bad.status_code == 400
    assert set(problems(bad)) == {("availability", None), ("wants", None)}
    saved = api.request(
        "PUT",
        f"{ORG}/{circles.pk}/intake",
        {
            "wants": ["Delegation"],
            "offers": ["Presenting"],
            "availability": "Mon-Fri 09:00-17:00",
            "communication_preference": "chat",
        },
    )
    assert saved.status_code == 200, saved.content
    assert saved.json()["complete"] is True
    assert Intake.objects.get(enrolment__person=person_of(member)).communication_preference == (
        "chat"
    )


def test_another_organisations_programme_is_404(
    org_b: Organisation, outsider: User, admin: User, api_for: Any
) -> None:
    theirs = programme_create(organisation=org_b, actor=outsider, name="T", format="peer_pairs")
    self_enrol_set_open(programme=theirs, actor=outsider, open=True)
    api = api_for(admin)
    assert api.get(f"{ORG}/{theirs.pk}").status_code == 404
    assert api.post(f"{ORG}/{theirs.pk}/stage", {"to": "enrolling"}).status_code == 404
    assert api.post(f"{ORG}/join/{theirs.self_enrol_token}", {}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.stage == "draft"


def test_responses_match_the_published_schema(
    client: Any,
    mentoring: Programme,
    manager: User,
    member: User,
    directory: dict[str, Person],
    api_for: Any,
) -> None:
    from tests.test_api_contract import response_schema, validate

    schema = client.get("/api/v1/openapi.json").json()
    base = "/api/v1/organisations/{org_slug}/programmes"
    one = base + "/{programme_id}"
    (mine,) = enrolment_add(
        programme=mentoring, actor=manager, people=[person_of(member)], role="mentee"
    )
    api = api_for(manager)
    path = f"{ORG}/{mentoring.pk}"
    calls = [
        (api.get(ORG), "GET", base),
        (api.get(path), "GET", one),
        (api.post(ORG, {"name": "X", "format": "peer_pairs"}), "POST", base),
        (api.patch(path, {"name": "Renamed"}), "PATCH", one),
        (api.post(f"{path}/stage", {"to": "enrolling"}), "POST", one + "/stage"),
        (api.post(f"{path}/stage", {"to": "closed"}), "POST", one + "/stage"),
        (api.get(f"{path}/enrolments"), "GET", one + "/enrolments"),
        (
            api.post(
                f"{path}/enrolments",
                {"person_ids": [directory["divya"].pk], "role": "mentor"},
            ),
            "POST",
            one + "/enrolments",
        ),
        (api.post(f"{path}/self-enrolment", {"open": True}), "POST", one + "/self-enrolment"),
        (api.post(f"{path}/reminders"), "POST", one + "/reminders"),
        (api_for(member).get(f"{path}/intake"), "GET", one + "/intake"),
        (
            api.post(f"{path}/enrolments/{mine.pk}/withdraw", {"reason": "x"}),
            "POST",
            one + "/enrolments/{enrolment_id}/withdraw",
        ),
    ]
    for response, method, template in calls:
        assert response.status_code in {200, 201, 400}, (template, response.content)
        validate(
            response.json(), response_schema(schema, method, template, response.status_code), schema
        )
