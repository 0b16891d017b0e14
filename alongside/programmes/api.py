from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Router, Status, UploadedFile
from ninja.pagination import paginate

from alongside.accounts.api_auth import request_user
from alongside.core.api_pagination import Pagination
from alongside.core.errors import AlongsideError, NotFound, Problem
from alongside.core.schemas import ERRORS, Schema
from alongside.organisations.api_auth import membership_for
from alongside.organisations.models import Membership, Role
from alongside.people.account_state import account_state_of
from alongside.people.models import Person
from alongside.programmes.invitations import programme_invite_not_signed_in
from alongside.programmes.models import Enrolment, EnrolmentStatus, Intake, Programme
from alongside.programmes.selectors import (
    enrolment_counts,
    enrolments_for,
    my_enrolment,
    programme_get,
    programme_get_managed,
    programmes_managed,
    programmes_visible,
)
from alongside.programmes.services import (
    enrolment_add,
    enrolment_import_emails,
    enrolment_withdraw,
    intake_save,
    intake_send_reminders,
    programme_create,
    programme_set_managers_by_email,
    programme_transition,
    programme_update,
    self_enrol,
    self_enrol_set_open,
)
from alongside.programmes.views import programmes_with_counts

router = Router(tags=["programmes"])


class ProgrammeOut(Schema):
    id: int
    name: str
    purpose: str
    format: str
    stage: str
    start_date: date
    end_date: date
    checkpoint_date: date | None
    rhythm: str
    session_minutes: int
    capability_areas: list[str] = Field(
        description="As first written: the values intakes, answers and matching use."
    )
    topics: list[str]
    capability_area_labels: list[str] = Field(
        description="The capability areas as the reader sees them (their language, else the "
        "organisation's, else as first written), in the same order."
    )
    topic_labels: list[str]
    translations: dict[str, dict[str, list[str]]] = Field(
        description='Lists written in other languages, item by item: {"hi": {"topics": […]}}.'
    )
    content_language: str = Field(
        description="The language the originals (capability areas, topics, session guides, "
        "survey questions) are written in: the organisation's when the programme was created."
    )
    matching_rules: dict[str, Any]
    enrolled: int
    intakes_done: int
    manages: bool
    self_enrol_open: bool
    self_enrol_url: str | None = None


class ProgrammePatch(Schema):
    name: str | None = None
    purpose: str | None = None
    start_date: date | None = None
    end_date: date | None = None
    checkpoint_date: date | None = None
    rhythm: str | None = None
    session_minutes: int | None = None
    capability_areas: list[str] | None = None
    topics: list[str] | None = None
    matching_rules: dict[str, Any] | None = None
    translations: dict[str, Any] | None = Field(
        default=None,
        description='Languages to replace, each list as long as its original: {"hi": '
        '{"capability_areas": […], "topics": […]}}; a language sent null is removed.',
    )


class ProgrammeIn(ProgrammePatch):
    """A new programme: its format's template fills in whatever is left out."""

    name: str
    format: str


class ManagersIn(Schema):
    emails: list[str]


class ManagerOut(Schema):
    email: str
    full_name: str


class StageIn(Schema):
    to: str


class EnrolmentOut(Schema):
    id: int
    person_id: int
    name: str
    email: str
    role: str
    capacity: int
    status: str
    source: str
    late_joiner: bool
    enrolled_at: datetime
    withdrawn_at: datetime | None
    withdrawn_reason: str
    intake_complete: bool
    intake_reminders: int
    account_state: str = Field(
        description="The person's way in: no_account, invited (or has an account that never "
        "signed in) or signed_in."
    )

    @staticmethod
    def resolve_name(enrolment: Enrolment) -> str:
        return enrolment.person.name

    @staticmethod
    def resolve_account_state(enrolment: Enrolment) -> str:
        annotated = getattr(enrolment, "account_state", None)
        return annotated or account_state_of(enrolment.person)

    @staticmethod
    def resolve_email(enrolment: Enrolment) -> str:
        return enrolment.person.email

    @staticmethod
    def resolve_intake_complete(enrolment: Enrolment) -> bool:
        return enrolment.intake.is_complete

    @staticmethod
    def resolve_intake_reminders(enrolment: Enrolment) -> int:
        return enrolment.intake.reminder_count


