"""Hybrid matching: people pick among their best suggestions, the engine places the rest."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from alongside.core.errors import AlongsideError
from alongside.matches.models import MatchGroupMember, PairingRule
from alongside.selfmatch import selectors
from alongside.selfmatch.hybrid import hybrid_pick, hybrid_picks_close, hybrid_picks_open
from alongside.selfmatch.jobs import close_picking
from alongside.selfmatch.services import choice_settings_update
from tests.matches.helpers import draft_run
from tests.matches.test_workflow import _people, _programme
from tests.selfmatch.helpers import fresh, mentoring_programme

pytestmark = pytest.mark.django_db


def hybrid_pairs(org, actor, count=8, suggestions=3):
    programme, peers = _programme(org, actor, "peer_pairs", _people(org, count))
    choice_settings_update(programme=programme, actor=actor, mode="hybrid", suggestions=suggestions)
    hybrid_picks_open(programme=programme, actor=actor, close_at=timezone.now() + timedelta(days=3))
    return programme, fresh(peers)


def mutual(peers):
    """Two people who each have the other among their suggestions."""
    for a in peers:
        for row in selectors.suggestions_for(enrolment=a, limit=3):
            b = row.enrolment
            if a.pk in [r.enrolment.pk for r in selectors.suggestions_for(enrolment=b, limit=3)]:
                return a, b
    raise AssertionError("no two people suggest each other")


def test_half_pick_and_the_engine_places_the_rest_keeping_the_picks(cast, org_a):
    admin = cast["admin"]
    programme, peers = hybrid_pairs(org_a, admin, count=8)
    a, b = mutual(peers)
    hybrid_pick(enrolment=a, chosen=b, actor=None)
    hybrid_pick(enrolment=b, chosen=a, actor=None)
    rest = [p for p in peers if p not in (a, b)]
    c = rest[0]
    # A one-sided peer pick does not hold: nobody is kept with someone who did not choose.
    other = selectors.suggestions_for(enrolment=c, limit=3)[0].enrolment
    hybrid_pick(enrolment=c, chosen=other, actor=None)
    hybrid_pick(enrolment=rest[1], chosen=None, actor=None)  # passes
    assert hybrid_picks_close(programme=programme, actor=admin) == 1
    rule = PairingRule.objects.get(programme=programme)
    assert (rule.kind, rule.chosen_by_participants) == ("lock", True)
    assert {rule.first_id, rule.second_id} == {a.pk, b.pk}
    run = draft_run(programme, admin)
    groups = {}
    for member in MatchGroupMember.objects.filter(run=run):
        groups.setdefault(member.group_id, set()).add(member.enrolment_id)
    assert {a.pk, b.pk} in list(groups.values())
    assert sum(len(g) for g in groups.values()) == 8
    # The fairness report is about the six the engine placed.
    assert run.summary["chosen_by_participants"] == 2
    assert run.summary["people"] == 6
    assert sum(row["people"] for row in run.summary["by_department"]) == 6


def test_a_pick_must_be_one_of_the_suggestions_and_before_the_deadline(cast, org_a):
    admin = cast["admin"]
    _programme, peers = hybrid_pairs(org_a, admin, count=8, suggestions=1)
    me = peers[0]
    offered = selectors.suggestions_for(enrolment=me, limit=1)[0].enrolment
    not_offered = next(p for p in peers[1:] if p.pk != offered.pk)
    with pytest.raises(AlongsideError) as error:
        hybrid_pick(enrolment=me, chosen=not_offered, actor=None)
    assert "Pick one of your 1 suggestions." in error.value.message
    assert error.value.problems[0].field == "chosen"
    assert close_picking(timezone.now()) == 0
    assert close_picking(timezone.now() + timedelta(days=4)) == 1
    with pytest.raises(AlongsideError) as closed:
        hybrid_pick(enrolment=me, chosen=offered, actor=None)
    assert closed.value.code == "picks_closed"


def test_mentees_picks_hold_within_the_mentors_places(cast, org_a):
    admin = cast["admin"]
    programme, _mentors, mentees = mentoring_programme(
        org_a, admin, mode="hybrid", mentors=2, mentees=3, capacity=1
    )
    hybrid_picks_open(programme=programme, actor=admin, close_at=timezone.now() + timedelta(days=2))
    first = selectors.suggestions_for(enrolment=mentees[0], limit=5)[0].enrolment
    hybrid_pick(enrolment=mentees[0], chosen=first, actor=None)
    with pytest.raises(AlongsideError) as full:
        hybrid_pick(enrolment=mentees[1], chosen=first, actor=None)
    assert full.value.code == "capacity"
    assert "places have all been picked" in full.value.message
    assert hybrid_picks_close(programme=programme, actor=admin) == 1
    run = draft_run(programme, admin)
    group_of = {m.enrolment_id: m.group_id for m in MatchGroupMember.objects.filter(run=run)}
    assert group_of[mentees[0].pk] == group_of[first.pk]
    assert run.summary["chosen_by_participants"] == 2
