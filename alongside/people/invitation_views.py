"""Accepting an invitation: the secret in the link is the credential."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from alongside.accounts.forms import SetPasswordForm
from alongside.core.errors import AlongsideError
from alongside.core.messages import problems_for_form
from alongside.people.invitations import invitation_accept, invitation_from_secret


def accept_invitation(request: HttpRequest, secret: str) -> HttpResponse:
    invitation = invitation_from_secret(secret)
    if invitation is None:
        return render(request, "people/invitation_invalid.html", status=404)
    form = SetPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = invitation_accept(secret=secret, password=form.cleaned_data["password"])
        except AlongsideError as error:
            for message in problems_for_form(error).get("password", [error.message]):
                form.add_error("password", message)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, f"Welcome to {invitation.organisation.name}.")
            return redirect("home:organisation", org_slug=invitation.organisation.slug)
    return render(request, "people/invitation.html", {"invitation": invitation, "form": form})
