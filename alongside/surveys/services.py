"""Writes for surveys, check-ins and pulses. Each runs in a transaction and is audited."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from alongside.accounts.models import User
from alongside.audit.services import log_action
from alongside.core.authored import realign
from alongside.core.errors import AlongsideError, Problem
from alongside.core.events import emit
from alongside.core.languages import in_language
from alongside.core.translations import merged_translations
from alongside.exports.models import Export
from alongside.exports.services import export_request
from alongside.meetings.models import Meeting
from alongside.programmes.models import Enrolment, EnrolmentStatus, Programme, Stage
from alongside.relationships.models import Relationship, RelationshipMember
from alongside.surveys.events import PulseAnswered, SurveyAnswered
from alongside.surveys.models import (
    Answer,
    CheckinSettings,
    Pulse,
    Question,
    Response,
    Survey,
)

# The standard questions, written in every shipped language through the catalogues; a
# programme stores them in its organisation's language with the others as translations.
CAPABILITY_TEXT = gettext_lazy("How confident are you today in: %(area)s?")
DEFAULT_QUESTIONS: dict[str, list[dict[str, Any]]] = {
    Survey.Kind.START: [
        {
            "kind": Question.Kind.TEXT,
            "text": gettext_lazy("What do you most want to get out of this programme?"),
            "required": False,
        },
    ],
    Survey.Kind.END: [
        {
            "kind": Question.Kind.TEXT,
            "text": gettext_lazy("What changed for you during the programme?"),
            "required": False,
        },
        {
            "kind": Question.Kind.CHOICE,
            "text": gettext_lazy(
                "Did the format (regular meetings, guides, commitments) help you?"
            ),
            "choices": [
                gettext_lazy("Yes, a lot"),
                gettext_lazy("Somewhat"),
                gettext_lazy("Not really"),
            ],
            "required": True,
        },
        {
            "kind": Question.Kind.TEXT,
            "text": gettext_lazy("What should the next programme do differently?"),
            "required": False,
        },
    ],
}
QUESTION_TEXT_LIMITS = {"text": 500}


def _in_every_language(
    programme: Programme, write: Callable[[str], dict[str, Any]]
) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """What ``write`` gives in the organisation's language (the original), and in each other
    shipped language where it reads differently (the translations)."""
    source_language = programme.source_language
    with in_language(source_language):
        source = write(source_language)
    translations = {}
    for code, _name in settings.LANGUAGES:
        if code == source_language:
            continue
        with in_language(code):
            written = {k: v for k, v in write(code).items() if v != source[k]}
        if written:
            translations[code] = written
    return source, translations


def _standard_question(programme: Programme, question: dict[str, Any]) -> dict[str, Any]:
    def write(_language: str) -> dict[str, Any]:
        written: dict[str, Any] = {"text": str(question["text"])}
        if question.get("choices"):
            written["choices"] = [str(choice) for choice in question["choices"]]
        return written

    source, translations = _in_every_language(programme, write)
    return {**question, **source, "translations": translations}


def _question_translations(
    existing: Mapping[str, Any],
    translations: Mapping[str, Any] | None,
    choices: list[str],
    problems: list[Problem],
) -> dict[str, dict[str, Any]]:
    """The stored translations with those sent checked and merged (faults go to ``problems``)."""
    if translations is None:
        return dict(existing)
    try:
        return merged_translations(
            existing,
            translations,
            text_fields=QUESTION_TEXT_LIMITS,
            list_fields={"choices": choices} if choices else {},
        )
    except AlongsideError as error:
        problems.extend(error.problems)
        return dict(existing)


def _capability_question(programme: Programme, area: str) -> dict[str, Any]:
    def write(language: str) -> dict[str, Any]:
        label = programme.labels("capability_areas", None, language)[area]
        return {"text": str(CAPABILITY_TEXT) % {"area": label}}

    source, translations = _in_every_language(programme, write)
    return {**source, "translations": translations}


# Surveys stay open this long unless a manager sets a closing time.
START_OPEN_FOR = timedelta(days=21)
END_OPENS_BEFORE_END = timedelta(days=14)
END_STAYS_OPEN_AFTER_END = timedelta(days=7)
EDITABLE_STAGES = (Stage.DRAFT, Stage.ENROLLING, Stage.MATCHING, Stage.RUNNING, Stage.CLOSING)
MAX_CHOICES = 8


def _fail(message: str, field: str | None = None) -> AlongsideError:
    return AlongsideError(message, problems=[Problem(message, field)] if field else [])


def organisation_today(programme: Programme, now: datetime | None = None) -> date:
    zone = ZoneInfo(programme.organisation.default_time_zone or "UTC")
    return (now or timezone.now()).astimezone(zone).date()


def programme_midpoint(programme: Programme) -> date:
    return programme.start_date + (programme.end_date - programme.start_date) / 2


def _morning(programme: Programme, day: date) -> datetime:
    zone = ZoneInfo(programme.organisation.default_time_zone or "UTC")
    return datetime.combine(day, time(9, 0), tzinfo=zone).astimezone(ZoneInfo("UTC"))


def _sync_capability_questions(survey: Survey) -> None:
    """A draft survey asks about exactly the programme's current capability areas."""
    areas = list(survey.programme.capability_areas)
    existing = {
        q.capability_area: q for q in survey.questions.filter(kind=Question.Kind.CAPABILITY)
    }
    survey.questions.filter(kind=Question.Kind.CAPABILITY).exclude(
        capability_area__in=areas
    ).delete()
    for position, area in enumerate(areas, start=1):
        question = existing.get(area)
        if question is None:
            Question.objects.create(
                survey=survey,
                kind=Question.Kind.CAPABILITY,
                capability_area=area,
                position=position,
                **_capability_question(survey.programme, area),
            )
        elif question.position != position:
            question.position = position
            question.save(update_fields=["position"])
    # Reflection and added questions follow the capability questions.
    others = survey.questions.exclude(kind=Question.Kind.CAPABILITY).order_by("position", "pk")
    for offset, question in enumerate(others, start=len(areas) + 1):
        if question.position != offset:
            question.position = offset
            question.save(update_fields=["position"])


