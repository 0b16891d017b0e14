"""Survey questions in several languages: the standard ones ship in every language, managers
translate their own, and each participant reads their own language."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from alongside.core.errors import AlongsideError
from alongside.programmes.services import programme_update
from alongside.surveys.models import Answer, Question, Survey
from alongside.surveys.services import (
    question_add,
    question_update,
    response_submit,
    survey_open,
    surveys_ensure,
)
from tests.surveys.conftest import AREAS, Cohort

HINDI_AREAS = ["फ़ीडबैक देना", "काम सौंपना", "कठिन बातचीत"]


def _end(cohort: Cohort) -> Survey:
    return next(s for s in surveys_ensure(programme=cohort.programme) if s.kind == "end")


def test_the_standard_questions_carry_every_shipped_language(cohort: Cohort) -> None:
    choice = _end(cohort).questions.get(kind=Question.Kind.CHOICE)
    assert choice.text == "Did the format (regular meetings, guides, commitments) help you?"
    assert choice.choices == ["Yes, a lot", "Somewhat", "Not really"]
    assert set(choice.translations) == {"hi", "es"}
    assert len(choice.translations["es"]["choices"]) == 3
    assert choice.translations["es"]["choices"][0] != "Yes, a lot"


def test_a_capability_question_names_the_area_in_each_language(
    cohort: Cohort, cast: dict[str, Any]
) -> None:
    programme_update(
        programme=cohort.programme,
        actor=cast["manager"],
        translations={"hi": {"capability_areas": HINDI_AREAS}},
    )
    start = surveys_ensure(programme=cohort.programme)[0]
    question = start.questions.get(capability_area="Delegation")
    assert question.text == "How confident are you today in: Delegation?"
    assert "काम सौंपना" in question.translations["hi"]["text"]
    with translation.override("es"):
        assert "Delegation" in question.localised("text", "en-gb")


def test_a_manager_translates_a_question_and_a_wrong_count_of_options_is_named(
    cohort: Cohort, cast: dict[str, Any]
) -> None:
    survey = surveys_ensure(programme=cohort.programme)[0]
    question = question_add(
        survey=survey,
        actor=cast["manager"],
        kind="choice",
        text="Which day suits you?",
        choices=["Monday", "Friday"],
        translations={"es": {"text": "¿Qué día te va mejor?", "choices": ["Lunes", "Viernes"]}},
    )
    assert question.translations["es"]["choices"] == ["Lunes", "Viernes"]
    try:
        question_update(
            question=question, actor=cast["manager"], translations={"hi": {"choices": ["सोमवार"]}}
        )
    except AlongsideError as error:
        problems = error.problems
    else:
        raise AssertionError("the write should have been refused")
    assert [p.field for p in problems] == ["translations.hi.choices"]
    question.refresh_from_db()
    assert "hi" not in question.translations
    question_update(question=question, actor=cast["manager"], choices=["Friday", "Tuesday"])
    question.refresh_from_db()
    assert question.translations["es"]["choices"] == ["Viernes", ""]


def test_a_participant_reads_the_survey_in_their_language_and_answers_the_original(
    cohort: Cohort, cast: dict[str, Any], client_for: Any
) -> None:
    programme_update(
        programme=cohort.programme,
        actor=cast["manager"],
        translations={"hi": {"capability_areas": HINDI_AREAS}},
    )
    cohort.programme.stage = "closing"
    cohort.programme.save()
    end = _end(cohort)
    survey_open(survey=end, actor=cast["manager"])
    reader = cast["member"]
    reader.language = "hi"
    reader.save()
    url = reverse("surveys:fill", args=["acme", end.pk])
    page = client_for(reader).get(url).content.decode()
    choice = end.questions.get(kind=Question.Kind.CHOICE)
    assert choice.translations["hi"]["text"] in page
    assert choice.translations["hi"]["choices"][1] in page
    assert 'value="Somewhat"' in page
    assert "काम सौंपना" in page
    answers = {q.pk: 4 for q in end.questions.all() if q.is_scale}
    answers[choice.pk] = "Somewhat"
    response_submit(survey=end, enrolment=cohort.me, answers=answers, actor=reader)
    assert Answer.objects.get(question=choice).text == "Somewhat"


def test_the_api_reads_the_readers_language_and_refuses_an_unknown_field(
    cohort: Cohort, cast: dict[str, Any], api_for: Any
) -> None:
    start = surveys_ensure(programme=cohort.programme)[0]
    manager = cast["manager"]
    manager.language = "es"
    manager.save()
    api = api_for(manager)
    base = f"/api/v1/organisations/acme/programmes/{cohort.programme.pk}/surveys/{start.pk}"
    added = api.post(
        f"{base}/questions",
        {
            "kind": "text",
            "text": "Anything else?",
            "translations": {"es": {"text": "¿Algo más?"}},
        },
    )
    assert added.status_code == 201
    assert added.json()["text"] == "¿Algo más?"
    assert added.json()["original_text"] == "Anything else?"
    question_id = added.json()["id"]
    refused = api.patch(
        f"{base}/questions/{question_id}", {"translations": {"es": {"choices": ["a"]}}}
    )
    assert refused.status_code == 400
    assert refused.json()["problems"][0]["field"] == "translations.es.choices"
    assert "'choices'" in refused.json()["problems"][0]["message"]
    standard = next(
        q for q in api.get(base).json()["questions"] if q["capability_area"] == AREAS[0]
    )
    assert standard["capability_area_label"] == AREAS[0]
    assert standard["text"] != standard["original_text"]  # the catalogue's Spanish


def test_the_question_editor_writes_one_language(
    cohort: Cohort, cast: dict[str, Any], client_for: Any
) -> None:
    start = surveys_ensure(programme=cohort.programme)[0]
    question = start.questions.get(kind=Question.Kind.TEXT)
    client = client_for(cast["manager"])
    url = reverse(
        "surveys:question_edit", args=["acme", cohort.programme.pk, start.pk, question.pk]
    )
    page = client.get(url, {"language": "hi"}).content.decode()
    assert "Write in:" in page
    saved = client.post(url, {"language": "hi", "text": "आप इस कार्यक्रम से क्या चाहते हैं?"})
    assert saved.status_code == 302
    question.refresh_from_db()
    assert question.translations["hi"]["text"] == "आप इस कार्यक्रम से क्या चाहते हैं?"
    assert question.text == "What do you most want to get out of this programme?"


def test_the_survey_list_reads_translations_without_more_queries(
    cohort: Cohort, cast: dict[str, Any], api_for: Any, django_assert_num_queries: Any
) -> None:
    surveys_ensure(programme=cohort.programme)
    manager = cast["manager"]
    manager.language = "hi"
    manager.save()
    api = api_for(manager)
    url = f"/api/v1/organisations/acme/programmes/{cohort.programme.pk}/surveys"
    api.get(url)
    with CaptureQueriesContext(connection) as few:
        api.get(url)
    start = Survey.objects.get(programme=cohort.programme, kind="start")
    for n in range(5):
        question_add(
            survey=start,
            actor=manager,
            kind="choice",
            text=f"Question {n}",
            choices=["One", "Two"],
            translations={"hi": {"text": f"सवाल {n}", "choices": ["एक", "दो"]}},
        )
    with django_assert_num_queries(len(few.captured_queries)):
        listed = api.get(url).json()
    added = [
        q for s in listed["items"] for q in s["questions"] if q["original_text"] == "Question 4"
    ]
    assert added[0]["text"] == "सवाल 4"
    assert added[0]["choice_labels"] == ["एक", "दो"]


def test_the_outcomes_page_names_the_areas_in_the_readers_language(
    cohort: Cohort, cast: dict[str, Any], client_for: Any
) -> None:
    manager = cast["manager"]
    programme_update(
        programme=cohort.programme,
        actor=manager,
        translations={"hi": {"capability_areas": HINDI_AREAS}},
    )
    manager.language = "hi"
    manager.save()
    page = client_for(manager).get(reverse("surveys:outcomes", args=["acme", cohort.programme.pk]))
    body = page.content.decode()
    assert page.status_code == 200
    assert "कठिन बातचीत" in body
    assert "Difficult conversations" not in body
