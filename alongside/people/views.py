from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRefresh

from alongside.accounts.forms import LanguageForm
from alongside.audit.services import log_action
from alongside.core.errors import AlongsideError, NotFound
from alongside.core.languages import shipped_languages
from alongside.core.messages import problems_for_form, show_error
from alongside.core.pagination import paginate
from alongside.organisations.tenancy import ADMINS, MANAGERS, OrgRequest, org_view
from alongside.people.directory_filters import directory_filters
from alongside.people.forms import (
    ImportConfirmForm,
    ImportUploadForm,
    PeopleFilterForm,
    PersonForm,
    ProfileForm,
)
from alongside.people.importing import (
    people_import_confirm,
    people_import_discard,
    people_import_preview,
)
from alongside.people.invitations import (
    invitation_send,
    invitations_request_bulk,
)
from alongside.people.models import Person, PersonImport
from alongside.people.presenting import directory_csv, facts, list_columns, row_cells
from alongside.people.selectors import (
    PeopleFilters,
    own_person,
    people_filter_options,
    people_list,
    person_get,
    person_reporting_line,
)
from alongside.people.services import (
    person_create,
    person_profile_update,
    person_set_active,
    person_update,
)
from alongside.people.visibility import (
    AUDIENCE_LABELS,
    Audience,
    audience_of,
    can_see_reporting_lines,
    person_as_seen,
)
from alongside.spreadsheets.people import KNOWN_COLUMNS


def _person_or_404(request: OrgRequest, person_id: int) -> Person:
    try:
        return person_get(
            organisation=request.organisation,
            person_id=person_id,
            audience=audience_of(request.membership),
        )
    except NotFound as error:
        raise Http404(error.message) from error


def _filters_from(request: OrgRequest, data: Any) -> tuple[PeopleFilterForm, PeopleFilters]:
    audience = audience_of(request.membership)
    options = people_filter_options(organisation=request.organisation, audience=audience)
    extra = [
        (directory_filter, choices)
        for directory_filter in directory_filters()
        if (choices := directory_filter.choices(request.membership))
    ]
    form = PeopleFilterForm(data or None, options=options, audience=audience, extra=extra)
    # Keep every valid filter even when one is not (e.g. a department only inactive
    # people have): cleaned_data holds the fields that did validate.
    form.is_valid()
    cleaned: dict[str, Any] = getattr(form, "cleaned_data", {})
    filters = PeopleFilters(
        search=cleaned.get("q", ""),
        department=cleaned.get("department", ""),
        location=cleaned.get("location", ""),
        level=cleaned.get("level", ""),
        status=cleaned.get("status") or "active",
        extra=tuple(
            (directory_filter.name, cleaned.get(directory_filter.name) or "")
            for directory_filter, _choices in extra
        ),
    )
    return form, filters


def _list(request: OrgRequest, filters: PeopleFilters) -> QuerySet[Person]:
    return people_list(
        organisation=request.organisation,
        filters=filters,
        audience=audience_of(request.membership),
    )


@org_view()
def people_index(request: OrgRequest) -> HttpResponse:
    form, filters = _filters_from(request, request.GET)
    people = _list(request, filters)
    context: dict[str, Any] = {}
    count = None
    if request.membership.can_manage_programmes:
        # One pass over the (possibly searched) directory for both figures.
        totals = people.aggregate(
            count=Count("id"), awaiting=Count("id", filter=Q(user__isnull=True, is_active=True))
        )
        count, context["awaiting_invitation"] = totals["count"], totals["awaiting"]
    page = paginate(request, people, 50, count=count)
    audience = audience_of(request.membership)
    page.object_list = [
        (person, row_cells(person_as_seen(person, audience), audience))
        for person in page.object_list
    ]
    query = request.GET.copy()
    query.pop("page", None)
    context |= {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "columns": list_columns(audience),
        "export_query": query.urlencode(),
    }
    if request.htmx and not request.htmx.boosted:
        return render(request, "people/people_rows.html", context)
    return render(request, "people/list.html", context)


@org_view()
def person_detail(request: OrgRequest, person_id: int) -> HttpResponse:
    person = _person_or_404(request, person_id)
    audience = audience_of(request.membership)
    context: dict[str, Any] = {
        "person": person,
        "facts": facts(person, audience),
        "line": (
            person_reporting_line(person=person) if can_see_reporting_lines(audience) else None
        ),
    }
    return render(request, "people/detail.html", context)


