"""Build the demo organisation, Kestrel Technologies, the same way every time.

``generate_people`` is pure: from the seed and today's date it returns the whole
directory as plain dataclasses. ``build_demo`` writes it (upsert by email, so running it
again changes nothing), links the three sign-ins and records one audit event. Later
features extend the demo by adding steps after ``_upsert_people`` in ``build_demo``,
using the organisation and users in the returned ``DemoResult``.
"""

from __future__ import annotations

import random
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as dt_time
from typing import TextIO

from axes.utils import reset as axes_reset
from django.contrib.auth.hashers import make_password
from django.core.management.base import OutputWrapper
from django.db import transaction
from django.utils import timezone

from alongside.accounts.models import User
from alongside.audit.services import log_action
from alongside.demo import data, names
from alongside.demo.choice import build_choice, describe_choice
from alongside.demo.history import build_history, history_summary
from alongside.demo.history import describe as describe_history
from alongside.demo.integrations import build_integrations
from alongside.demo.integrations import describe as describe_integrations
from alongside.demo.programmes import CIRCLES_NAME, HIPO_NAME, build_programmes
from alongside.demo.programmes import describe as describe_programmes
from alongside.demo.sso import ADMIN_EMAIL as HERON_ADMIN
from alongside.demo.sso import build_sso_demo
from alongside.demo.surveys import build_surveys
from alongside.demo.surveys import describe as describe_surveys
from alongside.health.models import RelationshipHealth
from alongside.meetings.models import Meeting
from alongside.meetings.selectors import facilitators_by_meeting
from alongside.organisations.models import Membership, Organisation, Role
from alongside.organisations.services import organisation_create
from alongside.people.models import Person
from alongside.relationships.models import Relationship, RelationshipMember

# --- The directory, as plain data -----------------------------------------------------


@dataclass
class DemoPerson:
    """One person of the demo directory before it touches the database."""

    seat: str  # where they sit in the organisation chart, e.g. "Engineering/Billing/member-0"
    manager_seat: str | None
    department: str
    job_title: str
    rank: int  # 1 (Associate) … 6 (Executive)
    location: str
    pool: str = ""
    time_zone: str = ""
    given: str = ""
    family: str = ""
    name: str = ""
    email: str = ""
    employee_id: str = ""
    languages: list[str] = field(default_factory=list)
    start_date: date | None = None
    is_active: bool = True
    login_role: str = ""

    @property
    def level(self) -> str:
        return data.level_name(self.rank)


def generate_people(*, today: date, seed: int = data.SEED) -> list[DemoPerson]:
    """The whole directory: seats in the organisation chart, then who sits in them."""
    rng = random.Random(seed)
    people = _organisation_chart(rng)
    _place_logins(people)
    _choose_time_zones(rng, people)
    _choose_names(rng, people)
    _choose_languages(rng, people)
    _choose_start_dates(rng, people, today)
    _mark_leavers(rng, people)
    _assign_employee_ids(people)
    _assign_emails(people)
    return people


def _organisation_chart(rng: random.Random) -> list[DemoPerson]:
    ceo = DemoPerson("ceo", None, data.LEADERSHIP, data.CEO_TITLE, 6, "Bengaluru")
    people = [ceo]
    for title, rank in data.CEO_OFFICE:
        people.append(
            DemoPerson(f"ceo/{title}", ceo.seat, data.LEADERSHIP, title, rank, "Bengaluru")
        )
    for department in data.DEPARTMENTS:
        head = DemoPerson(
            department.name,
            ceo.seat,
            department.name,
            department.head_title,
            6,
            department.head_location,
        )
        people.append(head)
        for group in department.groups:
            group_lead = head
            if group.director_title is not None:
                group_lead = DemoPerson(
                    f"{department.name}/{group.director_title}",
                    head.seat,
                    department.name,
                    group.director_title,
                    5,
                    group.director_location,
                )
                people.append(group_lead)
            for team in group.teams:
                people.extend(_team(rng, department.name, team, group_lead.seat))
    return people


# "Engineering Manager" leads six teams and needs "– Billing"; "IT Manager" does not.
_SHARED_MANAGER_TITLES = Counter(
    data.TRACKS[team.track][3]
    for department in data.DEPARTMENTS
    for group in department.groups
    for team in group.teams
)


