"""API for relationships in motion: agreement, meetings, notes, commitments, closing.

Members of a relationship read and write it; the programme's managers (and admins)
read meetings, attendance, note counts and commitment statuses — never what members
wrote. Everyone else gets a 404.
"""

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status
from ninja.pagination import paginate

from alongside.accounts.api_auth import request_user
from alongside.core.api_pagination import Mapped, Pagination
from alongside.core.errors import Forbidden, NotFound
from alongside.core.schemas import ERRORS
from alongside.meetings import selectors, services
from alongside.meetings.api_schemas import (
    AgreementIn,
    AgreementOut,
    CheckInIn,
    ClosingIn,
    ClosingStateOut,
    CommitmentHistoryOut,
    CommitmentIn,
    CommitmentOut,
    FacilitationOut,
    FacilitatorIn,
    FocusIn,
    GoalsIn,
    GoalsOut,
    GuideResetIn,
    MeetingDetailOut,
    MeetingNoteIn,
    MeetingNoteOut,
    MeetingNotePatch,
    MeetingSummaryOut,
    RelationshipDetailOut,
    RelationshipRenameIn,
    SessionGuideIn,
    SessionGuideOut,
)
from alongside.meetings.models import Agreement, Commitment, Meeting, Note
from alongside.meetings.selectors import CompletionStats, RelationshipAccess
from alongside.organisations.api_auth import membership_for
from alongside.programmes.selectors import programme_get, programme_get_managed
from alongside.relationships.models import Relationship, RelationshipMember
from alongside.relationships.services import relationship_rename

router = Router(tags=["meetings"])

RELATIONSHIP = "/{org_slug}/relationships/{int:relationship_id}"
MEETING = "/{org_slug}/meetings/{int:meeting_id}"
PROGRAMME = "/{org_slug}/programmes/{int:programme_id}"


# --- Helpers ---------------------------------------------------------------------------------


def _access(request: HttpRequest, org_slug: str, relationship_id: int) -> RelationshipAccess:
    membership = membership_for(request, org_slug)
    return selectors.relationship_access(membership=membership, relationship_id=relationship_id)


def _meeting(
    request: HttpRequest, org_slug: str, meeting_id: int
) -> tuple[Meeting, RelationshipAccess]:
    membership = membership_for(request, org_slug)
    return selectors.meeting_access(membership=membership, meeting_id=meeting_id)


def _me(access: RelationshipAccess) -> RelationshipMember:
    if access.me is None:
        raise Forbidden(_("Only the relationship's members can do that; managers only read."))
    access.me.relationship = access.relationship
    return access.me


def _member_in(access: RelationshipAccess, member_id: int) -> RelationshipMember:
    member = (
        RelationshipMember.objects.filter(pk=member_id, relationship=access.relationship)
        .select_related("person")
        .first()
    )
    if member is None:
        raise NotFound(_("No such member in this relationship."))
    return member


def _stats(member_id: int, stats: CompletionStats) -> dict[str, Any]:
    return {
        "member_id": member_id,
        "total": stats.total,
        "open": stats.open,
        "done": stats.done,
        "partly": stats.partly,
        "not_yet": stats.not_yet,
        "dropped": stats.dropped,
        "completion_rate": stats.rate,
    }


def _agreement(relationship: Relationship, agreement: Agreement) -> dict[str, Any]:
    return {
        "rhythm": relationship.programme.rhythm,
        "session_minutes": relationship.programme.session_minutes,
        "rhythm_confirmed": agreement.rhythm_confirmed,
        "rhythm_note": agreement.rhythm_note,
        "confirmed_at": agreement.confirmed_at,
        "shared_goals": selectors.shared_goals(agreement),
        "facilitation": agreement.facilitation,
        "fixed_facilitator_id": agreement.fixed_facilitator_id,
    }


