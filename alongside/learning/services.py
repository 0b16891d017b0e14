"""Starting another programme with the weights a programme's outcomes suggest."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext

from alongside.accounts.models import User
from alongside.audit.services import log_action
from alongside.core.errors import AlongsideError, Problem
from alongside.learning.selectors import learning_report
from alongside.programmes.models import Format, Programme, Stage
from alongside.programmes.services import programme_update


@transaction.atomic
def learned_weights_apply(*, source: Programme, target: Programme, actor: User) -> dict[str, float]:
    """Give ``target`` the weights ``source``'s outcomes suggest. Only the points of the
    scoring criteria change; the rules that protect people (reporting lines, previous
    partners, forbids, level, time-zone and language limits) are left exactly as they are."""
    if target.organisation_id != source.organisation_id or target.pk == source.pk:
        raise AlongsideError(
            gettext("Choose another programme of this organisation."),
            problems=[Problem(gettext("is not another programme here."), "target_programme_id")],
        )
    if target.stage not in (Stage.DRAFT, Stage.ENROLLING, Stage.MATCHING):
        raise AlongsideError(
            gettext("%(name)s is %(stage)s; weights can change only before it is matched.")
            % {"name": target.name, "stage": target.get_stage_display().lower()},
            code="wrong_stage",
        )
    if target.format == Format.FLASH_ROUNDS:
        raise AlongsideError(gettext("Flash rounds do not use matching weights."), code="format")
    report = learning_report(programme=source)
    if not report.changes_anything:
        raise AlongsideError(
            gettext("The outcomes suggest no change to the weights; nothing to apply."),
            code="no_change",
        )
    programme_update(
        programme=target, actor=actor, matching_rules={"weights": dict(report.suggested)}
    )
    log_action(
        actor=actor,
        organisation=target.organisation,
        action="learning.weights_applied",
        target=target,
        data={"from_programme": source.pk, "weights": report.suggested},
    )
    return report.suggested
