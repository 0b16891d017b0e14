"""Writes for relationships in motion: guides, agreement, goals, notes, commitments,
facilitation and the end point. Every write runs in a transaction and is audited
without its private content.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from alongside.accounts.models import User
from alongside.audit.services import log_action
from alongside.core.errors import AlongsideError, Forbidden, NotFound, Problem
from alongside.core.events import emit
from alongside.core.translations import clean_translations
from alongside.meetings.events import ClosingChoicesSettled, CommitmentChecked, CommitmentMade
from alongside.meetings.guides import (
    GUIDED_MEETINGS,
    default_guide,
    default_guide_in,
    default_guide_translations,
)
from alongside.meetings.models import (
    Agreement,
    Attendance,
    ClosingChoice,
    Commitment,
    DevelopmentGoal,
    Meeting,
    Note,
    SessionGuide,
)
from alongside.meetings.selectors import MAX_GOALS, closing_point, has_facilitator
from alongside.programmes.models import Programme, Stage
from alongside.relationships.events import RelationshipEnded
from alongside.relationships.models import Relationship, RelationshipMember

NOTE_MAX_CHARS = 20_000
REVIEW_STATUSES = (
    Commitment.Status.DONE,
    Commitment.Status.PARTLY,
    Commitment.Status.NOT_YET,
    Commitment.Status.DROPPED,
)


def _require_writable(member: RelationshipMember) -> None:
    if member.relationship.status == Relationship.Status.ENDED:
        raise AlongsideError(
            gettext("This relationship has ended; it can be read but no longer changed."),
            code="relationship_ended",
        )
    if not member.is_active:
        raise AlongsideError(gettext("You have left this relationship."), code="member_left")


def _require_meeting_of(meeting: Meeting, member: RelationshipMember) -> None:
    if meeting.relationship_id != member.relationship_id:
        raise NotFound(gettext("No such meeting in this relationship."))


# --- Session guides ------------------------------------------------------------------------


def _require_open_programme(programme: Programme) -> None:
    if programme.stage == Stage.CLOSED:
        raise AlongsideError(
            gettext("A closed programme cannot be changed."), code="programme_closed"
        )


GUIDE_TEXT_LIMITS = {"title": 200, "body": 5000}


def _guide_number_problem(number: int) -> Problem:
    return Problem(
        gettext("must be 1 to %(guided_meetings)s.") % {"guided_meetings": GUIDED_MEETINGS},
        f"guide_{number}",
    )


def _clean_guide_translations(
    translations: Mapping[int, Any], problems: list[Problem]
) -> dict[int, tuple[Any, dict[str, dict[str, Any]]]]:
    """Each guide's translations checked; a fault is named by meeting, language and field."""
    cleaned = {}
    for number, raw in sorted(translations.items()):
        if not 1 <= number <= GUIDED_MEETINGS:
            problems.append(_guide_number_problem(number))
            continue
        written, faults = clean_translations(raw, text_fields=GUIDE_TEXT_LIMITS)
        problems.extend(
            Problem(p.message, f"guide_{number}.{p.field}" if p.field else None) for p in faults
        )
        cleaned[number] = (raw, written)
    return cleaned


def _translate_guide(
    programme: Programme, number: int, written: tuple[Any, dict[str, dict[str, Any]]]
) -> bool:
    """Store one guide's translations; a default guide becomes the programme's own, keeping
    the default's other languages, only when what is written differs from the default."""
    raw, cleaned = written
    source_language = programme.source_language
    row = SessionGuide.objects.filter(programme=programme, meeting_number=number).first()
    before = (
        dict(row.translations)
        if row is not None
        else default_guide_translations(programme.format, number, source_language)
    )
    after = {code: dict(fields) for code, fields in before.items()}
    for code in raw or {}:
        if code in cleaned:
            after[code] = cleaned[code]
        else:
            after.pop(code, None)
    if after == before:
        return False
    if row is None:
        title, body = default_guide_in(programme.format, number, source_language)
        SessionGuide.objects.create(
            programme=programme, meeting_number=number, title=title, body=body, translations=after
        )
    else:
        row.translations, row.updated_at = after, timezone.now()
        row.save(update_fields=["translations", "updated_at"])
    return True


