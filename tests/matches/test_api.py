"""The matching and relationships API: runs, adjustments, rules, publish, follow-up."""

from __future__ import annotations

from typing import Any

import pytest

from alongside.matches.models import MatchGroupMember, MatchRun, PairingRule
from alongside.people.models import Person
from alongside.programmes.services import enrolment_add
from alongside.relationships.models import Relationship, RelationshipMember, RematchRequest
from tests.api_rate import rate_count_queries
from tests.matches.helpers import _people, _programme, draft_run, published_programme


def base(programme: Any) -> str:
    return f"/api/v1/organisations/acme/programmes/{programme.pk}"


@pytest.fixture
def pairs(admin: Any, org_a: Any) -> tuple[Any, list[Any]]:
    return _programme(org_a, admin, "peer_pairs", _people(org_a, 8))


def test_create_run_matches_small_cohorts_at_once_and_lists_it(
    admin: Any, pairs: Any, api_for: Any, django_capture_on_commit_callbacks: Any
) -> None:
    programme, _enrolments = pairs
    api = api_for(admin)
    with django_capture_on_commit_callbacks(execute=True):
        created = api.post(f"{base(programme)}/match-runs")
    assert created.status_code == 201, created.content
    run_id = created.json()["id"]
    detail = api.get(f"{base(programme)}/match-runs/{run_id}").json()
    assert detail["status"] == "draft"
    assert detail["progress"] == 100
    assert detail["upper_bound"] >= detail["objective"]
    assert 0 <= detail["gap"] <= 1
    assert detail["summary"]["people"] == 8
    assert (detail["groups_count"], detail["unmatched_count"]) == (4, 0)
    groups = api.get(f"{base(programme)}/match-runs/{run_id}/groups").json()
    assert (groups["count"], len(groups["items"]), groups["next"]) == (4, 4, None)
    group = groups["items"][0]
    assert {"number", "score", "reasons_admin", "reasons_participant", "members"} <= set(group)
    assert {"enrolment_id", "name", "role", "score"} <= set(group["members"][0])
    assert [r["id"] for r in api.get(f"{base(programme)}/match-runs").json()["items"]] == [run_id]
    paged = api.get(f"{base(programme)}/match-runs/{run_id}/groups", {"page_size": 3}).json()
    assert paged["next"].endswith(f"/match-runs/{run_id}/groups?page=2&page_size=3")
    rest = api.get(paged["next"]).json()
    assert [g["number"] for g in paged["items"] + rest["items"]] == [1, 2, 3, 4]
    assert rest["next"] is None


def test_create_run_with_nothing_to_match_is_a_clear_error(
    admin: Any, org_a: Any, api_for: Any
) -> None:
    programme, _enrolments = _programme(org_a, admin, "peer_pairs", _people(org_a, 1))
    response = api_for(admin).post(f"{base(programme)}/match-runs")
    assert response.status_code == 400
    assert response.json()["code"] == "nothing_to_match"


def test_move_and_swap(admin: Any, org_a: Any, api_for: Any) -> None:
    programme, _enrolments = _programme(org_a, admin, "peer_pairs", _people(org_a, 6))
    run = draft_run(programme, admin)
    api = api_for(admin)
    path = f"{base(programme)}/match-runs/{run.pk}"
    groups = api.get(f"{path}/groups").json()["items"]
    first, second = groups[0]["members"][0], groups[1]["members"][0]
    swapped = api.post(
        f"{path}/swap",
        {
            "first_enrolment_id": first["enrolment_id"],
            "second_enrolment_id": second["enrolment_id"],
        },
    )
    if swapped.status_code == 200:
        numbers = {
            m["enrolment_id"]: g["number"]
            for g in swapped.json()["changed_groups"]
            for m in g["members"]
        }
        assert numbers[first["enrolment_id"]] == groups[1]["number"]
    else:  # a hard rule refused it, with a specific reason
        assert swapped.json()["code"] == "forbidden"
    moved = api.post(f"{path}/move", {"enrolment_id": first["enrolment_id"], "group_number": None})
    assert moved.status_code == 200
    assert moved.json()["unmatched_count"] == 1
    unmatched = api.get(f"{path}/unmatched").json()["items"]
    assert first["enrolment_id"] in {u["enrolment_id"] for u in unmatched}
    too_big = api.post(
        f"{path}/move", {"enrolment_id": first["enrolment_id"], "group_number": groups[2]["number"]}
    )
    assert too_big.status_code == 400
    assert too_big.json()["code"] == "size"
    missing = api.post(f"{path}/move", {"enrolment_id": first["enrolment_id"], "group_number": 99})
    assert missing.status_code == 404


