"""Learning from outcomes in the API."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from alongside.accounts.api_auth import request_user
from alongside.core.schemas import ERRORS, Schema
from alongside.learning.selectors import learning_report
from alongside.learning.services import learned_weights_apply
from alongside.organisations.api_auth import membership_for
from alongside.programmes.selectors import programme_get_managed

router = Router(tags=["learning"])

PROGRAMME = "/{org_slug}/programmes/{int:programme_id}"


class EffectOut(Schema):
    criterion: str
    label: str
    n: int
    effect: float | None
    low: float | None
    high: float | None
    verdict: str
    weight: float | None
    suggested_weight: float | None


class LearningOut(Schema):
    relationships: int
    observations: int
    confidence: float
    effects: list[EffectOut]
    current_weights: dict[str, float]
    suggested_weights: dict[str, float]


class ApplyIn(Schema):
    target_programme_id: int


class ApplyOut(Schema):
    target_programme_id: int
    weights: dict[str, float]


@router.get(
    f"{PROGRAMME}/learning",
    response={200: LearningOut, **ERRORS},
    summary="What the outcomes say about each scoring criterion, with intervals",
    description="Per criterion: the change in outcome (0..1) from the criterion absent to "
    "fully present, its simultaneous 95 % interval and the number of relationships; "
    "verdict too_few below 20 relationships.",
)
def get_learning(request: HttpRequest, org_slug: str, programme_id: int) -> Any:
    membership = membership_for(request, org_slug)
    programme = programme_get_managed(membership=membership, programme_id=programme_id)
    report = learning_report(programme=programme)
    return {
        "relationships": report.relationships,
        "observations": report.observations,
        "confidence": 0.95,
        "effects": [
            {
                "criterion": row.name,
                "label": str(row.label),
                "n": row.effect.n,
                "effect": row.effect.slope,
                "low": row.effect.low,
                "high": row.effect.high,
                "verdict": row.effect.verdict.value,
                "weight": row.weight,
                "suggested_weight": row.suggested,
            }
            for row in report.rows
        ],
        "current_weights": report.current,
        "suggested_weights": report.suggested,
    }


@router.post(
    f"{PROGRAMME}/learning/apply",
    response={200: ApplyOut, **ERRORS},
    summary="Start another programme (not yet matched) with the suggested weights",
)
def apply_learning(request: HttpRequest, org_slug: str, programme_id: int, payload: ApplyIn) -> Any:
    membership = membership_for(request, org_slug)
    source = programme_get_managed(membership=membership, programme_id=programme_id)
    target = programme_get_managed(membership=membership, programme_id=payload.target_programme_id)
    weights = learned_weights_apply(source=source, target=target, actor=request_user(request))
    return {"target_programme_id": target.pk, "weights": weights}
