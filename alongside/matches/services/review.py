"""Reviewing a draft: moving and swapping people, locks and forbidden pairs, discarding."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.utils.translation import gettext as _

from alongside.accounts.models import User
from alongside.audit.services import log_action
from alongside.core.errors import AlongsideError
from alongside.matches.cohort import build_cohort
from alongside.matches.models import (
    MatchGroup,
    MatchGroupMember,
    MatchRun,
    MatchUnmatched,
    PairingRule,
)
from alongside.matches.services.running import (
    finite_score,
    group_reasons,
    group_scores,
    match_run_summary,
)
from alongside.matching import (
    Scorer,
    explain_pair,
)
from alongside.programmes.models import Enrolment, Format, Programme

# --- Manual adjustments to a draft -------------------------------------------------------


def draft_for_update(run: MatchRun) -> MatchRun:
    locked = MatchRun.objects.select_for_update().select_related("programme").get(pk=run.pk)
    if locked.status != MatchRun.Status.DRAFT:
        raise AlongsideError(
            _("This run is %(lower)s; only a draft can be changed.")
            % {"lower": locked.get_status_display().lower()},
            code="not_draft",
        )
    return locked


def _rescore(run: MatchRun, groups: Sequence[MatchGroup]) -> None:
    """Recompute scores and reasons of changed groups (and the run's totals)."""
    programme = run.programme
    mentoring = programme.is_mentoring
    for group in groups:
        members = list(
            group.members.select_related("enrolment__person", "enrolment__intake").order_by("pk")
        )
        if mentoring:
            members.sort(key=lambda m: m.role != "mentor")
        cohort = build_cohort(programme, [m.enrolment for m in members])
        scorer = Scorer(cohort.candidates, cohort.rules)
        order = list(range(len(members)))
        score, per_member = group_scores(scorer, order, mentoring)
        group.score = finite_score(score)
        group.reasons_admin, group.reasons_participant = group_reasons(scorer, order, mentoring)
        group.save(update_fields=["score", "reasons_admin", "reasons_participant"])
        for member, value in zip(members, per_member, strict=True):
            member.score = finite_score(value)
        MatchGroupMember.objects.bulk_update(members, ["score"])
    run.summary = match_run_summary(run)
    run.save(update_fields=["summary"])


def _check_group_allowed(run: MatchRun, group: MatchGroup, enrolments: list[Enrolment]) -> None:
    programme = run.programme
    rules = programme.matching_rules
    size = len(enrolments)
    if programme.format == Format.PEER_CIRCLES:
        low, high = int(rules.get("min_size", 4)), int(rules.get("max_size", 8))
        if not low <= size <= high:
            raise AlongsideError(
                _("Circle %(number)s would have %(size)s people; circles hold %(low)s–%(high)s.")
                % {"number": group.number, "size": size, "low": low, "high": high},
                code="size",
            )
    elif not programme.is_mentoring and size != 2:
        raise AlongsideError(
            _("Pair %(number)s would have %(size)s people.")
            % {"number": group.number, "size": size},
            code="size",
        )
    if programme.is_mentoring:
        mentors = [e for e in enrolments if e.role == "mentor"]
        if len(mentors) != 1:
            raise AlongsideError(
                _("Group %(number)s must have exactly one mentor.") % {"number": group.number},
                code="mentor",
            )
        if size - 1 > mentors[0].capacity:
            raise AlongsideError(
                _("%(person)s can take %(capacity)s mentee(s).")
                % {"person": mentors[0].person.name, "capacity": mentors[0].capacity},
                code="capacity",
            )
    cohort = build_cohort(programme, enrolments)
    scorer = Scorer(cohort.candidates, cohort.rules)
    mentoring = programme.is_mentoring
    for a in range(size):
        for b in range(a + 1, size):
            if mentoring and "mentor" not in (enrolments[a].role, enrolments[b].role):
                continue
            i, j = (a, b) if enrolments[b].role == "mentor" else (b, a)
            explanation = explain_pair(scorer, i, j, mentoring=mentoring)
            if explanation.forbidden_by:
                raise AlongsideError(
                    _("%(person)s and %(person2)s cannot be together: %(forbidden_by)s.")
                    % {
                        "person": enrolments[a].person.name,
                        "person2": enrolments[b].person.name,
                        "forbidden_by": "; ".join(explanation.forbidden_by),
                    },
                    code="forbidden",
                )


@transaction.atomic
def match_member_move(
    *, run: MatchRun, enrolment: Enrolment, to_group: MatchGroup | None, actor: User
) -> MatchRun:
    """Move someone to another group (None: out of every group, unmatched)."""
    run = draft_for_update(run)
    member = MatchGroupMember.objects.filter(run=run, enrolment=enrolment).first()
    if to_group is not None and to_group.run_id != run.pk:
        raise AlongsideError(_("That group belongs to another run."))
    changed: list[MatchGroup] = []
    if member is not None:
        source = member.group
        if to_group is not None and source.pk == to_group.pk:
            return run
        member.delete()
        remaining = [m.enrolment for m in source.members.select_related("enrolment__person")]
        if remaining:
            changed.append(source)
        else:
            source.delete()
    else:
        MatchUnmatched.objects.filter(run=run, enrolment=enrolment).delete()
    if to_group is not None:
        members = [m.enrolment for m in to_group.members.select_related("enrolment__person")]
        _check_group_allowed(run, to_group, [*members, enrolment])
        MatchGroupMember.objects.create(
            run=run, group=to_group, enrolment=enrolment, role=enrolment.role
        )
        changed.append(to_group)
    else:
        MatchUnmatched.objects.create(
            run=run, enrolment=enrolment, reason="taken out of the draft by a manager"
        )
    for group in changed:
        if group.pk != getattr(to_group, "pk", None):
            sizes_ok_group = [
                m.enrolment for m in group.members.select_related("enrolment__person")
            ]
            if run.programme.format == Format.PEER_CIRCLES:
                _check_group_allowed(run, group, sizes_ok_group)
    _rescore(run, changed)
    log_action(
        actor=actor,
        organisation=run.programme.organisation,
        action="match_run.moved",
        target=run,
        data={"enrolment": enrolment.pk, "to_group": to_group.number if to_group else None},
    )
    return run


@transaction.atomic
def match_members_swap(
    *, run: MatchRun, first: Enrolment, second: Enrolment, actor: User
) -> MatchRun:
    """Swap two people between their groups."""
    run = draft_for_update(run)
    a = MatchGroupMember.objects.filter(run=run, enrolment=first).select_related("group").first()
    b = MatchGroupMember.objects.filter(run=run, enrolment=second).select_related("group").first()
    if a is None or b is None:
        raise AlongsideError(_("Both people must be in a group of this draft to swap them."))
    if a.group_id == b.group_id:
        raise AlongsideError(_("They are already in the same group."))
    if run.programme.is_mentoring and a.role != b.role:
        raise AlongsideError(_("Swap a mentor with a mentor, or a mentee with a mentee."))
    group_a, group_b = a.group, b.group
    a.group, b.group = group_b, group_a
    for group, leaving, joining in ((group_a, first, second), (group_b, second, first)):
        others = [
            m.enrolment
            for m in group.members.select_related("enrolment__person")
            if m.enrolment_id != leaving.pk
        ]
        _check_group_allowed(run, group, [*others, joining])
    a.save(update_fields=["group"])
    b.save(update_fields=["group"])
    _rescore(run, [group_a, group_b])
    log_action(
        actor=actor,
        organisation=run.programme.organisation,
        action="match_run.swapped",
        target=run,
        data={"enrolments": [first.pk, second.pk]},
    )
    return run


@transaction.atomic
def pairing_rule_set(
    *,
    programme: Programme,
    first: Enrolment,
    second: Enrolment,
    kind: str,
    actor: User | None,
    note: str = "",
    chosen_by_participants: bool = False,
) -> PairingRule:
    """Lock two people together or forbid them; kept for every re-run."""
    if kind not in PairingRule.Kind.values:
        raise AlongsideError(_("kind must be lock or forbid."))
    if first.pk == second.pk:
        raise AlongsideError(_("Choose two different people."))
    for enrolment in (first, second):
        if enrolment.programme_id != programme.pk:
            raise AlongsideError(_("Both people must be enrolled in this programme."))
    low, high = sorted((first, second), key=lambda e: e.pk)
    if kind == PairingRule.Kind.LOCK:
        _check_lock_allowed(programme, low, high)
    rule, _created = PairingRule.objects.update_or_create(
        programme=programme,
        first=low,
        second=high,
        defaults={
            "kind": kind,
            "note": note[:300],
            "created_by": actor,
            "chosen_by_participants": chosen_by_participants,
        },
    )
    log_action(
        actor=actor,
        organisation=programme.organisation,
        action=f"pairing.{kind}",
        target=programme,
        data={"enrolments": [low.pk, high.pk]},
    )
    return rule


def _check_lock_allowed(programme: Programme, first: Enrolment, second: Enrolment) -> None:
    """A lock cannot override a hard rule; say which one stands in the way."""
    PairingRule.objects.filter(programme=programme, first=first, second=second).delete()
    cohort = build_cohort(programme, [first, second])
    scorer = Scorer(cohort.candidates, cohort.rules)
    mentoring = programme.is_mentoring
    if mentoring and "mentor" not in (first.role, second.role):
        raise AlongsideError(_("In mentoring, a lock joins a mentee with a mentor."))
    i, j = (0, 1) if second.role == "mentor" or not mentoring else (1, 0)
    explanation = explain_pair(scorer, i, j, mentoring=mentoring)
    if explanation.forbidden_by:
        raise AlongsideError(
            _("%(person)s and %(person2)s cannot be kept together: %(forbidden_by)s.")
            % {
                "person": first.person.name,
                "person2": second.person.name,
                "forbidden_by": "; ".join(explanation.forbidden_by),
            },
            code="forbidden",
        )


@transaction.atomic
def pairing_rule_remove(*, rule: PairingRule, actor: User) -> None:
    log_action(
        actor=actor,
        organisation=rule.programme.organisation,
        action=f"pairing.{rule.kind}_removed",
        target=rule.programme,
        data={"enrolments": [rule.first_id, rule.second_id]},
    )
    rule.delete()


@transaction.atomic
def match_group_lock(*, run: MatchRun, group: MatchGroup, actor: User) -> list[PairingRule]:
    """Keep a whole group together in every re-run (locks each member with the first)."""
    members = [m.enrolment for m in group.members.select_related("enrolment").order_by("pk")]
    return [
        pairing_rule_set(
            programme=run.programme,
            first=members[0],
            second=other,
            kind=PairingRule.Kind.LOCK,
            actor=actor,
        )
        for other in members[1:]
    ]


@transaction.atomic
def match_run_discard(*, run: MatchRun, actor: User) -> MatchRun:
    run = draft_for_update(run)
    run.status = MatchRun.Status.DISCARDED
    run.save(update_fields=["status"])
    log_action(
        actor=actor,
        organisation=run.programme.organisation,
        action="match_run.discarded",
        target=run,
    )
    return run
