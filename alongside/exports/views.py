from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django_htmx.http import HttpResponseClientRefresh

from alongside.core.errors import NotFound
from alongside.exports.models import Export
from alongside.exports.services import export_get
from alongside.organisations.tenancy import OrgRequest, org_view


def _export_or_404(request: OrgRequest, export_id: int) -> Export:
    try:
        return export_get(organisation=request.organisation, user=request.user, export_id=export_id)
    except NotFound as error:
        raise Http404(error.message) from error


@org_view()
def detail(request: OrgRequest, export_id: int) -> HttpResponse:
    return render(request, "exports/detail.html", {"export": _export_or_404(request, export_id)})


@org_view()
def progress(request: OrgRequest, export_id: int) -> HttpResponse:
    """Polled by the export's page until the file is ready (or failed)."""
    export = _export_or_404(request, export_id)
    if not export.in_progress and request.htmx:
        return HttpResponseClientRefresh()
    return render(request, "exports/progress.html", {"export": export})


@org_view()
def download(request: OrgRequest, export_id: int) -> HttpResponse:
    export = _export_or_404(request, export_id)
    if export.status != Export.Status.DONE:
        raise Http404("This export is not ready.")
    response = HttpResponse(bytes(export.content), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    return response
