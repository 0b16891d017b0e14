import io
from datetime import date, datetime
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Router, Status
from ninja.pagination import paginate

from alongside.accounts.api_auth import request_user
from alongside.core.api_pagination import Pagination
from alongside.core.errors import Forbidden, NotFound
from alongside.core.schemas import ERRORS, Schema
from alongside.exports.api import ExportOut
from alongside.organisations.api_auth import membership_for
from alongside.organisations.models import Role
from alongside.programmes.models import Enrolment, Programme
from alongside.programmes.selectors import (
    can_manage,
    my_enrolment,
    programme_get,
    programme_get_managed,
)
from alongside.spreadsheets.cells import SafeCsvWriter
from alongside.surveys import selectors
from alongside.surveys.closing import (
    closing_for,
    closing_schedule,
    closing_send_survey,
    programme_close,
)
from alongside.surveys.models import Closing, Pulse, Question, Survey
from alongside.surveys.services import (
    checkin_settings_for,
    checkin_settings_update,
    midpoint_open,
    programme_midpoint,
    pulse_submit,
    question_add,
    question_remove,
    question_update,
    response_submit,
    survey_close,
    survey_data_export_request,
    survey_data_exported,
    survey_open,
    survey_set_schedule,
    surveys_ensure,
)

router = Router(tags=["surveys"])

PROGRAMME = "/{org_slug}/programmes/{int:programme_id}"
SURVEY = PROGRAMME + "/surveys/{int:survey_id}"


def _fallback(question: Question) -> str:
    return question.survey.programme.organisation.language


class QuestionOut(Schema):
    id: int
    kind: str
    capability_area: str = Field(description="The area as first written (its identifier).")
    capability_area_label: str = Field(description="The area in the reader's language.")
    text: str = Field(
        description="In the reader's language, else the organisation's, else as first written."
    )
    original_text: str = Field(description="As first written (what text in PATCH sets).")
    choices: list[str] = Field(description="As first written: the values an answer gives.")
    choice_labels: list[str] = Field(description="The choices as the reader sees them.")
    translations: dict[str, dict[str, Any]] = Field(
        description='Written in other languages: {"hi": {"text": …, "choices": […]}}.'
    )
    required: bool
    position: int
    source: str

    @staticmethod
    def resolve_capability_area_label(question: Question) -> str:
        if not question.capability_area:
            return ""
        programme = question.survey.programme
        labels = programme.labels("capability_areas", _fallback(question))
        return labels.get(question.capability_area, question.capability_area)

    @staticmethod
    def resolve_text(question: Question) -> str:
        return str(question.localised("text", _fallback(question)))

    @staticmethod
    def resolve_original_text(question: Question) -> str:
        return question.text

    @staticmethod
    def resolve_choice_labels(question: Question) -> list[str]:
        return list(question.localised("choices", _fallback(question)))


class SurveyOut(Schema):
    id: int
    kind: str
    status: str
    opens_at: datetime | None
    closes_at: datetime | None
    opened_at: datetime | None
    closed_at: datetime | None
    responses: int
    questions: list[QuestionOut]


TRANSLATIONS_IN = Field(
    default=None,
    description='Languages to replace: {"hi": {"text": …, "choices": [one for each choice, '
    "in order]}}; a language sent null is removed and falls back.",
)


class QuestionIn(Schema):
    kind: str
    text: str
    choices: list[str] = []
    required: bool = False
    translations: dict[str, Any] | None = TRANSLATIONS_IN


class QuestionPatch(Schema):
    text: str | None = None
    choices: list[str] | None = None
    required: bool | None = None
    translations: dict[str, Any] | None = TRANSLATIONS_IN


class SurveySchedulePatch(Schema):
    opens_at: datetime | None = None
    closes_at: datetime | None = None


class AnswerIn(Schema):
    question_id: int
    rating: int | None = None
    text: str = ""


class ResponseIn(Schema):
    answers: list[AnswerIn]


class AnswerOut(Schema):
    question_id: int
    rating: int | None
    text: str


class MyResponseOut(Schema):
    survey_id: int
    submitted_at: datetime
    answers: list[AnswerOut]


class MySurveyOut(Schema):
    id: int
    programme_id: int
    programme_name: str
    kind: str
    status: str
    closes_at: datetime | None
    answered_at: datetime | None


class PulseIn(Schema):
    kind: str
    rating: int
    blocking: str = ""
    meeting_id: int | None = None


