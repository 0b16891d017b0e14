"""The demo's Heron Health signs in with single sign-on against the local test provider."""

from __future__ import annotations

from django.test import Client

from alongside.accounts.sign_in_policy import realm_for_email
from alongside.core.encryption import decrypt
from alongside.demo.sso import ADMIN_EMAIL, CLIENT_SECRET, build_sso_demo
from alongside.people.models import Person
from alongside.sso.models import SsoConnection


def test_the_demo_organisation_with_sso_is_ready_and_idempotent(db: None) -> None:
    organisation, admin = build_sso_demo(password="a demo password of length")
    build_sso_demo(password="a demo password of length")
    connection = SsoConnection.objects.get(organisation=organisation)
    assert connection.enabled
    assert connection.tested
    assert not connection.required  # its admin keeps a password for the demo
    assert decrypt(connection.client_secret_encrypted) == CLIENT_SECRET
    assert Person.objects.filter(organisation=organisation).count() == 8
    assert admin.email == ADMIN_EMAIL
    realm = realm_for_email("daniel.cho@heron.example")
    assert realm is not None
    assert realm.url == "/sso/heron/start/"
    # Starting single sign-on sends the browser on to the test provider.
    page = Client().get("/sso/heron/start/")
    assert page.status_code == 200
    assert 'content="0;url=http://127.0.0.1:8101/openid/authorize?' in page.content.decode()