def _team(rng: random.Random, department: str, team: data.Team, boss: str) -> list[DemoPerson]:
    l1, l2, l3, manager_title = data.TRACKS[team.track]
    seat = f"{department}/{team.name}"
    if _SHARED_MANAGER_TITLES[manager_title] > 1:
        manager_title = f"{manager_title} – {team.focus or team.name}"
    manager = DemoPerson(
        f"{seat}/manager",
        boss,
        department,
        manager_title,
        4,
        team.home[0][0],
    )
    size = rng.randint(*team.size)
    ranks = sorted(rng.choices((1, 2, 3), weights=(35, 45, 20), k=size), reverse=True)
    if 3 not in ranks and size >= 5:
        ranks[0] = 3  # a team of five or more has a lead
    offices, weights = zip(*team.home, strict=True)
    members = [
        DemoPerson(
            f"{seat}/member-{index}",
            manager.seat,
            department,
            (l1, l2, l3)[rank - 1],
            rank,
            rng.choices(offices, weights=weights)[0],
        )
        for index, rank in enumerate(ranks)
    ]
    return [manager, *members]


def _place_logins(people: list[DemoPerson]) -> None:
    by_seat = {person.seat: person for person in people}
    for login in data.DEMO_LOGINS:
        team_seat = f"{login.department}/{login.team}"
        if login.seat == "manager":
            person = by_seat[f"{team_seat}/manager"]
        else:
            # The member sign-in is an ordinary associate, not the team's lead.
            person = by_seat[f"{team_seat}/member-{len(_members_of(people, team_seat)) - 1}"]
            person.rank = 1
            person.job_title = data.TRACKS[_track_of(login.department, login.team)][0]
        person.login_role = login.role
        person.given, person.family, person.pool = login.given, login.family, login.pool
        person.location = login.location


def _members_of(people: list[DemoPerson], team_seat: str) -> list[DemoPerson]:
    return [person for person in people if person.seat.startswith(f"{team_seat}/member-")]


def _track_of(department_name: str, team_name: str) -> str:
    for department in data.DEPARTMENTS:
        for group in department.groups:
            for team in group.teams:
                if department.name == department_name and team.name == team_name:
                    return team.track
    raise KeyError(f"{department_name}/{team_name}")


def _choose_time_zones(rng: random.Random, people: list[DemoPerson]) -> None:
    for person in people:
        zones, weights = zip(*data.OFFICES[person.location].time_zones, strict=True)
        person.time_zone = rng.choices(zones, weights=weights)[0]


def _choose_names(rng: random.Random, people: list[DemoPerson]) -> None:
    taken = {(person.given, person.family) for person in people if person.login_role}
    for person in people:
        if person.login_role:
            person.name = f"{person.given} {person.family}"
            continue
        pools, weights = zip(*data.OFFICES[person.location].pools, strict=True)
        person.pool = rng.choices(pools, weights=weights)[0]
        pool = names.NAME_POOLS[person.pool]
        given_names = pool.female if rng.random() < names.FEMALE_SHARE else pool.male
        for _attempt in range(3):  # namesakes happen, but rarely
            person.given, person.family = rng.choice(given_names), rng.choice(pool.family)
            if (person.given, person.family) not in taken:
                break
        taken.add((person.given, person.family))
        if pool.family_first:
            person.name = f"{person.family} {person.given}"
        else:
            person.name = f"{person.given} {person.family}"
    _write_some_names_in_native_script(rng, people)


def _write_some_names_in_native_script(rng: random.Random, people: list[DemoPerson]) -> None:
    indian = [
        person
        for person in people
        if person.location in data.INDIAN_OFFICES and not person.login_role and person.rank < 5
    ]
    chosen: set[str] = set()
    for native, given, family, pool in names.NATIVE_SCRIPT_NAMES:
        candidates = [p for p in indian if p.pool == pool and p.seat not in chosen]
        person = rng.choice(candidates or [p for p in indian if p.seat not in chosen])
        chosen.add(person.seat)
        person.name, person.given, person.family, person.pool = native, given, family, pool


