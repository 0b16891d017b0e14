"""The channels a nudge travels by: email here, Slack and Teams from the apps above.

Every channel sends a :class:`~alongside.nudges.models.NudgeDelivery` row (one nudge,
one event, one person) and nothing else, so the send log's exactly-once guarantee holds
for all of them: the row is claimed before anything is sent and each channel's result is
written on the row as soon as it is known, so a channel that has sent is never asked
again. An app registers its channel in its ``AppConfig.ready``::

    register_channel(SlackChannel())

A channel raises :class:`ChannelUnavailable` when it cannot take a message (the person
is not on Slack, the workspace revoked its token): the delivery then falls back to email,
with the reason kept for the manager. :class:`TryLater` asks to be tried again from a
moment (a rate limit's ``Retry-After``, an outage), without counting as a failure.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from django.utils.functional import Promise

if TYPE_CHECKING:
    from alongside.nudges.models import NudgeDelivery

EMAIL = "email"


class ChannelUnavailable(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class TryLater(Exception):
    def __init__(self, reason: str, *, at: datetime, counts_as_attempt: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.at = at
        self.counts_as_attempt = counts_as_attempt


class Channel(Protocol):
    @property
    def key(self) -> str: ...

    @property
    def label(self) -> str | Promise: ...

    def send(self, delivery: NudgeDelivery, items: Sequence[NudgeDelivery]) -> str:
        """Send it (a digest carries its ``items``); returns the message's reference."""
        ...


@dataclass(frozen=True)
class ChannelChoice:
    value: str  # "email", "slack", "slack+email", …
    label: str

    @property
    def channels(self) -> list[str]:
        return self.value.split("+")


_channels: dict[str, Channel] = {}


def register_channel(channel: Channel) -> Channel:
    _channels[channel.key] = channel
    return channel


def get_channel(key: str) -> Channel | None:
    return _channels.get(key)


def channel_keys() -> list[str]:
    return list(_channels)


def channel_choices() -> list[ChannelChoice]:
    """What a person may choose per kind of message: email, each chat alone or with email."""
    from django.utils.translation import gettext as _

    choices = [ChannelChoice(EMAIL, _("Email"))]
    for key, channel in _channels.items():
        if key == EMAIL:
            continue
        choices.append(ChannelChoice(key, str(channel.label)))
        choices.append(
            ChannelChoice(f"{key}+{EMAIL}", _("%(chat)s and email") % {"chat": channel.label})
        )
    return choices
