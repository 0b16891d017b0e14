"""Member pages of a relationship: agreement, meetings with their guide, notes, commitments.

Managers reach the same URLs and get a read-only view without any private content.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from alongside.core.errors import AlongsideError, Forbidden, NotFound
from alongside.core.formatting import format_list
from alongside.core.languages import shipped_languages
from alongside.core.messages import problems_for_form, show_error
from alongside.meetings import selectors, services
from alongside.meetings.forms import (
    CHECK_IN_CHOICES,
    AgreementForm,
    CheckInForm,
    ClosingForm,
    CommitmentForm,
    GoalsForm,
    GuidesForm,
    NoteForm,
)
from alongside.meetings.guides import mentor_guidance
from alongside.meetings.models import Agreement, Attendance, ClosingChoice, Commitment, Meeting
from alongside.meetings.selectors import RelationshipAccess
from alongside.organisations.tenancy import MANAGERS, OrgRequest, org_view
from alongside.programmes.selectors import programme_get_managed
from alongside.relationships.models import Relationship, RelationshipMember, RematchRequest
from alongside.relationships.selectors import relationships_of_member

# --- Helpers ----------------------------------------------------------------------------------


def _access(request: OrgRequest, relationship_id: int) -> RelationshipAccess:
    try:
        return selectors.relationship_access(
            membership=request.membership, relationship_id=relationship_id
        )
    except NotFound as error:
        raise Http404(error.message) from error


def _meeting(request: OrgRequest, meeting_id: int) -> tuple[Meeting, RelationshipAccess]:
    try:
        return selectors.meeting_access(membership=request.membership, meeting_id=meeting_id)
    except NotFound as error:
        raise Http404(error.message) from error


def _me(access: RelationshipAccess) -> RelationshipMember:
    """The viewer as a member; managers who are not in the relationship only read."""
    if access.me is None:
        raise PermissionDenied(_("Only the relationship's members can do that."))
    access.me.relationship = access.relationship
    return access.me


def _apply_errors(form: forms.Form, error: AlongsideError) -> None:
    for name, problems in problems_for_form(error).items():
        for problem in problems:
            form.add_error(name if name in form.fields else None, problem)
    if not error.problems:
        form.add_error(None, error.message)


def _show_form_errors(request: OrgRequest, form: forms.Form) -> None:
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else None
        for message in errors:
            show_error(request, f"{label}: {message}" if label else str(message))


def _to_meeting(request: OrgRequest, meeting: Meeting, anchor: str = "") -> HttpResponse:
    response = redirect(
        "meetings:meeting", org_slug=request.organisation.slug, meeting_id=meeting.pk
    )
    if anchor:
        response["Location"] += f"#{anchor}"
    return response


def _to_relationship(request: OrgRequest, relationship: Relationship) -> HttpResponse:
    return redirect(
        "meetings:relationship",
        org_slug=request.organisation.slug,
        relationship_id=relationship.pk,
    )


def _closing_context(access: RelationshipAccess) -> dict[str, Any]:
    point = selectors.closing_point(programme=access.relationship.programme)
    if point is None:
        return {"closing_point": None}
    choices = selectors.closing_choices(relationship=access.relationship, point=point)
    mine = choices.get(access.me.pk) if access.me else None
    return {
        "closing_point": point,
        "closing_point_label": ClosingChoice.Point(point).label,
        "closing_mine": mine,
        "closing_decided": len(choices),
    }


# --- My mentoring: every relationship I am in -----------------------------------------------


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
    summaries = selectors.mentoring_summaries(
        membership=request.membership, relationships=relationships
    )
    for relationship in relationships:
        relationship.summary = summaries[relationship.pk]  # type: ignore[attr-defined]
    return render(
        request,
        "meetings/mine.html",
        {
            "relationships": relationships,
            "zone": selectors.viewer_zone(membership=request.membership),
        },
    )


# --- The relationship page -------------------------------------------------------------------


@org_view()
def relationship_page(request: OrgRequest, relationship_id: int) -> HttpResponse:
    access = _access(request, relationship_id)
    relationship = access.relationship
    meetings = selectors.meetings_visible(access=access)
    members = selectors.members_of(relationship=relationship)
    upcoming = selectors.next_meeting(meetings)
    goals = selectors.goals_by_member(relationship=relationship)
    context: dict[str, Any] = {
        "relationship": relationship,
        "access": access,
        "members": members,
        "meetings": list(reversed(meetings)),
        "next_meeting": upcoming,
        "zone": selectors.viewer_zone(membership=request.membership),
        "agreement": selectors.agreement_for(relationship=relationship),
        "goals": goals,
        "member_goals": [(m, goals.get(m.pk, [])) for m in members if m.is_active],
        "former": [m for m in members if not m.is_active],
        "circle": selectors.has_facilitator(relationship),
    }
    if access.me is None:
        context.update(_overview_rows(relationship, members, meetings, goals))
        return render(request, "meetings/relationship_overview.html", context)
    history = selectors.commitment_history(member=access.me)
    context.update(
        shared_goals=selectors.shared_goals(context["agreement"]),
        next_guide=(
            selectors.guide_for_meeting(programme=relationship.programme, number=upcoming.number)
            if upcoming
            else None
        ),
        next_check_in=selectors.check_in_for(meeting=upcoming) if upcoming else [],
        next_facilitator=(
            _member_by_pk(
                members,
                selectors.facilitators_by_meeting(relationship=relationship).get(upcoming.pk),
            )
            if upcoming and context["circle"]
            else None
        ),
        history=history,
        stats=selectors.completion_stats([c.status for c in history]),
        **_closing_context(access),
    )
    return render(request, "meetings/relationship.html", context)


def _member_by_pk(members: list[RelationshipMember], pk: int | None) -> RelationshipMember | None:
    return next((m for m in members if m.pk == pk), None)


def _overview_rows(
    relationship: Relationship,
    members: list[RelationshipMember],
    meetings: list[Meeting],
    goals: dict[int, list[Any]],
) -> dict[str, Any]:
    """A manager's view: counts, statuses and dates only — no text members wrote."""
    completion = selectors.completion_by_member(relationship=relationship)
    activity = selectors.note_activity(meetings=meetings)
    attendance = selectors.attendance_counts(meetings=meetings)
    empty = selectors.completion_stats([])
    return {
        "member_rows": [
            {
                "member": m,
                "goal_count": len(goals.get(m.pk, [])),
                "stats": completion.get(m.pk, empty),
            }
            for m in members
        ],
        "meeting_rows": [
            {"meeting": m, "notes": activity[m.pk], **attendance.get(m.pk, {})}
            for m in reversed(meetings)
        ],
    }