@transaction.atomic
def surveys_ensure(*, programme: Programme) -> list[Survey]:
    """The programme's start and end surveys, created with the standard questions if missing.

    Draft surveys are brought in line with the programme's capability areas. Idempotent.
    """
    surveys = []
    for kind in (Survey.Kind.START, Survey.Kind.END):
        opens_on = (
            programme.start_date
            if kind == Survey.Kind.START
            else max(programme.start_date, programme.end_date - END_OPENS_BEFORE_END)
        )
        survey, created = Survey.objects.get_or_create(
            programme=programme, kind=kind, defaults={"opens_at": _morning(programme, opens_on)}
        )
        survey.programme = programme
        if created:
            for question in DEFAULT_QUESTIONS[kind]:
                Question.objects.create(survey=survey, **_standard_question(programme, question))
        if survey.status == Survey.Status.DRAFT:
            _sync_capability_questions(survey)
        surveys.append(survey)
    return surveys


def _check_draft(survey: Survey) -> None:
    if survey.status != Survey.Status.DRAFT:
        raise AlongsideError(
            _(
                "The %(lower)s is %(lower2)s; questions can only change before it "
                "opens, so every answer is to the same questions."
            )
            % {
                "lower": survey.get_kind_display().lower(),
                "lower2": survey.get_status_display().lower(),
            },
            code="survey_not_draft",
        )


def _clean_question(
    kind: str, text: str, choices: list[str] | None
) -> tuple[str, list[str], list[Problem]]:
    problems: list[Problem] = []
    if kind == Question.Kind.CAPABILITY:
        problems.append(
            Problem(
                _(
                    "capability questions follow the programme's capability areas; change "
                    "those on the programme instead."
                ),
                "kind",
            )
        )
    elif kind not in Question.Kind.values:
        problems.append(Problem(_("must be rating, text or choice."), "kind"))
    text = (text or "").strip()
    if not text:
        problems.append(Problem(_("is empty; write the question."), "text"))
    elif len(text) > 500:
        problems.append(Problem(_("is longer than 500 characters."), "text"))
    cleaned = list(dict.fromkeys(c.strip() for c in (choices or []) if c and c.strip()))
    if kind == Question.Kind.CHOICE and not 2 <= len(cleaned) <= MAX_CHOICES:
        problems.append(
            Problem(
                _("has %(cleaned)s options; a choice question needs 2 to 8.")
                % {"cleaned": len(cleaned)},
                "choices",
            )
        )
    if kind != Question.Kind.CHOICE:
        cleaned = []
    return text, cleaned, problems


