from datetime import datetime

from django.http import HttpRequest, HttpResponse
from ninja import Field, Router

from alongside.accounts.api_auth import request_user
from alongside.core.errors import NotFound
from alongside.core.schemas import ERRORS, Schema
from alongside.exports.models import Export
from alongside.exports.services import export_get
from alongside.organisations.api_auth import membership_for

router = Router(tags=["exports"])

CSV_RESPONSE = {
    "responses": {200: {"description": "The file", "content": {"text/csv": {"schema": {}}}}}
}


class ExportOut(Schema):
    """A file the worker makes: poll ``url`` until ``status`` is done, then fetch ``file_url``."""

    id: int
    kind: str
    title: str
    status: str = Field(description="queued, running, done or failed")
    progress: int = Field(description="percent")
    rows: int
    created_at: datetime
    finished_at: datetime | None
    url: str
    file_url: str | None

    @staticmethod
    def of(export: Export, org_slug: str) -> "ExportOut":
        url = f"/api/v1/organisations/{org_slug}/exports/{export.pk}"
        return ExportOut(
            id=export.pk,
            kind=export.kind,
            title=export.title,
            status=export.status,
            progress=export.progress,
            rows=export.rows,
            created_at=export.created_at,
            finished_at=export.finished_at,
            url=url,
            file_url=f"{url}/file" if export.status == Export.Status.DONE else None,
        )


@router.get(
    "/{org_slug}/exports/{int:export_id}",
    response={200: ExportOut, **ERRORS},
    summary="Where an export you asked for stands (only its requester sees it)",
)
def get_export(request: HttpRequest, org_slug: str, export_id: int) -> ExportOut:
    membership = membership_for(request, org_slug)
    export = export_get(
        organisation=membership.organisation, user=request_user(request), export_id=export_id
    )
    return ExportOut.of(export, org_slug)


@router.get(
    "/{org_slug}/exports/{int:export_id}/file",
    response={**ERRORS},
    openapi_extra=CSV_RESPONSE,
    summary="Download a finished export (CSV; only its requester)",
)
def get_export_file(request: HttpRequest, org_slug: str, export_id: int) -> HttpResponse:
    membership = membership_for(request, org_slug)
    export = export_get(
        organisation=membership.organisation, user=request_user(request), export_id=export_id
    )
    if export.status != Export.Status.DONE:
        raise NotFound("This export is not ready.")
    response = HttpResponse(bytes(export.content), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    return response
