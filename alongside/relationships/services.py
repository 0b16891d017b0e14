"""Writes for relationships: members leaving, late joiners, rematch requests."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alongside.accounts.models import User
from alongside.audit.services import log_action
from alongside.core.errors import AlongsideError
from alongside.core.events import emit
from alongside.programmes.models import Enrolment, EnrolmentStatus
from alongside.relationships.events import MemberLeft, RelationshipEnded
from alongside.relationships.models import Relationship, RelationshipMember, RematchRequest
from alongside.relationships.naming import (
    CHOSEN_NAME_MAX,
    NamedMember,
    clean_chosen_name,
    default_name,
)


def relationship_default_name(*, relationship: Relationship) -> str:
    """The name the relationship's active members give it (all members once it ended)."""
    members = list(relationship.members.select_related("person").order_by("pk"))
    active = [m for m in members if m.is_active]
    named = active if len(active) >= 2 else members
    return default_name(relationship.kind, [NamedMember(m.person.name, m.role) for m in named])[
        :120
    ]


def relationship_name_refresh(*, relationship: Relationship) -> None:
    """Follow the members after someone joins or leaves, unless they chose a name."""
    if relationship.chosen_name:
        return
    name = relationship_default_name(relationship=relationship)
    if name != relationship.name:
        relationship.name = name
        Relationship.objects.filter(pk=relationship.pk).update(name=name)


@transaction.atomic
def relationship_rename(
    *, relationship: Relationship, member: RelationshipMember, actor: User, name: str
) -> Relationship:
    """A member names the relationship; an empty name goes back to the members' names."""
    locked = Relationship.objects.select_for_update().get(pk=relationship.pk)
    if member.relationship_id != locked.pk or not member.is_active:
        raise AlongsideError(_("Only the relationship's members can rename it."), code="not_member")
    chosen = clean_chosen_name(name)
    if len(chosen) > CHOSEN_NAME_MAX:
        raise AlongsideError(
            _("Keep the name to %(chosen_name_max)s characters; this one has %(chosen)s.")
            % {"chosen_name_max": CHOSEN_NAME_MAX, "chosen": len(chosen)},
            code="name_too_long",
        )
    old = locked.name
    locked.chosen_name = chosen
    locked.name = chosen or relationship_default_name(relationship=locked)
    locked.save(update_fields=["chosen_name", "name"])
    log_action(
        actor=actor,
        organisation=locked.organisation,
        action="relationship.renamed",
        target=locked,
        data={"from": old, "to": locked.name, "chosen": bool(chosen)},
    )
    return locked


@transaction.atomic
def relationship_members_leave(*, enrolment: Enrolment, actor: User | None) -> int:
    """End the enrolment's active memberships; a relationship left with one person ends."""
    now = timezone.now()
    memberships = list(
        RelationshipMember.objects.select_for_update()
        .filter(enrolment=enrolment, is_active=True)
        .select_related("relationship")
    )
    for member in memberships:
        member.is_active = False
        member.left_at = now
        member.save(update_fields=["is_active", "left_at"])
        relationship = member.relationship
        remaining = relationship.members.filter(is_active=True).count()
        ended = remaining < 2 and relationship.status != Relationship.Status.ENDED
        if not ended:
            relationship_name_refresh(relationship=relationship)
        if ended:
            relationship.status = Relationship.Status.ENDED
            relationship.ended_at = now
            relationship.save(update_fields=["status", "ended_at"])
            log_action(
                actor=actor,
                organisation=relationship.organisation,
                action="relationship.ended",
                target=relationship,
                data={"reason": "too few members left"},
            )
        # The schedule takes the leaver out of meetings still to come (and cancels them if
        # the relationship ended); health recomputes the relationships left behind.
        emit(
            MemberLeft(
                organisation_id=relationship.organisation_id,
                relationship_id=relationship.pk,
                member_id=member.pk,
                actor_id=actor.pk if actor is not None else None,
                relationship_ended=ended,
            )
        )
        if ended:
            emit(
                RelationshipEnded(
                    organisation_id=relationship.organisation_id,
                    relationship_id=relationship.pk,
                    reason="too few members left",
                )
            )
    return len(memberships)


@transaction.atomic
def rematch_request_create(
    *, enrolment: Enrolment, relationship: Relationship, actor: User | None, reason: str
) -> RematchRequest:
    reason = reason.strip()
    if not reason:
        raise AlongsideError(
            _("Say briefly why you would like a rematch; only the programme's managers see it."),
            code="reason_required",
        )
    if enrolment.status != EnrolmentStatus.ACTIVE:
        raise AlongsideError(_("You have withdrawn from this programme."))
    if not relationship.members.filter(enrolment=enrolment, is_active=True).exists():
        raise AlongsideError(_("You are not in this relationship."))
    if RematchRequest.objects.filter(
        enrolment=enrolment, status=RematchRequest.Status.OPEN
    ).exists():
        raise AlongsideError(
            _("You already have a rematch request waiting for a manager."), code="already_requested"
        )
    request = RematchRequest.objects.create(
        enrolment=enrolment, relationship=relationship, reason=reason[:2000]
    )
    log_action(
        actor=actor,
        organisation=relationship.organisation,
        action="rematch.requested",
        target=relationship,
    )
    return request


@transaction.atomic
def rematch_request_resolve(
    *, request: RematchRequest, actor: User, rematch: bool, note: str = ""
) -> RematchRequest:
    """Decline, or take the person out of the relationship so they can be matched again."""
    locked = RematchRequest.objects.select_for_update().get(pk=request.pk)
    if locked.status != RematchRequest.Status.OPEN:
        raise AlongsideError(_("This request has already been resolved."))
    if rematch:
        relationship_members_leave(enrolment=locked.enrolment, actor=actor)
        enrolment = locked.enrolment
        enrolment.late_joiner = True  # they wait among the late joiners for the next match
        enrolment.save(update_fields=["late_joiner"])
    locked.status = RematchRequest.Status.REMATCHED if rematch else RematchRequest.Status.DECLINED
    locked.resolved_by = actor
    locked.resolved_at = timezone.now()
    locked.resolution_note = note.strip()
    locked.save()
    log_action(
        actor=actor,
        organisation=locked.relationship.organisation,
        action="rematch.resolved",
        target=locked.relationship,
        data={"outcome": locked.status},
    )
    return locked