def _commitment(item: Commitment, private: bool) -> dict[str, Any]:
    return {
        "id": item.pk,
        "member_id": item.member_id,
        "made_at_meeting_id": item.made_at_id,
        "made_at_meeting_number": item.made_at.number,
        "text": None if private else item.text,
        "due_date": item.due_date,
        "status": item.status,
        "review_note": None if private else item.review_note,
        "reviewed_at_meeting_id": item.reviewed_at_meeting_id,
        "reviewed_at": item.reviewed_at,
    }


def _note(note: Note) -> dict[str, Any]:
    return {
        "id": note.pk,
        "meeting_id": note.meeting_id,
        "author_id": note.author_id,
        "author_name": note.author.person.name,
        "visibility": note.visibility,
        "body": note.body,
        "created_at": note.created_at,
        "updated_at": note.updated_at,
    }


def _guide(guide: selectors.GuideView) -> dict[str, Any]:
    return {
        "meeting_number": guide.number,
        "title": guide.title,
        "prompts": guide.prompts,
        "body": guide.body,
        "is_default": guide.is_default,
        "original_title": guide.original_title,
        "original_body": guide.original_body,
        "translations": guide.translations,
    }


def _summary(meeting: Meeting, activity: selectors.NoteActivity) -> dict[str, Any]:
    return {
        "id": meeting.pk,
        "number": meeting.number,
        "starts_at": meeting.starts_at,
        "duration_minutes": meeting.duration_minutes,
        "timezone": meeting.timezone,
        "status": meeting.status,
        "facilitator_id": meeting.facilitator_id,
        "notes": {"count": activity.count, "dates": activity.dates},
    }


def _closing(access: RelationshipAccess) -> dict[str, Any]:
    relationship = access.relationship
    point = selectors.closing_point(programme=relationship.programme)
    choices = selectors.closing_choices(relationship=relationship, point=point) if point else {}
    mine = choices.get(access.me.pk) if access.me else None
    return {
        "point": point,
        "my_choice": mine.choice if mine else None,
        "my_reflection": mine.reflection if mine else "",
        "decided": len(choices),
        "members": relationship.members.filter(is_active=True).count(),
        "relationship_status": relationship.status,
    }


def _facilitation(meeting: Meeting) -> dict[str, Any] | None:
    if not selectors.has_facilitator(meeting.relationship):
        return None
    view = selectors.facilitation_for(meeting=meeting)
    return {
        "facilitator_id": view.facilitator.pk if view.facilitator else None,
        "facilitator_name": view.facilitator.person.name if view.facilitator else None,
        "set_by_hand": view.set_by_hand,
        "airtime_minutes": view.airtime_minutes,
        "present": view.present,
        "focus_order": [
            {
                "member_id": line.member.pk,
                "name": line.member.person.name,
                "meetings_since_focus": line.meetings_since_focus,
                "away": line.away,
            }
            for line in view.focus
        ],
    }


# --- Relationship ------------------------------------------------------------------------------


@router.get(
    RELATIONSHIP,
    response={200: RelationshipDetailOut, **ERRORS},
    summary="A relationship: members, agreement, goals, next meeting, commitments, closing",
    description="Members get everything shared in the relationship and their own commitment "
    "statistics; the programme's managers get members, every member's commitment statuses "
    "and no agreement or goal text.",
)
def relationship_detail(request: HttpRequest, org_slug: str, relationship_id: int) -> Any:
    access = _access(request, org_slug, relationship_id)
    relationship = access.relationship
    members = selectors.members_of(relationship=relationship)
    meetings = selectors.meetings_visible(access=access)
    upcoming = selectors.next_meeting(meetings)
    is_member = access.me is not None
    goals = selectors.goals_by_member(relationship=relationship) if is_member else {}
    if access.me is not None:
        history = selectors.commitment_history(member=access.me)
        stats = [_stats(access.me.pk, selectors.completion_stats([c.status for c in history]))]
    else:
        completion = selectors.completion_by_member(relationship=relationship)
        stats = [_stats(pk, s) for pk, s in completion.items()]
    return {
        "id": relationship.pk,
        "name": relationship.name,
        "chosen_name": relationship.chosen_name,
        "kind": relationship.kind,
        "status": relationship.status,
        "ended_at": relationship.ended_at,
        "programme_id": relationship.programme_id,
        "programme_name": relationship.programme.name,
        "viewer": "member" if is_member else "manager",
        "read_only": not access.can_write,
        "members": [
            {
                "id": m.pk,
                "person_id": m.person_id,
                "name": m.person.name,
                "role": m.role,
                "is_active": m.is_active,
            }
            for m in members
        ],
        "agreement": (
            _agreement(relationship, selectors.agreement_for(relationship=relationship))
            if is_member
            else None
        ),
        "goals": [
            {"member_id": g.member_id, "position": g.position, "text": g.text}
            for items in goals.values()
            for g in items
        ],
        "next_meeting_id": upcoming.pk if upcoming else None,
        "commitment_stats": stats,
        "closing": _closing(access) if is_member else None,
    }