@transaction.atomic
def session_guides_save(
    *,
    programme: Programme,
    actor: User,
    guides: Mapping[int, tuple[str, str]],
    translations: Mapping[int, Any] | None = None,
) -> list[int]:
    """Save the programme's own guides for meetings 1…4; returns the numbers changed.

    ``guides`` are the texts as first written; ``translations`` per meeting number are
    ``{language: {"title": …, "body": …}}`` (a language sent empty or null is removed).
    A guide left exactly as the default is not stored, so later improvements to the
    defaults still reach it.
    """
    _require_open_programme(programme)
    problems: list[Problem] = []
    cleaned: dict[int, tuple[str, str]] = {}
    for number, (title, body) in sorted(guides.items()):
        if not 1 <= number <= GUIDED_MEETINGS:
            problems.append(_guide_number_problem(number))
            continue
        title = title.strip()
        body = "\n".join(line.rstrip() for line in body.strip().splitlines())
        if not title:
            problems.append(Problem(gettext("needs a title."), f"title_{number}"))
        elif len(title) > 200:
            problems.append(Problem(gettext("is longer than 200 characters."), f"title_{number}"))
        if not body.strip():
            problems.append(Problem(gettext("needs at least one prompt."), f"body_{number}"))
        elif len(body) > 5000:
            problems.append(Problem(gettext("is longer than 5,000 characters."), f"body_{number}"))
        cleaned[number] = (title, body)
    cleaned_translations = _clean_guide_translations(translations or {}, problems)
    if problems:
        raise AlongsideError(gettext("The guides could not be saved."), problems=problems)
    existing = {g.meeting_number: g for g in SessionGuide.objects.filter(programme=programme)}
    changed: list[int] = []
    for number, (title, body) in cleaned.items():
        row = existing.get(number)
        default = default_guide(programme.format, number)
        if row is None:
            if (title, body) == (default.title, default.body):
                continue
            SessionGuide.objects.create(
                programme=programme, meeting_number=number, title=title, body=body
            )
            changed.append(number)
        elif (row.title, row.body) != (title, body):
            row.title, row.body, row.updated_at = title, body, timezone.now()
            row.save(update_fields=["title", "body", "updated_at"])
            changed.append(number)
    for number, written in cleaned_translations.items():
        if _translate_guide(programme, number, written):
            changed.append(number)
    changed = sorted(set(changed))
    if changed:
        log_action(
            actor=actor,
            organisation=programme.organisation,
            action="session_guides.updated",
            target=programme,
            data={"meetings": changed},
        )
    return changed


@transaction.atomic
def session_guides_translate(
    *, programme: Programme, actor: User, language: str, guides: Mapping[int, tuple[str, str]]
) -> list[int]:
    """The guides written in ``language`` (the guide editor's language picker). The
    programme's source language is the text as first written; in another, an empty title
    or body is not written there and falls back."""
    if language == programme.source_language:
        return session_guides_save(programme=programme, actor=actor, guides=guides)
    return session_guides_save(
        programme=programme,
        actor=actor,
        guides={},
        translations={
            number: {language: {"title": title, "body": body}}
            for number, (title, body) in guides.items()
        },
    )


@transaction.atomic
def session_guides_reset(*, programme: Programme, actor: User, number: int | None = None) -> int:
    """Go back to the format's default guide for one meeting, or for all four."""
    _require_open_programme(programme)
    rows = SessionGuide.objects.filter(programme=programme)
    if number is not None:
        if not 1 <= number <= GUIDED_MEETINGS:
            raise AlongsideError(
                gettext("Meeting number must be 1 to %(guided_meetings)s.")
                % {"guided_meetings": GUIDED_MEETINGS}
            )
        rows = rows.filter(meeting_number=number)
    deleted, _ = rows.delete()
    if deleted:
        log_action(
            actor=actor,
            organisation=programme.organisation,
            action="session_guides.reset",
            target=programme,
            data={"meetings": [number] if number else "all"},
        )
    return deleted


# --- Agreement and goals --------------------------------------------------------------------


@transaction.atomic
def agreement_rhythm_agreed(*, relationship: Relationship, at: datetime) -> None:
    """Everyone accepted the regular meeting time: the agreement's rhythm is agreed too,
    so the relationship page never says "not confirmed" above a confirmed time."""
    agreement, _ = Agreement.objects.select_for_update().get_or_create(relationship=relationship)
    if not agreement.rhythm_confirmed:
        agreement.rhythm_confirmed = True
        agreement.confirmed_at = at
        agreement.updated_at = at
        agreement.save(update_fields=["rhythm_confirmed", "confirmed_at", "updated_at"])


