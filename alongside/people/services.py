"""Writes to the people directory. Every function runs in a transaction and is audited."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alongside.accounts.models import User
from alongside.audit.services import log_action
from alongside.core.errors import AlongsideError, Problem
from alongside.core.events import emit
from alongside.organisations.models import Organisation
from alongside.people import reporting_line
from alongside.people.events import PersonLeft
from alongside.people.models import Person
from alongside.people.selectors import manager_map
from alongside.people.visibility import OPTIONAL_PUBLIC_FIELDS
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
    problems = [
        Problem(_("'%(name)s' cannot be set here.") % {"name": name}, field=name)
        for name in sorted(unknown)
    ]
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
                        Problem(
                            _("'%(value)s' is not a date in ISO 8601 form (YYYY-MM-DD).")
                            % {"value": value},
                            name,
                        )
                    )
            continue
        text = "" if value is None else str(value).strip()
        if name in MAX_LENGTHS and len(text) > MAX_LENGTHS[name]:
            problems.append(
                Problem(
                    _("is longer than %(max_lengths)s characters.")
                    % {"max_lengths": MAX_LENGTHS[name]},
                    name,
                )
            )
            continue
        if name == "email":
            email = check_email(text) if text else None
            if not email:
                problems.append(
                    Problem(_("'%(text)s' is not a valid email address.") % {"text": text}, name)
                )
            else:
                clash = Person.objects.filter(organisation=organisation, email__iexact=email)
                if person is not None:
                    clash = clash.exclude(pk=person.pk)
                if clash.exists():
                    problems.append(
                        Problem(
                            _("%(email)s already belongs to someone else.") % {"email": email}, name
                        )
                    )
                cleaned["email"] = email
        elif name == "name":
            if not text:
                problems.append(Problem(_("is empty; every person needs a name."), name))
            cleaned["name"] = text
        elif name == "timezone":
            zone = canonical_time_zone(text) if text else ""
            if zone is None:
                problems.append(
                    Problem(_("'%(text)s' is not a known IANA time zone.") % {"text": text}, name)
                )
            cleaned["timezone"] = zone or ""
        elif name == "manager_email":
            cleaned["manager"] = None
            if text:
                manager = Person.objects.filter(
                    organisation=organisation, email__iexact=text
                ).first()
                if manager is None:
                    problems.append(Problem(_("unknown manager %(text)s.") % {"text": text}, name))
                elif person is not None and manager.pk == person.pk:
                    problems.append(Problem(_("a person cannot be their own manager."), name))
                elif person is not None and person.pk in reporting_line.chain_up(
                    manager.pk, manager_map(organisation=organisation)
                ):
                    problems.append(
                        Problem(
                            _("%(manager)s reports to %(person)s: this would make a manager cycle.")
                            % {"manager": manager.email, "person": person.email},
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
                    problems.append(
                        Problem(_("employee id %(text)s is already in use.") % {"text": text}, name)
                    )
            cleaned["employee_id"] = text
        else:
            cleaned[name] = text
    return cleaned, problems


@transaction.atomic
def person_create(*, organisation: Organisation, actor: User | None, **fields: Any) -> Person:
    for required in ("name", "email"):
        fields.setdefault(required, "")
    cleaned, problems = _clean_person_fields(organisation=organisation, person=None, fields=fields)
    if problems:
        raise AlongsideError(_("The person could not be added."), problems=problems)
    cleaned.setdefault("timezone", "")
    person = Person(organisation=organisation, **cleaned)
    try:
        person.save()
    except IntegrityError as error:  # a concurrent write took the email or employee id
        raise AlongsideError(
            _("The person could not be added: the email or employee id is already in use.")
        ) from error
    log_action(actor=actor, organisation=organisation, action="person.created", target=person)
    return person


@transaction.atomic
def person_update(*, person: Person, actor: User | None, **fields: Any) -> Person:
    if person.erased_at is not None:
        raise AlongsideError(_("An erased person cannot be changed."), code="erased")
    cleaned, problems = _clean_person_fields(
        organisation=person.organisation, person=person, fields=fields
    )
    if problems:
        raise AlongsideError(_("The changes could not be saved."), problems=problems)
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
def people_mark_left(
    *, organisation: Organisation, person_ids: Iterable[int], actor: User | None
) -> list[int]:
    """The one leaver path, for the pages, the API, a people import and provisioning.

    The people become inactive in the directory and leave the programmes still running
    (a listener withdraws their enrolments, which takes them out of their relationships);
    nothing of their history is deleted. Returns the ids of those who were active.
    """
    leaving = list(
        Person.objects.select_for_update()
        .filter(organisation=organisation, pk__in=list(person_ids), is_active=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if not leaving:
        return []
    Person.objects.filter(pk__in=leaving).update(is_active=False, updated_at=timezone.now())
    for person_id in leaving:
        emit(
            PersonLeft(
                organisation_id=organisation.pk,
                person_id=person_id,
                actor_id=actor.pk if actor is not None else None,
            )
        )
    return leaving


@transaction.atomic
def person_set_active(*, person: Person, actor: User | None, active: bool) -> Person:
    if person.erased_at is not None:
        raise AlongsideError(_("An erased person cannot be changed."), code="erased")
    if person.is_active == active:
        return person
    if active:
        person.is_active = True
        person.updated_at = timezone.now()
        person.save(update_fields=["is_active", "updated_at"])
    else:
        people_mark_left(organisation=person.organisation, person_ids=[person.pk], actor=actor)
        person.refresh_from_db()
    log_action(
        actor=actor,
        organisation=person.organisation,
        action="person.reactivated" if active else "person.deactivated",
        target=person,
    )
    return person


@transaction.atomic
def person_profile_update(
    *,
    person: Person,
    actor: User,
    shared_fields: Iterable[str] | None = None,
    offers: str | None = None,
) -> Person:
    """The person's own choices: what they can offer, and which public fields they share."""
    problems: list[Problem] = []
    changed: dict[str, Any] = {}
    if shared_fields is not None:
        chosen = list(shared_fields)
        unknown = sorted(set(chosen) - set(OPTIONAL_PUBLIC_FIELDS))
        for name in unknown:
            problems.append(
                Problem(
                    _("'%(field)s' is not a field you can choose to share; choose from %(all)s.")
                    % {"field": name, "all": ", ".join(OPTIONAL_PUBLIC_FIELDS)},
                    field="shared_fields",
                )
            )
        for name in OPTIONAL_PUBLIC_FIELDS:
            value = name in chosen
            if getattr(person, f"share_{name}") != value:
                changed[f"share_{name}"] = value
    if offers is not None:
        text = offers.strip()
        if len(text) > 300:
            problems.append(
                Problem(_("is longer than 300 characters; shorten it."), field="offers")
            )
        elif text != person.offers:
            changed["offers"] = text
    if problems:
        raise AlongsideError(_("Your profile could not be saved."), problems=problems)
    if changed:
        for name, value in changed.items():
            setattr(person, name, value)
        person.updated_at = timezone.now()
        person.save(update_fields=[*changed, "updated_at"])
        # The audit keeps which switches changed, not the text the person wrote.
        log_action(
            actor=actor,
            organisation=person.organisation,
            action="person.profile_updated",
            target=person,
            data={"changed": sorted(changed)},
        )
    return person