def test_pairing_rules(admin: Any, pairs: Any, api_for: Any) -> None:
    programme, enrolments = pairs
    api = api_for(admin)
    created = api.post(
        f"{base(programme)}/pairing-rules",
        {
            "kind": "forbid",
            "first_enrolment_id": enrolments[1].pk,
            "second_enrolment_id": enrolments[0].pk,
            "note": "same team",
        },
    )
    assert created.status_code == 201, created.content
    rule = created.json()
    assert (rule["first_enrolment_id"], rule["second_enrolment_id"]) == (
        enrolments[0].pk,
        enrolments[1].pk,
    )
    assert [r["id"] for r in api.get(f"{base(programme)}/pairing-rules").json()["items"]] == [
        rule["id"]
    ]
    bad = api.post(
        f"{base(programme)}/pairing-rules",
        {
            "kind": "maybe",
            "first_enrolment_id": enrolments[1].pk,
            "second_enrolment_id": enrolments[0].pk,
        },
    )
    assert bad.status_code == 400
    assert api.delete(f"{base(programme)}/pairing-rules/{rule['id']}").status_code == 204
    assert not PairingRule.objects.exists()


def test_publish_and_discard(admin: Any, pairs: Any, api_for: Any) -> None:
    programme, _enrolments = pairs
    api = api_for(admin)
    run = draft_run(programme, admin)
    published = api.post(f"{base(programme)}/match-runs/{run.pk}/publish", {"keep_matching": False})
    assert published.status_code == 200, published.content
    assert published.json() == {"run_id": run.pk, "relationships": 4, "stage": "running"}
    again = api.post(f"{base(programme)}/match-runs/{run.pk}/discard")
    assert again.status_code == 400
    assert again.json()["code"] == "not_draft"


def test_a_failed_publish_writes_nothing(admin: Any, pairs: Any, api_for: Any) -> None:
    programme, _enrolments = pairs
    run = draft_run(programme, admin)
    member = MatchGroupMember.objects.filter(run=run).order_by("-group__number").first()
    earlier = Relationship.objects.create(
        organisation=programme.organisation, programme=programme, kind="pair", name="Earlier"
    )
    RelationshipMember.objects.create(
        relationship=earlier,
        enrolment=member.enrolment,
        person=member.enrolment.person,
        role="peer",
    )
    response = api_for(admin).post(f"{base(programme)}/match-runs/{run.pk}/publish", {})
    assert response.status_code == 400
    assert response.json()["code"] == "already_matched"
    assert list(Relationship.objects.filter(programme=programme)) == [earlier]
    run.refresh_from_db()
    assert run.status == MatchRun.Status.DRAFT


def test_relationships_rematch_requests_and_late_joiners(
    admin: Any, org_a: Any, api_for: Any
) -> None:
    programme, _enrolments = published_programme(org_a, admin, "peer_circles", 12)
    api = api_for(admin)
    listed = api.get(f"{base(programme)}/relationships").json()["items"]
    assert len(listed) == Relationship.objects.filter(programme=programme).count()
    assert listed[0]["reasons_admin"]
    circle = Relationship.objects.get(pk=listed[0]["id"])
    asker = circle.members.first()
    RematchRequest.objects.create(relationship=circle, enrolment=asker.enrolment, reason="clash")
    [open_request] = api.get(f"{base(programme)}/rematch-requests").json()["items"]
    assert open_request["reason"] == "clash"
    resolved = api.post(
        f"{base(programme)}/rematch-requests/{open_request['id']}/resolve",
        {"rematch": False, "note": "try once more"},
    )
    assert resolved.json()["status"] == "declined"
    assert api.get(f"{base(programme)}/rematch-requests").json()["items"] == []
    twice = api.post(
        f"{base(programme)}/rematch-requests/{open_request['id']}/resolve", {"rematch": True}
    )
    assert twice.status_code == 400
    late_person = Person.objects.create(organisation=org_a, name="Lata", email="lata@acme.test")
    [late] = enrolment_add(programme=programme, actor=admin, people=[late_person])
    added = api.post(
        f"{base(programme)}/relationships/{circle.pk}/members", {"enrolment_id": late.pk}
    )
    assert added.status_code == 201, added.content
    assert late.pk in {m["enrolment_id"] for m in added.json()["members"]}
    again = api.post(
        f"{base(programme)}/relationships/{circle.pk}/members", {"enrolment_id": late.pk}
    )
    assert again.json()["code"] == "already_matched"


def test_relationships_list_pins_its_query_count(
    admin: Any, org_a: Any, api_for: Any, django_assert_num_queries: Any
) -> None:
    programme, _enrolments = published_programme(org_a, admin, "peer_pairs", 20)
    api = api_for(admin)
    # token, membership, programme, can_manage, count, relationships, members with people
    with django_assert_num_queries(7 + rate_count_queries()):
        response = api.get(f"{base(programme)}/relationships")
    assert len(response.json()["items"]) == 10


