from datetime import date, datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Router, Status
from ninja.pagination import paginate

from alongside.accounts.api_auth import request_user
from alongside.core.api_pagination import Mapped, Pagination
from alongside.core.errors import AlongsideError, Problem
from alongside.core.schemas import ERRORS, Schema
from alongside.dashboards.pdf import outcomes_pdf, pdf_filename, summary_pdf
from alongside.dashboards.selectors import (
    Filters,
    interventions_of,
    organisation_overview,
    programme_dashboard,
    relationship_get_managed,
    relationship_health,
)
from alongside.health.models import THRESHOLD_FIELDS, HealthThresholds, Intervention
from alongside.health.services import (
    health_refresh_programme,
    health_thresholds_update,
    intervention_create,
)
from alongside.organisations.api_auth import membership_for
from alongside.organisations.models import Membership, Role
from alongside.programmes.models import Format, Programme
from alongside.programmes.selectors import programme_get_managed
from alongside.relationships.models import Relationship

router = Router(tags=["dashboards"])

PROGRAMME = "/{org_slug}/programmes/{int:programme_id}"
RELATIONSHIP = PROGRAMME + "/relationships/{int:relationship_id}"


class FlaggedMemberOut(Schema):
    person_id: int
    name: str


class FlaggedOut(Schema):
    relationship_id: int
    name: str
    status: str
    reasons: list[str]
    suggestion: str
    status_since: datetime
    members: list[FlaggedMemberOut]
    last_intervention_kind: str | None
    last_intervention_at: datetime | None


class WeekOut(Schema):
    week_start: date
    held: int


class DashboardOut(Schema):
    programme_id: int
    filters: dict[str, str]
    enrolment: dict[str, int]
    matched_share: float | None
    intake_share: float | None
    relationships: dict[str, int]
    meetings: dict[str, int]
    meetings_per_week: list[WeekOut]
    expected_per_week: float
    commitments: dict[str, int]
    commitments_kept_share: float | None
    pulse_count: int
    pulse_mean: float | None
    pulse_spread: dict[str, int]
    health: dict[str, int]
    not_assessed: int
    health_computed_at: datetime | None
    flagged: list[FlaggedOut] = Field(
        description="At most 25 per status unless `all` names that status."
    )


class OverviewRowOut(Schema):
    programme_id: int
    name: str
    format: str
    stage: str
    enrolled: int
    intake_done: int
    matched: int
    health: dict[str, int]
    meetings_held_recently: int
    commitments_reviewed: int
    commitments_kept: int
    pulse_mean: float | None
    pulse_count: int


class HealthOut(Schema):
    relationship_id: int
    relationship_status: str
    status: str | None = Field(
        description="on_track / at_risk / struggling / dormant; null when not active or "
        "not assessed yet."
    )
    reasons: list[str]
    suggestion: str
    computed_at: datetime | None
    status_since: datetime | None


class ThresholdsOut(Schema):
    customised: bool
    grace_days: int
    at_risk_periods: float
    dormant_periods: float
    dormant_min_days: int
    missed_window: int
    missed_struggling: int
    pulse_window: int
    pulse_struggling: float
    commitments_window: int
    commitments_min: int
    commitments_at_risk: float
    left_days: int


class ThresholdsIn(Schema):
    grace_days: int | None = None
    at_risk_periods: float | None = None
    dormant_periods: float | None = None
    dormant_min_days: int | None = None
    missed_window: int | None = None
    missed_struggling: int | None = None
    pulse_window: int | None = None
    pulse_struggling: float | None = None
    commitments_window: int | None = None
    commitments_min: int | None = None
    commitments_at_risk: float | None = None
    left_days: int | None = None


class InterventionIn(Schema):
    kind: str = Field(description="message / rematch_offer / pause / resume / note")
    message: str = ""


class InterventionOut(Schema):
    id: int
    relationship_id: int
    kind: str
    message: str
    actor_email: str | None
    health_status: str
    created_at: datetime


class RefreshedOut(Schema):
    refreshed: int


def _managed(request: HttpRequest, org_slug: str, programme_id: int) -> Programme:
    membership = membership_for(request, org_slug)
    return programme_get_managed(membership=membership, programme_id=programme_id)


def _relationship(
    request: HttpRequest, org_slug: str, programme_id: int, relationship_id: int
) -> Relationship:
    programme = _managed(request, org_slug, programme_id)
    return relationship_get_managed(programme=programme, relationship_id=relationship_id)


