"""Writes for the HR sync: configuring the source, running it, confirming a held run.

A run fetches the file, checks every row with the people import's validation and then
applies it in one transaction through the same import (leavers through the one leaver
path, ``people_mark_left``) — or changes nothing at all. When more people would leave
than the configured share of those active, the run waits for an admin to confirm the
list. A failure is emailed to the organisation's admins.
"""

from __future__ import annotations

import logging
from datetime import datetime, time, timedelta
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from alongside.accounts.models import User
from alongside.audit.services import log_action
from alongside.core.crypto import decrypt, encrypt
from alongside.core.errors import AlongsideError, Problem
from alongside.core.languages import in_language
from alongside.core.net import is_private_host
from alongside.hrsync.models import SyncRun, SyncSource
from alongside.hrsync.transport import (
    Fetched,
    HttpsSource,
    SftpSource,
    SourceError,
    fetch_https,
    fetch_sftp,
    load_private_key,
)
from alongside.organisations.models import Membership, Organisation, Role
from alongside.outbox.services import email_enqueue
from alongside.people.importing import ImportPlan, people_import_apply
from alongside.people.models import Person

logger = logging.getLogger(__name__)

Status = SyncRun.Status


# --- The schedule ----------------------------------------------------------------------


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def next_run_after(
    *, frequency: str, time_of_day: time, weekday: int, zone_name: str, after: datetime
) -> datetime:
    """The first scheduled moment strictly after ``after``, in the organisation's zone
    (a wall-clock time, so 06:00 stays 06:00 across daylight-saving changes)."""
    zone = _zone(zone_name)
    local = after.astimezone(zone)
    day = local.date()
    for offset in range(8):
        candidate_day = day + timedelta(days=offset)
        if frequency == SyncSource.Frequency.WEEKLY and candidate_day.weekday() != weekday:
            continue
        candidate = datetime.combine(candidate_day, time_of_day, tzinfo=zone)
        if candidate > after:
            return candidate
    raise AssertionError("a daily or weekly schedule always has a next run within 8 days")


# --- Configuring -----------------------------------------------------------------------


def _problem(message: str, field: str) -> AlongsideError:
    return AlongsideError(
        _("The HR sync could not be saved: %(field)s %(problem)s")
        % {"field": field, "problem": message},
        problems=[Problem(message, field=field)],
    )