# --- The meeting page ------------------------------------------------------------------------


def _meeting_context(
    request: OrgRequest, meeting: Meeting, access: RelationshipAccess
) -> dict[str, Any]:
    relationship = access.relationship
    members = selectors.members_of(relationship=relationship)
    context: dict[str, Any] = {
        "meeting": meeting,
        "relationship": relationship,
        "access": access,
        "members": members,
        "zone": selectors.viewer_zone(membership=request.membership),
        "circle": selectors.has_facilitator(relationship),
        "check_in": selectors.check_in_for(meeting=meeting),
        "attendance": selectors.attendance_of(meeting=meeting),
    }
    if context["circle"]:
        context["facilitation"] = selectors.facilitation_for(meeting=meeting)
        context["focus_now"] = {
            member_id for member_id, a in context["attendance"].items() if a.had_focus
        }
    if access.me is None:
        context["note_activity"] = selectors.note_activity(meetings=[meeting])[meeting.pk]
        context["made_here"] = selectors.commitments_made_at(meeting=meeting)
        return context
    mine = selectors.commitment_made_at(meeting=meeting, member=access.me)
    if access.me.role == "mentor":
        context["mentor_tips"] = mentor_guidance(meeting.number)
    if context["circle"] and meeting.status == Meeting.Status.SCHEDULED:
        context["handover"] = _handover(access.me, context)
    context.update(
        guide=selectors.guide_for_meeting(programme=relationship.programme, number=meeting.number),
        notes=selectors.notes_visible(access=access, meeting=meeting),
        note_form=NoteForm(),
        my_commitment=mine,
        commitment_form=CommitmentForm(
            initial={"text": mine.text, "due_date": mine.due_date} if mine else None
        ),
        made_here=selectors.commitments_made_at(meeting=meeting),
        check_in_choices=CHECK_IN_CHOICES,
    )
    return context