@router.patch(
    RELATIONSHIP,
    response={200: RelationshipDetailOut, **ERRORS},
    summary="Name the relationship (its members); an empty name goes back to their names",
)
def relationship_rename_api(
    request: HttpRequest, org_slug: str, relationship_id: int, payload: RelationshipRenameIn
) -> Any:
    access = _access(request, org_slug, relationship_id)
    relationship_rename(
        relationship=access.relationship,
        member=_me(access),
        actor=request_user(request),
        name=payload.name,
    )
    return relationship_detail(request, org_slug, relationship_id)


@router.get(
    f"{RELATIONSHIP}/agreement",
    response={200: AgreementOut, **ERRORS},
    summary="The relationship's agreement (its members)",
)
def agreement_get(request: HttpRequest, org_slug: str, relationship_id: int) -> Any:
    access = _access(request, org_slug, relationship_id)
    _me(access)
    relationship = access.relationship
    return _agreement(relationship, selectors.agreement_for(relationship=relationship))


@router.put(
    f"{RELATIONSHIP}/agreement",
    response={200: AgreementOut, **ERRORS},
    summary="Confirm the rhythm, set circle goals and facilitation (its members)",
    description="Fields left out stay as they are. facilitation: rotating or fixed (circles); "
    "fixed needs fixed_facilitator_id, a member id from the relationship.",
)
def agreement_put(
    request: HttpRequest, org_slug: str, relationship_id: int, payload: AgreementIn
) -> Any:
    access = _access(request, org_slug, relationship_id)
    me = _me(access)
    fixed = (
        _member_in(access, payload.fixed_facilitator_id)
        if payload.fixed_facilitator_id is not None
        else None
    )
    agreement = services.agreement_update(
        member=me,
        actor=request_user(request),
        rhythm_confirmed=payload.rhythm_confirmed,
        rhythm_note=payload.rhythm_note,
        shared_goals=payload.shared_goals,
        facilitation=payload.facilitation,
        fixed_facilitator=fixed,
    )
    return _agreement(access.relationship, agreement)


@router.get(
    f"{RELATIONSHIP}/goals",
    response={200: GoalsOut, **ERRORS},
    summary="Everyone's development goals, and suggestions from my intake (its members)",
)
def goals_get(request: HttpRequest, org_slug: str, relationship_id: int) -> Any:
    access = _access(request, org_slug, relationship_id)
    me = _me(access)
    goals = selectors.goals_by_member(relationship=access.relationship)
    return {
        "goals": [
            {"member_id": g.member_id, "position": g.position, "text": g.text}
            for items in goals.values()
            for g in items
        ],
        "suggestions": selectors.goal_suggestions(member=me),
    }


@router.put(
    f"{RELATIONSHIP}/goals",
    response={200: GoalsOut, **ERRORS},
    summary="Set my one to three development goals for this relationship",
)
def goals_put(request: HttpRequest, org_slug: str, relationship_id: int, payload: GoalsIn) -> Any:
    access = _access(request, org_slug, relationship_id)
    me = _me(access)
    services.goals_set(member=me, goals=payload.goals, actor=request_user(request))
    return goals_get(request, org_slug, relationship_id)


