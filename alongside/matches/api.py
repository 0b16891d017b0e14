from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext
from ninja import Field, Router, Status
from ninja.pagination import paginate

from alongside.accounts.api_auth import request_user
from alongside.core.api_pagination import Mapped, Pagination
from alongside.core.errors import AlongsideError
from alongside.core.schemas import ERRORS, Schema
from alongside.matches import review_words, selectors
from alongside.matches.models import MatchGroup, MatchRun, MatchUnmatched, PairingRule
from alongside.matches.services import (
    match_member_move,
    match_members_swap,
    match_run_discard,
    match_run_publish,
    match_run_request,
    pairing_rule_remove,
    pairing_rule_set,
    relationship_add_late_joiner,
)
from alongside.organisations.api_auth import membership_for
from alongside.programmes.models import Programme
from alongside.programmes.selectors import programme_get_managed
from alongside.relationships import selectors as relationship_selectors
from alongside.relationships.api import RelationshipOut, relationship_out, relationships_members

router = Router(tags=["matching"])

PROGRAMME = "/{org_slug}/programmes/{int:programme_id}"


class RunOut(Schema):
    id: int
    status: str
    late_joiners_only: bool
    progress: int
    progress_message: str
    error: str
    objective: float | None
    upper_bound: float | None
    gap: float | None
    method: str
    created_at: datetime
    finished_at: datetime | None
    published_at: datetime | None


class MemberOut(Schema):
    enrolment_id: int
    person_id: int
    name: str
    role: str
    score: float


class GroupOut(Schema):
    id: int
    number: int
    score: float
    reasons_admin: str
    reasons_participant: str
    members: list[MemberOut]


class UnmatchedOut(Schema):
    enrolment_id: int
    person_id: int
    name: str
    reason: str


class FairnessOut(Schema):
    text: str
    concern: bool = Field(
        description="True where a group has more than its share of the worst-matched."
    )


class RunDetailOut(RunOut):
    quality_percent: float | None = Field(
        description="Share of the best possible total score, rounded down; null when not measured."
    )
    quality: str = Field(description="The quality in plain words.")
    quality_explanation: str
    fairness: list[FairnessOut]
    summary: dict[str, Any]
    groups_count: int = Field(description="Groups in the run: list them from `…/groups`.")
    unmatched_count: int = Field(description="People left out: list them from `…/unmatched`.")


class AdjustedOut(RunDetailOut):
    changed_groups: list[GroupOut] = Field(description="The groups the change touched.")


class MoveIn(Schema):
    enrolment_id: int
    group_number: int | None = None


class SwapIn(Schema):
    first_enrolment_id: int
    second_enrolment_id: int


class PublishIn(Schema):
    keep_matching: bool = False


class PublishOut(Schema):
    run_id: int
    relationships: int
    stage: str


class RuleIn(Schema):
    kind: str
    first_enrolment_id: int
    second_enrolment_id: int
    note: str = ""


class RuleOut(Schema):
    id: int
    kind: str
    first_enrolment_id: int
    first_name: str
    second_enrolment_id: int
    second_name: str
    note: str
    created_at: datetime


def _programme(request: HttpRequest, org_slug: str, programme_id: int) -> Programme:
    membership = membership_for(request, org_slug)
    return programme_get_managed(membership=membership, programme_id=programme_id)


def _detail(run: MatchRun) -> dict[str, Any]:
    quality = review_words.run_quality(run)
    return {
        **{field: getattr(run, field) for field in RunOut.model_fields},
        "quality_percent": quality.percent,
        "quality": quality.headline,
        "quality_explanation": quality.explanation,
        "fairness": [
            {"text": line.text, "concern": line.concern} for line in review_words.run_fairness(run)
        ],
        "summary": run.summary,
        "groups_count": run.groups.count(),
        "unmatched_count": run.unmatched.count(),
    }


def _groups_members(groups: list[MatchGroup]) -> dict[int, list[dict[str, Any]]]:
    return selectors.match_group_members(groups=groups)


def _group_out(group: MatchGroup, members: dict[int, list[dict[str, Any]]]) -> dict[str, Any]:
    return {
        "id": group.pk,
        "number": group.number,
        "score": group.score,
        "reasons_admin": group.reasons_admin,
        "reasons_participant": group.reasons_participant,
        "members": [
            {
                "enrolment_id": m["enrolment_id"],
                "person_id": m["person_id"],
                "name": m["name"],
                "role": m["role"],
                "score": m["score"],
            }
            for m in members[group.pk]
        ],
    }


