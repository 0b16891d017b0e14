"""The manager's matching pages: run, review, adjust with htmx, publish, follow up."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from alongside.matches.models import MatchGroupMember, MatchRun, MatchUnmatched, PairingRule
from alongside.matches.services import match_run_publish
from alongside.people.models import Person
from alongside.programmes.services import enrolment_add
from alongside.relationships.models import Relationship, RelationshipMember, RematchRequest
from tests.matches.helpers import _people, _programme, draft_run, published_programme

HTMX = {"HX-Request": "true"}


def url(name: str, programme: Any, *args: Any) -> str:
    return reverse(f"matches:{name}", args=["acme", programme.pk, *args])


@pytest.fixture
def pairs(admin: Any, org_a: Any) -> tuple[Any, list[Any]]:
    return _programme(org_a, admin, "peer_pairs", _people(org_a, 8))


def test_review_page_shows_people_waiting_and_runs_matching(
    admin: Any, pairs: Any, client_for: Any, django_capture_on_commit_callbacks: Any
) -> None:
    programme, _enrolments = pairs
    client = client_for(admin)
    page = client.get(url("review", programme))
    assert page.status_code == 200
    assert "Run matching for 8 people" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("run", programme))
    run = MatchRun.objects.get(programme=programme)
    assert response.status_code == 302
    assert response["Location"] == url("run_detail", programme, run.pk)
    run.refresh_from_db()
    assert run.status == MatchRun.Status.DRAFT
    assert (
        f"Review the current draft (run {run.pk})"
        in client.get(url("review", programme)).content.decode()
    )


def test_run_refuses_a_programme_not_in_matching(admin: Any, org_a: Any, client_for: Any) -> None:
    from alongside.programmes.services import programme_create

    programme = programme_create(organisation=org_a, actor=admin, name="Early", format="peer_pairs")
    response = client_for(admin).post(url("run", programme), follow=True)
    assert "Move the programme to the matching stage" in response.content.decode()
    assert not MatchRun.objects.exists()


def test_a_running_run_shows_a_polled_progress_bar_until_it_is_done(
    admin: Any, pairs: Any, client_for: Any
) -> None:
    programme, _enrolments = pairs
    run = MatchRun.objects.create(
        programme=programme,
        status=MatchRun.Status.RUNNING,
        progress=55,
        progress_message="Pairing 8 people",
    )
    client = client_for(admin)
    body = client.get(url("run_detail", programme, run.pk)).content.decode()
    assert 'hx-trigger="every 1s"' in body
    assert url("run_progress", programme, run.pk) in body
    partial = client.get(url("run_progress", programme, run.pk), headers=HTMX)
    assert 'value="55"' in partial.content.decode()
    assert "<html" not in partial.content.decode()
    MatchRun.objects.filter(pk=run.pk).update(status=MatchRun.Status.DRAFT, progress=100)
    done = client.get(url("run_progress", programme, run.pk), headers=HTMX)
    assert done["HX-Refresh"] == "true"


def test_draft_page_shows_groups_scores_reasons_gap_and_spread(
    admin: Any, pairs: Any, client_for: Any
) -> None:
    programme, _enrolments = pairs
    run = draft_run(programme, admin)
    body = client_for(admin).get(url("run_detail", programme, run.pk)).content.decode()
    for group in run.groups.all():
        assert f"Pair {group.number}" in body
        assert f"{group.score:.1f}" in body
    # Pairs are matched exactly: the page says so in words, the figures stay under details.
    assert "The best possible matching" in body
    assert "Proven upper bound" in body
    assert "Fair across the cohort" in body or "among the worst-matched tenth" in body
    assert "Worst-matched tenth" in body
    assert "Among the worst-matched tenth" in body
    assert "By department" in body
    assert "By location" in body
    first_reason = run.groups.exclude(reasons_admin="").first()
    assert first_reason is not None
    assert first_reason.reasons_admin.splitlines()[0].replace("&", "&amp;") in body or (
        first_reason.reasons_admin.splitlines()[0].split(" ")[0] in body
    )


def test_draft_cards_escape_what_was_typed_and_speak_the_organisations_language(
    admin: Any, org_a: Any, pairs: Any, client_for: Any
) -> None:
    programme, enrolments = pairs
    person = enrolments[0].person
    person.department = 'R&D <b>"Labs"</b>'
    person.location = ""
    person.save()
    run = draft_run(programme, admin)
    member = MatchGroupMember.objects.get(run=run, enrolment=enrolments[0])
    page = url("run_detail", programme, run.pk)
    body = client_for(admin).get(page).content.decode()
    assert "R&amp;D &lt;b&gt;&quot;Labs&quot;&lt;/b&gt; · — · score" in body
    assert "<b>" not in body
    assert f'<h3 id="group-{member.group.number}-title">Pair {member.group.number} ' in body
    org_a.language = "es"
    org_a.save()
    body = client_for(admin).get(page).content.decode()
    assert "R&amp;D &lt;b&gt;&quot;Labs&quot;&lt;/b&gt; · — · puntuación" in body
    # Scores in the organisation's number format: a decimal comma in Spanish.
    assert f"{member.score:.1f}".replace(".", ",") in body


def test_a_neglected_department_is_highlighted(admin: Any, pairs: Any, client_for: Any) -> None:
    programme, _enrolments = pairs
    run = draft_run(programme, admin)
    run.summary["by_department"] = [
        {
            "value": "Finance",
            "people": 4,
            "unmatched": 2,
            "mean_score": 10.0,
            "in_worst_tenth": 3,
            "expected_in_worst_tenth": 0.5,
        },
        {
            "value": "Sales",
            "people": 4,
            "unmatched": 0,
            "mean_score": 60.0,
            "in_worst_tenth": 0,
            "expected_in_worst_tenth": 0.5,
        },
    ]
    run.save()
    body = client_for(admin).get(url("run_detail", programme, run.pk)).content.decode()
    assert "<mark>3 (their share: about 0.5)</mark>" in body
    assert body.count("more than its share") == 1


def test_run_review_page_pins_its_query_count(
    admin: Any, org_a: Any, client_for: Any, django_assert_num_queries: Any
) -> None:
    programme, _enrolments = _programme(org_a, admin, "peer_circles", _people(org_a, 24))
    run = draft_run(programme, admin)
    client = client_for(admin)
    client.get(url("run_detail", programme, run.pk))  # warm the session
    # session, user, membership, programme (+ can_manage), run, one page of groups (count,
    # groups, members), the unmatched (count, first rows), rules, and the messages/tenancy
    # reads: the same however big the cohort.
    with django_assert_num_queries(11):
        response = client.get(url("run_detail", programme, run.pk))
    assert response.status_code == 200


def test_move_with_htmx_returns_the_updated_panel(admin: Any, org_a: Any, client_for: Any) -> None:
    programme, _enrolments = _programme(org_a, admin, "peer_circles", _people(org_a, 10))
    run = draft_run(programme, admin)
    groups = list(run.groups.order_by("number"))
    assert len(groups) == 2
    big, small = sorted(groups, key=lambda g: -g.members.count())
    client = client_for(admin)
    # Hard rules (levels, time zones) refuse some moves; the first allowed one is enough.
    for mover in big.members.all():
        response = client.post(
            url("move", programme, run.pk),
            {"enrolment_id": mover.enrolment_id, "group_id": small.pk},
            headers=HTMX,
        )
        body = response.content.decode()
        assert response.status_code == 200
        assert "<html" not in body
        if "moved to circle" in body:
            break
        assert "cannot be together" in body
    else:
        pytest.fail("no member of the bigger circle could move")
    assert (
        MatchGroupMember.objects.get(run=run, enrolment_id=mover.enrolment_id).group_id == small.pk
    )
    small.refresh_from_db()
    assert f"{small.score:.1f}" in body


def test_move_to_unmatched_and_a_refused_move_shows_the_reason(
    admin: Any, pairs: Any, client_for: Any
) -> None:
    programme, _enrolments = pairs
    run = draft_run(programme, admin)
    first, second = list(run.groups.order_by("number"))[:2]
    mover = first.members.first()
    client = client_for(admin)
    # A pair cannot take a third person: the panel says so and nothing changes.
    refused = client.post(
        url("move", programme, run.pk),
        {"enrolment_id": mover.enrolment_id, "group_id": second.pk},
        headers=HTMX,
    )
    assert "would have 3 people" in refused.content.decode()
    assert (
        MatchGroupMember.objects.get(run=run, enrolment_id=mover.enrolment_id).group_id == first.pk
    )
    client.post(
        url("move", programme, run.pk), {"enrolment_id": mover.enrolment_id, "group_id": ""}
    )
    assert MatchUnmatched.objects.filter(run=run, enrolment_id=mover.enrolment_id).exists()


def test_swap_with_htmx_rescores_both_groups(admin: Any, pairs: Any, client_for: Any) -> None:
    programme, _enrolments = pairs
    run = draft_run(programme, admin)
    first, second = list(run.groups.order_by("number"))[:2]
    a, b = first.members.first(), second.members.first()
    response = client_for(admin).post(
        url("swap", programme, run.pk),
        {"first_enrolment_id": a.enrolment_id, "second_enrolment_id": b.enrolment_id},
        headers=HTMX,
    )
    body = response.content.decode()
    assert "swapped places" in body, body[:500]
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.group_id, b.group_id) == (second.pk, first.pk)
    first.refresh_from_db()
    assert f"{first.score:.1f}" in body


def test_lock_group_rule_and_rule_remove(admin: Any, pairs: Any, client_for: Any) -> None:
    programme, enrolments = pairs
    run = draft_run(programme, admin)
    group = run.groups.first()
    client = client_for(admin)
    client.post(url("lock_group", programme, run.pk), {"group_id": group.pk})
    members = sorted(group.members.values_list("enrolment_id", flat=True))
    lock = PairingRule.objects.get(programme=programme)
    assert (lock.kind, [lock.first_id, lock.second_id]) == ("lock", members)
    response = client.post(
        url("rule", programme),
        {
            "first_enrolment_id": enrolments[0].pk,
            "second_enrolment_id": enrolments[1].pk,
            "kind": "forbid",
            "run_id": run.pk,
        },
    )
    assert response["Location"] == url("run_detail", programme, run.pk)
    forbid = PairingRule.objects.get(programme=programme, kind="forbid")
    page = client.get(url("review", programme)).content.decode()
    assert "Never together" in page
    assert "Keep together" in page
    client.post(url("rule_remove", programme, forbid.pk))
    assert not PairingRule.objects.filter(pk=forbid.pk).exists()


def test_a_bad_rule_shows_a_message(admin: Any, pairs: Any, client_for: Any) -> None:
    programme, enrolments = pairs
    response = client_for(admin).post(
        url("rule", programme),
        {
            "first_enrolment_id": enrolments[0].pk,
            "second_enrolment_id": enrolments[0].pk,
            "kind": "forbid",
        },
        follow=True,
    )
    assert "Choose two different people." in response.content.decode()


def test_publish_creates_relationships_and_can_stay_in_matching(
    admin: Any, pairs: Any, client_for: Any
) -> None:
    programme, _enrolments = pairs
    run = draft_run(programme, admin)
    response = client_for(admin).post(url("publish", programme, run.pk), {"keep_matching": "1"})
    assert response["Location"] == url("relationships", programme)
    assert Relationship.objects.filter(programme=programme).count() == 4
    programme.refresh_from_db()
    assert programme.stage == "matching"


def test_a_failed_publish_writes_nothing(admin: Any, pairs: Any, client_for: Any) -> None:
    programme, _enrolments = pairs
    run = draft_run(programme, admin)
    # Someone in the last group is already placed elsewhere: the whole draft is refused.
    last_member = run.groups.order_by("-number").first().members.first()
    elsewhere = Relationship.objects.create(
        organisation=programme.organisation, programme=programme, kind="pair", name="Earlier"
    )
    RelationshipMember.objects.create(
        relationship=elsewhere,
        enrolment=last_member.enrolment,
        person=last_member.enrolment.person,
        role="peer",
    )
    response = client_for(admin).post(url("publish", programme, run.pk), follow=True)
    assert "nothing was published" in response.content.decode()
    assert Relationship.objects.filter(programme=programme).count() == 1
    assert RelationshipMember.objects.filter(relationship__programme=programme).count() == 1
    run.refresh_from_db()
    programme.refresh_from_db()
    assert run.status == MatchRun.Status.DRAFT
    assert programme.stage == "matching"


def test_discard(admin: Any, pairs: Any, client_for: Any) -> None:
    programme, _enrolments = pairs
    run = draft_run(programme, admin)
    client = client_for(admin)
    client.post(url("discard", programme, run.pk))
    run.refresh_from_db()
    assert run.status == MatchRun.Status.DISCARDED
    again = client.post(url("discard", programme, run.pk), follow=True)
    assert "only a draft can be changed" in again.content.decode()


def test_relationships_page_resolves_rematch_and_adds_late_joiners(
    admin: Any, org_a: Any, client_for: Any, django_assert_num_queries: Any
) -> None:
    programme, _enrolments = published_programme(org_a, admin, "peer_circles", 12)
    circle = Relationship.objects.filter(programme=programme).first()
    asker = circle.members.first()
    RematchRequest.objects.create(
        relationship=circle, enrolment=asker.enrolment, reason="we never meet"
    )
    late_person = Person.objects.create(
        organisation=org_a, name="Lata Late", email="lata@acme.example.com"
    )
    [late] = enrolment_add(programme=programme, actor=admin, people=[late_person])
    client = client_for(admin)
    client.get(url("relationships", programme))
    with django_assert_num_queries(9):
        page = client.get(url("relationships", programme)).content.decode()
    assert "we never meet" in page
    assert "Lata Late" in page
    assert "Match late joiners among themselves" in page
    request = RematchRequest.objects.get()
    client.post(url("resolve_rematch", programme, request.pk), {"rematch": "1", "note": "ok"})
    request.refresh_from_db()
    assert request.status == "rematched"
    assert not RelationshipMember.objects.get(pk=asker.pk).is_active
    target = Relationship.objects.filter(programme=programme).exclude(pk=circle.pk).first()
    client.post(url("add_late_joiner", programme, target.pk), {"enrolment_id": late.pk})
    assert target.members.filter(enrolment=late, is_active=True).exists()


def test_relationships_page_query_count_does_not_grow_with_the_programme(
    admin: Any, org_a: Any, client_for: Any, django_assert_max_num_queries: Any
) -> None:
    programme, _enrolments = published_programme(org_a, admin, "peer_pairs", 30)
    client = client_for(admin)
    client.get(url("relationships", programme))
    with django_assert_max_num_queries(10):
        client.get(url("relationships", programme))


def test_a_manager_of_another_programme_gets_404_and_a_participant_403(
    manager: Any, member: Any, admin: Any, org_a: Any, client_for: Any
) -> None:
    me = Person.objects.get(user=member)
    programme, _enrolments = _programme(org_a, admin, "peer_pairs", [*_people(org_a, 3), me])
    run = draft_run(programme, admin)
    assert client_for(manager).get(url("run_detail", programme, run.pk)).status_code == 404
    assert client_for(member).get(url("run_detail", programme, run.pk)).status_code == 403
    assert client_for(member).post(url("publish", programme, run.pk)).status_code == 403
    programme.managers.add(manager)
    assert client_for(manager).get(url("run_detail", programme, run.pk)).status_code == 200


def test_a_run_of_another_programme_is_404(admin: Any, org_a: Any, client_for: Any) -> None:
    one, _e1 = _programme(org_a, admin, "peer_pairs", _people(org_a, 4, prefix="a"))
    two, _e2 = _programme(org_a, admin, "peer_pairs", _people(org_a, 4, prefix="b"))
    run = draft_run(one, admin)
    client = client_for(admin)
    assert client.get(url("run_detail", two, run.pk)).status_code == 404
    assert client.post(url("publish", two, run.pk)).status_code == 404
    match_run_publish(run=run, actor=admin, keep_matching=True)


def test_review_page_pins_its_query_count(
    admin: Any, pairs: Any, client_for: Any, django_assert_num_queries: Any
) -> None:
    programme, _enrolments = pairs
    draft_run(programme, admin)
    draft_run(programme, admin)
    client = client_for(admin)
    client.get(url("review", programme))
    with django_assert_num_queries(7):
        body = client.get(url("review", programme)).content.decode()
    assert "Re-run" not in body
    assert body.count("Ready to review") == 2
