"""Pages: a programme's nudge switches and send log (managers); one's own email frequency."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from alongside.accounts.api_auth import request_user
from alongside.core.errors import AlongsideError
from alongside.core.messages import show_error
from alongside.core.pagination import paginate
from alongside.nudges.catalogue import catalogue
from alongside.nudges.channels import channel_choices
from alongside.nudges.models import Frequency, NudgeDelivery
from alongside.nudges.selectors import (
    frequency_of,
    programme_deliveries,
    programme_delivery_counts,
    programme_nudges,
)
from alongside.nudges.services import (
    channel_preferences_of,
    channel_preferences_set,
    message_kinds,
    nudge_preference_set,
    programme_nudges_configure,
)
from alongside.organisations.tenancy import OrgRequest, org_view
from alongside.people.models import Person
from alongside.programmes.selectors import programme_get_managed


def _viewer_zone(request: OrgRequest) -> str:
    zone = (
        Person.objects.filter(organisation=request.organisation, user=request.user)
        .values_list("timezone", flat=True)
        .first()
    )
    return zone or request.organisation.default_time_zone


@org_view()
def programme_settings(request: OrgRequest, programme_id: int) -> HttpResponse:
    """Which nudges this programme sends; saving switches each on or off."""
    programme = programme_get_managed(membership=request.membership, programme_id=programme_id)
    if request.method == "POST":
        chosen = set(request.POST.getlist("enabled"))
        try:
            programme_nudges_configure(
                programme=programme,
                actor=request.user,
                enabled={nudge.key: nudge.key in chosen for nudge in catalogue()},
            )
        except AlongsideError as error:
            show_error(request, error)
        else:
            messages.success(request, _("Nudge settings saved."))
        return redirect("nudges:settings", request.organisation.slug, programme.pk)
    return render(
        request,
        "nudges/settings.html",
        {
            "programme": programme,
            "switches": programme_nudges(programme=programme),
            "counts": programme_delivery_counts(programme=programme),
        },
    )


@org_view()
def programme_log(request: OrgRequest, programme_id: int) -> HttpResponse:
    """Every nudge this programme recorded: to whom, about what, and whether it went."""
    programme = programme_get_managed(membership=request.membership, programme_id=programme_id)
    status = request.GET.get("status", "")
    page = paginate(request, programme_deliveries(programme=programme, status=status))
    return render(
        request,
        "nudges/log.html",
        {
            "programme": programme,
            "page": page,
            "status": status,
            "statuses": NudgeDelivery.Status.choices,
            "titles": {nudge.key: nudge.title for nudge in catalogue()},
            "viewer_zone": _viewer_zone(request),
            "query": f"status={status}" if status else "",
        },
    )


@login_required
def email_preferences(request: HttpRequest) -> HttpResponse:
    """How often the signed-in person hears from us, in every organisation."""
    user = request_user(request)
    if request.method == "POST" and request.POST.get("form") == "channels":
        try:
            channel_preferences_set(
                user=user,
                chosen={
                    kind: request.POST.get(f"channel-{kind}", "")
                    for kind, _title in message_kinds()
                    if f"channel-{kind}" in request.POST
                },
            )
        except AlongsideError as error:
            show_error(request, error)
            for problem in error.problems:
                messages.error(request, str(problem))
        else:
            messages.success(request, _("Your channels are saved."))
        return redirect("email_preferences")
    if request.method == "POST":
        try:
            nudge_preference_set(user=user, frequency=request.POST.get("frequency", ""))
        except AlongsideError as error:
            show_error(request, error)
            for problem in error.problems:
                messages.error(request, problem.message)
        else:
            messages.success(request, _("Your email preference is saved."))
        return redirect("email_preferences")
    return render(
        request,
        "nudges/preferences.html",
        {
            "frequency": frequency_of(user=user),
            "choices": Frequency.choices,
            "essentials": [n for n in catalogue() if n.essential],
            "kinds": message_kinds(),
            "channel_choices": channel_choices(),
            "chosen_channels": channel_preferences_of(user=user),
        },
    )
