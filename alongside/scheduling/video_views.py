"""Pages for video links: a relationship's choice (its members), a programme's default
(its managers) and the organisation's Zoom and Microsoft accounts (admins)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from alongside.core.errors import AlongsideError, Forbidden, NotFound
from alongside.core.messages import show_error
from alongside.organisations.tenancy import ADMINS, OrgRequest, org_view
from alongside.programmes.selectors import programme_get_managed
from alongside.scheduling import selectors
from alongside.scheduling.models import ACCOUNT_PROVIDERS, VideoProvider
from alongside.scheduling.video import (
    programme_video_of,
    programme_video_set,
    relationship_video_set,
    video_account_connect,
    video_account_disconnect,
    video_accounts_of,
)


def _show(request: OrgRequest, error: AlongsideError) -> None:
    show_error(request, error)
    for problem in error.problems:
        messages.error(request, str(problem))


@org_view()
@require_POST
def relationship_video(request: OrgRequest, relationship_id: int) -> HttpResponse:
    """A member chooses the relationship's video link."""
    try:
        relationship, _member = selectors.acting_member(
            membership=request.membership, relationship_id=relationship_id
        )
    except NotFound as error:
        raise Http404(error.message) from error
    except Forbidden as error:
        raise PermissionDenied(error.message) from error
    try:
        relationship_video_set(
            relationship=relationship,
            actor=request.user,
            choice=request.POST.get("choice", ""),
            fixed_url=request.POST.get("fixed_url", ""),
        )
    except AlongsideError as error:
        _show(request, error)
    else:
        messages.success(request, _("The video link is saved; invitations will carry it."))
    fallback = reverse("meetings:relationship", args=[request.organisation.slug, relationship.pk])
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = fallback
    return HttpResponseRedirect(target or fallback)


@org_view()
def programme_video(request: OrgRequest, programme_id: int) -> HttpResponse:
    """The programme's default video link for its relationships (its managers)."""
    programme = programme_get_managed(membership=request.membership, programme_id=programme_id)
    if request.method == "POST":
        try:
            programme_video_set(
                programme=programme,
                actor=request.user,
                provider=request.POST.get("provider", ""),
                fixed_url=request.POST.get("fixed_url", ""),
            )
        except AlongsideError as error:
            _show(request, error)
        else:
            messages.success(request, _("The programme's video link is saved."))
            return redirect("video:programme", request.organisation.slug, programme.pk)
    connected = video_accounts_of(organisation=request.organisation)
    return render(
        request,
        "scheduling/programme_video.html",
        {
            "programme": programme,
            "default": programme_video_of(programme),
            "choices": [
                (value, label)
                for value, label in VideoProvider.choices
                if value not in ACCOUNT_PROVIDERS or value in connected
            ],
            "missing_accounts": [
                VideoProvider(p).label for p in ACCOUNT_PROVIDERS if p not in connected
            ],
        },
    )


@org_view(*ADMINS)
def accounts(request: OrgRequest) -> HttpResponse:
    """Connect the organisation's Zoom or Microsoft 365 account."""
    if request.method == "POST":
        provider = request.POST.get("provider", "")
        try:
            video_account_connect(
                organisation=request.organisation,
                actor=request.user,
                provider=provider,
                account_id=request.POST.get("account_id", ""),
                client_id=request.POST.get("client_id", ""),
                client_secret=request.POST.get("client_secret", ""),
                organizer=request.POST.get("organizer", ""),
            )
        except AlongsideError as error:
            _show(request, error)
        else:
            messages.success(
                request,
                _("%(provider)s is connected.") % {"provider": VideoProvider(provider).label},
            )
            return redirect("video:accounts", request.organisation.slug)
    connected = video_accounts_of(organisation=request.organisation)
    return render(
        request,
        "scheduling/video_accounts.html",
        {
            "zoom": connected.get(VideoProvider.ZOOM),
            "teams": connected.get(VideoProvider.TEAMS),
        },
    )


@org_view(*ADMINS)
@require_POST
def account_disconnect(request: OrgRequest, provider: str) -> HttpResponse:
    try:
        video_account_disconnect(
            organisation=request.organisation, actor=request.user, provider=provider
        )
    except NotFound as error:
        raise Http404(error.message) from error
    messages.success(request, _("The account is disconnected."))
    return redirect("video:accounts", request.organisation.slug)


urlpatterns: list[URLPattern] = [
    path("", accounts, name="accounts"),
    path("<str:provider>/disconnect/", account_disconnect, name="disconnect"),
    path("programmes/<int:programme_id>/", programme_video, name="programme"),
]