def _filters(kind: str, department: str, location: str, choices: list[str]) -> Filters:
    if kind and kind not in choices:
        raise AlongsideError(
            _("kind must be one of: %(choices)s.") % {"choices": ", ".join(choices)},
            problems=[Problem(_("is not a format."), "kind")],
        )
    return Filters(kind=kind, department=department, location=location)


@router.get(
    PROGRAMME + "/dashboard",
    response={200: DashboardOut, **ERRORS},
    summary="A programme's dashboard as data (its managers)",
    description="Enrolment and intakes, matched share, meetings per week, commitments, "
    "pulses, health counts and the relationships needing attention with their reasons "
    "and a suggested action. Filters: `kind` (relationship format), `department`, "
    "`location` (relationships with a member there); `all` lists every relationship of "
    "one status.",
)
def get_dashboard(
    request: HttpRequest,
    org_slug: str,
    programme_id: int,
    kind: str = "",
    department: str = "",
    location: str = "",
    all: str = "",
) -> dict[str, Any]:
    programme = _managed(request, org_slug, programme_id)
    filters = _filters(kind, department, location, list(Relationship.Kind.values))
    dashboard = programme_dashboard(programme=programme, filters=filters, show_all=all)
    return {
        "programme_id": programme.pk,
        "filters": filters.as_query(),
        "enrolment": dashboard.enrolment,
        "matched_share": dashboard.matched_share,
        "intake_share": dashboard.intake_share,
        "relationships": dashboard.relationships,
        "meetings": dashboard.meetings,
        "meetings_per_week": [{"week_start": w, "held": n} for w, n in dashboard.weeks],
        "expected_per_week": dashboard.expected_per_week,
        "commitments": dashboard.commitments,
        "commitments_kept_share": dashboard.kept_share,
        "pulse_count": dashboard.pulses["count"],
        "pulse_mean": dashboard.pulses["mean"],
        "pulse_spread": {str(k): v for k, v in dashboard.pulses["spread"].items()},
        "health": dashboard.health,
        "not_assessed": dashboard.not_assessed,
        "health_computed_at": dashboard.computed_at,
        "flagged": [
            {
                "relationship_id": item.relationship.pk,
                "name": item.relationship.name,
                "status": item.health.status,
                "reasons": item.health.reasons,
                "suggestion": item.health.suggestion,
                "status_since": item.health.status_since,
                "members": [
                    {"person_id": m.person_id, "name": m.person.name} for m in item.members
                ],
                "last_intervention_kind": item.last_intervention.kind
                if item.last_intervention
                else None,
                "last_intervention_at": item.last_intervention.created_at
                if item.last_intervention
                else None,
            }
            for group in dashboard.flagged
            for item in group.items
        ],
    }


@router.get(
    "/{org_slug}/dashboard",
    response={200: list[OverviewRowOut], **ERRORS},
    summary="Every programme the caller manages, side by side (admins, programme managers)",
    description="Filters: `kind` (programme format), `department`, `location`.",
)
@paginate(Pagination)
def get_overview(
    request: HttpRequest, org_slug: str, kind: str = "", department: str = "", location: str = ""
) -> list[dict[str, Any]]:
    membership: Membership = membership_for(request, org_slug, Role.ADMIN, Role.PROGRAMME_MANAGER)
    filters = _filters(kind, department, location, list(Format.values))
    return [
        {
            "programme_id": row.programme.pk,
            "name": row.programme.name,
            "format": row.programme.format,
            "stage": row.programme.stage,
            "enrolled": row.enrolled,
            "intake_done": row.intake_done,
            "matched": row.matched,
            "health": row.health,
            "meetings_held_recently": row.meetings_held_recently,
            "commitments_reviewed": row.commitments_reviewed,
            "commitments_kept": row.commitments_kept,
            "pulse_mean": row.pulse_mean,
            "pulse_count": row.pulse_count,
        }
        for row in organisation_overview(membership=membership, filters=filters)
    ]


@router.post(
    PROGRAMME + "/health/refresh",
    response={200: RefreshedOut, **ERRORS},
    summary="Recompute the health of every relationship now (its managers)",
    description="It is also recomputed daily and whenever a signal changes.",
)
def refresh_health(request: HttpRequest, org_slug: str, programme_id: int) -> RefreshedOut:
    programme = _managed(request, org_slug, programme_id)
    return RefreshedOut(refreshed=health_refresh_programme(programme=programme))


def _thresholds_out(programme: Programme) -> ThresholdsOut:
    row = HealthThresholds.objects.filter(programme=programme).first()
    values = row or HealthThresholds(programme=programme)
    return ThresholdsOut(
        customised=row is not None, **{name: getattr(values, name) for name in THRESHOLD_FIELDS}
    )


