"""Benchmark one run of the nudge job over a 5,000-participant programme.

    .venv/bin/python -m benchmarks.bench_nudges [--people 5000] [--target 60]

Builds, with ``bulk_create`` in a throwaway SQLite database: N people (half in London,
half on the organisation's default zone), one running fortnightly peer-pairs programme
ending in ten days with a manager, N/2 pairs that met three days ago and meet again
tomorrow, except one pair in seven that last met five weeks ago. So every person is due
"meeting tomorrow" (or "no meeting for one period") and "programme ending"; the manager
is due "no meeting for two periods" for each quiet pair.

It then times, with query counts: (a) recording what is due (every finder plus the
inserts), (b) recording again when nothing is new (what every 15-minute run costs),
(c) sending everything recorded to Django's in-memory mail backend, claiming in batches.
Exits non-zero when (a) + (c) is over ``--target`` seconds or an email went twice.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from datetime import UTC, datetime, timedelta

from benchmarks.bench_dashboard import _measure, _setup_django
from benchmarks.bench_people_import import _machine


def build(people_count: int, now: datetime) -> None:
    from alongside.accounts.models import User
    from alongside.meetings.models import Meeting
    from alongside.organisations.models import Membership, Organisation, Role
    from alongside.people.models import Person
    from alongside.programmes.models import Enrolment, Programme
    from alongside.relationships.models import Relationship, RelationshipMember

    organisation = Organisation.objects.create(name="Bench Co", slug="bench")
    manager = User.objects.create_user("manager@bench.example", "not-a-real-password")
    Membership.objects.create(user=manager, organisation=organisation, role=Role.PROGRAMME_MANAGER)
    programme = Programme.objects.create(
        organisation=organisation,
        name="New managers",
        format="peer_pairs",
        stage="running",
        rhythm="fortnightly",
        start_date=(now - timedelta(days=120)).date(),
        end_date=(now + timedelta(days=10)).date(),
    )
    programme.managers.add(manager)
    people = Person.objects.bulk_create(
        Person(
            organisation=organisation,
            name=f"Person {n}",
            email=f"person{n}@bench.example",
            timezone="Europe/London" if n % 2 else "",
        )
        for n in range(people_count)
    )
    enrolments = Enrolment.objects.bulk_create(
        Enrolment(programme=programme, person=p, role="peer", source="csv") for p in people
    )
    pairs = Relationship.objects.bulk_create(
        Relationship(
            organisation=organisation,
            programme=programme,
            kind="pair",
            name=f"Pair {n + 1}",
            started_at=now - timedelta(days=100),
        )
        for n in range(people_count // 2)
    )
    RelationshipMember.objects.bulk_create(
        RelationshipMember(relationship=pairs[n // 2], enrolment=e, person=e.person, role="peer")
        for n, e in enumerate(enrolments[: len(pairs) * 2])
    )
    meetings = []
    for n, pair in enumerate(pairs):
        quiet = n % 7 == 0
        held = now - timedelta(days=35 if quiet else 3)
        meetings.append(
            Meeting(
                organisation=organisation,
                relationship=pair,
                number=1,
                starts_at=held,
                timezone="UTC",
                status="held",
            )
        )
        if not quiet:
            meetings.append(
                Meeting(
                    organisation=organisation,
                    relationship=pair,
                    number=2,
                    starts_at=now + timedelta(hours=20),
                    timezone="UTC",
                )
            )
    Meeting.objects.bulk_create(meetings, batch_size=1000)
    print(f"built: {people_count} people, {len(pairs)} pairs, {len(meetings)} meetings")


def run(people: int, url: str, var_dir: str) -> tuple[float, float, int]:
    _setup_django(url, var_dir)
    from django.core import mail

    from alongside.nudges.models import NudgeDelivery
    from alongside.nudges.sending import deliveries_claim, deliveries_send, nudge_events_record

    now = datetime.now(tz=UTC)
    build(people, now)
    from django.urls import reverse

    reverse("home")  # load the URLconf before timing, as a running worker has
    first, first_queries, recorded = _measure(lambda: nudge_events_record(now=now))
    print(f"(a) record: {recorded} deliveries in {first:.2f} s, {first_queries} queries")
    again, again_queries, none = _measure(lambda: nudge_events_record(now=now))
    print(f"(b) record again: {none} new in {again:.2f} s, {again_queries} queries")

    def send_all() -> int:
        sent = 0
        while batch := deliveries_claim():
            sent += deliveries_send(batch)[0]
        return sent

    send, send_queries, sent = _measure(send_all)
    print(f"(c) send: {sent} emails in {send:.2f} s, {send_queries} queries")
    addressed = [(m.subject, m.to[0]) for m in mail.outbox]
    unique = len(set(addressed)) == len(addressed) == NudgeDelivery.objects.count()
    print(f"each email once: {unique}")
    return first, send, int(unique)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--people", type=int, default=5000)
    parser.add_argument("--target", type=float, default=60.0, help="seconds, record + send")
    args = parser.parse_args(argv)
    for key, value in _machine().items():
        print(f"{key}: {value}")
    with tempfile.TemporaryDirectory(prefix="alongside-bench-nudges-") as var_dir:
        path = f"{var_dir}/bench-nudges-{os.getpid()}.sqlite3"
        record, send, unique = run(args.people, f"sqlite:///{path}", var_dir)
    total = record + send
    verdict = "within" if total < args.target else "OVER"
    print(f"record + send {total:.1f} s: {verdict} the {args.target:.0f} s target")
    return 0 if total < args.target and unique else 1


if __name__ == "__main__":
    sys.exit(main())
