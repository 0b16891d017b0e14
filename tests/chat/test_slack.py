"""Slack through slack-sdk against a local Slack Web API: the install, nudges by direct
message exactly once (also across a crash and two workers), 429 honoured, misses and
revoked tokens falling back to email with the reason, group messages for new matches,
and button clicks signed by Slack."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from alongside.chat.models import ChatAnnouncement, SlackUser, SlackWorkspace
from alongside.chat.services import announcements_send_due, slack_workspace_install
from alongside.core.crypto import decrypt
from alongside.core.events import emit
from alongside.meetings.models import Commitment
from alongside.nudges.models import NudgeDelivery
from alongside.nudges.sending import (
    RESEND_AFTER,
    deliveries_claim,
    deliveries_send,
    nudges_send_due,
)
from alongside.nudges.services import channel_preferences_set
from alongside.outbox.sending import emails_send_due
from alongside.relationships.events import RelationshipsPublished
from tests import localapi
from tests.chat.fakes import BOT_TOKEN, FakeSlack
from tests.nudges.helpers import NOW, build_world, meeting

Status = NudgeDelivery.Status
RAVI = "ravi.member@acme.test"


@pytest.fixture
def clock() -> Any:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def fake_slack(settings: Any) -> Iterator[FakeSlack]:
    with localapi.running() as api:
        fake = FakeSlack(api, users={RAVI: "U0RAVI", "person1@acme.test": "U0P1"})
        fake.install()
        settings.SLACK_API_URL = fake.base_url
        settings.SLACK_CLIENT_ID = "111.222"
        settings.SLACK_CLIENT_SECRET = "slack-client-secret"
        settings.SLACK_SIGNING_SECRET = "slack-signing-secret"
        settings.SLACK_AUTHORIZE_URL = f"{api.url}/oauth/v2/authorize"
        yield fake


@pytest.fixture
def workspace(org_a: Any, admin: Any, fake_slack: FakeSlack) -> SlackWorkspace:
    return slack_workspace_install(
        organisation=org_a,
        actor=admin,
        oauth={
            "ok": True,
            "access_token": BOT_TOKEN,
            "token_type": "bot",
            "scope": "chat:write,im:write,mpim:write,users:read,users:read.email",
            "bot_user_id": "UBOT",
            "app_id": "A1",
            "team": {"id": "T1", "name": "Acme India"},
        },
    )


def _meeting_tomorrow(org: Any, manager: Any, member: Any) -> Any:
    world = build_world(org, manager, pairs=1, member=member)
    meeting(world.pairs[0], NOW - timedelta(days=7), status="held")
    meeting(world.pairs[0], NOW + timedelta(hours=20))
    return world


def test_installing_the_app_exchanges_the_code_and_keeps_the_token_encrypted(
    org_a: Any, admin: Any, client_for: Any, fake_slack: FakeSlack
) -> None:
    client = client_for(admin)
    started = client.post(reverse("chat:slack_install", args=["acme"]))
    assert started.status_code == 302
    target = urlsplit(started["Location"])
    query = parse_qs(target.query)
    assert query["client_id"] == ["111.222"]
    assert query["scope"] == ["chat:write,im:write,mpim:write,users:read,users:read.email"]
    assert query["redirect_uri"] == ["http://127.0.0.1:8000/integrations/slack/oauth/callback"]
    state = query["state"][0]

    def access(call: localapi.Call) -> localapi.Answer:
        if call.form.get("code") != "good-code":
            return 200, {"ok": False, "error": "invalid_code"}, {}
        assert call.headers["authorization"].startswith("Basic ")
        return (
            200,
            {
                "ok": True,
                "access_token": BOT_TOKEN,
                "token_type": "bot",
                "scope": "chat:write,im:write",
                "bot_user_id": "UBOT",
                "app_id": "A1",
                "team": {"id": "T9", "name": "Acme Slack"},
            },
            {},
        )

    fake_slack.api.route("POST", "/api/oauth.v2.access", access)
    callback = reverse("slack_oauth_callback")
    refused = client.get(f"{callback}?{urlencode({'code': 'stale', 'state': state})}", follow=True)
    assert "did not accept the sign-in (invalid_code)" in refused.content.decode()
    assert not SlackWorkspace.objects.exists()
    # The nonce was used up: start again, as a person would.
    query = parse_qs(
        urlsplit(client.post(reverse("chat:slack_install", args=["acme"]))["Location"]).query
    )
    done = client.get(
        f"{callback}?{urlencode({'code': 'good-code', 'state': query['state'][0]})}", follow=True
    )
    assert "Acme Slack is connected" in done.content.decode()
    workspace = SlackWorkspace.objects.get(organisation=org_a)
    assert BOT_TOKEN not in workspace.bot_token_encrypted
    assert decrypt(workspace.bot_token_encrypted) == BOT_TOKEN
    assert (
        "Acme Slack"
        in client.get(reverse("organisations:settings", args=["acme"])).content.decode()
    )


def test_a_forged_state_connects_nothing(
    org_a: Any, admin: Any, client_for: Any, fake_slack: FakeSlack
) -> None:
    response = client_for(admin).get(
        reverse("slack_oauth_callback") + "?code=x&state=not-signed", follow=True
    )
    assert "connect again" in response.content.decode()
    assert not SlackWorkspace.objects.exists()


def test_a_nudge_goes_by_slack_once_and_the_lookup_is_kept(
    org_a: Any, manager: Any, member: Any, clock: Any, workspace: Any, fake_slack: FakeSlack
) -> None:
    _meeting_tomorrow(org_a, manager, member)
    channel_preferences_set(user=member, chosen={"meeting_tomorrow": "slack"})
    report = nudges_send_due(now=NOW)
    assert report.sent == 2
    emails_send_due()  # a worker sends what went to the outbox
    # Ravi by Slack, the other member (no account, no preference) by email.
    assert [m.to for m in mail.outbox] == [["person1@acme.test"]]
    [post] = fake_slack.posts()
    assert post.json["channel"] == "DU0RAVI"
    assert "Meeting tomorrow" in json.dumps(post.json["blocks"]) or post.json["text"]
    delivery = NudgeDelivery.objects.get(email=RAVI)
    assert delivery.status == Status.SENT
    assert delivery.channel_results["slack"]["status"] == "sent"
    assert SlackUser.objects.get(email=RAVI).slack_user_id == "U0RAVI"
    assert nudges_send_due(now=NOW).sent == 0
    assert len(fake_slack.posts()) == 1
    assert len(fake_slack.api.calls_to("/api/users.lookupByEmail")) == 1


def test_two_workers_and_a_crash_never_post_twice(
    org_a: Any,
    manager: Any,
    member: Any,
    clock: Any,
    workspace: Any,
    fake_slack: FakeSlack,
    monkeypatch: Any,
) -> None:
    _meeting_tomorrow(org_a, manager, member)
    channel_preferences_set(user=member, chosen={"meeting_tomorrow": "slack+email"})
    from alongside.nudges.sending import nudge_events_record

    nudge_events_record(now=NOW)
    first = deliveries_claim(limit=10)
    assert deliveries_claim(limit=10) == []  # a second worker finds nothing to claim
    # The email half fails after Slack has posted (the outbox's database is away)…
    from alongside.nudges import email_channel

    real_enqueue = email_channel.email_enqueue

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise ConnectionRefusedError("database went away")

    monkeypatch.setattr(email_channel, "email_enqueue", refuse)
    deliveries_send(first)
    ravi = NudgeDelivery.objects.get(email=RAVI)
    assert ravi.status == Status.FAILED
    assert ravi.channel_results["slack"]["status"] == "sent"
    # …and the retry later queues only the email: Slack is not asked again.
    monkeypatch.setattr(email_channel, "email_enqueue", real_enqueue)
    clock.shift(RESEND_AFTER + timedelta(minutes=1))
    nudges_send_due()
    ravi.refresh_from_db()
    assert ravi.status == Status.SENT
    assert len(fake_slack.posts()) == 1
    emails_send_due()
    assert [m.to[0] for m in mail.outbox].count(RAVI) == 1


def test_a_429_waits_for_retry_after_without_using_an_attempt(
    org_a: Any, manager: Any, member: Any, clock: Any, workspace: Any, fake_slack: FakeSlack
) -> None:
    _meeting_tomorrow(org_a, manager, member)
    channel_preferences_set(user=member, chosen={"meeting_tomorrow": "slack"})
    fake_slack.api.queue(
        "POST",
        "/api/chat.postMessage",
        (429, {"ok": False, "error": "ratelimited"}, {"Retry-After": "120"}),
    )
    nudges_send_due(now=NOW)
    ravi = NudgeDelivery.objects.get(email=RAVI)
    assert ravi.status == Status.PENDING
    assert ravi.next_attempt_at == NOW + timedelta(seconds=120)
    assert ravi.attempts == 0
    assert RAVI not in [m.to[0] for m in mail.outbox]  # no fallback for a rate limit
    clock.shift(timedelta(seconds=60))
    nudges_send_due()
    assert NudgeDelivery.objects.get(email=RAVI).status == Status.PENDING  # not before then
    clock.shift(timedelta(seconds=61))
    nudges_send_due()
    ravi.refresh_from_db()
    assert ravi.status == Status.SENT
    assert len(fake_slack.posts()) == 2  # the refused one and the delivered one


def test_someone_not_on_slack_gets_email_and_the_manager_sees_why(
    org_a: Any,
    manager: Any,
    member: Any,
    clock: Any,
    workspace: Any,
    fake_slack: FakeSlack,
    client_for: Any,
) -> None:
    world = _meeting_tomorrow(org_a, manager, member)
    fake_slack.users.pop(RAVI)
    channel_preferences_set(user=member, chosen={"meeting_tomorrow": "slack"})
    nudges_send_due(now=NOW)
    emails_send_due()
    ravi = NudgeDelivery.objects.get(email=RAVI)
    assert ravi.status == Status.SENT
    assert f"No Slack user in Acme India has the address {RAVI}" in ravi.fallback_reason
    assert RAVI in [m.to[0] for m in mail.outbox]
    log = client_for(manager).get(reverse("nudges:log", args=["acme", world.programme.pk]))
    assert "Sent by email instead" in log.content.decode()
    api = client_for(manager).get(
        f"/api/v1/organisations/acme/programmes/{world.programme.pk}/nudge-deliveries"
    )
    by_email = {d["email"]: d for d in api.json()["items"]}
    assert "No Slack user" in by_email[RAVI]["fallback_reason"]


def test_a_revoked_token_marks_the_workspace_and_falls_back(
    org_a: Any, manager: Any, member: Any, clock: Any, workspace: Any, fake_slack: FakeSlack
) -> None:
    _meeting_tomorrow(org_a, manager, member)
    channel_preferences_set(user=member, chosen={"meeting_tomorrow": "slack"})
    fake_slack.revoked = True
    nudges_send_due(now=NOW)
    emails_send_due()
    workspace.refresh_from_db()
    assert workspace.status == SlackWorkspace.Status.BROKEN
    assert "token_revoked" in workspace.status_reason
    ravi = NudgeDelivery.objects.get(email=RAVI)
    assert "token_revoked" in ravi.fallback_reason
    assert RAVI in [m.to[0] for m in mail.outbox]


def test_new_matches_get_one_group_message(
    org_a: Any,
    manager: Any,
    member: Any,
    workspace: Any,
    fake_slack: FakeSlack,
    django_capture_on_commit_callbacks: Any,
) -> None:
    world = build_world(org_a, manager, pairs=1, member=member)
    pair = world.pairs[0]
    event = RelationshipsPublished(
        organisation_id=org_a.pk, programme_id=world.programme.pk, relationship_ids=(pair.pk,)
    )
    with django_capture_on_commit_callbacks(execute=True):
        emit(event)
    with django_capture_on_commit_callbacks(execute=True):
        emit(event)  # published twice (a retried job): still one message
    [post] = fake_slack.posts()
    assert post.json["channel"] == "GU0P1U0RAVI"
    [opened] = fake_slack.api.calls_to("/api/conversations.open")
    assert opened.form.get("users") == "U0P1,U0RAVI"
    assert ChatAnnouncement.objects.get().status == ChatAnnouncement.Status.SENT


def test_a_rate_limited_group_message_is_retried_after_the_wait(
    org_a: Any,
    manager: Any,
    member: Any,
    workspace: Any,
    fake_slack: FakeSlack,
    django_capture_on_commit_callbacks: Any,
) -> None:
    world = build_world(org_a, manager, pairs=1, member=member)
    fake_slack.api.queue(
        "POST",
        "/api/chat.postMessage",
        (429, {"ok": False, "error": "ratelimited"}, {"Retry-After": "30"}),
    )
    with time_machine.travel(NOW, tick=False) as clock:
        with django_capture_on_commit_callbacks(execute=True):
            emit(
                RelationshipsPublished(
                    organisation_id=org_a.pk,
                    programme_id=world.programme.pk,
                    relationship_ids=(world.pairs[0].pk,),
                )
            )
        announcement = ChatAnnouncement.objects.get()
        assert announcement.status == ChatAnnouncement.Status.PENDING
        assert announcement.next_attempt_at == NOW + timedelta(seconds=30)
        assert announcement.attempts == 0  # a rate limit uses up no attempt
        assert announcements_send_due() == 0
        clock.shift(timedelta(seconds=31))
        assert announcements_send_due() == 1
    assert len(fake_slack.posts()) == 2


def _signed(body: bytes, secret: str = "slack-signing-secret") -> dict[str, str]:
    timestamp = str(int(time.time()))
    digest = hmac.new(secret.encode(), f"v0:{timestamp}:".encode() + body, hashlib.sha256)
    return {"X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": "v0=" + digest.hexdigest()}


def test_the_done_button_marks_the_commitment_and_needs_slack_s_signature(
    org_a: Any, manager: Any, member: Any, client: Any, fake_slack: FakeSlack
) -> None:
    from alongside.chat.actions import action_token
    from alongside.relationships.models import RelationshipMember

    world = build_world(org_a, manager, pairs=1, member=member)
    pair = world.pairs[0]
    made = meeting(pair, NOW - timedelta(days=14), status="held")
    meeting(pair, NOW - timedelta(days=1), status="held")
    mine = RelationshipMember.objects.get(relationship=pair, person__user=member)
    commitment = Commitment.objects.create(
        relationship=pair, member=mine, made_at=made, text="Ask for feedback"
    )
    token = action_token(commitment_id=commitment.pk, person_id=mine.person_id)
    body = urlencode(
        {"payload": json.dumps({"type": "block_actions", "actions": [{"value": token}]})}
    ).encode()
    url = reverse("slack_interactions")
    forged = client.post(
        url, body, content_type="application/x-www-form-urlencoded", headers=_signed(body, "wrong")
    )
    assert forged.status_code == 401
    commitment.refresh_from_db()
    assert commitment.status == Commitment.Status.OPEN
    answered = client.post(
        url, body, content_type="application/x-www-form-urlencoded", headers=_signed(body)
    )
    assert answered.status_code == 200
    assert "marked as done" in answered.json()["text"]
    commitment.refresh_from_db()
    assert commitment.status == Commitment.Status.DONE
    # A token for someone else's commitment, or altered, does nothing.
    other = client.get(reverse("chat_action", args=[token[:-2] + "xx"]))
    assert other.status_code == 400


def test_people_choose_channels_on_their_preferences_page_and_api(
    member: Any, client_for: Any, api_for: Any, workspace: Any
) -> None:
    client = client_for(member)
    page = client.get(reverse("email_preferences")).content.decode()
    assert 'value="slack+email"' in page
    client.post(
        reverse("email_preferences"), {"form": "channels", "channel-meeting_tomorrow": "slack"}
    )
    api = api_for(member)
    chosen = api.get("/api/v1/me/channel-preferences").json()["chosen"]
    assert chosen["meeting_tomorrow"] == "slack"
    assert chosen["digest"] == "email"
    bad = api.request("PUT", "/api/v1/me/channel-preferences", {"chosen": {"digest": "pigeon"}})
    assert bad.status_code == 400
    assert bad.json()["problems"][0]["field"] == "digest"
    assert api.get("/api/v1/me/channel-preferences").json()["chosen"]["digest"] == "email"
