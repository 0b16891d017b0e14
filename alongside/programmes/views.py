from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.dates import WEEKDAYS, WEEKDAYS_ABBR
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from alongside.core.errors import AlongsideError, NotFound
from alongside.core.languages import shipped_languages
from alongside.core.messages import problems_for_form, show_error
from alongside.core.pagination import paginate
from alongside.organisations.tenancy import MANAGERS, OrgRequest, org_view
from alongside.people.account_state import LABELS as ACCOUNT_LABELS
from alongside.people.models import Person
from alongside.people.selectors import PeopleFilters, people_filter_options, people_list
from alongside.people.visibility import audience_of
from alongside.programmes.format_defaults import TEMPLATES, TOPIC_LIMITS, rules_for
from alongside.programmes.forms import (
    RULES_BY_FORMAT,
    DirectoryFilterForm,
    EnrolCsvForm,
    EnrolForm,
    IntakeForm,
    JoinForm,
    ProgrammeCreateForm,
    ProgrammeEditForm,
    ProgrammeLanguageForm,
    WithdrawForm,
    form_cells,
)
from alongside.programmes.invitations import programme_invite_not_signed_in
from alongside.programmes.models import (
    ALLOWED_TRANSITIONS,
    Enrolment,
    EnrolmentStatus,
    Programme,
    Stage,
)
from alongside.programmes.selectors import (
    can_manage,
    enrolment_counts,
    enrolments_for,
    intake_progress,
    my_enrolment,
    programme_get,
    programme_get_managed,
    programmes_visible,
)
from alongside.programmes.services import (
    enrolment_add,
    enrolment_import_emails,
    enrolment_withdraw,
    intake_save,
    intake_send_reminders,
    programme_create,
    programme_set_managers,
    programme_transition,
    programme_update,
    self_enrol,
    self_enrol_set_open,
)

STAGE_ACTIONS: dict[tuple[str, str], tuple[Any, Any]] = {
    (Stage.DRAFT, Stage.ENROLLING): (
        gettext_lazy("Open enrolment"),
        gettext_lazy("Enrol people and ask them to fill in their intake."),
    ),
    (Stage.ENROLLING, Stage.MATCHING): (
        gettext_lazy("Close enrolment and start matching"),
        gettext_lazy(
            "The self-enrolment link closes; you then run, review and publish the matches."
        ),
    ),
    (Stage.ENROLLING, Stage.DRAFT): (
        gettext_lazy("Back to draft"),
        gettext_lazy("Pause enrolment while you rework the programme; enrolments are kept."),
    ),
    (Stage.MATCHING, Stage.RUNNING): (
        gettext_lazy("Start running"),
        gettext_lazy("Published relationships begin meeting on the programme's rhythm."),
    ),
    (Stage.MATCHING, Stage.ENROLLING): (
        gettext_lazy("Reopen enrolment"),
        gettext_lazy("Add more people before you publish the matches."),
    ),
    (Stage.RUNNING, Stage.CLOSING): (
        gettext_lazy("Begin closing"),
        gettext_lazy("Time for the closing sessions and the end survey."),
    ),
    (Stage.RUNNING, Stage.MATCHING): (
        gettext_lazy("Back to matching"),
        gettext_lazy("Match late joiners or rematches; running relationships carry on."),
    ),
    (Stage.CLOSING, Stage.CLOSED): (
        gettext_lazy("Close for good"),
        gettext_lazy("The programme is finished and can no longer be changed."),
    ),
    (Stage.CLOSING, Stage.RUNNING): (
        gettext_lazy("Reopen"),
        gettext_lazy("The programme runs again."),
    ),
}

INTENT_WORDS = {
    "tension": gettext_lazy("Matches people across functions and experience (productive tension)."),
    "familiarity": gettext_lazy("Matches people who share context (productive familiarity)."),
    "balanced": gettext_lazy("Balances shared context with different perspectives."),
}


