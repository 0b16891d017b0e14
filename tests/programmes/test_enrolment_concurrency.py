"""The same person enrolled by several requests at the same moment.

Each request runs in its own thread and connection, released together, so on
PostgreSQL they overlap: without a lock each one finds no enrolment, each inserts one,
and all but the first fail on the unique constraint with a server error.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from alongside.accounts.services import api_token_create
from alongside.programmes.models import Enrolment
from alongside.programmes.services import programme_transition
from tests.conftest import ApiClient

THREADS = 12


@pytest.mark.django_db(transaction=True)
def test_enrolling_one_person_at_once_answers_the_existing_enrolment(
    manager: Any, directory: Any, circles: Any
) -> None:
    programme_transition(programme=circles, actor=manager, to="enrolling")
    person = directory["anil"]
    _token, secret = api_token_create(user=manager, name="race")
    path = f"/api/v1/organisations/acme/programmes/{circles.pk}/enrolments"
    barrier = threading.Barrier(THREADS)
    answers: list[Any] = [None] * THREADS

    def enrol(position: int) -> None:
        try:
            client = ApiClient(secret)
            # A server error is an answer here, not an exception in the test.
            client.client = Client(raise_request_exception=False)
            barrier.wait(timeout=10)
            answers[position] = client.post(path, {"person_ids": [person.pk]})
        finally:
            connection.close()

    threads = [threading.Thread(target=enrol, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert [answer.status_code for answer in answers] == [200] * THREADS
    enrolment = Enrolment.objects.get(programme=circles, person=person)
    bodies = [answer.json() for answer in answers]
    assert sum(body["added"] for body in bodies) == 1
    for body in bodies:
        shown = body["enrolments"] if body["added"] else body["already_enrolled"]
        assert [item["id"] for item in shown] == [enrolment.pk]
