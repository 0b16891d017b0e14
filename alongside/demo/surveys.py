"""Survey answers for the demo, so the outcomes report has something to show.

- The two running programmes (the HiPo mentoring and the new managers' circles) have
  their start survey open since the programme started, answered by most participants:
  a self-rating per capability area and, from many, a line on what they want out of it.
  Their midpoint check-ins are written with the rest of the history (history.py).
- "Peer Pairs 2025" ended about three months ago: matched and run through the app's
  services, six months of meetings written like the running programmes' history, its
  start and end surveys answered, and closed through ``programme_close``,
  which ends the relationships and freezes the outcomes report. Most people rate
  themselves a little higher at the end, a few lower; some departments are too small
  for their figures to be shown.

Surveys, questions and the closing go through the surveys services (consistent state);
the responses and answers are written with ``bulk_create``. A programme whose start
survey already has answers is left alone, so running the demo again changes nothing.
Choices are drawn from generators seeded with the programme's name.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from alongside.accounts.models import User
from alongside.demo.history import build_ended_history
from alongside.demo.programmes import (
    CIRCLES_NAME,
    HIPO_NAME,
    OFFERS_BY_DEPARTMENT,
    SEED,
    _availability,
    _communication,
    _level,
    _match_and_publish,
    _no_emails_or_queued_runs,
)
from alongside.organisations.models import Organisation
from alongside.people.models import Person
from alongside.programmes.models import Enrolment, EnrolmentStatus, Programme, Stage
from alongside.programmes.services import (
    enrolment_add,
    intake_save,
    programme_create,
    programme_transition,
)
from alongside.relationships.models import Relationship
from alongside.surveys.closing import closing_send_survey, programme_close
from alongside.surveys.models import Answer, Closing, Question, Response, Survey
from alongside.surveys.services import survey_open, surveys_ensure

PAIRS_NAME = "Peer Pairs 2025"
PAIRS_ENDED_DAYS_AGO = 92
PAIRS_WEEKS = 24
# Participants per department, largest department first: the big groups are shown in
# the outcomes breakdowns, the small ones are withheld. Enough pairs (over 20) for the
# learning report to read.
PAIRS_DEPARTMENT_SIZES = (14, 11, 8, 6, 4, 3, 2)
ANSWER_SHARE = 0.85  # of participants answer each survey
WRITES_SHARE = 0.7  # of those who answer also write something in the free-text questions
START_RATING_WEIGHTS = (8, 30, 38, 20, 4)  # ratings 1..5 at the start
CHANGE_WEIGHTS = {-1: 9, 0: 38, 1: 40, 2: 13}  # end minus start, per area

WANT_TEXTS = (
    "Someone outside my team to think out loud with.",
    "Honestly, a bit more confidence in the room with senior people.",
    "Practical habits I can keep after the programme ends, not just nice conversations.",
    "To get better at {area_lower}. It keeps coming up in my reviews.",
    "Perspective. I have been in the same team for four years.",
    "I want to stop firefighting and have time to plan.",
    "{area} mostly. And to meet people I would never otherwise talk to.",
    "a sounding board for tough calls",
    "Learn how others handle {area_lower} - I make it up as I go.",
    "To know whether the way I do things is normal or just how we do it here.",
    "Not sure yet! Curious to see where it goes.",
    "Structure: a regular hour that is about my growth, not delivery.",
    "Getting unstuck on {area_lower}.",
    "Better at saying no without feeling guilty about it.",
)
CHANGED_TEXTS = (
    "I give feedback the same week now instead of waiting for the review.",
    "More confident. My pair pushed me to present at the all-hands, and it went fine.",
    "Not a huge amount, to be honest, but I met someone great in another team.",
    "I now write down the decision and the owner at the end of every meeting.",
    "I understand how Finance thinks about budgets, which saved me a lot of back and forth.",
    "Mostly I learnt that my problems are very common, which helped more than I expected.",
    "I ask more questions before I jump to solutions.",
    "We missed a lot of sessions in the middle, so less than I hoped.",
    "I started blocking focus time and actually keeping it.",
    "Having to report back on my commitments made me do them.",
    "better at {area_lower}, still working on it",
)
FORMAT_CHOICES = ("Yes, a lot", "Somewhat", "Not really")
FORMAT_WEIGHTS = (45, 42, 13)
NEXT_TEXTS = (
    "Match people earlier so we can start before the summer holidays.",
    "Fewer, longer sessions would suit me better.",
    "A kick-off with everyone in one room (or call).",
    "Let us pick from two or three suggested pairs.",
    "More guidance for the first session; we did not know how to start.",
    "Nothing, keep it as it is.",
    "A reminder a day before each session, the calendar invite alone was not enough.",
    "Mix levels a bit more.",
)


@dataclass(frozen=True)
class SurveysSummary:
    programmes: int
    responses: int
    closed_programme: str


def build_surveys(*, organisation: Organisation, manager: User, today: date) -> SurveysSummary:
    """Answer the running programmes' start surveys and add the closed peer pairs."""
    running = Programme.objects.filter(
        organisation=organisation, name__in=(CIRCLES_NAME, HIPO_NAME), stage=Stage.RUNNING
    ).select_related("organisation")
    rows: list[_Answered] = []
    for programme in running.order_by("name"):
        start = _open_start_survey(programme, manager, today)
        if start is not None:
            rng = _rng(programme.name)
            enrolments = _participants(programme)
            rows += _answers(rng, start, enrolments, today, ratings=None)
    if not Programme.objects.filter(organisation=organisation, name=PAIRS_NAME).exists():
        rows += _closed_pairs(organisation, manager, today)
    _save(rows)
    surveyed = Programme.objects.filter(organisation=organisation, surveys__responses__isnull=False)
    return SurveysSummary(
        programmes=surveyed.distinct().count(),
        responses=Response.objects.filter(survey__programme__organisation=organisation).count(),
        closed_programme=PAIRS_NAME,
    )