@router.get(
    PROGRAMME + "/health-thresholds",
    response={200: ThresholdsOut, **ERRORS},
    summary="Where each health status begins for this programme (its managers)",
)
def get_thresholds(request: HttpRequest, org_slug: str, programme_id: int) -> ThresholdsOut:
    return _thresholds_out(_managed(request, org_slug, programme_id))


@router.put(
    PROGRAMME + "/health-thresholds",
    response={200: ThresholdsOut, **ERRORS},
    summary="Change the health thresholds (its managers)",
    description="Fields left out keep their value. Every bad value is named; health is "
    "recomputed with the new thresholds.",
)
def put_thresholds(
    request: HttpRequest, org_slug: str, programme_id: int, payload: ThresholdsIn
) -> ThresholdsOut:
    programme = _managed(request, org_slug, programme_id)
    values = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    health_thresholds_update(programme=programme, actor=request_user(request), values=values)
    return _thresholds_out(programme)


@router.get(
    RELATIONSHIP + "/health",
    response={200: HealthOut, **ERRORS},
    summary="A relationship's health with its reasons (its programme's managers)",
)
def get_health(
    request: HttpRequest, org_slug: str, programme_id: int, relationship_id: int
) -> HealthOut:
    relationship = _relationship(request, org_slug, programme_id, relationship_id)
    health = relationship_health(relationship=relationship)
    return HealthOut(
        relationship_id=relationship.pk,
        relationship_status=relationship.status,
        status=health.status if health else None,
        reasons=health.reasons if health else [],
        suggestion=health.suggestion if health else "",
        computed_at=health.computed_at if health else None,
        status_since=health.status_since if health else None,
    )


def _intervention_out(intervention: Intervention) -> InterventionOut:
    return InterventionOut(
        id=intervention.pk,
        relationship_id=intervention.relationship_id,
        kind=intervention.kind,
        message=intervention.message,
        actor_email=intervention.actor.email if intervention.actor else None,
        health_status=intervention.health_status,
        created_at=intervention.created_at,
    )


@router.get(
    RELATIONSHIP + "/interventions",
    response={200: list[InterventionOut], **ERRORS},
    summary="What managers did about a relationship, newest first",
)
@paginate(Pagination)
def list_interventions(
    request: HttpRequest, org_slug: str, programme_id: int, relationship_id: int
) -> list[InterventionOut]:
    relationship = _relationship(request, org_slug, programme_id, relationship_id)
    return Mapped(interventions_of(relationship=relationship), _intervention_out)  # type: ignore[return-value]


@router.post(
    RELATIONSHIP + "/interventions",
    response={201: InterventionOut, **ERRORS},
    summary="Message the members, offer a rematch, pause, resume or note (its managers)",
    description="`message` and `rematch_offer` email the active members (plain text and "
    "HTML); `pause` and `resume` change the relationship's status; every one is recorded "
    "with who did it and when.",
)
def create_intervention(
    request: HttpRequest,
    org_slug: str,
    programme_id: int,
    relationship_id: int,
    payload: InterventionIn,
) -> Status[InterventionOut]:
    relationship = _relationship(request, org_slug, programme_id, relationship_id)
    intervention = intervention_create(
        relationship=relationship,
        actor=request_user(request),
        kind=payload.kind,
        message=payload.message,
    )
    return Status(201, _intervention_out(intervention))


def _pdf_extra(description: str) -> dict[str, Any]:
    return {
        "responses": {
            "200": {
                "description": description,
                "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    }


def _pdf(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@router.get(
    f"{PROGRAMME}/outcomes.pdf",
    response={**ERRORS},
    openapi_extra=_pdf_extra(
        "The outcomes report as a PDF; groups of fewer than five people are never shown."
    ),
    summary="The outcomes report as a PDF (its managers)",
)
def get_outcomes_pdf(request: HttpRequest, org_slug: str, programme_id: int) -> Any:
    programme = _managed(request, org_slug, programme_id)
    return _pdf(outcomes_pdf(programme=programme), pdf_filename(programme, "outcomes"))


@router.get(
    f"{PROGRAMME}/summary.pdf",
    response={**ERRORS},
    openapi_extra=_pdf_extra("The programme's summary: people, meetings, health, outcomes."),
    summary="The programme summary as a PDF (its managers)",
)
def get_summary_pdf(request: HttpRequest, org_slug: str, programme_id: int) -> Any:
    programme = _managed(request, org_slug, programme_id)
    return _pdf(summary_pdf(programme=programme), pdf_filename(programme, "summary"))
