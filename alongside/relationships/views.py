from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from alongside.core.errors import AlongsideError
from alongside.core.messages import show_error
from alongside.meetings.selectors import mentoring_summaries, viewer_zone
from alongside.organisations.tenancy import OrgRequest, org_view
from alongside.relationships.models import RelationshipMember, RematchRequest
from alongside.relationships.selectors import relationships_of_member
from alongside.relationships.services import rematch_request_create


@org_view()
def my_relationships(request: OrgRequest) -> HttpResponse:
    """Who I am matched with, their public profile, and why — never their private intake."""
    relationships = list(relationships_of_member(membership=request.membership))
    asked = set(
        RematchRequest.objects.filter(
            enrolment__person__user=request.user,
            relationship__organisation=request.organisation,
            status=RematchRequest.Status.OPEN,
        ).values_list("relationship_id", flat=True)
    )
    for relationship in relationships:
        members = list(relationship.members.all())
        relationship.others = [m for m in members if m.person.user_id != request.user.pk]  # type: ignore[attr-defined]
        me = next((m for m in members if m.person.user_id == request.user.pk and m.is_active), None)
        relationship.can_ask_rematch = (  # type: ignore[attr-defined]
            me is not None and relationship.status == "active" and relationship.pk not in asked
        )
        relationship.rematch_asked = relationship.pk in asked  # type: ignore[attr-defined]
    summaries = mentoring_summaries(membership=request.membership, relationships=relationships)
    for relationship in relationships:
        relationship.summary = summaries[relationship.pk]  # type: ignore[attr-defined]
    return render(
        request,
        "relationships/mine.html",
        {"relationships": relationships, "zone": viewer_zone(membership=request.membership)},
    )


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
    return redirect("relationships:mine", org_slug=request.organisation.slug)