def rules_in_words(programme: Programme) -> list[str]:
    """The programme's matching rules as a manager would say them."""
    rules = rules_for(programme.format, programme.matching_rules)
    relevant = set(RULES_BY_FORMAT[programme.format])
    intent = INTENT_WORDS.get(rules["intent"])
    words = [str(intent) if intent else _("Intent: %(intent)s.") % {"intent": rules["intent"]}]
    if "min_size" in relevant:
        sizes = {"min": rules["min_size"], "max": rules["max_size"], "ideal": rules["target_size"]}
        if rules["target_size"]:
            words.append(_("Circles of %(min)s to %(max)s people, ideally %(ideal)s.") % sizes)
        else:
            words.append(_("Circles of %(min)s to %(max)s people.") % sizes)
    if "max_level_gap" in relevant:
        words.append(
            _("People at most %(value)s level(s) apart.") % {"value": rules["max_level_gap"]}
        )
    if "mentor_min_level_gap" in relevant:
        words.append(
            _("Mentors at least %(value)s level(s) above their mentees.")
            % {"value": rules["mentor_min_level_gap"]}
        )
    if "default_capacity" in relevant:
        words.append(
            _("A mentor takes %(value)s mentee(s) unless set otherwise.")
            % {"value": rules["default_capacity"]}
        )
    if "max_per_function" in relevant and rules["max_per_function"]:
        words.append(
            _("At most %(value)s people from one function per circle.")
            % {"value": rules["max_per_function"]}
        )
    if rules["max_timezone_difference"] is not None:
        words.append(
            _("At most %(value)s hours of time-zone difference.")
            % {"value": rules["max_timezone_difference"]}
        )
    if rules["must_share_language"]:
        words.append(_("Everyone matched shares a language."))
    if rules["avoid_reporting_line"]:
        words.append(_("Never with your own manager or anyone in your reporting line."))
    if rules["avoid_previous_partners"]:
        words.append(_("Never the same pair again."))
    return words


def _visible(request: OrgRequest, programme_id: int) -> Programme:
    try:
        return programme_get(membership=request.membership, programme_id=programme_id)
    except NotFound as error:
        raise Http404(error.message) from error


def _apply_errors(form: forms.Form, error: AlongsideError) -> None:
    for field, problems in problems_for_form(error).items():
        name = field.removeprefix("rules.")
        for problem in problems:
            if name in form.fields:
                form.add_error(name, problem)
            else:
                form.add_error(None, f"{field}: {problem}" if field else problem)
    if not error.problems:
        form.add_error(None, error.message)


def _detail(request: OrgRequest, programme: Programme) -> HttpResponse:
    return redirect(
        "programmes:detail", org_slug=request.organisation.slug, programme_id=programme.pk
    )


def _enrolment_page(request: OrgRequest, programme: Programme) -> HttpResponse:
    return redirect(
        "programmes:enrolment", org_slug=request.organisation.slug, programme_id=programme.pk
    )


def programmes_with_counts(programmes: QuerySet[Programme]) -> QuerySet[Programme]:
    active = Q(enrolments__status=EnrolmentStatus.ACTIVE)
    # Annotate outside the visibility filter: its join on enrolments would skew the counts.
    visible = Programme.objects.filter(pk__in=programmes.values("pk"))
    return visible.select_related("organisation").annotate(
        enrolled=Count("enrolments", filter=active),
        intakes_done=Count(
            "enrolments", filter=active & Q(enrolments__intake__completed_at__isnull=False)
        ),
    )


@org_view()
def programme_list(request: OrgRequest) -> HttpResponse:
    programmes = programmes_with_counts(programmes_visible(membership=request.membership))
    return render(
        request,
        "programmes/list.html",
        {"programmes": list(programmes), "can_create": request.membership.can_manage_programmes},
    )


def _format_cards() -> list[dict[str, Any]]:
    cards = []
    for template in TEMPLATES.values():
        programme = Programme(format=template.format, matching_rules={})
        cards.append(
            {
                "value": template.format.value,
                "label": template.format.label,
                "template": template,
                "rules": rules_in_words(programme),
            }
        )
    return cards


@org_view(*MANAGERS)
def programme_new(request: OrgRequest) -> HttpResponse:
    form = ProgrammeCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
        try:
            programme = programme_create(
                organisation=request.organisation, actor=request.user, **data
            )
        except AlongsideError as error:
            _apply_errors(form, error)
        else:
            messages.success(
                request,
                _(
                    "%(programme)s is a draft with the %(format)s defaults. Adjust "
                    "anything, then open enrolment."
                )
                % {"programme": programme.name, "format": programme.get_format_display()},
            )
            return _detail(request, programme)
    return render(request, "programmes/new.html", {"form": form, "cards": _format_cards()})


def _matching_url(request: OrgRequest, programme: Programme) -> str | None:
    try:
        return reverse("matches:review", args=[request.organisation.slug, programme.pk])
    except NoReverseMatch:
        return None


def _forward(stage: str, to: str) -> bool:
    return Stage.values.index(to) > Stage.values.index(stage)


