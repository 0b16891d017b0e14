"""Reads for surveys and the outcomes report. Scoping is by programme (checked by callers)."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import asdict
from typing import Any

from django.conf import settings
from django.db.models import Avg, Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from alongside.core.errors import NotFound
from alongside.meetings.models import Commitment, Meeting
from alongside.organisations.models import Membership
from alongside.programmes.models import Enrolment, EnrolmentStatus, Programme
from alongside.programmes.selectors import programmes_managed, programmes_visible
from alongside.relationships.models import RelationshipMember
from alongside.surveys import outcomes as maths
from alongside.surveys.models import Answer, Closing, Pulse, Question, Response, Survey

DIMENSIONS = ("department", "location", "role")
LOW_PULSE = 2


def surveys_for(*, programme: Programme) -> QuerySet[Survey]:
    return (
        Survey.objects.filter(programme=programme)
        .annotate(response_count=Count("responses", distinct=True))
        .order_by("-kind")
    )  # start before end


def survey_get(*, programme: Programme, survey_id: int) -> Survey:
    survey = (
        Survey.objects.select_related("programme__organisation")
        .filter(programme=programme, pk=survey_id)
        .first()
    )
    if survey is None:
        raise NotFound(_("No such survey."))
    return survey


def question_get(*, survey: Survey, question_id: int) -> Question:
    question = Question.objects.filter(survey=survey, pk=question_id).first()
    if question is None:
        raise NotFound(_("No such question."))
    return question


def survey_for_participant(*, membership: Membership, survey_id: int) -> tuple[Survey, Enrolment]:
    """An open or closed survey of a programme the user takes part in, with their enrolment."""
    survey = (
        Survey.objects.select_related("programme__organisation")
        .filter(
            pk=survey_id,
            programme__organisation=membership.organisation,
            programme__enrolments__person__user=membership.user,
            programme__enrolments__status=EnrolmentStatus.ACTIVE,
        )
        .exclude(status=Survey.Status.DRAFT)
        .first()
    )
    if survey is None:
        raise NotFound(_("No such survey for you."))
    enrolment = Enrolment.objects.select_related("person").get(
        programme=survey.programme, person__user=membership.user
    )
    return survey, enrolment


def survey_for_manager(*, membership: Membership, survey_id: int) -> Survey | None:
    return (
        Survey.objects.select_related("programme__organisation")
        .filter(pk=survey_id, programme__in=programmes_managed(membership=membership))
        .first()
    )


def my_surveys(*, membership: Membership) -> list[dict[str, Any]]:
    """Open and answered surveys across the programmes the user takes part in."""
    enrolments = {
        e.programme_id: e
        for e in Enrolment.objects.filter(
            programme__organisation=membership.organisation,
            person__user=membership.user,
            status=EnrolmentStatus.ACTIVE,
        )
    }
    surveys = (
        Survey.objects.filter(programme_id__in=enrolments)
        .exclude(status=Survey.Status.DRAFT)
        .select_related("programme")
        .order_by("programme__name", "-kind")
    )
    answered = dict(
        Response.objects.filter(enrolment__in=enrolments.values()).values_list(
            "survey_id", "submitted_at"
        )
    )
    return [
        {"survey": s, "answered_at": answered.get(s.pk), "enrolment": enrolments[s.programme_id]}
        for s in surveys
    ]


def my_members(*, membership: Membership) -> QuerySet[RelationshipMember]:
    """The user's active places in active relationships, for the check-in forms."""
    return RelationshipMember.objects.filter(
        relationship__organisation=membership.organisation,
        relationship__status="active",
        person__user=membership.user,
        is_active=True,
    ).select_related("relationship__programme__organisation")


def my_member_in(*, membership: Membership, relationship_id: int) -> RelationshipMember:
    member = my_members(membership=membership).filter(relationship_id=relationship_id).first()
    if member is None:
        raise NotFound(_("No such relationship of yours."))
    return member


def my_meeting(*, membership: Membership, meeting_id: int) -> tuple[Meeting, RelationshipMember]:
    meeting = (
        Meeting.objects.select_related("relationship")
        .filter(pk=meeting_id, organisation=membership.organisation)
        .first()
    )
    if meeting is None:
        raise NotFound(_("No such meeting of yours."))
    member = my_members(membership=membership).filter(relationship=meeting.relationship).first()
    if member is None:
        raise NotFound(_("No such meeting of yours."))
    return meeting, member


