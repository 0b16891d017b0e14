"""The daily survey job: open what is due, close what has run its time, remind once."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.urls import reverse

from alongside.core.periodic import periodic
from alongside.programmes.models import Programme, Stage
from alongside.surveys.models import CheckinSettings, Pulse, Response, Survey, SurveyNotice
from alongside.surveys.notices import notify_once
from alongside.surveys.services import (
    active_members,
    active_participants,
    midpoint_open,
    organisation_today,
    programme_midpoint,
    survey_close,
    survey_open,
    surveys_ensure,
)

# A survey or check-in left unanswered this long gets one reminder.
REMIND_AFTER = timedelta(days=4)
REMINDER_KEYS = {
    Survey.Kind.START: SurveyNotice.Key.START_REMINDER,
    Survey.Kind.END: SurveyNotice.Key.END_REMINDER,
}


def _open_due(programme: Programme, now: datetime) -> None:
    today = organisation_today(programme, now)
    for survey in surveys_ensure(programme=programme):
        due = survey.opens_at is not None and survey.opens_at <= now
        if survey.status != Survey.Status.DRAFT or not due:
            continue
        if (survey.kind == Survey.Kind.START and programme.stage == Stage.RUNNING) or (
            survey.kind == Survey.Kind.END and programme.stage in (Stage.RUNNING, Stage.CLOSING)
        ):
            survey_open(survey=survey, actor=None, now=now)
    settings = CheckinSettings.objects.filter(programme=programme).first()
    if (
        programme.stage == Stage.RUNNING
        and today >= programme_midpoint(programme)
        and (settings is None or settings.midpoint_opened_at is None)
    ):
        midpoint_open(programme=programme, actor=None, now=now)


def _remind(programme: Programme, now: datetime) -> int:
    sent = 0
    for survey in Survey.objects.filter(
        programme=programme, status=Survey.Status.OPEN, opened_at__lte=now - REMIND_AFTER
    ):
        answered = set(
            Response.objects.filter(survey=survey).values_list("enrolment_id", flat=True)
        )
        sent += notify_once(
            programme=programme,
            enrolments=[e for e in active_participants(programme) if e.pk not in answered],
            key=REMINDER_KEYS[Survey.Kind(survey.kind)],
            path=reverse("surveys:fill", args=[programme.organisation.slug, survey.pk]),
        )
    settings = CheckinSettings.objects.filter(programme=programme).first()
    if (
        settings is not None
        and settings.midpoint_opened_at is not None
        and settings.midpoint_opened_at <= now - REMIND_AFTER
        and programme.stage == Stage.RUNNING
    ):
        answered = set(
            Pulse.objects.filter(
                relationship__programme=programme, kind=Pulse.Kind.MIDPOINT
            ).values_list("member_id", flat=True)
        )
        sent += notify_once(
            programme=programme,
            enrolments=[m.enrolment for m in active_members(programme) if m.pk not in answered],
            key=SurveyNotice.Key.MIDPOINT_REMINDER,
            path=reverse("surveys:mine", args=[programme.organisation.slug]),
        )
    return sent


def _close_expired(programme: Programme, now: datetime) -> None:
    for survey in Survey.objects.filter(
        programme=programme, status=Survey.Status.OPEN, closes_at__lte=now
    ):
        survey_close(survey=survey, actor=None, now=now)


@periodic("surveys.open_due")
def open_due(now: datetime) -> None:
    """Open start/end surveys and the midpoint check-in when due; remind once; close late."""
    programmes = Programme.objects.filter(stage__in=[Stage.RUNNING, Stage.CLOSING]).select_related(
        "organisation"
    )
    for programme in programmes:
        with transaction.atomic():
            _open_due(programme, now)
            _close_expired(programme, now)
            _remind(programme, now)
