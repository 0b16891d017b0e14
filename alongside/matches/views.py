"""The manager's matching pages: run, review and adjust a draft, publish, follow up."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import floatformat
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRefresh

from alongside.core.errors import AlongsideError, NotFound
from alongside.core.folding import fold
from alongside.core.messages import show_error
from alongside.core.pagination import paginate
from alongside.matches import review_words, selectors
from alongside.matches.models import MatchRun, PairingRule
from alongside.matches.services import (
    match_group_lock,
    match_member_move,
    match_members_swap,
    match_run_discard,
    match_run_publish,
    match_run_request,
    pairing_rule_remove,
    pairing_rule_set,
    relationship_add_late_joiner,
)
from alongside.organisations.tenancy import OrgRequest, org_view
from alongside.programmes.models import Format, Programme
from alongside.programmes.selectors import programme_get_managed
from alongside.relationships import selectors as relationship_selectors
from alongside.relationships.services import rematch_request_resolve

WORKING = (MatchRun.Status.QUEUED, MatchRun.Status.RUNNING)


def _found(lookup: Any, **kwargs: Any) -> Any:
    try:
        return lookup(**kwargs)
    except NotFound as error:
        raise Http404(error.message) from error


def _int(value: str | None) -> int | None:
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        return None


def _to_review(request: OrgRequest, programme: Programme) -> HttpResponse:
    return redirect("matches:review", org_slug=request.organisation.slug, programme_id=programme.pk)


def _to_run(request: OrgRequest, run: MatchRun) -> HttpResponse:
    return redirect(
        "matches:run_detail",
        org_slug=request.organisation.slug,
        programme_id=run.programme_id,
        run_id=run.pk,
    )


def _to_relationships(request: OrgRequest, programme: Programme) -> HttpResponse:
    return redirect(
        "matches:relationships", org_slug=request.organisation.slug, programme_id=programme.pk
    )


@org_view()
def review(request: OrgRequest, programme_id: int) -> HttpResponse:
    programme = programme_get_managed(membership=request.membership, programme_id=programme_id)
    runs = list(selectors.match_runs_for(programme=programme))
    draft = next((run for run in runs if run.status == MatchRun.Status.DRAFT), None)
    for each in runs:
        each.quality = review_words.run_quality(each)  # type: ignore[attr-defined]
    context = {
        "programme": programme,
        "runs": runs,
        "finished_runs": sum(run.status not in (*WORKING, MatchRun.Status.FAILED) for run in runs),
        "draft": draft,
        "waiting": selectors.people_waiting(programme=programme),
        "rules": list(selectors.pairing_rules_for(programme=programme)),
    }
    return render(request, "matches/review.html", context)


@org_view()
@require_POST
def run(request: OrgRequest, programme_id: int) -> HttpResponse:
    programme = programme_get_managed(membership=request.membership, programme_id=programme_id)
    try:
        new_run = match_run_request(programme=programme, actor=request.user)
    except AlongsideError as error:
        show_error(request, error)
        return _to_review(request, programme)
    return _to_run(request, new_run)


def _group_label(programme: Programme) -> str:
    if programme.format == Format.PEER_CIRCLES:
        return _("Circle")
    return _("Group") if programme.is_mentoring else _("Pair")


def _groups_heading(programme: Programme) -> str:
    if programme.format == Format.PEER_CIRCLES:
        return _("Circles")
    return _("Groups") if programme.is_mentoring else _("Pairs")


def _groups_phrase(programme: Programme, count: int) -> str:
    """ "3 circles", "1 pair": the count with its noun, for the sentences around it."""
    if programme.format == Format.PEER_CIRCLES:
        phrase = ngettext("%(count)s circle", "%(count)s circles", count)
    elif programme.is_mentoring:
        phrase = ngettext("%(count)s group", "%(count)s groups", count)
    else:
        phrase = ngettext("%(count)s pair", "%(count)s pairs", count)
    return phrase % {"count": count}


GROUPS_PER_PAGE = 50
RELATIONSHIPS_PER_PAGE = 50


def _draft_context(request: OrgRequest, run: MatchRun, **extra: Any) -> dict[str, Any]:
    """One page of the draft's groups (or those of the people searched for).

    The pickers for moving, swapping and the rules look people up as the manager types
    (``people_picker``), so the page never lists every participant.
    """
    source = request.POST if request.method == "POST" else request.GET
    query = source.get("q", "").strip()[:100]
    groups = selectors.match_run_groups_page(run=run, query=query)
    page = paginate(request, groups, GROUPS_PER_PAGE, number=source.get("page"))
    unmatched = selectors.match_run_unmatched(run=run)
    label = _group_label(run.programme)
    rules = list(selectors.pairing_rules_for(programme=run.programme))
    marks = selectors.pairing_rules_by_enrolment(rules=rules)
    groups_shown = list(page.object_list)
    groups_count = page.paginator.count if not query else run.groups.count()
    _card_texts(groups_shown, selectors.match_group_members(groups=groups_shown), label, marks)
    return {
        "quality": review_words.run_quality(run),
        "fairness": review_words.run_fairness(run),
        "rules": rules,
        "run": run,
        "programme": run.programme,
        "groups": groups_shown,
        "page": page,
        "query": query,
        "groups_count": groups_count,
        "unmatched": unmatched,
        "unmatched_count": unmatched.count(),
        "group_label": label,
        "groups_phrase": _groups_phrase(run.programme, groups_count),
        "groups_heading": _groups_heading(run.programme),
        "gap_percent": None if run.gap is None else run.gap * 100,
        "by_department": selectors.summary_rows(run.summary, "department"),
        "by_location": selectors.summary_rows(run.summary, "location"),
        **extra,
    }


def _card_texts(
    groups: list[Any],
    members: dict[int, list[dict[str, Any]]],
    label: str,
    marks: dict[int, list[tuple[str, str]]],
) -> None:
    """The texts of the draft's group cards, translated once a page rather than by a
    template tag in every card (150 tags on a page of 50 pairs: about a tenth of its
    CPU time). Names and departments are escaped by the template when it prints them;
    the heading carries markup, so its parts are escaped here."""
    heading = _('%(group_label)s %(number)s <small class="muted">score')
    facts = _("%(department)s · %(location)s · score")
    for group in groups:
        # The translation carries the markup; the values in it are escaped.
        group.heading = mark_safe(heading % {"group_label": escape(label), "number": group.number})
        group.score_text = floatformat(group.score, 1)
        group.member_rows = members[group.pk]
        for member in group.member_rows:
            member["facts"] = facts % {
                "department": member["department"] or "—",
                "location": member["location"] or "—",
            }
            member["score_text"] = floatformat(member["score"], 1)
            # Locks and forbids are marked on the people they bind.
            member["rule_marks"] = marks.get(member["enrolment_id"], [])


@org_view()
def run_detail(request: OrgRequest, programme_id: int, run_id: int) -> HttpResponse:
    programme = programme_get_managed(membership=request.membership, programme_id=programme_id)
    match_run = _found(selectors.match_run_get, programme=programme, run_id=run_id)
    if match_run.status in WORKING:
        return render(request, "matches/run.html", {"run": match_run, "programme": programme})
    context = _draft_context(request, match_run)
    if request.htmx and request.htmx.target == "draft-panel":
        return render(request, "matches/draft_panel.html", context)
    return render(request, "matches/run.html", context)


@org_view()
def compare(request: OrgRequest, programme_id: int) -> HttpResponse:
    """Two runs side by side: quality, fairness, and who is with someone else."""
    programme = programme_get_managed(membership=request.membership, programme_id=programme_id)
    finished = list(
        selectors.match_runs_for(programme=programme)
        .exclude(status__in=[*WORKING, MatchRun.Status.FAILED])
        .order_by("-created_at", "-pk")
    )
    first_id, second_id = _int(request.GET.get("first")), _int(request.GET.get("second"))
    if first_id is None and second_id is None and len(finished) >= 2:
        # By default the newest run against the one before it.
        first_id, second_id = finished[1].pk, finished[0].pk
    context: dict[str, Any] = {"programme": programme, "runs": finished, "comparison": None}
    context.update(first_id=first_id, second_id=second_id)
    if first_id is not None and second_id is not None:
        if first_id == second_id:
            context["error"] = _("Choose two different runs to compare.")
        else:
            by_id = {r.pk: r for r in finished}
            if first_id not in by_id or second_id not in by_id:
                context["error"] = _(
                    "One of the runs is not in this programme, or has not finished."
                )
            else:
                first, second = by_id[first_id], by_id[second_id]
                comparison = selectors.match_runs_compare(first=first, second=second)
                context.update(
                    comparison=comparison,
                    moved=comparison.moved[:MOVED_SHOWN],
                    sides=[
                        {
                            "run": run,
                            "quality": review_words.run_quality(run),
                            "fairness": review_words.run_fairness(run),
                        }
                        for run in (first, second)
                    ],
                    group_label=_group_label(programme),
                )
    return render(request, "matches/compare.html", context)


MOVED_SHOWN = 300


@org_view()
def people_picker(request: OrgRequest, programme_id: int) -> HttpResponse:
    """Search-as-you-type: the participants matching what was typed, as <option>s."""
    programme = programme_get_managed(membership=request.membership, programme_id=programme_id)
    run_id = _int(request.GET.get("run_id"))
    match_run = (
        _found(selectors.match_run_get, programme=programme, run_id=run_id)
        if run_id is not None
        else None
    )
    found = selectors.draft_people_search(
        programme=programme,
        run=match_run,
        query=(request.GET.get("find") or request.GET.get("q", ""))[:100],
    )
    return render(
        request,
        "matches/picker_options.html",
        {"found": found, "group_label": _group_label(programme)},
    )


@org_view()
def run_progress(request: OrgRequest, programme_id: int, run_id: int) -> HttpResponse:
    programme = programme_get_managed(membership=request.membership, programme_id=programme_id)
    match_run = _found(selectors.match_run_get, programme=programme, run_id=run_id)
    if match_run.status not in WORKING and request.htmx:
        # Done: reload the page so the draft (or the failure) shows in full.
        return HttpResponseClientRefresh()
    return render(
        request, "matches/progress_panel.html", {"run": match_run, "programme": programme}
    )


def _adjusted(
    request: OrgRequest, match_run: MatchRun, error: AlongsideError | None, done: str
) -> HttpResponse:
    """After a move or swap: the refreshed draft panel for htmx, else back to the page."""
    if request.htmx:
        match_run.refresh_from_db()
        context = _draft_context(request, match_run, error=error, done=None if error else done)
        return render(request, "matches/draft_panel.html", context)
    if error:
        show_error(request, error)
    else:
        messages.success(request, done)
    return _to_run(request, match_run)


@org_view()
@require_POST
def move(request: OrgRequest, programme_id: int, run_id: int) -> HttpResponse:
    programme = programme_get_managed(membership=request.membership, programme_id=programme_id)
    match_run = _found(selectors.match_run_get, programme=programme, run_id=run_id)
    error: AlongsideError | None = None
    done = ""
    try:
        enrolment = selectors.enrolment_in(
            programme=programme, enrolment_id=_int(request.POST.get("enrolment_id"))
        )
        group_id = _int(request.POST.get("group_id"))
        group_number = _int(request.POST.get("group_number"))
        group = (
            selectors.match_group_get(run=match_run, group_id=group_id, number=group_number)
            if group_id is not None or group_number is not None
            else None
        )
        match_member_move(run=match_run, enrolment=enrolment, to_group=group, actor=request.user)
        label = _group_label(programme).lower()
        where = f"{label} {group.number}" if group else "the unmatched"
        done = f"{enrolment.person.name} moved to {where}."
    except AlongsideError as err:
        error = err
    return _adjusted(request, match_run, error, done)


@org_view()
@require_POST
def swap(request: OrgRequest, programme_id: int, run_id: int) -> HttpResponse:
    programme = programme_get_managed(membership=request.membership, programme_id=programme_id)
    match_run = _found(selectors.match_run_get, programme=programme, run_id=run_id)
    error: AlongsideError | None = None
    done = ""
    try:
        first = selectors.enrolment_in(
            programme=programme, enrolment_id=_int(request.POST.get("first_enrolment_id"))
        )
        second = selectors.enrolment_in(
            programme=programme, enrolment_id=_int(request.POST.get("second_enrolment_id"))
        )
        match_members_swap(run=match_run, first=first, second=second, actor=request.user)
        done = f"{first.person.name} and {second.person.name} swapped places."
    except AlongsideError as err:
        error = err
    return _adjusted(request, match_run, error, done)


@org_view()
@require_POST
def lock_group(request: OrgRequest, programme_id: int, run_id: int) -> HttpResponse:
    programme = programme_get_managed(membership=request.membership, programme_id=programme_id)
    match_run = _found(selectors.match_run_get, programme=programme, run_id=run_id)
    try:
        group = selectors.match_group_get(
            run=match_run, group_id=_int(request.POST.get("group_id"))
        )
        rules = match_group_lock(run=match_run, group=group, actor=request.user)
    except AlongsideError as error:
        show_error(request, error)
    else:
        messages.success(
            request,
            _("Group %(number)s will stay together in every re-run (%(rules)s locks).")
            % {"number": group.number, "rules": len(rules)},
        )
    return _to_run(request, match_run)


@org_view()
@require_POST
def rule(request: OrgRequest, programme_id: int) -> HttpResponse:
    programme = programme_get_managed(membership=request.membership, programme_id=programme_id)
    try:
        first = selectors.enrolment_in(
            programme=programme, enrolment_id=_int(request.POST.get("first_enrolment_id"))
        )
        second = selectors.enrolment_in(
            programme=programme, enrolment_id=_int(request.POST.get("second_enrolment_id"))
        )
        created = pairing_rule_set(
            programme=programme,
            first=first,
            second=second,
            kind=request.POST.get("kind", ""),
            actor=request.user,
            note=request.POST.get("note", ""),
        )
    except AlongsideError as error:
        show_error(request, error)
    else:
        verb = "kept together" if created.kind == PairingRule.Kind.LOCK else "never matched"
        messages.success(
            request,
            _("%(person)s and %(person2)s will be %(verb)s in re-runs.")
            % {"person": first.person.name, "person2": second.person.name, "verb": verb},
        )
    return _back(request, programme)


def _back(request: OrgRequest, programme: Programme) -> HttpResponse:
    """Return to the run page the form was on, or to the review page."""
    run_id = _int(request.POST.get("run_id"))
    if run_id is not None and MatchRun.objects.filter(programme=programme, pk=run_id).exists():
        return redirect(
            "matches:run_detail",
            org_slug=request.organisation.slug,
            programme_id=programme.pk,
            run_id=run_id,
        )
    return _to_review(request, programme)


@org_view()
@require_POST
def rule_remove(request: OrgRequest, programme_id: int, rule_id: int) -> HttpResponse:
    programme = programme_get_managed(membership=request.membership, programme_id=programme_id)
    found = _found(selectors.pairing_rule_get, programme=programme, rule_id=rule_id)
    pairing_rule_remove(rule=found, actor=request.user)
    messages.success(request, _("The rule was removed; it no longer applies to re-runs."))
    return _back(request, programme)


@org_view()
@require_POST
def publish(request: OrgRequest, programme_id: int, run_id: int) -> HttpResponse:
    programme = programme_get_managed(membership=request.membership, programme_id=programme_id)
    match_run = _found(selectors.match_run_get, programme=programme, run_id=run_id)
    keep_matching = request.POST.get("keep_matching") in ("1", "on", "true")
    try:
        created = match_run_publish(run=match_run, actor=request.user, keep_matching=keep_matching)
    except AlongsideError as error:
        show_error(request, error)
        return _to_run(request, match_run)
    messages.success(
        request,
        _("Published %(created)s relationships; everyone matched has been told.")
        % {"created": len(created)},
    )
    return _to_relationships(request, programme)


@org_view()
@require_POST
def discard(request: OrgRequest, programme_id: int, run_id: int) -> HttpResponse:
    programme = programme_get_managed(membership=request.membership, programme_id=programme_id)
    match_run = _found(selectors.match_run_get, programme=programme, run_id=run_id)
    try:
        match_run_discard(run=match_run, actor=request.user)
    except AlongsideError as error:
        show_error(request, error)
        return _to_run(request, match_run)
    messages.success(request, _("Run %(match_run)s was discarded.") % {"match_run": match_run.pk})
    return _to_review(request, programme)


@org_view()
def relationships(request: OrgRequest, programme_id: int) -> HttpResponse:
    programme = programme_get_managed(membership=request.membership, programme_id=programme_id)
    query = request.GET.get("q", "").strip()[:100]
    published = relationship_selectors.relationships_for_programme(programme=programme)
    if query:
        published = published.filter(
            Q(name__folded__contains=fold(query))
            | Q(members__person__name__folded__contains=fold(query))
        ).distinct()
    page = paginate(request, published, RELATIONSHIPS_PER_PAGE)
    shown = list(page.object_list)
    members = relationship_selectors.relationship_members(relationships=shown)
    for relationship in shown:
        relationship.member_rows = members[relationship.pk]
    joinable = {r.pk for r in shown if r.status == "active" and r.kind in ("circle", "group")}
    context = {
        "programme": programme,
        "relationships": shown,
        "page": page,
        "query": query,
        "rematch_requests": list(relationship_selectors.rematch_requests_for(programme=programme)),
        "late_joiners": selectors.late_joiners_waiting(programme=programme),
        "joinable": joinable,
    }
    return render(request, "matches/relationships.html", context)


@org_view()
@require_POST
def resolve_rematch(request: OrgRequest, programme_id: int, request_id: int) -> HttpResponse:
    programme = programme_get_managed(membership=request.membership, programme_id=programme_id)
    found = _found(
        relationship_selectors.rematch_request_get, programme=programme, request_id=request_id
    )
    rematch = request.POST.get("rematch") == "1"
    try:
        rematch_request_resolve(
            request=found, actor=request.user, rematch=rematch, note=request.POST.get("note", "")
        )
    except AlongsideError as error:
        show_error(request, error)
    else:
        name = found.enrolment.person.name
        messages.success(
            request,
            f"{name} left {found.relationship.name} and waits for the next match."
            if rematch
            else f"{name}'s request was declined.",
        )
    return _to_relationships(request, programme)


@org_view()
@require_POST
def add_late_joiner(request: OrgRequest, programme_id: int, relationship_id: int) -> HttpResponse:
    programme = programme_get_managed(membership=request.membership, programme_id=programme_id)
    relationship = _found(
        relationship_selectors.relationship_get,
        programme=programme,
        relationship_id=relationship_id,
    )
    try:
        enrolment = selectors.enrolment_in(
            programme=programme, enrolment_id=_int(request.POST.get("enrolment_id"))
        )
        relationship_add_late_joiner(
            relationship=relationship, enrolment=enrolment, actor=request.user
        )
    except AlongsideError as error:
        show_error(request, error)
    else:
        messages.success(
            request,
            _("%(person)s joined %(relationship)s.")
            % {"person": enrolment.person.name, "relationship": relationship.name},
        )
    return _to_relationships(request, programme)
