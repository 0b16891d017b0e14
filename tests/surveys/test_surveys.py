"""Surveys: default questions, manager questions, opening, answering, the daily job."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from alongside.core.errors import AlongsideError
from alongside.surveys.jobs import open_due
from alongside.surveys.models import Question, Response, Survey
from alongside.surveys.services import (
    question_add,
    question_remove,
    response_submit,
    survey_open,
    surveys_ensure,
)
from tests.links import link_targets
from tests.nudges.helpers import send_nudges
from tests.surveys.conftest import AREAS, Cohort, answers_for


def test_surveys_start_with_one_capability_question_per_area(cohort: Cohort) -> None:
    start, end = surveys_ensure(programme=cohort.programme)
    assert [q.capability_area for q in start.questions.filter(kind="capability")] == AREAS
    assert end.questions.filter(kind="choice").get().text.startswith("Did the format")
    assert end.questions.filter(kind="text", text__contains="What changed").exists()
    assert surveys_ensure(programme=cohort.programme)[0].pk == start.pk  # idempotent
    assert Survey.objects.filter(programme=cohort.programme).count() == 2


def test_draft_surveys_follow_the_programmes_capability_areas(cohort: Cohort) -> None:
    surveys_ensure(programme=cohort.programme)
    cohort.programme.capability_areas = ["Delegation", "Coaching", "Planning"]
    cohort.programme.save()
    start = surveys_ensure(programme=cohort.programme)[0]
    areas = list(
        start.questions.filter(kind="capability").values_list("capability_area", flat=True)
    )
    assert areas == ["Delegation", "Coaching", "Planning"]


def test_managers_add_questions_only_before_opening(cohort: Cohort, cast: dict[str, Any]) -> None:
    start = surveys_ensure(programme=cohort.programme)[0]
    added = question_add(
        survey=start,
        actor=cast["manager"],
        kind="choice",
        text="How did you hear about it?",
        choices=["Email", "My manager"],
    )
    assert added.source == "manager"
    assert added.position == start.questions.count()
    with pytest.raises(AlongsideError, match="2 to 8"):
        question_add(survey=start, actor=cast["manager"], kind="choice", text="X?", choices=["One"])
    with pytest.raises(AlongsideError, match="capability areas"):
        question_remove(
            question=start.questions.filter(kind="capability")[0],
            actor=cast["manager"],
        )
    survey_open(survey=start, actor=cast["manager"])
    with pytest.raises(AlongsideError, match="before it opens"):
        question_add(survey=start, actor=cast["manager"], kind="text", text="Late?")


def survey_mail(kind: str = "") -> list[Any]:
    return [m for m in mail.outbox if "survey" in m.subject and kind in m.subject]


def test_opening_emails_every_participant_once_through_the_nudges(
    cohort: Cohort, cast: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    start = surveys_ensure(programme=cohort.programme)[0]
    survey_open(survey=start, actor=cast["manager"])
    survey_open(survey=start, actor=cast["manager"])
    with django_capture_on_commit_callbacks(execute=True):
        send_nudges()
        send_nudges()
    assert len(survey_mail("start survey")) == 12
    # The link signs its reader in (no password needed) and opens the survey.
    fill = reverse("surveys:fill", args=["acme", start.pk])
    assert link_targets(survey_mail()[0].body)[0] == fill
    assert {m.to[0] for m in survey_mail()} == {e.person.email for e in cohort.everyone}


def test_the_end_survey_cannot_open_before_the_programme_runs(
    cohort: Cohort, cast: dict[str, Any]
) -> None:
    cohort.programme.stage = "matching"
    cohort.programme.save()
    end = surveys_ensure(programme=cohort.programme)[1]
    with pytest.raises(AlongsideError, match="while the programme is matching"):
        survey_open(survey=end, actor=cast["manager"])


def test_answers_are_checked_and_every_problem_named(cohort: Cohort, cast: dict[str, Any]) -> None:
    end = surveys_ensure(programme=cohort.programme)[1]
    survey_open(survey=end, actor=cast["manager"])
    capability = list(end.questions.filter(kind="capability"))
    choice = end.questions.get(kind="choice")
    answers = answers_for(end, 4)
    answers[capability[0].pk] = 6
    answers[capability[1].pk] = ""
    answers[choice.pk] = "Maybe"
    answers[999999] = 3
    with pytest.raises(AlongsideError) as caught:
        response_submit(survey=end, enrolment=cohort.me, answers=answers, actor=cast["member"])
    fields = {p.field for p in caught.value.problems}
    assert fields == {
        f"answers.{capability[0].pk}",
        f"answers.{capability[1].pk}",
        f"answers.{choice.pk}",
        "answers.999999",
    }
    assert "1 to 5" in caught.value.message
    assert not Response.objects.exists()


def test_answering_again_replaces_the_answers(cohort: Cohort, cast: dict[str, Any]) -> None:
    start = surveys_ensure(programme=cohort.programme)[0]
    survey_open(survey=start, actor=cast["manager"])
    response_submit(
        survey=start, enrolment=cohort.me, answers=answers_for(start, 2), actor=cast["member"]
    )
    response_submit(
        survey=start, enrolment=cohort.me, answers=answers_for(start, 3), actor=cast["member"]
    )
    response = Response.objects.get()
    assert sorted(a.rating for a in response.answers.all() if a.rating) == [3, 3, 3]


def test_a_participant_fills_the_survey_on_its_page(
    cohort: Cohort, cast: dict[str, Any], client_for: Any
) -> None:
    start = surveys_ensure(programme=cohort.programme)[0]
    survey_open(survey=start, actor=cast["manager"])
    client = client_for(cast["member"])
    url = reverse("surveys:fill", args=["acme", start.pk])
    page = client.get(url).content.decode()
    assert 'type="radio"' in page
    assert "Giving feedback" in page
    questions = list(start.questions.all())
    bad = client.post(url, {f"q{questions[0].pk}": "9"})
    assert bad.status_code == 200
    assert "takes a whole number from 1 to 5" in bad.content.decode()
    good = client.post(url, {f"q{q.pk}": "4" for q in questions if q.is_scale})
    assert good.status_code == 302
    assert Response.objects.get().enrolment == cohort.me


def test_managers_preview_the_survey_but_others_outside_it_cannot_open_it(
    cohort: Cohort, cast: dict[str, Any], client_for: Any
) -> None:
    from alongside.organisations.models import Role
    from tests.conftest import _member

    start = surveys_ensure(programme=cohort.programme)[0]
    url = reverse("surveys:fill", args=["acme", start.pk])
    # The manager manages the programme but does not take part: a preview, no answering.
    preview = client_for(cast["manager"]).get(url).content.decode()
    assert "Preview" in preview
    assert "Send my answers" not in preview
    client_for(cast["manager"]).post(url, {f"q{q.pk}": "3" for q in start.questions.all()})
    assert not Response.objects.exists()
    bystander = _member(cohort.programme.organisation, "b@acme.test", "Bystander", Role.MEMBER)
    assert client_for(bystander).get(url).status_code == 404


def test_a_draft_survey_is_not_shown_to_participants(
    cohort: Cohort, cast: dict[str, Any], client_for: Any
) -> None:
    start = surveys_ensure(programme=cohort.programme)[0]
    response = client_for(cast["member"]).get(reverse("surveys:fill", args=["acme", start.pk]))
    assert response.status_code == 404


# --- The daily job ---------------------------------------------------------------------


def run_job(when: datetime, capture: Any) -> None:
    with time_machine.travel(when, tick=False), capture(execute=True):
        open_due(when)
        send_nudges(now=when)


def test_job_opens_start_midpoint_and_end_on_time_and_reminds_once(
    cohort: Cohort, django_capture_on_commit_callbacks: Any
) -> None:
    capture = django_capture_on_commit_callbacks
    run_job(datetime(2029, 12, 31, 12, tzinfo=UTC), capture)
    assert Survey.objects.get(kind="start").status == "draft"  # not started yet
    run_job(datetime(2030, 1, 1, 6, tzinfo=UTC), capture)  # 11:30 in Kolkata, after 09:00
    assert Survey.objects.get(kind="start").status == "open"
    assert len(survey_mail("start survey")) == 12
    # Two days later nothing new; after four days one reminder to those who did not answer.
    start = Survey.objects.get(kind="start")
    response_submit(
        survey=start,
        enrolment=cohort.me,
        answers=answers_for(start, 3),
        actor=cohort.me.person.user,  # type: ignore[arg-type]
    )
    run_job(datetime(2030, 1, 3, 6, tzinfo=UTC), capture)
    assert len(survey_mail()) == 12
    run_job(datetime(2030, 1, 6, 6, tzinfo=UTC), capture)
    run_job(datetime(2030, 1, 7, 6, tzinfo=UTC), capture)
    reminders = [m for m in mail.outbox if m.subject.startswith("Reminder")]
    assert len(reminders) == 11
    assert cohort.me.person.email not in {m.to[0] for m in reminders}
    # The midpoint (1 April) asks everyone in a relationship once.
    run_job(datetime(2030, 4, 1, 6, tzinfo=UTC), capture)
    run_job(datetime(2030, 4, 2, 6, tzinfo=UTC), capture)
    assert sum("halfway" in m.subject for m in mail.outbox) == 12
    # The start survey closed after three weeks; the end survey opens two weeks before the end.
    assert Survey.objects.get(kind="start").status == "closed"
    run_job(datetime(2030, 6, 16, 6, tzinfo=UTC), capture)
    assert Survey.objects.get(kind="end").status == "draft"
    run_job(datetime(2030, 6, 17, 6, tzinfo=UTC), capture)
    assert Survey.objects.get(kind="end").status == "open"


def test_job_leaves_programmes_that_are_not_running_alone(
    cohort: Cohort, django_capture_on_commit_callbacks: Any
) -> None:
    cohort.programme.stage = "matching"
    cohort.programme.save()
    run_job(
        datetime(2030, 1, 2, 6, tzinfo=UTC) + timedelta(days=1), django_capture_on_commit_callbacks
    )
    assert not Survey.objects.filter(status="open").exists()
    assert survey_mail() == []


def test_manager_setup_page_adds_and_removes_a_question(
    cohort: Cohort, cast: dict[str, Any], client_for: Any
) -> None:
    client = client_for(cast["manager"])
    page = client.get(reverse("surveys:setup", args=["acme", cohort.programme.pk]))
    assert page.status_code == 200
    start = Survey.objects.get(programme=cohort.programme, kind="start")
    added = client.post(
        reverse("surveys:question_new", args=["acme", cohort.programme.pk, start.pk]),
        {"kind": "text", "text": "Who is your role model?"},
    )
    assert added.status_code == 302
    question = Question.objects.get(text="Who is your role model?")
    client.post(
        reverse(
            "surveys:question_remove", args=["acme", cohort.programme.pk, start.pk, question.pk]
        )
    )
    assert not Question.objects.filter(pk=question.pk).exists()


def test_job_skips_a_programme_without_capability_areas_and_opens_the_others(
    cohort: Cohort, django_capture_on_commit_callbacks: Any
) -> None:
    from alongside.programmes.models import Programme

    bare = Programme.objects.create(
        organisation=cohort.programme.organisation,
        name="No areas yet",
        format="peer_pairs",
        start_date=cohort.programme.start_date,
        end_date=cohort.programme.end_date,
        stage="running",
    )
    run_job(datetime(2030, 1, 2, 6, tzinfo=UTC), django_capture_on_commit_callbacks)
    assert not Survey.objects.filter(programme=bare).exists()
    assert Survey.objects.get(programme=cohort.programme, kind="start").status == "open"
