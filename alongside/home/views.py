"""Everyone's start page in an organisation: their own mentoring, then the organisation."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from alongside.organisations.tenancy import OrgRequest, org_view
from alongside.people.selectors import directory_overview
from alongside.programmes.models import Enrolment, EnrolmentStatus
from alongside.relationships.selectors import relationships_of_member


@org_view()
def organisation_home(request: OrgRequest) -> HttpResponse:
    """Everyone's start page: their own mentoring first, then the organisation at a glance."""
    enrolments = (
        Enrolment.objects.filter(
            programme__organisation=request.organisation,
            person__user=request.user,
            status=EnrolmentStatus.ACTIVE,
        )
        .select_related("programme", "intake")
        .order_by("programme__start_date")
    )
    return render(
        request,
        "home/organisation.html",
        {
            "overview": directory_overview(organisation=request.organisation),
            "my_enrolments": list(enrolments),
            "my_relationships": [
                r
                for r in relationships_of_member(membership=request.membership)
                if r.status == "active"
            ],
        },
    )
