"""Publishing a draft as relationships, telling the people matched, and late joiners."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, OperationalError, transaction
from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from alongside.accounts.models import User
from alongside.accounts.sign_in_links import email_link
from alongside.audit.services import log_action
from alongside.core.errors import AlongsideError
from alongside.core.events import emit
from alongside.core.languages import in_language, recipient_language
from alongside.matches.models import (
    MatchGroup,
    MatchGroupMember,
    MatchRun,
)
from alongside.matches.services.review import draft_for_update
from alongside.matches.services.running import KIND_FOR_FORMAT, check_can_match
from alongside.outbox.services import Outgoing, emails_enqueue
from alongside.people.models import Person
from alongside.programmes.models import Enrolment, EnrolmentStatus, Format, Programme, Stage
from alongside.relationships.events import MemberJoined, RelationshipsPublished
from alongside.relationships.models import Relationship, RelationshipMember
from alongside.relationships.naming import NamedMember, default_name
from alongside.relationships.services import relationship_name_refresh


def match_run_publish(
    *, run: MatchRun, actor: User, keep_matching: bool = False
) -> list[Relationship]:
    """Create the relationships of a draft, all or nothing, and tell the participants."""
    try:
        return _publish(run=run, actor=actor, keep_matching=keep_matching)
    except OperationalError as error:
        # SQLite reports a competing write it could not wait out as "locked"; the whole
        # publish was rolled back, so say so instead of failing with a server error.
        if "locked" not in str(error):
            raise
        raise AlongsideError(
            _(
                "Another change to this programme was being saved at the same moment; "
                "nothing was published. Reload the draft and try again."
            ),
            code="busy",
            status=409,
        ) from error


@transaction.atomic
def _publish(*, run: MatchRun, actor: User, keep_matching: bool) -> list[Relationship]:
    # Lock the programme before the run: concurrent publishes queue here, and the one that
    # goes second sees its draft discarded by the first rather than deadlocking on it.
    programme = Programme.objects.select_for_update().get(pk=run.programme_id)
    run = draft_for_update(run)
    check_can_match(programme)
    kind = KIND_FOR_FORMAT[Format(programme.format)]
    # select_related, not a chained prefetch: on SQLite Django prefetches the enrolments
    # of 2,000 members as a 2,000-term OR that exceeds the expression depth limit.
    members_with_people = Prefetch(
        "members", queryset=MatchGroupMember.objects.select_related("enrolment__person")
    )
    groups = list(run.groups.prefetch_related(members_with_people).order_by("number"))
    if not groups:
        raise AlongsideError(_("This draft has no groups to publish."))
    created: list[Relationship] = []
    pending: list[tuple[Relationship, list[MatchGroupMember]]] = []
    mentor_load: dict[int, int] = defaultdict(int)
    for group in groups:
        members = list(group.members.all())
        for member in members:
            if member.enrolment.status != EnrolmentStatus.ACTIVE:
                raise AlongsideError(
                    _("%(person)s has withdrawn since this draft was made; re-run matching.")
                    % {"person": member.enrolment.person.name},
                    code="stale",
                )
        if programme.is_mentoring:
            created.extend(_publish_mentoring(programme, run, group, members, kind, mentor_load))
            continue
        relationship = _new_relationship(
            programme,
            run,
            kind,
            _name(kind, members),
            group.score,
            group.reasons_admin,
            group.reasons_participant,
        )
        pending.append((relationship, members))
    if pending:
        created.extend(_create_relationships(pending))
    # The schedule app proposes each new relationship a meeting time, in this transaction.
    emit(
        RelationshipsPublished(
            organisation_id=programme.organisation_id,
            programme_id=programme.pk,
            relationship_ids=tuple(r.pk for r in created),
            match_run_id=run.pk,
        )
    )
    run.status = MatchRun.Status.PUBLISHED
    run.published_at = timezone.now()
    run.save(update_fields=["status", "published_at"])
    MatchRun.objects.filter(programme=programme, status=MatchRun.Status.DRAFT).exclude(
        pk=run.pk
    ).update(status=MatchRun.Status.DISCARDED)
    Enrolment.objects.filter(
        programme=programme, late_joiner=True, memberships__is_active=True
    ).update(late_joiner=False)
    if programme.stage == Stage.MATCHING and not keep_matching:
        programme.stage = Stage.RUNNING
        programme.save(update_fields=["stage"])
    log_action(
        actor=actor,
        organisation=programme.organisation,
        action="match_run.published",
        target=run,
        data={"relationships": len(created)},
    )
    _notify(programme, created)
    return created


def _create_relationships(
    pending: Sequence[tuple[Relationship, Sequence[MatchGroupMember]]],
) -> list[Relationship]:
    """Save new relationships and their members in bulk (a few queries for thousands).

    If someone is already in an active relationship, nothing is written and the error
    names the relationship they were meant to join, as adding them one by one would.
    """
    relationships = Relationship.objects.bulk_create([r for r, _members in pending])
    try:
        with transaction.atomic():
            RelationshipMember.objects.bulk_create(
                RelationshipMember(
                    relationship=relationship,
                    enrolment=m.enrolment,
                    person=m.enrolment.person,
                    role=m.role,
                )
                for relationship, members in pending
                for m in members
            )
    except IntegrityError:
        for relationship, members in pending:
            _add_members(relationship, members)  # raises for the first one in conflict
        raise
    return relationships


def _add_members(relationship: Relationship, members: Sequence[MatchGroupMember]) -> None:
    try:
        with transaction.atomic():
            RelationshipMember.objects.bulk_create(
                RelationshipMember(
                    relationship=relationship,
                    enrolment=m.enrolment,
                    person=m.enrolment.person,
                    role=m.role,
                )
                for m in members
            )
    except IntegrityError as error:
        names = ", ".join(m.enrolment.person.name for m in members)
        raise AlongsideError(
            _(
                "Someone in %(relationship)s (%(names)s) is already in an active "
                "relationship in this programme; nothing was published. Re-run "
                "matching."
            )
            % {"relationship": relationship.name, "names": names},
            code="already_matched",
        ) from error


def _publish_mentoring(
    programme: Programme,
    run: MatchRun,
    group: MatchGroup,
    members: list[MatchGroupMember],
    kind: str,
    mentor_load: dict[int, int],
) -> list[Relationship]:
    mentor = next(m for m in members if m.role == "mentor")
    mentees = [m for m in members if m.role != "mentor"]
    # Lock the mentor's enrolment so concurrent publishes cannot overfill their places.
    locked = Enrolment.objects.select_for_update().get(pk=mentor.enrolment_id)
    taken = mentor_places_taken_locked(locked)
    if taken + mentor_load[locked.pk] + len(mentees) > locked.capacity:
        raise AlongsideError(
            _(
                "%(person)s has no free mentoring place left (capacity %(capacity)s); "
                "nothing was published."
            )
            % {"person": locked.person.name, "capacity": locked.capacity},
            code="capacity",
        )
    mentor_load[locked.pk] += len(mentees)
    if kind == Relationship.Kind.GROUP:
        relationship = _new_relationship(
            programme,
            run,
            kind,
            _name(kind, members),
            group.score,
            group.reasons_admin,
            group.reasons_participant,
        )
        relationship.save()
        _add_members(relationship, members)
        return [relationship]
    pending: list[tuple[Relationship, list[MatchGroupMember]]] = []
    admin_lines = group.reasons_admin.split("\n")
    participant_lines = group.reasons_participant.split("\n")
    for position, mentee in enumerate(mentees):
        relationship = _new_relationship(
            programme,
            run,
            kind,
            _name(kind, [mentee, mentor]),
            mentee.score,
            _line_for(admin_lines, position, mentee),
            _line_for(participant_lines, position, mentee),
        )
        pending.append((relationship, [mentor, mentee]))
    return _create_relationships(pending)


def mentor_places_taken_locked(mentor: Enrolment) -> int:
    """Mentees the mentor has now; call with the mentor's enrolment row locked."""
    mentor_relationships = RelationshipMember.objects.filter(
        enrolment=mentor, is_active=True, relationship__status=Relationship.Status.ACTIVE
    ).values("relationship")
    return (
        RelationshipMember.objects.filter(relationship__in=mentor_relationships, is_active=True)
        .exclude(role="mentor")
        .count()
    )