@transaction.atomic
def agreement_update(
    *,
    member: RelationshipMember,
    actor: User,
    rhythm_confirmed: bool | None = None,
    rhythm_note: str | None = None,
    shared_goals: Sequence[str] | None = None,
    facilitation: str | None = None,
    fixed_facilitator: RelationshipMember | None = None,
) -> Agreement:
    """A member changes the relationship's agreement; what is not given stays as it was."""
    _require_writable(member)
    relationship = member.relationship
    agreement, _ = Agreement.objects.select_for_update().get_or_create(relationship=relationship)
    problems: list[Problem] = []
    changed: list[str] = []
    if rhythm_note is not None:
        rhythm_note = rhythm_note.strip()
        if len(rhythm_note) > 300:
            problems.append(Problem(gettext("is longer than 300 characters."), "rhythm_note"))
        elif rhythm_note != agreement.rhythm_note:
            agreement.rhythm_note = rhythm_note
            changed.append("rhythm_note")
    if rhythm_confirmed is not None and rhythm_confirmed != agreement.rhythm_confirmed:
        agreement.rhythm_confirmed = rhythm_confirmed
        agreement.confirmed_at = timezone.now() if rhythm_confirmed else None
        changed.append("rhythm_confirmed")
    if shared_goals is not None:
        goals = list(dict.fromkeys(g.strip() for g in shared_goals if g.strip()))
        if len(goals) > 8:
            problems.append(
                Problem(
                    gettext("has %(goals)s goals; keep it to 8.") % {"goals": len(goals)},
                    "shared_goals",
                )
            )
        elif any(len(g) > 300 for g in goals):
            problems.append(
                Problem(gettext("each goal must be 300 characters or fewer."), "shared_goals")
            )
        elif "\n".join(goals) != agreement.shared_goals:
            agreement.shared_goals = "\n".join(goals)
            changed.append("shared_goals")
    if facilitation is not None:
        if facilitation not in Agreement.Facilitation.values:
            problems.append(Problem(gettext("must be 'rotating' or 'fixed'."), "facilitation"))
        elif not has_facilitator(relationship) and facilitation == Agreement.Facilitation.FIXED:
            problems.append(Problem(gettext("only circles have a facilitator."), "facilitation"))
        else:
            if facilitation == Agreement.Facilitation.FIXED:
                chosen = fixed_facilitator or agreement.fixed_facilitator
                if chosen is None:
                    problems.append(
                        Problem(gettext("choose who facilitates."), "fixed_facilitator")
                    )
                elif chosen.relationship_id != relationship.pk or not chosen.is_active:
                    problems.append(
                        Problem(
                            gettext("must be an active member of this circle."), "fixed_facilitator"
                        )
                    )
                elif chosen.pk != agreement.fixed_facilitator_id:
                    agreement.fixed_facilitator = chosen
                    changed.append("fixed_facilitator")
            elif agreement.fixed_facilitator_id is not None:
                agreement.fixed_facilitator = None
                changed.append("fixed_facilitator")
            if facilitation != agreement.facilitation:
                agreement.facilitation = facilitation
                changed.append("facilitation")
    if problems:
        raise AlongsideError(gettext("The agreement could not be saved."), problems=problems)
    if changed:
        agreement.updated_at = timezone.now()
        agreement.save()
        log_action(
            actor=actor,
            organisation=relationship.organisation,
            action="agreement.updated",
            target=relationship,
            data={"fields": changed},
        )
    return agreement


@transaction.atomic
def goals_set(
    *, member: RelationshipMember, goals: Sequence[str], actor: User
) -> list[DevelopmentGoal]:
    """Replace a member's development goals for this relationship: one to three."""
    _require_writable(member)
    cleaned = list(dict.fromkeys(g.strip() for g in goals if g and g.strip()))
    problems = [
        Problem(gettext("is longer than 300 characters."), f"goals.{i}")
        for i, goal in enumerate(cleaned)
        if len(goal) > 300
    ]
    if not cleaned:
        problems.append(Problem(gettext("pick or write at least one goal."), "goals"))
    elif len(cleaned) > MAX_GOALS:
        problems.append(
            Problem(
                gettext("has %(cleaned)s goals; choose at most %(max_goals)s.")
                % {"cleaned": len(cleaned), "max_goals": MAX_GOALS},
                "goals",
            )
        )
    if problems:
        raise AlongsideError(gettext("Your goals could not be saved."), problems=problems)
    DevelopmentGoal.objects.filter(member=member).delete()
    created = [
        DevelopmentGoal.objects.create(
            relationship=member.relationship, member=member, text=text, position=position
        )
        for position, text in enumerate(cleaned, start=1)
    ]
    log_action(
        actor=actor,
        organisation=member.relationship.organisation,
        action="goals.set",
        target=member.relationship,
        data={"count": len(created)},
    )
    return created


