"""Writes for participant choice: settings, bookmarks, requests and their answers.

A request becomes a relationship through the same service the publishing of a match run
uses (``relationship_create_chosen``), under row locks on both enrolments: a mentor's
last place goes to one mentee, and the other hears politely that it has gone.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.core.mail import EmailMessage
from django.db import IntegrityError, OperationalError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from alongside.accounts.models import User
from alongside.accounts.sign_in_links import email_link
from alongside.audit.services import log_action
from alongside.core.errors import AlongsideError, Problem
from alongside.core.formatting import lazy_interpolate
from alongside.core.languages import in_language, recipient_language
from alongside.matches.cohort import build_cohort
from alongside.matches.services import (
    ChosenMember,
    mentor_places_taken_locked,
    relationship_create_chosen,
)
from alongside.matches.services.running import group_reasons, group_scores
from alongside.matching import Scorer, explain_pair
from alongside.outbox.services import email_enqueue
from alongside.programmes.models import Enrolment, EnrolmentStatus, Format, Programme, Stage
from alongside.relationships.models import Relationship, RelationshipMember
from alongside.selfmatch.models import (
    SELF_MATCH_MODES,
    Bookmark,
    ChoiceMode,
    ChoiceSettings,
    MatchRequest,
)
from alongside.selfmatch.selectors import choice_settings

MESSAGE_MAX = 500
CHOOSING_STAGES = (Stage.MATCHING, Stage.RUNNING)


def _fail(message: str, code: str = "invalid", field: str | None = None) -> None:
    raise AlongsideError(message, code=code, problems=[Problem(message, field)] if field else [])


@transaction.atomic
def choice_settings_update(
    *,
    programme: Programme,
    actor: User,
    mode: str,
    response_days: int = 3,
    suggestions: int = 5,
) -> ChoiceSettings:
    if mode not in ChoiceMode.values:
        _fail(
            gettext("'%(mode)s' is not a way of matching; choose one of: %(modes)s.")
            % {"mode": mode, "modes": ", ".join(ChoiceMode.values)},
            field="mode",
        )
    if programme.stage == Stage.CLOSED:
        _fail(gettext("A closed programme cannot be changed."), code="closed")
    if mode != ChoiceMode.CENTRAL and programme.format in (
        Format.PEER_CIRCLES,
        Format.FLASH_ROUNDS,
    ):
        _fail(
            gettext(
                "%(format)s are formed by the engine; participants choose in pairs and "
                "mentoring programmes only."
            )
            % {"format": programme.get_format_display()},
            field="mode",
        )
    if mode == ChoiceMode.ONE_SIDED and not programme.is_mentoring:
        _fail(
            gettext(
                "Choosing without approval is for mentees choosing a mentor; between peers "
                "the other person accepts or declines (two-sided)."
            ),
            field="mode",
        )
    if not isinstance(response_days, int) or not 1 <= response_days <= 30:
        _fail(gettext("must be a whole number of days from 1 to 30."), field="response_days")
    if not isinstance(suggestions, int) or not 1 <= suggestions <= 20:
        _fail(gettext("must be a whole number from 1 to 20."), field="suggestions")
    current, _created = ChoiceSettings.objects.select_for_update().get_or_create(
        programme=programme
    )
    if current.picks_open and mode != ChoiceMode.HYBRID:
        _fail(
            gettext("Picking is open; close it before changing how this programme matches."),
            code="picks_open",
        )
    current.mode = mode
    current.response_days = response_days
    current.suggestions = suggestions
    current.updated_at = timezone.now()
    current.save()
    log_action(
        actor=actor,
        organisation=programme.organisation,
        action="programme.choice_settings",
        target=programme,
        data={"mode": mode, "response_days": response_days, "suggestions": suggestions},
    )
    return current


@transaction.atomic
def bookmark_set(*, enrolment: Enrolment, target: Enrolment, on: bool) -> bool:
    if target.programme_id != enrolment.programme_id or target.pk == enrolment.pk:
        _fail(gettext("You can bookmark other people of this programme only."), code="invalid")
    if on:
        Bookmark.objects.get_or_create(enrolment=enrolment, target=target)
    else:
        Bookmark.objects.filter(enrolment=enrolment, target=target).delete()
    return on


def _check_can_choose(enrolment: Enrolment, settings_: ChoiceSettings) -> None:
    programme = enrolment.programme
    if settings_.mode not in SELF_MATCH_MODES:
        _fail(gettext("In this programme the managers match everyone."), code="not_self_match")
    if programme.stage not in CHOOSING_STAGES:
        _fail(
            gettext("Choosing opens when the programme reaches matching (it is %(stage)s).")
            % {"stage": programme.get_stage_display().lower()},
            code="wrong_stage",
        )
    if enrolment.status != EnrolmentStatus.ACTIVE:
        _fail(gettext("You have withdrawn from this programme."), code="withdrawn")
    if programme.is_mentoring and enrolment.role != "mentee":
        _fail(gettext("Mentees choose their mentor; mentors answer requests."), code="role")


def _pair_for_scoring(first: Enrolment, second: Enrolment) -> tuple[Enrolment, Enrolment]:
    """(mentee, mentor) in mentoring, else the two as given."""
    if first.role == "mentor":
        return second, first
    return first, second


def _forbidden_by(programme: Programme, a: Enrolment, b: Enrolment) -> tuple[str, ...]:
    mentee, other = _pair_for_scoring(a, b)
    cohort = build_cohort(programme, [mentee, other])
    return explain_pair(
        Scorer(cohort.candidates, cohort.rules), 0, 1, mentoring=programme.is_mentoring
    ).forbidden_by


def _lock_pair(a: Enrolment, b: Enrolment) -> tuple[Enrolment, Enrolment]:
    """Both enrolments locked, always in id order (two requests never deadlock)."""
    locked = {
        e.pk: e
        for e in Enrolment.objects.select_for_update()
        .select_related("person", "programme__organisation")
        .filter(pk__in=[a.pk, b.pk])
        .order_by("pk")
    }
    return locked[a.pk], locked[b.pk]


def _placed(enrolment: Enrolment) -> bool:
    return RelationshipMember.objects.filter(
        enrolment=enrolment, is_active=True, relationship__status=Relationship.Status.ACTIVE
    ).exists()


def _check_free(requester: Enrolment, recipient: Enrolment) -> None:
    """The requester still needs a match and the recipient still has room (locked rows)."""
    if _placed(requester):
        _fail(gettext("You already have a match in this programme."), code="already_matched")
    if recipient.status != EnrolmentStatus.ACTIVE:
        _fail(
            gettext("%(name)s is no longer taking part.") % {"name": recipient.person.name},
            code="unavailable",
        )
    if recipient.role == "mentor":
        if mentor_places_taken_locked(recipient) >= recipient.capacity:
            _fail(
                gettext(
                    "Sorry, %(name)s's last mentoring place has just been taken. "
                    "Your bookmarks and the other suggestions are still open to you."
                )
                % {"name": recipient.person.name},
                code="capacity",
            )
    elif _placed(recipient):
        _fail(
            gettext("Sorry, %(name)s has just been matched with someone else.")
            % {"name": recipient.person.name},
            code="unavailable",
        )


def _make_relationship(
    requester: Enrolment, recipient: Enrolment, actor: User | None, how: str
) -> Relationship:
    programme = requester.programme
    mentoring = programme.is_mentoring
    ordered = [recipient, requester] if mentoring else [requester, recipient]
    cohort = build_cohort(programme, ordered)
    scorer = Scorer(cohort.candidates, cohort.rules)
    score, _per_member = group_scores(scorer, [0, 1], mentoring)
    admin, participant = group_reasons(scorer, [0, 1], mentoring)
    return relationship_create_chosen(
        programme=programme,
        members=[ChosenMember(e, e.role) for e in ordered],
        score=score if score > float("-inf") else 0.0,
        reasons_admin=admin,
        reasons_participant=participant,
        actor=actor,
        how=how,
    )


def _busy(error: OperationalError) -> AlongsideError:
    if "locked" not in str(error):
        raise error
    return AlongsideError(
        gettext("Someone else was choosing at the same moment; nothing changed. Try again."),
        code="busy",
        status=409,
    )


def match_request_send(
    *, enrolment: Enrolment, recipient: Enrolment, message: str, actor: User | None
) -> MatchRequest:
    """Ask someone to be your mentor (or partner). One-sided: the match is made at once."""
    try:
        return _send(enrolment=enrolment, recipient=recipient, message=message, actor=actor)
    except OperationalError as error:
        raise _busy(error) from error


@transaction.atomic
def _send(
    *, enrolment: Enrolment, recipient: Enrolment, message: str, actor: User | None
) -> MatchRequest:
    programme = enrolment.programme
    settings_ = choice_settings(programme)
    _check_can_choose(enrolment, settings_)
    message = (message or "").strip()
    if len(message) > MESSAGE_MAX:
        _fail(
            gettext("Keep the message to %(max)d characters; this one has %(count)d.")
            % {"max": MESSAGE_MAX, "count": len(message)},
            field="message",
        )
    if recipient.programme_id != programme.pk or recipient.pk == enrolment.pk:
        _fail(gettext("Choose someone else taking part in this programme."), field="recipient")
    if programme.is_mentoring and recipient.role != "mentor":
        _fail(gettext("Choose a mentor."), field="recipient")
    forbidden = _forbidden_by(programme, enrolment, recipient)
    if forbidden:
        _fail(
            gettext("%(name)s cannot be your match: %(why)s.")
            % {"name": recipient.person.name, "why": "; ".join(forbidden)},
            code="forbidden",
            field="recipient",
        )
    requester, recipient = _lock_pair(enrolment, recipient)
    if MatchRequest.objects.filter(
        requester=requester, recipient=recipient, status=MatchRequest.Status.DECLINED
    ).exists():
        _fail(
            gettext("%(name)s has declined your request already; choose someone else.")
            % {"name": recipient.person.name},
            code="declined",
            field="recipient",
        )
    if MatchRequest.objects.filter(
        requester=requester, status=MatchRequest.Status.PENDING
    ).exists():
        _fail(
            gettext(
                "You are already waiting for an answer to a request; withdraw it "
                "before asking someone else."
            ),
            code="already_waiting",
        )
    _check_free(requester, recipient)
    now = timezone.now()
    one_sided = settings_.mode == ChoiceMode.ONE_SIDED
    request = MatchRequest(
        programme=programme,
        requester=requester,
        recipient=recipient,
        message=message,
        status=MatchRequest.Status.ACCEPTED if one_sided else MatchRequest.Status.PENDING,
        respond_by=None if one_sided else now + timedelta(days=settings_.response_days),
        responded_at=now if one_sided else None,
    )
    try:
        with transaction.atomic():
            request.save()
    except IntegrityError as error:
        raise AlongsideError(
            gettext("You are already waiting for an answer to a request."),
            code="already_waiting",
        ) from error
    if one_sided:
        request.relationship = _make_relationship(requester, recipient, actor, "one_sided")
        request.save(update_fields=["relationship"])
        _settle_others(request, actor)
    else:
        _tell(
            recipient,
            lazy_interpolate(
                gettext_lazy("%(name)s would like you as their match in %(programme)s"),
                {"name": requester.person.name, "programme": programme.name},
            ),
            "selfmatch/email/request_received.txt",
            {"request": request},
        )
    log_action(
        actor=actor,
        organisation=programme.organisation,
        action="match_request.sent",
        target=programme,
        data={"request": request.pk, "status": request.status},
    )
    return request


def match_request_accept(*, request: MatchRequest, actor: User | None) -> MatchRequest:
    try:
        return _answer(request=request, actor=actor, accept=True, reply="")
    except OperationalError as error:
        raise _busy(error) from error


def match_request_decline(*, request: MatchRequest, actor: User | None, reply: str) -> MatchRequest:
    return _answer(request=request, actor=actor, accept=False, reply=reply)


@transaction.atomic
def _answer(*, request: MatchRequest, actor: User | None, accept: bool, reply: str) -> MatchRequest:
    reply = (reply or "").strip()
    if len(reply) > MESSAGE_MAX:
        _fail(
            gettext("Keep the reply to %(max)d characters; this one has %(count)d.")
            % {"max": MESSAGE_MAX, "count": len(reply)},
            field="reply",
        )
    requester, recipient = _lock_pair(request.requester, request.recipient)
    locked = MatchRequest.objects.select_for_update().get(pk=request.pk)
    if locked.status != MatchRequest.Status.PENDING:
        _fail(
            gettext("This request has already been answered (%(status)s).")
            % {"status": locked.get_status_display().lower()},
            code="answered",
        )
    now = timezone.now()
    if locked.respond_by is not None and locked.respond_by < now:
        _lapse(locked, now)
        _fail(gettext("The time to answer this request has passed."), code="lapsed")
    locked.responded_at = now
    locked.reply = reply
    if accept:
        programme = requester.programme
        if programme.stage not in CHOOSING_STAGES:
            _fail(gettext("The programme is no longer matching."), code="wrong_stage")
        _check_free(requester, recipient)
        locked.status = MatchRequest.Status.ACCEPTED
        locked.relationship = _make_relationship(requester, recipient, actor, "two_sided")
        locked.save()
        _settle_others(locked, actor)
    else:
        locked.status = MatchRequest.Status.DECLINED
        locked.save()
        _tell_requester_to_try_next(locked)
    log_action(
        actor=actor,
        organisation=requester.programme.organisation,
        action="match_request.accepted" if accept else "match_request.declined",
        target=requester.programme,
        data={"request": locked.pk},
    )
    return locked


@transaction.atomic
def match_request_withdraw(*, request: MatchRequest, actor: User | None) -> MatchRequest:
    locked = MatchRequest.objects.select_for_update().get(pk=request.pk)
    if locked.status != MatchRequest.Status.PENDING:
        _fail(gettext("Only a request still waiting for an answer can be withdrawn."), "answered")
    locked.status = MatchRequest.Status.WITHDRAWN
    locked.responded_at = timezone.now()
    locked.save(update_fields=["status", "responded_at"])
    log_action(
        actor=actor,
        organisation=locked.programme.organisation,
        action="match_request.withdrawn",
        target=locked.programme,
        data={"request": locked.pk},
    )
    return locked


def _settle_others(accepted: MatchRequest, actor: User | None) -> None:
    """After a match: the two people's other open requests close, and a mentor whose
    places are all taken (or a peer now matched) refuses the rest, politely."""
    now = timezone.now()
    MatchRequest.objects.filter(
        requester__in=[accepted.requester_id, accepted.recipient_id],
        status=MatchRequest.Status.PENDING,
    ).update(status=MatchRequest.Status.WITHDRAWN, responded_at=now)
    recipient = accepted.recipient
    full = recipient.role != "mentor" or mentor_places_taken_locked(recipient) >= recipient.capacity
    if full:
        for other in MatchRequest.objects.filter(
            recipient=recipient, status=MatchRequest.Status.PENDING
        ).select_related("requester__person", "recipient__person", "programme"):
            other.status = MatchRequest.Status.REFUSED
            other.responded_at = now
            other.save(update_fields=["status", "responded_at"])
            _tell_requester_to_try_next(other)


def _lapse(request: MatchRequest, now: datetime) -> None:
    request.status = MatchRequest.Status.LAPSED
    request.responded_at = now
    request.save(update_fields=["status", "responded_at"])
    _tell_requester_to_try_next(request)


def match_requests_lapse(*, now: datetime) -> int:
    """Requests unanswered by their deadline lapse; the requester hears of their next
    bookmark. Idempotent: each request lapses once, claimed under its row lock."""
    count = 0
    due = MatchRequest.objects.filter(
        status=MatchRequest.Status.PENDING, respond_by__lt=now
    ).values_list("pk", flat=True)
    for pk in list(due):
        with transaction.atomic():
            request = (
                MatchRequest.objects.select_for_update()
                .select_related("requester__person", "recipient__person", "programme")
                .filter(pk=pk, status=MatchRequest.Status.PENDING)
                .first()
            )
            if request is None:
                continue
            _lapse(request, now)
            log_action(
                actor=None,
                organisation=request.programme.organisation,
                action="match_request.lapsed",
                target=request.programme,
                data={"request": request.pk},
            )
            count += 1
    return count


def _tell_requester_to_try_next(request: MatchRequest) -> None:
    from alongside.selfmatch.selectors import next_bookmark

    requester = request.requester
    subject = lazy_interpolate(
        {
            MatchRequest.Status.DECLINED: gettext_lazy("%(name)s cannot be your match this time"),
            MatchRequest.Status.LAPSED: gettext_lazy("%(name)s did not answer in time"),
            MatchRequest.Status.REFUSED: gettext_lazy("%(name)s has no place left"),
        }[MatchRequest.Status(request.status)],
        {"name": request.recipient.person.name},
    )
    _tell(
        requester,
        subject,
        "selfmatch/email/try_next.txt",
        {"request": request, "next": next_bookmark(requester)},
    )


def _tell(enrolment: Enrolment, subject: Any, template: str, context: dict[str, object]) -> None:
    """Email ``enrolment``'s person in their own language (``subject`` is lazy)."""
    programme = enrolment.programme
    if not enrolment.person.email:
        return
    # The link signs in someone who never set a password, then opens their choices.
    link = email_link(
        email=enrolment.person.email,
        path=reverse("selfmatch:choose", args=[programme.organisation.slug, programme.pk]),
        organisation_id=programme.organisation_id,
    )
    with in_language(recipient_language(enrolment.person.user, programme.organisation)):
        body = render_to_string(
            template, {**context, "person": enrolment.person, "programme": programme, "link": link}
        )
        subject = str(subject)
    # Queued with the write, sent by the workers (retried there if the mail server is away).
    email_enqueue(
        EmailMessage(subject=subject, body=body, to=[enrolment.person.email]),
        kind="self_match",
        organisation_id=programme.organisation_id,
    )
