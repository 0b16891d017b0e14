from datetime import date, datetime

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, File, Query, Router, Status, UploadedFile
from ninja.pagination import paginate

from alongside.accounts.api_auth import request_user
from alongside.audit.services import log_action
from alongside.core.api_pagination import Mapped, Pagination
from alongside.core.errors import AlongsideError, Forbidden
from alongside.core.schemas import ERRORS, ProblemOut, Schema
from alongside.organisations.api_auth import membership_for
from alongside.organisations.models import Membership, Role
from alongside.people.directory_filters import filtered_people
from alongside.people.importing import people_import_apply, people_import_queue, runs_as_task
from alongside.people.invitations import invitation_send, invitations_request_bulk
from alongside.people.models import Person, PersonImport
from alongside.people.presenting import directory_csv
from alongside.people.selectors import (
    PeopleFilters,
    own_person,
    people_list,
    person_get,
    person_import_get,
    person_reporting_line,
)
from alongside.people.services import (
    person_create,
    person_profile_update,
    person_set_active,
    person_update,
)
from alongside.people.visibility import (
    Audience,
    audience_of,
    can_see_inactive,
    person_as_seen,
    shared_fields,
)

router = Router(tags=["people"])


class PersonBrief(Schema):
    id: int
    name: str
    email: str
    job_title: str


class PersonOut(Schema):
    """A person as the caller may see them: a field the caller may not see is null.

    Colleagues (members) see the name and the public fields the person shares; programme
    managers also see contact and matching details and the manager; admins see all.
    """

    id: int
    name: str
    email: str | None = None
    employee_id: str | None = None
    manager: PersonBrief | None = None
    department: str | None = None
    job_title: str | None = None
    level: str | None = None
    location: str | None = None
    timezone: str | None = None
    languages: list[str] | None = None
    offers: str | None = None
    start_date: date | None = None
    is_active: bool | None = None
    has_account: bool | None = None
    updated_at: datetime | None = None


def person_out(person: Person, audience: Audience) -> PersonOut:
    seen = person_as_seen(person, audience)
    manager = seen.pop("manager", None)
    if audience != Audience.MEMBER:
        seen["updated_at"] = person.updated_at
    return PersonOut(
        id=person.pk,
        manager=PersonBrief.from_orm(manager) if manager is not None else None,
        **seen,
    )


class ProfileOut(Schema):
    shared_fields: list[str]
    offers: str
    seen_by: dict[str, PersonOut]


class ProfileIn(Schema):
    shared_fields: list[str] | None = None
    offers: str | None = None


class PersonIn(Schema):
    name: str
    email: str
    employee_id: str = ""
    manager_email: str = ""
    department: str = ""
    job_title: str = ""
    level: str = ""
    location: str = ""
    timezone: str = ""
    languages: list[str] = []
    start_date: date | None = None


class PersonPatch(Schema):
    name: str | None = None
    email: str | None = None
    employee_id: str | None = None
    manager_email: str | None = None
    department: str | None = None
    job_title: str | None = None
    level: str | None = None
    location: str | None = None
    timezone: str | None = None
    languages: list[str] | None = None
    start_date: date | None = None


class PeopleQuery(Schema):
    q: str = ""
    department: str = ""
    location: str = ""
    level: str = ""
    status: str = "active"


class ReportingLineOut(Schema):
    managers: list[PersonBrief]
    direct_reports: list[PersonBrief]
    all_reports_count: int


class ImportResultOut(Schema):
    dry_run: bool
    rows: int
    created: int
    updated: int
    unchanged: int
    deactivated: int