@org_view()
def programme_detail(request: OrgRequest, programme_id: int) -> HttpResponse:
    programme = _visible(request, programme_id)
    manages = can_manage(membership=request.membership, programme=programme)
    context: dict[str, Any] = {
        "programme": programme,
        "manages": manages,
        "enrolment": my_enrolment(membership=request.membership, programme=programme),
        "rules": rules_in_words(programme),
    }
    if manages:
        context.update(
            counts=enrolment_counts(programme=programme),
            managers=list(programme.managers.order_by("full_name", "email")),
            transitions=[
                (to, *STAGE_ACTIONS[(programme.stage, to)], _forward(programme.stage, to))
                for to in Stage.values
                if to in ALLOWED_TRANSITIONS[programme.stage]
            ],
            matching_url=_matching_url(request, programme),
        )
    return render(request, "programmes/detail.html", context)


@org_view()
def programme_edit(request: OrgRequest, programme_id: int) -> HttpResponse:
    programme = programme_get_managed(membership=request.membership, programme_id=programme_id)
    form = ProgrammeEditForm(
        request.POST or None,
        programme=programme,
        initial=ProgrammeEditForm.initial_for(programme),
    )
    if request.method == "POST" and form.is_valid():
        try:
            programme_update(programme=programme, actor=request.user, **form.changes())
            managers = set(form.cleaned_data["managers"])
            if managers != set(programme.managers.all()):
                programme_set_managers(programme=programme, actor=request.user, users=managers)
        except AlongsideError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return _detail(request, programme)
    return render(request, "programmes/edit.html", {"programme": programme, "form": form})


@org_view()
def programme_languages(request: OrgRequest, programme_id: int) -> HttpResponse:
    """The capability areas and topics in one language at a time (Write in: …)."""
    programme = programme_get_managed(membership=request.membership, programme_id=programme_id)
    languages = dict(shipped_languages())
    source_language = programme.source_language
    others = [code for code in languages if code != source_language]
    asked = request.POST.get("language") or request.GET.get("language") or ""
    language = asked if asked in others else (others[0] if others else source_language)
    form = ProgrammeLanguageForm(
        request.POST or None,
        programme=programme,
        language=language,
        language_name=languages[language],
    )
    if request.method == "POST" and form.is_valid():
        try:
            programme_update(
                programme=programme, actor=request.user, translations=form.translations()
            )
        except AlongsideError as error:
            _apply_errors(form, error)
        else:
            messages.success(
                request, _("Saved in %(language)s.") % {"language": languages[language]}
            )
            page = reverse("programmes:languages", args=[request.organisation.slug, programme.pk])
            return redirect(f"{page}?{urlencode({'language': language})}")
    written = set(programme.written_languages())
    return render(
        request,
        "programmes/languages.html",
        {
            "programme": programme,
            "form": form,
            "language": language,
            "language_name": languages[language],
            "source_name": languages.get(source_language, source_language),
            "others": {code: languages[code] for code in others},
            "written": [languages[code] for code in others if code in written],
            "falling_back": [languages[code] for code in others if code not in written],
        },
    )


@org_view()
@require_POST
def programme_stage(request: OrgRequest, programme_id: int) -> HttpResponse:
    programme = programme_get_managed(membership=request.membership, programme_id=programme_id)
    try:
        programme = programme_transition(
            programme=programme, actor=request.user, to=request.POST.get("to", "")
        )
    except AlongsideError as error:
        show_error(request, error)
    else:
        messages.success(
            request,
            _("%(programme)s is now %(stage)s.")
            % {"programme": programme.name, "stage": programme.get_stage_display()},
        )
    return _detail(request, programme)


# --- Enrolment (managers) --------------------------------------------------------------


def _directory(request: OrgRequest, data: Any) -> tuple[DirectoryFilterForm, QuerySet[Person]]:
    options = people_filter_options(organisation=request.organisation)
    form = DirectoryFilterForm(data or None, options=options)
    form.is_valid()  # keep each valid filter even if another is not
    cleaned: dict[str, Any] = getattr(form, "cleaned_data", {})
    people = people_list(
        organisation=request.organisation,
        audience=audience_of(request.membership),
        filters=PeopleFilters(
            search=cleaned.get("q", ""),
            department=cleaned.get("department", ""),
            location=cleaned.get("location", ""),
            level=cleaned.get("level", ""),
        ),
    )
    if cleaned.get("start_from"):
        people = people.filter(start_date__gte=cleaned["start_from"])
    if cleaned.get("start_to"):
        people = people.filter(start_date__lte=cleaned["start_to"])
    return form, people