@transaction.atomic
def question_add(
    *,
    survey: Survey,
    actor: User,
    kind: str,
    text: str,
    choices: list[str] | None = None,
    required: bool = False,
    translations: Mapping[str, Any] | None = None,
) -> Question:
    """A manager's own question, asked after the standard ones; ``translations`` are
    ``{language: {"text": …, "choices": [one for each choice]}}``."""
    survey = (
        Survey.objects.select_for_update()
        .select_related("programme__organisation")
        .get(pk=survey.pk)
    )
    _check_draft(survey)
    text, cleaned, problems = _clean_question(kind, text, choices)
    written = _question_translations({}, translations, cleaned, problems)
    if problems:
        raise AlongsideError(
            "The question is not complete: " + "; ".join(str(p) for p in problems),
            problems=problems,
        )
    last = survey.questions.order_by("-position").values_list("position", flat=True).first()
    question = Question.objects.create(
        survey=survey,
        kind=kind,
        text=text,
        choices=cleaned,
        required=required,
        position=(last or 0) + 1,
        source=Question.Source.MANAGER,
        translations=written,
    )
    log_action(
        actor=actor,
        organisation=survey.programme.organisation,
        action="survey.question_added",
        target=question,
        data={"survey": survey.kind, "kind": kind},
    )
    return question


@transaction.atomic
def question_update(
    *,
    question: Question,
    actor: User,
    text: str | None = None,
    choices: list[str] | None = None,
    required: bool | None = None,
    translations: Mapping[str, Any] | None = None,
) -> Question:
    """Change a question's wording, choices or translations (each translation of a choice
    follows its choice when the choices change)."""
    survey = (
        Survey.objects.select_for_update()
        .select_related("programme__organisation")
        .get(pk=question.survey_id)
    )
    _check_draft(survey)
    question.refresh_from_db()
    if question.kind == Question.Kind.CAPABILITY:
        # Only the wording of a capability question may change; its area stays.
        new_text = (text if text is not None else question.text).strip()
        problems = [] if new_text else [Problem(_("is empty; write the question."), "text")]
        cleaned: list[str] = []
    else:
        new_text, cleaned, problems = _clean_question(
            question.kind,
            text if text is not None else question.text,
            choices if choices is not None else question.choices,
        )
    moved = realign(question.translations, "choices", question.choices, cleaned)
    written = _question_translations(moved, translations, cleaned, problems)
    if problems:
        raise AlongsideError(
            "The question is not complete: " + "; ".join(str(p) for p in problems),
            problems=problems,
        )
    question.text, question.choices, question.translations = new_text, cleaned, written
    if required is not None and question.kind != Question.Kind.CAPABILITY:
        question.required = required
    question.save()
    log_action(
        actor=actor,
        organisation=survey.programme.organisation,
        action="survey.question_changed",
        target=question,
    )
    return question


@transaction.atomic
def question_remove(*, question: Question, actor: User) -> None:
    survey = (
        Survey.objects.select_for_update()
        .select_related("programme__organisation")
        .get(pk=question.survey_id)
    )
    _check_draft(survey)
    if question.kind == Question.Kind.CAPABILITY:
        raise _fail(
            "Capability questions follow the programme's capability areas; remove the area "
            "from the programme instead.",
            "kind",
        )
    log_action(
        actor=actor,
        organisation=survey.programme.organisation,
        action="survey.question_removed",
        target=question,
        data={"text": question.text},
    )
    question.delete()
    _sync_capability_questions(survey)


def active_participants(programme: Programme) -> list[Enrolment]:
    return list(
        Enrolment.objects.filter(programme=programme, status=EnrolmentStatus.ACTIVE).select_related(
            "person"
        )
    )