def _clean(values: dict[str, Any], existing: SyncSource | None) -> dict[str, Any]:
    kind = str(values.get("kind", "")).strip()
    if kind not in SyncSource.Kind.values:
        raise _problem(_("must be https or sftp."), "kind")
    clean: dict[str, Any] = {"kind": kind}
    if kind == SyncSource.Kind.HTTPS:
        url = str(values.get("url", "")).strip()
        parts = urlsplit(url)
        allow_private = settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES
        if parts.scheme not in ("https", "http") or not parts.hostname or len(url) > 500:
            raise _problem(_("must be a full https:// address of the CSV file."), "url")
        if parts.scheme == "http" and not allow_private:
            raise _problem(_("must use https://, so that the file travels encrypted."), "url")
        if not allow_private and is_private_host(parts.hostname):
            raise _problem(_("points to a private or local network address."), "url")
        auth = str(values.get("http_auth", "none") or "none")
        if auth not in SyncSource.HttpAuth.values:
            raise _problem(_("must be none, bearer or basic."), "http_auth")
        clean.update(url=url, http_auth=auth, host="", path="")
        if auth == SyncSource.HttpAuth.BASIC and not str(values.get("username", "")).strip():
            raise _problem(_("is required for a user name and password."), "username")
        clean["username"] = str(values.get("username", "")).strip() if auth == "basic" else ""
    else:
        host = str(values.get("host", "")).strip()
        path = str(values.get("path", "")).strip()
        username = str(values.get("username", "")).strip()
        if not host or "/" in host or len(host) > 255:
            raise _problem(_("must be the SFTP server's host name."), "host")
        try:
            port = int(values.get("port") or 22)
        except (TypeError, ValueError):
            port = 0
        if not 0 < port < 65536:
            raise _problem(_("must be a port number between 1 and 65535."), "port")
        if not path.startswith("/"):
            raise _problem(_("must be the file's full path, starting with /."), "path")
        if not username:
            raise _problem(_("is required."), "username")
        clean.update(host=host, port=port, path=path, username=username, url="", http_auth="none")
    secret = str(values.get("secret", "") or "")
    private_key = str(values.get("private_key", "") or "")
    if private_key.strip():
        try:
            load_private_key(private_key)
        except SourceError as error:
            raise _problem(error.message, "private_key") from error
    needs_secret = kind == SyncSource.Kind.SFTP or clean["http_auth"] != "none"
    keeps_secret = existing is not None and existing.kind == kind
    has_secret = bool(secret or private_key.strip()) or (
        keeps_secret
        and existing is not None
        and bool(existing.secret_encrypted or existing.private_key_encrypted)
    )
    if needs_secret and not has_secret:
        field = "secret" if kind == SyncSource.Kind.HTTPS else "secret or private_key"
        raise _problem(_("is required: a token, a password or a private key."), field)
    clean["secret"] = secret
    clean["private_key"] = private_key.strip()
    frequency = str(values.get("frequency", "daily"))
    if frequency not in SyncSource.Frequency.values:
        raise _problem(_("must be daily or weekly."), "frequency")
    raw_time = values.get("time_of_day", "")
    try:
        at = (
            raw_time
            if isinstance(raw_time, time)
            else datetime.strptime(str(raw_time).strip()[:5], "%H:%M").time()  # noqa: DTZ007
        )
    except ValueError as error:
        raise _problem(_("must be a time such as 06:30."), "time_of_day") from error
    try:
        weekday = int(values.get("weekday") or 0)
    except (TypeError, ValueError):
        weekday = -1
    if not 0 <= weekday <= 6:
        raise _problem(_("must be 0 (Monday) to 6 (Sunday)."), "weekday")
    try:
        share = float(values.get("max_leaver_share", 0.10))
    except (TypeError, ValueError):
        share = -1
    if not 0 <= share <= 1:
        raise _problem(_("must be a share between 0 and 1, e.g. 0.1 for 10 %."), "max_leaver_share")
    clean.update(
        frequency=frequency,
        time_of_day=at.replace(second=0, microsecond=0),
        weekday=weekday,
        max_leaver_share=share,
        is_active=bool(values.get("is_active", True)),
    )
    return clean


@transaction.atomic
def hr_sync_configure(
    *, organisation: Organisation, actor: User, values: dict[str, Any]
) -> SyncSource:
    """Create or change the organisation's source and schedule; secrets left empty are
    kept. Changing the SFTP host forgets its pinned key."""
    existing = SyncSource.objects.select_for_update().filter(organisation=organisation).first()
    clean = _clean(values, existing)
    source = existing or SyncSource(organisation=organisation, created_by=actor)
    secret, private_key = clean.pop("secret"), clean.pop("private_key")
    if existing is not None and (existing.kind != clean["kind"] or existing.host != clean["host"]):
        source.host_key = source.host_key_fingerprint = ""
        source.secret_encrypted = source.private_key_encrypted = ""
    for name, value in clean.items():
        setattr(source, name, value)
    if private_key:
        source.private_key_encrypted, source.secret_encrypted = encrypt(private_key), ""
    elif secret:
        source.secret_encrypted, source.private_key_encrypted = encrypt(secret), ""
    now = timezone.now()
    source.updated_at = now
    source.next_run_at = next_run_after(
        frequency=source.frequency,
        time_of_day=source.time_of_day,
        weekday=source.weekday,
        zone_name=organisation.default_time_zone,
        after=now,
    )
    source.save()
    log_action(
        actor=actor,
        organisation=organisation,
        action="hr_sync.configured",
        target=source,
        data={
            "where": source.where,
            "frequency": source.frequency,
            "time": source.time_of_day.isoformat(timespec="minutes"),
            "max_leaver_share": source.max_leaver_share,
        },
    )
    return source