def _unmatched_out(row: MatchUnmatched) -> dict[str, Any]:
    return {
        "enrolment_id": row.enrolment_id,
        "person_id": row.enrolment.person_id,
        "name": row.enrolment.person.name,
        "reason": row.reason,
    }


def _adjusted(run: MatchRun, enrolment_ids: list[int]) -> dict[str, Any]:
    touched = list(
        selectors.match_run_groups(run=run)
        .filter(members__enrolment_id__in=enrolment_ids)
        .distinct()
    )
    members = _groups_members(touched)
    return {**_detail(run), "changed_groups": [_group_out(g, members) for g in touched]}


def _rule(rule: PairingRule) -> dict[str, Any]:
    return {
        "id": rule.pk,
        "kind": rule.kind,
        "first_enrolment_id": rule.first_id,
        "first_name": rule.first.person.name,
        "second_enrolment_id": rule.second_id,
        "second_name": rule.second.person.name,
        "note": rule.note,
        "created_at": rule.created_at,
    }


@router.get(f"{PROGRAMME}/match-runs", response={200: list[RunOut], **ERRORS}, summary="List runs")
@paginate(Pagination)
def list_runs(request: HttpRequest, org_slug: str, programme_id: int) -> Any:
    programme = _programme(request, org_slug, programme_id)
    return list(selectors.match_runs_for(programme=programme))


@router.post(
    f"{PROGRAMME}/match-runs",
    response={201: RunOut, **ERRORS},
    summary="Run matching over everyone not yet placed",
    description="Cohorts up to 400 people are matched before the response; larger ones in "
    "the background: poll the run until its status is draft or failed.",
)
def create_run(request: HttpRequest, org_slug: str, programme_id: int) -> Any:
    programme = _programme(request, org_slug, programme_id)
    run = match_run_request(programme=programme, actor=request_user(request))
    run.refresh_from_db()
    return Status(201, run)


class PlacementOut(Schema):
    in_run: bool
    matched: bool
    partners: list[str]


class MovedOut(Schema):
    enrolment_id: int
    name: str
    first: PlacementOut
    second: PlacementOut


class RunSideOut(Schema):
    id: int
    status: str
    quality_percent: float | None
    quality: str
    matched: int
    unmatched: int
    mean_score: float | None
    fairness: list[FairnessOut]


class ComparisonOut(Schema):
    first: RunSideOut
    second: RunSideOut
    people: int = Field(description="People in either run.")
    unchanged: int = Field(description="People with exactly the same partners in both.")
    moved: list[MovedOut] = Field(description="Everyone whose partners differ, by name.")


def _side(run: MatchRun) -> dict[str, Any]:
    quality = review_words.run_quality(run)
    summary = run.summary or {}
    return {
        "id": run.pk,
        "status": run.status,
        "quality_percent": quality.percent,
        "quality": quality.headline,
        "matched": int(summary.get("matched") or 0),
        "unmatched": int(summary.get("unmatched") or 0),
        "mean_score": summary.get("mean_score"),
        "fairness": [
            {"text": line.text, "concern": line.concern} for line in review_words.run_fairness(run)
        ],
    }


def _placement(place: selectors.Placement) -> dict[str, Any]:
    return {"in_run": place.in_run, "matched": place.matched, "partners": list(place.partners)}


