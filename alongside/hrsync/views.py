"""Settings › HR sync (admins): the source and schedule, "run now", the run history with
each run's diff, and the confirmation of a run that would take away too many people."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from alongside.core.errors import AlongsideError
from alongside.core.messages import show_error
from alongside.core.pagination import paginate
from alongside.hrsync.models import SyncSource
from alongside.hrsync.selectors import hr_sync_run_get, hr_sync_runs_for, hr_sync_source_of
from alongside.hrsync.services import (
    hr_sync_configure,
    hr_sync_forget_host_key,
    hr_sync_remove,
    hr_sync_request_run,
    hr_sync_run_confirm,
    hr_sync_run_discard,
)
from alongside.organisations.tenancy import ADMINS, OrgRequest, org_view

FIELDS = (
    "kind",
    "url",
    "http_auth",
    "host",
    "port",
    "path",
    "username",
    "secret",
    "private_key",
    "frequency",
    "time_of_day",
    "weekday",
)


def _settings(request: OrgRequest) -> HttpResponse:
    return redirect("hrsync:settings", request.organisation.slug)


@org_view(*ADMINS)
def sync_settings(request: OrgRequest) -> HttpResponse:
    source = hr_sync_source_of(organisation=request.organisation)
    values: dict[str, Any] = {}
    if request.method == "POST":
        values = {name: request.POST.get(name, "") for name in FIELDS}
        values["is_active"] = request.POST.get("is_active") == "on"
        try:
            percent = float(request.POST.get("max_leaver_percent", "10") or "10")
        except ValueError:
            percent = -1
        values["max_leaver_share"] = percent / 100
        try:
            hr_sync_configure(organisation=request.organisation, actor=request.user, values=values)
        except AlongsideError as error:
            show_error(request, error)
        else:
            messages.success(request, _("The HR sync is saved."))
            return _settings(request)
    page = paginate(request, hr_sync_runs_for(organisation=request.organisation), 20)
    shown: dict[str, Any] = {
        "kind": "https",
        "url": "",
        "http_auth": "none",
        "host": "",
        "port": 22,
        "path": "",
        "username": "",
        "frequency": "daily",
        "weekday": 0,
        "time_of_day": "06:00",
        "max_leaver_percent": 10,
        "is_active": True,
        "has_secret": False,
        "has_private_key": False,
    }
    if source is not None:
        shown.update(
            {name: getattr(source, name) for name in shown if hasattr(source, name)},
            time_of_day=source.time_of_day.strftime("%H:%M"),
            max_leaver_percent=round(source.max_leaver_share * 100),
            has_secret=bool(source.secret_encrypted),
            has_private_key=bool(source.private_key_encrypted),
        )
    shown.update({k: v for k, v in values.items() if k in shown and k not in ("is_active",)})
    return render(
        request,
        "hrsync/settings.html",
        {
            "source": source,
            "form": shown,
            "page": page,
            "kinds": SyncSource.Kind.choices,
            "auths": SyncSource.HttpAuth.choices,
            "frequencies": SyncSource.Frequency.choices,
            "weekdays": [
                (0, _("Monday")),
                (1, _("Tuesday")),
                (2, _("Wednesday")),
                (3, _("Thursday")),
                (4, _("Friday")),
                (5, _("Saturday")),
                (6, _("Sunday")),
            ],
        },
    )


@org_view(*ADMINS)
@require_POST
def run_now(request: OrgRequest) -> HttpResponse:
    try:
        hr_sync_request_run(organisation=request.organisation, actor=request.user)
    except AlongsideError as error:
        show_error(request, error)
    else:
        messages.info(request, _("The sync is running; its result appears in the history."))
    return _settings(request)


@org_view(*ADMINS)
@require_POST
def forget_host_key(request: OrgRequest) -> HttpResponse:
    source = hr_sync_source_of(organisation=request.organisation)
    if source is not None:
        hr_sync_forget_host_key(source=source, actor=request.user)
        messages.success(request, _("The next run records the server's key again."))
    return _settings(request)


@org_view(*ADMINS)
@require_POST
def remove(request: OrgRequest) -> HttpResponse:
    source = hr_sync_source_of(organisation=request.organisation)
    if source is not None:
        hr_sync_remove(source=source, actor=request.user)
        messages.success(request, _("The HR sync is removed; its history is kept."))
    return _settings(request)


@org_view(*ADMINS)
def run_detail(request: OrgRequest, sync_run_id: int) -> HttpResponse:
    run = hr_sync_run_get(organisation=request.organisation, run_id=sync_run_id)
    return render(request, "hrsync/run.html", {"run": run})


@org_view(*ADMINS)
@require_POST
def run_confirm(request: OrgRequest, sync_run_id: int) -> HttpResponse:
    run = hr_sync_run_get(organisation=request.organisation, run_id=sync_run_id)
    try:
        hr_sync_run_confirm(run=run, actor=request.user)
    except AlongsideError as error:
        show_error(request, error)
    else:
        messages.success(request, _("Confirmed: the run is being applied."))
    return redirect("hrsync:run", request.organisation.slug, run.pk)


@org_view(*ADMINS)
@require_POST
def run_discard(request: OrgRequest, sync_run_id: int) -> HttpResponse:
    run = hr_sync_run_get(organisation=request.organisation, run_id=sync_run_id)
    try:
        hr_sync_run_discard(run=run, actor=request.user)
    except AlongsideError as error:
        show_error(request, error)
    else:
        messages.success(request, _("Discarded: nothing was changed."))
    return redirect("hrsync:run", request.organisation.slug, run.pk)


urlpatterns: list[URLPattern] = [
    path("", sync_settings, name="settings"),
    path("run/", run_now, name="run_now"),
    path("forget-host-key/", forget_host_key, name="forget_host_key"),
    path("remove/", remove, name="remove"),
    path("runs/<int:sync_run_id>/", run_detail, name="run"),
    path("runs/<int:sync_run_id>/confirm/", run_confirm, name="run_confirm"),
    path("runs/<int:sync_run_id>/discard/", run_discard, name="run_discard"),
]
