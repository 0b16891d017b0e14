"""Writes for nudge settings: a programme's nudges on or off, a person's email frequency."""

from __future__ import annotations

from collections.abc import Mapping

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alongside.accounts.models import User
from alongside.audit.services import log_action
from alongside.core.errors import AlongsideError, Problem
from alongside.nudges.catalogue import get_nudge
from alongside.nudges.models import Frequency, NudgePreference, ProgrammeNudgeSetting
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
