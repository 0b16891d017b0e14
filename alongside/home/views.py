"""Everyone's start page in an organisation: what is next for them, in every role they have.

A participant's next meeting, actions, surveys and decisions; a mentor's mentees; the
programmes a manager runs, each with its steps and what needs them; an admin's set-up.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from alongside.home.progress import programme_progress
from alongside.home.selectors import (
    organisation_setup,
    participant_home,
    programmes_to_show,
)
from alongside.meetings.selectors import viewer_zone
from alongside.organisations.models import Role
from alongside.organisations.tenancy import OrgRequest, org_view
from alongside.people.selectors import directory_overview
from alongside.programmes.selectors import programmes_managed


@org_view()
def organisation_home(request: OrgRequest) -> HttpResponse:
    membership = request.membership
    zone = viewer_zone(membership=membership)
    participant = participant_home(membership=membership, zone=zone)
    managed = programmes_to_show(programmes=list(programmes_managed(membership=membership)))
    is_admin = membership.role == Role.ADMIN
    setup = organisation_setup(membership=membership) if is_admin else []
    return render(
        request,
        "home/organisation.html",
        {
            "zone": zone,
            "participant": participant,
            "progress": programme_progress(
                programmes=managed, organisation_slug=request.organisation.slug
            ),
            "setup": setup,
            "setup_done": sum(step.done for step in setup),
            "overview": (
                directory_overview(organisation=request.organisation)
                if membership.can_manage_programmes
                else None
            ),
        },
    )