@dataclass(frozen=True)
class ChosenMember:
    """A member of a relationship people chose themselves (self-match)."""

    enrolment: Enrolment
    role: str


def relationship_create_chosen(
    *,
    programme: Programme,
    members: Sequence[ChosenMember],
    score: float,
    reasons_admin: str,
    reasons_participant: str,
    actor: User | None,
    how: str,
) -> Relationship:
    """A relationship two people chose (self-match), made exactly as publishing makes
    one: the schedule proposes a meeting time, health and nudges follow it, its members
    are told. Call inside the caller's transaction with the enrolments locked; a mentor
    with a group joins the newcomer to it instead."""
    kind = KIND_FOR_FORMAT[Format(programme.format)]
    if kind == Relationship.Kind.GROUP:
        mentor = next(m for m in members if m.role == "mentor")
        group = (
            Relationship.objects.filter(
                programme=programme,
                status=Relationship.Status.ACTIVE,
                members__enrolment=mentor.enrolment,
                members__is_active=True,
            )
            .order_by("pk")
            .first()
        )
        if group is not None:
            for newcomer in (m for m in members if m.role != "mentor"):
                _join(group, newcomer, actor)
            return group
    relationship = _new_relationship(
        programme,
        None,
        kind,
        default_name(kind, [NamedMember(m.enrolment.person.name, m.role) for m in members])[:120],
        score,
        reasons_admin,
        reasons_participant,
    )
    relationship.save()
    try:
        with transaction.atomic():
            RelationshipMember.objects.bulk_create(
                RelationshipMember(
                    relationship=relationship,
                    enrolment=m.enrolment,
                    person=m.enrolment.person,
                    role=m.role,
                )
                for m in members
            )
    except IntegrityError as error:
        raise AlongsideError(
            _("%(names)s: one of you already has a match in this programme.")
            % {"names": ", ".join(m.enrolment.person.name for m in members)},
            code="already_matched",
        ) from error
    emit(
        RelationshipsPublished(
            organisation_id=programme.organisation_id,
            programme_id=programme.pk,
            relationship_ids=(relationship.pk,),
        )
    )
    log_action(
        actor=actor,
        organisation=programme.organisation,
        action="relationship.chosen",
        target=relationship,
        data={"how": how, "enrolments": [m.enrolment.pk for m in members]},
    )
    _notify(programme, [relationship])
    return relationship


