"""Writes an identity provider makes through SCIM. Each runs in one transaction: a
request that fails anywhere changes nothing. People are written through the directory's
own services, so SCIM follows the same rules as the pages, the API and an import; a
deactivated user takes the one leaver path (``people_mark_left``)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from scim2_models import (
    EnterpriseUser,
    Group,
    InvalidValueException,
    NotFoundException,
    UniquenessException,
)

from alongside.audit.services import log_action
from alongside.core.errors import AlongsideError
from alongside.organisations.models import Organisation
from alongside.people.models import Person
from alongside.people.services import (
    people_mark_left,
    person_create,
    person_set_active,
    person_update,
)
from alongside.scim.models import ScimGroup, ScimToken, ScimUser
from alongside.scim.protocol import UserResource

# What SCIM writes of a person; fields it does not map (level, languages, start date,
# the person's own profile) are left as they are.
SCIM_PERSON_FIELDS = (
    "name",
    "email",
    "job_title",
    "timezone",
    "location",
    "employee_id",
    "department",
    "manager_email",
)


def scim_people(organisation: Organisation) -> Any:
    """The directory as SCIM Users: everyone but the erased and those SCIM deleted."""
    return (
        Person.objects.filter(organisation=organisation, erased_at__isnull=True)
        .exclude(scim_user__deleted_at__isnull=False)
        .select_related("manager", "scim_user")
    )


def scim_person_get(organisation: Organisation, resource_id: str) -> Person:
    person = (
        scim_people(organisation).filter(pk=int(resource_id)).first()
        if resource_id.isdigit()
        else None
    )
    if person is None:
        raise NotFoundException(detail=f"No User with id {resource_id!r}.")
    return person


def _link(person: Person) -> ScimUser | None:
    try:
        return person.scim_user
    except ScimUser.DoesNotExist:
        return None


def _fields(
    organisation: Organisation, resource: UserResource, person: Person | None
) -> dict[str, Any]:
    # userName is the person's work email; other addresses in ``emails`` are not kept.
    email = (resource.user_name or "").strip()
    name = resource.display_name or (resource.name.formatted if resource.name else None)
    if not name and resource.name:
        name = " ".join(p for p in (resource.name.given_name, resource.name.family_name) if p)
    if not name:
        raise InvalidValueException(detail="A User needs a displayName or a name.")
    location = ""
    for postal in resource.addresses or []:
        if postal.locality and (postal.type in (None, "work") or not location):
            location = postal.locality
    enterprise = resource[EnterpriseUser] if resource[EnterpriseUser] is not None else None
    manager_email = ""
    if enterprise is not None and enterprise.manager is not None and enterprise.manager.value:
        manager_id = str(enterprise.manager.value)
        manager = (
            scim_people(organisation).filter(pk=int(manager_id)).first()
            if manager_id.isdigit()
            else None
        )
        if manager is None:
            raise InvalidValueException(
                detail=f"manager {manager_id!r} is not a User of this organisation."
            )
        if person is not None and manager.pk == person.pk:
            raise InvalidValueException(detail="A User cannot be their own manager.")
        manager_email = manager.email
    return {
        "name": name.strip(),
        "email": email,
        "job_title": resource.title or "",
        "timezone": resource.timezone or "",
        "location": location,
        "employee_id": (enterprise.employee_number if enterprise else None) or "",
        "department": (enterprise.department if enterprise else None) or "",
        "manager_email": manager_email,
    }


def _check_unique(
    organisation: Organisation, fields: dict[str, Any], external_id: str, person: Person | None
) -> None:
    others = Person.objects.filter(organisation=organisation)
    if person is not None:
        others = others.exclude(pk=person.pk)
    if others.filter(email__iexact=fields["email"]).exists():
        raise UniquenessException(detail=f"userName {fields['email']} is already in use.")
    if fields["employee_id"] and others.filter(employee_id=fields["employee_id"]).exists():
        raise UniquenessException(
            detail=f"employeeNumber {fields['employee_id']} is already in use."
        )
    if external_id:
        clash = ScimUser.objects.filter(organisation=organisation, external_id=external_id)
        if person is not None:
            clash = clash.exclude(person=person)
        if clash.exists():
            raise UniquenessException(detail=f"externalId {external_id} is already in use.")


def _as_scim_error(error: AlongsideError) -> InvalidValueException:
    details = "; ".join(str(p) for p in error.problems) or error.message
    return InvalidValueException(detail=f"{error.message} {details}".strip())


def _save_link(person: Person, resource: UserResource) -> None:
    link = _link(person) or ScimUser(organisation_id=person.organisation_id, person=person)
    link.external_id = resource.external_id or ""
    link.given_name = (resource.name.given_name if resource.name else None) or ""
    link.family_name = (resource.name.family_name if resource.name else None) or ""
    link.deleted_at = None
    link.updated_at = timezone.now()
    link.save()
    person.scim_user = link


def _audit(token: ScimToken, action: str, target: Any, **data: Any) -> None:
    log_action(
        actor=None,
        organisation=token.organisation,
        action=action,
        target=target,
        data={"via": "scim", "token": token.prefix, **data},
    )


def _set_active(person: Person, active: bool | None) -> None:
    if active is None or person.is_active == active:
        return
    if active:
        person_set_active(person=person, actor=None, active=True)
    else:
        people_mark_left(organisation=person.organisation, person_ids=[person.pk], actor=None)
    person.refresh_from_db()


@transaction.atomic
def scim_user_create(*, token: ScimToken, resource: UserResource) -> Person:
    organisation = token.organisation
    fields = _fields(organisation, resource, None)
    # A person SCIM deleted earlier (or one never provisioned) comes back as the same
    # directory entry, so their history stays theirs.
    returning = (
        Person.objects.filter(
            organisation=organisation,
            email__iexact=fields["email"],
            erased_at__isnull=True,
            scim_user__deleted_at__isnull=False,
        )
        .select_related("scim_user")
        .first()
    )
    _check_unique(organisation, fields, resource.external_id or "", returning)
    try:
        if returning is not None:
            person = person_update(person=returning, actor=None, **fields)
        else:
            person = person_create(organisation=organisation, actor=None, **fields)
    except AlongsideError as error:
        raise _as_scim_error(error) from error
    _save_link(person, resource)
    _set_active(person, True if resource.active is None else resource.active)
    _audit(token, "scim.user_created", person, returning=returning is not None)
    return scim_person_get(organisation, str(person.pk))


@transaction.atomic
def scim_user_replace(*, token: ScimToken, person: Person, resource: UserResource) -> Person:
    organisation = token.organisation
    person = Person.objects.select_for_update().get(pk=person.pk)
    fields = _fields(organisation, resource, person)
    _check_unique(organisation, fields, resource.external_id or "", person)
    try:
        person = person_update(person=person, actor=None, **fields)
    except AlongsideError as error:
        raise _as_scim_error(error) from error
    _save_link(person, resource)
    _set_active(person, resource.active)
    _audit(token, "scim.user_updated", person)
    return scim_person_get(organisation, str(person.pk))


@transaction.atomic
def scim_user_delete(*, token: ScimToken, person: Person) -> None:
    """The identity provider deleted the user: they leave, and their history stays."""
    people_mark_left(organisation=token.organisation, person_ids=[person.pk], actor=None)
    link = _link(person) or ScimUser(organisation=token.organisation, person=person)
    link.deleted_at = link.updated_at = timezone.now()
    link.save()
    _audit(token, "scim.user_deleted", person)


# --- Groups ----------------------------------------------------------------------------


def scim_group_get(organisation: Organisation, resource_id: str) -> ScimGroup:
    group = (
        ScimGroup.objects.filter(organisation=organisation, pk=int(resource_id)).first()
        if resource_id.isdigit()
        else None
    )
    if group is None:
        raise NotFoundException(detail=f"No Group with id {resource_id!r}.")
    return group


def _group_members(organisation: Organisation, resource: Group) -> list[Person]:
    ids = [str(member.value) for member in resource.members or [] if member.value]
    wanted = {int(i) for i in ids if i.isdigit()}
    found = {p.pk: p for p in scim_people(organisation).filter(pk__in=wanted)}
    missing = [i for i in ids if not i.isdigit() or int(i) not in found]
    if missing:
        raise InvalidValueException(
            detail=f"members {', '.join(missing)} are not Users of this organisation."
        )
    return list(found.values())


def _save_group(token: ScimToken, group: ScimGroup, resource: Group) -> ScimGroup:
    name = (resource.display_name or "").strip()
    if not name:
        raise InvalidValueException(detail="A Group needs a displayName.")
    if len(name) > 200:
        raise InvalidValueException(detail="displayName is longer than 200 characters.")
    clash = ScimGroup.objects.filter(organisation=token.organisation, display_name__iexact=name)
    if group.pk:
        clash = clash.exclude(pk=group.pk)
    if clash.exists():
        raise UniquenessException(detail=f"A Group named {name!r} already exists.")
    members = _group_members(token.organisation, resource)
    group.display_name = name
    group.external_id = resource.external_id or ""
    group.updated_at = timezone.now()
    group.save()
    group.members.set(members)
    return group


@transaction.atomic
def scim_group_create(*, token: ScimToken, resource: Group) -> ScimGroup:
    group = _save_group(token, ScimGroup(organisation=token.organisation), resource)
    _audit(token, "scim.group_created", group, members=group.members.count())
    return group


@transaction.atomic
def scim_group_replace(*, token: ScimToken, group: ScimGroup, resource: Group) -> ScimGroup:
    group = _save_group(token, ScimGroup.objects.select_for_update().get(pk=group.pk), resource)
    _audit(token, "scim.group_updated", group, members=group.members.count())
    return group


@transaction.atomic
def scim_group_delete(*, token: ScimToken, group: ScimGroup) -> None:
    _audit(token, "scim.group_deleted", group)
    group.delete()
