"""Benchmark the matching workflow: a 2,000-person match run from click to draft, and publishing.

    .venv/bin/python -m benchmarks.bench_match_run [--people 2000] [--postgres URL]

Builds an organisation of about 2,050 people with a realistic hierarchy (a CEO, executives,
directors, managers and teams of five to eight, levels by depth, functions inherited
from the executive, offices in India, London, Singapore and the US), then three
programmes with everyone's intake filled:

- peer circles, 2,000 enrolled (everyone from L1 to L4; the leadership on top is in
  almost everyone's reporting line and too few to share circles among themselves),
- peer pairs, the same 2,000 enrolled,
- 1:1 mentoring, 1,500 mentees and 500 mentors with capacity 3.

For each it measures the wall time and the number of queries (counted with an
``execute_wrapper``, as ``CaptureQueriesContext`` stops at 9,000):

(a) "click to reviewable draft": ``match_run_request`` (above 400 people this queues a
    background task) followed by ``match_run_execute`` as the worker would run it;
(b) publishing the draft: ``match_run_publish``.

Runs on a throwaway SQLite database, or on the PostgreSQL database given (use an empty
one: it fills it). Exits non-zero if a step takes more than ``--target`` seconds.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import random
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from benchmarks.bench_people_import import _machine

FUNCTIONS = ["Engineering", "Product", "Sales", "Customer Success", "Finance", "Operations"]
OFFICES = [
    ("Bengaluru", "Asia/Kolkata", 0.45),
    ("Pune", "Asia/Kolkata", 0.2),
    ("Hyderabad", "Asia/Kolkata", 0.15),
    ("London", "Europe/London", 0.1),
    ("Singapore", "Asia/Singapore", 0.05),
    ("Remote (US)", "America/New_York", 0.05),
]
HOURS = {
    "Asia/Kolkata": ["Mon-Fri 10:00-18:00", "Mon-Thu 11:00-17:00", "Tue-Fri 09:30-13:00"],
    "Europe/London": ["Mon-Fri 09:00-17:00", "Mon-Thu 08:30-12:00"],
    "Asia/Singapore": ["Mon-Fri 09:00-18:00"],
    "America/New_York": ["Mon-Fri 08:00-12:00"],
}
PROFILE = False  # --profile: where the time goes in each measured step
LANGUAGES = ["Hindi", "Kannada", "Marathi", "Telugu", "Tamil"]


@dataclass
class Figure:
    programme: str
    people: int
    draft_seconds: float
    draft_queries: int
    groups: int
    unmatched: int
    publish_seconds: float
    publish_queries: int


def _setup_django(database_url: str, var_dir: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["ALONGSIDE_VAR_DIR"] = var_dir
    os.environ.setdefault("ALONGSIDE_SECRET_KEY", "benchmark-only-not-secret")
    os.environ["DJANGO_SETTINGS_MODULE"] = "alongside.settings"
    os.environ.pop("ALONGSIDE_TASKS_IMMEDIATE", None)  # a run above 400 people is queued
    # Publishing emails everyone matched: render and "send" them in memory.
    os.environ["ALONGSIDE_EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def build_people(organisation: Any, count: int, seed: int = 7) -> list[Any]:
    """A manager tree filled breadth first: five to eight reports per manager."""
    from alongside.people.models import Person

    rng = random.Random(seed)
    zones, weights = [(o, z) for o, z, _ in OFFICES], [w for *_, w in OFFICES]
    rows: list[tuple[int | None, int, str]] = []  # (manager index, depth, function)
    rows.append((None, 0, "Leadership"))
    frontier = [0]
    while len(rows) < count:
        next_frontier = []
        for manager in frontier:
            for _ in range(rng.randint(5, 8)):
                if len(rows) >= count:
                    break
                depth = rows[manager][1] + 1
                function = FUNCTIONS[len(rows) % len(FUNCTIONS)] if depth == 1 else rows[manager][2]
                rows.append((manager, depth, function))
                next_frontier.append(len(rows) - 1)
        frontier = next_frontier
    has_reports = {m for m, _, _ in rows if m is not None}
    today = date(2026, 11, 1)
    people = []
    for index, (_manager, depth, function) in enumerate(rows):
        if index in has_reports:
            level = max(7 - depth, 4)
        else:
            level = rng.choices((1, 2, 3), weights=(35, 45, 20))[0]
        office, zone = rng.choices(zones, weights=weights)[0]
        languages = ["English"]
        if zone == "Asia/Kolkata":
            languages += rng.sample(LANGUAGES, rng.randint(1, 2))
        people.append(
            Person(
                organisation=organisation,
                name=f"Person {index:04d}",
                email=f"person{index:04d}@bench.example",
                employee_id=f"B{index:05d}",
                department=function,
                job_title="Manager" if index in has_reports else "Specialist",
                level=f"L{level}",
                location=office,
                timezone=zone,
                languages=languages,
                start_date=today - timedelta(days=rng.randint(30, 3000)),
            )
        )
    created = Person.objects.bulk_create(people)
    for person, (manager, _depth, _function) in zip(created, rows, strict=True):
        person.manager = created[manager] if manager is not None else None
    Person.objects.bulk_update(created, ["manager"], batch_size=500)
    return created


def fill_intakes(programme: Any, seed: int) -> None:
    """Everyone's intake done (written in bulk: the benchmark is about matching)."""
    from django.utils import timezone

    from alongside.programmes.models import Intake

    rng = random.Random(seed)
    topics = list(programme.topics)
    popular = topics[:6]
    now = timezone.now()
    intakes = list(
        Intake.objects.filter(enrolment__programme=programme).select_related("enrolment__person")
    )
    for intake in intakes:
        person = intake.enrolment.person
        intake.wants = rng.sample(popular, 1) + rng.sample(topics, rng.randint(1, 2))
        intake.offers = rng.sample(topics, rng.randint(1, 3))
        intake.goals = "Grow as a leader and help others do the same."
        intake.availability = rng.choice(HOURS[person.timezone])
        intake.completed_at = intake.updated_at = now
    Intake.objects.bulk_update(
        intakes,
        ["wants", "offers", "goals", "availability", "completed_at", "updated_at"],
        batch_size=500,
    )