def _join(relationship: Relationship, newcomer: ChosenMember, actor: User | None) -> None:
    try:
        with transaction.atomic():
            member = RelationshipMember.objects.create(
                relationship=relationship,
                enrolment=newcomer.enrolment,
                person=newcomer.enrolment.person,
                role=newcomer.role,
            )
    except IntegrityError as error:
        raise AlongsideError(
            _("%(name)s already has a match in this programme.")
            % {"name": newcomer.enrolment.person.name},
            code="already_matched",
        ) from error
    _joined(relationship, member, actor=actor, data={"how": "chosen"})


def _joined(
    relationship: Relationship,
    member: RelationshipMember,
    *,
    actor: User | None,
    data: dict[str, object] | None = None,
) -> None:
    """After someone joins a running relationship: its name, the event, the audit trail
    and the email to its members."""
    relationship_name_refresh(relationship=relationship)
    emit(
        MemberJoined(
            organisation_id=relationship.organisation_id,
            relationship_id=relationship.pk,
            member_id=member.pk,
        )
    )
    log_action(
        actor=actor,
        organisation=relationship.organisation,
        action="relationship.joined",
        target=relationship,
        data={"enrolment": member.enrolment_id, **(data or {})},
    )
    _notify(relationship.programme, [relationship])


def _name(kind: str, members: Sequence[MatchGroupMember]) -> str:
    """Named after its members ("Rohan & Aditya"), as people will recognise it."""
    return default_name(kind, [NamedMember(m.enrolment.person.name, m.role) for m in members])[:120]


def _new_relationship(
    programme: Programme,
    run: MatchRun | None,
    kind: str,
    name: str,
    score: float,
    reasons_admin: str,
    reasons_participant: str,
) -> Relationship:
    return Relationship(
        organisation=programme.organisation,
        programme=programme,
        match_run=run,
        kind=kind,
        name=name,
        score=score,
        reasons_admin=reasons_admin,
        reasons_participant=reasons_participant,
    )


def _line_for(lines: list[str], position: int, mentee: MatchGroupMember) -> str:
    name = mentee.enrolment.person.name
    for line in lines:
        if line.startswith(name + " & "):
            return line.split(": ", 1)[-1]
    return lines[position] if position < len(lines) else ""