ENROLLED_PER_PAGE = 50
WITHDRAWN_SHOWN = 100


def _enrolment_context(request: OrgRequest, programme: Programme, **extra: Any) -> dict[str, Any]:
    filter_form, people = _directory(request, request.GET)
    page = paginate(request, people, 20)
    query = request.GET.copy()
    query.pop("page", None)
    counts = enrolment_counts(programme=programme)
    # The enrolled list is paged too: cohorts run to thousands. Its length is one of the
    # counts just taken.
    enrolled_page = paginate(
        request,
        enrolments_for(programme=programme, status=EnrolmentStatus.ACTIVE),
        ENROLLED_PER_PAGE,
        number=request.GET.get("enrolled_page", "1"),
        count=counts["active"],
    )
    enrolled_page.object_list = list(enrolled_page.object_list)
    for row in enrolled_page.object_list:
        row.account_label = ACCOUNT_LABELS.get(row.account_state, "")
    # Only the people on this page of the directory need their enrolled mark.
    enrolled_ids = set(
        programme.enrolments.filter(
            status=EnrolmentStatus.ACTIVE, person_id__in=[p.pk for p in page.object_list]
        )
        .order_by()
        .values_list("person_id", flat=True)
    )
    # Withdrawals pile up over a programme's years: the first of them by name, and none
    # looked up when the counts say there are none.
    withdrawn = (
        list(
            enrolments_for(programme=programme, status=EnrolmentStatus.WITHDRAWN)[:WITHDRAWN_SHOWN]
        )
        if counts["withdrawn"]
        else []
    )
    join_url = request.build_absolute_uri(
        reverse("programmes:join", args=[request.organisation.slug, programme.self_enrol_token])
    )
    context = {
        "programme": programme,
        "filter_form": filter_form,
        "page": page,
        "query": query.urlencode(),
        "filters": {k: v for k, v in request.GET.items() if k != "page" and v},
        "enrolled_ids": enrolled_ids,
        "enrol_form": EnrolForm(programme=programme),
        "csv_form": EnrolCsvForm(programme=programme),
        "enrolled_page": enrolled_page,
        "enrolled_count": counts["active"],
        "withdrawn": withdrawn,
        "withdrawn_count": counts["withdrawn"],
        "pending": counts["active"] - counts["intake_done"],
        "not_signed_in": counts["not_signed_in"],
        "account_labels": ACCOUNT_LABELS,
        "join_url": join_url,
    }
    context.update(extra)
    return context


@org_view()
def enrolment(request: OrgRequest, programme_id: int) -> HttpResponse:
    programme = programme_get_managed(membership=request.membership, programme_id=programme_id)
    context = _enrolment_context(request, programme)
    if request.htmx and not request.htmx.boosted:
        return render(request, "programmes/directory_rows.html", context)
    return render(request, "programmes/enrolment.html", context)


@org_view()
@require_POST
def invite_not_signed_in(request: OrgRequest, programme_id: int) -> HttpResponse:
    """Invite everyone in the programme who has not signed in yet (their welcome again)."""
    programme = programme_get_managed(membership=request.membership, programme_id=programme_id)
    count = programme_invite_not_signed_in(programme=programme, actor=request.user)
    if count:
        messages.success(
            request,
            ngettext("Sending %(count)d invitation.", "Sending %(count)d invitations.", count)
            % {"count": count},
        )
    else:
        messages.info(request, _("Everyone in this programme has signed in."))
    return redirect(
        "programmes:enrolment", org_slug=request.organisation.slug, programme_id=programme.pk
    )


@org_view()
@require_POST
def enrol(request: OrgRequest, programme_id: int) -> HttpResponse:
    programme = programme_get_managed(membership=request.membership, programme_id=programme_id)
    form = EnrolForm(request.POST, programme=programme)
    if not form.is_valid():
        for field, errors in form.errors.items():
            for message in errors:
                show_error(request, f"{field}: {message}")
        return _enrolment_page(request, programme)
    if form.cleaned_data["scope"] == "all":
        _filters, people = _directory(request, request.POST)
    else:
        people = form.cleaned_data["people"]
    if not people.exists():
        messages.info(request, _("Choose at least one person to enrol."))
        return _enrolment_page(request, programme)
    try:
        added = enrolment_add(
            programme=programme,
            actor=request.user,
            people=people,
            role=form.cleaned_data.get("role") or None,
            capacity=form.cleaned_data.get("capacity"),
        )
    except AlongsideError as error:
        show_error(request, error)
        for problem in error.problems:
            show_error(request, str(problem))
    else:
        messages.success(
            request,
            _("%(added)s enrolled (already enrolled people were skipped).") % {"added": len(added)},
        )
    return _enrolment_page(request, programme)