def describe(summary: SurveysSummary) -> str:
    return (
        f"Surveys: {summary.responses} responses in {summary.programmes} programmes; "
        f"closed with a frozen report: {summary.closed_programme}.\n"
    )


# --- Writing answers ---------------------------------------------------------------------


@dataclass
class _Answered:
    response: Response
    answers: list[Answer]


def _rng(name: str) -> random.Random:
    return random.Random(f"{SEED}:surveys:{name}")


def _morning(day: date) -> datetime:
    return datetime.combine(day, time(9, 0), tzinfo=UTC)


def _participants(programme: Programme) -> list[Enrolment]:
    return list(
        Enrolment.objects.filter(programme=programme, status=EnrolmentStatus.ACTIVE)
        .select_related("person")
        .order_by("pk")
    )


def _open_start_survey(programme: Programme, manager: User, today: date) -> Survey | None:
    """The start survey, open since the programme started; None if already answered."""
    start = next(s for s in surveys_ensure(programme=programme) if s.kind == Survey.Kind.START)
    if start.responses.exists():
        return None
    opened = _morning(programme.start_date)
    start = survey_open(survey=start, actor=manager, now=opened)
    # Still open: it closes at the end of the programme (or a week from today).
    closes = _morning(max(programme.end_date, today + timedelta(days=7)))
    Survey.objects.filter(pk=start.pk).update(opened_at=opened, closes_at=closes)
    return start


def _answers(
    rng: random.Random,
    survey: Survey,
    enrolments: Sequence[Enrolment],
    today: date,
    ratings: dict[int, dict[str, int]] | None,
) -> list[_Answered]:
    """Responses from about ``ANSWER_SHARE`` of ``enrolments``, in the survey's first weeks.

    With ``ratings`` (enrolment -> area -> start rating) the end survey rates each area
    relative to the start; without, start ratings are drawn and stored in nothing.
    """
    questions = list(survey.questions.order_by("position"))
    opened = survey.opened_at or _morning(today)
    latest = _morning(today) - timedelta(hours=2)
    answered = []
    for enrolment in enrolments:
        if rng.random() >= ANSWER_SHARE:
            continue
        submitted = min(opened + timedelta(hours=rng.randint(2, 24 * 16)), latest)
        response = Response(survey=survey, enrolment=enrolment, submitted_at=submitted)
        writes = rng.random() < WRITES_SHARE
        answers = []
        areas = [q.capability_area for q in questions if q.kind == Question.Kind.CAPABILITY]
        for question in questions:
            if question.kind == Question.Kind.CAPABILITY:
                rating = _rating(rng, question.capability_area, enrolment, ratings)
                answers.append(Answer(response=response, question=question, rating=rating))
            elif question.kind == Question.Kind.CHOICE:
                # The question may be in the organisation's language: choose by position.
                index = rng.choices(range(len(FORMAT_CHOICES)), weights=FORMAT_WEIGHTS)[0]
                choice = question.choices[min(index, len(question.choices) - 1)]
                answers.append(Answer(response=response, question=question, text=choice))
            elif question.kind == Question.Kind.TEXT and writes and rng.random() < 0.85:
                text = _text(rng, survey.kind, question.position, areas)
                answers.append(Answer(response=response, question=question, text=text))
        answered.append(_Answered(response, answers))
    return answered


def _rating(
    rng: random.Random,
    area: str,
    enrolment: Enrolment,
    ratings: dict[int, dict[str, int]] | None,
) -> int:
    if ratings is None:
        rating = rng.choices(range(1, 6), weights=START_RATING_WEIGHTS)[0]
        if enrolment.role == "mentor":
            rating = min(5, rating + 1)  # the mentors are seasoned leaders
        return rating
    start = ratings.get(enrolment.pk, {}).get(area)
    if start is None:
        start = rng.choices(range(1, 6), weights=START_RATING_WEIGHTS)[0]
    change = rng.choices(list(CHANGE_WEIGHTS), weights=list(CHANGE_WEIGHTS.values()))[0]
    return max(1, min(5, start + change))


