"""The programme dashboard, one relationship's health, thresholds, and the overview.

Only a programme's managers and the organisation's admins get here: a participant gets
a 403 on a programme they take part in and a 404 on any other, as on the programme pages.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from alongside.core.errors import AlongsideError, NotFound
from alongside.core.messages import problems_for_form, show_error
from alongside.dashboards import charts
from alongside.dashboards.forms import FilterForm, InterventionForm, ThresholdsForm
from alongside.dashboards.pdf import outcomes_pdf, pdf_filename, summary_pdf
from alongside.dashboards.selectors import (
    Filters,
    ProgrammeDashboard,
    filter_options,
    interventions_of,
    organisation_overview,
    programme_dashboard,
    relationship_get_managed,
    relationship_health,
)
from alongside.health.models import HealthStatus, HealthThresholds, Intervention
from alongside.health.services import (
    health_refresh_programme,
    health_thresholds_update,
    intervention_create,
)
from alongside.organisations.tenancy import MANAGERS, OrgRequest, org_view
from alongside.people.selectors import people_filter_options
from alongside.programmes.models import Programme
from alongside.programmes.selectors import programme_get_managed
from alongside.relationships.models import Relationship


def _relationship(programme: Programme, relationship_id: int) -> Relationship:
    try:
        return relationship_get_managed(programme=programme, relationship_id=relationship_id)
    except NotFound as error:
        raise Http404(error.message) from error


def _filters(form: FilterForm) -> Filters:
    form.is_valid()  # keep each valid filter even if another is not
    cleaned: dict[str, Any] = getattr(form, "cleaned_data", {})
    return Filters(
        kind=cleaned.get("kind") or "",
        department=cleaned.get("department") or "",
        location=cleaned.get("location") or "",
    )


def dashboard_charts(dashboard: ProgrammeDashboard) -> dict[str, charts.BarChart]:
    weeks = dashboard.weeks
    meetings = charts.bar_chart(
        _("Meetings held per week"),
        [(date_format(week, "j M"), count) for week, count in weeks],
        reference=dashboard.expected_per_week or None,
        reference_label=_("%(count)s a week expected at the %(rhythm)s rhythm")
        % {
            "count": number_format(dashboard.expected_per_week, 1),
            "rhythm": dashboard.programme.get_rhythm_display().lower(),
        },
        label_every=max(1, len(weeks) // 8),
    )
    health = charts.bar_chart(
        _("Relationships by health"),
        [(str(HealthStatus(s).label), dashboard.health[s]) for s in HealthStatus.values],
        css=[f"health-{s}" for s in HealthStatus.values],
    )
    pulses = charts.bar_chart(
        _("Pulse ratings"),
        [
            (_("%(rating)s of 5") % {"rating": rating}, count)
            for rating, count in dashboard.pulses["spread"].items()
        ],
        width=400,
    )
    return {"meetings": meetings, "health": health, "pulses": pulses}


@org_view()
def programme_dashboard_page(request: OrgRequest, programme_id: int) -> HttpResponse:
    programme = programme_get_managed(membership=request.membership, programme_id=programme_id)
    form = FilterForm(
        request.GET or None, options=filter_options(programme=programme), overview=False
    )
    show_all = request.GET.get("all", "")
    dashboard = programme_dashboard(programme=programme, filters=_filters(form), show_all=show_all)
    return render(
        request,
        "dashboards/programme.html",
        {
            "programme": programme,
            "dashboard": dashboard,
            "charts": dashboard_charts(dashboard),
            "form": form,
            "filter_query": dashboard.filters.as_query(),
        },
    )


@org_view()
@require_POST
def refresh(request: OrgRequest, programme_id: int) -> HttpResponse:
    programme = programme_get_managed(membership=request.membership, programme_id=programme_id)
    count = health_refresh_programme(programme=programme)
    messages.success(
        request, _("Health recomputed for %(count)s active relationships.") % {"count": count}
    )
    return redirect("dashboards:programme", request.organisation.slug, programme.pk)


@org_view()
def thresholds(request: OrgRequest, programme_id: int) -> HttpResponse:
    programme = programme_get_managed(membership=request.membership, programme_id=programme_id)
    current = HealthThresholds.objects.filter(programme=programme).first()
    form = ThresholdsForm(
        request.POST or None, instance=current or HealthThresholds(programme=programme)
    )
    if request.method == "POST" and form.is_valid():
        try:
            health_thresholds_update(
                programme=programme,
                actor=request.user,
                values={name: form.cleaned_data[name] for name in form.changed_data},
            )
        except AlongsideError as error:
            for field, problems in problems_for_form(error).items():
                for problem in problems:
                    form.add_error(field if field in form.fields else None, problem)
        else:
            messages.success(request, _("Thresholds saved; health is recomputed with them."))
            return redirect("dashboards:programme", request.organisation.slug, programme.pk)
    return render(
        request,
        "dashboards/thresholds.html",
        {"programme": programme, "form": form, "customised": current is not None},
    )


@org_view()
def relationship_page(request: OrgRequest, programme_id: int, relationship_id: int) -> HttpResponse:
    programme = programme_get_managed(membership=request.membership, programme_id=programme_id)
    relationship = _relationship(programme, relationship_id)
    health = relationship_health(relationship=relationship)
    members = list(relationship.members.select_related("person").order_by("-role", "person__name"))
    initial = {"kind": health.suggestion} if health and health.suggestion else {}
    return render(
        request,
        "dashboards/relationship.html",
        {
            "programme": programme,
            "relationship": relationship,
            "health": health,
            "members": members,
            "interventions": list(interventions_of(relationship=relationship)),
            "form": InterventionForm(initial=initial),
            "kinds": _available_kinds(relationship),
        },
    )


# The form offers each intervention as something to do; the record says what was done.
ACTION_VERBS = {
    Intervention.Kind.MESSAGE: gettext_lazy("Message them"),
    Intervention.Kind.REMATCH_OFFER: gettext_lazy("Offer a rematch"),
    Intervention.Kind.PAUSE: gettext_lazy("Pause"),
    Intervention.Kind.RESUME: gettext_lazy("Resume"),
    Intervention.Kind.NOTE: gettext_lazy("Add a note"),
}


def _available_kinds(relationship: Relationship) -> list[tuple[str, Any]]:
    hidden: set[str] = set(Intervention.Kind.values)
    if relationship.status == Relationship.Status.ACTIVE:
        hidden = {Intervention.Kind.RESUME}
    elif relationship.status == Relationship.Status.PAUSED:
        hidden = {Intervention.Kind.PAUSE}
    return [(kind.value, ACTION_VERBS[kind]) for kind in Intervention.Kind if kind not in hidden]


@org_view()
@require_POST
def intervene(request: OrgRequest, programme_id: int, relationship_id: int) -> HttpResponse:
    programme = programme_get_managed(membership=request.membership, programme_id=programme_id)
    relationship = _relationship(programme, relationship_id)
    form = InterventionForm(request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            for error in errors:
                show_error(request, f"{field}: {error}" if field != "__all__" else str(error))
    else:
        try:
            intervention = intervention_create(
                relationship=relationship,
                actor=request.user,
                kind=form.cleaned_data["kind"],
                message=form.cleaned_data["message"],
            )
        except AlongsideError as error:
            show_error(request, error)
        else:
            messages.success(
                request, _("%(kind)s: recorded.") % {"kind": intervention.get_kind_display()}
            )
    return redirect(
        "dashboards:relationship", request.organisation.slug, programme.pk, relationship.pk
    )


@org_view(*MANAGERS)
def overview(request: OrgRequest) -> HttpResponse:
    form = FilterForm(
        request.GET or None,
        options=people_filter_options(organisation=request.organisation),
        overview=True,
    )
    rows = organisation_overview(membership=request.membership, filters=_filters(form))
    totals = {
        "enrolled": sum(r.enrolled for r in rows),
        "matched": sum(r.matched for r in rows),
        "flagged": sum(r.flagged for r in rows),
        "meetings": sum(r.meetings_held_recently for r in rows),
    }
    return render(
        request,
        "dashboards/overview.html",
        {"rows": rows, "form": form, "totals": totals, "statuses": HealthStatus.choices},
    )


def _pdf_response(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@org_view()
def outcomes_pdf_view(request: OrgRequest, programme_id: int) -> HttpResponse:
    """The outcomes report as a PDF to forward (groups under five people never shown)."""
    programme = programme_get_managed(membership=request.membership, programme_id=programme_id)
    return _pdf_response(outcomes_pdf(programme=programme), pdf_filename(programme, "outcomes"))


@org_view()
def summary_pdf_view(request: OrgRequest, programme_id: int) -> HttpResponse:
    """A programme's summary on two pages: people, meetings, health and outcomes."""
    programme = programme_get_managed(membership=request.membership, programme_id=programme_id)
    return _pdf_response(summary_pdf(programme=programme), pdf_filename(programme, "summary"))
