"""The relationship and meeting pages over the demo's months of history."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils.html import escape

from alongside.accounts.models import User
from alongside.demo.programmes import CIRCLES_NAME, MEMBER_EMAIL
from alongside.meetings.models import Meeting, Note
from alongside.programmes.models import Programme
from alongside.relationships.models import Relationship


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_members_and_managers_read_the_demo_history(db: None, client_for: Any) -> None:
    call_command("demo", "--quiet")
    member = User.objects.get(email=MEMBER_EMAIL)
    client = client_for(member)
    mine = client.get(reverse("meetings:mine", args=["kestrel"]))
    assert mine.status_code == 200
    relationships = list(
        Relationship.objects.filter(members__person__user=member).distinct().order_by("pk")
    )
    assert relationships
    for relationship in relationships:
        page = client.get(reverse("meetings:relationship", args=["kestrel", relationship.pk]))
        assert page.status_code == 200, relationship
        for meeting in Meeting.objects.filter(relationship=relationship)[:6]:
            response = client.get(reverse("meetings:meeting", args=["kestrel", meeting.pk]))
            assert response.status_code == 200, meeting

    circles = Programme.objects.get(name=CIRCLES_NAME)
    manager = circles.managers.first()
    assert manager is not None
    circle = Relationship.objects.filter(programme=circles, kind="circle").first()
    assert circle is not None
    bodies = list(Note.objects.filter(meeting__relationship=circle).values_list("body", flat=True))
    assert bodies
    boss = client_for(manager)
    overview = boss.get(reverse("meetings:relationship", args=["kestrel", circle.pk]))
    assert overview.status_code == 200
    seen = overview.content.decode()
    for meeting in Meeting.objects.filter(relationship=circle, notes__isnull=False).distinct()[:4]:
        seen += boss.get(reverse("meetings:meeting", args=["kestrel", meeting.pk])).content.decode()
    for body in bodies:
        assert escape(body)[:60] not in seen
    # …while the demo member reads the shared notes of their own relationships.
    shared = Note.objects.filter(
        meeting__relationship__in=relationships, visibility="shared"
    ).first()
    assert shared is not None
    page = client.get(reverse("meetings:meeting", args=["kestrel", shared.meeting_id]))
    assert escape(shared.body)[:60] in page.content.decode()
