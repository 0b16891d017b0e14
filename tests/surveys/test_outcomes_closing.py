"""Pulses, the outcomes report and export, and closing a programme."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from alongside.core.errors import AlongsideError
from alongside.meetings.models import ClosingChoice, Meeting
from alongside.surveys.closing import closing_schedule, closing_send_survey, programme_close
from alongside.surveys.models import Closing, Pulse, Survey
from alongside.surveys.selectors import outcomes_report
from alongside.surveys.services import (
    checkin_settings_update,
    pulse_submit,
    response_submit,
    survey_open,
    surveys_ensure,
)
from tests.surveys.conftest import Cohort, answers_for
from tests.surveys.export_helpers import export_through_page


def my_member(cohort: Cohort) -> Any:
    return cohort.me.memberships.get()


def test_midpoint_pulse_waits_for_the_midpoint(cohort: Cohort, cast: dict[str, Any]) -> None:
    with (
        time_machine.travel(datetime(2030, 2, 1, tzinfo=UTC)),
        pytest.raises(AlongsideError, match="opens on 01 April 2030"),
    ):
        pulse_submit(member=my_member(cohort), actor=cast["member"], kind="midpoint", rating=4)
    with time_machine.travel(datetime(2030, 4, 2, tzinfo=UTC)):
        pulse_submit(
            member=my_member(cohort),
            actor=cast["member"],
            kind="midpoint",
            rating=2,
            blocking="Time",
        )
        pulse_submit(member=my_member(cohort), actor=cast["member"], kind="midpoint", rating=3)
    pulse = Pulse.objects.get()
    assert (pulse.rating, pulse.blocking) == (3, "")
    with pytest.raises(AlongsideError, match="1 to 5"):
        pulse_submit(member=my_member(cohort), actor=cast["member"], kind="midpoint", rating=0)


def test_meeting_pulse_needs_the_programme_setting_and_a_held_meeting(
    cohort: Cohort, cast: dict[str, Any], client_for: Any
) -> None:
    member = my_member(cohort)
    meeting = Meeting.objects.create(
        organisation=cohort.programme.organisation,
        relationship=member.relationship,
        number=1,
        starts_at=timezone.now() - timedelta(hours=2),
        timezone="Asia/Kolkata",
        status="held",
    )
    url = reverse("surveys:meeting_pulse", args=["acme", meeting.pk])
    client = client_for(cast["member"])
    client.post(url, {"rating": "4"})
    assert not Pulse.objects.exists()  # the programme has the pulse switched off
    checkin_settings_update(programme=cohort.programme, actor=cast["manager"], meeting_pulse=True)
    response = client.post(url, {"rating": "4", "next": "/o/acme/mentoring/"})
    assert response.status_code == 302
    assert response["Location"] == "/o/acme/mentoring/"
    assert Pulse.objects.get().meeting == meeting
    # Someone else's meeting is a 404, as if it did not exist.
    other = Meeting.objects.create(
        organisation=cohort.programme.organisation,
        relationship=cohort.relationships[1],
        number=1,
        starts_at=timezone.now() - timedelta(hours=2),
        timezone="UTC",
        status="held",
    )
    assert (
        client.post(
            reverse("surveys:meeting_pulse", args=["acme", other.pk]), {"rating": "4"}
        ).status_code
        == 404
    )


def answer_both(cohort: Cohort, cast: dict[str, Any], plan: list[tuple[int, int]]) -> None:
    """Enrolment i answers start=plan[i][0], end=plan[i][1] on every capability."""
    start, end = surveys_ensure(programme=cohort.programme)
    survey_open(survey=start, actor=cast["manager"])
    survey_open(survey=end, actor=cast["manager"])
    for enrolment, (before, after) in zip(cohort.everyone, plan, strict=False):
        response_submit(
            survey=start,
            enrolment=enrolment,
            answers=answers_for(start, before),
            actor=cast["member"],
        )
        response_submit(
            survey=end, enrolment=enrolment, answers=answers_for(end, after), actor=cast["member"]
        )


def test_outcomes_report_shows_change_and_hides_small_groups(
    cohort: Cohort, cast: dict[str, Any], client_for: Any
) -> None:
    # Engineering (6): 2 -> 4; Finance (5): 3 -> 3; Sales (1): 1 -> 5.
    answer_both(cohort, cast, [(2, 4)] * 6 + [(3, 3)] * 5 + [(1, 5)])
    report = outcomes_report(programme=cohort.programme)
    area = report["areas"][0]
    assert area["paired"] == 12
    assert area["mean_start"] == round((12 + 15 + 1) / 12, 2)
    assert area["mean_change"] == round((12 + 0 + 4) / 12, 2)
    assert area["share_improved"] == round(7 / 12, 2)
    departments = {row["group"]: row["areas"][0] for row in report["breakdowns"]["department"]}
    assert departments["Sales"]["suppressed"]
    assert departments["Finance"]["suppressed"]  # else Sales = total - Engineering - Finance
    assert departments["Engineering"]["mean_change"] == 2.0
    assert report["responses"]["start"] == {"invited": 12, "responded": 12, "rate": 1.0}
    page = client_for(cast["manager"]).get(
        reverse("surveys:outcomes", args=["acme", cohort.programme.pk])
    )
    body = page.content.decode()
    assert "<svg" in body
    assert "<script" not in body.split("<main")[1]
    assert "+1.33" in body
    # Bars on a 0–5 scale 300 px wide: start mean 2.33 → 139.8, end mean 3.67 → 220.2.
    assert 'class="bar-start" x="0" y="2" width="139.8"' in body
    assert 'class="bar-end" x="0" y="22" width="220.2"' in body
    assert re.search(r"Generated \d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2} UTC\.", body)


def test_a_programme_with_four_answers_shows_no_figures(
    cohort: Cohort, cast: dict[str, Any]
) -> None:
    answer_both(cohort, cast, [(1, 5)] * 4)
    report = outcomes_report(programme=cohort.programme)
    assert all(a["suppressed"] and a["mean_change"] is None for a in report["areas"])


def test_export_is_pseudonymous_for_managers_and_named_for_admins(
    cohort: Cohort,
    cast: dict[str, Any],
    client_for: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    answer_both(cohort, cast, [(2, 3)] * 2)
    url = reverse("surveys:export", args=["acme", cohort.programme.pk])
    manager = client_for(cast["manager"])
    made = export_through_page(manager, url, django_capture_on_commit_callbacks)
    rows = list(csv.reader(io.StringIO(made.content.decode("utf-8-sig"))))
    assert rows[0][0] == "respondent"
    assert "email" not in rows[0]
    assert len(rows) == 1 + 2 * 3 + 2 * 4  # start: 3 areas (text left empty); end: 3 + choice
    assert all(row[0].startswith("R-") for row in rows[1:])
    assert cohort.me.person.email not in str(rows)
    refused = export_through_page(manager, url, django_capture_on_commit_callbacks, identified="1")
    assert refused.status_code == 403
    named = export_through_page(
        client_for(cast["admin"]), url, django_capture_on_commit_callbacks, identified="1"
    )
    assert cohort.me.person.email in named.content.decode()


def test_individuals_see_only_their_own_before_and_after(
    cohort: Cohort, cast: dict[str, Any], client_for: Any
) -> None:
    answer_both(cohort, cast, [(2, 5), (1, 1)])
    body = (
        client_for(cast["member"])
        .get(reverse("surveys:my_results", args=["acme", cohort.programme.pk]))
        .content.decode()
    )
    assert "<td>2</td><td>5</td><td>+3</td>" in body
    assert "<td>1</td><td>1</td>" not in body


def test_closing_schedules_sends_the_survey_and_closes(
    cohort: Cohort, cast: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    from django.core import mail

    from tests.nudges.helpers import send_nudges

    manager = cast["manager"]
    with pytest.raises(AlongsideError, match="in the past"):
        closing_schedule(
            programme=cohort.programme,
            actor=manager,
            session_at=datetime(2020, 1, 1, 10),
            timezone_name="Asia/Kolkata",
        )
    closing = closing_schedule(
        programme=cohort.programme,
        actor=manager,
        session_at=datetime(2099, 6, 28, 15, 30),
        timezone_name="Asia/Kolkata",
        details="Room 4",
    )
    assert closing.session_at == datetime(2099, 6, 28, 10, 0, tzinfo=UTC)
    with django_capture_on_commit_callbacks(execute=True):
        send_nudges()
    told = [m for m in mail.outbox if "closing session" in m.subject]
    assert len(told) == 12
    assert "Room 4" in told[0].body
    end = closing_send_survey(programme=cohort.programme, actor=manager)
    cohort.programme.refresh_from_db()
    assert cohort.programme.stage == "closing"
    assert end.status == "open"
    answer_both(cohort, cast, [(2, 4)] * 6)
    # Pair 1 (me + Peer 01) both continue; pair 2 only one does; the rest end.
    pair1, pair2 = cohort.relationships[:2]
    for member in pair1.members.all():
        ClosingChoice.objects.create(
            relationship=pair1, member=member, point="end", choice="continue"
        )
    first = pair2.members.first()
    assert first is not None
    ClosingChoice.objects.create(relationship=pair2, member=first, point="end", choice="continue")
    closed = programme_close(programme=cohort.programme, actor=manager)
    cohort.programme.refresh_from_db()
    assert cohort.programme.stage == "closed"
    pair1.refresh_from_db()
    pair2.refresh_from_db()
    assert pair1.status == "active"
    assert all(m.is_active for m in pair1.members.all())
    assert pair2.status == "ended"
    assert cohort.programme.relationships.filter(status="ended").count() == 5
    assert Survey.objects.filter(programme=cohort.programme, status="open").count() == 0
    frozen = closed.report
    assert frozen is not None
    assert frozen["frozen"] is True
    # Later changes do not alter the frozen report.
    end.refresh_from_db()
    Survey.objects.filter(pk=end.pk).update(status="open")
    response_submit(
        survey=end, enrolment=cohort.everyone[10], answers=answers_for(end, 1), actor=manager
    )
    assert outcomes_report(programme=cohort.programme) == Closing.objects.get().report
    with pytest.raises(AlongsideError, match="cannot be closed"):
        programme_close(programme=cohort.programme, actor=manager)


def test_closing_page_walks_through_the_steps(
    cohort: Cohort, cast: dict[str, Any], client_for: Any
) -> None:
    client = client_for(cast["manager"])
    base = ["acme", cohort.programme.pk]
    assert (
        "Schedule the closing session"
        in client.get(reverse("surveys:closing", args=base)).content.decode()
    )
    client.post(
        reverse("surveys:closing_session", args=base),
        {"date": "2099-06-28", "time": "15:30", "timezone": "Asia/Kolkata", "details": "Room 4"},
    )
    assert Closing.objects.get().session_details == "Room 4"
    client.post(reverse("surveys:closing_survey", args=base))
    assert Survey.objects.get(kind="end").status == "open"
    client.post(reverse("surveys:closing_close", args=base))  # not confirmed
    cohort.programme.refresh_from_db()
    assert cohort.programme.stage == "closing"
    client.post(reverse("surveys:closing_close", args=base), {"confirm": "yes"})
    cohort.programme.refresh_from_db()
    assert cohort.programme.stage == "closed"
    assert cohort.programme.end_date == date(2030, 7, 1)


def test_the_meeting_page_tag_shows_the_pulse_only_where_it_applies(
    cohort: Cohort, cast: dict[str, Any]
) -> None:
    from django.template import Context, Template
    from django.test import RequestFactory

    member = my_member(cohort)
    meeting = Meeting.objects.create(
        organisation=cohort.programme.organisation,
        relationship=member.relationship,
        number=1,
        starts_at=timezone.now() - timedelta(hours=1),
        timezone="UTC",
    )
    template = Template(
        '{% load panels %}{% panels "meetings.meeting.after_notes" meeting=meeting %}'
    )

    def render(user: Any) -> str:
        request = RequestFactory().get("/o/acme/mentoring/")
        request.user = user
        return template.render(Context({"request": request, "meeting": meeting}))

    assert "How did this meeting go?" not in render(cast["member"])  # the pulse is off
    checkin_settings_update(programme=cohort.programme, actor=cast["manager"], meeting_pulse=True)
    shown = render(cast["member"])
    assert "How did this meeting go?" in shown
    assert reverse("surveys:meeting_pulse", args=["acme", meeting.pk]) in shown
    assert "How did this meeting go?" not in render(cast["manager"])  # not a member
    pulse_submit(member=member, actor=cast["member"], kind="meeting", rating=4, meeting=meeting)
    assert "you said 4" in render(cast["member"])


def test_report_and_setup_pages_do_not_grow_queries_with_the_cohort(
    cohort: Cohort, cast: dict[str, Any], client_for: Any
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(cast["manager"])
    pages = [
        reverse("surveys:outcomes", args=["acme", cohort.programme.pk]),
        reverse("surveys:setup", args=["acme", cohort.programme.pk]),
    ]
    answer_both(cohort, cast, [(2, 3)] * 2)
    for url in pages:
        client.get(url)  # settle get-or-create rows
    counts = []
    for url in pages:
        with CaptureQueriesContext(connection) as few:
            client.get(url)
        counts.append(len(few.captured_queries))
    Survey.objects.all().delete()
    answer_both(cohort, cast, [(2, 3)] * 12)
    for url, before in zip(pages, counts, strict=True):
        with CaptureQueriesContext(connection) as many:
            assert client.get(url).status_code == 200
        assert len(many.captured_queries) == before, url
