"""Accepting an invitation: the secret in the link is the credential."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _

from alongside.accounts.forms import SetPasswordForm
from alongside.core.errors import AlongsideError
from alongside.core.languages import activate_for_organisation
from alongside.core.messages import problems_for_form
from alongside.people.invitations import invitation_accept, invitation_from_secret


def accept_invitation(request: HttpRequest, secret: str) -> HttpResponse:
    invitation = invitation_from_secret(secret)
    if invitation is None:
        return render(request, "people/invitation_invalid.html", status=404)
    # Before they choose, the invitee sees their organisation's language.
    activate_for_organisation(request, invitation.organisation.language)
    form = SetPasswordForm(request.POST or None, initial={"language": translation.get_language()})
    if request.method == "POST" and form.is_valid():
        try:
            user = invitation_accept(
                secret=secret,
                password=form.cleaned_data["password"],
                language=form.cleaned_data["language"],
            )
        except AlongsideError as error:
            for message in problems_for_form(error).get("password", [error.message]):
                form.add_error("password", message)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            translation.activate(user.language or translation.get_language())
            messages.success(
                request,
                _("Welcome to %(organisation)s.") % {"organisation": invitation.organisation.name},
            )
            return redirect("home:organisation", org_slug=invitation.organisation.slug)
    return render(request, "people/invitation.html", {"invitation": invitation, "form": form})