def test_a_participant_cannot_use_the_manager_api(
    admin: Any, member: Any, org_a: Any, api_for: Any
) -> None:
    me = Person.objects.get(user=member)
    programme, _enrolments = _programme(org_a, admin, "peer_pairs", [*_people(org_a, 3), me])
    run = draft_run(programme, admin)
    response = api_for(member).post(f"{base(programme)}/match-runs/{run.pk}/publish", {})
    assert response.status_code == 403
    run.refresh_from_db()
    assert run.status == MatchRun.Status.DRAFT


def test_responses_match_the_openapi_schema(
    admin: Any, member: Any, org_a: Any, api_for: Any, client: Any
) -> None:
    from tests.test_api_contract import response_schema, validate

    schema = client.get("/api/v1/openapi.json").json()
    me = Person.objects.get(user=member)
    programme, enrolments = _programme(org_a, admin, "peer_circles", [*_people(org_a, 11), me])
    run = draft_run(programme, admin)
    api = api_for(admin)
    prefix = "/api/v1/organisations/{org_slug}/programmes/{programme_id}"

    def check(response: Any, method: str, template: str) -> None:
        assert response.status_code < 300, response.content
        validate(
            response.json(), response_schema(schema, method, template, response.status_code), schema
        )

    check(api.get(f"{base(programme)}/match-runs"), "GET", f"{prefix}/match-runs")
    check(
        api.get(f"{base(programme)}/match-runs/{run.pk}"), "GET", f"{prefix}/match-runs/{{run_id}}"
    )
    check(
        api.post(
            f"{base(programme)}/pairing-rules",
            {
                "kind": "forbid",
                "first_enrolment_id": enrolments[0].pk,
                "second_enrolment_id": enrolments[1].pk,
            },
        ),
        "POST",
        f"{prefix}/pairing-rules",
    )
    check(api.get(f"{base(programme)}/pairing-rules"), "GET", f"{prefix}/pairing-rules")
    check(
        api.post(f"{base(programme)}/match-runs/{run.pk}/publish", {"keep_matching": True}),
        "POST",
        f"{prefix}/match-runs/{{run_id}}/publish",
    )
    check(api.get(f"{base(programme)}/relationships"), "GET", f"{prefix}/relationships")
    relationship = Relationship.objects.get(members__person=me)
    participant = api_for(member)
    check(
        participant.post(
            f"/api/v1/organisations/acme/relationships/{relationship.pk}/rematch-requests",
            {"reason": "clash"},
        ),
        "POST",
        "/api/v1/organisations/{org_slug}/relationships/{relationship_id}/rematch-requests",
    )
    check(
        participant.get("/api/v1/organisations/acme/relationships/mine"),
        "GET",
        "/api/v1/organisations/{org_slug}/relationships/mine",
    )
    check(api.get(f"{base(programme)}/rematch-requests"), "GET", f"{prefix}/rematch-requests")
    request_id = RematchRequest.objects.get().pk
    check(
        api.post(f"{base(programme)}/rematch-requests/{request_id}/resolve", {"rematch": True}),
        "POST",
        f"{prefix}/rematch-requests/{{request_id}}/resolve",
    )


def test_a_large_cohort_runs_in_the_background_and_reports_progress(
    admin: Any, pairs: Any, api_for: Any, monkeypatch: Any, django_capture_on_commit_callbacks: Any
) -> None:
    monkeypatch.setattr("alongside.matches.services.running.INLINE_RUN_MAX_PEOPLE", 2)
    programme, _enrolments = pairs
    api = api_for(admin)
    with django_capture_on_commit_callbacks(execute=True):
        created = api.post(f"{base(programme)}/match-runs").json()
    assert created["status"] == "queued"
    assert created["progress_message"] == "Waiting for a worker"
    # The tests' task backend runs the queued task at once, as the embedded worker would.
    detail = api.get(f"{base(programme)}/match-runs/{created['id']}").json()
    assert (detail["status"], detail["progress"]) == ("draft", 100)


@pytest.mark.parametrize("people", [6, 30])
def test_run_groups_list_pins_its_query_count(
    people: int, admin: Any, org_a: Any, api_for: Any, django_assert_num_queries: Any
) -> None:
    programme, _enrolments = _programme(org_a, admin, "peer_pairs", _people(org_a, people))
    run = draft_run(programme, admin)
    api = api_for(admin)
    # token, membership, programme, can_manage, run, count, groups, their members
    with django_assert_num_queries(8 + rate_count_queries()):
        response = api.get(f"{base(programme)}/match-runs/{run.pk}/groups")
    items = response.json()["items"]
    assert len(items) == people // 2
    # Every member once, as the database has them, each with their person's name.
    shown = {
        m["enrolment_id"]: (g["number"], m["name"], m["person_id"])
        for g in items
        for m in g["members"]
    }
    stored = {
        m.enrolment_id: (m.group.number, m.enrolment.person.name, m.enrolment.person_id)
        for m in MatchGroupMember.objects.filter(run=run).select_related(
            "group", "enrolment__person"
        )
    }
    assert shown == stored