@router.get(
    f"{PROGRAMME}/match-runs/compare",
    response={200: ComparisonOut, **ERRORS},
    summary="Compare two runs",
    description=(
        "Quality and fairness of each run, and who is with someone else in the second. "
        "Without `first` and `second`, the newest finished run against the one before it."
    ),
)
def compare_runs(
    request: HttpRequest,
    org_slug: str,
    programme_id: int,
    first: int | None = None,
    second: int | None = None,
) -> Any:
    programme = _programme(request, org_slug, programme_id)
    if first is None or second is None:
        finished = list(
            selectors.match_runs_for(programme=programme)
            .exclude(
                status__in=[MatchRun.Status.QUEUED, MatchRun.Status.RUNNING, MatchRun.Status.FAILED]
            )
            .order_by("-created_at", "-pk")
            .values_list("pk", flat=True)[:2]
        )
        if len(finished) < 2 or (first is None) != (second is None):
            raise AlongsideError(
                message=gettext(
                    "Give both runs to compare (first and second), or neither to compare "
                    "the newest finished run with the one before it; this programme needs "
                    "two finished runs for that."
                ),
                code="two_runs_needed",
            )
        first, second = finished[1], finished[0]
    if first == second:
        raise AlongsideError(
            message=gettext("Choose two different runs to compare."), code="same_run"
        )
    runs = [selectors.match_run_get(programme=programme, run_id=pk) for pk in (first, second)]
    for run in runs:
        if run.status in (MatchRun.Status.QUEUED, MatchRun.Status.RUNNING, MatchRun.Status.FAILED):
            raise AlongsideError(
                message=gettext("Run %(number)d has not finished, so it cannot be compared.")
                % {"number": run.pk},
                code="run_not_finished",
            )
    comparison = selectors.match_runs_compare(first=runs[0], second=runs[1])
    return {
        "first": _side(runs[0]),
        "second": _side(runs[1]),
        "people": comparison.people,
        "unchanged": comparison.unchanged,
        "moved": [
            {
                "enrolment_id": row.enrolment_id,
                "name": row.name,
                "first": _placement(row.first),
                "second": _placement(row.second),
            }
            for row in comparison.moved
        ],
    }


@router.get(
    f"{PROGRAMME}/match-runs/{{int:run_id}}",
    response={200: RunDetailOut, **ERRORS},
    summary="A run: its status, quality and summary, and how many groups and unmatched",
)
def get_run(request: HttpRequest, org_slug: str, programme_id: int, run_id: int) -> Any:
    programme = _programme(request, org_slug, programme_id)
    return _detail(selectors.match_run_get(programme=programme, run_id=run_id))


@router.get(
    f"{PROGRAMME}/match-runs/{{int:run_id}}/groups",
    response={200: list[GroupOut], **ERRORS},
    summary="A run's groups in order, with members, scores and reasons",
)
@paginate(Pagination)
def list_run_groups(request: HttpRequest, org_slug: str, programme_id: int, run_id: int) -> Any:
    programme = _programme(request, org_slug, programme_id)
    run = selectors.match_run_get(programme=programme, run_id=run_id)
    return Mapped(selectors.match_run_groups(run=run), _group_out, _groups_members)


@router.get(
    f"{PROGRAMME}/match-runs/{{int:run_id}}/unmatched",
    response={200: list[UnmatchedOut], **ERRORS},
    summary="The people a run left out, and why",
)
@paginate(Pagination)
def list_run_unmatched(request: HttpRequest, org_slug: str, programme_id: int, run_id: int) -> Any:
    programme = _programme(request, org_slug, programme_id)
    run = selectors.match_run_get(programme=programme, run_id=run_id)
    return Mapped(selectors.match_run_unmatched(run=run), _unmatched_out)


@router.post(
    f"{PROGRAMME}/match-runs/{{int:run_id}}/move",
    response={200: AdjustedOut, **ERRORS},
    summary="Move a person to another group of a draft (group_number null: unmatched)",
)
def move(request: HttpRequest, org_slug: str, programme_id: int, run_id: int, body: MoveIn) -> Any:
    programme = _programme(request, org_slug, programme_id)
    run = selectors.match_run_get(programme=programme, run_id=run_id)
    enrolment = selectors.enrolment_in(programme=programme, enrolment_id=body.enrolment_id)
    group = (
        selectors.match_group_get(run=run, number=body.group_number)
        if body.group_number is not None
        else None
    )
    match_member_move(run=run, enrolment=enrolment, to_group=group, actor=request_user(request))
    run.refresh_from_db()
    return _adjusted(run, [enrolment.pk])


@router.post(
    f"{PROGRAMME}/match-runs/{{int:run_id}}/swap",
    response={200: AdjustedOut, **ERRORS},
    summary="Swap two people between their groups of a draft",
)
def swap(request: HttpRequest, org_slug: str, programme_id: int, run_id: int, body: SwapIn) -> Any:
    programme = _programme(request, org_slug, programme_id)
    run = selectors.match_run_get(programme=programme, run_id=run_id)
    first = selectors.enrolment_in(programme=programme, enrolment_id=body.first_enrolment_id)
    second = selectors.enrolment_in(programme=programme, enrolment_id=body.second_enrolment_id)
    match_members_swap(run=run, first=first, second=second, actor=request_user(request))
    run.refresh_from_db()
    return _adjusted(run, [first.pk, second.pk])