def _handover(me: RelationshipMember, context: dict[str, Any]) -> dict[str, Any] | None:
    """A member who sent apologies is asked to hand over facilitation if it is theirs,
    and told who facilitates instead when the rotation has already moved on."""
    mine = context["attendance"].get(me.pk)
    if mine is None or mine.status != Attendance.Status.APOLOGIES:
        return None
    facilitation = context["facilitation"]
    facilitator = facilitation.facilitator
    away = {
        pk for pk, row in context["attendance"].items() if row.status == Attendance.Status.APOLOGIES
    }
    return {
        "still_mine": facilitator is not None and facilitator.pk == me.pk,
        "facilitator": facilitator,
        "candidates": [m for m in context["members"] if m.is_active and m.pk not in away],
    }


@org_view()
def meeting_page(request: OrgRequest, meeting_id: int) -> HttpResponse:
    meeting, access = _meeting(request, meeting_id)
    context = _meeting_context(request, meeting, access)
    if access.me is None:
        return render(request, "meetings/meeting_overview.html", context)
    return render(request, "meetings/meeting.html", context)


def _notes_panel(
    request: OrgRequest, meeting: Meeting, access: RelationshipAccess, form: NoteForm
) -> HttpResponse:
    return render(
        request,
        "meetings/_notes_panel.html",
        {
            "meeting": meeting,
            "access": access,
            "notes": selectors.notes_visible(access=access, meeting=meeting),
            "note_form": form,
            "zone": selectors.viewer_zone(membership=request.membership),
        },
    )


@org_view()
@require_POST
def note_add(request: OrgRequest, meeting_id: int) -> HttpResponse:
    meeting, access = _meeting(request, meeting_id)
    me = _me(access)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            services.note_create(
                meeting=meeting,
                author=me,
                visibility=form.cleaned_data["visibility"],
                body=form.cleaned_data["body"],
                actor=request.user,
            )
        except AlongsideError as error:
            _apply_errors(form, error)
        else:
            form = NoteForm()
            if not request.htmx:
                messages.success(request, _("Your note was saved."))
    if request.htmx:
        return _notes_panel(request, meeting, access, form)
    _show_form_errors(request, form)
    return _to_meeting(request, meeting, "notes")


def _members_only(request: OrgRequest, access: RelationshipAccess) -> HttpResponse:
    """Managers opening a member's form go back to their read-only view."""
    messages.info(request, _("Only the relationship's members can change this."))
    return _to_relationship(request, access.relationship)


