"""The rounds page of a flash-rounds programme, and the one-click skip from an email."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from alongside.core.errors import AlongsideError, NotFound
from alongside.core.messages import show_error
from alongside.flash import selectors, services
from alongside.flash.models import FlashRound
from alongside.organisations.tenancy import OrgRequest, org_view
from alongside.programmes.models import Enrolment, EnrolmentStatus, Format, Programme
from alongside.programmes.selectors import (
    can_manage,
    my_enrolment,
    programme_get,
    programme_get_managed,
)


def _flash(programme: Programme) -> Programme:
    if programme.format != Format.FLASH_ROUNDS:
        raise NotFound(_("This programme has no flash rounds."))
    return programme


def _me(request: OrgRequest, programme: Programme) -> Enrolment:
    me = my_enrolment(membership=request.membership, programme=programme)
    if me is None or me.status != EnrolmentStatus.ACTIVE:
        raise NotFound(_("You are not taking part in this programme."))
    return me


def _back(request: OrgRequest, programme: Programme) -> HttpResponse:
    return redirect("flash:rounds", org_slug=request.organisation.slug, programme_id=programme.pk)


@org_view()
def rounds(request: OrgRequest, programme_id: int) -> HttpResponse:
    programme = programme_get(membership=request.membership, programme_id=programme_id)
    me = my_enrolment(membership=request.membership, programme=programme)
    all_rounds = list(selectors.rounds_for(programme))
    mine: list[dict[str, Any]] = []
    if me is not None:
        for flash_round in all_rounds:
            group = next(
                (
                    g
                    for g in flash_round.groups.all()
                    for m in g.members.all()
                    if m.enrolment_id == me.pk
                ),
                None,
            )
            mine.append(
                {
                    "round": flash_round,
                    "group": group,
                    "others": [m.person for m in group.members.all() if m.enrolment_id != me.pk]
                    if group
                    else [],
                    "skipped": any(s.enrolment_id == me.pk for s in flash_round.skips.all()),
                    "pulse": selectors.my_pulse(group=group, enrolment=me) if group else None,
                    "met": flash_round.meets_at <= timezone.now(),
                }
            )
    context = {
        "programme": programme,
        "me": me,
        "mine": list(reversed(mine)),
        "rounds": list(reversed(all_rounds)),
        "manages": can_manage(membership=request.membership, programme=programme),
        "is_flash": programme.format == Format.FLASH_ROUNDS,
    }
    return render(request, "flash/rounds.html", context)


@org_view()
@require_POST
def skip(request: OrgRequest, programme_id: int, round_id: int) -> HttpResponse:
    programme = programme_get(membership=request.membership, programme_id=programme_id)
    flash_round = selectors.round_get(programme=programme, round_id=round_id)
    me = _me(request, programme)
    wants_skip = request.POST.get("skip", "1") == "1"
    try:
        services.flash_round_skip(
            flash_round=flash_round, enrolment=me, skip=wants_skip, actor=request.user
        )
    except AlongsideError as error:
        show_error(request, error)
    else:
        text = _("You skip round %(number)d.") if wants_skip else _("You are in round %(number)d.")
        messages.success(request, text % {"number": flash_round.number})
    return _back(request, programme)


@org_view()
@require_POST
def pulse(request: OrgRequest, programme_id: int, round_id: int) -> HttpResponse:
    programme = programme_get(membership=request.membership, programme_id=programme_id)
    flash_round = selectors.round_get(programme=programme, round_id=round_id)
    me = _me(request, programme)
    group = selectors.my_group(flash_round=flash_round, enrolment=me)
    if group is None:
        raise Http404(_("You were not in this round."))
    raw = request.POST.get("useful", "")
    try:
        services.flash_pulse_answer(
            group=group,
            enrolment=me,
            useful=int(raw) if raw.isdigit() else -1,
            learned=request.POST.get("learned") == "yes",
        )
    except AlongsideError as error:
        show_error(request, error)
    else:
        messages.success(request, _("Thank you; your answer is saved."))
    return _back(request, programme)


@org_view()
def ics(request: OrgRequest, programme_id: int, round_id: int) -> HttpResponse:
    """A participant's invitation to their conversation; for the programme's managers,
    the round's conversations in one calendar file."""
    programme = programme_get(membership=request.membership, programme_id=programme_id)
    flash_round = selectors.round_get(programme=programme, round_id=round_id)
    me = my_enrolment(membership=request.membership, programme=programme)
    group = selectors.my_group(flash_round=flash_round, enrolment=me) if me else None
    if group is not None:
        body = services.group_invitation(group)
    elif can_manage(membership=request.membership, programme=programme):
        body = services.round_calendar(flash_round)
    else:
        raise Http404(_("You were not in this round."))
    response = HttpResponse(body, content_type="text/calendar")
    response["Content-Disposition"] = f'attachment; filename="round-{flash_round.number}.ics"'
    return response


@org_view()
@require_POST
def plan(request: OrgRequest, programme_id: int) -> HttpResponse:
    programme = _flash(
        programme_get_managed(membership=request.membership, programme_id=programme_id)
    )
    raw = request.POST.get("meets_at", "")
    try:
        when = parse_datetime(raw) if raw else None
        if raw and when is None:
            raise AlongsideError(_("Give the time as YYYY-MM-DDTHH:MM."), code="invalid")
        if when is not None and timezone.is_naive(when):
            when = timezone.make_aware(when)
        flash_round = services.flash_round_plan(
            programme=programme, actor=request.user, meets_at=when
        )
    except AlongsideError as error:
        show_error(request, error)
    else:
        messages.success(
            request, _("Round %(number)d is planned.") % {"number": flash_round.number}
        )
    return _back(request, programme)


@org_view()
@require_POST
def pair(request: OrgRequest, programme_id: int, round_id: int) -> HttpResponse:
    programme = _flash(
        programme_get_managed(membership=request.membership, programme_id=programme_id)
    )
    flash_round = selectors.round_get(programme=programme, round_id=round_id)
    try:
        groups = services.flash_round_pair(flash_round=flash_round, actor=request.user)
    except AlongsideError as error:
        show_error(request, error)
    else:
        messages.success(
            request,
            _("Round %(number)d is paired: %(groups)d conversations, invitations sent.")
            % {"number": flash_round.number, "groups": len(groups)},
        )
    return _back(request, programme)


def skip_link(request: HttpRequest, token: str) -> HttpResponse:
    """From the round's email: one button to skip it (the signed link is the credential;
    the skip itself is a POST, so a mail scanner opening the link changes nothing)."""
    found = services.read_skip_token(token)
    flash_round = enrolment = None
    if found is not None:
        flash_round = FlashRound.objects.select_related("programme").filter(pk=found[0]).first()
        enrolment = Enrolment.objects.select_related("person").filter(pk=found[1]).first()
    if (
        flash_round is None
        or enrolment is None
        or enrolment.programme_id != flash_round.programme_id
    ):
        raise Http404(_("This link is not valid any more."))
    done = False
    if request.method == "POST":
        try:
            services.flash_round_skip(
                flash_round=flash_round, enrolment=enrolment, skip=True, actor=None
            )
            done = True
        except AlongsideError as error:
            return render(
                request,
                "flash/skip_link.html",
                {"round": flash_round, "error": error.message, "enrolment": enrolment},
            )
    return render(
        request,
        "flash/skip_link.html",
        {
            "round": flash_round,
            "enrolment": enrolment,
            "done": done or selectors.skipped(flash_round=flash_round, enrolment=enrolment),
        },
    )
