from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from alongside.audit.selectors import audit_events_for_organisation
from alongside.core.errors import AlongsideError
from alongside.core.messages import show_error
from alongside.core.pagination import paginate
from alongside.organisations.forms import (
    MembershipGrantForm,
    MembershipRoleForm,
    OrganisationSettingsForm,
)
from alongside.organisations.models import Membership
from alongside.organisations.selectors import organisation_members, organisation_overview
from alongside.organisations.services import (
    membership_grant,
    membership_remove,
    membership_set_role,
    organisation_update,
)
from alongside.organisations.tenancy import ADMINS, OrgRequest, org_view


@org_view()
def organisation_home(request: OrgRequest) -> HttpResponse:
    """Everyone's start page: their own mentoring first, then the organisation at a glance."""
    from alongside.programmes.models import Enrolment, EnrolmentStatus
    from alongside.relationships.selectors import relationships_of_member

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
        "organisations/home.html",
        {
            "overview": organisation_overview(organisation=request.organisation),
            "my_enrolments": list(enrolments),
            "my_relationships": [
                r
                for r in relationships_of_member(membership=request.membership)
                if r.status == "active"
            ],
        },
    )


@org_view(*ADMINS)
def organisation_settings(request: OrgRequest) -> HttpResponse:
    organisation = request.organisation
    form = OrganisationSettingsForm(
        request.POST or None,
        initial={"name": organisation.name, "default_time_zone": organisation.default_time_zone},
    )
    if request.method == "POST" and form.is_valid():
        try:
            organisation_update(organisation=organisation, actor=request.user, **form.cleaned_data)
        except AlongsideError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "Settings saved.")
            return redirect("organisations:settings", org_slug=organisation.slug)
    return render(request, "organisations/settings.html", {"form": form})


@org_view(*ADMINS)
def members(request: OrgRequest) -> HttpResponse:
    form = MembershipGrantForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            membership = membership_grant(
                organisation=request.organisation, actor=request.user, **form.cleaned_data
            )
        except AlongsideError as error:
            form.add_error("email", error.message)
        else:
            messages.success(
                request,
                f"{membership.user.email} is now a {membership.get_role_display().lower()}.",
            )
            return redirect("organisations:members", org_slug=request.organisation.slug)
    return render(
        request,
        "organisations/members.html",
        {
            "form": form,
            "members": organisation_members(organisation=request.organisation),
            "role_form": MembershipRoleForm(),
        },
    )


@org_view(*ADMINS)
@require_POST
def member_role(request: OrgRequest, membership_id: int) -> HttpResponse:
    membership = get_object_or_404(Membership, pk=membership_id, organisation=request.organisation)
    form = MembershipRoleForm(request.POST)
    if not form.is_valid():
        show_error(request, "Choose a role from the list.")
    else:
        try:
            membership = membership_set_role(
                membership=membership, role=form.cleaned_data["role"], actor=request.user
            )
        except AlongsideError as error:
            show_error(request, error)
        else:
            messages.success(
                request,
                f"{membership.user.email} is now a {membership.get_role_display().lower()}.",
            )
    return redirect("organisations:members", org_slug=request.organisation.slug)


@org_view(*ADMINS)
@require_POST
def member_remove(request: OrgRequest, membership_id: int) -> HttpResponse:
    membership = get_object_or_404(Membership, pk=membership_id, organisation=request.organisation)
    try:
        membership_remove(membership=membership, actor=request.user)
    except AlongsideError as error:
        show_error(request, error)
    else:
        messages.success(request, f"{membership.user.email} no longer has access.")
    return redirect("organisations:members", org_slug=request.organisation.slug)


@org_view(*ADMINS)
def audit_log(request: OrgRequest) -> HttpResponse:
    action = request.GET.get("action", "")
    events = audit_events_for_organisation(organisation=request.organisation, action=action)
    return render(
        request,
        "organisations/audit.html",
        {"page": paginate(request, events.select_related("actor"), 50), "action": action},
    )
