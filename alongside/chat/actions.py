"""One-click actions in chat messages ("I've done my action", "Pick a time").

"Pick a time" is a link to the relationship's schedule. "I've done my action" carries a
signed token (Django's signing, salted, valid for 30 days) naming the commitment and the
person; Slack's button, Teams' Action.Submit and the web page behind an Adaptive Card's
link all call back with it, so the token alone says who acts on what: it is checked
against the commitment's owner before anything changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.translation import gettext as _

from alongside.core.errors import AlongsideError
from alongside.meetings.models import Commitment, Meeting
from alongside.meetings.services import commitment_check_in
from alongside.nudges.models import NudgeDelivery

SALT = "alongside.chat.action"
MAX_AGE = timedelta(days=30)


@dataclass(frozen=True)
class Button:
    label: str
    url: str = ""  # opens a page
    token: str = ""  # calls back into Alongside


def action_token(*, commitment_id: int, person_id: int) -> str:
    return signing.dumps({"a": "commitment_done", "c": commitment_id, "p": person_id}, salt=SALT)


def buttons_for(delivery: NudgeDelivery) -> list[Button]:
    """The delivery's own link, then its one-click action, if it has one."""
    slug = delivery.organisation.slug
    buttons = [
        Button(delivery.action_label or _("Open Alongside"), settings.SITE_URL + delivery.link)
    ]
    kind, _sep, target = delivery.quick_action.partition(":")
    if kind == "commitment_done" and target.isdigit() and delivery.person_id:
        buttons.append(
            Button(
                _("I've done my action"),
                token=action_token(commitment_id=int(target), person_id=delivery.person_id),
            )
        )
    elif kind == "pick_time" and target.isdigit():
        url = settings.SITE_URL + reverse("scheduling:schedule", args=[slug, int(target)])
        buttons.append(Button(_("Pick a time"), url=url))
    return buttons


def action_url(token: str) -> str:
    return settings.SITE_URL + reverse("chat_action", args=[token])


@dataclass(frozen=True)
class Pending:
    commitment: Commitment
    meeting: Meeting | None


def action_read(token: str) -> Pending:
    """What a token would do; a forged, altered or expired token is refused."""
    try:
        data = signing.loads(token, salt=SALT, max_age=MAX_AGE)
    except signing.SignatureExpired as error:
        raise AlongsideError(
            _("This button has expired; open Alongside to check in on your commitment."),
            code="action_expired",
        ) from error
    except signing.BadSignature as error:
        raise AlongsideError(_("This action link is not valid."), code="action_invalid") from error
    if (
        not isinstance(data, dict)
        or data.get("a") != "commitment_done"
        or not isinstance(data.get("c"), int)
        or not isinstance(data.get("p"), int)
    ):
        raise AlongsideError(_("This action link is not valid."), code="action_invalid")
    commitment = (
        Commitment.objects.select_related("member__person__user", "made_at", "relationship")
        .filter(pk=int(data["c"]), member__person_id=int(data["p"]))
        .first()
    )
    if commitment is None:
        raise AlongsideError(_("This commitment no longer exists."), code="action_invalid")
    meeting = (
        Meeting.objects.filter(
            relationship_id=commitment.relationship_id,
            starts_at__gt=commitment.made_at.starts_at,
        )
        .exclude(status=Meeting.Status.CANCELLED)
        .order_by("starts_at")
        .first()
    )
    return Pending(commitment=commitment, meeting=meeting)


def action_perform(token: str) -> Commitment:
    """Mark the commitment done, at the next meeting after the one it was made at."""
    pending = action_read(token)
    commitment = pending.commitment
    if commitment.status == Commitment.Status.DONE:
        return commitment  # a second click changes nothing
    user = commitment.member.person.user
    if pending.meeting is None or user is None:
        raise AlongsideError(
            _("There is no later meeting to check in at yet; check in at your next meeting."),
            code="no_meeting",
        )
    return commitment_check_in(
        commitment=commitment,
        meeting=pending.meeting,
        member=commitment.member,
        status=Commitment.Status.DONE,
        actor=user,
        note=_("Marked done from a chat message."),
    )
