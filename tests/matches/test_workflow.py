"""The matching workflow end to end at service level: run, review, adjust, publish."""

from __future__ import annotations

import pytest
from django.core import mail

from alongside.core.errors import AlongsideError
from alongside.matches.models import MatchRun, PairingRule
from alongside.matches.services import (
    match_member_move,
    match_members_swap,
    match_run_publish,
    match_run_request,
    pairing_rule_set,
    relationship_add_late_joiner,
)
from alongside.people.models import Person
from alongside.programmes.services import (
    enrolment_add,
    intake_save,
    programme_create,
    programme_transition,
)
from alongside.relationships.models import Relationship, RelationshipMember

DEPARTMENTS = ["Finance", "Engineering", "Sales", "Operations", "People"]


def _people(org, count, prefix="p", manager=None):
    return [
        Person.objects.create(
            organisation=org,
            name=f"{prefix.title()} {i}",
            email=f"{prefix}{i}@acme.example.com",
            department=DEPARTMENTS[i % len(DEPARTMENTS)],
            location=["Bengaluru", "Pune", "London"][i % 3],
            level=f"L{1 + i % 3}",
            timezone="Asia/Kolkata" if i % 3 != 2 else "Europe/London",
            languages=["English"],
            manager=manager,
        )
        for i in range(count)
    ]


def _programme(org, actor, format, people, **kwargs):
    programme = programme_create(
        organisation=org, actor=actor, name=f"{format} cohort", format=format
    )
    programme_transition(programme=programme, actor=actor, to="enrolling")
    enrolments = enrolment_add(programme=programme, actor=actor, people=people, **kwargs)
    topics = programme.topics
    for n, enrolment in enumerate(enrolments):
        intake_save(
            enrolment=enrolment,
            actor=actor,
            wants=[topics[n % 5]],
            offers=[topics[(n + 2) % 5]],
            availability="Mon-Fri 09:00-17:00",
        )
    programme_transition(programme=programme, actor=actor, to="matching")
    return programme, enrolments