@org_view()
def note_edit(request: OrgRequest, meeting_id: int, note_id: int) -> HttpResponse:
    meeting, access = _meeting(request, meeting_id)
    if access.me is None and request.method == "GET":
        return _members_only(request, access)
    _me(access)
    note = selectors.note_get_own(access=access, note_id=note_id)
    if note.meeting_id != meeting.pk:
        raise Http404("No such note.")
    note.meeting = meeting
    note.author.relationship = access.relationship
    form = NoteForm(
        request.POST or None, initial={"body": note.body, "visibility": note.visibility}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.note_update(
                note=note,
                body=form.cleaned_data["body"],
                visibility=form.cleaned_data["visibility"],
                actor=request.user,
            )
        except AlongsideError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Your note was updated."))
            return _to_meeting(request, meeting, "notes")
    return render(
        request,
        "meetings/note_edit.html",
        {"form": form, "note": note, "meeting": meeting, "relationship": access.relationship},
    )


@org_view()
@require_POST
def note_delete(request: OrgRequest, meeting_id: int, note_id: int) -> HttpResponse:
    meeting, access = _meeting(request, meeting_id)
    _me(access)
    note = selectors.note_get_own(access=access, note_id=note_id)
    if note.meeting_id != meeting.pk:
        raise Http404("No such note.")
    note.meeting = meeting
    note.author.relationship = access.relationship
    try:
        services.note_delete(note=note, actor=request.user)
    except AlongsideError as error:
        show_error(request, error)
    else:
        messages.success(request, _("Your note was deleted."))
    if request.htmx:
        return _notes_panel(request, meeting, access, NoteForm())
    return _to_meeting(request, meeting, "notes")


@org_view()
@require_POST
def commit(request: OrgRequest, meeting_id: int) -> HttpResponse:
    meeting, access = _meeting(request, meeting_id)
    me = _me(access)
    form = CommitmentForm(request.POST)
    if not form.is_valid():
        _show_form_errors(request, form)
        return _to_meeting(request, meeting, "commit")
    try:
        services.commitment_make(
            meeting=meeting,
            member=me,
            text=form.cleaned_data["text"],
            due_date=form.cleaned_data["due_date"],
            actor=request.user,
        )
    except AlongsideError as error:
        show_error(request, error)
        for problem in error.problems:
            show_error(request, str(problem))
    else:
        messages.success(
            request, _("Your commitment is recorded; the next meeting checks in on it.")
        )
    return _to_meeting(request, meeting, "commit")


def _check_in_response(
    request: OrgRequest, meeting: Meeting, access: RelationshipAccess
) -> HttpResponse:
    """The check-in section alone for htmx (with any message), else back to the meeting."""
    if not request.htmx:
        return _to_meeting(request, meeting, "check-in")
    return render(
        request,
        "meetings/_check_in.html",
        {
            "meeting": meeting,
            "access": access,
            "check_in": selectors.check_in_for(meeting=meeting),
            "check_in_choices": CHECK_IN_CHOICES,
            "inline_messages": True,
        },
    )


@org_view()
@require_POST
def check_in(request: OrgRequest, meeting_id: int, commitment_id: int) -> HttpResponse:
    meeting, access = _meeting(request, meeting_id)
    me = _me(access)
    commitment = Commitment.objects.filter(
        pk=commitment_id, relationship=access.relationship
    ).first()
    if commitment is None:
        raise Http404("No such commitment.")
    form = CheckInForm(request.POST)
    if not form.is_valid():
        show_error(request, _("Choose done, partly, not yet or dropped."))
        return _check_in_response(request, meeting, access)
    try:
        services.commitment_check_in(
            commitment=commitment,
            meeting=meeting,
            member=me,
            status=form.cleaned_data["status"],
            note=form.cleaned_data["note"],
            actor=request.user,
        )
    except Forbidden as error:
        raise PermissionDenied(error.message) from error
    except AlongsideError as error:
        show_error(request, error)
    else:
        messages.success(request, _("Thanks, your check-in is recorded."))
    return _check_in_response(request, meeting, access)


def _member_in(access: RelationshipAccess, raw: str | None) -> RelationshipMember | None:
    if not raw:
        return None
    try:
        member_id = int(raw)
    except ValueError as error:
        raise Http404("No such member.") from error
    member = (
        RelationshipMember.objects.filter(pk=member_id, relationship=access.relationship)
        .select_related("person")
        .first()
    )
    if member is None:
        raise Http404("No such member.")
    return member


@org_view()
@require_POST
def facilitator_set(request: OrgRequest, meeting_id: int) -> HttpResponse:
    meeting, access = _meeting(request, meeting_id)
    me = _me(access)
    facilitator = _member_in(access, request.POST.get("member_id"))
    try:
        services.meeting_facilitator_set(
            meeting=meeting, member=me, facilitator=facilitator, actor=request.user
        )
    except AlongsideError as error:
        show_error(request, error)
    else:
        messages.success(
            request,
            f"{facilitator.person.name} facilitates this meeting."
            if facilitator
            else _("The facilitator follows the circle's agreement again."),
        )
    return _to_meeting(request, meeting, "facilitation")


@org_view()
@require_POST
def focus_set(request: OrgRequest, meeting_id: int) -> HttpResponse:
    meeting, access = _meeting(request, meeting_id)
    me = _me(access)
    subject = _member_in(access, request.POST.get("member_id"))
    if subject is None:
        raise Http404("No such member.")
    try:
        services.attendance_focus_set(
            meeting=meeting,
            member=me,
            subject=subject,
            had_focus=request.POST.get("had_focus") == "1",
            actor=request.user,
        )
    except AlongsideError as error:
        show_error(request, error)
    return _to_meeting(request, meeting, "facilitation")


# --- Agreement, goals, closing --------------------------------------------------------------


@org_view()
def agreement_page(request: OrgRequest, relationship_id: int) -> HttpResponse:
    access = _access(request, relationship_id)
    if access.me is None and request.method == "GET":
        return _members_only(request, access)
    me = _me(access)
    relationship = access.relationship
    members = selectors.members_of(relationship=relationship)
    circle = selectors.has_facilitator(relationship)
    agreement = selectors.agreement_for(relationship=relationship)
    goals = selectors.goals_by_member(relationship=relationship).get(me.pk, [])
    part = request.POST.get("part") if request.method == "POST" else None
    agreement_form = AgreementForm(
        request.POST if part == "agreement" else None,
        members=members,
        circle=circle,
        initial={
            "rhythm_confirmed": agreement.rhythm_confirmed,
            "rhythm_note": agreement.rhythm_note,
            "shared_goals": agreement.shared_goals,
            "facilitation": agreement.facilitation,
            "fixed_facilitator": agreement.fixed_facilitator_id,
        },
    )
    goals_form = GoalsForm(
        request.POST if part == "goals" else None,
        initial={f"goal_{g.position}": g.text for g in goals},
    )
    if request.method == "POST":
        if not access.can_write:
            show_error(request, access.read_only_reason)
            return _to_relationship(request, relationship)
        saved = False
        if part == "agreement" and agreement_form.is_valid():
            data = agreement_form.cleaned_data
            try:
                services.agreement_update(
                    member=me,
                    actor=request.user,
                    rhythm_confirmed=data["rhythm_confirmed"],
                    rhythm_note=data["rhythm_note"],
                    shared_goals=data["shared_goals"].splitlines() if circle else None,
                    facilitation=data["facilitation"] if circle else None,
                    fixed_facilitator=data.get("fixed_facilitator"),
                )
                saved = True
            except AlongsideError as error:
                _apply_errors(agreement_form, error)
        elif part == "goals" and goals_form.is_valid():
            try:
                services.goals_set(member=me, goals=goals_form.goals(), actor=request.user)
                saved = True
            except AlongsideError as error:
                _apply_errors(goals_form, error)
        if saved:
            messages.success(request, _("Saved; everyone in the relationship can see it."))
            return _to_relationship(request, relationship)
    return render(
        request,
        "meetings/agreement.html",
        {
            "relationship": relationship,
            "access": access,
            "agreement_form": agreement_form,
            "goals_form": goals_form,
            "suggestions": selectors.goal_suggestions(member=me),
            "circle": circle,
            "fixed": Agreement.Facilitation.FIXED,
        },
    )


@org_view()
def closing_page(request: OrgRequest, relationship_id: int) -> HttpResponse:
    access = _access(request, relationship_id)
    if access.me is None and request.method == "GET":
        return _members_only(request, access)
    me = _me(access)
    relationship = access.relationship
    closing = _closing_context(access)
    mine = closing.get("closing_mine")
    form = ClosingForm(
        request.POST or None,
        initial={"choice": mine.choice, "reflection": mine.reflection} if mine else None,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.closing_choice_make(
                member=me,
                choice=form.cleaned_data["choice"],
                reflection=form.cleaned_data["reflection"],
                actor=request.user,
            )
        except AlongsideError as error:
            _apply_errors(form, error)
        else:
            relationship.refresh_from_db()
            if relationship.status == Relationship.Status.ENDED:
                messages.success(
                    request,
                    _(
                        "Everyone has chosen, and this relationship now closes. You can still "
                        "read everything in it."
                    ),
                )
            else:
                messages.success(request, _("Thank you; your choice and reflection are recorded."))
            return _to_relationship(request, relationship)
    return render(
        request,
        "meetings/closing.html",
        {"relationship": relationship, "access": access, "form": form, **closing},
    )


# --- Managers: session guides ------------------------------------------------------------------


@org_view(*MANAGERS)
def guides_edit(request: OrgRequest, programme_id: int) -> HttpResponse:
    programme = programme_get_managed(membership=request.membership, programme_id=programme_id)
    guides = selectors.guides_for(programme=programme)
    source_language = programme.source_language
    languages = dict(shipped_languages())
    asked = request.POST.get("language") or request.GET.get("language") or source_language
    language = asked if asked in languages else source_language
    form = GuidesForm(request.POST or None, guides=guides, language=language)
    if request.method == "POST" and form.is_valid():
        try:
            changed = services.session_guides_translate(
                programme=programme, actor=request.user, language=language, guides=form.guides()
            )
        except AlongsideError as error:
            _apply_errors(form, error)
        else:
            messages.success(
                request,
                ngettext(
                    "Saved the guide for meeting %(meetings)s.",
                    "Saved the guides for meetings %(meetings)s.",
                    len(changed),
                )
                % {"meetings": format_list(map(str, changed))}
                if changed
                else _("Nothing changed."),
            )
            page = reverse(
                "meetings:guides",
                kwargs={"org_slug": request.organisation.slug, "programme_id": programme.pk},
            )
            return redirect(f"{page}?{urlencode({'language': language})}")
    return render(
        request,
        "meetings/guides_edit.html",
        {
            "programme": programme,
            "form": form,
            "guides": guides,
            "language": language,
            "language_name": languages[language],
            "source_language": source_language,
            "languages": languages,
            "coverage": {
                guide.number: (
                    [name for code, name in languages.items() if code in guide.written_languages],
                    [
                        name
                        for code, name in languages.items()
                        if code not in guide.written_languages
                    ],
                )
                for guide in guides
            },
        },
    )


@org_view(*MANAGERS)
@require_POST
def guides_reset(request: OrgRequest, programme_id: int) -> HttpResponse:
    programme = programme_get_managed(membership=request.membership, programme_id=programme_id)
    raw = request.POST.get("number") or ""
    number = int(raw) if raw.isdigit() else None
    try:
        services.session_guides_reset(programme=programme, actor=request.user, number=number)
    except AlongsideError as error:
        show_error(request, error)
    else:
        messages.success(
            request,
            _("Meeting %(number)s uses the default guide again.") % {"number": number}
            if number
            else _("All meetings use the default guides again."),
        )
    return redirect(
        "meetings:guides", org_slug=request.organisation.slug, programme_id=programme.pk
    )


urlpatterns: list[URLPattern] = [
    path("", my_relationships, name="mine"),
    path("r/<int:relationship_id>/", relationship_page, name="relationship"),
    path("r/<int:relationship_id>/agreement/", agreement_page, name="agreement"),
    path("r/<int:relationship_id>/closing/", closing_page, name="closing"),
    path("meetings/<int:meeting_id>/", meeting_page, name="meeting"),
    path("meetings/<int:meeting_id>/notes/", note_add, name="note_add"),
    path("meetings/<int:meeting_id>/notes/<int:note_id>/", note_edit, name="note_edit"),
    path("meetings/<int:meeting_id>/notes/<int:note_id>/delete/", note_delete, name="note_delete"),
    path("meetings/<int:meeting_id>/commit/", commit, name="commit"),
    path("meetings/<int:meeting_id>/check-in/<int:commitment_id>/", check_in, name="check_in"),
    path("meetings/<int:meeting_id>/facilitator/", facilitator_set, name="facilitator"),
    path("meetings/<int:meeting_id>/focus/", focus_set, name="focus"),
    path("programmes/<int:programme_id>/guides/", guides_edit, name="guides"),
    path("programmes/<int:programme_id>/guides/reset/", guides_reset, name="guides_reset"),
]
