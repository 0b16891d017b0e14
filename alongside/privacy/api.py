"""Personal data rights through the API: my download, the organisation's export,
erasure, and each request's progress and download."""

from __future__ import annotations

from datetime import datetime

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Router, Status

from alongside.accounts.api_auth import request_user
from alongside.audit.services import log_action
from alongside.core.schemas import ERRORS, Schema
from alongside.organisations.api_auth import membership_for
from alongside.organisations.models import Role
from alongside.people.selectors import own_person, person_get
from alongside.people.visibility import Audience
from alongside.privacy.models import DataRequest
from alongside.privacy.selectors import data_request_for
from alongside.privacy.services import data_request_create

router = Router(tags=["personal data"])
Kind = DataRequest.Kind


class DataRequestOut(Schema):
    id: int
    kind: str
    status: str
    progress: int
    message: str
    person_id: int | None
    counts: dict[str, int]
    created_at: datetime
    finished_at: datetime | None
    expires_at: datetime | None
    download_ready: bool

    @staticmethod
    def resolve_download_ready(data_request: DataRequest) -> bool:
        return data_request.has_download


class ConfirmIn(Schema):
    confirmation: str


@router.post(
    "/{org_slug}/me/data-export",
    response={202: DataRequestOut, **ERRORS},
    summary="Ask for a download of everything Alongside holds about me (JSON and HTML, zipped)",
)
def request_my_data(request: HttpRequest, org_slug: str) -> Status[DataRequest]:
    membership = membership_for(request, org_slug)
    user = request_user(request)
    person = own_person(organisation=membership.organisation, user=user)
    return Status(
        202,
        data_request_create(
            kind=Kind.PERSON_EXPORT, organisation=membership.organisation, actor=user, person=person
        ),
    )


@router.post(
    "/{org_slug}/data-export",
    response={202: DataRequestOut, **ERRORS},
    summary="Export the whole organisation (admins): a ZIP of JSON and CSV",
)
def request_organisation_export(request: HttpRequest, org_slug: str) -> Status[DataRequest]:
    membership = membership_for(request, org_slug, Role.ADMIN)
    return Status(
        202,
        data_request_create(
            kind=Kind.ORGANISATION_EXPORT,
            organisation=membership.organisation,
            actor=request_user(request),
        ),
    )


@router.post(
    "/{org_slug}/people/{int:person_id}/erasure",
    response={202: DataRequestOut, **ERRORS},
    summary="Erase a person's data (admins); confirm with their email address",
)
def request_person_erasure(
    request: HttpRequest, org_slug: str, person_id: int, payload: ConfirmIn
) -> Status[DataRequest]:
    membership = membership_for(request, org_slug, Role.ADMIN)
    person = person_get(
        organisation=membership.organisation, person_id=person_id, audience=Audience.ADMIN
    )
    return Status(
        202,
        data_request_create(
            kind=Kind.PERSON_ERASURE,
            organisation=membership.organisation,
            actor=request_user(request),
            person=person,
            confirmation=payload.confirmation,
        ),
    )


@router.post(
    "/{org_slug}/erasure",
    response={202: DataRequestOut, **ERRORS},
    summary="Erase the whole organisation (admins); confirm with its address name (slug)",
)
def request_organisation_erasure(
    request: HttpRequest, org_slug: str, payload: ConfirmIn
) -> Status[DataRequest]:
    membership = membership_for(request, org_slug, Role.ADMIN)
    data_request = data_request_create(
        kind=Kind.ORGANISATION_ERASURE,
        organisation=membership.organisation,
        actor=request_user(request),
        confirmation=payload.confirmation,
    )
    return Status(202, data_request)


@router.get(
    "/{org_slug}/data-requests",
    response={200: list[DataRequestOut], **ERRORS},
    summary="The organisation's personal data requests (admins)",
)
def list_data_requests(request: HttpRequest, org_slug: str) -> list[DataRequest]:
    membership = membership_for(request, org_slug, Role.ADMIN)
    return list(DataRequest.objects.filter(organisation=membership.organisation)[:200])


@router.get(
    "/{org_slug}/data-requests/{int:data_request_id}",
    response={200: DataRequestOut, **ERRORS},
    summary="A request's progress (the requester, or admins)",
)
def get_data_request(request: HttpRequest, org_slug: str, data_request_id: int) -> DataRequest:
    membership = membership_for(request, org_slug)
    return data_request_for(membership=membership, request_id=data_request_id)


@router.get(
    "/{org_slug}/data-requests/{int:data_request_id}/download",
    response={200: None, **ERRORS},
    summary="Download a finished export (a person's own: only them)",
    openapi_extra={
        "responses": {200: {"description": "ZIP", "content": {"application/zip": {"schema": {}}}}}
    },
)
def download_data_request(
    request: HttpRequest, org_slug: str, data_request_id: int
) -> HttpResponse:
    membership = membership_for(request, org_slug)
    data_request = data_request_for(
        membership=membership, request_id=data_request_id, to_download=True
    )
    if not data_request.has_download or data_request.result is None:
        raise Http404(_("This download is not ready, or has expired."))
    log_action(
        actor=request_user(request),
        organisation=membership.organisation,
        action="privacy.downloaded",
        target=data_request,
    )
    response = HttpResponse(bytes(data_request.result), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{data_request.filename}"'
    return response