@transaction.atomic
def survey_open(*, survey: Survey, actor: User | None, now: datetime | None = None) -> Survey:
    """Open a draft survey and email every active participant once. Idempotent if open."""
    now = now or timezone.now()
    survey = (
        Survey.objects.select_for_update()
        .select_related("programme__organisation")
        .get(pk=survey.pk)
    )
    programme = survey.programme
    if survey.status == Survey.Status.OPEN:
        return survey
    if survey.status == Survey.Status.CLOSED:
        raise AlongsideError(
            _("The %(lower)s is closed and cannot open again.")
            % {"lower": survey.get_kind_display().lower()},
            code="survey_closed",
        )
    allowed = (
        (Stage.ENROLLING, Stage.MATCHING, Stage.RUNNING, Stage.CLOSING)
        if survey.kind == Survey.Kind.START
        else (Stage.RUNNING, Stage.CLOSING)
    )
    if programme.stage not in allowed:
        raise AlongsideError(
            _("The %(lower)s cannot open while the programme is %(lower2)s.")
            % {
                "lower": survey.get_kind_display().lower(),
                "lower2": programme.get_stage_display().lower(),
            },
            code="invalid_stage",
        )
    _sync_capability_questions(survey)
    if not programme.capability_areas:
        raise _fail("Add capability areas to the programme before opening a survey.")
    survey.status, survey.opened_at = Survey.Status.OPEN, now
    if survey.closes_at is None or survey.closes_at <= now:
        if survey.kind == Survey.Kind.START:
            survey.closes_at = now + START_OPEN_FOR
        else:
            survey.closes_at = max(
                _morning(programme, programme.end_date + END_STAYS_OPEN_AFTER_END),
                now + timedelta(days=7),
            )
    survey.save()
    # Participants hear about it through the "survey_open" nudge
    # (alongside/nudges/survey_finders.py).
    log_action(
        actor=actor,
        organisation=programme.organisation,
        action="survey.opened",
        target=survey,
        data={"asked": len(active_participants(programme))},
    )
    return survey


@transaction.atomic
def survey_close(*, survey: Survey, actor: User | None, now: datetime | None = None) -> Survey:
    survey = (
        Survey.objects.select_for_update()
        .select_related("programme__organisation")
        .get(pk=survey.pk)
    )
    if survey.status == Survey.Status.CLOSED:
        return survey
    if survey.status == Survey.Status.DRAFT:
        raise AlongsideError(
            _("The %(lower)s has not opened yet.") % {"lower": survey.get_kind_display().lower()},
            code="survey_not_open",
        )
    survey.status, survey.closed_at = Survey.Status.CLOSED, now or timezone.now()
    survey.save()
    log_action(
        actor=actor,
        organisation=survey.programme.organisation,
        action="survey.closed",
        target=survey,
        data={"responses": survey.responses.count()},
    )
    return survey


@transaction.atomic
def survey_set_schedule(
    *, survey: Survey, actor: User, opens_at: datetime | None, closes_at: datetime | None
) -> Survey:
    survey = (
        Survey.objects.select_for_update()
        .select_related("programme__organisation")
        .get(pk=survey.pk)
    )
    if survey.status == Survey.Status.CLOSED:
        raise AlongsideError(_("The survey is closed."), code="survey_closed")
    if opens_at and closes_at and closes_at <= opens_at:
        raise _fail("must be after the opening time.", "closes_at")
    if survey.status == Survey.Status.DRAFT:
        survey.opens_at = opens_at
    survey.closes_at = closes_at
    survey.save()
    log_action(
        actor=actor,
        organisation=survey.programme.organisation,
        action="survey.scheduled",
        target=survey,
        data={
            "opens_at": opens_at.isoformat() if opens_at else None,
            "closes_at": closes_at.isoformat() if closes_at else None,
        },
    )
    return survey


def _clean_answer(question: Question, raw: Any) -> tuple[int | None, str, Problem | None]:
    field = f"answers.{question.pk}"
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        if question.required:
            return (
                None,
                "",
                Problem(_("'%(question)s' needs an answer.") % {"question": question.text}, field),
            )
        return None, "", None
    if question.is_scale:
        try:
            rating = int(raw)
        except (TypeError, ValueError):
            rating = 0
        if isinstance(raw, bool) or not 1 <= rating <= 5 or str(raw).strip() != str(rating):
            return (
                None,
                "",
                Problem(
                    _("'%(question)s' takes a whole number from 1 to 5.")
                    % {"question": question.text},
                    field,
                ),
            )
        return rating, "", None
    text = str(raw).strip()
    if question.kind == Question.Kind.CHOICE and text not in question.choices:
        options = ", ".join(question.choices)
        return (
            None,
            "",
            Problem(
                _("'%(question)s' takes one of: %(options)s.")
                % {"question": question.text, "options": options},
                field,
            ),
        )
    if len(text) > 5000:
        return (
            None,
            "",
            Problem(
                _("'%(question)s': keep it under 5,000 characters.") % {"question": question.text},
                field,
            ),
        )
    return None, text, None


