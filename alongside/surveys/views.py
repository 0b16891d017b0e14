"""Survey, check-in, outcomes and closing pages. Each view validates, calls one service."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from alongside.core.errors import AlongsideError, NotFound
from alongside.core.languages import shipped_languages
from alongside.core.messages import show_error
from alongside.organisations.models import Role
from alongside.organisations.tenancy import OrgRequest, org_view
from alongside.programmes.models import Programme
from alongside.programmes.selectors import my_enrolment, programme_get, programme_get_managed
from alongside.surveys import selectors
from alongside.surveys.closing import (
    closing_for,
    closing_schedule,
    closing_send_survey,
    programme_close,
)
from alongside.surveys.forms import (
    SCALE,
    CheckinSettingsForm,
    ClosingSessionForm,
    PulseForm,
    QuestionForm,
    QuestionLanguageForm,
    SurveyScheduleForm,
    lines,
)
from alongside.surveys.models import Pulse, Question, Survey
from alongside.surveys.services import (
    checkin_settings_for,
    checkin_settings_update,
    midpoint_is_open,
    midpoint_open,
    programme_midpoint,
    pulse_submit,
    question_add,
    question_remove,
    question_update,
    response_submit,
    survey_close,
    survey_data_export_request,
    survey_open,
    survey_set_schedule,
    surveys_ensure,
)

CHART_WIDTH = 300  # pixels for a 0–5 scale


def _survey(programme: Programme, survey_id: int) -> Survey:
    try:
        return selectors.survey_get(programme=programme, survey_id=survey_id)
    except NotFound as error:
        raise Http404(error.message) from error


def _setup(request: OrgRequest, programme: Programme) -> HttpResponse:
    return redirect("surveys:setup", org_slug=request.organisation.slug, programme_id=programme.pk)


# --- Participants ----------------------------------------------------------------------


@org_view()
def mine(request: OrgRequest) -> HttpResponse:
    """My surveys, the midpoint check-in where it is open, and links to my before/after."""
    members = list(selectors.my_members(membership=request.membership))
    answered = {
        p.member_id: p for p in Pulse.objects.filter(member__in=members, kind=Pulse.Kind.MIDPOINT)
    }
    checkins = []
    for member in members:
        programme = member.relationship.programme
        checkins.append(
            {
                "member": member,
                "open": midpoint_is_open(programme),
                "opens_on": programme_midpoint(programme),
                "pulse": answered.get(member.pk),
                "form": PulseForm(),
            }
        )
    return render(
        request,
        "surveys/mine.html",
        {
            "surveys": selectors.my_surveys(membership=request.membership),
            "checkins": checkins,
            "results": selectors.programmes_with_my_results(membership=request.membership),
            "scale": SCALE,
        },
    )


def _answers_from(post: Any, questions: list[Question]) -> dict[int, Any]:
    return {q.pk: post.get(f"q{q.pk}", "") for q in questions}


def _shown(survey: Survey, question: Question) -> dict[str, Any]:
    """A question as its reader sees it: the wording and each choice's label in their
    language (else the organisation's, else as first written); the value sent stays the
    choice as first written."""
    fallback = survey.programme.organisation.language
    labels = question.localised("choices", fallback)
    return {
        "text": question.localised("text", fallback),
        "options": list(zip(question.choices, labels, strict=True)),
    }


@org_view()
def fill(request: OrgRequest, survey_id: int) -> HttpResponse:
    try:
        survey, enrolment = selectors.survey_for_participant(
            membership=request.membership, survey_id=survey_id
        )
    except NotFound as error:
        # The programme's managers see the survey as participants will, without answering.
        preview = selectors.survey_for_manager(membership=request.membership, survey_id=survey_id)
        if preview is None:
            raise Http404(error.message) from error
        items = [
            {"question": q, "name": f"q{q.pk}", "value": "", "error": None, **_shown(preview, q)}
            for q in preview.questions.all()
        ]
        return render(
            request,
            "surveys/fill.html",
            {"survey": preview, "items": items, "scale": SCALE, "preview": True},
        )
    questions = list(survey.questions.all())
    response = survey.responses.filter(enrolment=enrolment).first()
    given: dict[int, Any] = {}
    if response is not None:
        for answer in response.answers.all():
            given[answer.question_id] = answer.rating if answer.rating is not None else answer.text
    errors: dict[int, str] = {}
    if request.method == "POST":
        given = _answers_from(request.POST, questions)
        try:
            response_submit(survey=survey, enrolment=enrolment, answers=given, actor=request.user)
        except AlongsideError as error:
            for problem in error.problems:
                key = (problem.field or "").removeprefix("answers.")
                if key.isdigit():
                    errors[int(key)] = problem.message
            show_error(request, error if not errors else _("Some answers need attention."))
        else:
            messages.success(request, _("Thank you — your answers are saved."))
            return redirect("surveys:mine", org_slug=request.organisation.slug)
    items = [
        {
            "question": q,
            "name": f"q{q.pk}",
            "value": str(given.get(q.pk, "")),
            "error": errors.get(q.pk),
            **_shown(survey, q),
        }
        for q in questions
    ]
    return render(
        request,
        "surveys/fill.html",
        {"survey": survey, "items": items, "scale": SCALE, "answered": response is not None},
    )


@org_view()
@require_POST
def midpoint(request: OrgRequest, relationship_id: int) -> HttpResponse:
    member = selectors.my_member_in(membership=request.membership, relationship_id=relationship_id)
    form = PulseForm(request.POST)
    if not form.is_valid():
        show_error(request, _("Choose a rating from 1 to 5."))
    else:
        try:
            pulse_submit(
                member=member,
                actor=request.user,
                kind=Pulse.Kind.MIDPOINT,
                rating=form.cleaned_data["rating"],
                blocking=form.cleaned_data["blocking"],
            )
        except AlongsideError as error:
            show_error(request, error)
        else:
            messages.success(request, _("Thanks — your check-in is with the programme's managers."))
    return redirect("surveys:mine", org_slug=request.organisation.slug)


@org_view()
@require_POST
def meeting_pulse(request: OrgRequest, meeting_id: int) -> HttpResponse:
    """The one-question pulse after a meeting; the form lives on the meeting page."""
    meeting, member = selectors.my_meeting(membership=request.membership, meeting_id=meeting_id)
    form = PulseForm(request.POST)
    if not form.is_valid():
        show_error(request, _("Choose a rating from 1 to 5."))
    else:
        try:
            pulse_submit(
                member=member,
                actor=request.user,
                kind=Pulse.Kind.MEETING,
                rating=form.cleaned_data["rating"],
                blocking=form.cleaned_data["blocking"],
                meeting=meeting,
            )
        except AlongsideError as error:
            show_error(request, error)
        else:
            messages.success(request, _("Thanks for the pulse."))
    back = request.POST.get("next", "")
    if back.startswith(f"/o/{request.organisation.slug}/") and "//" not in back:
        return redirect(back)
    return redirect("surveys:mine", org_slug=request.organisation.slug)


@org_view()
def my_results(request: OrgRequest, programme_id: int) -> HttpResponse:
    programme = programme_get(membership=request.membership, programme_id=programme_id)
    enrolment = my_enrolment(membership=request.membership, programme=programme)
    rows = selectors.my_before_after(enrolment=enrolment) if enrolment else []
    return render(
        request,
        "surveys/my_results.html",
        {
            "programme": programme,
            "rows": rows,
            "enrolled": enrolment is not None,
            "area_labels": programme.labels("capability_areas", programme.translation_fallback),
        },
    )


# --- Managers: setup -------------------------------------------------------------------


@org_view()
def setup(request: OrgRequest, programme_id: int) -> HttpResponse:
    programme = programme_get_managed(membership=request.membership, programme_id=programme_id)
    surveys_ensure(programme=programme)
    surveys = []
    for survey in selectors.surveys_for(programme=programme).prefetch_related("questions"):
        zone = ZoneInfo(programme.organisation.default_time_zone or "UTC")
        surveys.append(
            {
                "survey": survey,
                "add_form": QuestionForm(),
                "schedule_form": SurveyScheduleForm(
                    initial={
                        "opens_on": survey.opens_at.astimezone(zone).date()
                        if survey.opens_at
                        else None,
                        "closes_on": survey.closes_at.astimezone(zone).date()
                        if survey.closes_at
                        else None,
                    }
                ),
            }
        )
    settings = checkin_settings_for(programme)
    return render(
        request,
        "surveys/setup.html",
        {
            "programme": programme,
            "surveys": surveys,
            "rates": selectors.response_rates(programme=programme),
            "settings": settings,
            "settings_form": CheckinSettingsForm(initial={"meeting_pulse": settings.meeting_pulse}),
            "midpoint_on": programme_midpoint(programme),
        },
    )


@org_view()
@require_POST
def checkin_settings(request: OrgRequest, programme_id: int) -> HttpResponse:
    programme = programme_get_managed(membership=request.membership, programme_id=programme_id)
    form = CheckinSettingsForm(request.POST)
    form.is_valid()
    checkin_settings_update(
        programme=programme,
        actor=request.user,
        meeting_pulse=bool(form.cleaned_data.get("meeting_pulse")),
    )
    messages.success(request, _("Check-in settings saved."))
    return _setup(request, programme)


@org_view()
@require_POST
def midpoint_now(request: OrgRequest, programme_id: int) -> HttpResponse:
    programme = programme_get_managed(membership=request.membership, programme_id=programme_id)
    try:
        sent = midpoint_open(programme=programme, actor=request.user)
    except AlongsideError as error:
        show_error(request, error)
    else:
        messages.success(
            request,
            _("The midpoint check-in is open; %(sent)s people are asked by email.")
            % {"sent": sent},
        )
    return _setup(request, programme)


@org_view()
@require_POST
def question_new(request: OrgRequest, programme_id: int, survey_id: int) -> HttpResponse:
    programme = programme_get_managed(membership=request.membership, programme_id=programme_id)
    survey = _survey(programme, survey_id)
    form = QuestionForm(request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            show_error(request, f"{field}: {' '.join(str(e) for e in errors)}")
        return _setup(request, programme)
    try:
        question_add(
            survey=survey,
            actor=request.user,
            kind=form.cleaned_data["kind"],
            text=form.cleaned_data["text"],
            choices=lines(form.cleaned_data["choices"]),
            required=form.cleaned_data["required"],
        )
    except AlongsideError as error:
        show_error(request, error)
    else:
        messages.success(request, _("Question added."))
    return _setup(request, programme)


@org_view()
def question_edit(
    request: OrgRequest, programme_id: int, survey_id: int, question_id: int
) -> HttpResponse:
    programme = programme_get_managed(membership=request.membership, programme_id=programme_id)
    survey = _survey(programme, survey_id)
    question = selectors.question_get(survey=survey, question_id=question_id)
    languages = dict(shipped_languages())
    source_language = programme.source_language
    asked = request.POST.get("language") or request.GET.get("language") or source_language
    language = asked if asked in languages else source_language
    form: QuestionForm | QuestionLanguageForm
    if language == source_language:
        form = QuestionForm(
            request.POST or None,
            fixed_kind=question.kind,
            initial={
                "text": question.text,
                "choices": "\n".join(question.choices),
                "required": question.required,
            },
        )
    else:
        form = QuestionLanguageForm(
            request.POST or None,
            question=question,
            language=language,
            language_name=languages[language],
        )
    if request.method == "POST" and form.is_valid():
        try:
            if isinstance(form, QuestionLanguageForm):
                question_update(
                    question=question, actor=request.user, translations=form.translations()
                )
            else:
                question_update(
                    question=question,
                    actor=request.user,
                    text=form.cleaned_data["text"],
                    choices=lines(form.cleaned_data.get("choices", "")),
                    required=form.cleaned_data.get("required"),
                )
        except AlongsideError as error:
            form.add_error(None, error.message)
            for problem in error.problems:
                form.add_error(None, str(problem))
        else:
            messages.success(request, _("Question saved."))
            return _setup(request, programme)
    written = set(question.written_languages()) | {source_language}
    return render(
        request,
        "surveys/question_edit.html",
        {
            "programme": programme,
            "survey": survey,
            "question": question,
            "form": form,
            "languages": languages,
            "language": language,
            "language_name": languages[language],
            "source_language": source_language,
            "area_label": programme.labels("capability_areas", source_language).get(
                question.capability_area, question.capability_area
            ),
            "written": [name for code, name in languages.items() if code in written],
            "falling_back": [name for code, name in languages.items() if code not in written],
        },
    )


@org_view()
@require_POST
def question_delete(
    request: OrgRequest, programme_id: int, survey_id: int, question_id: int
) -> HttpResponse:
    programme = programme_get_managed(membership=request.membership, programme_id=programme_id)
    survey = _survey(programme, survey_id)
    question = selectors.question_get(survey=survey, question_id=question_id)
    try:
        question_remove(question=question, actor=request.user)
    except AlongsideError as error:
        show_error(request, error)
    else:
        messages.success(request, _("Question removed."))
    return _setup(request, programme)


@org_view()
@require_POST
def survey_state(request: OrgRequest, programme_id: int, survey_id: int) -> HttpResponse:
    """Open or close a survey (``action`` = open | close)."""
    programme = programme_get_managed(membership=request.membership, programme_id=programme_id)
    survey = _survey(programme, survey_id)
    action = request.POST.get("action", "")
    try:
        if action == "open":
            survey = survey_open(survey=survey, actor=request.user)
        elif action == "close":
            survey = survey_close(survey=survey, actor=request.user)
        else:
            raise AlongsideError(_("Choose to open or to close the survey."))
    except AlongsideError as error:
        show_error(request, error)
    else:
        messages.success(
            request,
            _("The %(lower)s is %(lower2)s.")
            % {
                "lower": survey.get_kind_display().lower(),
                "lower2": survey.get_status_display().lower(),
            },
        )
    return _setup(request, programme)


@org_view()
@require_POST
def survey_schedule(request: OrgRequest, programme_id: int, survey_id: int) -> HttpResponse:
    programme = programme_get_managed(membership=request.membership, programme_id=programme_id)
    survey = _survey(programme, survey_id)
    form = SurveyScheduleForm(request.POST)
    if not form.is_valid():
        show_error(request, _("Give the dates as YYYY-MM-DD."))
        return _setup(request, programme)
    zone = ZoneInfo(programme.organisation.default_time_zone or "UTC")

    def morning(day: Any) -> datetime | None:
        return datetime.combine(day, time(9, 0), tzinfo=zone) if day else None

    try:
        survey_set_schedule(
            survey=survey,
            actor=request.user,
            opens_at=morning(form.cleaned_data["opens_on"]),
            closes_at=morning(form.cleaned_data["closes_on"]),
        )
    except AlongsideError as error:
        show_error(request, error)
    else:
        messages.success(request, _("Dates saved."))
    return _setup(request, programme)


# --- Managers: outcomes, export, closing -----------------------------------------------


def chart(report: dict[str, Any]) -> list[dict[str, Any]]:
    """Bar geometry for the start/end means of each area (a 0–5 scale)."""
    scale = CHART_WIDTH / 5
    rows = []
    for area in report["areas"]:
        if area["suppressed"]:
            rows.append({"area": area, "suppressed": True})
            continue
        start, end = area["mean_start"] * scale, area["mean_end"] * scale
        # SVG numbers as text with a dot, whatever the locale the page renders in.
        rows.append(
            {
                "area": area,
                "suppressed": False,
                "start_width": f"{start:.1f}",
                "end_width": f"{end:.1f}",
                "start_label_x": f"{start + 4:.1f}",
                "end_label_x": f"{end + 4:.1f}",
            }
        )
    return rows


@org_view()
def outcomes(request: OrgRequest, programme_id: int) -> HttpResponse:
    programme = programme_get_managed(membership=request.membership, programme_id=programme_id)
    report = selectors.outcomes_report(programme=programme)
    return render(
        request,
        "surveys/outcomes.html",
        {
            "programme": programme,
            "report": report,
            "area_labels": programme.labels("capability_areas", programme.translation_fallback),
            "chart": chart(report),
            "chart_width": CHART_WIDTH,
            "ticks": [{"value": v, "x": f"{v * CHART_WIDTH / 5:.1f}"} for v in range(6)],
            "dimension_labels": {
                "department": _("By department"),
                "location": _("By location"),
                "role": _("By role in the programme"),
            },
            "can_identify": request.membership.role == Role.ADMIN,
            # Stored as ISO text (a frozen report is JSON); shown as a date and time.
            "generated_at": datetime.fromisoformat(report["generated_at"]),
        },
    )


@org_view()
@require_POST
def export(request: OrgRequest, programme_id: int) -> HttpResponse:
    """All answers as CSV, one row per answer, made by the worker; names only for admins."""
    programme = programme_get_managed(membership=request.membership, programme_id=programme_id)
    identified = request.POST.get("identified") == "1"
    if identified and request.membership.role != Role.ADMIN:
        raise PermissionDenied(_("Only organisation admins can export answers with names."))
    made = survey_data_export_request(
        programme=programme, actor=request.user, identified=identified
    )
    return redirect("exports:detail", org_slug=request.organisation.slug, export_id=made.pk)


@org_view()
def closing(request: OrgRequest, programme_id: int) -> HttpResponse:
    programme = programme_get_managed(membership=request.membership, programme_id=programme_id)
    state = closing_for(programme)
    end = next(s for s in surveys_ensure(programme=programme) if s.kind == Survey.Kind.END)
    zone = state.session_timezone or programme.organisation.default_time_zone or "UTC"
    local = state.session_at.astimezone(ZoneInfo(zone)) if state.session_at else None
    form = ClosingSessionForm(
        initial={
            "date": local.date() if local else programme.end_date,
            "time": local.time() if local else time(10, 0),
            "timezone": zone,
            "details": state.session_details,
        }
    )
    return render(
        request,
        "surveys/closing.html",
        {
            "programme": programme,
            "closing": state,
            "session_local": local,
            "end_survey": end,
            "rates": selectors.response_rates(programme=programme),
            "form": form,
            "continuing": selectors.continuing_choices(programme=programme),
        },
    )


def _closing_page(request: OrgRequest, programme: Programme) -> HttpResponse:
    return redirect(
        "surveys:closing", org_slug=request.organisation.slug, programme_id=programme.pk
    )


@org_view()
@require_POST
def closing_session(request: OrgRequest, programme_id: int) -> HttpResponse:
    programme = programme_get_managed(membership=request.membership, programme_id=programme_id)
    form = ClosingSessionForm(request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            show_error(request, f"{field}: {' '.join(str(e) for e in errors)}")
        return _closing_page(request, programme)
    data = form.cleaned_data
    try:
        closing_schedule(
            programme=programme,
            actor=request.user,
            session_at=datetime.combine(data["date"], data["time"]),
            timezone_name=data["timezone"],
            details=data["details"],
        )
    except AlongsideError as error:
        show_error(request, error)
    else:
        messages.success(
            request, _("The closing session is scheduled; participants are told by email.")
        )
    return _closing_page(request, programme)


@org_view()
@require_POST
def closing_survey(request: OrgRequest, programme_id: int) -> HttpResponse:
    programme = programme_get_managed(membership=request.membership, programme_id=programme_id)
    try:
        closing_send_survey(programme=programme, actor=request.user)
    except AlongsideError as error:
        show_error(request, error)
    else:
        messages.success(request, _("The closing survey is open; participants are asked by email."))
    return _closing_page(request, programme)


@org_view()
@require_POST
def closing_close(request: OrgRequest, programme_id: int) -> HttpResponse:
    programme = programme_get_managed(membership=request.membership, programme_id=programme_id)
    if request.POST.get("confirm") != "yes":
        show_error(request, _("Tick the box to confirm: closing cannot be undone."))
        return _closing_page(request, programme)
    try:
        programme_close(programme=programme, actor=request.user)
    except AlongsideError as error:
        show_error(request, error)
        return _closing_page(request, programme)
    messages.success(
        request,
        _("%(programme)s is closed and its report is frozen.") % {"programme": programme.name},
    )
    return redirect(reverse("surveys:outcomes", args=[request.organisation.slug, programme.pk]))
