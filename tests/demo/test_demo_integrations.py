"""The demo organisation shows its integrations: a connected Slack workspace on its
settings page, a relationship with a video link, an HR sync with two runs."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.urls import reverse

from alongside.chat.models import SlackWorkspace
from alongside.hrsync.models import SyncRun, SyncSource
from alongside.meetings.models import Meeting
from alongside.organisations.models import Membership, Organisation, Role
from alongside.scheduling.models import RelationshipVideo


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def kestrel(db: None) -> Organisation:
    call_command("demo", "--quiet", stdout=StringIO())
    return Organisation.objects.get(slug="kestrel")


def test_the_demo_has_slack_a_video_link_and_an_hr_sync(
    kestrel: Organisation, client_for: Any
) -> None:
    admin = Membership.objects.filter(organisation=kestrel, role=Role.ADMIN).first().user  # type: ignore[union-attr]
    workspace = SlackWorkspace.objects.get(organisation=kestrel)
    assert workspace.status == SlackWorkspace.Status.ACTIVE
    assert not workspace.announce_matches  # the demo never calls Slack
    settings_page = client_for(admin).get(reverse("organisations:settings", args=["kestrel"]))
    assert workspace.team_name in settings_page.content.decode()
    chat_page = client_for(admin).get(reverse("chat:settings", args=["kestrel"]))
    assert "T0DEMO0001" in chat_page.content.decode()

    video = RelationshipVideo.objects.get(relationship__organisation=kestrel)
    assert video.url.startswith("https://meet.jit.si/Alongside-")
    # The demo's participant sign-in takes part in it.
    member = (
        video.relationship.members.filter(person__user__isnull=False, is_active=True)
        .first()
        .person.user  # type: ignore[union-attr]
    )
    page = client_for(member).get(
        reverse("meetings:relationship", args=["kestrel", video.relationship_id])
    )
    assert video.url in page.content.decode()
    upcoming = (
        Meeting.objects.filter(relationship=video.relationship, status="scheduled")
        .order_by("starts_at")
        .first()
    )
    if upcoming is not None:
        meeting_page = client_for(member).get(
            reverse("meetings:meeting", args=["kestrel", upcoming.pk])
        )
        assert video.url in meeting_page.content.decode()

    source = SyncSource.objects.get(organisation=kestrel)
    assert source.next_run_at is not None
    runs = list(SyncRun.objects.filter(organisation=kestrel).order_by("started_at"))
    assert [r.status for r in runs] == ["succeeded", "succeeded"]
    assert len(runs[0].added) == 2
    assert runs[1].left
    history = client_for(admin).get(reverse("hrsync:settings", args=["kestrel"])).content.decode()
    assert history.count("Applied") >= 2


def test_running_the_demo_again_keeps_two_runs_and_the_same_link(kestrel: Organisation) -> None:
    link = RelationshipVideo.objects.get(relationship__organisation=kestrel).url
    call_command("demo", "--quiet", stdout=StringIO())
    assert SyncRun.objects.filter(organisation=kestrel).count() == 2
    assert RelationshipVideo.objects.get(relationship__organisation=kestrel).url == link
    assert SlackWorkspace.objects.filter(organisation=kestrel).count() == 1
