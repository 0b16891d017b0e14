"""Personal data rights (GDPR; India's DPDP Act): a person's download, an organisation's
export, erasing a person and erasing an organisation.

Each is asked for through ``data_request_create`` (confirmed, audited) and carried out
by ``data_request_run`` in a background task with progress. Erasure runs in one
transaction: it succeeds whole or changes nothing.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import zipfile
from collections.abc import Callable, Mapping
from typing import Any

from django.apps import apps
from django.contrib.sessions.models import Session
from django.db import models, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from alongside.accounts.models import ApiToken, User
from alongside.audit.models import AuditEvent
from alongside.audit.services import log_action
from alongside.core.errors import AlongsideError
from alongside.core.personal_data import Subject, handlers, plain, rows
from alongside.organisations.models import Membership, Organisation
from alongside.people.models import Person
from alongside.privacy import walk
from alongside.privacy.models import DataRequest

logger = logging.getLogger(__name__)

Kind = DataRequest.Kind
FORMER = "Former participant"
# Columns an organisation export never carries: credentials and uploaded blobs.
NOT_EXPORTED = walk.NEVER_SCRUBBED | {"content", "result", "session_data"}


def subject_for(person: Person) -> Subject:
    other_memberships = (
        Membership.objects.filter(user_id=person.user_id)
        .exclude(organisation_id=person.organisation_id)
        .exists()
        if person.user_id
        else True
    )
    return Subject(
        organisation_id=person.organisation_id,
        person_id=person.pk,
        user_id=person.user_id,
        email=person.email,
        name=person.name,
        employee_id=person.employee_id,
        account_erased=person.user_id is not None and not other_memberships,
    )


# --- Asking ------------------------------------------------------------------------------


@transaction.atomic
def data_request_create(
    *,
    kind: str,
    organisation: Organisation,
    actor: User,
    person: Person | None = None,
    confirmation: str = "",
) -> DataRequest:
    """Ask for a download or an erasure; it runs in the background once committed."""
    if kind in (Kind.PERSON_EXPORT, Kind.PERSON_ERASURE):
        if person is None or person.organisation_id != organisation.pk:
            raise AlongsideError(_("No such person in this organisation."), code="not_found")
        if person.erased_at is not None:
            raise AlongsideError(_("This person's data has already been erased."), code="erased")
    if kind == Kind.PERSON_ERASURE:
        assert person is not None
        if person.user_id is not None and person.user_id == actor.pk:
            raise AlongsideError(
                _("You cannot erase yourself here; ask another organisation admin."),
                code="self_erasure",
            )
        if confirmation.strip().lower() != person.email.lower():
            raise AlongsideError(
                _("Type %(email)s exactly to confirm the erasure; nothing was erased.")
                % {"email": person.email},
                code="confirmation",
            )
    if kind == Kind.ORGANISATION_ERASURE and confirmation.strip() != organisation.slug:
        raise AlongsideError(
            _(
                "Type the organisation's address name, %(slug)s, exactly to confirm; "
                "nothing was erased."
            )
            % {"slug": organisation.slug},
            code="confirmation",
        )
    working = DataRequest.objects.select_for_update().filter(
        organisation=organisation,
        kind=kind,
        status__in=[DataRequest.Status.QUEUED, DataRequest.Status.RUNNING],
    )
    if person is not None:
        working = working.filter(person=person)
    if working.exists():
        raise AlongsideError(
            _("The same request is already running; wait for it to finish."), code="running"
        )
    request = DataRequest.objects.create(
        organisation=organisation, kind=kind, requested_by=actor, person=person
    )
    log_action(
        actor=actor,
        organisation=organisation,
        action=f"privacy.{kind}_requested",
        target=request,
        data={"person_id": person.pk if person is not None else None},
    )
    from alongside.privacy.tasks import run_data_request

    transaction.on_commit(lambda: run_data_request.enqueue(request_id=request.pk))
    return request


# --- Running -----------------------------------------------------------------------------


def _progress(request: DataRequest, progress: int, message: str) -> None:
    DataRequest.objects.filter(pk=request.pk).update(progress=progress, message=message[:300])


def data_request_run(*, request_id: int) -> DataRequest:
    """Carry out a request once: the first worker to claim it runs it."""
    claimed = DataRequest.objects.filter(pk=request_id, status=DataRequest.Status.QUEUED).update(
        status=DataRequest.Status.RUNNING, progress=1, message=_("Starting…")
    )
    request = DataRequest.objects.select_related("organisation", "person", "requested_by").get(
        pk=request_id
    )
    if not claimed:
        return request
    runners: dict[str, Callable[[DataRequest], None]] = {
        Kind.PERSON_EXPORT: _run_person_export,
        Kind.ORGANISATION_EXPORT: _run_organisation_export,
        Kind.PERSON_ERASURE: _run_person_erasure,
        Kind.ORGANISATION_ERASURE: _run_organisation_erasure,
    }
    try:
        runners[request.kind](request)
    except Exception:
        logger.exception("Data request %s failed", request_id)
        DataRequest.objects.filter(pk=request_id).update(
            status=DataRequest.Status.FAILED,
            message=_("It failed and nothing was changed; try again or ask for help."),
            finished_at=timezone.now(),
        )
    else:
        DataRequest.objects.filter(pk=request_id).update(
            status=DataRequest.Status.DONE, progress=100, finished_at=timezone.now()
        )
    request.refresh_from_db()
    return request


# --- A person's download -----------------------------------------------------------------


def person_data(subject: Subject) -> dict[str, Any]:
    """Everything Alongside holds about the person, by app and section."""
    sections: dict[str, Mapping[str, Any]] = {}
    for handler in handlers():
        if handler.export is not None:
            sections[handler.app] = handler.export(subject)
    organisation = Organisation.objects.get(pk=subject.organisation_id)
    return {
        "organisation": organisation.name,
        "exported_at": timezone.now().isoformat(),
        "sections": sections,
    }


def _run_person_export(request: DataRequest) -> None:
    assert request.person is not None
    subject = subject_for(request.person)
    _progress(request, 30, _("Collecting your data…"))
    data = person_data(subject)
    _progress(request, 80, _("Packing the download…"))
    html = render_to_string("privacy/export_person.html", {"data": data, "person": request.person})
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("alongside-data.json", json.dumps(data, indent=2, ensure_ascii=False))
        archive.writestr("alongside-data.html", html)
    DataRequest.objects.filter(pk=request.pk).update(
        result=buffer.getvalue(),
        filename=f"alongside-my-data-{slugify(request.person.name) or 'person'}.zip",
        expires_at=request.default_expiry(),
        counts={app: sum(len(v) for v in s.values()) for app, s in data["sections"].items()},
        message=_("Your download is ready."),
    )
    log_action(
        actor=request.requested_by,
        organisation=request.organisation,
        action="privacy.person_export_done",
        target=request,
    )


# --- An organisation's export ------------------------------------------------------------


def _csv(queryset: Any, fields: list[models.Field[Any, Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([f.attname for f in fields])
    for row in queryset.iterator(chunk_size=1000):
        values = []
        for field in fields:
            value = plain(getattr(row, field.attname))
            values.append(json.dumps(value) if isinstance(value, list | dict) else value)
        writer.writerow(values)
    return out.getvalue()


def _run_organisation_export(request: DataRequest) -> None:
    organisation = request.organisation
    assert organisation is not None
    models_with_rows = list(walk.organisation_rows(organisation.pk))
    buffer = io.BytesIO()
    counts: dict[str, int] = {}
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "organisation.json",
            json.dumps(
                {
                    "name": organisation.name,
                    "slug": organisation.slug,
                    "default_time_zone": organisation.default_time_zone,
                    "created_at": organisation.created_at.isoformat(),
                    "exported_at": timezone.now().isoformat(),
                },
                indent=2,
            ),
        )
        members = Membership.objects.filter(organisation=organisation).select_related("user")
        archive.writestr(
            "members.csv",
            _csv_rows(rows(members, ("user__email", "user__full_name", "role", "created_at"))),
        )
        for position, (model, queryset) in enumerate(models_with_rows, start=1):
            fields = [
                f
                for f in model._meta.concrete_fields
                if f.name not in NOT_EXPORTED and not isinstance(f, models.BinaryField)
            ]
            count = queryset.count()
            if count:
                counts[model._meta.label_lower] = count
                archive.writestr(f"{model._meta.label_lower}.csv", _csv(queryset, fields))
            _progress(
                request,
                int(5 + 90 * position / max(len(models_with_rows), 1)),
                _("Exported %(model)s") % {"model": model._meta.verbose_name_plural},
            )
    DataRequest.objects.filter(pk=request.pk).update(
        result=buffer.getvalue(),
        filename=f"alongside-{organisation.slug}-{timezone.now():%Y%m%d}.zip",
        expires_at=request.default_expiry(),
        counts=counts,
        message=_("The export is ready."),
    )
    log_action(
        actor=request.requested_by,
        organisation=organisation,
        action="privacy.organisation_export_done",
        target=request,
        data={"tables": len(counts)},
    )


def _csv_rows(data: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    if data:
        writer = csv.DictWriter(out, fieldnames=list(data[0]))
        writer.writeheader()
        writer.writerows(data)
    return out.getvalue()


# --- Erasing a person --------------------------------------------------------------------


def _erase_account_traces(*, user_id: int | None, emails: list[str]) -> dict[str, int]:
    """Sessions, sign-in attempts and admin log entries of a deleted account."""
    counts = {"sessions": 0, "sign_in_attempts": 0, "admin_log": 0}
    if user_id is not None:
        doomed = [
            session.pk
            for session in Session.objects.iterator(chunk_size=1000)
            if str(session.get_decoded().get("_auth_user_id")) == str(user_id)
        ]
        counts["sessions"], _deleted = Session.objects.filter(pk__in=doomed).delete()
    for label in ("AccessAttempt", "AccessLog", "AccessFailureLog"):
        model = apps.get_model("axes", label)
        for email in emails:
            deleted, _deleted = model.objects.filter(username__iexact=email).delete()
            counts["sign_in_attempts"] += deleted
    log_entry = apps.get_model("admin", "LogEntry")
    for email in emails:
        deleted, _deleted = log_entry.objects.filter(
            Q(object_repr__icontains=email) | Q(change_message__icontains=email)
        ).delete()
        counts["admin_log"] += deleted
    return counts


def _anonymise_audit(subject: Subject) -> int:
    """The trail stays (who did what, when), without the person: entries about them or
    by them read "Former participant"; their data lose the person's values."""
    about = Q(target_type="people.person", target_id=str(subject.person_id))
    if subject.user_id is not None:
        about |= Q(target_type="accounts.user", target_id=str(subject.user_id))
    entries = AuditEvent.objects.filter(about, organisation_id=subject.organisation_id)
    changed = entries.update(target_label=FORMER)
    if subject.account_erased and subject.user_id is not None:
        # Entries outside any organisation (personal API tokens) made by the account.
        changed += AuditEvent.objects.filter(
            organisation__isnull=True, actor_id=subject.user_id
        ).update(actor_label=FORMER, actor=None, target_label="")
    if subject.user_id is not None:
        changed += AuditEvent.objects.filter(
            organisation_id=subject.organisation_id, actor_id=subject.user_id
        ).update(actor_label=FORMER, actor=None)
    return changed