def _text(rng: random.Random, kind: str, position: int, areas: Sequence[str]) -> str:
    if kind == Survey.Kind.START:
        pool: tuple[str, ...] = WANT_TEXTS
    else:
        # The first free-text question of the end survey asks what changed.
        pool = CHANGED_TEXTS if position == len(areas) + 1 else NEXT_TEXTS
    area = rng.choice(list(areas)) if areas else "this"
    return rng.choice(pool).format(area=area, area_lower=area.lower())


def _save(rows: list[_Answered]) -> None:
    Response.objects.bulk_create([row.response for row in rows])
    Answer.objects.bulk_create([answer for row in rows for answer in row.answers])


# --- The closed peer pairs ---------------------------------------------------------------


def _closed_pairs(organisation: Organisation, manager: User, today: date) -> list[_Answered]:
    rng = _rng(PAIRS_NAME)
    ended = today - timedelta(days=PAIRS_ENDED_DAYS_AGO)
    started = ended - timedelta(weeks=PAIRS_WEEKS)
    people = _pairs_people(rng, organisation)
    with _no_emails_or_queued_runs():
        programme = programme_create(
            organisation=organisation,
            actor=manager,
            name=PAIRS_NAME,
            format="peer_pairs",
            purpose="Peers from different departments, paired for six months to trade what "
            "each is good at: the first Kestrel-wide programme.",
            start_date=started,
            end_date=ended,
        )
        programme_transition(programme=programme, actor=manager, to=Stage.ENROLLING)
        enrolments = enrolment_add(welcome=False, programme=programme, actor=manager, people=people)
        areas, topics = list(programme.capability_areas), list(programme.topics)
        for enrolment in enrolments:
            person = enrolment.person
            intake_save(
                enrolment=enrolment,
                actor=manager,
                wants=rng.sample(topics, 2),
                offers=rng.sample(OFFERS_BY_DEPARTMENT.get(person.department, tuple(topics)), 2),
                goals=f"Learn how {rng.choice(areas).lower()} works outside {person.department}.",
                availability=_availability(rng, person),
                communication_preference=_communication(rng),
            )
        _match_and_publish(programme, manager, started)
    programme.refresh_from_db()
    # Six months of meetings, notes and commitments, so the report has them to count.
    build_ended_history(programme=programme)
    participants = _participants(programme)
    start = next(s for s in surveys_ensure(programme=programme) if s.kind == Survey.Kind.START)
    start = survey_open(survey=start, actor=manager, now=_morning(started))
    start_rows = _answers(rng, start, participants, today, ratings=None)
    starting = {
        row.response.enrolment_id: {
            a.question.capability_area: a.rating for a in row.answers if a.rating is not None
        }
        for row in start_rows
    }
    with _no_emails_or_queued_runs():
        end = closing_send_survey(programme=programme, actor=manager)
    end_opened = _morning(ended - timedelta(days=14))
    Survey.objects.filter(pk=end.pk).update(opened_at=end_opened)
    end.opened_at = end_opened
    end_rows = _answers(rng, end, participants, today, ratings=starting)
    # The report is frozen from the answers, so they are saved before the programme closes.
    _save(start_rows + end_rows)
    with _no_emails_or_queued_runs():
        closing = programme_close(programme=programme, actor=manager)
    _backdate(programme, closing, started, ended)
    return []


def _pairs_people(rng: random.Random, organisation: Organisation) -> list[Person]:
    """Individual contributors and leads, by department, in uneven numbers (even total)."""
    pool = [
        p
        for p in Person.objects.filter(organisation=organisation, is_active=True, user=None)
        .exclude(manager=None)
        .order_by("employee_id")
        if _level(p) in (2, 3)
    ]
    departments: dict[str, list[Person]] = {}
    for person in pool:
        departments.setdefault(person.department, []).append(person)
    ranked = sorted(departments, key=lambda d: (-len(departments[d]), d))
    chosen: list[Person] = []
    for department, size in zip(ranked, PAIRS_DEPARTMENT_SIZES, strict=False):
        chosen += rng.sample(departments[department], min(size, len(departments[department])))
    if len(chosen) % 2:
        chosen.pop()
    return sorted(chosen, key=lambda p: p.employee_id)


def _backdate(programme: Programme, closing: Closing, started: date, ended: date) -> None:
    """The closing happened a week after the end, the surveys closed with it."""
    closed = _morning(ended + timedelta(days=7))
    Survey.objects.filter(programme=programme, kind=Survey.Kind.START).update(
        opened_at=_morning(started), closed_at=_morning(started + timedelta(days=21))
    )
    Survey.objects.filter(programme=programme, kind=Survey.Kind.END).update(closed_at=closed)
    Relationship.objects.filter(programme=programme).update(ended_at=closed)
    report = dict(closing.report or {})
    report["generated_at"] = closed.isoformat()
    Closing.objects.filter(pk=closing.pk).update(
        closed_at=closed, survey_sent_at=_morning(ended - timedelta(days=14)), report=report
    )