class PulseOut(Schema):
    id: int
    relationship_id: int
    meeting_id: int | None
    kind: str
    rating: int
    blocking: str
    created_at: datetime


class CheckinsOut(Schema):
    meeting_pulse: bool
    midpoint_on: date
    midpoint_opened_at: datetime | None


class CheckinsIn(Schema):
    meeting_pulse: bool


class MidpointOpenedOut(Schema):
    asked: int


class AreaChangeOut(Schema):
    area: str
    paired: int
    suppressed: bool
    mean_start: float | None
    mean_end: float | None
    mean_change: float | None
    share_improved: float | None
    share_declined: float | None


class GroupRowOut(Schema):
    group: str
    areas: list[AreaChangeOut]


class RateOut(Schema):
    invited: int
    responded: int
    rate: float | None


class ResponsesOut(Schema):
    start: RateOut
    end: RateOut
    midpoint: RateOut


class ActivityOut(Schema):
    relationships: int
    meetings_held: int
    relationships_meeting: int
    commitments_made: int
    commitments_reviewed: int
    commitments_kept: int
    share_kept: float | None
    pulse_answers: int
    pulse_mean: float | None
    pulse_low: int | None


class ProgrammeRefOut(Schema):
    id: int
    name: str
    stage: str


class OutcomesOut(Schema):
    """Figures for fewer than ``threshold`` people are withheld (``suppressed``)."""

    programme: ProgrammeRefOut
    generated_at: datetime
    frozen: bool
    threshold: int
    areas: list[AreaChangeOut]
    breakdowns: dict[str, list[GroupRowOut]]
    responses: ResponsesOut
    activity: ActivityOut


class PersonalChangeOut(Schema):
    area: str
    start: int | None
    end: int | None
    change: int | None


class ClosingOut(Schema):
    session_at: datetime | None
    session_timezone: str
    session_details: str
    survey_sent_at: datetime | None
    closed_at: datetime | None
    programme_stage: str


class ClosingSessionIn(Schema):
    session_at: datetime
    timezone: str
    details: str = ""


CSV_RESPONSE = {
    "responses": {
        "200": {
            "description": "One row per answer (UTF-8 CSV); respondents by pseudonym unless "
            "an organisation admin asks for identified=true.",
            "content": {"text/csv": {"schema": {"type": "string"}}},
        }
    }
}


def _managed(request: HttpRequest, org_slug: str, programme_id: int) -> Programme:
    membership = membership_for(request, org_slug)
    return programme_get_managed(membership=membership, programme_id=programme_id)


def _survey_out(survey: Survey) -> dict[str, Any]:
    return {
        "id": survey.pk,
        "kind": survey.kind,
        "status": survey.status,
        "opens_at": survey.opens_at,
        "closes_at": survey.closes_at,
        "opened_at": survey.opened_at,
        "closed_at": survey.closed_at,
        "responses": getattr(survey, "response_count", None)
        if hasattr(survey, "response_count")
        else survey.responses.count(),
        "questions": list(survey.questions.all()),
    }


def _closing_out(closing: Closing, programme: Programme) -> dict[str, Any]:
    return {
        "session_at": closing.session_at,
        "session_timezone": closing.session_timezone,
        "session_details": closing.session_details,
        "survey_sent_at": closing.survey_sent_at,
        "closed_at": closing.closed_at,
        "programme_stage": programme.stage,
    }


# --- Managers --------------------------------------------------------------------------


@router.get(
    f"{PROGRAMME}/surveys",
    response={200: list[SurveyOut], **ERRORS},
    summary="The programme's start and end surveys with their questions",
)
@paginate(Pagination)
def list_surveys(request: HttpRequest, org_slug: str, programme_id: int) -> Any:
    programme = _managed(request, org_slug, programme_id)
    surveys_ensure(programme=programme)
    return [
        _survey_out(s)
        for s in selectors.surveys_for(programme=programme).prefetch_related("questions")
    ]


@router.get(
    SURVEY,
    response={200: SurveyOut, **ERRORS},
    summary="One survey; participants see it once it is open",
)
def get_survey(request: HttpRequest, org_slug: str, programme_id: int, survey_id: int) -> Any:
    membership = membership_for(request, org_slug)
    programme = programme_get(membership=membership, programme_id=programme_id)
    if can_manage(membership=membership, programme=programme):
        return _survey_out(selectors.survey_get(programme=programme, survey_id=survey_id))
    survey, _enrolment = selectors.survey_for_participant(
        membership=membership, survey_id=survey_id
    )
    if survey.programme_id != programme.pk:
        raise Http404("No such survey.")
    return _survey_out(survey)


