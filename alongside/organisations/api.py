from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Status
from ninja.pagination import paginate

from alongside.accounts.api_auth import request_user
from alongside.core.api_pagination import Mapped, Pagination
from alongside.core.errors import AlongsideError, Problem
from alongside.core.schemas import ERRORS, Schema
from alongside.organisations.api_auth import membership_for
from alongside.organisations.models import Membership, Organisation, Role
from alongside.organisations.services import (
    membership_grant,
    membership_remove,
    membership_set_role,
    organisation_update,
)
from alongside.outbox.models import OutboundEmail
from alongside.outbox.selectors import email_get, emails_for
from alongside.outbox.services import email_retry

router = Router(tags=["organisations"])


class OrganisationOut(Schema):
    slug: str
    name: str
    default_time_zone: str
    language: str
    my_role: str


class OrganisationPatch(Schema):
    name: str | None = None
    default_time_zone: str | None = None
    language: str | None = None


class MembershipOut(Schema):
    id: int
    email: str
    full_name: str
    role: str
    created_at: datetime


class MembershipIn(Schema):
    email: str
    role: Role


class RoleIn(Schema):
    role: Role


def _organisation_out(organisation: Organisation, role: str) -> OrganisationOut:
    return OrganisationOut(
        slug=organisation.slug,
        name=organisation.name,
        default_time_zone=organisation.default_time_zone,
        language=organisation.language,
        my_role=role,
    )


def _membership_out(membership: Membership) -> MembershipOut:
    return MembershipOut(
        id=membership.pk,
        email=membership.user.email,
        full_name=membership.user.full_name,
        role=membership.role,
        created_at=membership.created_at,
    )


@router.get(
    "", response={200: list[OrganisationOut], **ERRORS}, summary="Organisations I belong to"
)
@paginate(Pagination)
def list_organisations(request: HttpRequest) -> list[OrganisationOut]:
    memberships = (
        Membership.objects.filter(user=request_user(request))
        .select_related("organisation")
        .order_by("organisation__name")
    )
    return [_organisation_out(m.organisation, m.role) for m in memberships]


@router.get("/{org_slug}", response={200: OrganisationOut, **ERRORS})
def get_organisation(request: HttpRequest, org_slug: str) -> OrganisationOut:
    membership = membership_for(request, org_slug)
    return _organisation_out(membership.organisation, membership.role)


@router.patch(
    "/{org_slug}",
    response={200: OrganisationOut, **ERRORS},
    summary="Change organisation settings (admins)",
)
def update_organisation(
    request: HttpRequest, org_slug: str, payload: OrganisationPatch
) -> OrganisationOut:
    membership = membership_for(request, org_slug, Role.ADMIN)
    organisation = organisation_update(
        organisation=membership.organisation,
        actor=request_user(request),
        **payload.dict(exclude_unset=True),
    )
    return _organisation_out(organisation, membership.role)


@router.get(
    "/{org_slug}/memberships",
    response={200: list[MembershipOut], **ERRORS},
    summary="Members and their roles (admins)",
)
@paginate(Pagination)
def list_memberships(request: HttpRequest, org_slug: str) -> list[MembershipOut]:
    membership = membership_for(request, org_slug, Role.ADMIN)
    members = (
        Membership.objects.filter(organisation=membership.organisation)
        .select_related("user")
        .order_by("user__email")
    )
    return Mapped(members, _membership_out)  # type: ignore[return-value]


@router.post(
    "/{org_slug}/memberships",
    response={201: MembershipOut, **ERRORS},
    summary="Give an existing user a role (admins)",
)
def create_membership(
    request: HttpRequest, org_slug: str, payload: MembershipIn
) -> Status[MembershipOut]:
    membership = membership_for(request, org_slug, Role.ADMIN)
    created = membership_grant(
        organisation=membership.organisation,
        email=payload.email,
        role=payload.role,
        actor=request_user(request),
    )
    return Status(201, _membership_out(created))


@router.patch(
    "/{org_slug}/memberships/{int:membership_id}",
    response={200: MembershipOut, **ERRORS},
    summary="Change a member's role (admins)",
)
def update_membership(
    request: HttpRequest, org_slug: str, membership_id: int, payload: RoleIn
) -> MembershipOut:
    mine = membership_for(request, org_slug, Role.ADMIN)
    target = get_object_or_404(Membership, pk=membership_id, organisation=mine.organisation)
    return _membership_out(
        membership_set_role(membership=target, role=payload.role, actor=request_user(request))
    )


@router.delete(
    "/{org_slug}/memberships/{int:membership_id}",
    response={204: None, **ERRORS},
    summary="Remove a member (admins)",
)
def delete_membership(request: HttpRequest, org_slug: str, membership_id: int) -> Status[None]:
    mine = membership_for(request, org_slug, Role.ADMIN)
    target = get_object_or_404(Membership, pk=membership_id, organisation=mine.organisation)
    membership_remove(membership=target, actor=request_user(request))
    return Status(204, None)


class EmailOut(Schema):
    id: int
    kind: str
    recipients: list[str]
    subject: str
    status: str
    attempts: int
    next_attempt_at: datetime
    sent_at: datetime | None
    last_error: str
    created_at: datetime


@router.get(
    "/{org_slug}/emails",
    response={200: list[EmailOut], **ERRORS},
    summary="Outgoing emails, newest first (admins)",
    description="`status`: queued, sending, sent or failed (a failed email shows the mail "
    "server's reason in `last_error`); empty for all.",
)
@paginate(Pagination)
def list_emails(request: HttpRequest, org_slug: str, status: str = "") -> Any:
    membership = membership_for(request, org_slug, Role.ADMIN)
    if status and status not in OutboundEmail.Status.values:
        raise AlongsideError(
            "The emails could not be filtered.",
            problems=[
                Problem(f"must be one of {', '.join(OutboundEmail.Status.values)}.", "status")
            ],
        )
    return emails_for(organisation_id=membership.organisation.pk, status=status)


@router.post(
    "/{org_slug}/emails/{int:email_id}/retry",
    response={200: EmailOut, **ERRORS},
    summary="Send a failed email again, with a fresh set of tries (admins)",
)
def retry_email(request: HttpRequest, org_slug: str, email_id: int) -> Any:
    membership = membership_for(request, org_slug, Role.ADMIN)
    email = email_get(organisation_id=membership.organisation.pk, email_id=email_id)
    return email_retry(
        email=email, actor=request_user(request), organisation=membership.organisation
    )
