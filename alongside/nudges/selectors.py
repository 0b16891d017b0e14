"""Reads for nudges: a programme's catalogue with its switches, its send log."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, QuerySet

from alongside.accounts.models import User
from alongside.nudges.catalogue import Nudge, catalogue
from alongside.nudges.models import Frequency, NudgeDelivery, NudgePreference, ProgrammeNudgeSetting
from alongside.programmes.models import Programme


@dataclass(frozen=True)
class NudgeSwitch:
    nudge: Nudge
    enabled: bool


def programme_nudges(*, programme: Programme) -> list[NudgeSwitch]:
    chosen = dict(
        ProgrammeNudgeSetting.objects.filter(programme=programme).values_list(
            "nudge_key", "enabled"
        )
    )
    return [NudgeSwitch(nudge, chosen.get(nudge.key, nudge.default_on)) for nudge in catalogue()]


def programme_deliveries(*, programme: Programme, status: str = "") -> QuerySet[NudgeDelivery]:
    deliveries = NudgeDelivery.objects.filter(programme=programme).select_related("digest")
    if status in NudgeDelivery.Status.values:
        deliveries = deliveries.filter(status=status)
    return deliveries.order_by("-created_at", "-pk")


def programme_delivery_counts(*, programme: Programme) -> dict[str, int]:
    return dict(
        NudgeDelivery.objects.filter(programme=programme)
        .values_list("status")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("status", "n")
    )


def frequency_of(*, user: User) -> str:
    preference = NudgePreference.objects.filter(user=user).first()
    return preference.frequency if preference else Frequency.EACH