@transaction.atomic
def hr_sync_forget_host_key(*, source: SyncSource, actor: User) -> None:
    SyncSource.objects.filter(pk=source.pk).update(host_key="", host_key_fingerprint="")
    log_action(
        actor=actor,
        organisation=source.organisation,
        action="hr_sync.host_key_forgotten",
        target=source,
        data={"fingerprint": source.host_key_fingerprint},
    )


@transaction.atomic
def hr_sync_remove(*, source: SyncSource, actor: User) -> None:
    log_action(
        actor=actor,
        organisation=source.organisation,
        action="hr_sync.removed",
        target=source,
        data={"where": source.where},
    )
    source.delete()


# --- Running ---------------------------------------------------------------------------


def _fetch(source: SyncSource) -> Fetched:
    secret = decrypt(source.secret_encrypted) if source.secret_encrypted else ""
    if source.kind == SyncSource.Kind.HTTPS:
        return fetch_https(
            HttpsSource(
                url=source.url, auth=source.http_auth, username=source.username, secret=secret
            )
        )
    fetched = fetch_sftp(
        SftpSource(
            host=source.host,
            port=source.port,
            path=source.path,
            username=source.username,
            password=secret,
            private_key=(
                decrypt(source.private_key_encrypted) if source.private_key_encrypted else ""
            ),
            host_key=source.host_key,
        )
    )
    if not source.host_key and fetched.host_key:
        # Trust on first use: from now on only this key is accepted.
        SyncSource.objects.filter(pk=source.pk, host_key="").update(
            host_key=fetched.host_key, host_key_fingerprint=fetched.host_key_fingerprint
        )
        log_action(
            actor=None,
            organisation=source.organisation,
            action="hr_sync.host_key_recorded",
            target=source,
            data={"fingerprint": fetched.host_key_fingerprint},
        )
    return fetched


def _diff(plan: ImportPlan) -> dict[str, Any]:
    return {
        "rows": plan.summary["rows"],
        "added": sorted(row.email for row in plan.to_create),
        "changed": sorted(
            (
                {"email": person.email, "fields": sorted(fields)}
                for person, _r, fields in plan.to_update
            ),
            key=lambda item: item["email"],
        ),
        "left": sorted(person.email for person in plan.to_deactivate),
        "unchanged": len(plan.unchanged),
    }


class _HoldForConfirmation(Exception):
    def __init__(self, plan: ImportPlan) -> None:
        super().__init__("held")
        self.plan = plan


def _too_many_leavers(organisation: Organisation, source: SyncSource, leaving: int) -> bool:
    if leaving == 0:
        return False
    active = Person.objects.filter(organisation=organisation, is_active=True).count()
    return leaving > source.max_leaver_share * active


def _finish(run: SyncRun, **fields: Any) -> SyncRun:
    fields.setdefault("finished_at", timezone.now())
    for name, value in fields.items():
        setattr(run, name, value)
    run.save()
    return run


def hr_sync_run(
    *,
    organisation: Organisation,
    trigger: str = SyncRun.Trigger.SCHEDULE,
    actor: User | None = None,
) -> SyncRun:
    """Fetch, check and apply the file once (the worker; never inside a page request)."""
    source = SyncSource.objects.filter(organisation=organisation).first()
    run = SyncRun.objects.create(
        organisation=organisation,
        trigger=trigger,
        requested_by=actor,
        source_description=source.where[:600] if source else "",
    )
    if source is None:
        return _failed(run, _("No HR sync source is configured."))
    try:
        data = _fetch(source).data
    except SourceError as error:
        return _failed(run, error.message)
    except AlongsideError as error:  # a stored secret that can no longer be read
        return _failed(run, error.message)
    return _execute(run, source, data, actor=actor)


