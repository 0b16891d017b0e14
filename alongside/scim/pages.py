"""Settings › Provisioning: the SCIM endpoint's address and the organisation's tokens."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from alongside.core.errors import AlongsideError
from alongside.core.messages import show_error
from alongside.organisations.tenancy import ADMINS, OrgRequest, org_view
from alongside.scim.models import ScimGroup, ScimToken, ScimUser
from alongside.scim.tokens import (
    scim_token_create,
    scim_token_get,
    scim_token_revoke,
    scim_token_rotate,
)


class TokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=100,
        help_text=gettext_lazy("Which identity provider uses it, e.g. 'Entra ID production'."),
    )


def _context(request: OrgRequest, form: TokenForm, secret: str = "") -> dict[str, Any]:
    organisation = request.organisation
    return {
        "form": form,
        "secret": secret,
        "tokens": ScimToken.objects.filter(organisation=organisation).select_related("created_by"),
        "base_url": request.build_absolute_uri(f"/scim/v2/{organisation.slug}"),
        "provisioned": ScimUser.objects.filter(
            organisation=organisation, deleted_at__isnull=True
        ).count(),
        "groups": ScimGroup.objects.filter(organisation=organisation).count(),
    }


@org_view(*ADMINS)
def provisioning_settings(request: OrgRequest) -> HttpResponse:
    return render(request, "scim/settings.html", _context(request, TokenForm()))


@org_view(*ADMINS)
@require_POST
def token_create(request: OrgRequest) -> HttpResponse:
    form = TokenForm(request.POST)
    if form.is_valid():
        try:
            _token, secret = scim_token_create(
                organisation=request.organisation,
                actor=request.user,
                name=form.cleaned_data["name"],
            )
        except AlongsideError as error:
            for message in [str(p) for p in error.problems] or [error.message]:
                form.add_error(None, message)
        else:
            messages.success(request, _("Copy the token now: it is shown only once."))
            return render(request, "scim/settings.html", _context(request, TokenForm(), secret))
    return render(request, "scim/settings.html", _context(request, form))


@org_view(*ADMINS)
@require_POST
def token_rotate(request: OrgRequest, token_id: int) -> HttpResponse:
    token = scim_token_get(organisation=request.organisation, token_id=token_id)
    try:
        _new, secret = scim_token_rotate(token=token, actor=request.user)
    except AlongsideError as error:
        show_error(request, error)
        return redirect("provisioning:settings", org_slug=request.organisation.slug)
    messages.success(
        request,
        _("The old token no longer works. Copy the new one now: it is shown only once."),
    )
    return render(request, "scim/settings.html", _context(request, TokenForm(), secret))


@org_view(*ADMINS)
@require_POST
def token_revoke(request: OrgRequest, token_id: int) -> HttpResponse:
    token = scim_token_get(organisation=request.organisation, token_id=token_id)
    try:
        scim_token_revoke(token=token, actor=request.user)
    except AlongsideError as error:
        show_error(request, error)
    else:
        messages.success(request, _("The token is revoked; it no longer works."))
    return redirect("provisioning:settings", org_slug=request.organisation.slug)