# --- Notes -------------------------------------------------------------------------------


def _clean_note(body: str, visibility: str) -> str:
    body = body.strip()
    problems = []
    if not body:
        problems.append(Problem(gettext("is empty; write something first."), "body"))
    elif len(body) > NOTE_MAX_CHARS:
        problems.append(Problem(f"is longer than {NOTE_MAX_CHARS:,} characters.", "body"))
    if visibility not in Note.Visibility.values:
        problems.append(Problem(gettext("must be 'shared' or 'private'."), "visibility"))
    if problems:
        raise AlongsideError(gettext("The note could not be saved."), problems=problems)
    return body


@transaction.atomic
def note_create(
    *, meeting: Meeting, author: RelationshipMember, visibility: str, body: str, actor: User
) -> Note:
    _require_writable(author)
    _require_meeting_of(meeting, author)
    body = _clean_note(body, visibility)
    note = Note.objects.create(meeting=meeting, author=author, visibility=visibility, body=body)
    log_action(
        actor=actor,
        organisation=meeting.relationship.organisation,
        action="note.shared" if visibility == Note.Visibility.SHARED else "note.added_private",
        target=meeting,
        data={"note_id": note.pk},
    )
    return note


@transaction.atomic
def note_update(*, note: Note, visibility: str, body: str, actor: User) -> Note:
    _require_writable(note.author)
    body = _clean_note(body, visibility)
    became_shared = (
        note.visibility == Note.Visibility.PRIVATE and visibility == Note.Visibility.SHARED
    )
    note.body, note.visibility, note.updated_at = body, visibility, timezone.now()
    note.save(update_fields=["body", "visibility", "updated_at"])
    log_action(
        actor=actor,
        organisation=note.meeting.relationship.organisation,
        action="note.shared" if became_shared else "note.edited",
        target=note.meeting,
        data={"note_id": note.pk, "visibility": visibility},
    )
    return note


@transaction.atomic
def note_delete(*, note: Note, actor: User) -> None:
    _require_writable(note.author)
    meeting = note.meeting
    note_id = note.pk
    note.delete()
    log_action(
        actor=actor,
        organisation=meeting.relationship.organisation,
        action="note.deleted",
        target=meeting,
        data={"note_id": note_id},
    )


# --- Commitments ----------------------------------------------------------------------------


@transaction.atomic
def commitment_make(
    *,
    meeting: Meeting,
    member: RelationshipMember,
    text: str,
    actor: User,
    due_date: date | None = None,
) -> Commitment:
    """The member's one action before the next meeting; they may reword it until reviewed."""
    _require_writable(member)
    _require_meeting_of(meeting, member)
    if meeting.status == Meeting.Status.CANCELLED:
        raise AlongsideError(gettext("This meeting was cancelled; commit at the next one."))
    text = text.strip()
    problems = []
    if not text:
        problems.append(Problem(gettext("is empty; say what you will do, specifically."), "text"))
    elif len(text) > 500:
        problems.append(Problem(gettext("is longer than 500 characters."), "text"))
    if due_date is not None and due_date < meeting.starts_at.date():
        problems.append(Problem(gettext("is before the meeting; choose a later date."), "due_date"))
    if problems:
        raise AlongsideError(gettext("Your commitment could not be saved."), problems=problems)
    existing = Commitment.objects.select_for_update().filter(made_at=meeting, member=member).first()
    if existing is not None:
        if existing.status != Commitment.Status.OPEN:
            raise AlongsideError(
                gettext("This commitment has already been checked in on and can no longer change."),
                code="already_reviewed",
            )
        existing.text, existing.due_date = text, due_date
        existing.save(update_fields=["text", "due_date"])
        commitment, action = existing, "commitment.changed"
    else:
        try:
            with transaction.atomic():
                commitment = Commitment.objects.create(
                    relationship=meeting.relationship,
                    member=member,
                    made_at=meeting,
                    text=text,
                    due_date=due_date,
                )
        except IntegrityError as error:
            raise AlongsideError(
                gettext("You already committed to an action at this meeting."),
                code="already_committed",
            ) from error
        action = "commitment.made"
    log_action(
        actor=actor,
        organisation=meeting.relationship.organisation,
        action=action,
        target=meeting,
        data={"commitment_id": commitment.pk, "has_due_date": due_date is not None},
    )
    emit(
        CommitmentMade(
            organisation_id=meeting.organisation_id,
            relationship_id=meeting.relationship_id,
            meeting_id=meeting.pk,
            commitment_id=commitment.pk,
        )
    )
    return commitment


