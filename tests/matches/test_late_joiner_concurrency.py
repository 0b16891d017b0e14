"""Late joiners added at the same moment to a circle or group with one free place.

Each addition runs in its own thread and connection, released together by a barrier, so
on PostgreSQL the additions really overlap: without a row lock every one of them counts
the same members and all of them join.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection

from alongside.core.errors import AlongsideError
from alongside.matches.services import match_run_publish, relationship_add_late_joiner
from alongside.people.models import Person
from alongside.programmes.models import Enrolment, Programme
from alongside.programmes.services import enrolment_add, programme_create, programme_transition
from alongside.relationships.models import Relationship
from tests.matches.helpers import _people, _programme, draft_run

THREADS = 8


def add_at_once(relationship: Relationship, joiners: list[Enrolment], actor: Any) -> list[object]:
    barrier = threading.Barrier(len(joiners))
    results: list[object] = [None] * len(joiners)

    def add(position: int, enrolment: Enrolment) -> None:
        try:
            barrier.wait(timeout=10)
            results[position] = relationship_add_late_joiner(
                relationship=Relationship.objects.get(pk=relationship.pk),
                enrolment=enrolment,
                actor=actor,
            )
        except Exception as error:  # the test inspects whatever happened
            results[position] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=add, args=pair) for pair in enumerate(joiners)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def late_joiners(programme: Programme, actor: Any, count: int, **kwargs: Any) -> list[Enrolment]:
    people = _people(programme.organisation, count, prefix="late")
    return enrolment_add(programme=programme, actor=actor, people=people, **kwargs)


@pytest.mark.django_db(transaction=True)
def test_late_joiners_racing_for_a_circles_last_place_never_overfill_it(
    cast: Any, org_a: Any
) -> None:
    admin = cast["admin"]
    programme, _enrolments = _programme(org_a, admin, "peer_circles", _people(org_a, 12))
    match_run_publish(run=draft_run(programme, admin), actor=admin, keep_matching=True)
    circle = Relationship.objects.filter(programme=programme).order_by("pk").first()
    assert circle is not None
    size = circle.members.filter(is_active=True).count()
    programme.matching_rules = {**programme.matching_rules, "max_size": size + 1}
    programme.save(update_fields=["matching_rules"])

    results = add_at_once(circle, late_joiners(programme, admin, THREADS), admin)

    joined = [r for r in results if not isinstance(r, Exception)]
    refused = [r for r in results if isinstance(r, AlongsideError)]
    assert len(joined) == 1, results
    assert len(refused) == THREADS - 1, results
    assert all(error.code == "size" for error in refused)
    assert circle.members.filter(is_active=True).count() == size + 1


@pytest.mark.django_db(transaction=True)
def test_mentees_racing_for_a_mentors_last_place_never_overfill_the_group(
    cast: Any, org_a: Any
) -> None:
    admin = cast["admin"]
    mentor = Person.objects.create(
        organisation=org_a, name="Meera Mentor", email="meera@acme.test", level="L5"
    )
    programme = programme_create(
        organisation=org_a, actor=admin, name="Group mentoring", format="group_mentoring"
    )
    programme_transition(programme=programme, actor=admin, to="enrolling")
    enrolment_add(programme=programme, actor=admin, people=[mentor], role="mentor", capacity=3)
    enrolment_add(
        programme=programme, actor=admin, people=_people(org_a, 2, prefix="mentee"), role="mentee"
    )
    programme_transition(programme=programme, actor=admin, to="matching")
    match_run_publish(run=draft_run(programme, admin), actor=admin, keep_matching=True)
    group = Relationship.objects.get(programme=programme)
    assert group.members.filter(is_active=True).count() == 3  # the mentor and two mentees

    results = add_at_once(group, late_joiners(programme, admin, THREADS, role="mentee"), admin)

    joined = [r for r in results if not isinstance(r, Exception)]
    refused = [r for r in results if isinstance(r, AlongsideError)]
    assert len(joined) == 1, results
    assert len(refused) == THREADS - 1, results
    assert all(error.code == "capacity" for error in refused)
    assert group.members.filter(is_active=True, role="mentee").count() == 3
