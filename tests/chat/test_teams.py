"""Microsoft Teams against a local Bot Framework and Teams channel webhook: the bot's
credentials, installs that store conversation references (requests signed with keys from
the OpenID metadata), proactive cards with a one-click action, throttling, and channel
announcements."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core import mail
from django.urls import reverse

from alongside.chat.models import ChatAnnouncement, TeamsBot, TeamsConversation
from alongside.chat.services import announcements_send_due, teams_bot_connect, teams_webhook_add
from alongside.chat.teams import forget_token
from alongside.core.errors import AlongsideError
from alongside.core.events import emit
from alongside.meetings.models import Commitment
from alongside.nudges.models import NudgeDelivery
from alongside.nudges.sending import nudges_send_due
from alongside.nudges.services import channel_preferences_set
from alongside.outbox.sending import emails_send_due
from alongside.relationships.events import RelationshipsPublished
from alongside.relationships.models import RelationshipMember
from tests import localapi
from tests.chat.fakes import FakeBotFramework
from tests.nudges.helpers import NOW, build_world, meeting

RAVI = "ravi.member@acme.test"
Status = NudgeDelivery.Status


@pytest.fixture
def framework(settings: Any) -> Iterator[FakeBotFramework]:
    with localapi.running() as api:
        fake = FakeBotFramework(api)
        fake.install()
        settings.TEAMS_TOKEN_URL = f"{api.url}/botframework/token"
        settings.TEAMS_OPENID_METADATA_URL = f"{api.url}/botframework/openid"
        settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = True
        forget_token(fake.app_id)
        yield fake
        forget_token(fake.app_id)


@pytest.fixture
def bot(org_a: Any, admin: Any, framework: FakeBotFramework) -> TeamsBot:
    return teams_bot_connect(
        organisation=org_a, actor=admin, app_id=framework.app_id, app_password=framework.password
    )


def _install_activity(framework: FakeBotFramework, user_id: str = "29:ravi") -> dict[str, Any]:
    return {
        "type": "conversationUpdate",
        "serviceUrl": framework.service_url,
        "conversation": {"id": "a:conv-ravi", "conversationType": "personal", "tenantId": "t1"},
        "recipient": {"id": f"28:{framework.app_id}"},
        "from": {"id": user_id},
        "membersAdded": [{"id": user_id}, {"id": f"28:{framework.app_id}"}],
    }


def _post(client: Any, activity: dict[str, Any], authorization: str) -> Any:
    return client.post(
        reverse("teams_messages", args=["acme"]),
        json.dumps(activity),
        content_type="application/json",
        headers={"Authorization": authorization},
    )


def _installed(client: Any, framework: FakeBotFramework) -> TeamsConversation:
    framework.member_route("a:conv-ravi", "29:ravi", RAVI)
    activity = _install_activity(framework)
    assert _post(client, activity, framework.signed(activity)).status_code == 200
    return TeamsConversation.objects.get(email=RAVI)


def test_wrong_bot_credentials_are_refused(org_a: Any, admin: Any, framework: Any) -> None:
    with pytest.raises(AlongsideError) as caught:
        teams_bot_connect(
            organisation=org_a, actor=admin, app_id=framework.app_id, app_password="wrong"
        )
    assert "Invalid client secret" in caught.value.message
    assert not TeamsBot.objects.exists()


def test_installing_the_bot_stores_where_to_write_to_the_person(
    bot: Any, member: Any, client: Any, framework: FakeBotFramework
) -> None:
    conversation = _installed(client, framework)
    assert conversation.person is not None
    assert conversation.person.user == member
    assert conversation.conversation_id == "a:conv-ravi"
    assert conversation.service_url == framework.service_url


@pytest.mark.parametrize("forgery", ["unsigned", "other key", "other bot"])
def test_requests_not_signed_by_the_bot_framework_are_refused(
    bot: Any, client: Any, framework: FakeBotFramework, forgery: str
) -> None:
    framework.member_route("a:conv-ravi", "29:ravi", RAVI)
    activity = _install_activity(framework)
    authorization = {
        "unsigned": "",
        "other key": framework.signed(
            activity, key=rsa.generate_private_key(public_exponent=65537, key_size=2048)
        ),
        "other bot": framework.signed(activity, audience="someone-else"),
    }[forgery]
    assert _post(client, activity, authorization).status_code == 403
    assert not TeamsConversation.objects.exists()


def _commitment_due(org: Any, manager: Any, member: Any) -> Commitment:
    world = build_world(org, manager, pairs=1, member=member)
    pair = world.pairs[0]
    made = meeting(pair, NOW - timedelta(days=14), status="held")
    meeting(pair, NOW - timedelta(days=1), status="held")
    mine = RelationshipMember.objects.get(relationship=pair, person__user=member)
    return Commitment.objects.create(
        relationship=pair,
        member=mine,
        made_at=made,
        text="Ask two peers for feedback",
        due_date=(NOW + timedelta(days=1)).date(),
    )


def test_a_nudge_arrives_as_a_card_whose_button_marks_the_commitment_done(
    org_a: Any, manager: Any, member: Any, bot: Any, client: Any, framework: FakeBotFramework
) -> None:
    _installed(client, framework)
    commitment = _commitment_due(org_a, manager, member)
    channel_preferences_set(user=member, chosen={"commitment_due": "teams"})
    with time_machine.travel(NOW, tick=False):
        nudges_send_due(now=NOW)
    delivery = NudgeDelivery.objects.get(email=RAVI, nudge_key="commitment_due")
    assert delivery.status == Status.SENT, delivery.last_error
    assert mail.outbox == []
    [sent] = framework.activities_to("a:conv-ravi")
    assert sent.headers["authorization"] == "Bearer bf-token"
    card = sent.json["attachments"][0]
    assert card["contentType"] == "application/vnd.microsoft.card.adaptive"
    submit = [a for a in card["content"]["actions"] if a["type"] == "Action.Submit"]
    assert submit[0]["title"] == "I've done my action"
    # The person clicks: Teams posts the Action.Submit to the bot, signed.
    click = {
        "type": "message",
        "serviceUrl": framework.service_url,
        "conversation": {"id": "a:conv-ravi", "conversationType": "personal"},
        "from": {"id": "29:ravi"},
        "value": submit[0]["data"],
    }
    answer = _post(client, click, framework.signed(click))
    assert answer.status_code == 200
    commitment.refresh_from_db()
    assert commitment.status == Commitment.Status.DONE


def test_throttling_is_honoured_and_a_removed_bot_falls_back_to_email(
    org_a: Any, manager: Any, member: Any, bot: Any, client: Any, framework: FakeBotFramework
) -> None:
    _installed(client, framework)
    _commitment_due(org_a, manager, member)
    channel_preferences_set(user=member, chosen={"commitment_due": "teams"})
    path = "/teams/v3/conversations/a:conv-ravi/activities"
    framework.api.queue(
        "POST", path, (429, {"error": {"code": "Throttled"}}, {"Retry-After": "45"})
    )
    with time_machine.travel(NOW, tick=False) as clock:
        nudges_send_due(now=NOW)
        delivery = NudgeDelivery.objects.get(email=RAVI, nudge_key="commitment_due")
        assert delivery.status == Status.PENDING
        assert delivery.next_attempt_at == NOW + timedelta(seconds=45)
        # Meanwhile the person removed the bot: Teams answers 403, so email it is.
        framework.api.queue("POST", path, (403, {"error": {"code": "BotDisabledByAdmin"}}, {}))
        clock.shift(timedelta(seconds=46))
        nudges_send_due()
        emails_send_due()  # a worker sends the fallback email from the outbox
    delivery.refresh_from_db()
    assert delivery.status == Status.SENT
    assert "no longer lets the bot write" in delivery.fallback_reason
    assert [m.to for m in mail.outbox] == [[RAVI]]
    assert not TeamsConversation.objects.exists()


def test_programme_channels_get_one_card_per_publication(
    org_a: Any,
    admin: Any,
    manager: Any,
    member: Any,
    framework: FakeBotFramework,
    django_capture_on_commit_callbacks: Any,
) -> None:
    framework.api.route("POST", "/channel-hook", (202, b"1", {"Content-Type": "text/plain"}))
    teams_webhook_add(
        organisation=org_a, actor=admin, name="Mentoring", url=f"{framework.api.url}/channel-hook"
    )
    framework.api.queue("POST", "/channel-hook", (429, b"", {"Retry-After": "10"}))
    world = build_world(org_a, manager, pairs=2, member=member)
    event = RelationshipsPublished(
        organisation_id=org_a.pk,
        programme_id=world.programme.pk,
        relationship_ids=tuple(p.pk for p in world.pairs),
    )
    with time_machine.travel(NOW, tick=False) as clock:
        with django_capture_on_commit_callbacks(execute=True):
            emit(event)
        announcement = ChatAnnouncement.objects.get()
        assert announcement.status == ChatAnnouncement.Status.PENDING
        assert announcement.next_attempt_at == NOW + timedelta(seconds=10)
        clock.shift(timedelta(seconds=11))
        assert announcements_send_due() == 1
        with django_capture_on_commit_callbacks(execute=True):
            emit(event)
    calls = framework.api.calls_to("/channel-hook")
    assert len(calls) == 2  # the throttled one and the delivered one; no repeat
    content = calls[-1].json["attachments"][0]["content"]
    assert "2 new relationships have started" in json.dumps(content)


def test_admins_connect_the_bot_and_channels_on_the_settings_page(
    org_a: Any, admin: Any, client_for: Any, framework: FakeBotFramework
) -> None:
    client = client_for(admin)
    url = reverse("chat:teams_connect", args=["acme"])
    wrong = client.post(url, {"app_id": framework.app_id, "app_password": "nope"}, follow=True)
    assert "Invalid client secret" in wrong.content.decode()
    client.post(url, {"app_id": framework.app_id, "app_password": framework.password})
    assert TeamsBot.objects.filter(organisation=org_a).exists()
    bad_hook = client.post(
        reverse("chat:webhook_add", args=["acme"]), {"name": "x", "url": "ftp://x"}, follow=True
    )
    assert "not usable" in bad_hook.content.decode()
    page = client.get(reverse("chat:settings", args=["acme"])).content.decode()
    assert framework.app_id in page
    assert framework.password not in page
