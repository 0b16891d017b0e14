from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from alongside.core.errors import NotFound
from alongside.flash.models import FlashGroup, FlashMember, FlashPulse, FlashRound, FlashSkip
from alongside.programmes.models import Enrolment, Programme


def rounds_for(programme: Programme) -> QuerySet[FlashRound]:
    members = Prefetch("members", queryset=FlashMember.objects.select_related("person"))
    groups = Prefetch("groups", queryset=FlashGroup.objects.prefetch_related(members))
    return FlashRound.objects.filter(programme=programme).prefetch_related(groups, "skips")


def round_get(*, programme: Programme, round_id: int) -> FlashRound:
    found = (
        FlashRound.objects.select_related("programme__organisation")
        .filter(programme=programme, pk=round_id)
        .first()
    )
    if found is None:
        raise NotFound("No such round.")
    return found


def my_group(*, flash_round: FlashRound, enrolment: Enrolment) -> FlashGroup | None:
    member = (
        FlashMember.objects.filter(round=flash_round, enrolment=enrolment)
        .select_related("group__round__programme__organisation")
        .first()
    )
    return member.group if member else None


def skipped(*, flash_round: FlashRound, enrolment: Enrolment) -> bool:
    return FlashSkip.objects.filter(round=flash_round, enrolment=enrolment).exists()


def my_pulse(*, group: FlashGroup, enrolment: Enrolment) -> FlashPulse | None:
    return FlashPulse.objects.filter(group=group, enrolment=enrolment).first()
