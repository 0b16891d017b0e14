"""Emails go out in the recipient's language (their choice, else their organisation's
default), whoever sends them and whatever language the sender reads."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone, translation

from alongside.accounts.models import User
from alongside.nudges import sending
from alongside.nudges.catalogue import Audience, Nudge
from alongside.nudges.events import DueEvent, Recipient
from alongside.nudges.models import NudgeDelivery
from alongside.organisations.models import Organisation
from alongside.outbox.sending import emails_send_due
from alongside.people.invitations import invitation_send
from alongside.people.models import Person

pytestmark = pytest.mark.django_db


def test_an_invitation_is_in_the_organisations_language_not_the_senders(
    admin: User, org_a: Organisation, django_capture_on_commit_callbacks: Any
) -> None:
    org_a.language = "hi"
    org_a.save()
    person = Person.objects.create(organisation=org_a, name="Meera Iyer", email="meera@acme.test")
    with translation.override("en-gb"), django_capture_on_commit_callbacks(execute=True):
        invitation_send(person=person, actor=admin)  # the admin reads English
    message = mail.outbox[-1]
    assert message.subject == "आपको Alongside पर Acme India में आमंत्रित किया गया है"
    assert "नमस्ते Meera Iyer," in message.body
    assert "पासवर्ड चुनें और एक क्लिक में साइन इन करें:" in message.body
    html = message.alternatives[0][0]
    assert "नमस्ते" in html


def test_a_persons_own_choice_beats_the_organisations_default(
    admin: User, org_a: Organisation, django_capture_on_commit_callbacks: Any
) -> None:
    org_a.language = "hi"
    org_a.save()
    person = Person.objects.create(organisation=org_a, name="Ana Ruiz", email="ana@acme.test")
    User.objects.create_user("ana@acme.test", None, full_name="Ana Ruiz", language="en-gb")
    with django_capture_on_commit_callbacks(execute=True):
        invitation_send(person=person, actor=admin)
    assert mail.outbox[-1].subject == "You're invited to Acme India on Alongside"


def test_a_nudge_is_written_in_each_recipients_language(
    member: User, manager: User, org_a: Organisation, monkeypatch: Any
) -> None:
    from django.utils.translation import gettext_lazy

    from alongside.core.formatting import lazy_interpolate

    member.language = "hi"
    member.save()
    event = DueEvent(
        event_key="test=1",
        organisation_id=org_a.pk,
        programme_id=None,
        recipients=(
            Recipient(member.email, "Ravi", "Asia/Kolkata", user_id=member.pk),
            Recipient(manager.email, "Priya", "Asia/Kolkata", user_id=manager.pk),
        ),
        subject=lazy_interpolate(
            gettext_lazy("Your %(programme)s meeting is tomorrow"), {"programme": "Udaan"}
        ),
        message=gettext_lazy("You have not answered yet; it takes about five minutes."),
        action_label=gettext_lazy("Open the meeting"),
        link="/",
        event_at=timezone.now() + timedelta(days=1),
    )
    nudge = Nudge(
        key="test_nudge",
        title="Test",
        audience=Audience.MEMBERS,
        offset=timedelta(0),
        description="",
        finder=lambda now: [event],
        essential=True,
    )
    monkeypatch.setattr(sending, "catalogue", lambda: [nudge])
    sending.nudge_events_record(now=timezone.now())
    hindi = NudgeDelivery.objects.get(email=member.email)
    english = NudgeDelivery.objects.get(email=manager.email)
    assert hindi.subject == "आपकी Udaan मीटिंग कल है"
    assert hindi.action_label == "मीटिंग खोलें"
    assert english.subject == "Your Udaan meeting is tomorrow"
    sending.nudges_send_due(now=timezone.now())
    emails_send_due()  # a worker sends what the nudges queued in the outbox
    by_address = {m.to[0]: m for m in mail.outbox}
    assert "नमस्ते Ravi," in by_address[member.email].body
    assert "कब:" in by_address[member.email].body
    assert "Hello Priya," in by_address[manager.email].body
