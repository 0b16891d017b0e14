"""Flash rounds in the API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status

from alongside.accounts.api_auth import request_user
from alongside.core.errors import NotFound
from alongside.core.schemas import ERRORS, Schema
from alongside.flash import selectors, services
from alongside.flash.models import FlashRound
from alongside.organisations.api_auth import membership_for
from alongside.programmes.models import Enrolment, EnrolmentStatus, Format, Programme
from alongside.programmes.selectors import (
    can_manage,
    my_enrolment,
    programme_get,
    programme_get_managed,
)

router = Router(tags=["flash rounds"])

PROGRAMME = "/{org_slug}/programmes/{int:programme_id}"


class FlashGroupOut(Schema):
    number: int
    members: list[str]


class FlashRoundOut(Schema):
    id: int
    number: int
    meets_at: datetime
    timezone: str
    status: str
    skipping: int
    groups: list[FlashGroupOut]


class FlashPlanIn(Schema):
    meets_at: datetime | None = None


class FlashSkipIn(Schema):
    skip: bool = True


class FlashPulseIn(Schema):
    useful: int
    learned: bool


class FlashPulseOut(Schema):
    useful: int
    learned: bool


def _flash(programme: Programme) -> Programme:
    if programme.format != Format.FLASH_ROUNDS:
        raise NotFound(_("This programme has no flash rounds."))
    return programme


def _round_out(flash_round: FlashRound, *, manages: bool, me: Enrolment | None) -> dict[str, Any]:
    groups = []
    for group in flash_round.groups.all():
        members = list(group.members.all())
        if manages or (me is not None and any(m.enrolment_id == me.pk for m in members)):
            groups.append({"number": group.number, "members": [m.person.name for m in members]})
    return {
        "id": flash_round.pk,
        "number": flash_round.number,
        "meets_at": flash_round.meets_at,
        "timezone": flash_round.timezone,
        "status": flash_round.status,
        "skipping": len(flash_round.skips.all()),
        "groups": groups,
    }


def _me(request: HttpRequest, org_slug: str, programme_id: int) -> tuple[Programme, Enrolment]:
    membership = membership_for(request, org_slug)
    programme = _flash(programme_get(membership=membership, programme_id=programme_id))
    me = my_enrolment(membership=membership, programme=programme)
    if me is None or me.status != EnrolmentStatus.ACTIVE:
        raise NotFound(_("You are not taking part in this programme."))
    return programme, me


@router.get(
    f"{PROGRAMME}/flash-rounds",
    response={200: list[FlashRoundOut], **ERRORS},
    summary="The rounds (participants see their own group; managers every group)",
)
def list_rounds(request: HttpRequest, org_slug: str, programme_id: int) -> Any:
    membership = membership_for(request, org_slug)
    programme = _flash(programme_get(membership=membership, programme_id=programme_id))
    manages = can_manage(membership=membership, programme=programme)
    me = my_enrolment(membership=membership, programme=programme)
    return [
        _round_out(r, manages=manages, me=me) for r in selectors.rounds_for(programme=programme)
    ]


@router.post(
    f"{PROGRAMME}/flash-rounds",
    response={201: FlashRoundOut, **ERRORS},
    summary="Plan the next round (by default one rhythm after the last)",
)
def plan_round(request: HttpRequest, org_slug: str, programme_id: int, payload: FlashPlanIn) -> Any:
    membership = membership_for(request, org_slug)
    programme = _flash(programme_get_managed(membership=membership, programme_id=programme_id))
    flash_round = services.flash_round_plan(
        programme=programme, actor=request_user(request), meets_at=payload.meets_at
    )
    return Status(201, _round_out(flash_round, manages=True, me=None))


@router.post(
    f"{PROGRAMME}/flash-rounds/{{int:round_id}}/pair",
    response={200: FlashRoundOut, **ERRORS},
    summary="Pair a planned round now and send the invitations",
)
def pair_round(request: HttpRequest, org_slug: str, programme_id: int, round_id: int) -> Any:
    membership = membership_for(request, org_slug)
    programme = _flash(programme_get_managed(membership=membership, programme_id=programme_id))
    flash_round = selectors.round_get(programme=programme, round_id=round_id)
    services.flash_round_pair(flash_round=flash_round, actor=request_user(request))
    fresh = selectors.rounds_for(programme=programme).get(pk=flash_round.pk)
    return _round_out(fresh, manages=True, me=None)


@router.put(
    f"{PROGRAMME}/flash-rounds/{{int:round_id}}/skip",
    response={204: None, **ERRORS},
    summary="Skip a planned round (skip false: take part after all)",
)
def skip_round(
    request: HttpRequest, org_slug: str, programme_id: int, round_id: int, payload: FlashSkipIn
) -> Any:
    programme, me = _me(request, org_slug, programme_id)
    flash_round = selectors.round_get(programme=programme, round_id=round_id)
    services.flash_round_skip(
        flash_round=flash_round, enrolment=me, skip=payload.skip, actor=request_user(request)
    )
    return Status(204, None)


@router.put(
    f"{PROGRAMME}/flash-rounds/{{int:round_id}}/pulse",
    response={200: FlashPulseOut, **ERRORS},
    summary="The two questions after a round's conversation",
)
def answer_pulse(
    request: HttpRequest, org_slug: str, programme_id: int, round_id: int, payload: FlashPulseIn
) -> Any:
    programme, me = _me(request, org_slug, programme_id)
    flash_round = selectors.round_get(programme=programme, round_id=round_id)
    group = selectors.my_group(flash_round=flash_round, enrolment=me)
    if group is None:
        raise NotFound(_("You were not in this round."))
    pulse = services.flash_pulse_answer(
        group=group, enrolment=me, useful=payload.useful, learned=payload.learned
    )
    return {"useful": pulse.useful, "learned": pulse.learned}
