"""Participant choice in the API: settings, suggestions, bookmarks, requests, picks."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status

from alongside.accounts.api_auth import request_user
from alongside.core.errors import NotFound
from alongside.core.schemas import ERRORS, Schema
from alongside.organisations.api_auth import membership_for
from alongside.programmes.models import Enrolment, EnrolmentStatus, Programme
from alongside.programmes.selectors import my_enrolment, programme_get, programme_get_managed
from alongside.selfmatch import hybrid, selectors, services
from alongside.selfmatch.models import ChoiceSettings, MatchRequest

router = Router(tags=["participant choice"])

PROGRAMME = "/{org_slug}/programmes/{int:programme_id}"


class ChoiceSettingsOut(Schema):
    mode: str
    response_days: int
    suggestions: int
    picks_open: bool
    picks_close_at: datetime | None
    picks_closed_at: datetime | None


class ChoiceSettingsIn(Schema):
    mode: str
    response_days: int = 3
    suggestions: int = 5


class PickingIn(Schema):
    close_at: datetime


class PickingClosedOut(Schema):
    kept_together: int


class SuggestionOut(Schema):
    enrolment_id: int
    name: str
    role: str
    score: float
    reasons: list[str]
    profile: dict[str, str]
    bookmarked: bool
    places_left: int | None


class RequestIn(Schema):
    recipient_enrolment_id: int
    message: str = ""


class DeclineIn(Schema):
    reply: str = ""


class RequestOut(Schema):
    id: int
    requester_enrolment_id: int
    requester_name: str
    recipient_enrolment_id: int
    recipient_name: str
    message: str
    status: str
    created_at: datetime
    respond_by: datetime | None
    responded_at: datetime | None
    reply: str
    relationship_id: int | None


class PickIn(Schema):
    enrolment_id: int | None = None


class PickOut(Schema):
    chooser_enrolment_id: int
    chosen_enrolment_id: int | None


def _settings_out(settings_: ChoiceSettings) -> dict[str, Any]:
    return {name: getattr(settings_, name) for name in ChoiceSettingsOut.model_fields}


def _request_out(r: MatchRequest) -> dict[str, Any]:
    return {
        "id": r.pk,
        "requester_enrolment_id": r.requester_id,
        "requester_name": r.requester.person.name,
        "recipient_enrolment_id": r.recipient_id,
        "recipient_name": r.recipient.person.name,
        "message": r.message,
        "status": r.status,
        "created_at": r.created_at,
        "respond_by": r.respond_by,
        "responded_at": r.responded_at,
        "reply": r.reply,
        "relationship_id": r.relationship_id,
    }


def _managed(request: HttpRequest, org_slug: str, programme_id: int) -> Programme:
    membership = membership_for(request, org_slug)
    return programme_get_managed(membership=membership, programme_id=programme_id)


def _me(request: HttpRequest, org_slug: str, programme_id: int) -> tuple[Programme, Enrolment]:
    membership = membership_for(request, org_slug)
    programme = programme_get(membership=membership, programme_id=programme_id)
    me = my_enrolment(membership=membership, programme=programme)
    if me is None or me.status != EnrolmentStatus.ACTIVE:
        raise NotFound(_("You are not taking part in this programme."))
    return programme, me


def _other(programme: Programme, enrolment_id: int) -> Enrolment:
    found = (
        Enrolment.objects.select_related("person", "programme__organisation")
        .filter(programme=programme, pk=enrolment_id)
        .first()
    )
    if found is None:
        raise NotFound(_("No such participant in this programme."))
    return found


@router.get(
    f"{PROGRAMME}/choice-settings",
    response={200: ChoiceSettingsOut, **ERRORS},
    summary="How the programme matches: centrally, self-match (one- or two-sided), hybrid",
)
def get_settings(request: HttpRequest, org_slug: str, programme_id: int) -> Any:
    return _settings_out(selectors.choice_settings(_managed(request, org_slug, programme_id)))


@router.put(
    f"{PROGRAMME}/choice-settings",
    response={200: ChoiceSettingsOut, **ERRORS},
    summary="Change how the programme matches",
    description="mode: central, one_sided (mentees choose a mentor, no approval), two_sided "
    "(the other person accepts or declines within response_days) or hybrid (people pick "
    "among their best `suggestions`, the engine matches everyone else).",
)
def put_settings(
    request: HttpRequest, org_slug: str, programme_id: int, payload: ChoiceSettingsIn
) -> Any:
    programme = _managed(request, org_slug, programme_id)
    return _settings_out(
        services.choice_settings_update(
            programme=programme,
            actor=request_user(request),
            mode=payload.mode,
            response_days=payload.response_days,
            suggestions=payload.suggestions,
        )
    )


@router.post(
    f"{PROGRAMME}/choice-settings/picking/open",
    response={200: ChoiceSettingsOut, **ERRORS},
    summary="Open hybrid picking until a deadline",
)
def open_picking(request: HttpRequest, org_slug: str, programme_id: int, payload: PickingIn) -> Any:
    programme = _managed(request, org_slug, programme_id)
    return _settings_out(
        hybrid.hybrid_picks_open(
            programme=programme, actor=request_user(request), close_at=payload.close_at
        )
    )


@router.post(
    f"{PROGRAMME}/choice-settings/picking/close",
    response={200: PickingClosedOut, **ERRORS},
    summary="Close hybrid picking: the picks that hold become locks for the next run",
)
def close_picking(request: HttpRequest, org_slug: str, programme_id: int) -> Any:
    programme = _managed(request, org_slug, programme_id)
    held = hybrid.hybrid_picks_close(programme=programme, actor=request_user(request))
    return {"kept_together": held}


@router.get(
    f"{PROGRAMME}/suggestions",
    response={200: list[SuggestionOut], **ERRORS},
    summary="My ranked suggestions, with the reasons colleagues may read",
)
def my_suggestions(request: HttpRequest, org_slug: str, programme_id: int) -> Any:
    _programme, me = _me(request, org_slug, programme_id)
    if selectors.is_placed(me):
        return []
    return [
        {
            "enrolment_id": row.enrolment.pk,
            "name": row.enrolment.person.name,
            "role": row.enrolment.role,
            "score": round(row.score, 2),
            "reasons": row.reasons,
            "profile": {str(label): str(value) for label, value in row.profile},
            "bookmarked": row.bookmarked,
            "places_left": row.places_left,
        }
        for row in selectors.suggestions_for(enrolment=me)
    ]


@router.put(
    f"{PROGRAMME}/bookmarks/{{int:enrolment_id}}",
    response={204: None, **ERRORS},
    summary="Bookmark a suggestion",
)
def add_bookmark(request: HttpRequest, org_slug: str, programme_id: int, enrolment_id: int) -> Any:
    programme, me = _me(request, org_slug, programme_id)
    services.bookmark_set(enrolment=me, target=_other(programme, enrolment_id), on=True)
    return Status(204, None)


@router.delete(
    f"{PROGRAMME}/bookmarks/{{int:enrolment_id}}",
    response={204: None, **ERRORS},
    summary="Remove a bookmark",
)
def remove_bookmark(
    request: HttpRequest, org_slug: str, programme_id: int, enrolment_id: int
) -> Any:
    programme, me = _me(request, org_slug, programme_id)
    services.bookmark_set(enrolment=me, target=_other(programme, enrolment_id), on=False)
    return Status(204, None)


@router.get(
    f"{PROGRAMME}/match-requests",
    response={200: list[RequestOut], **ERRORS},
    summary="The requests I sent and received",
)
def my_requests(request: HttpRequest, org_slug: str, programme_id: int) -> Any:
    _programme, me = _me(request, org_slug, programme_id)
    found = list(selectors.requests_sent(me)) + list(selectors.requests_received(me))
    return [_request_out(r) for r in sorted(found, key=lambda r: r.created_at, reverse=True)]


@router.post(
    f"{PROGRAMME}/match-requests",
    response={201: RequestOut, **ERRORS},
    summary="Ask someone to be my match (one-sided programmes match at once)",
)
def send_request(request: HttpRequest, org_slug: str, programme_id: int, payload: RequestIn) -> Any:
    programme, me = _me(request, org_slug, programme_id)
    sent = services.match_request_send(
        enrolment=me,
        recipient=_other(programme, payload.recipient_enrolment_id),
        message=payload.message,
        actor=request_user(request),
    )
    return Status(201, _request_out(sent))


def _request(
    request: HttpRequest, org_slug: str, programme_id: int, pk: int
) -> tuple[Enrolment, MatchRequest]:
    programme, me = _me(request, org_slug, programme_id)
    found = selectors.request_get(enrolment=me, request_id=pk)
    if found.programme_id != programme.pk:
        raise NotFound(_("No such request."))
    return me, found


@router.post(
    f"{PROGRAMME}/match-requests/{{int:match_request_id}}/accept",
    response={200: RequestOut, **ERRORS},
    summary="Accept a request made to me",
)
def accept_request(
    request: HttpRequest, org_slug: str, programme_id: int, match_request_id: int
) -> Any:
    me, found = _request(request, org_slug, programme_id, match_request_id)
    if found.recipient_id != me.pk:
        raise NotFound(_("No such request."))
    return _request_out(services.match_request_accept(request=found, actor=request_user(request)))


@router.post(
    f"{PROGRAMME}/match-requests/{{int:match_request_id}}/decline",
    response={200: RequestOut, **ERRORS},
    summary="Decline a request made to me",
)
def decline_request(
    request: HttpRequest,
    org_slug: str,
    programme_id: int,
    match_request_id: int,
    payload: DeclineIn,
) -> Any:
    me, found = _request(request, org_slug, programme_id, match_request_id)
    if found.recipient_id != me.pk:
        raise NotFound(_("No such request."))
    return _request_out(
        services.match_request_decline(
            request=found, actor=request_user(request), reply=payload.reply
        )
    )


@router.post(
    f"{PROGRAMME}/match-requests/{{int:match_request_id}}/withdraw",
    response={200: RequestOut, **ERRORS},
    summary="Withdraw my request while it waits for an answer",
)
def withdraw_request(
    request: HttpRequest, org_slug: str, programme_id: int, match_request_id: int
) -> Any:
    me, found = _request(request, org_slug, programme_id, match_request_id)
    if found.requester_id != me.pk:
        raise NotFound(_("No such request."))
    return _request_out(services.match_request_withdraw(request=found, actor=request_user(request)))


@router.put(
    f"{PROGRAMME}/hybrid-pick",
    response={200: PickOut, **ERRORS},
    summary="Pick one of my suggestions, or pass (enrolment_id null)",
)
def put_pick(request: HttpRequest, org_slug: str, programme_id: int, payload: PickIn) -> Any:
    programme, me = _me(request, org_slug, programme_id)
    chosen = _other(programme, payload.enrolment_id) if payload.enrolment_id else None
    pick = hybrid.hybrid_pick(enrolment=me, chosen=chosen, actor=request_user(request))
    return {"chooser_enrolment_id": pick.chooser_id, "chosen_enrolment_id": pick.chosen_id}