def matched_email(
    *,
    member: RelationshipMember,
    others: Sequence[Person],
    programme: Programme,
    relationship: Relationship,
) -> EmailMultiAlternatives:
    """You've been matched: who with, and a link that signs in and opens the relationship."""
    # In the recipient's own language.
    with in_language(recipient_language(member.person.user, programme.organisation)):
        return _matched_email(
            member=member, others=others, programme=programme, relationship=relationship
        )


def _matched_email(
    *,
    member: RelationshipMember,
    others: Sequence[Person],
    programme: Programme,
    relationship: Relationship,
) -> EmailMultiAlternatives:
    path = reverse("meetings:relationship", args=[programme.organisation.slug, relationship.pk])
    context = {
        "person": member.person,
        "others": others,
        "programme": programme,
        "relationship": relationship,
        "link": email_link(
            email=member.person.email, path=path, organisation_id=programme.organisation_id
        ),
    }
    message = EmailMultiAlternatives(
        subject=_("You've been matched in %(programme)s") % {"programme": programme.name},
        body=render_to_string("relationships/email/matched.txt", context),
        to=[member.person.email],
    )
    message.attach_alternative(
        render_to_string("relationships/email/matched.html", context), "text/html"
    )
    return message


def _notify(programme: Programme, relationships: Sequence[Relationship]) -> None:
    """Tell every member of a new relationship who they are with (after commit)."""
    messages: list[Outgoing] = []
    # The members of all the relationships in a few queries, not one per relationship.
    members_of: dict[int, list[RelationshipMember]] = defaultdict(list)
    ids = [relationship.pk for relationship in relationships]
    for start in range(0, len(ids), 500):
        for member in RelationshipMember.objects.filter(
            relationship_id__in=ids[start : start + 500]
        ).select_related("person__user"):
            members_of[member.relationship_id].append(member)
    for relationship in relationships:
        members = members_of[relationship.pk]
        for member in members:
            others = [m.person for m in members if m.pk != member.pk]
            messages.append(
                Outgoing(
                    matched_email(
                        member=member,
                        others=others,
                        programme=programme,
                        relationship=relationship,
                    ),
                    kind="matched",
                    organisation_id=programme.organisation_id,
                    dedupe_key=f"matched:{relationship.pk}:{member.pk}",
                )
            )
    emails_enqueue(messages)


@transaction.atomic
def relationship_add_late_joiner(
    *, relationship: Relationship, enrolment: Enrolment, actor: User
) -> RelationshipMember:
    """Put a late joiner into an existing circle/group without disturbing anyone else.

    The relationship's row is locked before its members are counted, so that joiners
    added at the same moment queue here and each counts the places the others took.
    """
    programme = relationship.programme
    if enrolment.programme_id != programme.pk or enrolment.status != EnrolmentStatus.ACTIVE:
        raise AlongsideError(_("Only an active participant of this programme can join."))
    relationship = Relationship.objects.select_for_update().get(pk=relationship.pk)
    if relationship.status != Relationship.Status.ACTIVE:
        raise AlongsideError(
            _("%(relationship)s is not active.") % {"relationship": relationship.name}
        )
    members = list(relationship.members.filter(is_active=True).select_related("enrolment__person"))
    size = len(members) + 1
    if relationship.kind == Relationship.Kind.CIRCLE:
        high = int(programme.rule("max_size", 8))
        if size > high:
            raise AlongsideError(
                _("%(relationship)s is full (%(high)s people).")
                % {"relationship": relationship.name, "high": high},
                code="size",
            )
    elif relationship.kind == Relationship.Kind.GROUP:
        mentor = next(m.enrolment for m in members if m.role == "mentor")
        if size - 1 > mentor.capacity:
            raise AlongsideError(
                _("%(person)s's group is full.") % {"person": mentor.person.name}, code="capacity"
            )
    else:
        raise AlongsideError(
            _(
                "Late joiners can join circles and mentoring groups; pairs are matched "
                "among the late joiners instead."
            ),
            code="format",
        )
    try:
        with transaction.atomic():
            member = RelationshipMember.objects.create(
                relationship=relationship,
                enrolment=enrolment,
                person=enrolment.person,
                role=enrolment.role,
            )
    except IntegrityError as error:
        raise AlongsideError(
            _("%(person)s is already in an active relationship.")
            % {"person": enrolment.person.name},
            code="already_matched",
        ) from error
    Enrolment.objects.filter(pk=enrolment.pk).update(late_joiner=False)
    _joined(relationship, member, actor=actor)
    return member