@router.patch(
    SURVEY,
    response={200: SurveyOut, **ERRORS},
    summary="Set when a survey opens by itself and when it closes",
)
def schedule_survey(
    request: HttpRequest,
    org_slug: str,
    programme_id: int,
    survey_id: int,
    body: SurveySchedulePatch,
) -> Any:
    programme = _managed(request, org_slug, programme_id)
    survey = selectors.survey_get(programme=programme, survey_id=survey_id)
    survey = survey_set_schedule(
        survey=survey, actor=request_user(request), opens_at=body.opens_at, closes_at=body.closes_at
    )
    return _survey_out(survey)


@router.post(
    f"{SURVEY}/open",
    response={200: SurveyOut, **ERRORS},
    summary="Open a survey now and email every participant once",
)
def open_survey(request: HttpRequest, org_slug: str, programme_id: int, survey_id: int) -> Any:
    programme = _managed(request, org_slug, programme_id)
    survey = selectors.survey_get(programme=programme, survey_id=survey_id)
    return _survey_out(survey_open(survey=survey, actor=request_user(request)))


@router.post(
    f"{SURVEY}/close",
    response={200: SurveyOut, **ERRORS},
    summary="Close an open survey",
)
def close_survey(request: HttpRequest, org_slug: str, programme_id: int, survey_id: int) -> Any:
    programme = _managed(request, org_slug, programme_id)
    survey = selectors.survey_get(programme=programme, survey_id=survey_id)
    return _survey_out(survey_close(survey=survey, actor=request_user(request)))


@router.post(
    f"{SURVEY}/questions",
    response={201: QuestionOut, **ERRORS},
    summary="Add a question (rating, text or choice) before the survey opens",
)
def add_question(
    request: HttpRequest, org_slug: str, programme_id: int, survey_id: int, body: QuestionIn
) -> Any:
    programme = _managed(request, org_slug, programme_id)
    survey = selectors.survey_get(programme=programme, survey_id=survey_id)
    question = question_add(
        survey=survey,
        actor=request_user(request),
        kind=body.kind,
        text=body.text,
        choices=body.choices,
        required=body.required,
        translations=body.translations,
    )
    return Status(201, question)


def _question(
    request: HttpRequest, org_slug: str, programme_id: int, survey_id: int, question_id: int
) -> Question:
    programme = _managed(request, org_slug, programme_id)
    survey = selectors.survey_get(programme=programme, survey_id=survey_id)
    return selectors.question_get(survey=survey, question_id=question_id)


@router.patch(
    f"{SURVEY}/questions/{{int:question_id}}",
    response={200: QuestionOut, **ERRORS},
    summary="Change a question's wording, options or whether it is required",
)
def change_question(
    request: HttpRequest,
    org_slug: str,
    programme_id: int,
    survey_id: int,
    question_id: int,
    body: QuestionPatch,
) -> Any:
    question = _question(request, org_slug, programme_id, survey_id, question_id)
    return question_update(
        question=question,
        actor=request_user(request),
        text=body.text,
        choices=body.choices,
        required=body.required,
        translations=body.translations,
    )


@router.delete(
    f"{SURVEY}/questions/{{int:question_id}}",
    response={204: None, **ERRORS},
    summary="Remove an added or reflection question before the survey opens",
)
def delete_question(
    request: HttpRequest, org_slug: str, programme_id: int, survey_id: int, question_id: int
) -> Any:
    question = _question(request, org_slug, programme_id, survey_id, question_id)
    question_remove(question=question, actor=request_user(request))
    return Status(204, None)


@router.get(
    f"{PROGRAMME}/check-ins",
    response={200: CheckinsOut, **ERRORS},
    summary="Check-in settings: the per-meeting pulse and the midpoint",
)
def get_checkins(request: HttpRequest, org_slug: str, programme_id: int) -> Any:
    programme = _managed(request, org_slug, programme_id)
    settings = checkin_settings_for(programme)
    return {
        "meeting_pulse": settings.meeting_pulse,
        "midpoint_on": programme_midpoint(programme),
        "midpoint_opened_at": settings.midpoint_opened_at,
    }


