from datetime import datetime
from typing import Any

from django.http import Http404, HttpRequest
from ninja import Router, Status
from ninja.pagination import paginate

from alongside.accounts.api_auth import request_user
from alongside.core.api_pagination import Mapped, Pagination
from alongside.core.schemas import ERRORS, Schema
from alongside.organisations.api_auth import membership_for
from alongside.programmes.models import Programme
from alongside.programmes.selectors import programme_get_managed
from alongside.relationships import selectors
from alongside.relationships.models import Relationship, RelationshipMember, RematchRequest
from alongside.relationships.reason_words import translate_lines
from alongside.relationships.selectors import relationships_of_member
from alongside.relationships.services import rematch_request_create, rematch_request_resolve

router = Router(tags=["relationships"])

PROGRAMME = "/{org_slug}/programmes/{int:programme_id}"


class RelationshipMemberOut(Schema):
    enrolment_id: int
    person_id: int
    name: str
    role: str
    is_active: bool


class RelationshipOut(Schema):
    id: int
    name: str
    kind: str
    status: str
    score: float
    reasons_admin: str
    reasons_participant: str
    match_run_id: int | None
    started_at: datetime
    ended_at: datetime | None
    members: list[RelationshipMemberOut]


class RematchRequestOut(Schema):
    id: int
    relationship_id: int
    relationship_name: str
    enrolment_id: int
    name: str
    reason: str
    status: str
    created_at: datetime
    resolved_at: datetime | None
    resolution_note: str


class ResolveIn(Schema):
    rematch: bool
    note: str = ""


class PublicMemberOut(Schema):
    """What a participant may see of the others: their directory profile, no intake."""

    name: str
    role: str
    is_active: bool
    job_title: str
    department: str
    location: str
    timezone: str
    languages: list[str]


class MyRelationshipOut(Schema):
    id: int
    name: str
    kind: str
    status: str
    programme_id: int
    programme_name: str
    why_you_were_matched: list[str]
    others: list[PublicMemberOut]
    rematch_requested: bool


class RematchIn(Schema):
    reason: str


class RematchCreatedOut(Schema):
    id: int
    status: str


def _programme(request: HttpRequest, org_slug: str, programme_id: int) -> Programme:
    membership = membership_for(request, org_slug)
    return programme_get_managed(membership=membership, programme_id=programme_id)


def relationships_members(relationships: list[Relationship]) -> dict[int, list[dict[str, Any]]]:
    return selectors.relationship_members(relationships=relationships)


def relationship_out(
    relationship: Relationship, members: dict[int, list[dict[str, Any]]]
) -> dict[str, Any]:
    return {
        "id": relationship.pk,
        "name": relationship.name,
        "kind": relationship.kind,
        "status": relationship.status,
        "score": relationship.score,
        "reasons_admin": relationship.reasons_admin,
        "reasons_participant": relationship.reasons_participant,
        "match_run_id": relationship.match_run_id,
        "started_at": relationship.started_at,
        "ended_at": relationship.ended_at,
        "members": [
            {
                "enrolment_id": m["enrolment_id"],
                "person_id": m["person_id"],
                "name": m["name"],
                "role": m["role"],
                "is_active": m["is_active"],
            }
            for m in members[relationship.pk]
        ],
    }


def _rematch_request(item: RematchRequest) -> dict[str, Any]:
    return {
        "id": item.pk,
        "relationship_id": item.relationship_id,
        "relationship_name": item.relationship.name,
        "enrolment_id": item.enrolment_id,
        "name": item.enrolment.person.name,
        "reason": item.reason,
        "status": item.status,
        "created_at": item.created_at,
        "resolved_at": item.resolved_at,
        "resolution_note": item.resolution_note,
    }


@router.get(
    f"{PROGRAMME}/relationships",
    response={200: list[RelationshipOut], **ERRORS},
    summary="The programme's published relationships with members and reasons",
)
@paginate(Pagination)
def list_relationships(request: HttpRequest, org_slug: str, programme_id: int) -> Any:
    programme = _programme(request, org_slug, programme_id)
    return Mapped(
        selectors.relationships_for_programme(programme=programme),
        relationship_out,
        relationships_members,
    )


