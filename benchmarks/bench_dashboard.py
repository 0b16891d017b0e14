"""Benchmark the programme dashboard of a 5,000-participant programme with a year of history.

    .venv/bin/python -m benchmarks.bench_dashboard [--people 5000] [--renders 30] [--target 0.3]

Builds, with ``bulk_create`` in a throwaway SQLite database: 5,000 people (six
departments, six offices), one fortnightly peer-pairs programme that started a year ago
with everyone enrolled (95% of intakes done), 2,500 pairs, and for each pair a year of
fortnightly meetings (about 85% held, the rest missed or cancelled; one pair in seven
goes quiet some months in), a commitment per member per held meeting (reviewed with a
realistic mix of done / partly / not yet / dropped) and a pulse rating per member per
held meeting. Health is then computed for every pair (``health_refresh_programme``,
timed too).

It then renders, with Django's test client signed in as an admin, N times each:
the programme dashboard, the same dashboard filtered by department and location, and
the organisation overview; and reports the median and p95 wall time and the number of
queries per render (counted with an ``execute_wrapper``). Exits non-zero if the
dashboard's median is over ``--target`` seconds or if the filtered dashboard's query
count differs from the plain one.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from datetime import time as clock
from typing import Any

from benchmarks.bench_people_import import _machine

DEPARTMENTS = ["Engineering", "Product", "Sales", "Customer Success", "Finance", "Operations"]
OFFICES = ["Bengaluru", "Pune", "Hyderabad", "London", "Singapore", "Remote (US)"]
REVIEWS = (["done"] * 5) + (["partly"] * 2) + ["not_yet", "not_yet", "dropped"]


def _setup_django(database_url: str, var_dir: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["ALONGSIDE_VAR_DIR"] = var_dir
    os.environ.setdefault("ALONGSIDE_SECRET_KEY", "benchmark-only-not-secret")
    os.environ["ALONGSIDE_DEBUG"] = "false"  # no query log, as in production
    os.environ["DJANGO_SETTINGS_MODULE"] = "alongside.settings"
    import django

    django.setup()
    from django.core.management import call_command
    from django.test.utils import setup_test_environment

    setup_test_environment()  # the test client's host, in-memory email
    call_command("migrate", verbosity=0)


def build(people_count: int, now: datetime, seed: int = 11) -> tuple[Any, Any, Any]:
    """The organisation, its admin and the programme, with a year of history."""
    from alongside.accounts.models import User
    from alongside.meetings.models import Commitment, Meeting
    from alongside.organisations.models import Membership, Organisation, Role
    from alongside.people.models import Person
    from alongside.programmes.models import Enrolment, Intake, Programme
    from alongside.relationships.models import Relationship, RelationshipMember
    from alongside.surveys.models import Pulse

    rng = random.Random(seed)
    organisation = Organisation.objects.create(name="Bench Co", slug="bench")
    admin = User.objects.create_user("admin@bench.example", "not-a-real-password")
    Membership.objects.create(user=admin, organisation=organisation, role=Role.ADMIN)
    start = (now - timedelta(days=365)).date()
    programme = Programme.objects.create(
        organisation=organisation,
        name="New managers 2026",
        format="peer_pairs",
        stage="running",
        start_date=start,
        end_date=now.date() + timedelta(days=30),
        rhythm="fortnightly",
    )
    people = Person.objects.bulk_create(
        Person(
            organisation=organisation,
            name=f"Person {i:05d}",
            email=f"person{i:05d}@bench.example",
            department=DEPARTMENTS[i % len(DEPARTMENTS)],
            location=OFFICES[(i // 7) % len(OFFICES)],
        )
        for i in range(people_count)
    )
    enrolled_at = datetime.combine(start, clock(9), tzinfo=UTC)
    enrolments = Enrolment.objects.bulk_create(
        Enrolment(
            programme=programme,
            person=person,
            role="peer",
            source="directory",
            enrolled_at=enrolled_at,
        )
        for person in people
    )
    Intake.objects.bulk_create(
        Intake(enrolment=e, completed_at=enrolled_at if rng.random() < 0.95 else None)
        for e in enrolments
    )
    started = enrolled_at + timedelta(days=14)
    relationships = Relationship.objects.bulk_create(
        Relationship(
            organisation=organisation,
            programme=programme,
            kind="pair",
            name=f"Pair {n + 1}",
            started_at=started,
        )
        for n in range(people_count // 2)
    )
    members = RelationshipMember.objects.bulk_create(
        RelationshipMember(
            relationship=relationship,
            enrolment=enrolments[2 * n + side],
            person=people[2 * n + side],
            role="peer",
            joined_at=started,
        )
        for n, relationship in enumerate(relationships)
        for side in (0, 1)
    )
    meetings = []
    for n, relationship in enumerate(relationships):
        quiet_after = rng.randint(60, 300) if n % 7 == 0 else None
        day = rng.randint(0, 13)
        number = 0
        while day < 351:
            when = started + timedelta(days=day, hours=rng.choice((4, 6, 9)))
            if quiet_after is not None and day > quiet_after:
                break
            roll = rng.random()
            status = "held" if roll < 0.85 else "missed" if roll < 0.95 else "cancelled"
            number += 1
            meetings.append(
                Meeting(
                    organisation=organisation,
                    relationship=relationship,
                    number=number,
                    starts_at=when,
                    timezone="Asia/Kolkata",
                    status=status,
                    held_at=when if status == "held" else None,
                )
            )
            day += 14
        future = started + timedelta(days=day)
        if quiet_after is None and future > now:
            number += 1
            meetings.append(
                Meeting(
                    organisation=organisation,
                    relationship=relationship,
                    number=number,
                    starts_at=future,
                    timezone="Asia/Kolkata",
                    status="scheduled",
                )
            )
    meetings = Meeting.objects.bulk_create(meetings, batch_size=2000)
    members_of: dict[int, list[Any]] = {}
    for member in members:
        members_of.setdefault(member.relationship_id, []).append(member)
    commitments, pulses = [], []
    for meeting in meetings:
        if meeting.status != "held":
            continue
        reviewed = meeting.starts_at + timedelta(days=14)
        for member in members_of[meeting.relationship_id]:
            status = rng.choice(REVIEWS) if reviewed < now else "open"
            commitments.append(
                Commitment(
                    relationship_id=meeting.relationship_id,
                    member=member,
                    made_at=meeting,
                    text="Ask a peer for feedback on my one-to-ones",
                    status=status,
                    reviewed_at=reviewed if status != "open" else None,
                    created_at=meeting.starts_at,
                )
            )
            pulses.append(
                Pulse(
                    relationship_id=meeting.relationship_id,
                    member=member,
                    meeting=meeting,
                    kind="meeting",
                    rating=rng.choices((1, 2, 3, 4, 5), weights=(3, 7, 20, 40, 30))[0],
                    created_at=meeting.starts_at + timedelta(hours=1),
                )
            )
    Commitment.objects.bulk_create(commitments, batch_size=2000)
    Pulse.objects.bulk_create(pulses, batch_size=2000)
    print(
        f"built: {people_count} people, {len(relationships)} pairs, {len(meetings)} meetings, "
        f"{len(commitments)} commitments, {len(pulses)} pulses"
    )
    return organisation, admin, programme


def _measure(action: Any) -> tuple[float, int, Any]:
    from django.db import connection

    count = 0

    def counting(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        nonlocal count
        count += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counting):
        started = time.perf_counter()
        result = action()
        elapsed = time.perf_counter() - started
    return elapsed, count, result


def _renders(client: Any, url: str, times: int) -> tuple[list[float], int]:
    client.get(url)  # warm templates and the session
    timings, queries = [], set()
    for _ in range(times):
        elapsed, count, response = _measure(lambda: client.get(url))
        assert response.status_code == 200, (url, response.status_code)
        timings.append(elapsed)
        queries.add(count)
    assert len(queries) == 1, f"{url}: query count varies between renders: {queries}"
    return timings, queries.pop()


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def run(
    people: int, renders: int, url: str, var_dir: str, reuse: bool = False
) -> dict[str, tuple[float, float, int]]:
    _setup_django(url, var_dir)
    from django.test import Client
    from django.urls import reverse

    from alongside.accounts.models import User
    from alongside.health.services import health_refresh_programme
    from alongside.programmes.models import Programme

    now = datetime.now(tz=UTC)
    started = time.perf_counter()
    if reuse:
        programme = Programme.objects.select_related("organisation").get()
        organisation, admin = programme.organisation, User.objects.get()
    else:
        organisation, admin, programme = build(people, now)
    print(f"build: {time.perf_counter() - started:.1f} s")
    elapsed, count, refreshed = _measure(lambda: health_refresh_programme(programme=programme))
    print(f"health_refresh_programme: {refreshed} pairs in {elapsed:.2f} s, {count} queries")
    client = Client()
    client.force_login(admin, backend="alongside.accounts.backends.ModelBackend")
    dashboard = reverse("dashboards:programme", args=[organisation.slug, programme.pk])
    pages = {
        "programme dashboard": dashboard,
        "dashboard, filtered": dashboard + "?department=Sales&location=Pune",
        "organisation overview": reverse("dashboards:overview", args=[organisation.slug]),
    }
    figures = {}
    for label, page in pages.items():
        timings, queries = _renders(client, page, renders)
        figures[label] = (statistics.median(timings), _p95(timings), queries)
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=5000)
    parser.add_argument("--renders", type=int, default=30)
    parser.add_argument("--target", type=float, default=0.3, help="seconds, dashboard median")
    parser.add_argument(
        "--keep", metavar="FILE", help="build into this SQLite file, or reuse it if it exists"
    )
    args = parser.parse_args(argv)
    for key, value in _machine().items():
        print(f"{key}: {value}")
    with tempfile.TemporaryDirectory(prefix="alongside-bench-dashboard-") as var_dir:
        path = args.keep or f"{var_dir}/bench-dashboard-{os.getpid()}.sqlite3"
        reuse = bool(args.keep) and os.path.exists(path)
        figures = run(args.people, args.renders, f"sqlite:///{path}", var_dir, reuse)
    print(f"{'page':<24} {'median':>9} {'p95':>9} {'queries':>8}   ({args.renders} renders)")
    for label, (median, p95, queries) in figures.items():
        print(f"{label:<24} {median * 1000:>7.0f}ms {p95 * 1000:>7.0f}ms {queries:>8}")
    median = figures["programme dashboard"][0]
    same_queries = figures["programme dashboard"][2] == figures["dashboard, filtered"][2]
    verdict = "within" if median < args.target else "OVER"
    target = f"the {args.target * 1000:.0f} ms target"
    print(f"dashboard median {median * 1000:.0f} ms: {verdict} {target}")
    return 0 if median < args.target and same_queries else 1


if __name__ == "__main__":
    sys.exit(main())
