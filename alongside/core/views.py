from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render

from alongside.core.messages import show_error
from alongside.organisations.models import Membership


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send the user into their organisation (or let them pick one)."""
    memberships = list(
        Membership.objects.filter(user_id=request.user.pk or 0).select_related("organisation")
    )
    if len(memberships) == 1:
        return redirect("organisations:home", org_slug=memberships[0].organisation.slug)
    if not memberships:
        show_error(request, "You are not a member of any organisation yet.")
    return render(request, "core/choose_organisation.html", {"memberships": memberships})


def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
