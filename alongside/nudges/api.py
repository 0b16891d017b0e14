"""API for nudges: a programme's switches and send log (its managers), one's own frequency."""

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja.pagination import paginate

from alongside.accounts.api_auth import request_user
from alongside.core.api_pagination import Pagination
from alongside.core.errors import AlongsideError, Problem
from alongside.core.schemas import ERRORS, Schema
from alongside.nudges.catalogue import catalogue
from alongside.nudges.channels import channel_choices
from alongside.nudges.models import Frequency, NudgeDelivery
from alongside.nudges.selectors import frequency_of, programme_deliveries, programme_nudges
from alongside.nudges.services import (
    channel_preferences_of,
    channel_preferences_set,
    message_kinds,
    nudge_preference_set,
    programme_nudges_configure,
)
from alongside.organisations.api_auth import membership_for
from alongside.programmes.models import Programme
from alongside.programmes.selectors import programme_get_managed

router = Router(tags=["nudges"])

PROGRAMME = "/organisations/{org_slug}/programmes/{int:programme_id}"


class ChoiceOut(Schema):
    value: str
    label: str


class EmailPreferenceOut(Schema):
    frequency: str
    choices: list[ChoiceOut]
    essential_nudges: list[str]


class EmailPreferenceIn(Schema):
    frequency: str


class NudgeOut(Schema):
    key: str
    title: str
    audience: str
    offset_days: int
    essential: bool
    default_on: bool
    description: str
    enabled: bool


class NudgeSwitchesIn(Schema):
    enabled: dict[str, bool]


class DeliveryOut(Schema):
    id: int
    nudge_key: str
    event_key: str
    email: str
    recipient_name: str
    subject: str
    status: str
    attempts: int
    last_error: str
    created_at: datetime
    claimed_at: datetime | None
    sent_at: datetime | None
    digest_id: int | None
    channels: list[str]
    channel_results: dict[str, dict[str, Any]]
    fallback_reason: str


class DeliveryQuery(Schema):
    status: str = ""


def _preference(frequency: str) -> dict[str, Any]:
    return {
        "frequency": frequency,
        "choices": [{"value": value, "label": str(label)} for value, label in Frequency.choices],
        "essential_nudges": [nudge.key for nudge in catalogue() if nudge.essential],
    }


def _programme(request: HttpRequest, org_slug: str, programme_id: int) -> Programme:
    membership = membership_for(request, org_slug)
    return programme_get_managed(membership=membership, programme_id=programme_id)


def _switches(programme: Programme) -> list[dict[str, Any]]:
    return [
        {
            "key": switch.nudge.key,
            "title": str(switch.nudge.title),
            "audience": switch.nudge.audience,
            "offset_days": switch.nudge.offset.days,
            "essential": switch.nudge.essential,
            "default_on": switch.nudge.default_on,
            "description": str(switch.nudge.description),
            "enabled": switch.enabled,
        }
        for switch in programme_nudges(programme=programme)
    ]


@router.get(
    "/me/email-preferences",
    response={200: EmailPreferenceOut, **ERRORS},
    summary="How often nudge emails reach me",
)
def get_email_preferences(request: HttpRequest) -> dict[str, Any]:
    return _preference(frequency_of(user=request_user(request)))


@router.put(
    "/me/email-preferences",
    response={200: EmailPreferenceOut, **ERRORS},
    summary="Choose each nudge, a daily digest, or essentials only",
)
def set_email_preferences(request: HttpRequest, payload: EmailPreferenceIn) -> dict[str, Any]:
    preference = nudge_preference_set(user=request_user(request), frequency=payload.frequency)
    return _preference(preference.frequency)


class ChannelPreferencesOut(Schema):
    chosen: dict[str, str]
    kinds: list[ChoiceOut]
    choices: list[ChoiceOut]


class ChannelPreferencesIn(Schema):
    chosen: dict[str, str]


def _channels(user: Any) -> dict[str, Any]:
    return {
        "chosen": channel_preferences_of(user=user),
        "kinds": [{"value": kind, "label": title} for kind, title in message_kinds()],
        "choices": [{"value": c.value, "label": str(c.label)} for c in channel_choices()],
    }


@router.get(
    "/me/channel-preferences",
    response={200: ChannelPreferencesOut, **ERRORS},
    summary="Where each kind of message reaches me: email, Slack, Teams, or a chat and email",
)
def get_channel_preferences(request: HttpRequest) -> dict[str, Any]:
    return _channels(request_user(request))


@router.put(
    "/me/channel-preferences",
    response={200: ChannelPreferencesOut, **ERRORS},
    summary='Choose channels: {"chosen": {"meeting_tomorrow": "slack+email", …}}',
)
def set_channel_preferences(request: HttpRequest, payload: ChannelPreferencesIn) -> dict[str, Any]:
    user = request_user(request)
    channel_preferences_set(user=user, chosen=payload.chosen)
    return _channels(user)


@router.get(
    f"{PROGRAMME}/nudges",
    response={200: list[NudgeOut], **ERRORS},
    summary="The nudge catalogue, switched on or off for this programme (its managers)",
)
@paginate(Pagination)
def list_nudges(request: HttpRequest, org_slug: str, programme_id: int) -> list[dict[str, Any]]:
    return _switches(_programme(request, org_slug, programme_id))


@router.patch(
    f"{PROGRAMME}/nudges",
    response={200: list[NudgeOut], **ERRORS},
    summary='Switch nudges on or off for this programme: {"enabled": {key: bool}}',
)
def switch_nudges(
    request: HttpRequest, org_slug: str, programme_id: int, payload: NudgeSwitchesIn
) -> list[dict[str, Any]]:
    programme = _programme(request, org_slug, programme_id)
    programme_nudges_configure(
        programme=programme, actor=request_user(request), enabled=payload.enabled
    )
    return _switches(programme)


@router.get(
    f"{PROGRAMME}/nudge-deliveries",
    response={200: list[DeliveryOut], **ERRORS},
    summary="The programme's send log, newest first, a page at a time (its managers)",
)
@paginate(Pagination)
def list_deliveries(
    request: HttpRequest, org_slug: str, programme_id: int, filters: Query[DeliveryQuery]
) -> Any:
    programme = _programme(request, org_slug, programme_id)
    if filters.status and filters.status not in NudgeDelivery.Status.values:
        raise AlongsideError(
            _("The send log could not be filtered."),
            problems=[
                Problem(
                    _("status must be one of %(values)s.")
                    % {"values": ", ".join(NudgeDelivery.Status.values)},
                    "status",
                )
            ],
        )
    return programme_deliveries(programme=programme, status=filters.status)
