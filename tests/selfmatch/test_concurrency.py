"""Mentees asking for a mentor's last place at the same moment: one gets it, the others
hear politely that it has gone, and nobody is over-placed (row locks, PostgreSQL)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from alongside.core.errors import AlongsideError
from alongside.relationships.models import Relationship, RelationshipMember
from alongside.selfmatch.models import MatchRequest
from alongside.selfmatch.services import match_request_accept, match_request_send
from tests.selfmatch.helpers import fresh, mentoring_programme

THREADS = 8


def at_once(calls: list) -> list[object]:
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def run(position: int) -> None:
        try:
            barrier.wait(timeout=20)
            results[position] = calls[position]()
        except Exception as error:  # the test inspects whatever happened
            results[position] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def assert_one_won_and_the_rest_were_refused_politely(results: list[object]) -> None:
    won = [r for r in results if isinstance(r, MatchRequest)]
    lost = [r for r in results if isinstance(r, AlongsideError)]
    assert len(won) == 1, results
    assert len(lost) == len(results) - 1, results
    allowed = {"capacity"} if connection.vendor == "postgresql" else {"capacity", "busy"}
    assert {e.code for e in lost} <= allowed, [e.message for e in lost]
    if connection.vendor == "postgresql":
        assert all("last mentoring place has just been taken" in e.message for e in lost)


@pytest.mark.django_db(transaction=True)
def test_mentees_choosing_a_mentors_last_place_at_once_make_one_relationship(cast, org_a):
    _programme, mentors, mentees = mentoring_programme(
        org_a, cast["admin"], mode="one_sided", mentors=1, mentees=THREADS
    )
    mentor = mentors[0]
    results = at_once(
        [
            (lambda m=m: match_request_send(enrolment=m, recipient=mentor, message="", actor=None))
            for m in mentees
        ]
    )
    assert_one_won_and_the_rest_were_refused_politely(results)
    assert Relationship.objects.count() == 1
    assert RelationshipMember.objects.filter(is_active=True).exclude(role="mentor").count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_mentor_accepting_requests_at_once_fills_only_their_places(cast, org_a):
    _programme, mentors, mentees = mentoring_programme(
        org_a, cast["admin"], mode="two_sided", mentors=1, mentees=THREADS, capacity=1
    )
    mentor = mentors[0]
    requests = [
        match_request_send(enrolment=m, recipient=mentor, message="", actor=None)
        for m in fresh(mentees)
    ]
    results = at_once([(lambda r=r: match_request_accept(request=r, actor=None)) for r in requests])
    won = [r for r in results if isinstance(r, MatchRequest)]
    assert len(won) == 1, results
    # The others were either refused when the place went, or find it gone when answered.
    assert all(isinstance(r, AlongsideError) for r in results if r not in won)
    assert Relationship.objects.count() == 1
    assert MatchRequest.objects.filter(status="accepted").count() == 1
