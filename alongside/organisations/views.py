from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from alongside.audit.selectors import audit_events_for_organisation
from alongside.core.errors import AlongsideError, NotFound
from alongside.core.messages import show_error
from alongside.core.pagination import paginate
from alongside.organisations.forms import (
    MembershipGrantForm,
    MembershipRoleForm,
    OrganisationSettingsForm,
)
from alongside.organisations.models import Membership
from alongside.organisations.selectors import organisation_members
from alongside.organisations.services import (
    membership_grant,
    membership_remove,
    membership_set_role,
    organisation_update,
)
from alongside.organisations.tenancy import ADMINS, OrgRequest, org_view
from alongside.outbox.models import OutboundEmail
from alongside.outbox.selectors import email_counts, email_get, emails_for
from alongside.outbox.services import email_retry


@login_required
def choose_organisation(request: HttpRequest) -> HttpResponse:
    """Send the user into their organisation (or let them pick one)."""
    memberships = list(
        Membership.objects.filter(user_id=request.user.pk or 0).select_related("organisation")
    )
    if len(memberships) == 1:
        return redirect("home:organisation", org_slug=memberships[0].organisation.slug)
    if not memberships:
        show_error(request, _("You are not a member of any organisation yet."))
    return render(request, "organisations/choose_organisation.html", {"memberships": memberships})


@org_view(*ADMINS)
def organisation_settings(request: OrgRequest) -> HttpResponse:
    organisation = request.organisation
    form = OrganisationSettingsForm(
        request.POST or None,
        initial={
            "name": organisation.name,
            "default_time_zone": organisation.default_time_zone,
            "language": organisation.language,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            organisation_update(organisation=organisation, actor=request.user, **form.cleaned_data)
        except AlongsideError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Settings saved."))
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
                _("%(user)s is now a %(lower)s.")
                % {"user": membership.user.email, "lower": membership.get_role_display().lower()},
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
        show_error(request, _("Choose a role from the list."))
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
                _("%(user)s is now a %(lower)s.")
                % {"user": membership.user.email, "lower": membership.get_role_display().lower()},
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
        messages.success(
            request, _("%(user)s no longer has access.") % {"user": membership.user.email}
        )
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


@org_view(*ADMINS)
def emails(request: OrgRequest) -> HttpResponse:
    """The organisation's outgoing emails: failed ones first, with the reason and a retry."""
    status = request.GET.get("status", OutboundEmail.Status.FAILED)
    if status not in OutboundEmail.Status.values:
        status = ""
    found = emails_for(organisation_id=request.organisation.pk, status=status)
    counts = email_counts(organisation_id=request.organisation.pk)
    return render(
        request,
        "organisations/emails.html",
        {
            "page": paginate(request, found, 50),
            "status": status,
            "statuses": [
                (value, label, counts[value]) for value, label in OutboundEmail.Status.choices
            ],
            "query": f"status={status}",
        },
    )


@org_view(*ADMINS)
@require_POST
def email_retry_view(request: OrgRequest, email_id: int) -> HttpResponse:
    try:
        email = email_get(organisation_id=request.organisation.pk, email_id=email_id)
    except NotFound as error:
        raise Http404(error.message) from error
    try:
        email_retry(email=email, actor=request.user, organisation=request.organisation)
    except AlongsideError as error:
        show_error(request, error)
    else:
        messages.success(
            request,
            _("The email to %(to)s is queued to be sent again.")
            % {"to": ", ".join(email.recipients)},
        )
    return redirect("organisations:emails", org_slug=request.organisation.slug)