@org_view()
def people_export(request: OrgRequest) -> StreamingHttpResponse:
    """The directory as CSV, with exactly the people and fields the viewer may see."""
    _form, filters = _filters_from(request, request.GET)
    audience = audience_of(request.membership)
    people = _list(request, filters)
    log_action(
        actor=request.user,
        organisation=request.organisation,
        action="people.exported",
        data={"audience": str(audience), "filters": request.GET.urlencode()[:500]},
    )
    response = StreamingHttpResponse(
        directory_csv(people, audience), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="people.csv"'
    return response


@org_view()
def my_profile(request: OrgRequest) -> HttpResponse:
    """The person's own profile: what they share, and how each audience sees them."""
    person = own_person(organisation=request.organisation, user=request.user)
    form = ProfileForm(request.POST or None, person=person)
    if request.method == "POST" and form.is_valid():
        try:
            person_profile_update(
                person=person,
                actor=request.user,
                shared_fields=form.cleaned_data["shared_fields"],
                offers=form.cleaned_data["offers"],
            )
        except AlongsideError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Your profile is saved."))
            return redirect("people:me", org_slug=request.organisation.slug)
    previews = [
        {"audience": audience, "label": AUDIENCE_LABELS[audience], "facts": facts(person, audience)}
        for audience in Audience
    ]
    language_form = LanguageForm(
        initial={"language": request.user.language, "next": request.get_full_path()}
    )
    return render(
        request,
        "people/me.html",
        {
            "person": person,
            "form": form,
            "previews": previews,
            "language_form": language_form,
            "organisation_language": dict(shipped_languages()).get(request.organisation.language),
        },
    )


def _person_initial(person: Person) -> dict[str, Any]:
    return {
        "name": person.name,
        "email": person.email,
        "employee_id": person.employee_id,
        "manager_email": person.manager.email if person.manager else "",
        "department": person.department,
        "job_title": person.job_title,
        "level": person.level,
        "location": person.location,
        "timezone": person.timezone,
        "languages": "; ".join(person.languages),
        "start_date": person.start_date,
    }


def _apply_errors(form: forms.Form, error: AlongsideError) -> None:
    for field, problems in problems_for_form(error).items():
        for problem in problems:
            form.add_error(field if field in form.fields else None, problem)


@org_view(*ADMINS)
def person_new(request: OrgRequest) -> HttpResponse:
    form = PersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            person = person_create(
                organisation=request.organisation, actor=request.user, **form.cleaned_data
            )
        except AlongsideError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("%(person)s was added.") % {"person": person.name})
            return redirect(
                "people:detail", org_slug=request.organisation.slug, person_id=person.pk
            )
    return render(request, "people/form.html", {"form": form, "person": None})


@org_view(*ADMINS)
def person_edit(request: OrgRequest, person_id: int) -> HttpResponse:
    person = _person_or_404(request, person_id)
    form = PersonForm(request.POST or None, initial=_person_initial(person))
    if request.method == "POST" and form.is_valid():
        try:
            person_update(person=person, actor=request.user, **form.cleaned_data)
        except AlongsideError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect(
                "people:detail", org_slug=request.organisation.slug, person_id=person.pk
            )
    return render(request, "people/form.html", {"form": form, "person": person})


@org_view(*ADMINS)
@require_POST
def person_active(request: OrgRequest, person_id: int) -> HttpResponse:
    person = _person_or_404(request, person_id)
    active = request.POST.get("active") == "1"
    person_set_active(person=person, actor=request.user, active=active)
    messages.success(
        request,
        (_("%(person)s is active.") if active else _("%(person)s is deactivated."))
        % {"person": person.name},
    )
    return redirect("people:detail", org_slug=request.organisation.slug, person_id=person.pk)


@org_view(*MANAGERS)
@require_POST
def person_invite(request: OrgRequest, person_id: int) -> HttpResponse:
    person = _person_or_404(request, person_id)
    try:
        invitation_send(person=person, actor=request.user)
    except AlongsideError as error:
        show_error(request, error)
    else:
        messages.success(
            request, _("An invitation is on its way to %(person)s.") % {"person": person.email}
        )
    return redirect("people:detail", org_slug=request.organisation.slug, person_id=person.pk)


