"""Closing a programme: the closing session, the closing survey, and the frozen report."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alongside.accounts.models import User
from alongside.audit.services import log_action
from alongside.core.errors import AlongsideError, Problem
from alongside.core.validators import is_time_zone
from alongside.meetings.services import relationships_close_for_programme
from alongside.programmes.models import Programme, Stage
from alongside.programmes.services import programme_transition
from alongside.relationships.models import Relationship
from alongside.surveys.models import Closing, Survey
from alongside.surveys.selectors import outcomes_live
from alongside.surveys.services import (
    survey_close,
    survey_open,
    surveys_ensure,
)

CLOSING_STAGES = (Stage.RUNNING, Stage.CLOSING)


def closing_for(programme: Programme) -> Closing:
    closing, _created = Closing.objects.get_or_create(programme=programme)
    return closing


def _check_can_close(programme: Programme) -> None:
    if programme.stage not in CLOSING_STAGES:
        raise AlongsideError(
            _("A programme that is %(lower)s cannot be closed; closing follows running.")
            % {"lower": programme.get_stage_display().lower()},
            code="invalid_stage",
        )


@transaction.atomic
def closing_schedule(
    *,
    programme: Programme,
    actor: User,
    session_at: datetime,
    timezone_name: str,
    details: str = "",
) -> Closing:
    """Set the closing session's date and time; participants are told the first time."""
    programme = Programme.objects.select_related("organisation").get(pk=programme.pk)
    _check_can_close(programme)
    problems = []
    if not is_time_zone(timezone_name):
        problems.append(
            Problem(
                _("'%(timezone_name)s' is not a time zone.") % {"timezone_name": timezone_name},
                "timezone",
            )
        )
    if timezone.is_naive(session_at) and not problems:
        session_at = session_at.replace(tzinfo=ZoneInfo(timezone_name))
    if not problems and session_at < timezone.now():
        problems.append(Problem(_("is in the past; choose a time still to come."), "session_at"))
    if len(details) > 500:
        problems.append(Problem(_("is longer than 500 characters."), "details"))
    if problems:
        raise AlongsideError(
            "The closing session cannot be scheduled: " + "; ".join(str(p) for p in problems),
            problems=problems,
        )
    closing = Closing.objects.select_for_update().get_or_create(programme=programme)[0]
    if closing.is_closed:
        raise AlongsideError(_("The programme is already closed."), code="closed")
    closing.session_at = session_at.astimezone(ZoneInfo("UTC"))
    closing.session_timezone = timezone_name
    closing.session_details = details.strip()
    closing.save()
    # Participants hear about it (and about a later move) through the "closing_session" nudge.
    log_action(
        actor=actor,
        organisation=programme.organisation,
        action="closing.session_scheduled",
        target=programme,
        data={"session_at": closing.session_at.isoformat(), "timezone": timezone_name},
    )
    return closing


@transaction.atomic
def closing_send_survey(*, programme: Programme, actor: User) -> Survey:
    """Move the programme into closing and open the end survey (emailing everyone once)."""
    programme = Programme.objects.select_related("organisation").get(pk=programme.pk)
    _check_can_close(programme)
    if programme.stage == Stage.RUNNING:
        programme_transition(programme=programme, actor=actor, to=Stage.CLOSING)
    end = next(s for s in surveys_ensure(programme=programme) if s.kind == Survey.Kind.END)
    if end.status == Survey.Status.CLOSED:
        raise AlongsideError(_("The closing survey has already closed."), code="survey_closed")
    end = survey_open(survey=end, actor=actor)
    closing = Closing.objects.select_for_update().get_or_create(programme=programme)[0]
    if closing.survey_sent_at is None:
        closing.survey_sent_at = timezone.now()
        closing.save(update_fields=["survey_sent_at"])
    return end


def _end_relationships(programme: Programme, actor: User) -> dict[str, int]:
    """End relationships through the meetings service: one rule for continuing or not."""
    ended = relationships_close_for_programme(programme=programme, actor=actor)
    continuing = (
        Relationship.objects.filter(programme=programme)
        .exclude(status=Relationship.Status.ENDED)
        .count()
    )
    return {"ended": ended, "continuing": continuing}


@transaction.atomic
def programme_close(*, programme: Programme, actor: User) -> Closing:
    """Close the surveys, end relationships (unless continued), close, freeze the report."""
    programme = (
        Programme.objects.select_for_update().select_related("organisation").get(pk=programme.pk)
    )
    _check_can_close(programme)
    closing = Closing.objects.select_for_update().get_or_create(programme=programme)[0]
    for survey in Survey.objects.filter(programme=programme, status=Survey.Status.OPEN):
        survey_close(survey=survey, actor=actor)
    relationships = _end_relationships(programme, actor)
    if programme.stage == Stage.RUNNING:
        programme_transition(programme=programme, actor=actor, to=Stage.CLOSING)
    programme_transition(programme=programme, actor=actor, to=Stage.CLOSED)
    report = outcomes_live(programme=programme)
    report["frozen"] = True
    report["relationships_at_close"] = relationships
    closing.report, closing.closed_at, closing.closed_by = report, timezone.now(), actor
    closing.save()
    log_action(
        actor=actor,
        organisation=programme.organisation,
        action="closing.programme_closed",
        target=programme,
        data=relationships,
    )
    return closing