class EnrolIn(Schema):
    person_ids: list[int]
    role: str | None = None
    capacity: int | None = None


class EnrolledOut(Schema):
    added: int
    enrolments: list[EnrolmentOut]
    already_enrolled: list[EnrolmentOut] = []


class WithdrawIn(Schema):
    reason: str = ""


class SelfEnrolIn(Schema):
    open: bool
    new_link: bool = False


class SelfEnrolOut(Schema):
    open: bool
    url: str


class RemindedOut(Schema):
    reminded: int


class InvitedOut(Schema):
    queued: int


class IntakeOut(Schema):
    wants: list[str]
    wants_other: str
    offers: list[str]
    offers_other: str
    goals: str
    availability: str
    timezone: str
    communication_preference: str
    languages: list[str]
    complete: bool
    completed_at: datetime | None

    @staticmethod
    def resolve_complete(intake: Intake) -> bool:
        return intake.is_complete


class IntakeIn(Schema):
    wants: list[str] | None = None
    wants_other: str | None = None
    offers: list[str] | None = None
    offers_other: str | None = None
    goals: str | None = None
    availability: str | None = None
    timezone: str | None = None
    communication_preference: str | None = None
    languages: list[str] | None = None
    complete: bool = True


class JoinIn(Schema):
    role: str | None = None


def _join_url(request: HttpRequest, programme: Programme) -> str:
    return request.build_absolute_uri(
        reverse("programmes:join", args=[programme.organisation.slug, programme.self_enrol_token])
    )


def _out(request: HttpRequest, programme: Programme, manages: bool) -> ProgrammeOut:
    enrolled = getattr(programme, "enrolled", None)
    intakes_done = getattr(programme, "intakes_done", None)
    if enrolled is None or intakes_done is None:
        counts = enrolment_counts(programme=programme)
        enrolled, intakes_done = counts["active"], counts["intake_done"]
    return ProgrammeOut(
        id=programme.pk,
        name=programme.name,
        purpose=programme.purpose,
        format=programme.format,
        stage=programme.stage,
        start_date=programme.start_date,
        end_date=programme.end_date,
        checkpoint_date=programme.checkpoint_date,
        rhythm=programme.rhythm,
        session_minutes=programme.session_minutes,
        capability_areas=programme.capability_areas,
        topics=programme.topics,
        capability_area_labels=programme.localised(
            "capability_areas", programme.organisation.language
        ),
        topic_labels=programme.localised("topics", programme.organisation.language),
        translations=programme.translations,
        content_language=programme.source_language,
        matching_rules=programme.matching_rules,
        enrolled=enrolled,
        intakes_done=intakes_done,
        manages=manages,
        self_enrol_open=programme.self_enrol_open,
        self_enrol_url=_join_url(request, programme) if manages else None,
    )


def _managed(membership: Membership, programme_id: int) -> Programme:
    return programme_get_managed(membership=membership, programme_id=programme_id)


def _my_enrolment(membership: Membership, programme_id: int) -> Enrolment:
    programme = programme_get(membership=membership, programme_id=programme_id)
    enrolment = my_enrolment(membership=membership, programme=programme)
    if enrolment is None or not enrolment.is_active:
        raise NotFound(_("You are not taking part in this programme."))
    return enrolment


PROGRAMME = "/{org_slug}/programmes/{int:programme_id}"