def _execute(
    run: SyncRun,
    source: SyncSource,
    data: bytes,
    *,
    actor: User | None,
    confirmed_left: list[str] | None = None,
) -> SyncRun:
    organisation = source.organisation
    filename = source.where.rsplit("/", 1)[-1] or "people.csv"
    try:
        with transaction.atomic():
            # The same lock and checks as the import itself: first look, then apply.
            plan = people_import_apply(
                organisation=organisation,
                actor=actor,
                data=data,
                filename=filename,
                deactivate_missing=True,
                dry_run=True,
            )
            leaving = {p.email for p in plan.to_deactivate}
            if confirmed_left is not None:
                unconfirmed = leaving - set(confirmed_left)
                if unconfirmed:
                    raise AlongsideError(
                        _(
                            "Since the confirmation, more people would leave (%(emails)s); "
                            "nothing was changed. Run the sync again to review the new list."
                        )
                        % {"emails": ", ".join(sorted(unconfirmed)[:10])}
                    )
            elif _too_many_leavers(organisation, source, len(leaving)):
                raise _HoldForConfirmation(plan)
            plan = people_import_apply(
                organisation=organisation,
                actor=actor,
                data=data,
                filename=filename,
                deactivate_missing=True,
            )
    except _HoldForConfirmation as held:
        diff = _diff(held.plan)
        _finish(run, status=Status.NEEDS_CONFIRMATION, content=data, finished_at=None, **diff)
        _email_admins(run, needs_confirmation=True)
        return run
    except AlongsideError as error:
        problems = [p.as_dict() for p in error.problems][:200]
        return _failed(run, error.message, problems=problems)
    _finish(run, status=Status.SUCCEEDED, content=b"", error="", **_diff(plan))
    log_action(
        actor=actor,
        organisation=organisation,
        action="hr_sync.applied",
        target=run,
        data={"added": len(run.added), "changed": len(run.changed), "left": len(run.left)},
    )
    return run


def _failed(run: SyncRun, message: str, problems: list[dict[str, Any]] | None = None) -> SyncRun:
    _finish(run, status=Status.FAILED, error=message, problems=problems or [], content=b"")
    logger.warning(
        "HR sync run %s of organisation %s failed: %s", run.pk, run.organisation_id, message
    )
    _email_admins(run, needs_confirmation=False)
    return run


def _email_admins(run: SyncRun, *, needs_confirmation: bool) -> None:
    admins = list(
        Membership.objects.filter(organisation_id=run.organisation_id, role=Role.ADMIN)
        .select_related("user", "organisation")
        .values_list("user__email", flat=True)
    )
    if not admins:
        return
    organisation = Organisation.objects.get(pk=run.organisation_id)
    link = settings.SITE_URL + reverse("hrsync:run", args=[organisation.slug, run.pk])
    # In the organisation's language: its admins may each read another, one email goes to all.
    with in_language(organisation.language):
        if needs_confirmation:
            subject = _("HR sync waits for your confirmation: %(count)d people would leave") % {
                "count": len(run.left)
            }
            body = _(
                "Today's HR sync for %(organisation)s would mark %(count)d people as having left, "
                "more than the share you set. Nothing has changed yet: review the list and "
                "confirm or discard the run here:\n\n%(link)s\n"
            ) % {"organisation": organisation.name, "count": len(run.left), "link": link}
        else:
            lines = [
                f"- {p.get('row') or ''} {p.get('field') or ''}: {p['message']}"
                for p in run.problems[:20]
            ]
            subject = _("HR sync failed for %(organisation)s: nothing changed") % {
                "organisation": organisation.name
            }
            body = _(
                "The HR sync for %(organisation)s failed and the directory was not changed.\n\n"
                "%(error)s\n%(problems)s\n\nDetails: %(link)s\n"
            ) % {
                "organisation": organisation.name,
                "error": run.error,
                "problems": "\n".join(lines),
                "link": link,
            }
    email_enqueue(
        EmailMessage(subject=subject, body=body, to=admins),
        kind="hr_sync",
        organisation_id=organisation.pk,
        dedupe_key=f"hr-sync-run:{run.pk}:{'hold' if needs_confirmation else 'failed'}",
    )