@router.put(
    f"{PROGRAMME}/check-ins",
    response={200: CheckinsOut, **ERRORS},
    summary="Switch the one-question pulse after each meeting on or off",
)
def set_checkins(request: HttpRequest, org_slug: str, programme_id: int, body: CheckinsIn) -> Any:
    programme = _managed(request, org_slug, programme_id)
    settings = checkin_settings_update(
        programme=programme, actor=request_user(request), meeting_pulse=body.meeting_pulse
    )
    return {
        "meeting_pulse": settings.meeting_pulse,
        "midpoint_on": programme_midpoint(programme),
        "midpoint_opened_at": settings.midpoint_opened_at,
    }


@router.post(
    f"{PROGRAMME}/check-ins/midpoint",
    response={200: MidpointOpenedOut, **ERRORS},
    summary="Open the midpoint check-in now (it also opens by itself at the midpoint)",
)
def open_midpoint(request: HttpRequest, org_slug: str, programme_id: int) -> Any:
    programme = _managed(request, org_slug, programme_id)
    return {"asked": midpoint_open(programme=programme, actor=request_user(request))}


@router.get(
    f"{PROGRAMME}/outcomes",
    response={200: OutcomesOut, **ERRORS},
    summary="The outcomes report: change per capability area, breakdowns, response rates",
)
def outcomes(request: HttpRequest, org_slug: str, programme_id: int) -> Any:
    programme = _managed(request, org_slug, programme_id)
    return selectors.outcomes_report(programme=programme)


@router.get(
    f"{PROGRAMME}/survey-data",
    response={**ERRORS},
    openapi_extra=CSV_RESPONSE,
    summary="All survey answers as CSV, one row per answer",
    description=(
        "Made inside the request: for large programmes, POST to survey-data/exports "
        "instead and the worker makes the file, with progress."
    ),
)
def export_csv(
    request: HttpRequest, org_slug: str, programme_id: int, identified: bool = False
) -> Any:
    membership = membership_for(request, org_slug)
    programme = programme_get_managed(membership=membership, programme_id=programme_id)
    if identified and membership.role != Role.ADMIN:
        raise Forbidden(_("Only organisation admins can export answers with names."))
    survey_data_exported(programme=programme, actor=request_user(request), identified=identified)
    buffer = io.StringIO()
    writer = SafeCsvWriter(buffer)
    for row in selectors.export_rows(programme=programme, identified=identified):
        writer.writerow(row)
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="survey-data-{programme.pk}.csv"'
    return response


@router.post(
    f"{PROGRAMME}/survey-data/exports",
    response={202: ExportOut, **ERRORS},
    summary="Have the worker make the survey answers CSV; poll the answer's url for the file",
)
def export_csv_later(
    request: HttpRequest, org_slug: str, programme_id: int, identified: bool = False
) -> Status[ExportOut]:
    membership = membership_for(request, org_slug)
    programme = programme_get_managed(membership=membership, programme_id=programme_id)
    if identified and membership.role != Role.ADMIN:
        raise Forbidden("Only organisation admins can export answers with names.")
    made = survey_data_export_request(
        programme=programme, actor=request_user(request), identified=identified
    )
    return Status(202, ExportOut.of(made, org_slug))


@router.get(
    f"{PROGRAMME}/closing",
    response={200: ClosingOut, **ERRORS},
    summary="Where the closing stands: session, closing survey, closed",
)
def get_closing(request: HttpRequest, org_slug: str, programme_id: int) -> Any:
    programme = _managed(request, org_slug, programme_id)
    return _closing_out(closing_for(programme), programme)


@router.put(
    f"{PROGRAMME}/closing/session",
    response={200: ClosingOut, **ERRORS},
    summary="Schedule the closing session (a local time in the given time zone)",
)
def schedule_closing_session(
    request: HttpRequest, org_slug: str, programme_id: int, body: ClosingSessionIn
) -> Any:
    programme = _managed(request, org_slug, programme_id)
    closing = closing_schedule(
        programme=programme,
        actor=request_user(request),
        session_at=body.session_at,
        timezone_name=body.timezone,
        details=body.details,
    )
    return _closing_out(closing, programme)


@router.post(
    f"{PROGRAMME}/closing/survey",
    response={200: SurveyOut, **ERRORS},
    summary="Move into closing and send the closing (end) survey",
)
def send_closing_survey(request: HttpRequest, org_slug: str, programme_id: int) -> Any:
    programme = _managed(request, org_slug, programme_id)
    return _survey_out(closing_send_survey(programme=programme, actor=request_user(request)))


