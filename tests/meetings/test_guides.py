"""Session guides: defaults for each format, edited per programme, reset to the default."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from alongside.audit.models import AuditEvent
from alongside.core.errors import AlongsideError
from alongside.meetings.guides import DEFAULT_GUIDES, default_guide
from alongside.meetings.models import SessionGuide
from alongside.meetings.selectors import guide_for_meeting, guides_for
from alongside.meetings.services import session_guides_reset, session_guides_save
from alongside.programmes.models import Format
from tests.meetings.conftest import Group
from tests.meetings.factories import meeting, programme_for


def test_every_format_has_four_distinct_guides() -> None:
    assert set(DEFAULT_GUIDES) == set(Format.values)
    for format in Format.values:
        guides = DEFAULT_GUIDES[format]
        assert sorted(guides) == [1, 2, 3, 4]
        assert len({g.title for g in guides.values()}) == 4
        for guide in guides.values():
            assert 3 <= len(guide.prompts) <= 8
    bodies = {DEFAULT_GUIDES[f][1].body for f in Format.values}
    assert len(bodies) == len(Format.values), "each format writes its own first meeting"


def test_the_first_meeting_covers_goals_rhythm_and_accountability() -> None:
    # A flash round is one conversation, with no rhythm or commitments to agree: each of
    # its guides ends with something to leave with instead.
    for format in Format.values:
        text = default_guide(format, 1).body.lower()
        if format == Format.FLASH_ROUNDS:
            assert all("leave with" in default_guide(format, n).body.lower() for n in range(1, 5))
            continue
        assert "goal" in text
        assert "rhythm" in text or "when you meet" in text
        assert "commit" in text


def test_later_meetings_use_the_fourth_guide() -> None:
    assert default_guide("peer_pairs", 9) == default_guide("peer_pairs", 4)
    assert default_guide("peer_pairs", 0) == default_guide("peer_pairs", 1)


def test_a_programme_without_its_own_guides_uses_the_defaults(org_a: Any) -> None:
    programme = programme_for(org_a, "buddies")
    guides = guides_for(programme=programme)
    assert [g.number for g in guides] == [1, 2, 3, 4]
    assert all(g.is_default for g in guides)
    assert guides[0].title == DEFAULT_GUIDES["buddies"][1].title
    assert guide_for_meeting(programme=programme, number=7).title == "Our usual catch-up"


def test_editing_creates_rows_only_for_changed_guides(org_a: Any, manager: Any) -> None:
    programme = programme_for(org_a, "peer_circles", manager=manager)
    default_two = DEFAULT_GUIDES["peer_circles"][2]
    changed = session_guides_save(
        programme=programme,
        actor=manager,
        guides={1: ("Our first circle", "Names\nHopes"), 2: (default_two.title, default_two.body)},
    )
    assert changed == [1]
    assert list(SessionGuide.objects.values_list("meeting_number", flat=True)) == [1]
    guides = guides_for(programme=programme)
    assert (guides[0].title, guides[0].prompts, guides[0].is_default) == (
        "Our first circle",
        ["Names", "Hopes"],
        False,
    )
    assert guides[1].is_default
    event = AuditEvent.objects.get(action="session_guides.updated")
    assert event.data == {"meetings": [1]}


def test_bad_guides_are_refused_with_every_problem(org_a: Any, manager: Any) -> None:
    programme = programme_for(org_a, "peer_pairs", manager=manager)
    with pytest.raises(AlongsideError) as caught:
        session_guides_save(
            programme=programme, actor=manager, guides={1: ("", "x"), 2: ("T", "  "), 5: ("T", "x")}
        )
    fields = {p.field for p in caught.value.problems}
    assert fields == {"title_1", "body_2", "guide_5"}
    assert not SessionGuide.objects.exists()


def test_reset_goes_back_to_the_default(org_a: Any, manager: Any) -> None:
    programme = programme_for(org_a, "peer_pairs", manager=manager)
    session_guides_save(programme=programme, actor=manager, guides={1: ("A", "a"), 3: ("C", "c")})
    assert session_guides_reset(programme=programme, actor=manager, number=1) == 1
    assert list(SessionGuide.objects.values_list("meeting_number", flat=True)) == [3]
    assert session_guides_reset(programme=programme, actor=manager) == 1
    assert all(g.is_default for g in guides_for(programme=programme))


def test_the_meeting_page_shows_the_guide_for_its_number(
    pair: Group, manager: Any, client_for: Any
) -> None:
    session_guides_save(
        programme=pair.programme, actor=manager, guides={2: ("Second time round", "Bring a win")}
    )
    client = client_for(pair.users[0])
    first = client.get(reverse("meetings:meeting", args=["acme", pair.meetings[0].pk]))
    assert DEFAULT_GUIDES["peer_pairs"][1].title in first.content.decode()
    second = client.get(reverse("meetings:meeting", args=["acme", pair.meetings[1].pk]))
    assert "Second time round" in second.content.decode()
    assert "Bring a win" in second.content.decode()
    fifth = meeting(pair.relationship, 5)
    body = client.get(reverse("meetings:meeting", args=["acme", fifth.pk])).content.decode()
    assert DEFAULT_GUIDES["peer_pairs"][4].title in body


def test_managers_edit_and_reset_guides_on_their_page(
    pair: Group, manager: Any, client_for: Any
) -> None:
    client = client_for(manager)
    url = reverse("meetings:guides", args=["acme", pair.programme.pk])
    detail = client.get(reverse("programmes:detail", args=["acme", pair.programme.pk]))
    assert url in detail.content.decode()
    page = client.get(url)
    assert page.status_code == 200
    assert DEFAULT_GUIDES["peer_pairs"][3].title in page.content.decode()
    data = {}
    for guide in guides_for(programme=pair.programme):
        data[f"title_{guide.number}"] = guide.title
        data[f"body_{guide.number}"] = guide.body
    data["title_4"] = "Every meeting from now on"
    response = client.post(url, data)
    assert response.status_code == 302
    assert SessionGuide.objects.get(programme=pair.programme).title == "Every meeting from now on"
    data["title_2"] = ""
    again = client.post(url, data)
    assert again.status_code == 200
    assert "This field is required." in again.content.decode()
    reset = client.post(
        reverse("meetings:guides_reset", args=["acme", pair.programme.pk]), {"number": "4"}
    )
    assert reset.status_code == 302
    assert not SessionGuide.objects.exists()


def test_members_cannot_edit_guides(pair: Group, client_for: Any, api_for: Any) -> None:
    url = reverse("meetings:guides", args=["acme", pair.programme.pk])
    assert client_for(pair.users[0]).get(url).status_code == 403
    response = api_for(pair.users[0]).request(
        "PUT",
        f"/api/v1/organisations/acme/programmes/{pair.programme.pk}/session-guides",
        [{"meeting_number": 1, "title": "x", "body": "y"}],
    )
    assert response.status_code == 403
    assert not SessionGuide.objects.exists()


def test_the_api_lists_edits_and_resets_guides(pair: Group, manager: Any, api_for: Any) -> None:
    api = api_for(manager)
    base = f"/api/v1/organisations/acme/programmes/{pair.programme.pk}/session-guides"
    listed = api.get(base).json()["items"]
    assert [g["meeting_number"] for g in listed] == [1, 2, 3, 4]
    assert all(g["is_default"] for g in listed)
    edited = api.request("PUT", base, [{"meeting_number": 2, "title": "T2", "body": "a\nb"}])
    assert edited.status_code == 200
    assert edited.json()[1] == {
        "meeting_number": 2,
        "title": "T2",
        "prompts": ["a", "b"],
        "body": "a\nb",
        "is_default": False,
        "original_title": "T2",
        "original_body": "a\nb",
        "translations": {},
    }
    bad = api.request("PUT", base, [{"meeting_number": 2, "title": "", "body": "b"}])
    assert bad.status_code == 400
    assert bad.json()["problems"][0]["field"] == "title_2"
    reset = api.post(f"{base}/reset", {"meeting_number": None})
    assert all(g["is_default"] for g in reset.json())
    member_view = api_for(pair.users[0]).get(base)
    assert member_view.status_code == 200
