"""Importing people from CSV: validate everything, preview, then write all or nothing.

Upsert by email: a re-import of an updated HR export updates the people already in the
directory. Only the columns present in the file are written, so a file with just
``email,name,department`` never wipes anyone's time zone.
"""

from __future__ import annotations

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


def import_plan(
    *, organisation: Organisation, data: bytes, deactivate_missing: bool = False
) -> ImportPlan:
    """Check the file against the directory as it is now, and work out every change."""
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
        data, known_emails=existing.keys(), existing_managers=existing_managers
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


@transaction.atomic
def people_import_preview(
    *, organisation: Organisation, actor: User, data: bytes, filename: str = ""
) -> PersonImport:
    """Validate an upload and keep it for a confirm step; nothing in the directory changes."""
    _check_size(data)
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


@transaction.atomic
def people_import_discard(*, person_import: PersonImport, actor: User) -> PersonImport:
    if person_import.status == PersonImport.Status.APPLIED:
        raise AlongsideError(_("An applied import cannot be discarded."))
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
) -> ImportPlan:
    """Validate and write in one transaction: with any problem, nothing is written."""
    _check_size(data)
    # Serialise imports per organisation so two uploads cannot interleave their upserts.
    Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
    plan = import_plan(organisation=organisation, data=data, deactivate_missing=deactivate_missing)
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
    _write_plan(organisation, plan, actor=actor)
    log_action(
        actor=actor,
        organisation=organisation,
        action="people.imported",
        target=person_import,
        data={"filename": filename, **plan.summary},
    )
    return plan


def _write_plan(organisation: Organisation, plan: ImportPlan, *, actor: User | None) -> None:
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