@org_view(*MANAGERS)
@require_POST
def people_invite(request: OrgRequest) -> HttpResponse:
    """Invite everyone matching the list's current filters who has not signed in yet."""
    _form, filters = _filters_from(request, request.POST)
    ids = list(_list(request, filters).values_list("pk", flat=True))
    count = invitations_request_bulk(
        organisation=request.organisation, person_ids=ids, actor=request.user
    )
    if count:
        messages.success(
            request,
            ngettext("Sending %(count)s invitation.", "Sending %(count)s invitations.", count)
            % {"count": count},
        )
    else:
        messages.info(request, _("Everyone in this list has already signed in."))
    return redirect("people:list", org_slug=request.organisation.slug)


@org_view(*ADMINS)
def import_upload(request: OrgRequest) -> HttpResponse:
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            person_import = people_import_preview(
                organisation=request.organisation,
                actor=request.user,
                data=upload.read(),
                filename=upload.name or "",
            )
        except AlongsideError as error:
            form.add_error("file", error.message)
        else:
            return redirect(
                "people:import_preview",
                org_slug=request.organisation.slug,
                import_id=person_import.pk,
            )
    recent = PersonImport.objects.filter(organisation=request.organisation).select_related(
        "created_by"
    )[:10]
    return render(
        request,
        "people/import_upload.html",
        {"form": form, "recent": recent, "columns": KNOWN_COLUMNS},
    )


@org_view(*ADMINS)
def import_preview(request: OrgRequest, import_id: int) -> HttpResponse:
    person_import = get_object_or_404(PersonImport, pk=import_id, organisation=request.organisation)
    return render(
        request,
        "people/import_preview.html",
        {"import": person_import, "confirm_form": ImportConfirmForm()},
    )


@org_view(*ADMINS)
def import_progress(request: OrgRequest, import_id: int) -> HttpResponse:
    """Polled by the preview page while the worker checks or applies a large file."""
    person_import = get_object_or_404(PersonImport, pk=import_id, organisation=request.organisation)
    if not person_import.in_progress and request.htmx:
        return HttpResponseClientRefresh()  # the whole page changes: problems or the result
    return render(request, "people/import_progress.html", {"import": person_import})


@org_view(*ADMINS)
@require_POST
def import_confirm(request: OrgRequest, import_id: int) -> HttpResponse:
    person_import = get_object_or_404(PersonImport, pk=import_id, organisation=request.organisation)
    form = ImportConfirmForm(request.POST)
    deactivate = form.is_valid() and form.cleaned_data["deactivate_missing"]
    try:
        applied = people_import_confirm(
            person_import=person_import, actor=request.user, deactivate_missing=bool(deactivate)
        )
    except AlongsideError as error:
        show_error(request, error)
        for problem in error.problems[:50]:
            show_error(request, str(problem))
        return redirect(
            "people:import_preview", org_slug=request.organisation.slug, import_id=person_import.pk
        )
    if applied.status == PersonImport.Status.APPLYING:
        return redirect(
            "people:import_preview", org_slug=request.organisation.slug, import_id=applied.pk
        )
    summary = applied.summary
    messages.success(
        request,
        _(
            "Imported: %(summary)s added, %(summary2)s updated, %(summary3)s "
            "unchanged, %(get)s deactivated."
        )
        % {
            "summary": summary["created"],
            "summary2": summary["updated"],
            "summary3": summary["unchanged"],
            "get": summary.get("deactivated", 0),
        },
    )
    return redirect("people:list", org_slug=request.organisation.slug)


@org_view(*ADMINS)
@require_POST
def import_discard(request: OrgRequest, import_id: int) -> HttpResponse:
    person_import = get_object_or_404(PersonImport, pk=import_id, organisation=request.organisation)
    try:
        people_import_discard(person_import=person_import, actor=request.user)
    except AlongsideError as error:
        show_error(request, error)
    return redirect("people:import", org_slug=request.organisation.slug)


@org_view(*ADMINS)
def import_template(request: OrgRequest) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="people-template.csv"'
    response.write("\ufeff" + ",".join(KNOWN_COLUMNS) + "\r\n")
    response.write(
        "asha.rao@example.com,Asha Rao,E1001,ravi.k@example.com,Finance,Finance Manager,M1,"
        "Bengaluru,Asia/Kolkata,English;Kannada;Hindi,2023-04-01\r\n"
    )
    return response
