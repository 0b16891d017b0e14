"""The organisation's access page: paused sign-ins and service-account API tokens."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from alongside.core.errors import AlongsideError
from alongside.organisations.access import (
    lockout_clear,
    member_lockouts,
    service_token_get,
    service_token_issue,
    service_token_revoke,
    service_token_role,
    service_tokens,
)
from alongside.organisations.models import Role
from alongside.organisations.tenancy import ADMINS, OrgRequest, org_view


class ServiceTokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=100,
        help_text=gettext_lazy("What will use it, e.g. 'HR sync' or 'Reporting'."),
    )
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=Role.choices, initial=Role.MEMBER)
    expires_at = forms.DateTimeField(
        label=gettext_lazy("Expires"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text=gettext_lazy("Service tokens always expire; issue a new one before then."),
    )


def _page(request: OrgRequest, form: ServiceTokenForm, **extra: Any) -> HttpResponse:
    tokens = list(service_tokens(organisation=request.organisation))
    for token in tokens:
        token.role_label = Role(service_token_role(token, request.organisation)).label  # type: ignore[attr-defined]
    return render(
        request,
        "organisations/access.html",
        {
            "lockouts": member_lockouts(organisation=request.organisation),
            "tokens": tokens,
            "form": form,
            **extra,
        },
    )


@org_view(*ADMINS)
def access(request: OrgRequest) -> HttpResponse:
    return _page(request, ServiceTokenForm())


@org_view(*ADMINS)
@require_POST
def unlock(request: OrgRequest) -> HttpResponse:
    email = request.POST.get("email", "")
    try:
        lockout_clear(organisation=request.organisation, email=email, actor=request.user)
    except AlongsideError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("%(email)s can sign in with a password again.") % {"email": email}
        )
    return redirect("organisations:access", org_slug=request.organisation.slug)


@org_view(*ADMINS)
@require_POST
def service_token_new(request: OrgRequest) -> HttpResponse:
    form = ServiceTokenForm(request.POST)
    if form.is_valid():
        try:
            token, secret = service_token_issue(
                organisation=request.organisation, actor=request.user, **form.cleaned_data
            )
        except AlongsideError as error:
            for problem in error.problems:
                form.add_error(
                    problem.field if problem.field in form.fields else None, problem.message
                )
        else:
            return _page(request, ServiceTokenForm(), new_secret=secret, new_token=token)
    return _page(request, form)


@org_view(*ADMINS)
@require_POST
def service_token_end(request: OrgRequest) -> HttpResponse:
    token_id = request.POST.get("token_id", "")
    token = service_token_get(
        organisation=request.organisation, token_id=int(token_id) if token_id.isdigit() else 0
    )
    if token is None:
        raise Http404(_("No such service token."))
    service_token_revoke(organisation=request.organisation, token=token, actor=request.user)
    messages.success(request, _("The token '%(name)s' is revoked.") % {"name": token.name})
    return redirect("organisations:access", org_slug=request.organisation.slug)
