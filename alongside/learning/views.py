from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from alongside.core.errors import AlongsideError, NotFound
from alongside.core.messages import show_error
from alongside.learning.selectors import PROTECTED_RULES, learning_report, targets_for
from alongside.learning.services import learned_weights_apply
from alongside.organisations.tenancy import OrgRequest, org_view
from alongside.programmes.selectors import programme_get_managed, programmes_managed


@org_view()
def report(request: OrgRequest, programme_id: int) -> HttpResponse:
    programme = programme_get_managed(membership=request.membership, programme_id=programme_id)
    context = {
        "programme": programme,
        "report": learning_report(programme=programme),
        "targets": targets_for(
            programmes=programmes_managed(membership=request.membership), source=programme
        ),
        "protected": [(name, programme.matching_rules.get(name)) for name in PROTECTED_RULES],
    }
    return render(request, "learning/report.html", context)


@org_view()
@require_POST
def apply(request: OrgRequest, programme_id: int) -> HttpResponse:
    programme = programme_get_managed(membership=request.membership, programme_id=programme_id)
    raw = request.POST.get("target_programme_id", "")
    try:
        if not raw.isdigit():
            raise AlongsideError(_("Choose the programme to start with these weights."))
        try:
            target = programme_get_managed(membership=request.membership, programme_id=int(raw))
        except NotFound as error:
            raise AlongsideError(_("Choose one of the programmes you manage.")) from error
        learned_weights_apply(source=programme, target=target, actor=request.user)
    except AlongsideError as error:
        show_error(request, error)
        return redirect(
            "learning:report", org_slug=request.organisation.slug, programme_id=programme.pk
        )
    messages.success(
        request, _("%(name)s now starts with the suggested weights.") % {"name": target.name}
    )
    return redirect("programmes:detail", org_slug=request.organisation.slug, programme_id=target.pk)