def _choose_languages(rng: random.Random, people: list[DemoPerson]) -> None:
    for person in people:
        pool = names.NAME_POOLS[person.pool]
        office = data.OFFICES[person.location]
        languages = ["English", *pool.languages]
        for language, share in pool.extra_languages:
            if language not in languages and rng.random() < share:
                languages.append(language)
        local = office.local_language
        if local and local not in languages and rng.random() < office.local_language_share:
            languages.append(local)
        if person.job_title == "Workplace Associate" and rng.random() < 0.5:
            languages.remove("English")  # facilities staff do not all work in English
        person.languages = languages


def _choose_start_dates(rng: random.Random, people: list[DemoPerson], today: date) -> None:
    """Days ago each person joined: leaders early, a steady stream of hires as the company
    grew, and a cluster of recent joiners for onboarding-buddy programmes."""
    founded = data.COMPANY_AGE_DAYS
    for person in people:
        if person.seat in {"ceo", "Engineering"}:
            days = founded  # the founders
        elif person.rank == 6:
            days = rng.randint(500, founded - 60)
        elif person.rank == 5:
            days = rng.randint(400, founded - 120)
        elif person.rank == 4:
            days = rng.randint(200, 2500)
        elif person.rank <= 2 and rng.random() < 0.2:
            days = rng.randint(3, data.RECENT_JOINER_DAYS)
        elif person.rank == 1:
            days = rng.randint(data.RECENT_JOINER_DAYS + 1, 1100)
        elif person.rank == 2:
            days = round(rng.triangular(data.RECENT_JOINER_DAYS + 1, 2300, 600))
        else:
            days = round(rng.triangular(365, founded - 200, 1200))
        person.start_date = today - timedelta(days=days)


def _mark_leavers(rng: random.Random, people: list[DemoPerson]) -> None:
    """A handful of people have left but stay in the directory, as in a real export."""
    candidates = [person for person in people if person.rank <= 3 and not person.login_role]
    for person in rng.sample(candidates, 5):
        person.is_active = False


def _assign_employee_ids(people: list[DemoPerson]) -> None:
    """Employee ids count up in joining order: the CEO is KT-00001."""
    order = sorted(enumerate(people), key=lambda pair: (pair[1].start_date, pair[0]))
    for number, (_index, person) in enumerate(order, start=1):
        person.employee_id = data.EMPLOYEE_ID_FORMAT.format(number)


def email_local_part(given: str, family: str) -> str:
    """``("Lucía", "García")`` → ``"lucia.garcia"``; ``D'Souza`` → ``dsouza``."""

    def ascii_word(text: str) -> str:
        plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
        return "".join(char for char in plain.lower() if char.isalnum())

    return f"{ascii_word(given)}.{ascii_word(family)}"


def _assign_emails(people: list[DemoPerson]) -> None:
    """``firstname.lastname@``, numbered for namesakes; the sign-ins get theirs first."""
    used: set[str] = set()
    for person in sorted(people, key=lambda p: not p.login_role):
        base = email_local_part(person.given, person.family)
        local, number = base, 1
        while local in used:
            number += 1
            local = f"{base}{number}"
        used.add(local)
        person.email = f"{local}@{data.EMAIL_DOMAIN}"


# --- Writing it -----------------------------------------------------------------------


@dataclass(frozen=True)
class DemoResult:
    """What later demo steps (programmes, matches, …) build on."""

    organisation: Organisation
    admin: User
    programme_manager: User
    member: User
    people: dict[str, Person]  # by email
    counts: dict[str, int]
    mentor: User | None = None
    facilitator: User | None = None
    hindi_participant: User | None = None  # reads Alongside in Hindi
    summary: str = ""