@router.get(
    "/{org_slug}/programmes",
    response={200: list[ProgrammeOut], **ERRORS},
    summary="Programmes the caller may see",
    description="Admins see all; programme managers those they manage or take part in; "
    "members those they take part in.",
)
@paginate(Pagination)
def list_programmes(request: HttpRequest, org_slug: str) -> list[ProgrammeOut]:
    membership = membership_for(request, org_slug)
    managed = set(programmes_managed(membership=membership).values_list("pk", flat=True))
    programmes = programmes_with_counts(programmes_visible(membership=membership))
    return [_out(request, p, p.pk in managed) for p in programmes]


@router.post(
    "/{org_slug}/programmes",
    response={201: ProgrammeOut, **ERRORS},
    summary="Create a draft programme from its format's template (admins, programme managers)",
    description="Anything not given comes from the format's template: rhythm, session "
    "length, capability areas, topics and matching rules.",
)
def create_programme(
    request: HttpRequest, org_slug: str, payload: ProgrammeIn
) -> Status[ProgrammeOut]:
    membership = membership_for(request, org_slug, Role.ADMIN, Role.PROGRAMME_MANAGER)
    programme = programme_create(
        organisation=membership.organisation, actor=request_user(request), **payload.dict()
    )
    return Status(201, _out(request, programme, True))


@router.get(PROGRAMME, response={200: ProgrammeOut, **ERRORS}, summary="One programme")
def get_programme(request: HttpRequest, org_slug: str, programme_id: int) -> ProgrammeOut:
    membership = membership_for(request, org_slug)
    programme = programme_get(membership=membership, programme_id=programme_id)
    managed = programmes_managed(membership=membership).filter(pk=programme.pk).exists()
    return _out(request, programme, managed)


@router.patch(
    PROGRAMME, response={200: ProgrammeOut, **ERRORS}, summary="Change a programme (its managers)"
)
def update_programme(
    request: HttpRequest, org_slug: str, programme_id: int, payload: ProgrammePatch
) -> ProgrammeOut:
    membership = membership_for(request, org_slug)
    programme = _managed(membership, programme_id)
    programme = programme_update(
        programme=programme, actor=request_user(request), **payload.dict(exclude_unset=True)
    )
    return _out(request, programme, True)


@router.get(
    PROGRAMME + "/managers",
    response={200: list[ManagerOut], **ERRORS},
    summary="Who manages a programme",
)
@paginate(Pagination)
def list_managers(request: HttpRequest, org_slug: str, programme_id: int) -> Any:
    membership = membership_for(request, org_slug)
    programme = programme_get(membership=membership, programme_id=programme_id)
    return [ManagerOut(email=u.email, full_name=u.full_name) for u in programme.managers.all()]


@router.put(
    PROGRAMME + "/managers",
    response={200: list[ManagerOut], **ERRORS},
    summary="Set who manages a programme (its managers)",
    description="Managers must be admins or programme managers of the organisation.",
)
def set_managers(
    request: HttpRequest, org_slug: str, programme_id: int, payload: ManagersIn
) -> Any:
    membership = membership_for(request, org_slug)
    programme = _managed(membership, programme_id)
    programme_set_managers_by_email(
        programme=programme, actor=request_user(request), emails=payload.emails
    )
    return [ManagerOut(email=u.email, full_name=u.full_name) for u in programme.managers.all()]


@router.post(
    PROGRAMME + "/stage",
    response={200: ProgrammeOut, **ERRORS},
    summary="Move a programme to another stage (its managers)",
    description="draft → enrolling → matching → running → closing → closed, with a step "
    "back where a manager may need one; other moves are refused.",
)
def change_stage(
    request: HttpRequest, org_slug: str, programme_id: int, payload: StageIn
) -> ProgrammeOut:
    membership = membership_for(request, org_slug)
    programme = _managed(membership, programme_id)
    programme = programme_transition(
        programme=programme, actor=request_user(request), to=payload.to
    )
    return _out(request, programme, True)


