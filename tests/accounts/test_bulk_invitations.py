from __future__ import annotations

from django.core import mail

from alongside.audit.models import AuditEvent
from alongside.people.models import Invitation, Person


def _new_joiners(org, count, department="Finance"):
    return [
        Person.objects.create(
            organisation=org,
            name=f"Joiner {i}",
            email=f"joiner{i}@acme.test",
            department=department,
        )
        for i in range(count)
    ]


def test_it_invites_everyone_in_the_filtered_list_who_has_not_signed_in(
    cast, client_for, org_a, django_capture_on_commit_callbacks
):
    finance = _new_joiners(org_a, 3)
    Person.objects.create(
        organisation=org_a, name="Eng", email="eng@acme.test", department="Engineering"
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(cast["manager"]).post(
            "/o/acme/people/invite/", {"department": "Finance"}
        )
    assert response.status_code == 302
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in finance)
    assert Invitation.objects.filter(person__in=finance).count() == 3
    assert AuditEvent.objects.filter(action="invitations.requested", data__count=3).exists()


def test_it_skips_people_who_already_have_an_account(cast, client_for, org_a):
    # The fixed cast all have accounts; nobody is left to invite.
    response = client_for(cast["admin"]).post("/o/acme/people/invite/", {})
    assert response.status_code == 302
    assert mail.outbox == []


def test_members_cannot_send_invitations(cast, client_for, org_a):
    _new_joiners(org_a, 1)
    assert client_for(cast["member"]).post("/o/acme/people/invite/", {}).status_code == 403
    assert mail.outbox == []


def test_api_queues_invitations_only_for_the_organisations_own_people(
    cast, api_for, org_a, org_b, django_capture_on_commit_callbacks
):
    ours = _new_joiners(org_a, 2)
    theirs = Person.objects.create(organisation=org_b, name="Theirs", email="t@other.test")
    with django_capture_on_commit_callbacks(execute=True):
        response = api_for(cast["admin"]).post(
            "/api/v1/organisations/acme/people/invitations",
            {"person_ids": [p.pk for p in ours] + [theirs.pk]},
        )
    assert response.status_code == 202, response.content
    assert response.json() == {"queued": 2}
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in ours)


def test_outsider_cannot_queue_invitations(cast, api_for, org_a):
    ours = _new_joiners(org_a, 1)
    response = api_for(cast["outsider"]).post(
        "/api/v1/organisations/acme/people/invitations", {"person_ids": [ours[0].pk]}
    )
    assert response.status_code == 404
    assert mail.outbox == []