@org_view()
@require_POST
def enrol_csv(request: OrgRequest, programme_id: int) -> HttpResponse:
    programme = programme_get_managed(membership=request.membership, programme_id=programme_id)
    form = EnrolCsvForm(request.POST, request.FILES, programme=programme)
    if form.is_valid():
        try:
            added = enrolment_import_emails(
                programme=programme,
                actor=request.user,
                data=form.cleaned_data["file"].read(),
                role=form.cleaned_data.get("role") or None,
            )
        except AlongsideError as error:
            context = _enrolment_context(
                request, programme, csv_form=form, csv_error=error, csv_problems=error.problems
            )
            return render(request, "programmes/enrolment.html", context, status=400)
        messages.success(request, _("%(added)s enrolled from the file.") % {"added": len(added)})
        return _enrolment_page(request, programme)
    context = _enrolment_context(request, programme, csv_form=form)
    return render(request, "programmes/enrolment.html", context, status=400)


@org_view()
@require_POST
def self_enrol_settings(request: OrgRequest, programme_id: int) -> HttpResponse:
    programme = programme_get_managed(membership=request.membership, programme_id=programme_id)
    action = request.POST.get("action", "")
    try:
        if action == "new_link":
            self_enrol_set_open(
                programme=programme,
                actor=request.user,
                open=programme.self_enrol_open,
                new_link=True,
            )
            messages.success(request, _("A new link replaces the old one, which no longer works."))
        elif action in ("open", "close"):
            self_enrol_set_open(programme=programme, actor=request.user, open=action == "open")
            messages.success(
                request,
                _("Self-enrolment is open.")
                if action == "open"
                else _("Self-enrolment is closed."),
            )
        else:
            show_error(request, _("Choose to open or close self-enrolment, or make a new link."))
    except AlongsideError as error:
        show_error(request, error)
    return _enrolment_page(request, programme)


@org_view()
@require_POST
def withdraw(request: OrgRequest, programme_id: int, enrolment_id: int) -> HttpResponse:
    programme = programme_get_managed(membership=request.membership, programme_id=programme_id)
    enrolment = (
        Enrolment.objects.filter(programme=programme, pk=enrolment_id)
        .select_related("person", "programme__organisation")
        .first()
    )
    if enrolment is None:
        raise Http404("No such enrolment.")
    form = WithdrawForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        enrolment_withdraw(enrolment=enrolment, actor=request.user, reason=reason)
    except AlongsideError as error:
        show_error(request, error)
    else:
        messages.success(
            request,
            _("%(person)s was withdrawn; their history is kept.")
            % {"person": enrolment.person.name},
        )
    return _enrolment_page(request, programme)


@org_view()
@require_POST
def remind(request: OrgRequest, programme_id: int) -> HttpResponse:
    programme = programme_get_managed(membership=request.membership, programme_id=programme_id)
    try:
        count = intake_send_reminders(programme=programme, actor=request.user)
    except AlongsideError as error:
        show_error(request, error)
    else:
        if count:
            messages.success(
                request,
                ngettext("Reminded %(count)s person.", "Reminded %(count)s people.", count)
                % {"count": count},
            )
        else:
            messages.info(request, _("Everyone has finished their intake."))
    return _enrolment_page(request, programme)


# --- Participants ----------------------------------------------------------------------


def _intake_initial(enrolment: Enrolment) -> dict[str, Any]:
    intake, person = enrolment.intake, enrolment.person
    return {
        "wants": intake.wants,
        "wants_other": intake.wants_other,
        "offers": intake.offers,
        "offers_other": intake.offers_other,
        "goals": intake.goals,
        "availability": intake.availability,
        "timezone": intake.timezone or person.timezone,
        "communication_preference": intake.communication_preference,
        "languages": "; ".join(intake.languages or person.languages),
    }


def _my_intake(request: OrgRequest, programme_id: int) -> tuple[Programme, Enrolment | None]:
    programme = _visible(request, programme_id)
    enrolment = my_enrolment(membership=request.membership, programme=programme)
    if enrolment is None or not enrolment.is_active:
        return programme, None
    return programme, enrolment