@router.get(
    PROGRAMME + "/enrolments",
    response={200: list[EnrolmentOut], **ERRORS},
    summary="Enrolments with their intake status (its managers)",
    description="`status`: active (default), withdrawn or all.",
)
@paginate(Pagination)
def list_enrolments(
    request: HttpRequest, org_slug: str, programme_id: int, status: str = "active"
) -> list[Enrolment]:
    membership = membership_for(request, org_slug)
    programme = _managed(membership, programme_id)
    if status not in ("active", "withdrawn", "all"):
        raise AlongsideError(
            _("status must be one of: active, withdrawn, all."),
            problems=[Problem(_("must be active, withdrawn or all."), "status")],
        )
    return enrolments_for(programme=programme, status=status)  # type: ignore[return-value]


@router.post(
    PROGRAMME + "/enrolments",
    response={200: EnrolledOut, **ERRORS},
    summary="Enrol people from the directory (its managers)",
    description="`role` is mentor or mentee in mentoring formats; `capacity` is a mentor's "
    "number of mentees. People already enrolled are skipped and listed in `already_enrolled`.",
)
def enrol_people(
    request: HttpRequest, org_slug: str, programme_id: int, payload: EnrolIn
) -> dict[str, Any]:
    membership = membership_for(request, org_slug)
    programme = _managed(membership, programme_id)
    people = list(
        Person.objects.filter(organisation=membership.organisation, pk__in=payload.person_ids)
    )
    unknown = sorted(set(payload.person_ids) - {p.pk for p in people})
    if unknown:
        raise AlongsideError(
            _("Some people are not in this organisation's directory."),
            problems=[
                Problem(_("%(pk)s is not a person here.") % {"pk": pk}, "person_ids")
                for pk in unknown
            ],
        )
    added = enrolment_add(
        programme=programme,
        actor=request_user(request),
        people=people,
        role=payload.role,
        capacity=payload.capacity,
    )
    added_ids = {enrolment.pk for enrolment in added}
    already = [
        enrolment
        for enrolment in enrolments_for(programme=programme, status=EnrolmentStatus.ACTIVE)
        .filter(person__in=people)
        .order_by("person__name", "pk")
        if enrolment.pk not in added_ids
    ]
    return {"added": len(added), "enrolments": _reloaded(added), "already_enrolled": already}


def _reloaded(enrolments: list[Enrolment]) -> list[Enrolment]:
    return list(
        Enrolment.objects.filter(pk__in=[e.pk for e in enrolments])
        .select_related("person", "intake")
        .order_by("person__name", "pk")
    )


@router.post(
    PROGRAMME + "/enrolments/import",
    response={200: EnrolledOut, **ERRORS},
    summary="Enrol people from a CSV of emails (its managers)",
    description="An `email` column (optional `role` and `capacity`), or one address a line. "
    "With any problem no one is enrolled and every problem is listed with its row.",
)
def import_enrolments(
    request: HttpRequest,
    org_slug: str,
    programme_id: int,
    file: File[UploadedFile],
    role: Form[str | None] = None,
) -> dict[str, Any]:
    membership = membership_for(request, org_slug)
    programme = _managed(membership, programme_id)
    added = enrolment_import_emails(
        programme=programme, actor=request_user(request), data=file.read(), role=role or None
    )
    return {"added": len(added), "enrolments": _reloaded(added)}


@router.post(
    PROGRAMME + "/enrolments/{int:enrolment_id}/withdraw",
    response={200: EnrolmentOut, **ERRORS},
    summary="Withdraw a participant, keeping their history (its managers)",
)
def withdraw_enrolment(
    request: HttpRequest, org_slug: str, programme_id: int, enrolment_id: int, payload: WithdrawIn
) -> Enrolment:
    membership = membership_for(request, org_slug)
    programme = _managed(membership, programme_id)
    enrolment = Enrolment.objects.filter(programme=programme, pk=enrolment_id).first()
    if enrolment is None:
        raise NotFound(_("No such enrolment in this programme."))
    enrolment_withdraw(enrolment=enrolment, actor=request_user(request), reason=payload.reason)
    return _reloaded([enrolment])[0]


