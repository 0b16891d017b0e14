"""The demo's surveys: the running programmes' start surveys answered by most people, and a
closed programme whose frozen outcomes report shows change and withholds small groups."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from alongside.demo.programmes import CIRCLES_NAME, HIPO_NAME
from alongside.demo.surveys import PAIRS_NAME
from alongside.meetings.models import Meeting
from alongside.programmes.models import Programme, Stage
from alongside.relationships.models import Relationship
from alongside.surveys.models import Answer, Closing, Pulse, Question, Response, Survey
from alongside.surveys.selectors import outcomes_live, outcomes_report


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_the_demo_has_survey_answers_and_a_closed_programme_with_outcomes(db: None) -> None:
    # One test, as the demo takes a few seconds to build.
    call_command("demo", "--quiet")
    today = timezone.localdate()
    for name in (HIPO_NAME, CIRCLES_NAME):
        check_running_programme(Programme.objects.get(organisation__slug="kestrel", name=name))
    check_closed_programme(
        Programme.objects.get(organisation__slug="kestrel", name=PAIRS_NAME), today
    )

    responses, answers = Response.objects.count(), Answer.objects.count()
    call_command("demo", "--quiet")  # running it again adds nothing
    assert (Response.objects.count(), Answer.objects.count()) == (responses, answers)
    assert Programme.objects.filter(name=PAIRS_NAME).count() == 1


def check_running_programme(programme: Programme) -> None:
    start = Survey.objects.get(programme=programme, kind=Survey.Kind.START)
    assert start.status == Survey.Status.OPEN
    assert start.opened_at == datetime.combine(programme.start_date, time(9), tzinfo=UTC)
    assert start.closes_at is not None
    assert start.closes_at > timezone.now()
    end = Survey.objects.get(programme=programme, kind=Survey.Kind.END)
    assert end.status == Survey.Status.DRAFT
    assert not end.responses.exists()

    rate = outcomes_live(programme=programme)["responses"]["start"]
    assert 0.70 <= rate["rate"] <= 0.95, rate
    areas = set(programme.capability_areas)
    for response in start.responses.prefetch_related("answers__question"):
        rated = {
            a.question.capability_area: a.rating
            for a in response.answers.all()
            if a.question.kind == Question.Kind.CAPABILITY
        }
        assert set(rated) == areas
        assert all(1 <= r <= 5 for r in rated.values() if r is not None)
        assert start.opened_at <= response.submitted_at <= timezone.now()
    ratings = set(
        Answer.objects.filter(response__survey=start, rating__isnull=False).values_list(
            "rating", flat=True
        )
    )
    assert len(ratings) >= 3  # not everyone rates themselves the same
    texts = list(
        Answer.objects.filter(response__survey=start, question__kind=Question.Kind.TEXT)
        .exclude(text="")
        .values_list("text", flat=True)
    )
    # Many, not all, write something, and not all the same thing.
    assert 0 < len(texts) < start.responses.count()
    assert len(set(texts)) >= 5
    # The midpoint check-ins come from the history, one per member at most.
    members = Pulse.objects.filter(relationship__programme=programme, kind=Pulse.Kind.MIDPOINT)
    assert members.count() == members.values("member").distinct().count() > 0


def check_closed_programme(programme: Programme, today: Any) -> None:
    assert programme.stage == Stage.CLOSED
    assert (today - programme.end_date).days == 92
    relationships = Relationship.objects.filter(programme=programme)
    assert relationships.count() >= 15
    assert set(relationships.values_list("status", flat=True)) == {Relationship.Status.ENDED}
    closing = Closing.objects.get(programme=programme)
    assert closing.closed_at is not None
    assert closing.closed_at.date() == programme.end_date + timedelta(days=7)
    assert closing.closed_at < timezone.now()
    surveys = Survey.objects.filter(programme=programme)
    assert set(surveys.values_list("status", flat=True)) == {Survey.Status.CLOSED}

    report = outcomes_report(programme=programme)
    assert report["frozen"] is True
    assert report == closing.report
    for kind in ("start", "end"):
        assert 0.70 <= report["responses"][kind]["rate"] <= 0.95
    areas = report["areas"]
    assert {a["area"] for a in areas} == set(programme.capability_areas)
    assert any(not a["suppressed"] and a["mean_change"] > 0 for a in areas)
    # Mostly better, some the same, a few worse: a believable mix.
    assert all(0 <= a["mean_change"] <= 1.5 for a in areas if not a["suppressed"])
    assert any(a["share_declined"] for a in areas if not a["suppressed"])
    departments = report["breakdowns"]["department"]
    cells = [cell for row in departments for cell in row["areas"]]
    assert any(cell["suppressed"] and cell["paired"] > 0 for cell in cells)
    assert any(not cell["suppressed"] for cell in cells)
    # The frozen report matches the answers it was made from.
    live = outcomes_live(programme=programme)
    assert live["areas"] == areas
    # Six months of meetings, all before the end, none left on the calendar.
    activity = report["activity"]
    assert activity["relationships_meeting"] == activity["relationships"] == relationships.count()
    assert activity["meetings_held"] >= 10 * activity["relationships"]
    assert 0 < activity["commitments_kept"] <= activity["commitments_reviewed"]
    meetings = Meeting.objects.filter(relationship__programme=programme)
    assert Meeting.Status.SCHEDULED not in set(meetings.values_list("status", flat=True))
    last = meetings.order_by("-starts_at").values_list("starts_at", flat=True).first()
    assert last is not None
    assert programme.start_date <= last.date() <= programme.end_date
