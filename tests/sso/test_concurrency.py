"""Two first sign-ins of one person at the same moment make one account, not an error."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection as db_connection

from alongside.accounts.models import User
from alongside.organisations.models import Membership, Organisation
from alongside.people.models import Person
from alongside.sso.models import SsoConnection
from alongside.sso.services import Identity, sso_sign_in


@pytest.mark.django_db(transaction=True)
def test_simultaneous_first_sign_ins_make_one_account(org_a: Organisation) -> None:
    Person.objects.create(organisation=org_a, name="Neha New", email="neha@acme.test")
    connection = SsoConnection.objects.create(
        organisation=org_a, protocol="oidc", email_domains=["acme.test"], enabled=True
    )
    identity = Identity(subject="neha", email="neha@acme.test", name="Neha New")
    barrier = threading.Barrier(4)
    results: list[Any] = [None] * 4

    def sign_in(position: int) -> None:
        try:
            barrier.wait(timeout=10)
            results[position] = sso_sign_in(connection=connection, identity=identity)
        except Exception as error:  # the test looks at whatever happened
            results[position] = error
        finally:
            db_connection.close()

    threads = [threading.Thread(target=sign_in, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert all(isinstance(result, User) for result in results), results
    assert len({result.pk for result in results}) == 1
    assert User.objects.filter(email="neha@acme.test").count() == 1
    assert Membership.objects.filter(organisation=org_a, user__email="neha@acme.test").count() == 1
    assert Person.objects.get(email="neha@acme.test").user_id == results[0].pk
