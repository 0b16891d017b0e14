"""The demo's programmes: one in every stage a new user should see.

- "New Managers Circle 2026": peer circles for first-time team managers, matched and
  meeting fortnightly for about three months, just past their midpoint.
- "Leadership Mentoring (HiPo)": 1:1 mentoring of high-potential seniors and leads by
  directors and executives, matched and meeting monthly for four months and more (the
  demo member is one of the mentees, so signing in as him shows a mentor and why they
  were matched).
- "Buddies for new joiners": onboarding buddies, still enrolling, with self-enrolment
  open and some intakes not yet done.

Everything goes through the same services the app uses (programme_create, enrolment_add,
intake_save, match_run_request/execute, match_run_publish). A programme that already
exists (by organisation and name) is left as it is, so running the demo again changes
nothing. Choices are drawn from a seeded generator, so the demo is the same every time.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import connection
from django.db.models import Count, Q
from django.utils import timezone

from alongside.accounts.models import User
from alongside.matches.models import MatchRun
from alongside.matches.services import (
    match_run_execute,
    match_run_publish,
    match_run_request,
)
from alongside.organisations.models import Organisation
from alongside.people.models import Person
from alongside.programmes.models import (
    CommunicationPreference,
    Enrolment,
    EnrolmentRole,
    Intake,
    Programme,
    Stage,
)
from alongside.programmes.services import (
    enrolment_add,
    intake_save,
    programme_create,
    programme_transition,
    self_enrol_set_open,
)
from alongside.relationships.models import Relationship

SEED = 2026_11

CIRCLES_NAME = "New Managers Circle 2026"
HIPO_NAME = "Leadership Mentoring (HiPo)"
BUDDIES_NAME = "Buddies for new joiners"
PROGRAMME_NAMES = (CIRCLES_NAME, HIPO_NAME, BUDDIES_NAME)

CIRCLE_SIZE = 33
HIPO_MENTORS = 8
HIPO_MENTEES = 12  # besides the demo member
BUDDY_VOLUNTEERS = 12
RECENT_JOINER_DAYS = 180
# Long enough ago for a history (alongside/demo/history.py): the circles have met about
# seven times and are a week past their midpoint, the mentoring pairs about five times.
CIRCLES_STARTED_DAYS_AGO = 98
HIPO_STARTED_DAYS_AGO = 140
MEMBER_EMAIL = "rohan.kulkarni@kestrel.example"

# What first-time managers most want to get better at, and the goal they write for it.
MANAGER_WANTS: dict[str, str] = {
    "Giving feedback": "give direct, kind feedback early instead of saving it for reviews",
    "Delegation": "stop being the bottleneck and hand over real ownership to my team",
    "Leading a team": "run a team that works well without me in every meeting",
    "Hiring and interviewing": "hire well for the two open roles on my team this year",
    "Managing up": "agree priorities with my own manager before they become surprises",
    "Coaching others": "coach people through problems rather than solving them myself",
    "Time management": "protect time for 1:1s and thinking, not just delivery",
    "Stakeholder management": "handle pushback from other teams without escalating",
    "Navigating change": "lead my team through the reorganisation without losing people",
    "Work-life balance": "stop answering messages at midnight and model a sane pace",
}
# What each function's people can teach others.
OFFERS_BY_DEPARTMENT: dict[str, tuple[str, ...]] = {
    "Engineering": ("Domain knowledge", "Data-driven decisions", "Hiring and interviewing"),
    "Product": ("Product thinking", "Stakeholder management", "Strategic thinking"),
    "Sales": ("Negotiation", "Presenting", "Building networks"),
    "Customer Success": ("Communication", "Stakeholder management", "Navigating change"),
    "Operations": ("Time management", "Cross-functional collaboration", "Data-driven decisions"),
    "People & HR": ("Coaching others", "Giving feedback", "Hiring and interviewing"),
    "Finance": ("Data-driven decisions", "Strategic thinking", "Negotiation"),
    "Leadership": ("Strategic thinking", "Managing up", "Building networks"),
}
HIPO_WANTS: dict[str, str] = {
    "Strategic thinking": "learn to set direction for a whole area, not just a backlog",
    "Stakeholder management": "earn the trust of senior stakeholders outside my function",
    "Presenting": "present to the leadership team with confidence",
    "Career growth": "understand what the step to manager or principal really takes",
    "Managing up": "bring my manager solutions and trade-offs, not just status",
    "Leading a team": "lead a team for the first time next year",
    "Negotiation": "negotiate scope and deadlines without damaging relationships",
    "Building networks": "know the people who make decisions across Kestrel",
    "Cross-functional collaboration": "run a project that spans three departments",
}
MENTOR_OFFERS = (
    "Strategic thinking",
    "Stakeholder management",
    "Career growth",
    "Managing up",
    "Leading a team",
    "Presenting",
    "Negotiation",
    "Building networks",
    "Navigating change",
    "Coaching others",
)
BUDDY_TOPICS = [
    "Knowing the organisation",
    "Tools and systems",
    "How work gets done here",
    "Finding the right people",
    "Team rituals",
    "Office and city life",
    "Working across time zones",
    "Career growth",
    "Domain knowledge",
    "A fresh perspective",
]

# Working hours people typically give, in their own time zone.
AVAILABILITY: dict[str, tuple[str, ...]] = {
    "Asia/Kolkata": (
        "Mon-Fri 10:00-13:00; Tue,Thu 15:00-18:00",
        "Mon-Thu 11:00-17:00",
        "Mon,Wed,Fri 14:00-18:30",
        "Tue-Fri 10:00-12:30; Mon 16:00-18:00",
    ),
    "Europe/London": ("Mon-Fri 09:00-12:00", "Tue-Thu 08:30-11:30; Fri 09:00-10:30"),
    "Asia/Singapore": ("Mon-Fri 12:00-15:00", "Mon-Thu 13:30-17:00"),
    "America/New_York": ("Mon-Fri 08:00-10:00", "Tue,Thu 07:30-09:30"),
    "America/Los_Angeles": ("Mon-Thu 07:00-09:00", "Mon-Fri 17:00-19:00"),
}


@dataclass(frozen=True)
class ProgrammeSummary:
    name: str
    stage: str
    enrolled: int
    relationships: int
    created: bool


def build_programmes(
    *,
    organisation: Organisation,
    manager: User,
    member: User,
    today: date,
) -> list[ProgrammeSummary]:
    """Create the three demo programmes that do not exist yet; describe all three."""
    people = list(
        Person.objects.filter(organisation=organisation, is_active=True).order_by("employee_id")
    )
    member_person = next(p for p in people if p.email == MEMBER_EMAIL)
    exempt = {p.pk for p in people if p.user_id is not None}  # the three sign-ins
    created: set[str] = set()
    with _no_emails_or_queued_runs():
        if not _exists(organisation, CIRCLES_NAME):
            _circles(organisation, manager, people, exempt, today)
            created.add(CIRCLES_NAME)
        if not _exists(organisation, HIPO_NAME):
            _hipo(organisation, manager, people, exempt, member_person, today)
            created.add(HIPO_NAME)
        if not _exists(organisation, BUDDIES_NAME):
            _buddies(organisation, manager, people, exempt, today)
            created.add(BUDDIES_NAME)
    programmes = (
        Programme.objects.filter(organisation=organisation, name__in=PROGRAMME_NAMES)
        .annotate(
            enrolled=Count("enrolments", filter=Q(enrolments__status="active"), distinct=True),
            active=Count(
                "relationships",
                filter=Q(relationships__status=Relationship.Status.ACTIVE),
                distinct=True,
            ),
        )
        .order_by("name")
    )
    return [
        ProgrammeSummary(p.name, p.stage, p.enrolled, p.active, p.name in created)
        for p in programmes
    ]


def describe(summaries: Sequence[ProgrammeSummary]) -> str:
    parts = []
    for s in summaries:
        what = f"{s.enrolled} enrolled"
        if s.relationships:
            what += f", {s.relationships} relationships"
        parts.append(f"{s.name} ({s.stage}, {what})")
    return f"Programmes: {'; '.join(parts)}.\n"


@contextmanager
def _no_emails_or_queued_runs() -> Iterator[None]:
    """The demo is built in one transaction; publishing would email everyone matched and
    requesting a run would execute it again after commit. Drop those after-commit
    callbacks: the demo runs matching itself and its people have no real mailboxes."""
    before = len(connection.run_on_commit)
    try:
        yield
    finally:
        del connection.run_on_commit[before:]


def _exists(organisation: Organisation, name: str) -> bool:
    return Programme.objects.filter(organisation=organisation, name=name).exists()


def _rng(name: str) -> random.Random:
    return random.Random(f"{SEED}:{name}")


def _availability(rng: random.Random, person: Person) -> str:
    return rng.choice(AVAILABILITY.get(person.timezone, AVAILABILITY["Asia/Kolkata"]))


def _communication(rng: random.Random) -> str:
    # Mostly video calls, some in person, a few by chat.
    return rng.choices(list(CommunicationPreference.values), weights=(6, 3, 1))[0]


def _level(person: Person) -> int:
    return int(person.level[1]) if person.level[:1] == "L" and person.level[1:2].isdigit() else 0


def _match_and_publish(programme: Programme, manager: User, started: date) -> MatchRun:
    programme_transition(programme=programme, actor=manager, to=Stage.MATCHING)
    run = match_run_request(programme=programme, actor=manager)
    match_run_execute(run_id=run.pk)  # the on-commit run would come after the demo's commit
    run.refresh_from_db()
    if run.status != MatchRun.Status.DRAFT:
        raise RuntimeError(f"The demo's match run for {programme.name} failed: {run.error}")
    match_run_publish(run=run, actor=manager)
    # Backdate the story: enrolled and matched a couple of weeks before the start.
    moment = _at(started - timedelta(days=7))
    MatchRun.objects.filter(pk=run.pk).update(
        created_at=moment, started_at=moment, finished_at=moment, published_at=moment
    )
    Relationship.objects.filter(match_run=run).update(started_at=_at(started))
    Enrolment.objects.filter(programme=programme).update(
        enrolled_at=_at(started - timedelta(days=21))
    )
    Intake.objects.filter(enrolment__programme=programme, completed_at__isnull=False).update(
        completed_at=_at(started - timedelta(days=14)),
        updated_at=_at(started - timedelta(days=14)),
    )
    return run


def _at(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(10, 0)))


def _circles(
    organisation: Organisation,
    manager: User,
    people: list[Person],
    exempt: set[int],
    today: date,
) -> None:
    rng = _rng(CIRCLES_NAME)
    started = today - timedelta(days=CIRCLES_STARTED_DAYS_AGO)
    # First-time managers: the team managers (L4, with direct reports) who are newest.
    with_reports = set(
        Person.objects.filter(organisation=organisation, is_active=True)
        .exclude(manager=None)
        .values_list("manager_id", flat=True)
    )
    candidates = [
        p for p in people if p.pk in with_reports and _level(p) == 4 and p.pk not in exempt
    ]
    candidates.sort(key=lambda p: (p.start_date or today, p.employee_id), reverse=True)
    chosen = sorted(candidates[:CIRCLE_SIZE], key=lambda p: p.employee_id)
    reports = dict(
        Person.objects.filter(manager__in=chosen, is_active=True)
        .values_list("manager_id")
        .annotate(n=Count("id"))
    )
    programme = programme_create(
        organisation=organisation,
        actor=manager,
        name=CIRCLES_NAME,
        format="peer_circles",
        purpose="New managers in their first 12 months: a circle of peers from other "
        "teams to bring real people problems to, and to hold each other to the changes "
        "you commit to.",
        start_date=started,
        rhythm="fortnightly",
        checkpoint_date=started + timedelta(weeks=13),
        matching_rules={"min_size": 5, "max_size": 6, "target_size": 6},
    )
    programme_transition(programme=programme, actor=manager, to=Stage.ENROLLING)
    enrolments = enrolment_add(welcome=False, programme=programme, actor=manager, people=chosen)
    for enrolment in enrolments:
        person = enrolment.person
        wants = rng.sample(list(MANAGER_WANTS), rng.randint(2, 3))
        offers = rng.sample(OFFERS_BY_DEPARTMENT.get(person.department, MENTOR_OFFERS), 2)
        team = reports.get(person.pk, 0)
        goals = (
            f"I took over a team of {team} this year. In the next six months I want to "
            f"{MANAGER_WANTS[wants[0]]}, and to {MANAGER_WANTS[wants[1]]}."
        )
        intake_save(
            enrolment=enrolment,
            actor=manager,
            wants=wants,
            offers=offers,
            goals=goals,
            availability=_availability(rng, person),
            communication_preference=_communication(rng),
        )
    _match_and_publish(programme, manager, started)


def _hipo(
    organisation: Organisation,
    manager: User,
    people: list[Person],
    exempt: set[int],
    member: Person,
    today: date,
) -> None:
    rng = _rng(HIPO_NAME)
    started = today - timedelta(days=HIPO_STARTED_DAYS_AGO)
    # Mentors: directors and executives across functions (not the CEO, who is in
    # everyone's reporting line).
    seniors = [
        p for p in people if _level(p) in (5, 6) and p.manager_id is not None and p.pk not in exempt
    ]
    mentors: list[Person] = []
    for department in sorted({p.department for p in seniors}):
        mentors.append(rng.choice([p for p in seniors if p.department == department]))
    rest = [p for p in seniors if p not in mentors]
    mentors += rng.sample(rest, max(HIPO_MENTORS - len(mentors), 0))
    mentors = sorted(mentors[:HIPO_MENTORS], key=lambda p: p.employee_id)
    # Mentees: high-potential seniors and leads with a couple of years at Kestrel.
    pool = [
        p
        for p in people
        if _level(p) in (2, 3)
        and p.pk not in exempt
        and p.start_date is not None
        and (today - p.start_date).days > 365
    ]
    mentees = sorted(rng.sample(pool, HIPO_MENTEES), key=lambda p: p.employee_id)
    programme = programme_create(
        organisation=organisation,
        actor=manager,
        name=HIPO_NAME,
        format="one_to_one",
        purpose="High-potential seniors and leads, nominated in the annual talent review, "
        "each paired with a director or executive from another part of Kestrel for six "
        "months of monthly conversations about leading at the next level.",
        start_date=started,
        checkpoint_date=started + timedelta(weeks=13),
    )
    programme_transition(programme=programme, actor=manager, to=Stage.ENROLLING)
    # Fourteen places for thirteen mentees: most mentors take two, a few only one.
    mentor_enrolments = []
    for number, mentor in enumerate(mentors):
        mentor_enrolments += enrolment_add(
            welcome=False,
            programme=programme,
            actor=manager,
            people=[mentor],
            role=EnrolmentRole.MENTOR,
            capacity=1 if number % 4 == 3 else 2,
        )
    mentee_enrolments = enrolment_add(
        welcome=False,
        programme=programme,
        actor=manager,
        people=[*mentees, member],
        role=EnrolmentRole.MENTEE,
    )
    for enrolment in mentor_enrolments:
        person = enrolment.person
        offers = rng.sample(MENTOR_OFFERS, 3)
        intake_save(
            enrolment=enrolment,
            actor=manager,
            wants=rng.sample(["Coaching others", "Navigating change", "Communication"], 1),
            offers=offers,
            goals=f"Give something back and stay close to how work feels on the ground in "
            f"teams outside {person.department}.",
            availability=_availability(rng, person),
            communication_preference=_communication(rng),
        )
    for enrolment in mentee_enrolments:
        person = enrolment.person
        if person.pk == member.pk:
            wants = ["Career growth", "Stakeholder management", "Presenting"]
        else:
            wants = rng.sample(list(HIPO_WANTS), rng.randint(2, 3))
        intake_save(
            enrolment=enrolment,
            actor=manager,
            wants=wants,
            offers=rng.sample(OFFERS_BY_DEPARTMENT.get(person.department, MENTOR_OFFERS), 1),
            goals=f"By the end of the programme I want to {HIPO_WANTS[wants[0]]}, and to "
            f"{HIPO_WANTS[wants[1]]}.",
            availability=_availability(rng, person),
            communication_preference=_communication(rng),
        )
    _match_and_publish(programme, manager, started)


def _buddies(
    organisation: Organisation,
    manager: User,
    people: list[Person],
    exempt: set[int],
    today: date,
) -> None:
    rng = _rng(BUDDIES_NAME)
    since = today - timedelta(days=RECENT_JOINER_DAYS)
    joiners = [p for p in people if p.start_date and p.start_date >= since and p.pk not in exempt]
    joiner_ids = {p.pk for p in joiners}
    # Volunteers: people who know their way around (two years or more, not managers).
    experienced = [
        p
        for p in people
        if _level(p) in (2, 3)
        and p.pk not in exempt
        and p.pk not in joiner_ids
        and p.start_date is not None
        and (today - p.start_date).days > 730
    ]
    volunteers = sorted(rng.sample(experienced, BUDDY_VOLUNTEERS), key=lambda p: p.employee_id)
    programme = programme_create(
        organisation=organisation,
        actor=manager,
        name=BUDDIES_NAME,
        format="buddies",
        purpose="Everyone who joined Kestrel in the last six months gets a buddy from "
        "another team: someone to ask the questions you would not put to your manager.",
        start_date=today + timedelta(days=10),
        topics=BUDDY_TOPICS,
    )
    programme_transition(programme=programme, actor=manager, to=Stage.ENROLLING)
    enrolments = enrolment_add(welcome=False, programme=programme, actor=manager, people=volunteers)
    enrolments += enrolment_add(welcome=False, programme=programme, actor=manager, people=joiners)
    self_enrol_set_open(programme=programme, actor=manager, open=True)
    newcomer_wants = BUDDY_TOPICS[:7]
    for enrolment in enrolments:
        person = enrolment.person
        newcomer = person.pk in joiner_ids
        progress = rng.random()
        if progress < 0.3:
            continue  # not started yet: the manager can send a reminder
        wants = rng.sample(
            newcomer_wants
            if newcomer
            else ["Domain knowledge", "Career growth", "A fresh perspective"],
            2,
        )
        offers = (
            [
                "A fresh perspective",
                *rng.sample(["Domain knowledge", "Working across time zones"], 1),
            ]
            if newcomer
            else rng.sample(newcomer_wants, 3)
        )
        intake_save(
            enrolment=enrolment,
            actor=manager,
            complete=progress >= 0.45,
            wants=wants,
            offers=offers,
            goals=(
                "Find my feet quickly: who to ask, how decisions get made, and what "
                "'good' looks like here."
                if newcomer
                else "Help someone new feel at home faster than I did."
            ),
            availability=_availability(rng, person),
            communication_preference=_communication(rng),
        )
