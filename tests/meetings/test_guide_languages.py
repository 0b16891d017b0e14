"""Session guides written in several languages: each reader sees their own, else the
organisation's, else the text as first written."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import translation

from alongside.core.errors import AlongsideError
from alongside.meetings.models import SessionGuide
from alongside.meetings.selectors import guide_for_meeting, guides_for
from alongside.meetings.services import session_guides_save, session_guides_translate
from tests.meetings.conftest import Group

HINDI_TITLE = "हमारी नियमित बैठक"
HINDI_BODY = "पिछली बार के कामों पर बात करें।\nअगली बैठक से पहले एक काम तय करें।"


def _edited(pair: Group, manager: Any) -> SessionGuide:
    session_guides_save(
        programme=pair.programme,
        actor=manager,
        guides={4: ("Our usual meeting, our way", "Check in.\nCommit.")},
        translations={4: {"hi": {"title": HINDI_TITLE, "body": HINDI_BODY}}},
    )
    return SessionGuide.objects.get(programme=pair.programme, meeting_number=4)


def test_a_reader_sees_the_guide_in_their_language(pair: Group, manager: Any) -> None:
    _edited(pair, manager)
    with translation.override("hi"):
        guide = guide_for_meeting(programme=pair.programme, number=4)
    assert guide.title == HINDI_TITLE
    assert guide.prompts[0] == "पिछली बार के कामों पर बात करें।"


def test_a_missing_language_falls_back_to_the_organisations_then_the_original(
    pair: Group, manager: Any
) -> None:
    _edited(pair, manager)
    with translation.override("es"):
        assert guide_for_meeting(programme=pair.programme, number=4).title == (
            "Our usual meeting, our way"
        )
    organisation = pair.programme.organisation
    organisation.language = "hi"
    organisation.save()
    pair.programme.refresh_from_db()
    with translation.override("es"):
        assert guide_for_meeting(programme=pair.programme, number=4).title == HINDI_TITLE


def test_a_default_guide_translated_keeps_the_defaults_other_languages(
    pair: Group, manager: Any
) -> None:
    session_guides_translate(
        programme=pair.programme,
        actor=manager,
        language="es",
        guides={1: ("Conocernos, a nuestra manera", "Presentaos.\nAcordad el ritmo.")},
    )
    row = SessionGuide.objects.get(programme=pair.programme, meeting_number=1)
    assert row.title == "Getting to know each other"  # the original stays the default's
    assert row.translations["es"]["title"] == "Conocernos, a nuestra manera"
    assert row.translations["hi"]["title"] == "एक-दूसरे को जानना"  # from the catalogue
    with translation.override("hi"):
        assert guide_for_meeting(programme=pair.programme, number=1).title == "एक-दूसरे को जानना"


def test_writing_a_default_guide_unchanged_in_another_language_stores_nothing(
    pair: Group, manager: Any
) -> None:
    guides = {
        g.number: (g.written_in("hi")["title"], g.written_in("hi")["body"])
        for g in guides_for(programme=pair.programme)
    }
    changed = session_guides_translate(
        programme=pair.programme, actor=manager, language="hi", guides=guides
    )
    assert changed == []
    assert not SessionGuide.objects.exists()


def test_translations_name_the_unknown_language_and_field(pair: Group, manager: Any) -> None:
    try:
        session_guides_save(
            programme=pair.programme,
            actor=manager,
            guides={},
            translations={2: {"fr": {"title": "Bonjour"}, "hi": {"subtitle": "उप"}}},
        )
    except AlongsideError as error:
        fields = {p.field: p.message for p in error.problems}
    else:
        raise AssertionError("the write should have been refused")
    assert set(fields) == {"guide_2.translations.fr", "guide_2.translations.hi.subtitle"}
    assert "'fr'" in fields["guide_2.translations.fr"]
    assert "'subtitle'" in fields["guide_2.translations.hi.subtitle"]
    assert not SessionGuide.objects.exists()


def test_the_api_reads_in_the_readers_language_and_writes_translations(
    pair: Group, manager: Any, api_for: Any
) -> None:
    api = api_for(manager)
    base = f"/api/v1/organisations/acme/programmes/{pair.programme.pk}/session-guides"
    written = api.request(
        "PUT",
        base,
        [
            {
                "meeting_number": 3,
                "title": "Our goals",
                "body": "Look at the goals.",
                "translations": {"hi": {"title": "हमारे लक्ष्य", "body": "लक्ष्यों को देखें।"}},
            }
        ],
    )
    assert written.status_code == 200
    third = written.json()[2]
    assert third["original_title"] == "Our goals"
    assert third["translations"]["hi"] == {"title": "हमारे लक्ष्य", "body": "लक्ष्यों को देखें।"}
    manager.language = "hi"
    manager.save()
    listed = api.get(base).json()["items"]
    assert listed[2]["title"] == "हमारे लक्ष्य"
    assert listed[2]["prompts"] == ["लक्ष्यों को देखें।"]
    assert listed[2]["original_title"] == "Our goals"
    refused = api.request(
        "PUT",
        base,
        [{"meeting_number": 3, "title": "Our goals", "body": "x", "translations": {"de": {}}}],
    )
    assert refused.status_code == 400
    assert refused.json()["problems"][0]["field"] == "guide_3.translations.de"
    assert SessionGuide.objects.get(meeting_number=3).body == "Look at the goals."


def test_the_meeting_page_in_hindi_shows_the_hindi_guide(
    pair: Group, manager: Any, client_for: Any
) -> None:
    session_guides_save(
        programme=pair.programme,
        actor=manager,
        guides={1: ("First meeting, our way", "Say hello.")},
        translations={1: {"hi": {"title": "पहली बैठक, हमारे तरीके से", "body": "नमस्ते कहें।"}}},
    )
    reader = pair.users[0]
    reader.language = "hi"
    reader.save()
    page = client_for(reader).get(reverse("meetings:meeting", args=["acme", pair.meetings[0].pk]))
    body = page.content.decode()
    assert page.status_code == 200
    assert "पहली बैठक, हमारे तरीके से" in body
    assert "नमस्ते कहें।" in body
    assert "First meeting, our way" not in body


def test_the_editor_writes_one_language_at_a_time(
    pair: Group, manager: Any, client_for: Any
) -> None:
    client = client_for(manager)
    url = reverse("meetings:guides", args=["acme", pair.programme.pk])
    page = client.get(url, {"language": "es"}).content.decode()
    assert "Write in:" in page
    assert 'value="Conocerse"' in page  # the default, in Spanish, from the catalogue
    data: dict[str, str] = {"language": "es"}
    for guide in guides_for(programme=pair.programme):
        written = guide.written_in("es")
        data[f"title_{guide.number}"] = written["title"]
        data[f"body_{guide.number}"] = written["body"]
    data["title_2"] = "Un reto real para cada uno"
    saved = client.post(url, data)
    assert saved.status_code == 302
    assert saved["Location"].endswith("?language=es")
    row = SessionGuide.objects.get(programme=pair.programme, meeting_number=2)
    assert row.translations["es"]["title"] == "Un reto real para cada uno"
    assert row.title == "A real challenge each"
    again = client.get(url, {"language": "es"}).content.decode()
    assert "Written in: English, हिन्दी and Español." in again


def test_an_unwritten_language_starts_empty_and_saving_it_empty_writes_nothing(
    pair: Group, manager: Any, client_for: Any
) -> None:
    _edited(pair, manager)
    client = client_for(manager)
    url = reverse("meetings:guides", args=["acme", pair.programme.pk])
    page = client.get(url, {"language": "es"}).content.decode()
    assert 'placeholder="Our usual meeting, our way"' in page
    assert 'value="Our usual meeting, our way"' not in page
    data: dict[str, str] = {"language": "es"}
    for guide in guides_for(programme=pair.programme):
        written = guide.written_in("es")
        data[f"title_{guide.number}"] = written.get("title", "")
        data[f"body_{guide.number}"] = written.get("body", "")
    assert client.post(url, data).status_code == 302
    row = SessionGuide.objects.get(programme=pair.programme, meeting_number=4)
    assert set(row.translations) == {"hi"}