@router.post(
    f"{PROGRAMME}/closing/close",
    response={200: ClosingOut, **ERRORS},
    summary="Close the programme: relationships end unless continued; the report freezes",
)
def close_programme(request: HttpRequest, org_slug: str, programme_id: int) -> Any:
    programme = _managed(request, org_slug, programme_id)
    closing = programme_close(programme=programme, actor=request_user(request))
    programme.refresh_from_db()
    return _closing_out(closing, programme)


# --- Participants ----------------------------------------------------------------------


@router.get(
    "/{org_slug}/surveys/mine",
    response={200: list[MySurveyOut], **ERRORS},
    summary="My open and closed surveys across my programmes",
)
@paginate(Pagination)
def my_surveys(request: HttpRequest, org_slug: str) -> Any:
    membership = membership_for(request, org_slug)
    return [
        {
            "id": item["survey"].pk,
            "programme_id": item["survey"].programme_id,
            "programme_name": item["survey"].programme.name,
            "kind": item["survey"].kind,
            "status": item["survey"].status,
            "closes_at": item["survey"].closes_at,
            "answered_at": item["answered_at"],
        }
        for item in selectors.my_surveys(membership=membership)
    ]


def _participant_survey(
    request: HttpRequest, org_slug: str, programme_id: int, survey_id: int
) -> tuple[Survey, Enrolment]:
    membership = membership_for(request, org_slug)
    programme_get(membership=membership, programme_id=programme_id)
    survey, enrolment = selectors.survey_for_participant(membership=membership, survey_id=survey_id)
    if survey.programme_id != programme_id:
        raise NotFound(_("No such survey for you."))
    return survey, enrolment


def _my_response_out(survey: Survey, enrolment: Enrolment) -> dict[str, Any]:
    response = survey.responses.filter(enrolment=enrolment).first()
    if response is None:
        raise NotFound(_("You have not answered this survey."))
    return {
        "survey_id": survey.pk,
        "submitted_at": response.submitted_at,
        "answers": [
            {"question_id": a.question_id, "rating": a.rating, "text": a.text}
            for a in response.answers.all()
        ],
    }


@router.get(
    f"{SURVEY}/my-response",
    response={200: MyResponseOut, **ERRORS},
    summary="My answers to a survey",
)
def get_my_response(request: HttpRequest, org_slug: str, programme_id: int, survey_id: int) -> Any:
    survey, enrolment = _participant_survey(request, org_slug, programme_id, survey_id)
    return _my_response_out(survey, enrolment)


@router.put(
    f"{SURVEY}/my-response",
    response={200: MyResponseOut, **ERRORS},
    summary="Answer an open survey (answering again replaces my answers)",
)
def put_my_response(
    request: HttpRequest, org_slug: str, programme_id: int, survey_id: int, body: ResponseIn
) -> Any:
    survey, enrolment = _participant_survey(request, org_slug, programme_id, survey_id)
    answers: dict[int, Any] = {
        a.question_id: a.rating if a.rating is not None else a.text for a in body.answers
    }
    response_submit(
        survey=survey, enrolment=enrolment, answers=answers, actor=request_user(request)
    )
    return _my_response_out(survey, enrolment)


@router.get(
    f"{PROGRAMME}/outcomes/mine",
    response={200: list[PersonalChangeOut], **ERRORS},
    summary="My own before and after per capability area",
)
@paginate(Pagination)
def my_outcomes(request: HttpRequest, org_slug: str, programme_id: int) -> Any:
    membership = membership_for(request, org_slug)
    programme = programme_get(membership=membership, programme_id=programme_id)
    enrolment = my_enrolment(membership=membership, programme=programme)
    if enrolment is None:
        raise NotFound(_("You do not take part in this programme."))
    return selectors.my_before_after(enrolment=enrolment)


@router.post(
    "/{org_slug}/relationships/{int:relationship_id}/pulses",
    response={201: PulseOut, **ERRORS},
    summary="Answer the midpoint check-in or the pulse after a meeting (1–5)",
)
def submit_pulse(request: HttpRequest, org_slug: str, relationship_id: int, body: PulseIn) -> Any:
    membership = membership_for(request, org_slug)
    member = selectors.my_member_in(membership=membership, relationship_id=relationship_id)
    meeting = None
    if body.kind == Pulse.Kind.MEETING and body.meeting_id is not None:
        meeting, _member = selectors.my_meeting(membership=membership, meeting_id=body.meeting_id)
    pulse = pulse_submit(
        member=member,
        actor=request_user(request),
        kind=body.kind,
        rating=body.rating,
        blocking=body.blocking,
        meeting=meeting,
    )
    return Status(201, pulse)