def _parts(enrolment: Enrolment) -> dict[str, Any]:
    parts = intake_progress(intake=enrolment.intake, role=enrolment.role)
    return {"parts": parts, "parts_done": sum(p.done for p in parts)}


def _intake_context(programme: Programme, enrolment: Enrolment, form: IntakeForm) -> dict[str, Any]:
    return {
        "programme": programme,
        "enrolment": enrolment,
        "form": form,
        **_parts(enrolment),
        "limits": TOPIC_LIMITS,
        "wants_groups": form.topic_groups("wants"),
        "offers_groups": form.topic_groups("offers"),
        "grid_rows": form.grid_rows(),
        "day_labels": [(WEEKDAYS[day], WEEKDAYS_ABBR[day]) for day in range(7)],
    }


@org_view()
def intake(request: OrgRequest, programme_id: int) -> HttpResponse:
    programme, enrolment = _my_intake(request, programme_id)
    if enrolment is None:
        messages.info(request, _("You are not taking part in this programme, so have no intake."))
        return _detail(request, programme)
    form = IntakeForm(
        request.POST or None,
        topics=programme.labels("topics", programme.translation_fallback),
        initial=_intake_initial(enrolment),
    )
    if request.method == "POST" and form.is_valid():
        later = "later" in request.POST
        try:
            intake_save(
                enrolment=enrolment,
                actor=request.user,
                complete=not later,
                **form.intake_fields(),
            )
        except AlongsideError as error:
            _apply_errors(form, error)
        else:
            messages.success(
                request,
                _("Saved; come back to finish it.")
                if later
                else _("Thank you — your intake is done."),
            )
            return _detail(request, programme)
    return render(request, "programmes/intake.html", _intake_context(programme, enrolment, form))


@org_view()
@require_POST
def intake_autosave(request: OrgRequest, programme_id: int) -> HttpResponse:
    """Save as you go: every valid answer is kept as a draft; the others are named."""
    programme, enrolment = _my_intake(request, programme_id)
    if enrolment is None:
        raise Http404("You are not taking part in this programme.")
    form = IntakeForm(
        request.POST,
        topics=programme.labels("topics", programme.translation_fallback),
        initial=_intake_initial(enrolment),
    )
    form.is_valid()
    fields = {k: v for k, v in form.intake_fields_partial().items() if k not in form.errors}
    problems: dict[str, list[str]] = {k: [str(e) for e in v] for k, v in form.errors.items()}
    try:
        intake_save(enrolment=enrolment, actor=request.user, complete=False, **fields)
    except AlongsideError as error:
        for field, found in problems_for_form(error).items():
            problems.setdefault(field, []).extend(str(p) for p in found)
        kept = {k: v for k, v in fields.items() if k not in problems}
        intake_save(enrolment=enrolment, actor=request.user, complete=False, **kept)
    enrolment.intake.refresh_from_db()
    return render(
        request,
        "programmes/_intake_status.html",
        {
            "problems": [
                (IntakeForm.base_fields[k].label if k in IntakeForm.base_fields else k, p)
                for k, found in problems.items()
                for p in found
            ],
            "saved_at": timezone.now(),
            **_parts(enrolment),
            "availability": enrolment.intake.availability,
            "cells": sorted(form_cells(enrolment.intake.availability)),
            "oob": True,
        },
    )


@org_view()
def join(request: OrgRequest, token: str) -> HttpResponse:
    programme = Programme.objects.filter(
        organisation=request.organisation, self_enrol_token=token
    ).first()
    if programme is None:
        raise Http404("This link is not valid; ask the programme's manager for a new one.")
    enrolment = my_enrolment(membership=request.membership, programme=programme)
    person = Person.objects.filter(organisation=request.organisation, user=request.user).first()
    form = JoinForm(request.POST or None, programme=programme)
    if request.method == "POST":
        if person is None:
            show_error(
                request, _("You are not in this organisation's directory yet; ask an admin.")
            )
        elif form.is_valid():
            try:
                self_enrol(programme=programme, person=person, role=form.cleaned_data.get("role"))
            except AlongsideError as error:
                _apply_errors(form, error)
            else:
                messages.success(
                    request,
                    _("Welcome to %(programme)s. A few questions first.")
                    % {"programme": programme.name},
                )
                return redirect(
                    "programmes:intake",
                    org_slug=request.organisation.slug,
                    programme_id=programme.pk,
                )
    return render(
        request,
        "programmes/join.html",
        {
            "programme": programme,
            "enrolment": enrolment if enrolment and enrolment.is_active else None,
            "form": form,
            "in_directory": person is not None,
        },
    )