@router.post(
    PROGRAMME + "/self-enrolment",
    response={200: SelfEnrolOut, **ERRORS},
    summary="Open or close the self-enrolment link, or replace it (its managers)",
)
def set_self_enrolment(
    request: HttpRequest, org_slug: str, programme_id: int, payload: SelfEnrolIn
) -> SelfEnrolOut:
    membership = membership_for(request, org_slug)
    programme = _managed(membership, programme_id)
    programme = self_enrol_set_open(
        programme=programme,
        actor=request_user(request),
        open=payload.open,
        new_link=payload.new_link,
    )
    return SelfEnrolOut(open=programme.self_enrol_open, url=_join_url(request, programme))


@router.post(
    PROGRAMME + "/reminders",
    response={200: RemindedOut, **ERRORS},
    summary="Email everyone whose intake is not finished (its managers)",
)
def send_reminders(request: HttpRequest, org_slug: str, programme_id: int) -> RemindedOut:
    membership = membership_for(request, org_slug)
    programme = _managed(membership, programme_id)
    count = intake_send_reminders(programme=programme, actor=request_user(request))
    return RemindedOut(reminded=count)


@router.post(
    PROGRAMME + "/invitations",
    response={200: InvitedOut, **ERRORS},
    summary="Invite everyone in the programme not yet signed in (its managers)",
    description="Emails the programme's welcome again, with a fresh invitation, to each active "
    "participant who has not signed in yet; sent in the background.",
)
def invite_not_signed_in(request: HttpRequest, org_slug: str, programme_id: int) -> InvitedOut:
    membership = membership_for(request, org_slug)
    programme = _managed(membership, programme_id)
    count = programme_invite_not_signed_in(programme=programme, actor=request_user(request))
    return InvitedOut(queued=count)


@router.get(
    PROGRAMME + "/intake",
    response={200: IntakeOut, **ERRORS},
    summary="The caller's own intake",
)
def get_intake(request: HttpRequest, org_slug: str, programme_id: int) -> Intake:
    membership = membership_for(request, org_slug)
    return _my_enrolment(membership, programme_id).intake


@router.put(
    PROGRAMME + "/intake",
    response={200: IntakeOut, **ERRORS},
    summary="Save the caller's own intake",
    description="`complete` (default true) marks it done once it has what matching needs; "
    "false saves a draft. `availability` is weekly, in the caller's time zone, e.g. "
    "'Mon-Fri 09:00-17:00; Sat 10:00-12:30'.",
)
def save_intake(
    request: HttpRequest, org_slug: str, programme_id: int, payload: IntakeIn
) -> Intake:
    membership = membership_for(request, org_slug)
    enrolment = _my_enrolment(membership, programme_id)
    fields = payload.dict(exclude_unset=True)
    complete = fields.pop("complete", True)
    return intake_save(
        enrolment=enrolment, actor=request_user(request), complete=complete, **fields
    )


@router.post(
    "/{org_slug}/programmes/join/{token}",
    response={201: EnrolmentOut, **ERRORS},
    summary="Join a programme through its self-enrolment link",
)
def join_programme(
    request: HttpRequest, org_slug: str, token: str, payload: JoinIn
) -> Status[Enrolment]:
    membership = membership_for(request, org_slug)
    programme = Programme.objects.filter(
        organisation=membership.organisation, self_enrol_token=token
    ).first()
    if programme is None:
        raise NotFound(_("This link is not valid."))
    person = Person.objects.filter(
        organisation=membership.organisation, user=membership.user
    ).first()
    if person is None:
        raise AlongsideError(_("You are not in this organisation's people directory yet."))
    enrolment = self_enrol(programme=programme, person=person, role=payload.role)
    return Status(201, _reloaded([enrolment])[0])
