"""Pages for participant choice: a participant's suggestions and requests, and the
programme's settings for its managers."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from alongside.core.errors import AlongsideError, NotFound
from alongside.core.messages import show_error
from alongside.organisations.tenancy import OrgRequest, org_view
from alongside.programmes.models import Enrolment, EnrolmentStatus, Programme
from alongside.programmes.selectors import (
    can_manage,
    my_enrolment,
    programme_get,
    programme_get_managed,
)
from alongside.selfmatch import hybrid, selectors, services
from alongside.selfmatch.models import SELF_MATCH_MODES, ChoiceMode, MatchRequest


def _programme_and_me(request: OrgRequest, programme_id: int) -> tuple[Programme, Enrolment]:
    programme = programme_get(membership=request.membership, programme_id=programme_id)
    me = my_enrolment(membership=request.membership, programme=programme)
    if me is None or me.status != EnrolmentStatus.ACTIVE:
        raise NotFound(_("You are not taking part in this programme."))
    return programme, me


def _other(programme: Programme, enrolment_id: int) -> Enrolment:
    found = (
        Enrolment.objects.select_related("person", "programme__organisation")
        .filter(programme=programme, pk=enrolment_id)
        .first()
    )
    if found is None:
        raise NotFound(_("No such participant in this programme."))
    return found


def _back(request: OrgRequest, programme: Programme) -> HttpResponse:
    return redirect(
        "selfmatch:choose", org_slug=request.organisation.slug, programme_id=programme.pk
    )


@org_view()
def choose(request: OrgRequest, programme_id: int) -> HttpResponse:
    programme = programme_get(membership=request.membership, programme_id=programme_id)
    me = my_enrolment(membership=request.membership, programme=programme)
    settings_ = selectors.choice_settings(programme)
    context: dict[str, object] = {
        "programme": programme,
        "settings": settings_,
        "me": me,
        "manages": can_manage(membership=request.membership, programme=programme),
        "self_match": settings_.mode in SELF_MATCH_MODES,
        "hybrid": settings_.mode == ChoiceMode.HYBRID,
    }
    if me is not None and me.status == EnrolmentStatus.ACTIVE:
        placed = selectors.is_placed(me)
        limit = settings_.suggestions if settings_.mode == ChoiceMode.HYBRID else None
        sent = list(selectors.requests_sent(me)[:20])
        context.update(
            placed=placed,
            suggestions=[] if placed else selectors.suggestions_for(enrolment=me, limit=limit),
            waiting=next((r for r in sent if r.status == MatchRequest.Status.PENDING), None),
            sent=sent,
            received=list(selectors.requests_received(me)[:50]),
            bookmarks=list(selectors.bookmarks_of(me)),
            next_bookmark=None if placed else selectors.next_bookmark(me),
            pick=selectors.pick_of(me),
            picked_me=selectors.picked_by_others(me),
            can_request=(
                settings_.mode in SELF_MATCH_MODES
                and not placed
                and (not programme.is_mentoring or me.role == "mentee")
            ),
        )
    return render(request, "selfmatch/choose.html", context)


@org_view()
@require_POST
def bookmark(request: OrgRequest, programme_id: int, enrolment_id: int) -> HttpResponse:
    programme, me = _programme_and_me(request, programme_id)
    target = _other(programme, enrolment_id)
    on = request.POST.get("on", "1") == "1"
    try:
        services.bookmark_set(enrolment=me, target=target, on=on)
    except AlongsideError as error:
        show_error(request, error)
    return _back(request, programme)


@org_view()
@require_POST
def send_request(request: OrgRequest, programme_id: int, enrolment_id: int) -> HttpResponse:
    programme, me = _programme_and_me(request, programme_id)
    target = _other(programme, enrolment_id)
    try:
        sent = services.match_request_send(
            enrolment=me,
            recipient=target,
            message=request.POST.get("message", ""),
            actor=request.user,
        )
    except AlongsideError as error:
        show_error(request, error)
    else:
        if sent.status == MatchRequest.Status.ACCEPTED:
            messages.success(
                request, _("%(name)s is now your mentor.") % {"name": target.person.name}
            )
        else:
            messages.success(
                request,
                _("Your request was sent to %(name)s, who has until %(date)s to answer.")
                % {
                    "name": target.person.name,
                    "date": timezone.localtime(sent.respond_by).strftime("%d %b %Y %H:%M")
                    if sent.respond_by
                    else "",
                },
            )
    return _back(request, programme)


def _my_request(request: OrgRequest, programme: Programme, me: Enrolment, pk: int) -> MatchRequest:
    found = selectors.request_get(enrolment=me, request_id=pk)
    if found.programme_id != programme.pk:
        raise NotFound(_("No such request."))
    return found


def _answer(
    request: OrgRequest, programme_id: int, match_request_id: int, verb: str
) -> HttpResponse:
    programme, me = _programme_and_me(request, programme_id)
    found = _my_request(request, programme, me, match_request_id)
    mine_to_answer = found.recipient_id == me.pk
    try:
        if verb == "withdraw":
            if found.requester_id != me.pk:
                raise NotFound(_("No such request."))
            services.match_request_withdraw(request=found, actor=request.user)
            messages.success(request, _("Your request was withdrawn."))
        elif not mine_to_answer:
            raise NotFound(_("No such request."))
        elif verb == "accept":
            services.match_request_accept(request=found, actor=request.user)
            messages.success(
                request,
                _("You and %(name)s are matched; propose a first meeting time together.")
                % {"name": found.requester.person.name},
            )
        else:
            services.match_request_decline(
                request=found, actor=request.user, reply=request.POST.get("reply", "")
            )
            messages.success(
                request,
                _("You declined %(name)s's request; they will be pointed to other suggestions.")
                % {"name": found.requester.person.name},
            )
    except NotFound:
        raise
    except AlongsideError as error:
        show_error(request, error)
    return _back(request, programme)


@org_view()
@require_POST
def accept(request: OrgRequest, programme_id: int, match_request_id: int) -> HttpResponse:
    return _answer(request, programme_id, match_request_id, "accept")


@org_view()
@require_POST
def decline(request: OrgRequest, programme_id: int, match_request_id: int) -> HttpResponse:
    return _answer(request, programme_id, match_request_id, "decline")


@org_view()
@require_POST
def withdraw(request: OrgRequest, programme_id: int, match_request_id: int) -> HttpResponse:
    return _answer(request, programme_id, match_request_id, "withdraw")


@org_view()
@require_POST
def pick(request: OrgRequest, programme_id: int) -> HttpResponse:
    programme, me = _programme_and_me(request, programme_id)
    raw = request.POST.get("enrolment_id", "")
    try:
        chosen = _other(programme, int(raw)) if raw.isdigit() else None
        if raw and not raw.isdigit():
            raise AlongsideError(_("Choose one of your suggestions, or pass."), code="invalid")
        hybrid.hybrid_pick(enrolment=me, chosen=chosen, actor=request.user)
    except NotFound:
        raise
    except AlongsideError as error:
        show_error(request, error)
    else:
        if chosen is None:
            messages.success(request, _("You passed; the engine will find your match."))
        else:
            messages.success(request, _("You picked %(name)s.") % {"name": chosen.person.name})
    return _back(request, programme)


def _deadline(value: str) -> datetime | None:
    parsed = parse_datetime(value) if "T" in value else None
    if parsed is None:
        try:
            day = datetime.strptime(value, "%Y-%m-%d").date()  # noqa: DTZ007 - made aware below
        except ValueError:
            return None
        parsed = datetime.combine(day, time(23, 59))
    return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed


@org_view()
def manage(request: OrgRequest, programme_id: int) -> HttpResponse:
    programme = programme_get_managed(membership=request.membership, programme_id=programme_id)
    settings_ = selectors.choice_settings(programme)
    if request.method == "POST":
        action = request.POST.get("action", "settings")
        try:
            if action == "open_picks":
                close_at = _deadline(request.POST.get("close_at", ""))
                if close_at is None:
                    raise AlongsideError(
                        _("Give the picking deadline as a date (YYYY-MM-DD)."), code="invalid"
                    )
                hybrid.hybrid_picks_open(programme=programme, actor=request.user, close_at=close_at)
                messages.success(request, _("Picking is open."))
            elif action == "close_picks":
                held = hybrid.hybrid_picks_close(programme=programme, actor=request.user)
                messages.success(
                    request,
                    _("Picking is closed: %(count)d picks are kept together in the next run.")
                    % {"count": held},
                )
            else:
                services.choice_settings_update(
                    programme=programme,
                    actor=request.user,
                    mode=request.POST.get("mode", ""),
                    response_days=_number(request.POST.get("response_days"), 3),
                    suggestions=_number(request.POST.get("suggestions"), 5),
                )
                messages.success(request, _("Saved."))
        except AlongsideError as error:
            show_error(request, error)
        return redirect(
            "selfmatch:manage", org_slug=request.organisation.slug, programme_id=programme.pk
        )
    context = {
        "programme": programme,
        "settings": settings_,
        "modes": ChoiceMode.choices,
        "requests": list(selectors.requests_for_programme(programme)[:200]),
        "picks": list(selectors.picks_for_programme(programme)),
        "held": hybrid.effective_picks(programme),
        "default_close": (timezone.localdate() + timedelta(days=7)).isoformat(),
    }
    return render(request, "selfmatch/manage.html", context)


def _number(value: str | None, default: int) -> int:
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        return -1  # the service names the field and the allowed range
