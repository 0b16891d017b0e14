"""Writes to the people directory. Every function runs in a transaction and is audited."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from alongside.accounts.models import User
from alongside.audit.services import log_action
from alongside.core.errors import AlongsideError, Problem
from alongside.organisations.models import Organisation
from alongside.people import reporting_line
from alongside.people.models import Person
from alongside.people.selectors import manager_map
from alongside.spreadsheets.people import (
    KNOWN_COLUMNS,
    MAX_LENGTHS,
    canonical_time_zone,
    check_email,
)

# The fields a person can be given are exactly the columns of the people CSV.
EDITABLE_FIELDS = KNOWN_COLUMNS


def _clean_person_fields(
    *, organisation: Organisation, person: Person | None, fields: dict[str, Any]
) -> tuple[dict[str, Any], list[Problem]]:
    """Validate a partial update; returns model field values and every problem found."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    problems = [Problem(f"'{name}' cannot be set here.", field=name) for name in sorted(unknown)]
    cleaned: dict[str, Any] = {}
    for name, value in fields.items():
        if name in unknown:
            continue
        if name == "languages":
            if isinstance(value, str):
                value = [part.strip() for part in value.split(";")]
            cleaned["languages"] = list(dict.fromkeys(v.strip() for v in value if v.strip()))
            continue
        if name == "start_date":
            if value in (None, ""):
                cleaned["start_date"] = None
            elif isinstance(value, date):
                cleaned["start_date"] = value
            else:
                try:
                    cleaned["start_date"] = date.fromisoformat(str(value))
                except ValueError:
                    problems.append(
                        Problem(f"'{value}' is not a date in ISO 8601 form (YYYY-MM-DD).", name)
                    )
            continue
        text = "" if value is None else str(value).strip()
        if name in MAX_LENGTHS and len(text) > MAX_LENGTHS[name]:
            problems.append(Problem(f"is longer than {MAX_LENGTHS[name]} characters.", name))
            continue
        if name == "email":
            email = check_email(text) if text else None
            if not email:
                problems.append(Problem(f"'{text}' is not a valid email address.", name))
            else:
                clash = Person.objects.filter(organisation=organisation, email__iexact=email)
                if person is not None:
                    clash = clash.exclude(pk=person.pk)
                if clash.exists():
                    problems.append(Problem(f"{email} already belongs to someone else.", name))
                cleaned["email"] = email
        elif name == "name":
            if not text:
                problems.append(Problem("is empty; every person needs a name.", name))
            cleaned["name"] = text
        elif name == "timezone":
            zone = canonical_time_zone(text) if text else ""
            if zone is None:
                problems.append(Problem(f"'{text}' is not a known IANA time zone.", name))
            cleaned["timezone"] = zone or ""
        elif name == "manager_email":
            cleaned["manager"] = None
            if text:
                manager = Person.objects.filter(
                    organisation=organisation, email__iexact=text
                ).first()
                if manager is None:
                    problems.append(Problem(f"unknown manager {text}.", name))
                elif person is not None and manager.pk == person.pk:
                    problems.append(Problem("a person cannot be their own manager.", name))
                elif person is not None and person.pk in reporting_line.chain_up(
                    manager.pk, manager_map(organisation=organisation)
                ):
                    problems.append(
                        Problem(
                            f"{manager.email} reports to {person.email}: this would make a "
                            "manager cycle.",
                            name,
                        )
                    )
                cleaned["manager"] = manager
        elif name == "employee_id":
            if text:
                clash = Person.objects.filter(organisation=organisation, employee_id=text)
                if person is not None:
                    clash = clash.exclude(pk=person.pk)
                if clash.exists():
                    problems.append(Problem(f"employee id {text} is already in use.", name))
            cleaned["employee_id"] = text
        else:
            cleaned[name] = text
    return cleaned, problems


@transaction.atomic
def person_create(*, organisation: Organisation, actor: User, **fields: Any) -> Person:
    for required in ("name", "email"):
        fields.setdefault(required, "")
    cleaned, problems = _clean_person_fields(organisation=organisation, person=None, fields=fields)
    if problems:
        raise AlongsideError("The person could not be added.", problems=problems)
    cleaned.setdefault("timezone", "")
    person = Person(organisation=organisation, **cleaned)
    try:
        person.save()
    except IntegrityError as error:  # a concurrent write took the email or employee id
        raise AlongsideError(
            "The person could not be added: the email or employee id is already in use."
        ) from error
    log_action(actor=actor, organisation=organisation, action="person.created", target=person)
    return person


@transaction.atomic
def person_update(*, person: Person, actor: User, **fields: Any) -> Person:
    cleaned, problems = _clean_person_fields(
        organisation=person.organisation, person=person, fields=fields
    )
    if problems:
        raise AlongsideError("The changes could not be saved.", problems=problems)
    changed = {}
    for name, value in cleaned.items():
        old = getattr(person, name)
        if old != value:
            changed[name] = [_plain(old), _plain(value)]
            setattr(person, name, value)
    if changed:
        person.updated_at = timezone.now()
        person.save()
        log_action(
            actor=actor,
            organisation=person.organisation,
            action="person.updated",
            target=person,
            data={"changes": changed},
        )
    return person


def _plain(value: Any) -> Any:
    if isinstance(value, Person):
        return value.email
    if isinstance(value, date):
        return value.isoformat()
    return value


@transaction.atomic
def person_set_active(*, person: Person, actor: User, active: bool) -> Person:
    if person.is_active == active:
        return person
    person.is_active = active
    person.updated_at = timezone.now()
    person.save(update_fields=["is_active", "updated_at"])
    log_action(
        actor=actor,
        organisation=person.organisation,
        action="person.reactivated" if active else "person.deactivated",
        target=person,
    )
    return person
