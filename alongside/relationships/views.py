from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from alongside.core.tenancy import OrgRequest, org_view
from alongside.relationships.selectors import relationships_of_member


@org_view()
def my_relationships(request: OrgRequest) -> HttpResponse:
    """Who I am matched with, their public profile, and why — never their private intake."""
    relationships = list(relationships_of_member(membership=request.membership))
    return render(request, "relationships/mine.html", {"relationships": relationships})