@router.get(
    f"{RELATIONSHIP}/meetings",
    response={200: list[MeetingSummaryOut], **ERRORS},
    summary="The relationship's meetings, oldest first, with how many notes each has",
)
@paginate(Pagination)
def meetings_list(request: HttpRequest, org_slug: str, relationship_id: int) -> Any:
    access = _access(request, org_slug, relationship_id)
    meetings = selectors.meetings_visible(access=access)
    activity = selectors.note_activity(meetings=meetings)
    return [_summary(m, activity[m.pk]) for m in meetings]


@router.get(
    f"{RELATIONSHIP}/commitments",
    response={200: CommitmentHistoryOut, **ERRORS},
    summary="My commitments in this relationship, newest first, and my completion rate",
    description="The rate counts reviewed commitments: done fully, partly half.",
)
def commitments_mine(request: HttpRequest, org_slug: str, relationship_id: int) -> Any:
    access = _access(request, org_slug, relationship_id)
    me = _me(access)
    history = selectors.commitment_history(member=me)
    return {
        "commitments": [_commitment(c, private=False) for c in history],
        "stats": _stats(me.pk, selectors.completion_stats([c.status for c in history])),
    }


@router.get(
    f"{RELATIONSHIP}/closing",
    response={200: ClosingStateOut, **ERRORS},
    summary="The open continue-or-close decision and my choice (its members)",
)
def closing_get(request: HttpRequest, org_slug: str, relationship_id: int) -> Any:
    access = _access(request, org_slug, relationship_id)
    _me(access)
    return _closing(access)


@router.post(
    f"{RELATIONSHIP}/closing",
    response={200: ClosingStateOut, **ERRORS},
    summary="Choose to continue or close, with a short reflection",
    description="Open at the programme's checkpoint and from two weeks before its end. When "
    "every active member has chosen, fewer than two continuing ends the relationship.",
)
def closing_post(
    request: HttpRequest, org_slug: str, relationship_id: int, payload: ClosingIn
) -> Any:
    access = _access(request, org_slug, relationship_id)
    me = _me(access)
    services.closing_choice_make(
        member=me,
        choice=payload.choice,
        reflection=payload.reflection,
        actor=request_user(request),
    )
    access.relationship.refresh_from_db()
    return _closing(access)


# --- Meetings ---------------------------------------------------------------------------------


@router.get(
    MEETING,
    response={200: MeetingDetailOut, **ERRORS},
    summary="One meeting with its guide, check-in, commitments, notes and facilitation",
    description="Managers get attendance, note counts and commitment statuses; notes and "
    "commitment text are for the relationship's members only.",
)
def meeting_detail(request: HttpRequest, org_slug: str, meeting_id: int) -> Any:
    meeting, access = _meeting(request, org_slug, meeting_id)
    private = access.me is None
    activity = selectors.note_activity(meetings=[meeting])[meeting.pk]
    return {
        **_summary(meeting, activity),
        "relationship_id": meeting.relationship_id,
        "guide": _guide(
            selectors.guide_for_meeting(
                programme=access.relationship.programme, number=meeting.number
            )
        ),
        "attendance": [
            {"member_id": a.member_id, "status": a.status, "had_focus": a.had_focus}
            for a in selectors.attendance_of(meeting=meeting).values()
        ],
        "check_in": [_commitment(c, private) for c in selectors.check_in_for(meeting=meeting)],
        "commitments_made": [
            _commitment(c, private) for c in selectors.commitments_made_at(meeting=meeting)
        ],
        "my_notes_and_shared": (
            None
            if private
            else [_note(n) for n in selectors.notes_visible(access=access, meeting=meeting)]
        ),
        "facilitation": _facilitation(meeting),
    }