def _measure(action: Any) -> tuple[float, int, Any]:
    """Wall time and the number of statements sent to the database (not capped, unlike
    the debug query log that ``CaptureQueriesContext`` reads)."""
    from django.db import connection

    count = 0

    def counting(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        nonlocal count
        count += 1
        return execute(sql, params, many, context)

    profiler = cProfile.Profile() if PROFILE else None
    with connection.execute_wrapper(counting):
        started = time.perf_counter()
        if profiler is not None:
            profiler.enable()
        result = action()
        if profiler is not None:
            profiler.disable()
        elapsed = time.perf_counter() - started
    if profiler is not None:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(r"alongside", 12)
    return elapsed, count, result


def bench_programme(
    label: str, organisation: Any, actor: Any, format: str, roles: list[tuple[list[Any], dict]]
) -> Figure:
    from alongside.matches.models import MatchRun
    from alongside.matches.services import (
        match_run_execute,
        match_run_publish,
        match_run_request,
    )
    from alongside.programmes.services import (
        enrolment_add,
        programme_create,
        programme_transition,
    )

    programme = programme_create(
        organisation=organisation, actor=actor, name=f"Bench {label}", format=format
    )
    programme_transition(programme=programme, actor=actor, to="enrolling")
    people = 0
    for group, kwargs in roles:
        enrolment_add(programme=programme, actor=actor, people=group, **kwargs)
        people += len(group)
    fill_intakes(programme, seed=len(label))
    programme_transition(programme=programme, actor=actor, to="matching")

    def draft() -> Any:
        run = match_run_request(programme=programme, actor=actor)
        return match_run_execute(run_id=run.pk)

    draft_seconds, draft_queries, run = _measure(draft)
    if run is None or run.status != MatchRun.Status.DRAFT:
        raise SystemExit(f"{label}: the run did not produce a draft: {run and run.error}")
    groups, unmatched = run.groups.count(), run.unmatched.count()
    publish_seconds, publish_queries, _ = _measure(lambda: match_run_publish(run=run, actor=actor))
    figure = Figure(
        label,
        people,
        draft_seconds,
        draft_queries,
        groups,
        unmatched,
        publish_seconds,
        publish_queries,
    )
    print(
        f"{label:<34} {people:>6} {draft_seconds:8.2f} s {draft_queries:6d} q "
        f"{groups:>6} {unmatched:>6} {publish_seconds:8.2f} s {publish_queries:6d} q",
        flush=True,
    )
    return figure


def run(count: int, database_url: str, var_dir: str) -> list[Figure]:
    _setup_django(database_url, var_dir)
    from django.db import connection

    from alongside.accounts.models import User
    from alongside.organisations.models import Organisation

    vendor = connection.vendor
    if vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT version()")
            vendor = cursor.fetchone()[0].split(",")[0]
    print(f"database: {vendor}")
    for key, value in _machine().items():
        print(f"  {key}: {value}")

    organisation, _ = Organisation.objects.get_or_create(
        slug="bench-match", defaults={"name": "Benchmark Co", "default_time_zone": "Asia/Kolkata"}
    )
    actor, _ = User.objects.get_or_create(email="manager@bench.example")
    started = time.perf_counter()
    # The organisation has its leadership on top of the 2,000 enrolled: the CEO, the
    # executives and the directors (L5+) are in almost everyone's reporting line and too
    # few to form level-mates' circles, so a whole-company circles programme enrols the
    # people from L1 to L4 (see the README on what the engine does otherwise).
    everyone = build_people(organisation, count + count // 30)
    people = [p for p in everyone if int(p.level[1:]) <= 4][:count]
    assert len(people) == count, len(people)
    print(f"{len(everyone):,} people built in {time.perf_counter() - started:.1f} s", flush=True)
    print(
        f"{'programme':<34} {'people':>6} {'(a) click to draft':>20} {'groups':>6} "
        f"{'unmatched':>6} {'(b) publish':>20}"
    )
    figures = [
        bench_programme("peer circles", organisation, actor, "peer_circles", [(people, {})]),
        bench_programme("peer pairs", organisation, actor, "peer_pairs", [(people, {})]),
    ]
    # 1:1 mentoring: 500 of the more senior people mentor 1,500 others, three each.
    mentors_count = round(count / 4)
    ranked = sorted(people, key=lambda p: (-int(p.level[1:]), p.pk))
    mentors, mentees = ranked[:mentors_count], ranked[mentors_count:]
    figures.append(
        bench_programme(
            f"1:1 mentoring ({len(mentees)}+{len(mentors)}, capacity 3)",
            organisation,
            actor,
            "one_to_one",
            [(mentors, {"role": "mentor", "capacity": 3}), (mentees, {"role": "mentee"})],
        )
    )
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=2000)
    parser.add_argument("--postgres", metavar="URL", help="postgres://… of an empty database")
    parser.add_argument("--target", type=float, default=30.0, help="seconds for any one step")
    parser.add_argument("--profile", action="store_true", help="cProfile each measured step")
    args = parser.parse_args(argv)
    global PROFILE
    PROFILE = args.profile
    with tempfile.TemporaryDirectory(prefix="alongside-bench-match-") as var_dir:
        url = args.postgres or f"sqlite:///{var_dir}/bench-match-{os.getpid()}.sqlite3"
        figures = run(args.people, url, var_dir)
    slowest = max(max(f.draft_seconds, f.publish_seconds) for f in figures)
    verdict = "within" if slowest < args.target else "OVER"
    print(f"slowest step {slowest:.2f} s: {verdict} the {args.target:.0f} s target")
    return 0 if slowest < args.target else 1


if __name__ == "__main__":
    sys.exit(main())
