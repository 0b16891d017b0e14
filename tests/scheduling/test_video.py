"""Video links: chosen per programme and relationship, made once, carried by invitations
(LOCATION and RFC 7986 CONFERENCE) and meeting pages; Zoom and Teams meetings created
through their APIs, answered here by a local server."""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine
from django.urls import reverse
from icalendar import Calendar

from alongside.audit.models import AuditEvent
from alongside.core.crypto import decrypt
from alongside.core.errors import AlongsideError
from alongside.meetings.models import Meeting
from alongside.scheduling.invite_services import meeting_calendar_file, meetings_send_due_invites
from alongside.scheduling.models import RelationshipVideo, Schedule, VideoAccount
from alongside.scheduling.services import schedule_accept
from alongside.scheduling.video import (
    programme_video_set,
    relationship_video_set,
    video_account_connect,
    video_links_retry,
    video_url_of,
)
from tests import localapi
from tests.localapi import Call, LocalApi
from tests.scheduling.helpers import Who, members, relationship_of
from tests.scheduling.ics import attached_ics, event_of

NOW = datetime(2027, 1, 4, 8, 0, tzinfo=UTC)


@pytest.fixture
def frozen() -> Any:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def pair(org_a: Any, member: Any, frozen: Any) -> Any:
    return relationship_of(
        org_a,
        [Who("Ravi Member", "Europe/London", user=member), Who("Asha Rao", "Asia/Kolkata")],
        kind="pair",
    )


@pytest.fixture
def provider_api(settings: Any) -> Iterator[LocalApi]:
    with localapi.running() as api:
        settings.ZOOM_OAUTH_URL = f"{api.url}/zoom/oauth/token"
        settings.ZOOM_API_URL = f"{api.url}/zoom/v2"
        settings.MICROSOFT_LOGIN_URL = f"{api.url}/ms"
        settings.MICROSOFT_GRAPH_URL = f"{api.url}/graph/v1.0"
        yield api


def _zoom_token(call: Call) -> localapi.Answer:
    expected = "Basic " + base64.b64encode(b"Zc-7781:Zs-5531-secret").decode()
    if call.headers.get("authorization") != expected:
        return 401, {"reason": "Invalid client_id or client_secret", "error": "invalid_client"}, {}
    if call.query.get("grant_type") != ["account_credentials"]:
        return 400, {"error": "unsupported_grant_type"}, {}
    return 200, {"access_token": "zoom-access", "token_type": "bearer", "expires_in": 3599}, {}


def _zoom_meeting(call: Call) -> localapi.Answer:
    assert call.headers["authorization"] == "Bearer zoom-access"
    number = 80000000000 + len(call.json["topic"])
    return 201, {"id": number, "join_url": f"https://zoom.example/j/{number}", "type": 3}, {}


def _connect_zoom(org: Any, actor: Any, api: LocalApi) -> VideoAccount:
    api.route("POST", "/zoom/oauth/token", _zoom_token)
    api.route("POST", "/zoom/v2/users/me/meetings", _zoom_meeting)
    return video_account_connect(
        organisation=org,
        actor=actor,
        provider="zoom",
        account_id="acct-1",
        client_id="Zc-7781",
        client_secret="Zs-5531-secret",
    )


def _confirm(relationship: Any, capture: Any) -> None:
    schedule = Schedule.objects.get(relationship=relationship)
    with capture(execute=True):
        for member in members(relationship).values():
            schedule = schedule_accept(schedule=schedule, member=member, actor=member.person.user)


