"""Personal data pages: my download, an organisation's export, erasure, their progress."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRefresh

from alongside.audit.services import log_action
from alongside.core.errors import AlongsideError
from alongside.core.messages import show_error
from alongside.core.pagination import paginate
from alongside.organisations.tenancy import ADMINS, OrgRequest, org_view
from alongside.people.selectors import own_person, person_get
from alongside.people.visibility import Audience
from alongside.privacy.forms import ConfirmForm
from alongside.privacy.models import DataRequest
from alongside.privacy.selectors import data_request_for, erasure_preview
from alongside.privacy.services import data_request_create

Kind = DataRequest.Kind


def _to_request(request: OrgRequest, data_request: DataRequest) -> HttpResponse:
    return redirect(
        "privacy:request", org_slug=request.organisation.slug, data_request_id=data_request.pk
    )


@org_view()
@require_POST
def my_export(request: OrgRequest) -> HttpResponse:
    person = own_person(organisation=request.organisation, user=request.user)
    try:
        data_request = data_request_create(
            kind=Kind.PERSON_EXPORT,
            organisation=request.organisation,
            actor=request.user,
            person=person,
        )
    except AlongsideError as error:
        show_error(request, error)
        return redirect("people:me", org_slug=request.organisation.slug)
    return _to_request(request, data_request)


@org_view()
def request_detail(request: OrgRequest, data_request_id: int) -> HttpResponse:
    data_request = data_request_for(membership=request.membership, request_id=data_request_id)
    return render(request, "privacy/request.html", {"data_request": data_request})


@org_view()
def request_progress(request: OrgRequest, data_request_id: int) -> HttpResponse:
    data_request = data_request_for(membership=request.membership, request_id=data_request_id)
    if not data_request.is_working and request.htmx:
        return HttpResponseClientRefresh()
    return render(request, "privacy/_progress.html", {"data_request": data_request})


@org_view()
def request_download(request: OrgRequest, data_request_id: int) -> HttpResponse:
    data_request = data_request_for(
        membership=request.membership, request_id=data_request_id, to_download=True
    )
    if not data_request.has_download or data_request.result is None:
        raise Http404(_("This download is not ready, or has expired."))
    log_action(
        actor=request.user,
        organisation=request.organisation,
        action="privacy.downloaded",
        target=data_request,
    )
    response = HttpResponse(bytes(data_request.result), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{data_request.filename}"'
    return response


@org_view(*ADMINS)
def requests_list(request: OrgRequest) -> HttpResponse:
    page = paginate(
        request,
        DataRequest.objects.filter(organisation=request.organisation).select_related(
            "requested_by", "person"
        ),
        50,
    )
    return render(request, "privacy/requests.html", {"page": page})


@org_view(*ADMINS)
@require_POST
def organisation_export(request: OrgRequest) -> HttpResponse:
    try:
        data_request = data_request_create(
            kind=Kind.ORGANISATION_EXPORT, organisation=request.organisation, actor=request.user
        )
    except AlongsideError as error:
        show_error(request, error)
        return redirect("privacy:requests", org_slug=request.organisation.slug)
    return _to_request(request, data_request)


@org_view(*ADMINS)
def erase_person(request: OrgRequest, person_id: int) -> HttpResponse:
    person = person_get(
        organisation=request.organisation, person_id=person_id, audience=Audience.ADMIN
    )
    form = ConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            data_request = data_request_create(
                kind=Kind.PERSON_ERASURE,
                organisation=request.organisation,
                actor=request.user,
                person=person,
                confirmation=form.cleaned_data["confirmation"],
            )
        except AlongsideError as error:
            form.add_error("confirmation", error.message)
        else:
            messages.success(request, _("The erasure has started."))
            return _to_request(request, data_request)
    context: dict[str, Any] = {
        "person": person,
        "form": form,
        "preview": erasure_preview(person=person),
    }
    return render(request, "privacy/erase_person.html", context)


@org_view(*ADMINS)
def erase_organisation(request: OrgRequest) -> HttpResponse:
    form = ConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            data_request_create(
                kind=Kind.ORGANISATION_ERASURE,
                organisation=request.organisation,
                actor=request.user,
                confirmation=form.cleaned_data["confirmation"],
            )
        except AlongsideError as error:
            form.add_error("confirmation", error.message)
        else:
            messages.success(
                request,
                _("The organisation is being erased. Its pages close as soon as it is done."),
            )
            return redirect("home")
    return render(request, "privacy/erase_organisation.html", {"form": form})