@transaction.atomic
def build_demo(
    *, stdout: OutputWrapper | TextIO | None = None, today: date | None = None
) -> DemoResult:
    """Create or refresh the demo organisation. Running it again leaves the same data,
    and prints the same summary: it describes what is there, not what this run added."""
    today = today or timezone.localdate()
    organisation = _organisation()
    people = generate_people(today=today)
    written = _upsert_people(organisation, people)
    users = _sign_ins(organisation, people, written)
    counts = _counts(people, today)
    counts.update(written.counts)
    log_action(actor=None, organisation=organisation, action="demo.loaded", data=counts)
    programmes = build_programmes(
        organisation=organisation,
        manager=users[Role.PROGRAMME_MANAGER],
        member=users[Role.MEMBER],
        today=today,
    )
    history = build_history(organisation=organisation, today=today)
    surveys = build_surveys(
        organisation=organisation, manager=users[Role.PROGRAMME_MANAGER], today=today
    )
    choice = build_choice(
        organisation=organisation, manager=users[Role.PROGRAMME_MANAGER], today=today
    )
    _refresh_health(organisation, today)
    integrations = build_integrations(
        organisation=organisation,
        admin=users[Role.ADMIN],
        member=users[Role.MEMBER],
        today=today,
    )
    heron, _heron_admin = build_sso_demo(password=data.DEMO_PASSWORD)
    mentor, facilitator, hindi = _participant_sign_ins(organisation, users[Role.MEMBER])
    # The demo's history is written in English (its programmes, topics and notes are the
    # organisation's own words); from now on the organisation's default is Hindi.
    if organisation.language != data.ORGANISATION_LANGUAGE:
        organisation.language = data.ORGANISATION_LANGUAGE
        organisation.save(update_fields=["language"])
    summary = (
        f"{organisation.name}: {counts['people']} people, {counts['active']} active.\n"
        + describe_programmes(programmes)
        + describe_history(history_summary(organisation=organisation, story=history))
        + describe_surveys(surveys)
        + f"{heron.name}: single sign-on with the test OpenID provider.\n"
        + describe_integrations(integrations)
        + describe_choice(choice)
    )
    if stdout is not None:
        stdout.write(summary)
    return DemoResult(
        organisation=organisation,
        admin=users[Role.ADMIN],
        programme_manager=users[Role.PROGRAMME_MANAGER],
        member=users[Role.MEMBER],
        people=written.by_email,
        counts=counts,
        mentor=mentor,
        facilitator=facilitator,
        hindi_participant=hindi,
        summary=summary,
    )


def _participant_sign_ins(
    organisation: Organisation, member: User
) -> tuple[User, User | None, User | None]:
    """Three more sign-ins chosen from the history, the same on every run: the demo
    member's mentor, whoever facilitates the next meeting of the first healthy circle, and
    a fellow member of that circle who reads Alongside in Hindi."""
    mentor_person = (
        RelationshipMember.objects.filter(
            relationship__organisation=organisation,
            relationship__programme__name=HIPO_NAME,
            relationship__members__person__user=member,
            role="mentor",
        )
        .select_related("person")
        .get()
        .person
    )
    facilitator_person = None
    hindi_person: RelationshipMember | None = None
    struggling = set(
        RelationshipHealth.objects.filter(
            relationship__programme__name=CIRCLES_NAME,
            status__in=["struggling", "dormant"],
        ).values_list("relationship_id", flat=True)
    )
    circles = Relationship.objects.filter(
        organisation=organisation,
        programme__name=CIRCLES_NAME,
        status=Relationship.Status.ACTIVE,
    ).order_by("name", "pk")
    for circle in circles:
        if circle.pk in struggling:
            continue
        upcoming = (
            Meeting.objects.filter(
                relationship=circle,
                status=Meeting.Status.SCHEDULED,
                starts_at__gt=timezone.now(),
            )
            .order_by("starts_at")
            .first()
        )
        if upcoming is None:
            continue
        chosen = facilitators_by_meeting(relationship=circle).get(upcoming.pk)
        facilitator_person = RelationshipMember.objects.get(pk=chosen).person if chosen else None
        if facilitator_person is not None:
            # A fellow member of that circle reads Alongside in Hindi.
            hindi_person = (
                RelationshipMember.objects.filter(relationship=circle, is_active=True)
                .exclude(pk=chosen or 0)
                .select_related("person")
                .order_by("person__name", "pk")
                .first()
            )
            break
    password = make_password(data.DEMO_PASSWORD)
    mentor = _sign_in_for(organisation, mentor_person, password)
    facilitator = (
        _sign_in_for(organisation, facilitator_person, password) if facilitator_person else None
    )
    hindi = (
        _sign_in_for(organisation, hindi_person.person, password, language=data.HINDI)
        if hindi_person is not None
        else None
    )
    return mentor, facilitator, hindi


def _sign_in_for(
    organisation: Organisation, person: Person, password: str, language: str = data.ENGLISH
) -> User:
    user = User.objects.filter(email=person.email).first() or User(email=person.email)
    user.full_name = person.name
    user.language = language
    user.is_active = True
    user.password = password
    user.save()
    Membership.objects.get_or_create(
        user=user, organisation=organisation, defaults={"role": Role.MEMBER}
    )
    if person.user_id != user.pk:
        person.user = user
        person.save(update_fields=["user"])
    axes_reset(username=person.email)
    return user