@transaction.atomic
def response_submit(
    *, survey: Survey, enrolment: Enrolment, answers: Mapping[int, Any], actor: User
) -> Response:
    """Save (or, while the survey is open, replace) one participant's answers."""
    survey = Survey.objects.select_related("programme__organisation").get(pk=survey.pk)
    if survey.status != Survey.Status.OPEN:
        raise AlongsideError(
            _("The %(lower)s is not open.") % {"lower": survey.get_kind_display().lower()},
            code="survey_not_open",
        )
    if enrolment.programme_id != survey.programme_id or enrolment.status != EnrolmentStatus.ACTIVE:
        raise AlongsideError(
            _("Only the programme's participants answer its surveys."), code="forbidden", status=403
        )
    questions = list(survey.questions.all())
    known = {q.pk for q in questions}
    problems = [
        Problem(_("is not a question of this survey."), f"answers.{key}")
        for key in answers
        if key not in known
    ]
    cleaned: list[tuple[Question, int | None, str]] = []
    for question in questions:
        rating, text, problem = _clean_answer(question, answers.get(question.pk))
        if problem:
            problems.append(problem)
        elif rating is not None or text:
            cleaned.append((question, rating, text))
    if problems:
        raise AlongsideError(
            f"{len(problems)} answer(s) need attention: " + "; ".join(p.message for p in problems),
            problems=problems,
        )
    response, created = Response.objects.update_or_create(
        survey=survey, enrolment=enrolment, defaults={"submitted_at": timezone.now()}
    )
    response.answers.all().delete()
    Answer.objects.bulk_create(
        [Answer(response=response, question=q, rating=r, text=t) for q, r, t in cleaned]
    )
    log_action(
        actor=actor,
        organisation=survey.programme.organisation,
        action="survey.answered" if created else "survey.answers_changed",
        target=survey,
        data={"enrolment": enrolment.pk},
    )
    emit(
        SurveyAnswered(
            organisation_id=survey.programme.organisation_id,
            survey_id=survey.pk,
            programme_id=survey.programme_id,
        )
    )
    return response


# --- Pulses ----------------------------------------------------------------------------


def checkin_settings_for(programme: Programme) -> CheckinSettings:
    settings, _created = CheckinSettings.objects.get_or_create(programme=programme)
    return settings


@transaction.atomic
def checkin_settings_update(
    *, programme: Programme, actor: User, meeting_pulse: bool
) -> CheckinSettings:
    settings = checkin_settings_for(programme)
    settings.meeting_pulse = meeting_pulse
    settings.save(update_fields=["meeting_pulse"])
    log_action(
        actor=actor,
        organisation=programme.organisation,
        action="checkins.settings_changed",
        target=programme,
        data={"meeting_pulse": meeting_pulse},
    )
    return settings


def midpoint_is_open(programme: Programme, now: datetime | None = None) -> bool:
    settings = CheckinSettings.objects.filter(programme=programme).first()
    if settings is not None and settings.midpoint_opened_at is not None:
        return programme.stage in (Stage.RUNNING, Stage.CLOSING)
    return programme.stage in (Stage.RUNNING, Stage.CLOSING) and organisation_today(
        programme, now
    ) >= programme_midpoint(programme)


def active_members(programme: Programme) -> list[RelationshipMember]:
    return list(
        RelationshipMember.objects.filter(
            relationship__programme=programme,
            relationship__status=Relationship.Status.ACTIVE,
            is_active=True,
            enrolment__status=EnrolmentStatus.ACTIVE,
        ).select_related("enrolment__person", "relationship")
    )