def test_a_jitsi_room_is_unguessable_and_kept(
    pair: Any, member: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.JITSI_BASE_URL = "https://jitsi.acme.example"
    with django_capture_on_commit_callbacks(execute=True):
        row = relationship_video_set(relationship=pair, actor=member, choice="jitsi")
    assert row.status == RelationshipVideo.Status.READY
    match = re.fullmatch(r"https://jitsi\.acme\.example/Alongside-([0-9a-f]{32})", row.url)
    assert match, row.url
    # 128 random bits and nothing about the people: the name is the only key to the room.
    assert "ravi" not in row.url.lower()
    again = relationship_video_set(relationship=pair, actor=member, choice="jitsi")
    assert again.url == row.url
    other = relationship_of(pair.organisation, [Who("Kiran Other", "UTC")], kind="pair")
    assert relationship_video_set(relationship=other, actor=member, choice="jitsi").url != row.url


def test_the_invitation_carries_location_and_conference(
    pair: Any, member: Any, mailoutbox: Any, django_capture_on_commit_callbacks: Any
) -> None:
    relationship_video_set(
        relationship=pair, actor=member, choice="fixed", fixed_url="https://meet.acme.example/r1"
    )
    _confirm(pair, django_capture_on_commit_callbacks)
    event = event_of(attached_ics(mailoutbox[0]))
    assert str(event["LOCATION"]) == "https://meet.acme.example/r1"
    conference = event["CONFERENCE"]
    assert str(conference) == "https://meet.acme.example/r1"
    assert conference.params["VALUE"] == "URI"
    assert conference.params["FEATURE"] == "VIDEO"
    assert "https://meet.acme.example/r1" in mailoutbox[0].body
    # The same in "add to calendar" and the subscription feed.
    first = Meeting.objects.filter(relationship=pair).order_by("starts_at").first()
    assert first is not None
    single = Calendar.from_ical(meeting_calendar_file(meeting=first)).walk("VEVENT")[0]
    assert str(single["CONFERENCE"]) == "https://meet.acme.example/r1"


def test_changing_the_link_sends_updates_to_invited_meetings_only(
    pair: Any, member: Any, mailoutbox: Any, django_capture_on_commit_callbacks: Any
) -> None:
    _confirm(pair, django_capture_on_commit_callbacks)
    invited = set(
        Meeting.objects.filter(relationship=pair, invite_sent_sequence=0).values_list(
            "pk", flat=True
        )
    )
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        relationship_video_set(relationship=pair, actor=member, choice="jitsi")
    url = video_url_of(pair.pk)
    assert len(mailoutbox) == 2 * len(invited)
    assert all("Updated:" in m.subject for m in mailoutbox)
    assert {str(event_of(attached_ics(m))["CONFERENCE"]) for m in mailoutbox} == {url}
    assert (
        set(Meeting.objects.filter(relationship=pair, ical_sequence=1).values_list("pk", flat=True))
        == invited
    )
    # Sent once: the periodic job finds nothing more to send.
    assert meetings_send_due_invites() == 0


def test_a_relationship_follows_its_programme_unless_it_chose(
    pair: Any, manager: Any, member: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        programme_video_set(programme=pair.programme, actor=manager, provider="jitsi")
    followed = video_url_of(pair.pk)
    assert followed.startswith("https://meet.jit.si/Alongside-")
    relationship_video_set(
        relationship=pair, actor=member, choice="fixed", fixed_url="https://x.example/a"
    )
    programme_video_set(programme=pair.programme, actor=manager, provider="none")
    assert video_url_of(pair.pk) == "https://x.example/a"
    relationship_video_set(relationship=pair, actor=member, choice="programme")
    assert video_url_of(pair.pk) == ""
    assert AuditEvent.objects.filter(action="video.programme_default_set").count() == 2


@pytest.mark.parametrize(
    ("choice", "fixed_url", "field"),
    [
        ("skype", "", "provider"),
        ("fixed", "", "fixed_url"),
        ("fixed", "http://insecure.example/room", "fixed_url"),
        ("fixed", "javascript:alert(1)", "fixed_url"),
        ("zoom", "", "provider"),  # no Zoom account connected
    ],
)
def test_a_bad_choice_is_refused_and_changes_nothing(
    pair: Any, member: Any, choice: str, fixed_url: str, field: str
) -> None:
    relationship_video_set(relationship=pair, actor=member, choice="jitsi")
    before = video_url_of(pair.pk)
    with pytest.raises(AlongsideError) as caught:
        relationship_video_set(relationship=pair, actor=member, choice=choice, fixed_url=fixed_url)
    assert [p.field for p in caught.value.problems] == [field]
    assert video_url_of(pair.pk) == before


def test_a_zoom_meeting_is_created_once_by_the_worker(
    pair: Any,
    admin: Any,
    member: Any,
    provider_api: LocalApi,
    mailoutbox: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    account = _connect_zoom(pair.organisation, admin, provider_api)
    assert decrypt(account.client_secret_encrypted) == "Zs-5531-secret"
    assert "Zs-5531-secret" not in account.client_secret_encrypted
    _confirm(pair, django_capture_on_commit_callbacks)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        row = relationship_video_set(relationship=pair, actor=member, choice="zoom")
    assert row.status == RelationshipVideo.Status.PENDING  # the request made no call
    row.refresh_from_db()
    assert row.status == RelationshipVideo.Status.READY
    assert row.url.startswith("https://zoom.example/j/")
    [created] = provider_api.calls_to("/zoom/v2/users/me/meetings")
    assert created.json["type"] == 3
    assert pair.name in created.json["topic"]
    # Invitations already sent are updated with the Zoom link.
    assert mailoutbox
    assert all(str(event_of(attached_ics(m))["CONFERENCE"]) == row.url for m in mailoutbox)
    # Running the worker's job again creates nothing more.
    assert video_links_retry() == 0
    assert len(provider_api.calls_to("/zoom/v2/users/me/meetings")) == 1


def test_a_zoom_outage_is_retried_and_a_refusal_is_shown(
    pair: Any,
    admin: Any,
    member: Any,
    provider_api: LocalApi,
    django_capture_on_commit_callbacks: Any,
) -> None:
    _connect_zoom(pair.organisation, admin, provider_api)
    provider_api.queue("POST", "/zoom/v2/users/me/meetings", (503, {"message": "down"}, {}))
    with django_capture_on_commit_callbacks(execute=True):
        relationship_video_set(relationship=pair, actor=member, choice="zoom")
    row = RelationshipVideo.objects.get(relationship=pair)
    assert row.status == RelationshipVideo.Status.PENDING
    assert "503" in row.error
    assert video_links_retry() == 1
    row.refresh_from_db()
    assert row.status == RelationshipVideo.Status.READY
    # A permission problem is not retried: the link is marked failed with Zoom's reason.
    other = relationship_of(pair.organisation, [Who("Kiran Other", "UTC")], kind="pair")
    provider_api.queue(
        "POST",
        "/zoom/v2/users/me/meetings",
        (400, {"code": 124, "message": "Invalid access token, missing scope."}, {}),
    )
    with django_capture_on_commit_callbacks(execute=True):
        relationship_video_set(relationship=other, actor=member, choice="zoom")
    failed = RelationshipVideo.objects.get(relationship=other)
    assert failed.status == RelationshipVideo.Status.FAILED
    assert "missing scope" in failed.error
    assert video_links_retry() == 0


def test_wrong_zoom_credentials_are_refused_and_nothing_is_stored(
    org_a: Any, admin: Any, provider_api: LocalApi
) -> None:
    provider_api.route("POST", "/zoom/oauth/token", _zoom_token)
    with pytest.raises(AlongsideError) as caught:
        video_account_connect(
            organisation=org_a,
            actor=admin,
            provider="zoom",
            account_id="acct-1",
            client_id="Zc-7781",
            client_secret="wrong",
        )
    assert "Invalid client_id or client_secret" in caught.value.message
    assert not VideoAccount.objects.exists()


def test_a_teams_meeting_is_created_through_microsoft_graph(
    pair: Any,
    admin: Any,
    member: Any,
    provider_api: LocalApi,
    django_capture_on_commit_callbacks: Any,
) -> None:
    def token(call: Call) -> localapi.Answer:
        form = call.form
        if form.get("client_secret") != "ms-secret":
            return 401, {"error": "invalid_client", "error_description": "AADSTS7000215"}, {}
        assert form["scope"] == "https://graph.microsoft.com/.default"
        assert form["grant_type"] == "client_credentials"
        return 200, {"access_token": "graph-access", "expires_in": 3599}, {}

    def online_meeting(call: Call) -> localapi.Answer:
        assert call.headers["authorization"] == "Bearer graph-access"
        body = call.json
        assert body["startDateTime"] < body["endDateTime"]
        return 201, {"id": "MSo1", "joinWebUrl": "https://teams.example/l/meetup-join/1"}, {}

    provider_api.route("POST", "/ms/tenant-1/oauth2/v2.0/token", token)
    provider_api.route(
        "POST", "/graph/v1.0/users/mentoring@acme.test/onlineMeetings", online_meeting
    )
    video_account_connect(
        organisation=pair.organisation,
        actor=admin,
        provider="teams",
        account_id="tenant-1",
        client_id="app-1",
        client_secret="ms-secret",
        organizer="mentoring@acme.test",
    )
    with django_capture_on_commit_callbacks(execute=True):
        relationship_video_set(relationship=pair, actor=member, choice="teams")
    assert video_url_of(pair.pk) == "https://teams.example/l/meetup-join/1"


def test_the_meeting_page_and_relationship_page_show_the_link(
    pair: Any, member: Any, client_for: Any, django_capture_on_commit_callbacks: Any
) -> None:
    relationship_video_set(
        relationship=pair, actor=member, choice="fixed", fixed_url="https://meet.acme.example/r9"
    )
    _confirm(pair, django_capture_on_commit_callbacks)
    first = Meeting.objects.filter(relationship=pair).order_by("starts_at").first()
    assert first is not None
    client = client_for(member)
    page = client.get(reverse("meetings:meeting", args=["acme", first.pk])).content.decode()
    assert 'href="https://meet.acme.example/r9"' in page
    relationship_page = client.get(reverse("meetings:relationship", args=["acme", pair.pk]))
    assert "https://meet.acme.example/r9" in relationship_page.content.decode()


def test_members_choose_on_the_page_and_through_the_api(
    pair: Any, member: Any, manager: Any, client_for: Any, api_for: Any
) -> None:
    url = reverse("scheduling:relationship_video", args=["acme", pair.pk])
    response = client_for(member).post(url, {"choice": "fixed", "fixed_url": "ftp://x"})
    assert response.status_code == 302
    assert not RelationshipVideo.objects.filter(relationship=pair, provider="fixed").exists()
    client_for(member).post(url, {"choice": "jitsi"})
    assert video_url_of(pair.pk).startswith("https://meet.jit.si/")
    api = api_for(member)
    path = f"/api/v1/organisations/acme/relationships/{pair.pk}/video"
    answer = api.request("PUT", path, {"choice": "fixed", "fixed_url": "https://m.example/1"})
    assert answer.status_code == 200, answer.content
    assert answer.json()["url"] == "https://m.example/1"
    bad = api.request("PUT", path, {"choice": "zoom"})
    assert bad.status_code == 400
    assert bad.json()["code"] == "video_account_missing"
    assert api.get(path).json()["url"] == "https://m.example/1"
    programme_path = f"/api/v1/organisations/acme/programmes/{pair.programme.pk}/video"
    pair.programme.managers.add(manager)
    set_default = api_for(manager).request("PUT", programme_path, {"provider": "jitsi"})
    assert set_default.json() == {"provider": "jitsi", "fixed_url": ""}


def test_admins_connect_accounts_on_the_settings_page(
    org_a: Any, admin: Any, client_for: Any, provider_api: LocalApi
) -> None:
    provider_api.route("POST", "/zoom/oauth/token", _zoom_token)
    client = client_for(admin)
    url = reverse("video:accounts", args=["acme"])
    form = {"provider": "zoom", "account_id": "a", "client_id": "Zc-7781"}
    wrong = client.post(url, {**form, "client_secret": "nope"}, follow=True)
    assert "Invalid client_id or client_secret" in wrong.content.decode()
    assert not VideoAccount.objects.exists()
    client.post(url, {**form, "client_secret": "Zs-5531-secret"})
    assert VideoAccount.objects.filter(organisation=org_a, provider="zoom").exists()
    page = client.get(url).content.decode()
    assert "Zc-7781" in page
    assert "Zs-5531-secret" not in page
    client.post(reverse("video:disconnect", args=["acme", "zoom"]))
    assert not VideoAccount.objects.exists()