def _refresh_health(organisation: Organisation, today: date) -> None:
    """The dashboards read stored health: compute it for the history just written."""
    from alongside.health.services import health_refresh

    now = timezone.now()
    if today != timezone.localdate():
        now = datetime.combine(today, dt_time(12), tzinfo=UTC)
    ids = Relationship.objects.filter(organisation=organisation).values_list("pk", flat=True)
    health_refresh(relationship_ids=list(ids), now=now)


def _organisation() -> Organisation:
    organisation = Organisation.objects.filter(slug=data.ORGANISATION_SLUG).first()
    if organisation is None:
        organisation = organisation_create(
            name=data.ORGANISATION_NAME,
            creator=None,
            slug=data.ORGANISATION_SLUG,
            default_time_zone=data.ORGANISATION_TIME_ZONE,
        )
    if (organisation.name, organisation.default_time_zone) != (
        data.ORGANISATION_NAME,
        data.ORGANISATION_TIME_ZONE,
    ):
        organisation.name = data.ORGANISATION_NAME
        organisation.default_time_zone = data.ORGANISATION_TIME_ZONE
        organisation.save(update_fields=["name", "default_time_zone"])
    return organisation


_PERSON_FIELDS = (
    "name",
    "employee_id",
    "department",
    "job_title",
    "level",
    "location",
    "timezone",
    "languages",
    "start_date",
    "is_active",
)


@dataclass(frozen=True)
class _Written:
    by_email: dict[str, Person]
    counts: dict[str, int]


