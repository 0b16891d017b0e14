"""Authored text in several languages: what a reader sees, and what a manager may write."""

from __future__ import annotations

import pytest

from alongside.core.authored import labels, localised, localised_list, realign
from alongside.core.errors import AlongsideError
from alongside.core.translations import clean_translations, merged_translations

WRITTEN = {
    "hi": {"title": "एक-दूसरे को जानना", "areas": ["फ़ीडबैक देना", ""]},
    "es": {"title": "Conocerse", "areas": ["Dar feedback", "Comunicación"]},
}


def test_a_reader_sees_their_own_language_first() -> None:
    assert localised(WRITTEN, "title", "Getting to know", "hi", "es") == "एक-दूसरे को जानना"


def test_a_missing_language_falls_back_to_the_organisations_default() -> None:
    assert localised(WRITTEN, "title", "Getting to know", "en-gb", "es") == "Conocerse"


def test_without_either_the_reader_sees_the_text_as_first_written() -> None:
    assert localised(WRITTEN, "title", "Getting to know", "en-gb", "en-gb") == "Getting to know"
    assert localised({}, "title", "Getting to know", "hi", "es") == "Getting to know"
    assert localised({"hi": {"title": "  "}}, "title", "Source", "hi", None) == "Source"


def test_a_list_falls_back_item_by_item() -> None:
    source = ["Giving feedback", "Communication"]
    assert localised_list(WRITTEN, "areas", source, "hi", "es") == ["फ़ीडबैक देना", "Comunicación"]
    assert localised_list(WRITTEN, "areas", source, "hi", None) == ["फ़ीडबैक देना", "Communication"]


def test_a_list_of_another_length_is_ignored_rather_than_misaligned() -> None:
    source = ["Giving feedback", "Communication", "Delegation"]
    assert localised_list(WRITTEN, "areas", source, "es", None) == source


def test_labels_keep_the_source_as_the_identifier() -> None:
    source = ["Giving feedback", "Communication"]
    assert labels(WRITTEN, "areas", source, "es") == {
        "Giving feedback": "Dar feedback",
        "Communication": "Comunicación",
    }


def test_realign_lets_each_translation_follow_its_source_item() -> None:
    moved = realign(
        WRITTEN, "areas", ["Giving feedback", "Communication"], ["Communication", "New"]
    )
    assert moved["es"]["areas"] == ["Comunicación", ""]
    assert "areas" not in moved["hi"]  # its only written item was removed
    assert moved["hi"]["title"] == "एक-दूसरे को जानना"


def test_clean_translations_names_an_unknown_language() -> None:
    _cleaned, problems = clean_translations(
        {"fr": {"title": "Bonjour"}}, text_fields={"title": 200}
    )
    assert [p.field for p in problems] == ["translations.fr"]
    assert "'fr'" in problems[0].message
    assert "hi" in problems[0].message


def test_clean_translations_names_an_unknown_field() -> None:
    _cleaned, problems = clean_translations({"hi": {"colour": "नीला"}}, text_fields={"title": 200})
    assert [p.field for p in problems] == ["translations.hi.colour"]
    assert "'colour'" in problems[0].message


def test_clean_translations_wants_a_list_as_long_as_its_source() -> None:
    _cleaned, problems = clean_translations(
        {"hi": {"areas": ["एक"]}}, text_fields={}, list_fields={"areas": ["One", "Two"]}
    )
    assert [p.field for p in problems] == ["translations.hi.areas"]
    assert "has 1 item in हिन्दी" in problems[0].message
    assert "original has 2" in problems[0].message
    assert "हिन्दी" in problems[0].message


def test_clean_translations_drops_empty_texts_and_keeps_the_rest() -> None:
    cleaned, problems = clean_translations(
        {"hi": {"title": " शीर्षक ", "body": ""}, "es": {"title": ""}},
        text_fields={"title": 200, "body": 5000},
    )
    assert problems == []
    assert cleaned == {"hi": {"title": "शीर्षक"}}


def test_merged_translations_replaces_only_the_languages_sent() -> None:
    merged = merged_translations(
        {"hi": {"title": "पुराना"}, "es": {"title": "Viejo"}},
        {"hi": {"title": "नया"}, "es": None},
        text_fields={"title": 200},
    )
    assert merged == {"hi": {"title": "नया"}}


def test_merged_translations_refuses_the_whole_write_on_any_fault() -> None:
    with pytest.raises(AlongsideError) as caught:
        merged_translations({}, {"hi": {"title": "x" * 201}, "xx": {}}, text_fields={"title": 200})
    assert {p.field for p in caught.value.problems} == {"translations.hi.title", "translations.xx"}
