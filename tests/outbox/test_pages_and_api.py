"""Admins see their organisation's failed emails with the reason, and send them again."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.core.mail import EmailMessage
from django.urls import reverse

from alongside.audit.models import AuditEvent
from alongside.outbox.models import OutboundEmail
from alongside.outbox.sending import emails_send_due
from alongside.outbox.services import email_enqueue

pytestmark = pytest.mark.django_db


def failed_email(organisation: Any, to: str = "lost@acme.test") -> OutboundEmail:
    email = email_enqueue(
        EmailMessage(subject="You've been matched", body="…", to=[to]),
        kind="matched",
        organisation_id=organisation.pk,
    )
    OutboundEmail.objects.filter(pk=email.pk).update(
        status=OutboundEmail.Status.FAILED,
        attempts=6,
        last_error="SMTPRecipientsRefused: 550 no such mailbox",
    )
    return email


def test_the_page_lists_failed_emails_with_their_reason_and_retries_one(
    cast: dict, org_a: Any, org_b: Any, client_for: Any
) -> None:
    ours = failed_email(org_a)
    failed_email(org_b, to="theirs@other.test")
    client = client_for(cast["admin"])
    page = client.get(reverse("organisations:emails", args=["acme"])).content.decode()
    assert "lost@acme.test" in page
    assert "SMTPRecipientsRefused: 550 no such mailbox" in page
    assert "theirs@other.test" not in page
    response = client.post(reverse("organisations:email_retry", args=["acme", ours.pk]))
    assert response.status_code == 302
    ours.refresh_from_db()
    assert (ours.status, ours.attempts) == (OutboundEmail.Status.QUEUED, 0)
    assert AuditEvent.objects.filter(action="email.retried", target_id=str(ours.pk)).exists()
    assert emails_send_due().sent == 1
    assert [m.to for m in mail.outbox] == [["lost@acme.test"]]


def test_the_api_lists_failed_emails_and_retries_one(cast: dict, org_a: Any, api_for: Any) -> None:
    email = failed_email(org_a)
    api = api_for(cast["admin"])
    listed = api.get("/api/v1/organisations/acme/emails", {"status": "failed"}).json()
    assert listed["count"] == 1
    assert listed["items"][0]["last_error"] == "SMTPRecipientsRefused: 550 no such mailbox"
    retried = api.post(f"/api/v1/organisations/acme/emails/{email.pk}/retry")
    assert retried.status_code == 200
    assert retried.json()["status"] == "queued"
    again = api.post(f"/api/v1/organisations/acme/emails/{email.pk}/retry")
    assert again.status_code == 409
    assert again.json()["code"] == "not_failed"
    bad = api.get("/api/v1/organisations/acme/emails", {"status": "lost"})
    assert bad.status_code == 400