class ImportJobOut(Schema):
    """A large import, checked (and applied) by the worker: poll ``url`` until it is done."""

    id: int
    status: str = Field(
        description="checking, previewed, invalid, applying, applied, failed or discarded"
    )
    progress: int = Field(description="percent")
    filename: str
    rows: int
    summary: dict[str, int]
    problems: list[ProblemOut] = Field(
        description="with status invalid: every problem, by row (header = row 1) and column"
    )
    url: str

    @staticmethod
    def of(person_import: PersonImport, org_slug: str) -> "ImportJobOut":
        return ImportJobOut(
            id=person_import.pk,
            status=person_import.status,
            progress=person_import.progress,
            filename=person_import.filename,
            rows=person_import.row_count,
            summary=person_import.summary,
            problems=[
                ProblemOut(row=p.get("row"), field=p.get("column"), message=p["message"])
                for p in person_import.problems
            ],
            url=f"/api/v1/organisations/{org_slug}/people/imports/{person_import.pk}",
        )


class InvitationOut(Schema):
    person_id: int
    email: str
    expires_at: datetime


class BulkInviteIn(Schema):
    person_ids: list[int] | None = Field(
        default=None, description="These people; with `filters`, those of them who match."
    )
    filters: dict[str, str] = Field(
        default_factory=dict,
        description='Directory filters other parts add, e.g. {"programme": "12"}: everyone '
        "active who matches (programmes the caller manages).",
    )


class BulkInviteOut(Schema):
    queued: int


def _people(membership: Membership, filters: PeopleQuery) -> QuerySet[Person]:
    if filters.status not in {"active", "inactive", "all"}:
        raise AlongsideError(_("status must be one of: active, inactive, all."))
    audience = audience_of(membership)
    if filters.status != "active" and not can_see_inactive(audience):
        raise Forbidden(_("Only organisation admins can list people who have left."))
    return people_list(
        organisation=membership.organisation,
        audience=audience,
        filters=PeopleFilters(
            search=filters.q,
            department=filters.department,
            location=filters.location,
            level=filters.level,
            status=filters.status,
        ),
    )


@router.get(
    "/{org_slug}/people",
    response=list[PersonOut],
    summary="List and filter people (what the caller may see)",
    description=(
        "Members see active people and only the fields each shares; search and filters "
        "look only at what the caller may see. Programme managers see contact and "
        "matching details of active people; admins see everyone and every field."
    ),
)
@paginate(Pagination)
def list_people(request: HttpRequest, org_slug: str, filters: Query[PeopleQuery]):  # type: ignore[no-untyped-def]
    membership = membership_for(request, org_slug)
    audience = audience_of(membership)
    return Mapped(_people(membership, filters), lambda person: person_out(person, audience))


