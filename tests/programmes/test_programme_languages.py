"""Capability areas and topics in several languages: translated labels, stable values."""

from __future__ import annotations

from typing import Any

from django.core import mail
from django.urls import reverse
from django.utils import translation

from alongside.core.errors import AlongsideError
from alongside.programmes.models import Programme
from alongside.programmes.services import enrolment_add, programme_create, programme_update
from tests.programmes.conftest import person_of

HINDI_AREAS = ["टीम का नेतृत्व", "फ़ीडबैक देना", "काम सौंपना", "मतभेद सँभालना", "आत्मविश्वास"]


def test_a_new_programme_carries_its_templates_lists_in_every_shipped_language(
    circles: Programme,
) -> None:
    assert circles.capability_areas[0] == "Leading a team"
    assert set(circles.translations) == {"hi", "es"}
    assert circles.translations["hi"]["capability_areas"][1] == "फ़ीडबैक देना"
    assert len(circles.translations["es"]["topics"]) == len(circles.topics)
    with translation.override("es"):
        assert circles.localised("capability_areas", "en-gb")[1] != "Giving feedback"


def test_a_programme_in_a_hindi_organisation_keeps_hindi_as_the_original(
    org_a: Any, manager: Any
) -> None:
    org_a.language = "hi"
    org_a.save()
    programme = programme_create(
        organisation=org_a, actor=manager, name="Naye manager", format="peer_circles"
    )
    assert programme.capability_areas[1] == "फ़ीडबैक देना"
    assert programme.translations["en-gb"]["capability_areas"][1] == "Giving feedback"
    assert "hi" not in programme.translations


def test_changed_lists_are_not_given_the_templates_translations(org_a: Any, manager: Any) -> None:
    programme = programme_create(
        organisation=org_a,
        actor=manager,
        name="Custom",
        format="peer_circles",
        capability_areas=["Listening", "Deciding", "Writing"],
    )
    assert all("capability_areas" not in written for written in programme.translations.values())
    assert "topics" in programme.translations["hi"]


def test_a_translation_follows_its_area_when_the_list_changes(
    circles: Programme, manager: Any
) -> None:
    areas = circles.capability_areas
    programme_update(
        programme=circles, actor=manager, capability_areas=[areas[4], areas[0], "Listening"]
    )
    circles.refresh_from_db()
    assert circles.translations["hi"]["capability_areas"] == ["आत्मविश्वास", "टीम का नेतृत्व", ""]
    with translation.override("hi"):
        assert circles.localised("capability_areas", "en-gb")[2] == "Listening"


def test_a_list_of_another_length_is_refused_naming_language_and_field(
    circles: Programme, manager: Any
) -> None:
    before = dict(circles.translations)
    try:
        programme_update(
            programme=circles, actor=manager, translations={"hi": {"topics": ["एक", "दो"]}}
        )
    except AlongsideError as error:
        problem = error.problems[0]
    else:
        raise AssertionError("the write should have been refused")
    assert problem.field == "translations.hi.topics"
    assert "हिन्दी" in problem.message
    circles.refresh_from_db()
    assert circles.translations == before


def test_the_intake_shows_topics_in_the_readers_language_and_stores_the_original(
    circles: Programme, manager: Any, member: Any, client_for: Any
) -> None:
    enrolment_add(programme=circles, actor=manager, people=[person_of(member)])
    member.language = "hi"
    member.save()
    client = client_for(member)
    url = reverse("programmes:intake", args=["acme", circles.pk])
    page = client.get(url).content.decode()
    delegation = circles.topics.index("Delegation")
    hindi = circles.translations["hi"]["topics"][delegation]
    assert hindi in page
    assert 'value="Delegation"' in page