@transaction.atomic
def hr_sync_run_confirm(*, run: SyncRun, actor: User) -> None:
    """An admin accepts the leavers of a held run; the worker applies it."""
    locked = SyncRun.objects.select_for_update().get(pk=run.pk)
    if locked.status != Status.NEEDS_CONFIRMATION:
        raise AlongsideError(
            _("Only a run waiting for confirmation can be confirmed; this one is %(status)s.")
            % {"status": locked.get_status_display()},
            code="not_waiting",
        )
    locked.confirmed_by = actor
    locked.confirmed_at = timezone.now()
    locked.save(update_fields=["confirmed_by", "confirmed_at"])
    log_action(
        actor=actor,
        organisation=locked.organisation,
        action="hr_sync.confirmed",
        target=locked,
        data={"left": len(locked.left)},
    )
    from alongside.hrsync.tasks import apply_confirmed_run

    transaction.on_commit(lambda: apply_confirmed_run.enqueue(run_id=locked.pk, actor_id=actor.pk))


def hr_sync_apply_confirmed(*, run_id: int, actor_id: int | None) -> SyncRun | None:
    """The worker's half of a confirmation: apply the held file once, in the same run."""
    claimed = SyncRun.objects.filter(
        pk=run_id, status=Status.NEEDS_CONFIRMATION, confirmed_at__isnull=False
    ).update(status=Status.RUNNING)
    if not claimed:
        return None
    run = SyncRun.objects.select_related("organisation").get(pk=run_id)
    source = SyncSource.objects.filter(organisation=run.organisation).first()
    if source is None:
        return _failed(run, _("No HR sync source is configured."))
    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    return _execute(run, source, bytes(run.content), actor=actor, confirmed_left=list(run.left))


@transaction.atomic
def hr_sync_run_discard(*, run: SyncRun, actor: User) -> None:
    locked = SyncRun.objects.select_for_update().get(pk=run.pk)
    if locked.status != Status.NEEDS_CONFIRMATION:
        raise AlongsideError(
            _("Only a run waiting for confirmation can be discarded."), code="not_waiting"
        )
    locked.status = Status.DISCARDED
    locked.content = b""
    locked.finished_at = timezone.now()
    locked.save(update_fields=["status", "content", "finished_at"])
    log_action(
        actor=actor, organisation=locked.organisation, action="hr_sync.discarded", target=locked
    )


def hr_sync_request_run(*, organisation: Organisation, actor: User) -> None:
    """ "Run now": queued for the worker, like a scheduled run."""
    if not SyncSource.objects.filter(organisation=organisation).exists():
        raise AlongsideError(_("Configure the HR sync source first."), code="not_configured")
    from alongside.hrsync.tasks import run_hr_sync

    log_action(actor=actor, organisation=organisation, action="hr_sync.run_requested", target=None)
    run_hr_sync.enqueue(organisation_id=organisation.pk, trigger="manual", actor_id=actor.pk)


def hr_sync_run_due(*, now: datetime | None = None) -> int:
    """The periodic job: each source whose time has come runs once, claimed by moving its
    next run forward with a conditional update (so two workers never run it twice)."""
    now = now or timezone.now()
    due = list(
        SyncSource.objects.filter(is_active=True, next_run_at__lte=now).select_related(
            "organisation"
        )
    )
    ran = 0
    for source in due:
        following = next_run_after(
            frequency=source.frequency,
            time_of_day=source.time_of_day,
            weekday=source.weekday,
            zone_name=source.organisation.default_time_zone,
            after=now,
        )
        claimed = SyncSource.objects.filter(Q(pk=source.pk, next_run_at=source.next_run_at)).update(
            next_run_at=following
        )
        if not claimed:
            continue
        hr_sync_run(organisation=source.organisation)
        ran += 1
    return ran
