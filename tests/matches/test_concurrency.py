"""Two managers publish competing drafts at the same moment: one wins, the other writes nothing."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection

from alongside.core.errors import AlongsideError
from alongside.matches.models import MatchRun
from alongside.matches.services import match_member_move, match_run_publish
from alongside.people.models import Person
from alongside.programmes.services import enrolment_add, programme_create, programme_transition
from alongside.relationships.models import Relationship, RelationshipMember
from tests.matches.helpers import _people, _programme, draft_run


def publish_at_once(runs: list[MatchRun], actor: Any) -> list[object]:
    """Publish each run in its own thread, released together; each result or error."""
    barrier = threading.Barrier(len(runs))
    results: list[object] = [None] * len(runs)

    def publish(position: int, run: MatchRun) -> None:
        try:
            barrier.wait(timeout=10)
            results[position] = match_run_publish(run=run, actor=actor)
        except Exception as error:  # the test inspects whatever happened
            results[position] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=publish, args=pair) for pair in enumerate(runs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def assert_exactly_one_won(results: list[object], runs: list[MatchRun]) -> None:
    winners = [i for i, r in enumerate(results) if isinstance(r, list)]
    losers = [i for i, r in enumerate(results) if isinstance(r, AlongsideError)]
    assert len(winners) == 1, results
    assert len(losers) == 1, results
    winner, loser = runs[winners[0]], runs[losers[0]]
    assert Relationship.objects.filter(match_run=winner).count() == len(results[winners[0]])  # type: ignore[arg-type]
    assert not Relationship.objects.filter(match_run=loser).exists()
    loser.refresh_from_db()
    assert loser.status in (MatchRun.Status.DRAFT, MatchRun.Status.DISCARDED)
    # Nobody is in two active relationships.
    for enrolment_id in RelationshipMember.objects.filter(is_active=True).values_list(
        "enrolment_id", flat=True
    ):
        assert (
            RelationshipMember.objects.filter(enrolment_id=enrolment_id, is_active=True).count()
            == 1
        )


@pytest.mark.django_db(transaction=True)
def test_two_drafts_sharing_people_publish_at_once(cast: Any, org_a: Any) -> None:
    admin = cast["admin"]
    programme, _enrolments = _programme(org_a, admin, "peer_pairs", _people(org_a, 6))
    first = draft_run(programme, admin)
    second = draft_run(programme, admin)  # the same six people, still unplaced
    results = publish_at_once([first, second], admin)
    assert_exactly_one_won(results, [first, second])
    assert Relationship.objects.filter(programme=programme).count() == 3


@pytest.mark.django_db(transaction=True)
def test_two_drafts_for_a_mentors_last_place_publish_at_once(cast: Any, org_a: Any) -> None:
    admin = cast["admin"]
    mentor = Person.objects.create(
        organisation=org_a, name="Meera Mentor", email="meera@acme.test", level="L5"
    )
    mentees = _people(org_a, 2, prefix="mentee")
    programme = programme_create(organisation=org_a, actor=admin, name="HiPo", format="one_to_one")
    programme_transition(programme=programme, actor=admin, to="enrolling")
    enrolment_add(programme=programme, actor=admin, people=[mentor], role="mentor", capacity=1)
    first_mentee, second_mentee = enrolment_add(
        programme=programme, actor=admin, people=mentees, role="mentee"
    )
    programme_transition(programme=programme, actor=admin, to="matching")
    first = draft_run(programme, admin)
    second = draft_run(programme, admin)
    # Give the mentor's one place to a different mentee in each draft.
    for run, chosen, other in (
        (first, first_mentee, second_mentee),
        (second, second_mentee, first_mentee),
    ):
        group = run.groups.get()
        match_member_move(run=run, enrolment=other, to_group=None, actor=admin)
        match_member_move(run=run, enrolment=chosen, to_group=group, actor=admin)
    results = publish_at_once([first, second], admin)
    assert_exactly_one_won(results, [first, second])
    assert RelationshipMember.objects.filter(is_active=True).exclude(role="mentor").count() == 1