def _upsert_people(organisation: Organisation, people: list[DemoPerson]) -> _Written:
    """Upsert by email in two passes: the people, then their managers (who now have ids)."""
    now = timezone.now()
    existing = {
        person.email.lower(): person for person in Person.objects.filter(organisation=organisation)
    }
    _free_employee_ids(existing, people)
    to_create: list[Person] = []
    to_update: list[Person] = []
    by_email: dict[str, Person] = {}
    for demo in people:
        values = {
            "name": demo.name,
            "employee_id": demo.employee_id,
            "department": demo.department,
            "job_title": demo.job_title,
            "level": demo.level,
            "location": demo.location,
            "timezone": demo.time_zone,
            "languages": demo.languages,
            "start_date": demo.start_date,
            "is_active": demo.is_active,
        }
        person = existing.get(demo.email)
        if person is None:
            person = Person(organisation=organisation, email=demo.email, **values)
            to_create.append(person)
        elif any(getattr(person, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(person, name, value)
            person.updated_at = now
            to_update.append(person)
        by_email[demo.email] = person
    Person.objects.bulk_create(to_create, batch_size=500)
    Person.objects.bulk_update(to_update, [*_PERSON_FIELDS, "updated_at"], batch_size=500)

    seat_email = {demo.seat: demo.email for demo in people}
    managed: list[Person] = []
    for demo in people:
        person = by_email[demo.email]
        manager = by_email[seat_email[demo.manager_seat]] if demo.manager_seat else None
        manager_id = manager.pk if manager is not None else None
        if person.manager_id != manager_id:
            person.manager_id = manager_id
            managed.append(person)
    Person.objects.bulk_update(managed, ["manager"], batch_size=500)
    # People from an older version of the demo stay in the directory, but as leavers.
    generated = {demo.email for demo in people}
    stale = [
        person.pk
        for email, person in existing.items()
        if email.endswith(f"@{data.EMAIL_DOMAIN}") and email not in generated and person.is_active
    ]
    Person.objects.filter(pk__in=stale).update(is_active=False, updated_at=now)
    created_ids = {person.pk for person in to_create}
    updated = {person.pk for person in to_update} | {
        person.pk for person in managed if person.pk not in created_ids
    }
    counts = {"created": len(to_create), "updated": len(updated), "deactivated": len(stale)}
    return _Written(by_email, counts)


def _free_employee_ids(existing: dict[str, Person], people: list[DemoPerson]) -> None:
    """Blank the employee ids that are about to move to someone else, so rewriting them
    (e.g. after the demo's people change) never trips the unique constraint halfway."""
    wanted = {demo.email: demo.employee_id for demo in people}
    assigned = set(wanted.values())
    moving = [
        person
        for email, person in existing.items()
        if person.employee_id in assigned and wanted.get(email) != person.employee_id
    ]
    Person.objects.filter(pk__in=[person.pk for person in moving]).update(employee_id="")
    for person in moving:
        person.employee_id = ""


def _sign_ins(
    organisation: Organisation, people: list[DemoPerson], written: _Written
) -> dict[str, User]:
    """The three demo users: each a person in the directory with a role and the demo
    password (reset on every run, with any login lock-out cleared)."""
    users: dict[str, User] = {}
    # The password is public, so one (slow, salted) hash can serve all three sign-ins.
    password = make_password(data.DEMO_PASSWORD)
    for demo in (person for person in people if person.login_role):
        user = User.objects.filter(email=demo.email).first() or User(email=demo.email)
        user.full_name = demo.name
        user.language = data.ENGLISH
        user.is_active = True
        user.is_staff = user.is_superuser = demo.login_role == Role.ADMIN
        user.password = password
        user.save()
        Membership.objects.update_or_create(
            user=user, organisation=organisation, defaults={"role": demo.login_role}
        )
        person = written.by_email[demo.email]
        if person.user_id != user.pk:
            Person.objects.filter(organisation=organisation, user=user).exclude(
                pk=person.pk
            ).update(user=None)
            person.user = user
            person.save(update_fields=["user"])
        axes_reset(username=demo.email)
        users[demo.login_role] = user
    return users


def _counts(people: list[DemoPerson], today: date) -> dict[str, int]:
    active = [person for person in people if person.is_active]
    recent = today - timedelta(days=data.RECENT_JOINER_DAYS)
    return {
        "people": len(people),
        "active": len(active),
        "departments": len({person.department for person in people}),
        "levels": len({person.rank for person in people}),
        "locations": len({person.location for person in people}),
        "time_zones": len({person.time_zone for person in people}),
        "languages": len({language for person in people for language in person.languages}),
        "non_latin_names": sum(not _is_latin(person.name) for person in people),
        "recent_joiners": sum(
            person.start_date is not None and person.start_date >= recent for person in active
        ),
    }


def _is_latin(text: str) -> bool:
    return all("LATIN" in unicodedata.name(char, "") for char in text if char.isalpha())


# --- Telling the user -----------------------------------------------------------------


def sign_in_box(result: DemoResult, login_url: str = data.LOGIN_URL) -> str:
    """The box printed at the end of ``alongside demo`` (and again once the server answers)."""
    counts = result.counts
    admin_url = login_url.replace("/accounts/login/", "/admin/")
    rows = [
        f"{result.organisation.name} is ready: {counts['people']} people, "
        f"{counts['departments']} departments, {counts['locations']} locations, "
        f"{counts['time_zones']} time zones.",
        "",
        f"Sign in at {login_url}",
        f"Password for every sign-in: {data.DEMO_PASSWORD}",
        "",
        f"  Organisation admin  {result.admin.email}",
        f"  Programme manager   {result.programme_manager.email}",
        f"  Mentee (member)     {result.member.email}",
    ]
    if result.mentor is not None:
        rows.append(f"  Mentor              {result.mentor.email}")
    if result.facilitator is not None:
        rows.append(f"  Circle facilitator  {result.facilitator.email}")
    if result.hindi_participant is not None:
        rows.append(f"  Reads it in Hindi   {result.hindi_participant.email}")
    rows += [
        "",
        f"The admin may also open the Django admin at {admin_url}",
        "",
        "No password? 'Email me a sign-in link' on the sign-in page works for anyone",
        "in the directory; the link is printed by the worker (console email).",
        "",
        "Single sign-on: Heron Health signs in with a test OpenID provider. Start it",
        "with `make identity-providers`, then sign in as anyone@heron.example",
        f"(its admin {HERON_ADMIN} also has the demo password).",
    ]
    width = max(len(row) for row in rows)
    lines = ["┌" + "─" * (width + 2) + "┐"]
    lines += [f"│ {row.ljust(width)} │" for row in rows]
    lines.append("└" + "─" * (width + 2) + "┘")
    return "\n".join(lines)
