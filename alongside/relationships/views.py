from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from alongside.core.errors import AlongsideError
from alongside.core.messages import show_error
from alongside.organisations.tenancy import OrgRequest, org_view
from alongside.relationships.models import RelationshipMember
from alongside.relationships.services import rematch_request_create


@org_view()
@require_POST
def rematch(request: OrgRequest, relationship_id: int) -> HttpResponse:
    """A participant asks the programme's managers to be matched with someone else."""
    member = (
        RelationshipMember.objects.filter(
            relationship_id=relationship_id,
            relationship__organisation=request.organisation,
            person__user=request.user,
            is_active=True,
        )
        .select_related("relationship__organisation", "enrolment")
        .first()
    )
    if member is None:
        raise Http404("No such relationship of yours.")
    try:
        rematch_request_create(
            enrolment=member.enrolment,
            relationship=member.relationship,
            actor=request.user,
            reason=request.POST.get("reason", ""),
        )
    except AlongsideError as error:
        show_error(request, error)
    else:
        messages.success(
            request, "Your request was sent to the programme's managers; they will get back to you."
        )
    return redirect("meetings:mine", org_slug=request.organisation.slug)
