"""Writes for nudge settings: a programme's nudges on or off, a person's email frequency."""

from __future__ import annotations

from collections.abc import Mapping

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alongside.accounts.models import User
from alongside.audit.services import log_action
from alongside.core.errors import AlongsideError, Problem
from alongside.nudges.catalogue import DIGEST_KEY, catalogue, get_nudge
from alongside.nudges.channels import EMAIL, channel_choices
from alongside.nudges.models import (
    Frequency,
    NudgeChannelPreference,
    NudgePreference,
    ProgrammeNudgeSetting,
)
from alongside.programmes.models import Programme


@transaction.atomic
def programme_nudges_configure(
    *, programme: Programme, actor: User, enabled: Mapping[str, bool]
) -> None:
    """Switch the named nudges on or off for one programme; unknown names change nothing."""
    unknown = [key for key in enabled if get_nudge(key) is None]
    if unknown:
        raise AlongsideError(
            _("The nudge settings could not be saved."),
            problems=[
                Problem(_("there is no nudge called '%(key)s'.") % {"key": key}, "enabled")
                for key in unknown
            ],
        )
    now = timezone.now()
    for key, on in enabled.items():
        ProgrammeNudgeSetting.objects.update_or_create(
            programme=programme,
            nudge_key=key,
            defaults={"enabled": bool(on), "updated_by": actor, "updated_at": now},
        )
    log_action(
        actor=actor,
        organisation=programme.organisation,
        action="nudges.configured",
        target=programme,
        data={"enabled": {key: bool(on) for key, on in enabled.items()}},
    )


@transaction.atomic
def nudge_preference_set(*, user: User, frequency: str) -> NudgePreference:
    if frequency not in Frequency.values:
        choices = ", ".join(Frequency.values)
        raise AlongsideError(
            _("Your email preference could not be saved."),
            problems=[
                Problem(
                    _("choose one of %(choices)s, not '%(frequency)s'.")
                    % {"choices": choices, "frequency": frequency},
                    "frequency",
                )
            ],
        )
    preference, _created = NudgePreference.objects.update_or_create(
        user=user, defaults={"frequency": frequency, "updated_at": timezone.now()}
    )
    return preference


def message_kinds() -> list[tuple[str, str]]:
    """Each kind of message a person chooses channels for: every nudge, and the digest."""
    return [
        *((nudge.key, str(nudge.title)) for nudge in catalogue()),
        (DIGEST_KEY, _("Daily digest")),
    ]


@transaction.atomic
def channel_preferences_set(*, user: User, chosen: Mapping[str, str]) -> dict[str, str]:
    """``{kind: "email" | "slack" | "slack+email" | "teams" | "teams+email"}``; all or
    nothing. Email needs no row."""
    kinds = dict(message_kinds())
    values = {choice.value for choice in channel_choices()}
    problems = [
        Problem(_("%(kind)r is not a kind of message.") % {"kind": kind}, field=kind)
        for kind in chosen
        if kind not in kinds
    ] + [
        Problem(
            _("must be one of %(choices)s, not %(value)r.")
            % {"choices": ", ".join(sorted(values)), "value": value},
            field=kind,
        )
        for kind, value in chosen.items()
        if kind in kinds and value not in values
    ]
    if problems:
        raise AlongsideError(_("Your channel choices could not be saved."), problems=problems)
    now = timezone.now()
    for kind, value in chosen.items():
        if value == EMAIL:
            NudgeChannelPreference.objects.filter(user=user, kind=kind).delete()
        else:
            NudgeChannelPreference.objects.update_or_create(
                user=user, kind=kind, defaults={"channels": value.split("+"), "updated_at": now}
            )
    return channel_preferences_of(user=user)


def channel_preferences_of(*, user: User) -> dict[str, str]:
    stored = dict(NudgeChannelPreference.objects.filter(user=user).values_list("kind", "channels"))
    return {kind: "+".join(stored.get(kind) or [EMAIL]) for kind, _title in message_kinds()}
