"""Accepting an invitation: the secret in the link is the credential."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _

from alongside.accounts.backends import PASSWORD_BACKEND
from alongside.accounts.forms import SetPasswordForm
from alongside.accounts.sign_in_links import safe_next
from alongside.core.errors import AlongsideError
from alongside.core.languages import activate_for_organisation
from alongside.core.messages import problems_for_form
from alongside.people.invitations import (
    invitation_accept,
    invitation_find,
    invitation_from_secret,
)


def accept_invitation(request: HttpRequest, secret: str) -> HttpResponse:
    invitation = invitation_from_secret(secret)
    next_path = safe_next(request.GET.get("next") or request.POST.get("next"))
    if invitation is None:
        stale = invitation_find(secret)
        if stale is not None:
            activate_for_organisation(request, stale.person.organisation.language)
        return render(
            request,
            "people/invitation_invalid.html",
            {"email": stale.person.email if stale else "", "next": next_path},
            status=404,
        )
    # Before they choose, the invitee sees their organisation's language.
    activate_for_organisation(request, invitation.organisation.language)
    form = SetPasswordForm(request.POST or None, initial={"language": translation.get_language()})
    refused = ""
    if request.method == "POST" and form.is_valid():
        try:
            user = invitation_accept(
                secret=secret,
                password=form.cleaned_data["password"],
                language=form.cleaned_data["language"],
            )
        except AlongsideError as error:
            if error.code == "refused":
                refused = error.message
            for message in problems_for_form(error).get(
                "password", [] if refused else [error.message]
            ):
                form.add_error("password", message)
        else:
            login(request, user, backend=PASSWORD_BACKEND)
            translation.activate(user.language or translation.get_language())
            messages.success(
                request,
                _("Welcome to %(organisation)s.") % {"organisation": invitation.organisation.name},
            )
            if next_path != "/":
                return redirect(next_path)
            return redirect("home:organisation", org_slug=invitation.organisation.slug)
    return render(
        request,
        "people/invitation.html",
        {"invitation": invitation, "form": form, "next": next_path, "refused": refused},
    )
