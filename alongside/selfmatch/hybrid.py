"""Hybrid matching: the engine proposes each person's best few, people pick or pass by a
deadline, and the manager's normal whole-cohort run keeps the picks as locks.

A mentee's pick of a mentor holds on its own (within the mentor's places, decided under
a row lock); between peers a pick holds when it is mutual, so nobody is kept with
someone they did not choose. Everyone else is matched by the engine, and the run's
fairness report covers them.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from alongside.accounts.models import User
from alongside.audit.services import log_action
from alongside.core.errors import AlongsideError, Problem
from alongside.matches.models import PairingRule
from alongside.matches.services import pairing_rule_set
from alongside.programmes.models import Enrolment, EnrolmentStatus, Programme, Stage
from alongside.selfmatch.models import ChoiceMode, ChoiceSettings, HybridPick
from alongside.selfmatch.selectors import choice_settings, mentor_places_left, suggestions_for


def _fail(message: str, code: str = "invalid", field: str | None = None) -> None:
    raise AlongsideError(message, code=code, problems=[Problem(message, field)] if field else [])


@transaction.atomic
def hybrid_picks_open(*, programme: Programme, actor: User, close_at: datetime) -> ChoiceSettings:
    settings_ = ChoiceSettings.objects.select_for_update().filter(programme=programme).first()
    if settings_ is None or settings_.mode != ChoiceMode.HYBRID:
        _fail(gettext("Set the programme to hybrid matching first."), code="not_hybrid")
    assert settings_ is not None
    if programme.stage != Stage.MATCHING:
        _fail(
            gettext("Picking opens in the matching stage (the programme is %(stage)s).")
            % {"stage": programme.get_stage_display().lower()},
            code="wrong_stage",
        )
    if close_at <= timezone.now():
        _fail(gettext("The deadline must be in the future."), field="close_at")
    settings_.picks_open = True
    settings_.picks_close_at = close_at
    settings_.picks_closed_at = None
    settings_.save()
    log_action(
        actor=actor,
        organisation=programme.organisation,
        action="hybrid.picks_opened",
        target=programme,
        data={"close_at": close_at.isoformat()},
    )
    return settings_


@transaction.atomic
def hybrid_pick(
    *, enrolment: Enrolment, chosen: Enrolment | None, actor: User | None
) -> HybridPick:
    """Pick one of your suggestions (``chosen``), or pass (None) and let the engine choose."""
    programme = enrolment.programme
    settings_ = choice_settings(programme)
    if settings_.mode != ChoiceMode.HYBRID or not settings_.picks_open:
        _fail(gettext("Picking is not open in this programme."), code="picks_closed")
    if settings_.picks_close_at and settings_.picks_close_at < timezone.now():
        _fail(gettext("The deadline for picking has passed."), code="picks_closed")
    if enrolment.status != EnrolmentStatus.ACTIVE:
        _fail(gettext("You have withdrawn from this programme."), code="withdrawn")
    if programme.is_mentoring and enrolment.role != "mentee":
        _fail(gettext("Mentees pick their mentor; mentors are placed by the engine."), "role")
    if chosen is not None:
        offered = {
            row.enrolment.pk
            for row in suggestions_for(enrolment=enrolment, limit=settings_.suggestions)
        }
        if chosen.pk not in offered:
            _fail(
                gettext("Pick one of your %(count)d suggestions.")
                % {"count": settings_.suggestions},
                field="chosen",
            )
        if programme.is_mentoring:
            mentor = Enrolment.objects.select_for_update().get(pk=chosen.pk)
            picks = HybridPick.objects.filter(chosen=mentor).exclude(chooser=enrolment).count()
            if picks >= mentor_places_left(programme).get(mentor.pk, 0):
                _fail(
                    gettext(
                        "Sorry, %(name)s's places have all been picked; choose another "
                        "suggestion or pass."
                    )
                    % {"name": chosen.person.name},
                    code="capacity",
                )
    pick, _created = HybridPick.objects.update_or_create(
        chooser=enrolment,
        defaults={"programme": programme, "chosen": chosen, "created_at": timezone.now()},
    )
    log_action(
        actor=actor,
        organisation=programme.organisation,
        action="hybrid.picked" if chosen else "hybrid.passed",
        target=programme,
        data={"enrolment": enrolment.pk},
    )
    return pick


def effective_picks(programme: Programme) -> list[tuple[Enrolment, Enrolment]]:
    """Picks that hold: a mentee's pick of a mentor, or two peers who picked each other."""
    picks = list(
        HybridPick.objects.filter(
            programme=programme,
            chosen__isnull=False,
            chooser__status=EnrolmentStatus.ACTIVE,
            chosen__status=EnrolmentStatus.ACTIVE,
        ).select_related("chooser__person", "chosen__person")
    )
    if programme.is_mentoring:
        return [(p.chooser, p.chosen) for p in picks if p.chosen is not None]
    choice = {p.chooser_id: p.chosen_id for p in picks}
    out = []
    for p in picks:
        assert p.chosen is not None
        if choice.get(p.chosen.pk) == p.chooser_id and p.chooser_id < p.chosen.pk:
            out.append((p.chooser, p.chosen))
    return out


@transaction.atomic
def hybrid_picks_close(*, programme: Programme, actor: User | None) -> int:
    """Close picking; the picks that hold become locks for the manager's next run."""
    settings_ = ChoiceSettings.objects.select_for_update().filter(programme=programme).first()
    if settings_ is None or not settings_.picks_open:
        _fail(gettext("Picking is not open in this programme."), code="picks_closed")
    assert settings_ is not None
    held = effective_picks(programme)
    for first, second in held:
        pairing_rule_set(
            programme=programme,
            first=first,
            second=second,
            kind=PairingRule.Kind.LOCK,
            actor=actor,
            note=gettext("Chosen by the participants"),
            chosen_by_participants=True,
        )
    settings_.picks_open = False
    settings_.picks_closed_at = timezone.now()
    settings_.save(update_fields=["picks_open", "picks_closed_at"])
    log_action(
        actor=actor,
        organisation=programme.organisation,
        action="hybrid.picks_closed",
        target=programme,
        data={"locks": len(held)},
    )
    return len(held)


def hybrid_picks_close_due(*, now: datetime) -> int:
    closed = 0
    for settings_ in ChoiceSettings.objects.filter(
        picks_open=True, picks_close_at__lte=now
    ).select_related("programme__organisation"):
        hybrid_picks_close(programme=settings_.programme, actor=None)
        closed += 1
    return closed