@transaction.atomic
def person_erase(
    *, person: Person, actor: User | None, request: DataRequest | None = None
) -> dict[str, int]:
    """Erase a person's data in their organisation, all or nothing."""
    person = Person.objects.select_for_update().get(pk=person.pk)
    if person.erased_at is not None:
        raise AlongsideError(_("This person's data has already been erased."), code="erased")
    subject = subject_for(person)
    counts: dict[str, int] = {}
    steps = [h for h in handlers() if h.erase is not None]
    for position, handler in enumerate(steps, start=1):
        assert handler.erase is not None
        for name, count in handler.erase(subject).items():
            counts[f"{handler.app}.{name}"] = count
        if request is not None:
            _progress(request, int(5 + 70 * position / len(steps)), _("Erasing…"))
    if subject.user_id is not None:
        counts["organisations.membership"], _deleted = Membership.objects.filter(
            user_id=subject.user_id, organisation_id=subject.organisation_id
        ).delete()
    counts["audit.entries"] = _anonymise_audit(subject)
    if subject.account_erased and subject.user_id is not None:
        counts["accounts.api_tokens"], _deleted = ApiToken.objects.filter(
            user_id=subject.user_id
        ).delete()
        counts |= _erase_account_traces(user_id=subject.user_id, emails=[subject.email])
        User.objects.filter(pk=subject.user_id).delete()
        counts["accounts.account"] = 1
    if request is not None:
        _progress(request, 85, _("Removing mentions of the person…"))
    counts["mentions"] = walk.scrub_organisation(subject)
    # The erasure itself is on the trail, with nothing of the person in it.
    log_action(
        actor=actor,
        organisation=Organisation.objects.get(pk=subject.organisation_id),
        action="person.erased",
        target=Person.objects.get(pk=subject.person_id),
        data={"counts": counts},
    )
    return counts