@router.get(
    "/{org_slug}/people/export",
    response={200: None, **ERRORS},
    summary="The directory as CSV (what the caller may see)",
    openapi_extra={
        "responses": {200: {"description": "CSV", "content": {"text/csv": {"schema": {}}}}}
    },
)
def export_people(request: HttpRequest, org_slug: str, filters: Query[PeopleQuery]) -> HttpResponse:
    membership = membership_for(request, org_slug)
    audience = audience_of(membership)
    people = _people(membership, filters)
    log_action(
        actor=request_user(request),
        organisation=membership.organisation,
        action="people.exported",
        data={"audience": str(audience)},
    )
    response = HttpResponse(
        "".join(directory_csv(people, audience)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="people.csv"'
    return response


@router.get(
    "/{org_slug}/me/profile",
    response={200: ProfileOut, **ERRORS},
    summary="My profile: what I share, and how colleagues, managers and admins see me",
)
def get_my_profile(request: HttpRequest, org_slug: str) -> ProfileOut:
    membership = membership_for(request, org_slug)
    person = own_person(organisation=membership.organisation, user=request_user(request))
    return _profile_out(person)


@router.patch(
    "/{org_slug}/me/profile",
    response={200: ProfileOut, **ERRORS},
    summary="Choose which public fields colleagues see, and what I can offer",
)
def update_my_profile(request: HttpRequest, org_slug: str, payload: ProfileIn) -> ProfileOut:
    membership = membership_for(request, org_slug)
    person = own_person(organisation=membership.organisation, user=request_user(request))
    person = person_profile_update(
        person=person,
        actor=request_user(request),
        shared_fields=payload.shared_fields,
        offers=payload.offers,
    )
    return _profile_out(person)


def _profile_out(person: Person) -> ProfileOut:
    return ProfileOut(
        shared_fields=list(shared_fields(person)),
        offers=person.offers,
        seen_by={str(audience): person_out(person, audience) for audience in Audience},
    )


@router.post(
    "/{org_slug}/people", response={201: PersonOut, **ERRORS}, summary="Add a person (admins)"
)
def create_person(request: HttpRequest, org_slug: str, payload: PersonIn) -> Status[PersonOut]:
    membership = membership_for(request, org_slug, Role.ADMIN)
    person = person_create(
        organisation=membership.organisation, actor=request_user(request), **payload.dict()
    )
    return Status(201, person_out(person, Audience.ADMIN))


@router.get(
    "/{org_slug}/people/{int:person_id}",
    response={200: PersonOut, **ERRORS},
    summary="One person (what the caller may see)",
)
def get_person(request: HttpRequest, org_slug: str, person_id: int) -> PersonOut:
    membership = membership_for(request, org_slug)
    audience = audience_of(membership)
    person = person_get(
        organisation=membership.organisation, person_id=person_id, audience=audience
    )
    return person_out(person, audience)


@router.patch(
    "/{org_slug}/people/{int:person_id}",
    response={200: PersonOut, **ERRORS},
    summary="Change a person (admins)",
)
def update_person(
    request: HttpRequest, org_slug: str, person_id: int, payload: PersonPatch
) -> PersonOut:
    membership = membership_for(request, org_slug, Role.ADMIN)
    person = _admin_get(membership, person_id)
    person = person_update(
        person=person, actor=request_user(request), **payload.dict(exclude_unset=True)
    )
    return person_out(person, Audience.ADMIN)


def _admin_get(membership: Membership, person_id: int) -> Person:
    return person_get(
        organisation=membership.organisation, person_id=person_id, audience=Audience.ADMIN
    )


@router.post(
    "/{org_slug}/people/{int:person_id}/deactivate",
    response={200: PersonOut, **ERRORS},
    summary="Deactivate a person (admins)",
)
def deactivate_person(request: HttpRequest, org_slug: str, person_id: int) -> PersonOut:
    membership = membership_for(request, org_slug, Role.ADMIN)
    person = _admin_get(membership, person_id)
    person = person_set_active(person=person, actor=request_user(request), active=False)
    return person_out(person, Audience.ADMIN)


@router.post(
    "/{org_slug}/people/{int:person_id}/reactivate",
    response={200: PersonOut, **ERRORS},
    summary="Reactivate a person (admins)",
)
def reactivate_person(request: HttpRequest, org_slug: str, person_id: int) -> PersonOut:
    membership = membership_for(request, org_slug, Role.ADMIN)
    person = _admin_get(membership, person_id)
    person = person_set_active(person=person, actor=request_user(request), active=True)
    return person_out(person, Audience.ADMIN)


@router.get(
    "/{org_slug}/people/{int:person_id}/reporting-line",
    response={200: ReportingLineOut, **ERRORS},
    summary="A person's managers (nearest first) and reports (admins, programme managers)",
)
def get_reporting_line(request: HttpRequest, org_slug: str, person_id: int) -> ReportingLineOut:
    membership = membership_for(request, org_slug, Role.ADMIN, Role.PROGRAMME_MANAGER)
    person = person_get(
        organisation=membership.organisation,
        person_id=person_id,
        audience=audience_of(membership),
    )
    line = person_reporting_line(person=person)
    return ReportingLineOut(
        managers=[PersonBrief.from_orm(p) for p in line.managers],
        direct_reports=[PersonBrief.from_orm(p) for p in line.direct_reports],
        all_reports_count=len(line.all_reports),
    )


@router.post(
    "/{org_slug}/people/{int:person_id}/invite",
    response={201: InvitationOut, **ERRORS},
    summary="Email a person an invitation to sign in (admins, programme managers)",
)
def invite_person(request: HttpRequest, org_slug: str, person_id: int) -> Status[InvitationOut]:
    membership = membership_for(request, org_slug, Role.ADMIN, Role.PROGRAMME_MANAGER)
    person = person_get(
        organisation=membership.organisation,
        person_id=person_id,
        audience=audience_of(membership),
    )
    invitation = invitation_send(person=person, actor=request_user(request))
    return Status(
        201,
        InvitationOut(person_id=person.pk, email=person.email, expires_at=invitation.expires_at),
    )


@router.post(
    "/{org_slug}/people/import",
    response={200: ImportResultOut, 202: ImportJobOut, **ERRORS},
    summary="Import people from CSV (admins)",
    description=(
        "Upsert by email. Columns (any order, any case): email, name (required); "
        "employee_id, manager_email, department, job_title, level, location, "
        "timezone, languages (;-separated), start_date (YYYY-MM-DD). With any "
        "problem nothing is written and every problem is listed with its row "
        "(header = row 1) and column. `dry_run` validates only. A file of more than "
        "2,000 rows (the server's ALONGSIDE_IMPORT_INLINE_ROWS) is checked and applied by "
        "the worker: the answer is 202 with the import's `url`, to poll until its status "
        "is applied (or previewed, for a dry run), invalid (with every problem; nothing "
        "was written) or failed."
    ),
)
def import_people(
    request: HttpRequest,
    org_slug: str,
    file: File[UploadedFile],
    dry_run: bool = False,
    deactivate_missing: bool = False,
) -> ImportResultOut | Status[ImportJobOut]:
    membership = membership_for(request, org_slug, Role.ADMIN)
    data = file.read()
    if runs_as_task(data):
        queued = people_import_queue(
            organisation=membership.organisation,
            actor=request_user(request),
            data=data,
            filename=file.name or "",
            apply=not dry_run,
            deactivate_missing=deactivate_missing,
        )
        return Status(202, ImportJobOut.of(queued, org_slug))
    plan = people_import_apply(
        organisation=membership.organisation,
        actor=request_user(request),
        data=data,
        filename=file.name or "",
        dry_run=dry_run,
        deactivate_missing=deactivate_missing,
    )
    return ImportResultOut(dry_run=dry_run, **plan.summary)


@router.get(
    "/{org_slug}/people/imports/{int:import_id}",
    response={200: ImportJobOut, **ERRORS},
    summary="Where a large people import stands: progress, problems, result (admins)",
)
def get_people_import(request: HttpRequest, org_slug: str, import_id: int) -> ImportJobOut:
    membership = membership_for(request, org_slug, Role.ADMIN)
    person_import = person_import_get(organisation=membership.organisation, import_id=import_id)
    return ImportJobOut.of(person_import, org_slug)


@router.post(
    "/{org_slug}/people/invitations",
    response={202: BulkInviteOut, **ERRORS},
    summary="Invite many people at once (admins, programme managers)",
    description="Queues an invitation email for each listed person who has not signed in yet.",
)
def invite_people(
    request: HttpRequest, org_slug: str, payload: BulkInviteIn
) -> Status[BulkInviteOut]:
    membership = membership_for(request, org_slug, Role.ADMIN, Role.PROGRAMME_MANAGER)
    person_ids = payload.person_ids
    if payload.filters:
        matching = set(
            filtered_people(membership=membership, filters=payload.filters).values_list(
                "pk", flat=True
            )
        )
        person_ids = sorted(
            matching if person_ids is None else [i for i in person_ids if i in matching]
        )
    queued = invitations_request_bulk(
        organisation=membership.organisation,
        person_ids=person_ids or [],
        actor=request_user(request),
    )
    return Status(202, BulkInviteOut(queued=queued))