@router.post(
    f"{PROGRAMME}/match-runs/{{int:run_id}}/publish",
    response={200: PublishOut, **ERRORS},
    summary="Publish a draft: all its relationships at once, or nothing",
)
def publish(
    request: HttpRequest, org_slug: str, programme_id: int, run_id: int, body: PublishIn
) -> Any:
    programme = _programme(request, org_slug, programme_id)
    run = selectors.match_run_get(programme=programme, run_id=run_id)
    created = match_run_publish(
        run=run, actor=request_user(request), keep_matching=body.keep_matching
    )
    programme.refresh_from_db()
    return {"run_id": run.pk, "relationships": len(created), "stage": programme.stage}


@router.post(
    f"{PROGRAMME}/match-runs/{{int:run_id}}/discard",
    response={200: RunOut, **ERRORS},
    summary="Discard a draft",
)
def discard(request: HttpRequest, org_slug: str, programme_id: int, run_id: int) -> Any:
    programme = _programme(request, org_slug, programme_id)
    run = selectors.match_run_get(programme=programme, run_id=run_id)
    return match_run_discard(run=run, actor=request_user(request))


@router.get(
    f"{PROGRAMME}/pairing-rules",
    response={200: list[RuleOut], **ERRORS},
    summary="Locks and forbids kept for every re-run",
)
@paginate(Pagination)
def list_rules(request: HttpRequest, org_slug: str, programme_id: int) -> Any:
    programme = _programme(request, org_slug, programme_id)
    return [_rule(rule) for rule in selectors.pairing_rules_for(programme=programme)]


@router.post(
    f"{PROGRAMME}/pairing-rules",
    response={201: RuleOut, **ERRORS},
    summary="Lock two people together or forbid them (kind: lock | forbid)",
)
def create_rule(request: HttpRequest, org_slug: str, programme_id: int, body: RuleIn) -> Any:
    programme = _programme(request, org_slug, programme_id)
    first = selectors.enrolment_in(programme=programme, enrolment_id=body.first_enrolment_id)
    second = selectors.enrolment_in(programme=programme, enrolment_id=body.second_enrolment_id)
    rule = pairing_rule_set(
        programme=programme,
        first=first,
        second=second,
        kind=body.kind,
        actor=request_user(request),
        note=body.note,
    )
    return Status(201, _rule(selectors.pairing_rule_get(programme=programme, rule_id=rule.pk)))


@router.delete(
    f"{PROGRAMME}/pairing-rules/{{int:rule_id}}",
    response={204: None, **ERRORS},
    summary="Remove a lock or forbid",
)
def delete_rule(request: HttpRequest, org_slug: str, programme_id: int, rule_id: int) -> Any:
    programme = _programme(request, org_slug, programme_id)
    rule = selectors.pairing_rule_get(programme=programme, rule_id=rule_id)
    pairing_rule_remove(rule=rule, actor=request_user(request))
    return Status(204, None)


class AddMemberIn(Schema):
    enrolment_id: int


@router.post(
    f"{PROGRAMME}/relationships/{{int:relationship_id}}/members",
    response={201: RelationshipOut, **ERRORS},
    summary="Add a late joiner to a circle or mentoring group",
    tags=["relationships"],
    # Kept from when this operation lived with the relationships API: clients rely on it.
    operation_id="alongside_relationships_api_add_member",
)
def add_member(
    request: HttpRequest, org_slug: str, programme_id: int, relationship_id: int, body: AddMemberIn
) -> Any:
    programme = _programme(request, org_slug, programme_id)
    relationship = relationship_selectors.relationship_get(
        programme=programme, relationship_id=relationship_id
    )
    enrolment = selectors.enrolment_in(programme=programme, enrolment_id=body.enrolment_id)
    relationship_add_late_joiner(
        relationship=relationship, enrolment=enrolment, actor=request_user(request)
    )
    fresh = relationship_selectors.relationships_for_programme(programme=programme).get(
        pk=relationship.pk
    )
    return Status(201, relationship_out(fresh, relationships_members([fresh])))