# --- Outcomes --------------------------------------------------------------------------


def _ratings_by_enrolment(survey: Survey | None) -> dict[int, dict[str, int]]:
    if survey is None:
        return {}
    ratings: dict[int, dict[str, int]] = defaultdict(dict)
    for enrolment_id, area, rating in Answer.objects.filter(
        response__survey=survey, question__kind=Question.Kind.CAPABILITY, rating__isnull=False
    ).values_list("response__enrolment_id", "question__capability_area", "rating"):
        if rating is not None:
            ratings[enrolment_id][area] = rating
    return ratings


def people_ratings(*, programme: Programme) -> list[maths.PersonRatings]:
    """Everyone who answered at least one survey, with their groups for the breakdowns."""
    surveys = {s.kind: s for s in Survey.objects.filter(programme=programme)}
    start = _ratings_by_enrolment(surveys.get(Survey.Kind.START))
    end = _ratings_by_enrolment(surveys.get(Survey.Kind.END))
    ids = set(start) | set(end)
    people = Enrolment.objects.filter(pk__in=ids).values_list(
        "pk", "person__department", "person__location", "role"
    )
    return [
        maths.PersonRatings(
            person=pk,
            start=start.get(pk, {}),
            end=end.get(pk, {}),
            groups={"department": department, "location": location, "role": role},
        )
        for pk, department, location, role in people
    ]


def response_rates(*, programme: Programme) -> dict[str, dict[str, Any]]:
    invited = Enrolment.objects.filter(programme=programme, status=EnrolmentStatus.ACTIVE).count()
    counts = dict(
        Survey.objects.filter(programme=programme)
        .annotate(
            answered=Count(
                "responses", filter=Q(responses__enrolment__status=EnrolmentStatus.ACTIVE)
            )
        )
        .values_list("kind", "answered")
    )
    in_relationships = (
        RelationshipMember.objects.filter(relationship__programme=programme, is_active=True)
        .values("enrolment")
        .distinct()
        .count()
    )
    midpoint = Pulse.objects.filter(
        relationship__programme=programme, kind=Pulse.Kind.MIDPOINT
    ).count()
    return {
        "start": asdict(maths.response_rate(invited, counts.get(Survey.Kind.START, 0))),
        "end": asdict(maths.response_rate(invited, counts.get(Survey.Kind.END, 0))),
        "midpoint": asdict(maths.response_rate(in_relationships, midpoint)),
    }


def activity(*, programme: Programme) -> dict[str, Any]:
    meetings = Meeting.objects.filter(relationship__programme=programme).aggregate(
        held=Count("pk", filter=Q(status=Meeting.Status.HELD)),
        relationships_meeting=Count(
            "relationship", filter=Q(status=Meeting.Status.HELD), distinct=True
        ),
    )
    commitments = Commitment.objects.filter(relationship__programme=programme).aggregate(
        made=Count("pk"),
        kept=Count("pk", filter=Q(status=Commitment.Status.DONE)),
        reviewed=Count("pk", filter=~Q(status=Commitment.Status.OPEN)),
    )
    pulses = Pulse.objects.filter(relationship__programme=programme).aggregate(
        answers=Count("pk"),
        mean=Avg("rating"),
        low=Count("pk", filter=Q(rating__lte=LOW_PULSE)),
    )
    relationships = programme.relationships.count()
    return {
        "relationships": relationships,
        "meetings_held": meetings["held"],
        "relationships_meeting": meetings["relationships_meeting"],
        "commitments_made": commitments["made"],
        "commitments_reviewed": commitments["reviewed"],
        "commitments_kept": commitments["kept"],
        "share_kept": (
            round(commitments["kept"] / commitments["reviewed"], 2)
            if commitments["reviewed"]
            else None
        ),
        "pulse_answers": pulses["answers"],
        # A pulse mean over fewer than five answers could be one person's; withheld.
        "pulse_mean": (
            round(pulses["mean"], 2)
            if pulses["mean"] is not None and pulses["answers"] >= maths.SMALL_GROUP
            else None
        ),
        "pulse_low": pulses["low"] if pulses["answers"] >= maths.SMALL_GROUP else None,
    }