def _run(programme, actor, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run = match_run_request(programme=programme, actor=actor)
    run.refresh_from_db()
    assert run.status == MatchRun.Status.DRAFT, run.error
    return run


def test_circles_are_formed_reviewed_adjusted_and_published(
    cast, org_a, django_capture_on_commit_callbacks
):
    admin = cast["admin"]
    people = _people(org_a, 30)
    programme, _enrolments = _programme(org_a, admin, "peer_circles", people)
    run = _run(programme, admin, django_capture_on_commit_callbacks)
    groups = list(run.groups.order_by("number"))
    sizes = [g.members.count() for g in groups]
    assert sum(sizes) == 30
    assert all(4 <= size <= 8 for size in sizes)
    assert run.objective is not None
    assert run.upper_bound >= run.objective
    assert run.summary["people"] == 30
    assert {row["value"] for row in run.summary["by_department"]} == set(DEPARTMENTS)
    assert len(run.summary["worst_tenth"]) == 3
    assert all(g.reasons_admin for g in groups)

    # Move one person from the biggest circle to the smallest, then publish.
    biggest = max(groups, key=lambda g: g.members.count())
    smallest = min(groups, key=lambda g: g.members.count())
    mover = biggest.members.first().enrolment
    if biggest.members.count() > 4 and smallest.members.count() < 8 and biggest != smallest:
        match_member_move(run=run, enrolment=mover, to_group=smallest, actor=admin)
        assert smallest.members.filter(enrolment=mover).exists()

    with django_capture_on_commit_callbacks(execute=True):
        relationships = match_run_publish(run=run, actor=admin)
    assert len(relationships) == len(groups)
    assert RelationshipMember.objects.filter(is_active=True).count() == 30
    programme.refresh_from_db()
    assert programme.stage == "running"
    assert len(mail.outbox) == 30
    run.refresh_from_db()
    assert run.status == MatchRun.Status.PUBLISHED


def test_a_published_person_cannot_be_published_twice(
    cast, org_a, django_capture_on_commit_callbacks
):
    admin = cast["admin"]
    programme, _enrolments = _programme(org_a, admin, "peer_pairs", _people(org_a, 6))
    first = _run(programme, admin, django_capture_on_commit_callbacks)
    second_run = MatchRun.objects.create(programme=programme, status=MatchRun.Status.DRAFT)
    # A stale second draft pairing the same people must not publish on top of the first.
    for group in first.groups.all():
        copy = second_run.groups.create(number=group.number, score=group.score)
        for member in group.members.all():
            copy.members.create(run=second_run, enrolment=member.enrolment, role=member.role)
    match_run_publish(run=first, actor=admin, keep_matching=True)
    with pytest.raises(AlongsideError, match=r"already in an active relationship|only a draft"):
        match_run_publish(run=second_run, actor=admin)
    assert Relationship.objects.count() == 3


def test_forbid_and_lock_survive_a_rerun(cast, org_a, django_capture_on_commit_callbacks):
    admin = cast["admin"]
    programme, enrolments = _programme(org_a, admin, "peer_pairs", _people(org_a, 8))
    # p0 and p3 share a level (L1); p1 is the one they must never meet.
    a, b, c = enrolments[0], enrolments[1], enrolments[3]
    pairing_rule_set(
        programme=programme, first=a, second=b, kind=PairingRule.Kind.FORBID, actor=admin
    )
    pairing_rule_set(
        programme=programme, first=a, second=c, kind=PairingRule.Kind.LOCK, actor=admin
    )
    run = _run(programme, admin, django_capture_on_commit_callbacks)
    groups = [{m.enrolment_id for m in g.members.all()} for g in run.groups.all()]
    assert {a.pk, c.pk} in groups
    assert all(not {a.pk, b.pk} <= group for group in groups)


def test_swap_refuses_a_forbidden_pairing(cast, org_a, django_capture_on_commit_callbacks):
    admin = cast["admin"]
    programme, _enrolments = _programme(org_a, admin, "peer_pairs", _people(org_a, 4))
    run = _run(programme, admin, django_capture_on_commit_callbacks)
    pair_one, pair_two = [list(g.members.all()) for g in run.groups.all()]
    x, y = pair_one[0].enrolment, pair_two[0].enrolment
    partner_of_x = pair_one[1].enrolment
    pairing_rule_set(
        programme=programme, first=y, second=partner_of_x, kind=PairingRule.Kind.FORBID, actor=admin
    )
    with pytest.raises(AlongsideError, match="cannot be together"):
        match_members_swap(run=run, first=x, second=y, actor=admin)


def test_mentoring_respects_capacity_and_reporting_lines(
    cast, org_a, django_capture_on_commit_callbacks
):
    admin = cast["admin"]
    boss = _people(org_a, 1, prefix="boss")[0]
    boss.level = "L5"
    boss.save()
    mentors = _people(org_a, 2, prefix="mentor")
    for m in mentors:
        m.level = "L5"
        m.save()
    mentees = _people(org_a, 5, prefix="mentee", manager=boss)
    for m in mentees:
        m.level = "L1"
        m.save()
    programme = programme_create(organisation=org_a, actor=admin, name="HiPo", format="one_to_one")
    programme_transition(programme=programme, actor=admin, to="enrolling")
    enrolment_add(
        programme=programme, actor=admin, people=[*mentors, boss], role="mentor", capacity=2
    )
    enrolment_add(programme=programme, actor=admin, people=mentees, role="mentee")
    programme_transition(programme=programme, actor=admin, to="matching")
    run = _run(programme, admin, django_capture_on_commit_callbacks)
    boss_enrolment = programme.enrolments.get(person=boss)
    for group in run.groups.all():
        roles = [m.role for m in group.members.all()]
        assert roles.count("mentor") == 1
        assert len(roles) - 1 <= 2
        # The boss manages every mentee: never their mentor.
        assert not group.members.filter(enrolment=boss_enrolment).exists()
    assert run.unmatched.count() == 1  # 5 mentees, 2 eligible mentors with 2 places each
    relationships = match_run_publish(run=run, actor=admin)
    assert len(relationships) == 4
    assert all(r.members.count() == 2 for r in relationships)


def test_a_late_joiner_joins_an_existing_circle_without_disturbing_it(
    cast, org_a, django_capture_on_commit_callbacks
):
    admin = cast["admin"]
    programme, _enrolments = _programme(org_a, admin, "peer_circles", _people(org_a, 12))
    run = _run(programme, admin, django_capture_on_commit_callbacks)
    relationships = match_run_publish(run=run, actor=admin)
    before = {r.pk: set(r.members.values_list("person_id", flat=True)) for r in relationships}
    late_person = _people(org_a, 1, prefix="late")[0]
    [late] = enrolment_add(programme=programme, actor=admin, people=[late_person])
    assert late.late_joiner
    target = min(relationships, key=lambda r: r.members.count())
    relationship_add_late_joiner(relationship=target, enrolment=late, actor=admin)
    for r in relationships:
        now = set(r.members.values_list("person_id", flat=True))
        expected = before[r.pk] | ({late_person.pk} if r.pk == target.pk else set())
        assert now == expected


def test_a_lock_cannot_override_a_hard_rule(cast, org_a, django_capture_on_commit_callbacks):
    admin = cast["admin"]
    programme, enrolments = _programme(org_a, admin, "peer_pairs", _people(org_a, 4))
    # p0 is L1 and p2 is L3: peers may differ by at most one level in this template.
    with pytest.raises(AlongsideError, match=r"cannot be kept together: .*level"):
        pairing_rule_set(
            programme=programme,
            first=enrolments[0],
            second=enrolments[2],
            kind=PairingRule.Kind.LOCK,
            actor=admin,
        )
    assert not PairingRule.objects.exists()


def test_someone_the_rules_keep_out_of_every_circle_is_reported_not_a_failed_run(
    cast, org_a, django_capture_on_commit_callbacks
):
    admin = cast["admin"]
    ceo = _people(org_a, 1, prefix="ceo")[0]
    team = _people(org_a, 12, prefix="team", manager=ceo)
    for person in team:
        person.level = "L2"
        person.save()
    ceo.level = "L2"
    ceo.save()
    programme, _enrolments = _programme(org_a, admin, "peer_circles", [ceo, *team])
    run = _run(programme, admin, django_capture_on_commit_callbacks)
    unmatched = list(run.unmatched.select_related("enrolment__person"))
    assert [u.enrolment.person for u in unmatched] == [ceo]
    assert "reporting line" in unmatched[0].reason
    assert run.members.count() == 12