@transaction.atomic
def commitment_check_in(
    *,
    commitment: Commitment,
    meeting: Meeting,
    member: RelationshipMember,
    status: str,
    actor: User,
    note: str = "",
) -> Commitment:
    """Review one's own commitment at a later meeting: done, partly, not yet or dropped."""
    _require_writable(member)
    _require_meeting_of(meeting, member)
    locked = Commitment.objects.select_for_update().select_related("made_at").get(pk=commitment.pk)
    if locked.member_id != member.pk:
        raise Forbidden(gettext("Only the person who made a commitment checks in on it."))
    if status not in REVIEW_STATUSES:
        raise AlongsideError(
            gettext("Choose done, partly, not yet or dropped."),
            problems=[Problem(gettext("must be done, partly, not_yet or dropped."), "status")],
        )
    if meeting.status == Meeting.Status.CANCELLED:
        raise AlongsideError(gettext("This meeting was cancelled; check in at the next one."))
    if locked.made_at.starts_at >= meeting.starts_at:
        raise AlongsideError(
            gettext("A commitment is checked in on at a later meeting than the one it was made at.")
        )
    if locked.reviewed_at_meeting_id not in (None, meeting.pk) or (
        locked.reviewed_at_meeting_id is None and locked.status != Commitment.Status.OPEN
    ):
        raise AlongsideError(
            gettext("This commitment was already checked in on at another meeting."),
            code="already_reviewed",
        )
    note = note.strip()
    if len(note) > 500:
        raise AlongsideError(
            gettext("The line on what happened is too long."),
            problems=[Problem(gettext("is longer than 500 characters."), "note")],
        )
    locked.status = status
    locked.review_note = note
    locked.reviewed_at_meeting = meeting
    locked.reviewed_at = timezone.now()
    locked.save(update_fields=["status", "review_note", "reviewed_at_meeting", "reviewed_at"])
    log_action(
        actor=actor,
        organisation=meeting.relationship.organisation,
        action="commitment.checked_in",
        target=meeting,
        data={"commitment_id": locked.pk, "status": status},
    )
    emit(
        CommitmentChecked(
            organisation_id=meeting.organisation_id,
            relationship_id=meeting.relationship_id,
            meeting_id=meeting.pk,
            commitment_id=locked.pk,
            status=status,
        )
    )
    return locked


# --- Facilitation ---------------------------------------------------------------------------


@transaction.atomic
def meeting_facilitator_set(
    *,
    meeting: Meeting,
    member: RelationshipMember,
    facilitator: RelationshipMember | None,
    actor: User,
) -> Meeting:
    """A circle member sets who facilitates a meeting (None: back to the agreement's rule)."""
    _require_writable(member)
    _require_meeting_of(meeting, member)
    if not has_facilitator(meeting.relationship):
        raise AlongsideError(gettext("Only circles have a facilitator."))
    if facilitator is not None and (
        facilitator.relationship_id != meeting.relationship_id or not facilitator.is_active
    ):
        raise AlongsideError(
            gettext("The facilitator must be an active member of this circle."),
            problems=[Problem(gettext("is not an active member of this circle."), "member_id")],
        )
    meeting.facilitator = facilitator
    meeting.updated_at = timezone.now()
    meeting.save(update_fields=["facilitator", "updated_at"])
    log_action(
        actor=actor,
        organisation=meeting.relationship.organisation,
        action="meeting.facilitator_set",
        target=meeting,
        data={"member_id": facilitator.pk if facilitator else None},
    )
    return meeting


@transaction.atomic
def attendance_focus_set(
    *,
    meeting: Meeting,
    member: RelationshipMember,
    subject: RelationshipMember,
    had_focus: bool,
    actor: User,
) -> Attendance:
    """The facilitator records who had the circle's focus at a meeting."""
    _require_writable(member)
    _require_meeting_of(meeting, member)
    if subject.relationship_id != meeting.relationship_id:
        raise AlongsideError(
            gettext("That person is not in this circle."),
            problems=[Problem(gettext("is not in this circle."), "member_id")],
        )
    attendance, _ = Attendance.objects.select_for_update().get_or_create(
        meeting=meeting, member=subject
    )
    if attendance.had_focus != had_focus:
        attendance.had_focus = had_focus
        attendance.save(update_fields=["had_focus"])
        log_action(
            actor=actor,
            organisation=meeting.relationship.organisation,
            action="attendance.focus_set",
            target=meeting,
            data={"member_id": subject.pk, "had_focus": had_focus},
        )
    return attendance