@router.get(
    f"{MEETING}/notes",
    response={200: list[MeetingNoteOut], **ERRORS},
    summary="The meeting's shared notes and my private ones (members only)",
)
@paginate(Pagination)
def notes_list(request: HttpRequest, org_slug: str, meeting_id: int) -> Any:
    meeting, access = _meeting(request, org_slug, meeting_id)
    _me(access)
    return Mapped(selectors.notes_visible(access=access, meeting=meeting), _note)


@router.post(
    f"{MEETING}/notes",
    response={201: MeetingNoteOut, **ERRORS},
    summary="Add a note: shared with the members, or private to me",
)
def note_create(
    request: HttpRequest, org_slug: str, meeting_id: int, payload: MeetingNoteIn
) -> Any:
    meeting, access = _meeting(request, org_slug, meeting_id)
    me = _me(access)
    note = services.note_create(
        meeting=meeting,
        author=me,
        visibility=payload.visibility,
        body=payload.body,
        actor=request_user(request),
    )
    return Status(201, _note(note))


def _own_note(access: RelationshipAccess, meeting: Meeting, note_id: int) -> Note:
    note = selectors.note_get_own(access=access, note_id=note_id)
    if note.meeting_id != meeting.pk:
        raise NotFound(_("No such note."))
    note.meeting = meeting
    note.author.relationship = access.relationship
    return note


@router.patch(
    f"{MEETING}/notes/{{int:note_id}}",
    response={200: MeetingNoteOut, **ERRORS},
    summary="Change one of my notes (its text or who can read it)",
)
def note_patch(
    request: HttpRequest, org_slug: str, meeting_id: int, note_id: int, payload: MeetingNotePatch
) -> Any:
    meeting, access = _meeting(request, org_slug, meeting_id)
    _me(access)
    note = _own_note(access, meeting, note_id)
    updated = services.note_update(
        note=note,
        body=payload.body if payload.body is not None else note.body,
        visibility=payload.visibility or note.visibility,
        actor=request_user(request),
    )
    return _note(updated)


@router.delete(
    f"{MEETING}/notes/{{int:note_id}}",
    response={204: None, **ERRORS},
    summary="Delete one of my notes",
)
def note_remove(request: HttpRequest, org_slug: str, meeting_id: int, note_id: int) -> Any:
    meeting, access = _meeting(request, org_slug, meeting_id)
    _me(access)
    note = _own_note(access, meeting, note_id)
    services.note_delete(note=note, actor=request_user(request))
    return Status(204, None)


@router.post(
    f"{MEETING}/commitment",
    response={200: CommitmentOut, **ERRORS},
    summary="Commit to one specific action before the next meeting (or reword it)",
)
def commitment_make(
    request: HttpRequest, org_slug: str, meeting_id: int, payload: CommitmentIn
) -> Any:
    meeting, access = _meeting(request, org_slug, meeting_id)
    me = _me(access)
    made = services.commitment_make(
        meeting=meeting,
        member=me,
        text=payload.text,
        due_date=payload.due_date,
        actor=request_user(request),
    )
    made.made_at = meeting
    return _commitment(made, private=False)


@router.post(
    f"{MEETING}/check-ins",
    response={200: CommitmentOut, **ERRORS},
    summary="Check in on one of my earlier commitments: done, partly, not_yet or dropped",
)
def commitment_check_in(
    request: HttpRequest, org_slug: str, meeting_id: int, payload: CheckInIn
) -> Any:
    meeting, access = _meeting(request, org_slug, meeting_id)
    me = _me(access)
    commitment = Commitment.objects.filter(
        pk=payload.commitment_id, relationship=access.relationship
    ).first()
    if commitment is None:
        raise NotFound(_("No such commitment in this relationship."))
    reviewed = services.commitment_check_in(
        commitment=commitment,
        meeting=meeting,
        member=me,
        status=payload.status,
        note=payload.note,
        actor=request_user(request),
    )
    return _commitment(reviewed, private=False)


