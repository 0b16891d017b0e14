"""The daily survey job: open what is due and close what has run its time.

Emails about surveys and check-ins (open, one reminder, the closing session) are nudges:
see ``alongside/nudges/survey_finders.py``.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import transaction

from alongside.core.errors import AlongsideError
from alongside.core.periodic import periodic
from alongside.programmes.models import Programme, Stage
from alongside.surveys.models import CheckinSettings, Survey
from alongside.surveys.services import (
    midpoint_open,
    organisation_today,
    programme_midpoint,
    survey_close,
    survey_open,
    surveys_ensure,
)

logger = logging.getLogger(__name__)


def _open_due(programme: Programme, now: datetime) -> None:
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
        and organisation_today(programme, now) >= programme_midpoint(programme)
        and (settings is None or settings.midpoint_opened_at is None)
    ):
        midpoint_open(programme=programme, actor=None, now=now)


def _close_expired(programme: Programme, now: datetime) -> None:
    for survey in Survey.objects.filter(
        programme=programme, status=Survey.Status.OPEN, closes_at__lte=now
    ):
        survey_close(survey=survey, actor=None, now=now)


@periodic("surveys.open_due")
def open_due(now: datetime) -> None:
    """Open start/end surveys and the midpoint check-in when due; close surveys past due."""
    programmes = Programme.objects.filter(stage__in=[Stage.RUNNING, Stage.CLOSING]).select_related(
        "organisation"
    )
    for programme in programmes:
        if not programme.capability_areas:
            continue  # nothing to ask about; the setup page says why
        try:
            with transaction.atomic():
                _open_due(programme, now)
                _close_expired(programme, now)
        except AlongsideError as error:
            # One programme's problem must not hold up the others; it is retried next run.
            logger.warning("surveys.open_due skipped programme %s: %s", programme.pk, error)
