"""The relationship agreement: goals from the intake, the rhythm, circle goals, facilitation."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from alongside.audit.models import AuditEvent
from alongside.core.errors import AlongsideError
from alongside.meetings.models import Agreement, DevelopmentGoal
from alongside.meetings.selectors import goal_suggestions
from alongside.meetings.services import agreement_update, goals_set
from tests.meetings.conftest import Group


def test_goal_suggestions_come_from_the_intake(pair: Group) -> None:
    assert goal_suggestions(member=pair.members[0]) == [
        "Giving feedback",
        "Delegation",
        "Run calmer one-to-ones",
        "Say no more often",
    ]


def test_each_member_sets_one_to_three_goals(pair: Group) -> None:
    me = pair.members[0]
    goals = goals_set(member=me, goals=["Delegation", " My own goal ", ""], actor=pair.users[0])
    assert [(g.position, g.text) for g in goals] == [(1, "Delegation"), (2, "My own goal")]
    with pytest.raises(AlongsideError, match="could not be saved") as caught:
        goals_set(member=me, goals=["a", "b", "c", "d"], actor=pair.users[0])
    assert "at most 3" in caught.value.problems[0].message
    with pytest.raises(AlongsideError):
        goals_set(member=me, goals=["  "], actor=pair.users[0])
    assert DevelopmentGoal.objects.filter(member=me).count() == 2
    assert AuditEvent.objects.get(action="goals.set").data == {"count": 2}


def test_the_group_confirms_the_rhythm(pair: Group) -> None:
    agreement = agreement_update(
        member=pair.members[1],
        actor=pair.users[1],
        rhythm_confirmed=True,
        rhythm_note="Whoever moves a meeting finds the new slot",
    )
    assert agreement.rhythm_confirmed
    assert agreement.confirmed_at is not None
    with pytest.raises(AlongsideError) as caught:
        agreement_update(
            member=pair.members[0], actor=pair.users[0], facilitation=Agreement.Facilitation.FIXED
        )
    assert caught.value.problems[0].message == "only circles have a facilitator."


def test_circles_set_shared_goals_and_a_fixed_facilitator(circle: Group, pair: Group) -> None:
    me = circle.members[0]
    with pytest.raises(AlongsideError) as caught:
        agreement_update(
            member=me, actor=circle.users[0], facilitation=Agreement.Facilitation.FIXED
        )
    assert caught.value.problems[0].field == "fixed_facilitator"
    with pytest.raises(AlongsideError):
        agreement_update(
            member=me,
            actor=circle.users[0],
            facilitation=Agreement.Facilitation.FIXED,
            fixed_facilitator=pair.members[1],  # not in this circle
        )
    agreement = agreement_update(
        member=me,
        actor=circle.users[0],
        shared_goals=["Lead through change", "", "Coach, not tell"],
        facilitation=Agreement.Facilitation.FIXED,
        fixed_facilitator=circle.members[2],
    )
    assert agreement.shared_goals == "Lead through change\nCoach, not tell"
    assert agreement.fixed_facilitator == circle.members[2]
    back = agreement_update(
        member=me, actor=circle.users[0], facilitation=Agreement.Facilitation.ROTATING
    )
    assert back.fixed_facilitator is None


def test_the_agreement_page_saves_goals_and_the_agreement(pair: Group, client_for: Any) -> None:
    client = client_for(pair.users[0])
    url = reverse("meetings:agreement", args=["acme", pair.relationship.pk])
    page = client.get(url).content.decode()
    assert '<datalist id="goal-suggestions">' in page
    assert '<option value="Run calmer one-to-ones">' in page
    response = client.post(url, {"part": "goals", "goal_1": "Delegation", "goal_2": "Typed"})
    assert response.status_code == 302
    response = client.post(
        url, {"part": "agreement", "rhythm_confirmed": "on", "rhythm_note": "Tuesdays"}
    )
    assert response.status_code == 302
    # The other member sees it all on the relationship page.
    body = (
        client_for(pair.users[1])
        .get(reverse("meetings:relationship", args=["acme", pair.relationship.pk]))
        .content.decode()
    )
    assert "Delegation; Typed" in body
    assert "— agreed on" in body
    assert "Tuesdays" in body
    invalid = client.post(url, {"part": "goals", "goal_1": ""})
    assert invalid.status_code == 200
    assert "This field is required." in invalid.content.decode()


def test_the_api_reads_and_changes_the_agreement_and_goals(
    circle: Group, api_for: Any, manager: Any
) -> None:
    api = api_for(circle.users[0])
    base = f"/api/v1/organisations/acme/relationships/{circle.relationship.pk}"
    response = api.request(
        "PUT",
        f"{base}/agreement",
        {
            "rhythm_confirmed": True,
            "shared_goals": ["Grow as leaders"],
            "facilitation": "fixed",
            "fixed_facilitator_id": circle.members[1].pk,
        },
    )
    assert response.status_code == 200, response.content
    assert response.json()["shared_goals"] == ["Grow as leaders"]
    assert response.json()["fixed_facilitator_id"] == circle.members[1].pk
    goals = api.request("PUT", f"{base}/goals", {"goals": ["Delegation"]})
    assert goals.json()["goals"] == [
        {"member_id": circle.members[0].pk, "position": 1, "text": "Delegation"}
    ]
    assert "Giving feedback" in goals.json()["suggestions"]
    other = api_for(circle.users[3]).get(f"{base}/agreement")
    assert other.json()["rhythm_confirmed"] is True
    # The programme's manager reads the relationship, but not its agreement.
    assert api_for(manager).get(f"{base}/agreement").status_code == 403
    assert api_for(manager).request("PUT", f"{base}/goals", {"goals": ["x"]}).status_code == 403
    unknown = api.request("PUT", f"{base}/agreement", {"fixed_facilitator_id": 999999})
    assert unknown.status_code == 404