@router.get(
    f"{MEETING}/facilitation",
    response={200: FacilitationOut, **ERRORS},
    summary="Circles: who facilitates, an equal share of airtime, who waited longest for focus",
)
def facilitation_get(request: HttpRequest, org_slug: str, meeting_id: int) -> Any:
    meeting, _viewer = _meeting(request, org_slug, meeting_id)
    result = _facilitation(meeting)
    if result is None:
        raise NotFound(_("Only circles have a facilitator."))
    return result


@router.put(
    f"{MEETING}/facilitator",
    response={200: FacilitationOut, **ERRORS},
    summary="Circles: set who facilitates this meeting (null: follow the agreement's rule)",
)
def facilitator_put(
    request: HttpRequest, org_slug: str, meeting_id: int, payload: FacilitatorIn
) -> Any:
    meeting, access = _meeting(request, org_slug, meeting_id)
    me = _me(access)
    chosen = _member_in(access, payload.member_id) if payload.member_id is not None else None
    services.meeting_facilitator_set(
        meeting=meeting, member=me, facilitator=chosen, actor=request_user(request)
    )
    return _facilitation(meeting)


@router.post(
    f"{MEETING}/focus",
    response={200: FacilitationOut, **ERRORS},
    summary="Circles: record that a member had the circle's focus at this meeting",
)
def focus_post(request: HttpRequest, org_slug: str, meeting_id: int, payload: FocusIn) -> Any:
    meeting, access = _meeting(request, org_slug, meeting_id)
    me = _me(access)
    subject = _member_in(access, payload.member_id)
    services.attendance_focus_set(
        meeting=meeting,
        member=me,
        subject=subject,
        had_focus=payload.had_focus,
        actor=request_user(request),
    )
    result = _facilitation(meeting)
    if result is None:
        raise NotFound(_("Only circles have a facilitator."))
    return result


# --- Session guides ---------------------------------------------------------------------------


@router.get(
    f"{PROGRAMME}/session-guides",
    response={200: list[SessionGuideOut], **ERRORS},
    summary="The programme's guides for meetings 1–4 (4 serves later meetings too)",
)
@paginate(Pagination)
def guides_list(request: HttpRequest, org_slug: str, programme_id: int) -> Any:
    membership = membership_for(request, org_slug)
    programme = programme_get(membership=membership, programme_id=programme_id)
    return [_guide(g) for g in selectors.guides_for(programme=programme)]


@router.put(
    f"{PROGRAMME}/session-guides",
    response={200: list[SessionGuideOut], **ERRORS},
    summary="Edit the programme's session guides (its managers)",
    description="Send the guides to change; a guide identical to the format's default is "
    "not stored. body: one prompt per line.",
)
def guides_put(
    request: HttpRequest, org_slug: str, programme_id: int, payload: list[SessionGuideIn]
) -> Any:
    membership = membership_for(request, org_slug)
    programme = programme_get_managed(membership=membership, programme_id=programme_id)
    services.session_guides_save(
        programme=programme,
        actor=request_user(request),
        guides={g.meeting_number: (g.title, g.body) for g in payload},
        translations={
            g.meeting_number: g.translations for g in payload if g.translations is not None
        },
    )
    return [_guide(g) for g in selectors.guides_for(programme=programme)]


@router.post(
    f"{PROGRAMME}/session-guides/reset",
    response={200: list[SessionGuideOut], **ERRORS},
    summary="Back to the default guide for one meeting, or all (its managers)",
)
def guides_reset(
    request: HttpRequest, org_slug: str, programme_id: int, payload: GuideResetIn
) -> Any:
    membership = membership_for(request, org_slug)
    programme = programme_get_managed(membership=membership, programme_id=programme_id)
    services.session_guides_reset(
        programme=programme, actor=request_user(request), number=payload.meeting_number
    )
    return [_guide(g) for g in selectors.guides_for(programme=programme)]