@router.get(
    f"{PROGRAMME}/rematch-requests",
    response={200: list[RematchRequestOut], **ERRORS},
    summary="Rematch requests (status: open by default, or rematched, declined, all)",
)
@paginate(Pagination)
def list_rematch_requests(
    request: HttpRequest, org_slug: str, programme_id: int, status: str = "open"
) -> Any:
    programme = _programme(request, org_slug, programme_id)
    return Mapped(
        selectors.rematch_requests_for(programme=programme, status=status), _rematch_request
    )


@router.post(
    f"{PROGRAMME}/rematch-requests/{{int:request_id}}/resolve",
    response={200: RematchRequestOut, **ERRORS},
    summary="Rematch (the person leaves and waits for the next match) or decline",
)
def resolve_rematch_request(
    request: HttpRequest, org_slug: str, programme_id: int, request_id: int, body: ResolveIn
) -> Any:
    programme = _programme(request, org_slug, programme_id)
    item = selectors.rematch_request_get(programme=programme, request_id=request_id)
    resolved = rematch_request_resolve(
        request=item, actor=request_user(request), rematch=body.rematch, note=body.note
    )
    return _rematch_request(
        selectors.rematch_request_get(programme=programme, request_id=resolved.pk)
    )


@router.get(
    "/{org_slug}/relationships/mine",
    response={200: list[MyRelationshipOut], **ERRORS},
    summary="My relationships: the others' public profile and why we were matched",
)
@paginate(Pagination)
def my_relationships(request: HttpRequest, org_slug: str) -> Any:
    membership = membership_for(request, org_slug)
    user = request_user(request)
    asked = set(
        RematchRequest.objects.filter(
            enrolment__person__user=user,
            relationship__organisation=membership.organisation,
            status=RematchRequest.Status.OPEN,
        ).values_list("relationship_id", flat=True)
    )
    result = []
    for relationship in relationships_of_member(membership=membership):
        result.append(
            {
                "id": relationship.pk,
                "name": relationship.name,
                "kind": relationship.kind,
                "status": relationship.status,
                "programme_id": relationship.programme_id,
                "programme_name": relationship.programme.name,
                "why_you_were_matched": translate_lines(relationship.reasons_participant),
                "rematch_requested": relationship.pk in asked,
                "others": [
                    {
                        "name": m.person.name,
                        "role": m.role,
                        "is_active": m.is_active,
                        # The public fields each person shares; the time zone is
                        # what meeting each other needs.
                        "job_title": m.person.job_title if m.person.share_job_title else "",
                        "department": (m.person.department if m.person.share_department else ""),
                        "location": m.person.location if m.person.share_location else "",
                        "timezone": m.person.timezone,
                        "languages": m.person.languages if m.person.share_languages else [],
                    }
                    for m in relationship.members.all()
                    if m.person.user_id != user.pk
                ],
            }
        )
    return result


@router.post(
    "/{org_slug}/relationships/{int:relationship_id}/rematch-requests",
    response={201: RematchCreatedOut, **ERRORS},
    summary="Ask the programme's managers for a rematch, with a reason",
)
def request_rematch(
    request: HttpRequest, org_slug: str, relationship_id: int, body: RematchIn
) -> Any:
    membership = membership_for(request, org_slug)
    member = (
        RelationshipMember.objects.filter(
            relationship_id=relationship_id,
            relationship__organisation=membership.organisation,
            person__user=request_user(request),
            is_active=True,
        )
        .select_related("relationship__organisation", "enrolment")
        .first()
    )
    if member is None:
        raise Http404("No such relationship of yours.")
    created = rematch_request_create(
        enrolment=member.enrolment,
        relationship=member.relationship,
        actor=request_user(request),
        reason=body.reason,
    )
    return Status(201, {"id": created.pk, "status": created.status})
