"""The HR sync in the API: organisation admins only."""

from datetime import datetime, time
from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from alongside.accounts.api_auth import request_user
from alongside.core.errors import NotFound
from alongside.core.schemas import ERRORS, Schema
from alongside.hrsync.models import SyncRun, SyncSource
from alongside.hrsync.selectors import hr_sync_run_get, hr_sync_runs_for, hr_sync_source_of
from alongside.hrsync.services import (
    hr_sync_configure,
    hr_sync_forget_host_key,
    hr_sync_remove,
    hr_sync_request_run,
    hr_sync_run_confirm,
    hr_sync_run_discard,
)
from alongside.organisations.api_auth import membership_for
from alongside.organisations.models import Membership, Role

router = Router(tags=["hr-sync"])
BASE = "/{org_slug}/hr-sync"


class SourceOut(Schema):
    kind: str
    url: str
    http_auth: str
    host: str
    port: int
    path: str
    username: str
    has_secret: bool
    has_private_key: bool
    host_key_fingerprint: str
    frequency: str
    time_of_day: time
    weekday: int
    max_leaver_share: float
    is_active: bool
    next_run_at: datetime | None


class SourceIn(Schema):
    kind: str
    url: str = ""
    http_auth: str = "none"
    host: str = ""
    port: int = 22
    path: str = ""
    username: str = ""
    secret: str = ""
    private_key: str = ""
    frequency: str = "daily"
    time_of_day: str = "06:00"
    weekday: int = 0
    max_leaver_share: float = 0.10
    is_active: bool = True


class ChangedOut(Schema):
    email: str
    fields: list[str]


class RunOut(Schema):
    id: int
    status: str
    trigger: str
    source_description: str
    started_at: datetime
    finished_at: datetime | None
    rows: int
    added: list[str]
    changed: list[ChangedOut]
    left: list[str]
    unchanged: int
    problems: list[dict[str, Any]]
    error: str
    confirmed_at: datetime | None


def _admin(request: HttpRequest, org_slug: str) -> Membership:
    return membership_for(request, org_slug, Role.ADMIN)


def _out(source: SyncSource) -> dict[str, Any]:
    return {
        **{name: getattr(source, name) for name in SourceOut.model_fields if hasattr(source, name)},
        "has_secret": bool(source.secret_encrypted),
        "has_private_key": bool(source.private_key_encrypted),
    }


def _source(membership: Membership) -> SyncSource:
    source = hr_sync_source_of(organisation=membership.organisation)
    if source is None:
        raise NotFound("No HR sync is configured in this organisation.")
    return source


@router.get(BASE, response={200: SourceOut, **ERRORS}, summary="The HR sync source and schedule")
def get_hr_sync(request: HttpRequest, org_slug: str) -> Any:
    return _out(_source(_admin(request, org_slug)))


@router.put(
    BASE,
    response={200: SourceOut, **ERRORS},
    summary="Configure the HR sync (secrets left empty are kept)",
)
def set_hr_sync(request: HttpRequest, org_slug: str, payload: SourceIn) -> Any:
    membership = _admin(request, org_slug)
    source = hr_sync_configure(
        organisation=membership.organisation, actor=request_user(request), values=payload.dict()
    )
    return _out(source)


@router.delete(BASE, response={204: None, **ERRORS}, summary="Remove the HR sync (runs are kept)")
def delete_hr_sync(request: HttpRequest, org_slug: str) -> Any:
    membership = _admin(request, org_slug)
    hr_sync_remove(source=_source(membership), actor=request_user(request))
    return Status(204, None)


@router.post(
    f"{BASE}/forget-host-key",
    response={204: None, **ERRORS},
    summary="Forget the SFTP server's pinned key; the next run records it again",
)
def forget_host_key(request: HttpRequest, org_slug: str) -> Any:
    membership = _admin(request, org_slug)
    hr_sync_forget_host_key(source=_source(membership), actor=request_user(request))
    return Status(204, None)


@router.post(
    f"{BASE}/runs", response={202: None, **ERRORS}, summary="Run the sync now (in the worker)"
)
def run_hr_sync_now(request: HttpRequest, org_slug: str) -> Any:
    membership = _admin(request, org_slug)
    hr_sync_request_run(organisation=membership.organisation, actor=request_user(request))
    return Status(202, None)


@router.get(
    f"{BASE}/runs",
    response={200: list[RunOut], **ERRORS},
    summary="The last 100 runs, newest first",
)
def list_hr_sync_runs(request: HttpRequest, org_slug: str) -> Any:
    membership = _admin(request, org_slug)
    return list(hr_sync_runs_for(organisation=membership.organisation)[:100])


@router.get(f"{BASE}/runs/{{int:sync_run_id}}", response={200: RunOut, **ERRORS}, summary="One run")
def get_hr_sync_run(request: HttpRequest, org_slug: str, sync_run_id: int) -> Any:
    membership = _admin(request, org_slug)
    return hr_sync_run_get(organisation=membership.organisation, run_id=sync_run_id)


@router.post(
    f"{BASE}/runs/{{int:sync_run_id}}/confirm",
    response={202: RunOut, **ERRORS},
    summary="Confirm a run that waits because too many people would leave",
)
def confirm_hr_sync_run(request: HttpRequest, org_slug: str, sync_run_id: int) -> Any:
    membership = _admin(request, org_slug)
    run = hr_sync_run_get(organisation=membership.organisation, run_id=sync_run_id)
    hr_sync_run_confirm(run=run, actor=request_user(request))
    return Status(202, SyncRun.objects.defer("content").get(pk=run.pk))


@router.post(
    f"{BASE}/runs/{{int:sync_run_id}}/discard",
    response={200: RunOut, **ERRORS},
    summary="Discard a run that waits for confirmation; nothing changes",
)
def discard_hr_sync_run(request: HttpRequest, org_slug: str, sync_run_id: int) -> Any:
    membership = _admin(request, org_slug)
    run = hr_sync_run_get(organisation=membership.organisation, run_id=sync_run_id)
    hr_sync_run_discard(run=run, actor=request_user(request))
    return SyncRun.objects.defer("content").get(pk=run.pk)
