"""The surveys API: responses validated against the OpenAPI schema, errors named."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from alongside.surveys.models import Pulse, Survey
from alongside.surveys.services import response_submit, survey_open, surveys_ensure
from tests.surveys.conftest import Cohort, answers_for
from tests.test_api_contract import response_schema, validate


@pytest.fixture
def openapi(client: Any, db: None) -> dict[str, Any]:
    return client.get("/api/v1/openapi.json").json()


@pytest.fixture
def conforms(openapi: dict[str, Any]) -> Any:
    def check(response: Any, method: str, path: str) -> Any:
        body = response.json()
        validate(body, response_schema(openapi, method, path, response.status_code), openapi)
        return body

    return check


PROGRAMME = "/api/v1/organisations/{org_slug}/programmes/{programme_id}"


def url(cohort: Cohort, template: str, **ids: int) -> str:
    path = template.replace("{org_slug}", "acme").replace(
        "{programme_id}", str(cohort.programme.pk)
    )
    for key, value in ids.items():
        path = path.replace("{" + key + "}", str(value))
    return path


def test_manager_sets_up_and_opens_a_survey(
    cohort: Cohort, cast: dict[str, Any], api_for: Any, conforms: Any
) -> None:
    api = api_for(cast["manager"])
    listed = conforms(api.get(url(cohort, f"{PROGRAMME}/surveys")), "GET", f"{PROGRAMME}/surveys")[
        "items"
    ]
    assert [s["kind"] for s in listed] == ["start", "end"]
    start_id = listed[0]["id"]
    path = f"{PROGRAMME}/surveys/{{survey_id}}/questions"
    added = api.post(url(cohort, path, survey_id=start_id), {"kind": "rating", "text": "Ready?"})
    assert added.status_code == 201
    assert conforms(added, "POST", path)["source"] == "manager"
    bad = api.post(url(cohort, path, survey_id=start_id), {"kind": "choice", "text": ""})
    assert bad.status_code == 400
    assert {p["field"] for p in bad.json()["problems"]} == {"text", "choices"}
    opened = api.post(url(cohort, f"{PROGRAMME}/surveys/{{survey_id}}/open", survey_id=start_id))
    body = conforms(opened, "POST", f"{PROGRAMME}/surveys/{{survey_id}}/open")
    assert body["status"] == "open"
    assert len(body["questions"]) == 3 + 1 + 1  # areas, the standard reflection, the added one


def test_participant_answers_through_the_api(
    cohort: Cohort, cast: dict[str, Any], api_for: Any, conforms: Any
) -> None:
    start = surveys_ensure(programme=cohort.programme)[0]
    survey_open(survey=start, actor=cast["manager"])
    api = api_for(cast["member"])
    path = f"{PROGRAMME}/surveys/{{survey_id}}/my-response"
    assert api.get(url(cohort, path, survey_id=start.pk)).status_code == 404
    questions = list(start.questions.filter(kind="capability"))
    bad = api.request(
        "PUT",
        url(cohort, path, survey_id=start.pk),
        {"answers": [{"question_id": questions[0].pk, "rating": 7}]},
    )
    assert bad.status_code == 400
    fields = {p["field"] for p in bad.json()["problems"]}
    assert fields == {f"answers.{q.pk}" for q in questions}  # one out of range, two missing
    good = api.request(
        "PUT",
        url(cohort, path, survey_id=start.pk),
        {"answers": [{"question_id": q.pk, "rating": 3} for q in questions]},
    )
    assert good.status_code == 200
    assert [a["rating"] for a in conforms(good, "PUT", path)["answers"]] == [3, 3, 3]
    mine = api.get("/api/v1/organisations/acme/surveys/mine")
    assert mine.json()["items"][0]["answered_at"] is not None


def fill_both(cohort: Cohort, cast: dict[str, Any], count: int) -> None:
    start, end = surveys_ensure(programme=cohort.programme)
    survey_open(survey=start, actor=cast["manager"])
    survey_open(survey=end, actor=cast["manager"])
    for enrolment in cohort.everyone[:count]:
        response_submit(
            survey=start, enrolment=enrolment, answers=answers_for(start, 2), actor=cast["member"]
        )
        response_submit(
            survey=end, enrolment=enrolment, answers=answers_for(end, 4), actor=cast["member"]
        )


def test_outcomes_json_conforms_and_its_query_count_does_not_grow(
    cohort: Cohort, cast: dict[str, Any], api_for: Any, conforms: Any
) -> None:
    api = api_for(cast["manager"])
    fill_both(cohort, cast, 2)
    api.get(url(cohort, f"{PROGRAMME}/outcomes"))  # the token's first use is recorded once
    with CaptureQueriesContext(connection) as small:
        api.get(url(cohort, f"{PROGRAMME}/outcomes"))
    Survey.objects.all().delete()
    fill_both(cohort, cast, 12)
    with CaptureQueriesContext(connection) as large:
        response = api.get(url(cohort, f"{PROGRAMME}/outcomes"))
    assert len(small.captured_queries) == len(large.captured_queries)
    body = conforms(response, "GET", f"{PROGRAMME}/outcomes")
    assert body["areas"][0]["mean_change"] == 2.0
    assert body["areas"][0]["share_improved"] == 1.0
    locations = {row["group"]: row["areas"][0] for row in body["breakdowns"]["location"]}
    assert not locations["Pune"]["suppressed"]  # 6 people in Pune, 5 in Bengaluru, 1 unknown
    assert locations["Not recorded"]["suppressed"]


def test_outcomes_are_for_managers_only(cohort: Cohort, cast: dict[str, Any], api_for: Any) -> None:
    response = api_for(cast["member"]).get(url(cohort, f"{PROGRAMME}/outcomes"))
    assert response.status_code == 403
    mine = api_for(cast["member"]).get(url(cohort, f"{PROGRAMME}/outcomes/mine"))
    assert mine.status_code == 200
    assert [row["area"] for row in mine.json()["items"]] == cohort.programme.capability_areas


def test_csv_export_through_the_api(cohort: Cohort, cast: dict[str, Any], api_for: Any) -> None:
    fill_both(cohort, cast, 1)
    path = url(cohort, f"{PROGRAMME}/survey-data")
    response = api_for(cast["manager"]).get(path)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert cohort.me.person.email not in response.content.decode()
    assert api_for(cast["manager"]).get(path + "?identified=true").status_code == 403
    named = api_for(cast["admin"]).get(path + "?identified=true")
    assert cohort.me.person.email in named.content.decode()


def test_pulse_through_the_api(
    cohort: Cohort, cast: dict[str, Any], api_for: Any, conforms: Any
) -> None:
    relationship = cohort.relationships[0]
    path = "/api/v1/organisations/{org_slug}/relationships/{relationship_id}/pulses"
    target = path.replace("{org_slug}", "acme").replace("{relationship_id}", str(relationship.pk))
    api = api_for(cast["member"])
    with time_machine.travel(datetime(2030, 4, 5, tzinfo=UTC)):
        response = api.post(target, {"kind": "midpoint", "rating": 2, "blocking": "Deadlines"})
        assert conforms(response, "POST", path)["rating"] == 2
        wrong = api.post(target, {"kind": "weekly", "rating": 2})
    assert wrong.status_code == 400
    assert wrong.json()["problems"][0]["field"] == "kind"
    assert Pulse.objects.get().blocking == "Deadlines"
    other = cohort.relationships[1]
    elsewhere = path.replace("{org_slug}", "acme").replace("{relationship_id}", str(other.pk))
    assert api.post(elsewhere, {"kind": "midpoint", "rating": 2}).status_code == 404


def test_closing_through_the_api(
    cohort: Cohort, cast: dict[str, Any], api_for: Any, conforms: Any
) -> None:
    api = api_for(cast["manager"])
    session = api.request(
        "PUT",
        url(cohort, f"{PROGRAMME}/closing/session"),
        {"session_at": "2099-06-28T15:30:00", "timezone": "Mars/Olympus"},
    )
    assert session.status_code == 400
    assert session.json()["problems"][0]["field"] == "timezone"
    sent = api.post(url(cohort, f"{PROGRAMME}/closing/survey"))
    assert conforms(sent, "POST", f"{PROGRAMME}/closing/survey")["kind"] == "end"
    closed = api.post(url(cohort, f"{PROGRAMME}/closing/close"))
    body = conforms(closed, "POST", f"{PROGRAMME}/closing/close")
    assert body["programme_stage"] == "closed"
    assert body["closed_at"] is not None
    again = api.post(url(cohort, f"{PROGRAMME}/closing/close"))
    assert again.status_code == 400
    assert again.json()["code"] == "invalid_stage"