def _run_person_erasure(request: DataRequest) -> None:
    assert request.person is not None
    counts = person_erase(person=request.person, actor=request.requested_by, request=request)
    DataRequest.objects.filter(pk=request.pk).update(
        counts=counts, message=_("The person's data is erased.")
    )


# --- Erasing an organisation -------------------------------------------------------------


@transaction.atomic
def organisation_erase(*, organisation: Organisation, actor: User | None) -> dict[str, int]:
    """Delete the organisation and everything in it; accounts that belong to no other
    organisation go too. Only the erasure's own entry stays on the trail."""
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    members = set(
        Membership.objects.filter(organisation=organisation).values_list("user_id", flat=True)
    )
    members |= set(
        Person.objects.filter(organisation=organisation, user__isnull=False).values_list(
            "user_id", flat=True
        )
    )
    elsewhere = set(
        Membership.objects.filter(user_id__in=members)
        .exclude(organisation=organisation)
        .values_list("user_id", flat=True)
    )
    leaving = sorted(members - elsewhere)
    emails = list(User.objects.filter(pk__in=leaving).values_list("email", flat=True))
    people = Person.objects.filter(organisation=organisation).count()
    organisation_id, slug = organisation.pk, organisation.slug
    organisation.delete()
    counts: dict[str, int] = {"people": people, "accounts": len(leaving)}
    for user_id in leaving:
        for name, count in _erase_account_traces(user_id=user_id, emails=[]).items():
            counts[name] = counts.get(name, 0) + count
    traces = _erase_account_traces(user_id=None, emails=emails)
    for name, count in traces.items():
        counts[name] = counts.get(name, 0) + count
    AuditEvent.objects.filter(organisation__isnull=True, actor_id__in=leaving).update(
        actor_label=FORMER, actor=None, target_label=""
    )
    User.objects.filter(pk__in=leaving).delete()
    log_action(
        actor=actor if actor is not None and actor.pk not in leaving else None,
        organisation=None,
        action="organisation.erased",
        data={"organisation_id": organisation_id, "slug": slug, "counts": counts},
    )
    return counts


def _run_organisation_erasure(request: DataRequest) -> None:
    organisation = request.organisation
    assert organisation is not None
    _progress(request, 10, _("Erasing the organisation…"))
    counts = organisation_erase(organisation=organisation, actor=request.requested_by)
    DataRequest.objects.filter(pk=request.pk).update(
        counts=counts, message=_("The organisation and all its data are erased.")
    )