@transaction.atomic
def midpoint_open(*, programme: Programme, actor: User | None, now: datetime | None = None) -> int:
    """Ask everyone in an active relationship how it is going; returns how many were asked."""
    now = now or timezone.now()
    programme = Programme.objects.select_related("organisation").get(pk=programme.pk)
    if programme.stage not in (Stage.RUNNING, Stage.CLOSING):
        raise AlongsideError(
            _("The midpoint check-in runs while the programme is running."), code="invalid_stage"
        )
    settings = CheckinSettings.objects.select_for_update().get_or_create(programme=programme)[0]
    if settings.midpoint_opened_at is None:
        settings.midpoint_opened_at = now
        settings.save(update_fields=["midpoint_opened_at"])
    # Each member hears about it through the "midpoint_checkin" nudge.
    asked = len(active_members(programme))
    log_action(
        actor=actor,
        organisation=programme.organisation,
        action="checkins.midpoint_opened",
        target=programme,
        data={"asked": asked},
    )
    return asked


@transaction.atomic
def pulse_submit(
    *,
    member: RelationshipMember,
    actor: User,
    kind: str,
    rating: Any,
    blocking: str = "",
    meeting: Meeting | None = None,
) -> Pulse:
    """A participant's 1–5 "how is it going"; answering again replaces the earlier answer."""
    relationship = member.relationship
    programme = relationship.programme
    problems = []
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        problems.append(Problem(_("must be a whole number from 1 to 5."), "rating"))
    blocking = (blocking or "").strip()
    if len(blocking) > 2000:
        problems.append(Problem(_("is longer than 2,000 characters."), "blocking"))
    if problems:
        raise AlongsideError(
            "The check-in is not complete: " + "; ".join(str(p) for p in problems),
            problems=problems,
        )
    if not member.is_active or relationship.status != Relationship.Status.ACTIVE:
        raise AlongsideError(_("This relationship is no longer active."), code="inactive")
    if kind == Pulse.Kind.MIDPOINT:
        if not midpoint_is_open(programme):
            raise AlongsideError(
                _("The midpoint check-in opens on %(date)s.")
                % {"date": date_format(programme_midpoint(programme), "d F Y")},
                code="not_open_yet",
            )
        pulse, _created = Pulse.objects.update_or_create(
            member=member,
            kind=Pulse.Kind.MIDPOINT,
            defaults={
                "relationship": relationship,
                "rating": rating,
                "blocking": blocking,
                "created_at": timezone.now(),
            },
        )
    elif kind == Pulse.Kind.MEETING:
        if meeting is None or meeting.relationship_id != relationship.pk:
            raise _fail("is not a meeting of this relationship.", "meeting_id")
        if not checkin_settings_for(programme).meeting_pulse:
            raise AlongsideError(
                _("This programme does not ask for a pulse after meetings."), code="pulse_off"
            )
        if meeting.status != Meeting.Status.HELD and meeting.starts_at > timezone.now():
            raise AlongsideError(
                _("You can answer once the meeting has taken place."), code="not_open_yet"
            )
        pulse, _created = Pulse.objects.update_or_create(
            member=member,
            meeting=meeting,
            kind=Pulse.Kind.MEETING,
            defaults={
                "relationship": relationship,
                "rating": rating,
                "blocking": blocking,
                "created_at": timezone.now(),
            },
        )
    else:
        raise _fail("must be midpoint or meeting.", "kind")
    log_action(
        actor=actor,
        organisation=relationship.organisation,
        action="checkins.pulse",
        target=relationship,
        data={"kind": kind, "member": member.pk},
    )
    emit(
        PulseAnswered(
            organisation_id=relationship.organisation_id,
            relationship_id=relationship.pk,
            rating=rating,
        )
    )
    return pulse


@transaction.atomic
def survey_data_exported(*, programme: Programme, actor: User, identified: bool) -> None:
    """Exports leave a trace: who took the answers, and whether with names."""
    log_action(
        actor=actor,
        organisation=programme.organisation,
        action="survey.exported",
        target=programme,
        data={"identified": identified},
    )


@transaction.atomic
def survey_data_export_request(*, programme: Programme, actor: User, identified: bool) -> Export:
    """Queue the answers export for the worker; audited when asked for, as a download is."""
    from alongside.surveys.exporting import SURVEY_DATA

    survey_data_exported(programme=programme, actor=actor, identified=identified)
    suffix = "-named" if identified else ""
    return export_request(
        organisation=programme.organisation,
        actor=actor,
        kind=SURVEY_DATA,
        title=_("Survey answers: %(programme)s") % {"programme": programme.name},
        filename=f"survey-data-{programme.pk}{suffix}.csv",
        params={"programme_id": programme.pk, "identified": identified},
    )