def test_the_api_reads_labels_and_writes_translations(
    circles: Programme, manager: Any, api_for: Any
) -> None:
    api = api_for(manager)
    url = f"/api/v1/organisations/acme/programmes/{circles.pk}"
    changed = api.patch(url, {"translations": {"hi": {"capability_areas": HINDI_AREAS}}})
    assert changed.status_code == 200
    assert changed.json()["translations"]["hi"]["capability_areas"] == HINDI_AREAS
    assert changed.json()["capability_areas"][0] == "Leading a team"
    manager.language = "hi"
    manager.save()
    read = api.get(url).json()
    assert read["capability_area_labels"] == HINDI_AREAS
    assert read["capability_areas"][0] == "Leading a team"
    unknown = api.patch(url, {"translations": {"hi": {"purpose": "उद्देश्य"}, "xx": {}}})
    assert unknown.status_code == 400
    assert {p["field"] for p in unknown.json()["problems"]} == {
        "translations.hi.purpose",
        "translations.xx",
    }


def test_the_languages_page_writes_one_language_and_names_a_wrong_count(
    circles: Programme, manager: Any, client_for: Any
) -> None:
    client = client_for(manager)
    url = reverse("programmes:languages", args=["acme", circles.pk])
    page = client.get(url, {"language": "es"}).content.decode()
    assert "Write in:" in page
    short = client.post(
        url, {"language": "hi", "capability_areas": "एक\nदो", "topics": ""}
    ).content.decode()
    assert "You wrote 2 lines in हिन्दी but there are 5 originals" in short
    saved = client.post(
        url, {"language": "hi", "capability_areas": "\n".join(HINDI_AREAS), "topics": ""}
    )
    assert saved.status_code == 302
    circles.refresh_from_db()
    assert circles.translations["hi"] == {"capability_areas": HINDI_AREAS}
    assert circles.capability_areas[0] == "Leading a team"


def test_the_welcome_email_names_the_areas_in_the_recipients_language(
    circles: Programme,
    manager: Any,
    member: Any,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    programme_update(
        programme=circles, actor=manager, translations={"hi": {"capability_areas": HINDI_AREAS}}
    )
    member.language = "hi"
    member.save()
    with django_capture_on_commit_callbacks(execute=True):
        enrolment_add(programme=circles, actor=manager, people=[person_of(member)])
    (welcome,) = mail.outbox
    assert "टीम का नेतृत्व, फ़ीडबैक देना" in welcome.body
    assert "Leading a team" not in welcome.body


def test_originals_stay_in_the_language_they_were_written_in_when_the_organisation_changes(
    circles: Programme, manager: Any, client_for: Any, api_for: Any
) -> None:
    """An English organisation writes its programme, then makes Hindi its default: the
    originals are still English, and Hindi is a language to write in."""
    from alongside.meetings.selectors import guides_for
    from alongside.meetings.services import session_guides_translate

    assert circles.content_language == "en-gb"
    api = api_for(manager)
    api_url = f"/api/v1/organisations/acme/programmes/{circles.pk}"
    assert api.get(api_url).json()["content_language"] == "en-gb"
    circles.organisation.language = "hi"
    circles.organisation.save()
    circles.refresh_from_db()
    manager.language = "en-gb"  # the manager chose English for themself
    manager.save()
    client = client_for(manager)
    url = reverse("programmes:languages", args=["acme", circles.pk])
    page = client.get(url).content.decode()
    assert "The originals are in English" in page
    assert 'lang="hi">हिन्दी</strong>' in page  # the first language offered to write in
    assert 'href="?language=es"' in page
    saved = client.post(
        url, {"language": "hi", "capability_areas": "\n".join(HINDI_AREAS), "topics": ""}
    )
    assert saved.status_code == 302
    circles.refresh_from_db()
    assert circles.translations["hi"]["capability_areas"] == HINDI_AREAS
    assert circles.capability_areas[0] == "Leading a team"
    assert api.get(api_url).json()["content_language"] == "en-gb"  # still
    # The session guides likewise: Hindi is written beside the English originals.
    first = guides_for(programme=circles)[0]
    session_guides_translate(
        programme=circles,
        actor=manager,
        language="hi",
        guides={first.number: ("परिचय", "एक-दूसरे को जानिए")},
    )
    first = guides_for(programme=circles)[0]
    assert first.original_title != "परिचय"
    assert first.written_in("hi") == {"title": "परिचय", "body": "एक-दूसरे को जानिए"}
    guides_page = client.get(
        reverse("meetings:guides", args=["acme", circles.pk]), {"language": "en-gb"}
    ).content.decode()
    assert "English is the language these were first written in" in guides_page
