"""Importing people from CSV: validate everything, preview, then write all or nothing.

Upsert by email: a re-import of an updated HR export updates the people already in the
directory. Only the columns present in the file are written, so a file with just
``email,name,department`` never wipes anyone's time zone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from alongside.accounts.models import User
from alongside.audit.services import log_action
from alongside.core.errors import AlongsideError, Problem
from alongside.core.progress import ProgressReporter
from alongside.organisations.models import Organisation
from alongside.people.models import Person, PersonImport
from alongside.people.services import people_mark_left
from alongside.spreadsheets.people import CsvProblem, PersonRow, parse_people_csv

# Columns of the file → fields of Person that they write.
COLUMN_FIELDS = {
    "name": "name",
    "employee_id": "employee_id",
    "department": "department",
    "job_title": "job_title",
    "level": "level",
    "location": "location",
    "timezone": "timezone",
    "languages": "languages",
    "start_date": "start_date",
}


@dataclass
class ImportPlan:
    """What applying a file would do, person by person."""

    columns: tuple[str, ...]
    to_create: list[PersonRow] = field(default_factory=list)
    to_update: list[tuple[Person, PersonRow, list[str]]] = field(default_factory=list)
    unchanged: list[Person] = field(default_factory=list)
    to_deactivate: list[Person] = field(default_factory=list)
    problems: list[CsvProblem] = field(default_factory=list)

    @property
    def summary(self) -> dict[str, int]:
        return {
            "rows": len(self.to_create) + len(self.to_update) + len(self.unchanged),
            "created": len(self.to_create),
            "updated": len(self.to_update),
            "unchanged": len(self.unchanged),
            "deactivated": len(self.to_deactivate),
        }


def _problems_for_error(problems: list[CsvProblem]) -> list[Problem]:
    return [Problem(p.message, field=p.column, row=p.row) for p in problems]


Progress = Callable[[float], None]


def _no_progress(share: float) -> None:
    return None


def import_plan(
    *,
    organisation: Organisation,
    data: bytes,
    deactivate_missing: bool = False,
    progress: Progress = _no_progress,
) -> ImportPlan:
    """Check the file against the directory as it is now, and work out every change.

    ``progress`` is told the share of the file checked (0–1).
    """
    existing = {
        p.email.lower(): p
        for p in Person.objects.filter(organisation=organisation).select_related("manager")
    }
    existing_managers = {
        email: person.manager.email.lower()
        for email, person in existing.items()
        if person.manager is not None
    }
    result = parse_people_csv(
        data, known_emails=existing.keys(), existing_managers=existing_managers, progress=progress
    )
    plan = ImportPlan(columns=result.columns, problems=list(result.problems))
    if result.problems:
        return plan

    # Employee ids must stay unique once the file is applied.
    file_emails = {row.email for row in result.rows}
    if "employee_id" in result.columns:
        taken = {
            p.employee_id: email
            for email, p in existing.items()
            if p.employee_id and email not in file_emails
        }
        for row in result.rows:
            owner = taken.get(row.employee_id)
            if row.employee_id and owner is not None:
                plan.problems.append(
                    CsvProblem(
                        row.row,
                        "employee_id",
                        f"employee id {row.employee_id} already belongs to {owner} in the "
                        "directory.",
                    )
                )
    if plan.problems:
        return plan

    for row in result.rows:
        person = existing.get(row.email)
        if person is None:
            plan.to_create.append(row)
            continue
        changed = _changed_fields(person, row, result.columns)
        if changed:
            plan.to_update.append((person, row, changed))
        else:
            plan.unchanged.append(person)
    if deactivate_missing:
        plan.to_deactivate = [
            p for email, p in existing.items() if email not in file_emails and p.is_active
        ]
    return plan


def _changed_fields(person: Person, row: PersonRow, columns: tuple[str, ...]) -> list[str]:
    changed = [
        model_field
        for column, model_field in COLUMN_FIELDS.items()
        if column in columns and _row_value(row, model_field) != getattr(person, model_field)
    ]
    if "manager_email" in columns:
        current = person.manager.email.lower() if person.manager is not None else ""
        if current != row.manager_email:
            changed.append("manager")
    if not person.is_active:
        changed.append("is_active")
    return changed


def _row_value(row: PersonRow, model_field: str) -> Any:
    value = getattr(row, model_field)
    return list(value) if model_field == "languages" else value


def _check_size(data: bytes) -> None:
    if len(data) > settings.PEOPLE_IMPORT_MAX_BYTES:
        limit = settings.PEOPLE_IMPORT_MAX_BYTES // (1024 * 1024)
        raise AlongsideError(
            _("The file is larger than %(limit)s MB; split it into parts.") % {"limit": limit}
        )


def runs_as_task(data: bytes) -> bool:
    """Files of more than ``PEOPLE_IMPORT_INLINE_ROWS`` lines are checked and applied by
    the worker, with progress, instead of inside the web request."""
    return data.count(b"\n") > settings.PEOPLE_IMPORT_INLINE_ROWS


def _enqueue(task_name: str, person_import: PersonImport, actor: User | None) -> None:
    from alongside.people import tasks

    task = getattr(tasks, task_name)
    import_id, actor_id = person_import.pk, actor.pk if actor is not None else None
    transaction.on_commit(lambda: task.enqueue(import_id=import_id, actor_id=actor_id))


@transaction.atomic
def people_import_queue(
    *,
    organisation: Organisation,
    actor: User,
    data: bytes,
    filename: str = "",
    apply: bool = False,
    deactivate_missing: bool = False,
) -> PersonImport:
    """Keep the file and let the worker check it (``apply``: and import it if it is clean)."""
    _check_size(data)
    person_import = PersonImport.objects.create(
        organisation=organisation,
        created_by=actor,
        filename=filename[:255],
        content=data,
        status=PersonImport.Status.APPLYING if apply else PersonImport.Status.CHECKING,
        deactivate_missing=deactivate_missing,
    )
    _enqueue("apply_people_import" if apply else "check_people_import", person_import, actor)
    return person_import


@transaction.atomic
def people_import_preview(
    *, organisation: Organisation, actor: User, data: bytes, filename: str = ""
) -> PersonImport:
    """Validate an upload and keep it for a confirm step; nothing in the directory changes.

    A large file is kept as it is and checked by the worker (see ``people_import_check``).
    """
    _check_size(data)
    if runs_as_task(data):
        return people_import_queue(
            organisation=organisation, actor=actor, data=data, filename=filename
        )
    plan = import_plan(organisation=organisation, data=data)
    return PersonImport.objects.create(
        organisation=organisation,
        created_by=actor,
        filename=filename[:255],
        content=data,
        status=PersonImport.Status.INVALID if plan.problems else PersonImport.Status.PREVIEWED,
        row_count=plan.summary["rows"],
        summary=plan.summary,
        problems=[asdict(p) for p in plan.problems],
    )


@transaction.atomic
def people_import_confirm(
    *, person_import: PersonImport, actor: User, deactivate_missing: bool = False
) -> PersonImport:
    """Apply a previewed import. The directory may have changed since: check again."""
    locked = PersonImport.objects.select_for_update().get(pk=person_import.pk)
    if locked.status != PersonImport.Status.PREVIEWED:
        raise AlongsideError(
            _("This import is %(lower)s and cannot be applied.")
            % {"lower": locked.get_status_display().lower()},
            code="import_not_previewed",
        )
    if runs_as_task(bytes(locked.content)):
        locked.status = PersonImport.Status.APPLYING
        locked.deactivate_missing = deactivate_missing
        locked.progress = 0
        locked.save(update_fields=["status", "deactivate_missing", "progress"])
        _enqueue("apply_people_import", locked, actor)
        return locked
    plan = people_import_apply(
        organisation=locked.organisation,
        actor=actor,
        data=bytes(locked.content),
        filename=locked.filename,
        deactivate_missing=deactivate_missing,
        person_import=locked,
    )
    locked.status = PersonImport.Status.APPLIED
    locked.applied_at = timezone.now()
    locked.summary = plan.summary
    locked.save(update_fields=["status", "applied_at", "summary"])
    return locked


def people_import_check(*, import_id: int) -> PersonImport | None:
    """The worker's half of a large preview: check the file, keep every problem.

    Read-only, so running it twice does no harm; an import no longer being checked
    (discarded meanwhile) is left alone.
    """
    person_import = PersonImport.objects.filter(
        pk=import_id, status=PersonImport.Status.CHECKING
    ).first()
    if person_import is None:
        return None
    with ProgressReporter(PersonImport, import_id) as report:
        plan = import_plan(
            organisation=person_import.organisation,
            data=bytes(person_import.content),
            progress=lambda share: report(99 * share),
        )
    updated = PersonImport.objects.filter(pk=import_id, status=PersonImport.Status.CHECKING).update(
        status=PersonImport.Status.INVALID if plan.problems else PersonImport.Status.PREVIEWED,
        row_count=plan.summary["rows"],
        summary=plan.summary,
        problems=[asdict(p) for p in plan.problems],
        progress=100,
    )
    return PersonImport.objects.get(pk=import_id) if updated else None


def people_import_run(*, import_id: int, actor: User | None) -> PersonImport | None:
    """The worker's half of a large import: check and write in one transaction.

    With any problem nothing is written and the import lists every problem by row and
    column, as a preview does. Imports of one organisation wait for each other (the
    organisation's row lock), and a second run of the same task finds it applied.
    """
    person_import = PersonImport.objects.select_related("organisation").get(pk=import_id)
    organisation = person_import.organisation
    with ProgressReporter(PersonImport, import_id) as report:
        try:
            with transaction.atomic():
                Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
                # Read after the lock: a run that went first has committed its outcome.
                current = PersonImport.objects.get(pk=import_id)
                if current.status != PersonImport.Status.APPLYING:
                    return None
                plan = people_import_apply(
                    organisation=organisation,
                    actor=actor,
                    data=bytes(current.content),
                    filename=current.filename,
                    deactivate_missing=current.deactivate_missing,
                    person_import=current,
                    progress=lambda share: report(99 * share),
                )
                # The last write of the transaction: no progress is recorded after it,
                # since the side connection would wait for this row's lock.
                PersonImport.objects.filter(pk=import_id).update(
                    status=PersonImport.Status.APPLIED,
                    applied_at=timezone.now(),
                    row_count=plan.summary["rows"],
                    summary=plan.summary,
                    problems=[],
                    progress=100,
                )
        except AlongsideError as error:
            PersonImport.objects.filter(pk=import_id).update(
                status=PersonImport.Status.INVALID,
                problems=[
                    asdict(CsvProblem(p.row, p.field, p.message))
                    for p in (error.problems or [Problem(error.message)])
                ],
                progress=100,
            )
        except Exception:
            PersonImport.objects.filter(pk=import_id).update(
                status=PersonImport.Status.FAILED, progress=100
            )
            raise
    return PersonImport.objects.get(pk=import_id)


@transaction.atomic
def people_import_discard(*, person_import: PersonImport, actor: User) -> PersonImport:
    if person_import.status == PersonImport.Status.APPLIED:
        raise AlongsideError(_("An applied import cannot be discarded."))
    if person_import.status == PersonImport.Status.APPLYING:
        raise AlongsideError(
            _("This import is being applied and cannot be discarded."),
            code="import_applying",
        )
    person_import.status = PersonImport.Status.DISCARDED
    person_import.content = b""
    person_import.save(update_fields=["status", "content"])
    return person_import


@transaction.atomic
def people_import_apply(
    *,
    organisation: Organisation,
    actor: User | None,
    data: bytes,
    filename: str = "",
    deactivate_missing: bool = False,
    dry_run: bool = False,
    person_import: PersonImport | None = None,
    progress: Progress = _no_progress,
) -> ImportPlan:
    """Validate and write in one transaction: with any problem, nothing is written.

    ``progress`` is told how far it is (0–1): checking is most of the work, then writing.
    """
    _check_size(data)
    # Serialise imports per organisation so two uploads cannot interleave their upserts.
    Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
    plan = import_plan(
        organisation=organisation,
        data=data,
        deactivate_missing=deactivate_missing,
        progress=lambda share: progress(0.6 * share),
    )
    if plan.problems:
        raise AlongsideError(
            ngettext(
                "The file has %(count)s problem; nothing was imported.",
                "The file has %(count)s problems; nothing was imported.",
                len(plan.problems),
            )
            % {"count": len(plan.problems)},
            code="import_invalid",
            problems=_problems_for_error(plan.problems),
        )
    if dry_run:
        return plan
    _write_plan(organisation, plan, lambda share: progress(0.6 + 0.4 * share), actor=actor)
    log_action(
        actor=actor,
        organisation=organisation,
        action="people.imported",
        target=person_import,
        data={"filename": filename, **plan.summary},
    )
    return plan


def _write_plan(
    organisation: Organisation, plan: ImportPlan, progress: Progress, *, actor: User | None
) -> None:
    now = timezone.now()
    columns = plan.columns
    # Employee ids may move between people in the file (a swap, or a newcomer taking a
    # renumbered person's old id): free the ids being replaced first so that no
    # intermediate state breaks the one-id-per-organisation constraint.
    releasing = [
        person.pk
        for person, _row, changed in plan.to_update
        if "employee_id" in changed and person.employee_id
    ]
    if releasing:
        Person.objects.filter(pk__in=releasing).update(employee_id="")
    new_people = []
    for row in plan.to_create:
        values = {
            model_field: _row_value(row, model_field)
            for column, model_field in COLUMN_FIELDS.items()
            if column in columns
        }
        new_people.append(
            Person(
                organisation=organisation,
                email=row.email,
                created_at=now,
                updated_at=now,
                **values,
            )
        )
    Person.objects.bulk_create(new_people, batch_size=500)
    progress(0.5)

    updated_fields: set[str] = {"updated_at"}
    people_to_update = []
    for person, row, changed in plan.to_update:
        for model_field in changed:
            if model_field == "is_active":
                person.is_active = True
            elif model_field != "manager":
                setattr(person, model_field, _row_value(row, model_field))
            updated_fields.add(model_field)
        person.updated_at = now
        people_to_update.append(person)
    updated_fields.discard("manager")  # set below, once every person has an id
    if people_to_update:
        Person.objects.bulk_update(people_to_update, sorted(updated_fields), batch_size=500)
    progress(0.7)

    if "manager_email" in columns:
        # Stored addresses may carry capitals (added by hand); the file's are lowercased.
        ids = {
            email.lower(): pk
            for email, pk in Person.objects.filter(organisation=organisation).values_list(
                "email", "id"
            )
        }
        managed = []
        changed_rows = [(row, None) for row in plan.to_create] + [
            (row, person) for person, row, changed in plan.to_update if "manager" in changed
        ]
        by_email = {p.email: p for p in new_people}
        for row, existing_person in changed_rows:
            person = existing_person or by_email[row.email]
            person.manager_id = ids[row.manager_email] if row.manager_email else None
            managed.append(person)
        if managed:
            Person.objects.bulk_update(managed, ["manager"], batch_size=500)

    if plan.to_deactivate:
        # Leavers take the same path as everywhere else: out of the programmes still
        # running, their history kept.
        people_mark_left(
            organisation=organisation,
            person_ids=[p.pk for p in plan.to_deactivate],
            actor=actor,
        )