# --- The end point ---------------------------------------------------------------------------


def _end(relationship: Relationship, actor: User | None, reason: str) -> None:
    relationship.status = Relationship.Status.ENDED
    relationship.ended_at = timezone.now()
    relationship.save(update_fields=["status", "ended_at"])
    log_action(
        actor=actor,
        organisation=relationship.organisation,
        action="relationship.ended",
        target=relationship,
        data={"reason": reason},
    )
    emit(
        RelationshipEnded(
            organisation_id=relationship.organisation_id,
            relationship_id=relationship.pk,
            reason=reason,
        )
    )


@transaction.atomic
def closing_choice_make(
    *,
    member: RelationshipMember,
    choice: str,
    actor: User,
    reflection: str = "",
    today: date | None = None,
) -> ClosingChoice:
    """Continue or close at the checkpoint or the end; decided once everyone has chosen.

    With every active member's choice in: fewer than two continuing ends the
    relationship; otherwise those who chose to close leave and the rest carry on.
    """
    _require_writable(member)
    relationship = Relationship.objects.select_for_update().get(pk=member.relationship_id)
    point = closing_point(programme=relationship.programme, today=today)
    if point is None:
        raise AlongsideError(
            gettext(
                "There is nothing to decide yet: the choice opens at the programme's "
                "checkpoint or two weeks before its end."
            ),
            code="not_open",
        )
    if choice not in ClosingChoice.Choice.values:
        raise AlongsideError(
            gettext("Choose to continue or to close."),
            problems=[Problem(gettext("must be 'continue' or 'close'."), "choice")],
        )
    reflection = reflection.strip()
    if len(reflection) > 2000:
        raise AlongsideError(
            gettext("The reflection is too long."),
            problems=[Problem(gettext("is longer than 2,000 characters."), "reflection")],
        )
    made, _ = ClosingChoice.objects.update_or_create(
        relationship=relationship,
        member=member,
        point=point,
        defaults={"choice": choice, "reflection": reflection, "decided_at": timezone.now()},
    )
    log_action(
        actor=actor,
        organisation=relationship.organisation,
        action="closing.chosen",
        target=relationship,
        data={"point": point, "choice": choice},
    )
    _settle(relationship, point, actor)
    return made


def _settle(relationship: Relationship, point: str, actor: User | None) -> None:
    active = list(relationship.members.filter(is_active=True))
    choices = {
        c.member_id: c.choice
        for c in ClosingChoice.objects.filter(relationship=relationship, point=point)
    }
    if any(m.pk not in choices for m in active):
        return
    emit(
        ClosingChoicesSettled(
            organisation_id=relationship.organisation_id,
            relationship_id=relationship.pk,
            point=point,
        )
    )
    continuing = [m for m in active if choices[m.pk] == ClosingChoice.Choice.CONTINUE]
    if len(continuing) < 2:
        _end(relationship, actor, f"fewer than two members chose to continue at the {point}")
        return
    now = timezone.now()
    for leaving in (m for m in active if choices[m.pk] == ClosingChoice.Choice.CLOSE):
        leaving.is_active = False
        leaving.left_at = now
        leaving.save(update_fields=["is_active", "left_at"])
        log_action(
            actor=actor,
            organisation=relationship.organisation,
            action="relationship.member_closed",
            target=relationship,
            data={"member_id": leaving.pk, "point": point},
        )


@transaction.atomic
def relationships_close_for_programme(*, programme: Programme, actor: User | None) -> int:
    """End the programme's relationships, except where two or more chose to continue.

    Call it when a programme closes. Returns how many relationships ended.
    """
    ended = 0
    relationships = Relationship.objects.select_for_update().filter(programme=programme)
    for relationship in relationships.exclude(status=Relationship.Status.ENDED):
        active = set(relationship.members.filter(is_active=True).values_list("pk", flat=True))
        continuing = ClosingChoice.objects.filter(
            relationship=relationship,
            point=ClosingChoice.Point.END,
            choice=ClosingChoice.Choice.CONTINUE,
            member_id__in=active,
        ).count()
        if continuing >= 2:
            continue
        _end(relationship, actor, "the programme closed")
        ended += 1
    return ended