def outcomes_live(*, programme: Programme) -> dict[str, Any]:
    report = maths.outcomes(
        people_ratings(programme=programme), list(programme.capability_areas), DIMENSIONS
    )
    report.update(
        programme={"id": programme.pk, "name": programme.name, "stage": programme.stage},
        generated_at=timezone.now().isoformat(),
        frozen=False,
        responses=response_rates(programme=programme),
        activity=activity(programme=programme),
    )
    return report


def outcomes_report(*, programme: Programme) -> dict[str, Any]:
    """The frozen report of a closed programme, or the live one."""
    closing = Closing.objects.filter(programme=programme).first()
    if closing is not None and closing.report is not None:
        return closing.report
    return outcomes_live(programme=programme)


def my_before_after(*, enrolment: Enrolment) -> list[maths.PersonalChange]:
    surveys = {s.kind: s for s in Survey.objects.filter(programme=enrolment.programme)}
    start = _ratings_by_enrolment(surveys.get(Survey.Kind.START)).get(enrolment.pk, {})
    end = _ratings_by_enrolment(surveys.get(Survey.Kind.END)).get(enrolment.pk, {})
    person = maths.PersonRatings(person=enrolment.pk, start=start, end=end)
    areas = list(enrolment.programme.capability_areas)
    areas += [a for a in [*start, *end] if a not in areas]
    return maths.personal_change(person, list(dict.fromkeys(areas)))


def programmes_with_my_results(*, membership: Membership) -> QuerySet[Programme]:
    return (
        programmes_visible(membership=membership)
        .filter(
            enrolments__person__user=membership.user,
            enrolments__survey_responses__isnull=False,
        )
        .distinct()
    )


# --- Export ----------------------------------------------------------------------------

EXPORT_COLUMNS = [
    "respondent",
    "survey",
    "submitted_at",
    "question_position",
    "question_kind",
    "capability_area",
    "question",
    "rating",
    "text",
]
IDENTIFIED_COLUMNS = ["email", "name", "department", "location", "role"]


def pseudonym(programme: Programme, enrolment_id: int) -> str:
    """A stable respondent code per programme that cannot be turned back into a person."""
    digest = hashlib.sha256(
        f"{settings.SECRET_KEY}:survey:{programme.pk}:{enrolment_id}".encode()
    ).hexdigest()
    return f"R-{digest[:10]}"


def export_rows(*, programme: Programme, identified: bool) -> Iterator[list[Any]]:
    """One row per answer; people by pseudonym unless ``identified`` (admins only).

    Raw values: the export writes them through ``SafeCsvWriter``, which keeps every cell
    a spreadsheet would run as a formula as text.
    """
    yield EXPORT_COLUMNS + (IDENTIFIED_COLUMNS if identified else [])
    answers = (
        Answer.objects.filter(response__survey__programme=programme)
        .select_related("response__survey", "response__enrolment__person", "question")
        .order_by("response__survey__kind", "response__enrolment_id", "question__position")
    )
    for answer in answers.iterator(chunk_size=2000):
        response, question = answer.response, answer.question
        row: list[Any] = [
            pseudonym(programme, response.enrolment_id),
            response.survey.kind,
            response.submitted_at.isoformat(),
            question.position,
            question.kind,
            question.capability_area,
            question.text,
            answer.rating if answer.rating is not None else "",
            answer.text,
        ]
        if identified:
            person = response.enrolment.person
            row += [
                person.email,
                person.name,
                person.department,
                person.location,
                response.enrolment.role,
            ]
        yield row


def continuing_choices(*, programme: Programme) -> dict[str, int]:
    """How many members chose to continue or close at the programme's end so far."""
    from alongside.meetings.models import ClosingChoice

    counts = dict(
        ClosingChoice.objects.filter(
            relationship__programme=programme, point=ClosingChoice.Point.END
        )
        .values_list("choice")
        .annotate(n=Count("pk"))
        .values_list("choice", "n")
    )
    return {
        "continue": counts.get(ClosingChoice.Choice.CONTINUE, 0),
        "close": counts.get(ClosingChoice.Choice.CLOSE, 0),
    }
