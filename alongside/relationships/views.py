from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from alongside.core.errors import AlongsideError, NotFound
from alongside.core.messages import show_error
from alongside.organisations.tenancy import OrgRequest, org_view
from alongside.relationships.models import RelationshipMember
from alongside.relationships.selectors import my_active_member
from alongside.relationships.services import relationship_rename, rematch_request_create


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
            request,
            _("Your request was sent to the programme's managers; they will get back to you."),
        )
    return redirect("meetings:mine", org_slug=request.organisation.slug)


@org_view()
@require_POST
def rename(request: OrgRequest, relationship_id: int) -> HttpResponse:
    """A member names the relationship (an empty name goes back to the members' names)."""
    try:
        member = my_active_member(membership=request.membership, relationship_id=relationship_id)
    except NotFound as error:
        raise Http404(error.message) from error
    try:
        relationship = relationship_rename(
            relationship=member.relationship,
            member=member,
            actor=request.user,
            name=request.POST.get("name", ""),
        )
    except AlongsideError as error:
        show_error(request, error)
    else:
        messages.success(
            request,
            _("Renamed: everyone in it now sees “%(name)s”.") % {"name": relationship.name}
            if relationship.chosen_name
            else _("The name follows the members again: “%(name)s”.") % {"name": relationship.name},
        )
    return redirect(
        "meetings:relationship",
        org_slug=request.organisation.slug,
        relationship_id=relationship_id,
    )
