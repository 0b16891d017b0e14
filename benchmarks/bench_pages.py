"""Every manager page and API list at 5,000 participants, in-process and through a server.

    .venv/bin/python -m benchmarks.bench_pages [--people 10000] [--participants 5000]
        [--renders 20] [--concurrency 8] [--seconds 20] [--database postgres://…]

PostgreSQL only (the production database): ``--database`` must point at an **empty**
database (or, with ``--reuse``, one an earlier run built: building 50,000 people takes
a quarter of an hour here); without it a throwaway cluster is started with
initdb/pg_ctl, as the test suite does. Builds with ``bulk_create``
(benchmarks/bench_dashboard.py's history): an organisation of ``--people`` people, a
peer-pairs programme of ``--participants`` with a year of fortnightly meetings,
commitments and pulses, and a draft re-run of the same cohort to review (its groups
written directly: the engine's own time is bench_match_run's subject).

Then:

1. **In-process**: each page and API list ``--renders`` times with Django's test client
   (signed in as the organisation's admin), median and p95 wall time and queries.
2. **Through a server**: ``--concurrency`` clients request a mixed list of those pages
   and lists for ``--seconds`` seconds, first through the shipped server (``alongside
   serve``: gunicorn with alongside/deploy/gunicorn_conf.py), then through ``alongside
   runserver``, both in production mode on the same database; requests a second.

Exits non-zero when a p95 is over ``--target`` seconds (0.3) or the shipped server does
fewer than ``--rate`` requests a second (100).
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks.bench_people_import import _machine

ROOT = Path(__file__).resolve().parent.parent
ADMIN_EMAIL = "admin@bench.example"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def throwaway_postgres() -> Iterator[str]:
    from tests.postgres_run import as_server_user, find_pg_bin, server_user_ids

    pg_bin = find_pg_bin()
    if pg_bin is None:
        raise SystemExit("No initdb found: install PostgreSQL or pass --database postgres://…")
    workdir = Path(tempfile.mkdtemp(prefix="alongside-bench-pg-"))
    ids = server_user_ids()
    if ids is not None:
        os.chown(workdir, *ids)
    port = _free_port()
    data = workdir / "data"
    subprocess.run(
        as_server_user(
            [
                str(pg_bin / "initdb"),
                *("-D", str(data), "-U", "alongside", "--auth=trust"),
                *("-E", "UTF8", "--no-locale"),
            ]
        ),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    options = f"-p {port} -k {workdir} -c listen_addresses=127.0.0.1 -c max_connections=100"
    subprocess.run(
        as_server_user(
            [
                str(pg_bin / "pg_ctl"),
                *("-D", str(data), "-l", str(workdir / "log"), "-o", options, "-w", "start"),
            ]
        ),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    try:
        yield f"postgres://alongside@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            as_server_user([str(pg_bin / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"]),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        shutil.rmtree(workdir, ignore_errors=True)


def build(people: int, participants: int, now: datetime) -> dict[str, Any]:
    from alongside.matches.models import MatchGroup, MatchGroupMember, MatchRun
    from alongside.people.models import Person
    from alongside.programmes.models import Enrolment
    from alongside.relationships.models import Relationship
    from benchmarks.bench_dashboard import build as build_history

    organisation, admin, programme = build_history(participants, now)
    rng = random.Random(5)
    extra = [
        Person(
            organisation=organisation,
            name=f"Colleague {n:05d}",
            email=f"colleague{n}@bench.example",
            department=rng.choice(["Engineering", "Sales", "Finance", "Operations"]),
            location=rng.choice(["Bengaluru", "Pune", "London"]),
            timezone="Asia/Kolkata",
        )
        for n in range(max(0, people - participants))
    ]
    Person.objects.bulk_create(extra, batch_size=2000)
    enrolments = list(
        Enrolment.objects.filter(programme=programme).order_by("pk").values_list("pk", "role")
    )
    run = MatchRun.objects.create(
        programme=programme,
        status=MatchRun.Status.DRAFT,
        progress=100,
        objective=0.71 * len(enrolments),
        upper_bound=0.74 * len(enrolments),
        summary={"people": len(enrolments), "matched": len(enrolments), "unmatched": 0},
        started_at=now,
        finished_at=now,
    )
    groups = MatchGroup.objects.bulk_create(
        [
            MatchGroup(
                run=run,
                number=n + 1,
                score=rng.uniform(0.4, 0.95),
                reasons_admin="Complementary goals and skills.\nDifferent functions.",
                reasons_participant="You want to grow in what the other offers.",
            )
            for n in range(len(enrolments) // 2)
        ],
        batch_size=2000,
    )
    MatchGroupMember.objects.bulk_create(
        [
            MatchGroupMember(run=run, group=groups[i // 2], enrolment_id=pk, role=role, score=0.7)
            for i, (pk, role) in enumerate(enrolments[: len(groups) * 2])
        ],
        batch_size=2000,
    )
    relationship = Relationship.objects.filter(programme=programme).order_by("pk").first()
    assert relationship is not None
    print(f"built: {people} people, a draft of {len(groups)} pairs")
    return {
        "organisation": organisation,
        "admin": admin,
        "programme": programme,
        "run": run,
        "relationship": relationship,
    }


def existing_world() -> dict[str, Any]:
    """The organisation an earlier run built in the same database (``--reuse``)."""
    from alongside.accounts.models import User
    from alongside.matches.models import MatchRun
    from alongside.organisations.models import Organisation
    from alongside.programmes.models import Programme
    from alongside.relationships.models import Relationship

    admin = User.objects.get(email=ADMIN_EMAIL)
    organisation = Organisation.objects.get(memberships__user=admin)
    programme = Programme.objects.filter(organisation=organisation).order_by("pk").first()
    run = MatchRun.objects.filter(programme=programme, status=MatchRun.Status.DRAFT).first()
    relationship = Relationship.objects.filter(programme=programme).order_by("pk").first()
    assert programme is not None
    assert run is not None
    assert relationship is not None
    people = organisation.people.count()
    print(f"reused: {people} people, a draft of {run.groups.count()} pairs")
    return {
        "organisation": organisation,
        "admin": admin,
        "programme": programme,
        "run": run,
        "relationship": relationship,
    }


def targets(world: dict[str, Any]) -> list[tuple[str, str]]:
    slug = world["organisation"].slug
    programme, run = world["programme"].pk, world["run"].pk
    relationship = world["relationship"].pk
    api = f"/api/v1/organisations/{slug}"
    return [
        ("page: draft review", f"/o/{slug}/programmes/{programme}/matching/{run}/"),
        ("page: draft, page 20", f"/o/{slug}/programmes/{programme}/matching/{run}/?page=20"),
        (
            "page: draft, find a person",
            f"/o/{slug}/programmes/{programme}/matching/{run}/?q=Person%201234",
        ),
        (
            "page: picker (typed 'pers')",
            f"/o/{slug}/programmes/{programme}/matching/people/?run_id={run}&find=pers",
        ),
        ("page: matching review", f"/o/{slug}/programmes/{programme}/matching/"),
        ("page: relationships", f"/o/{slug}/programmes/{programme}/matching/relationships/"),
        ("page: enrolment", f"/o/{slug}/programmes/{programme}/people/"),
        ("page: overview", f"/o/{slug}/dashboard/"),
        ("page: people", f"/o/{slug}/people/"),
        ("page: people search", f"/o/{slug}/people/?q=colleague%20123"),
        ("page: dashboard", f"/o/{slug}/programmes/{programme}/dashboard/"),
        ("api: people", f"{api}/people"),
        ("api: people search", f"{api}/people?q=person%2012"),
        ("api: enrolments", f"{api}/programmes/{programme}/enrolments"),
        ("api: relationships", f"{api}/programmes/{programme}/relationships"),
        ("api: match runs", f"{api}/programmes/{programme}/match-runs"),
        ("api: run groups", f"{api}/programmes/{programme}/match-runs/{run}/groups"),
        ("api: run groups p.40", f"{api}/programmes/{programme}/match-runs/{run}/groups?page=40"),
        ("api: rematch requests", f"{api}/programmes/{programme}/rematch-requests"),
        ("api: memberships", f"{api}/memberships"),
        ("api: overview", f"{api}/dashboard"),
        ("api: meetings", f"{api}/relationships/{relationship}/schedule/meetings"),
        ("api: nudge log", f"{api}/programmes/{programme}/nudge-deliveries"),
        ("api: emails", f"{api}/emails"),
    ]


def in_process(
    world: dict[str, Any], renders: int
) -> dict[str, tuple[float, float, float, float, int, int]]:
    from django.db import connection
    from django.test import Client

    client = Client()
    client.force_login(world["admin"], backend="alongside.accounts.backends.ModelBackend")
    figures = {}
    count = [0]

    def counting(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        count[0] += 1
        return execute(sql, params, many, context)

    for label, url in targets(world):
        times: list[float] = []
        cpu: list[float] = []
        queries = 0
        status = 0
        client.get(url)  # compile the templates once, as a running server has
        for _ in range(renders):
            count[0] = 0
            with connection.execute_wrapper(counting):
                started, cpu_started = time.perf_counter(), time.process_time()
                response = client.get(url)
                if hasattr(response, "streaming_content"):
                    b"".join(response.streaming_content)
                times.append(time.perf_counter() - started)
                cpu.append(time.process_time() - cpu_started)
            queries, status = count[0], response.status_code
        ordered = sorted(times)
        p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
        figures[label] = (
            statistics.median(times),
            p95,
            max(times),
            statistics.median(cpu),
            queries,
            status,
        )
        if max(times) > 3 * statistics.median(times):
            slowest = times.index(max(times)) + 1
            print(f"  {label}: render {slowest} of {renders} took {max(times) * 1000:.0f} ms")
    return figures


def _session_cookie(admin: Any) -> str:
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(admin.pk)
    session[BACKEND_SESSION_KEY] = "alongside.accounts.backends.ModelBackend"
    session[HASH_SESSION_KEY] = admin.get_session_auth_hash()
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def drive(
    base: str, urls: list[str], cookie: str, concurrency: int, seconds: float
) -> dict[str, Any]:
    done = [0] * concurrency
    errors: list[str] = []
    latencies: list[float] = []
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def client(n: int) -> None:
        rng = random.Random(n)
        opener = urllib.request.build_opener()
        while time.monotonic() < stop_at:
            url = rng.choice(urls)
            request = urllib.request.Request(base + url, headers={"Cookie": cookie})
            started = time.perf_counter()
            try:
                with opener.open(request, timeout=60) as response:
                    response.read()
                    ok = response.status == 200
            except urllib.error.HTTPError as error:
                ok = False
                with lock:
                    errors.append(f"{error.code} {url}")
            except (urllib.error.URLError, OSError) as error:
                ok = False
                with lock:
                    errors.append(f"{type(error).__name__} {url}")
            took = time.perf_counter() - started
            if ok:
                done[n] += 1
                with lock:
                    latencies.append(took)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(concurrency)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    ordered = sorted(latencies) or [0.0]
    return {
        "rate": sum(done) / elapsed,
        "requests": sum(done),
        "errors": len(errors),
        "first_errors": errors[:5],
        "p95": ordered[max(0, round(0.95 * len(ordered)) - 1)],
    }


@contextmanager
def server(
    command: list[str], env: dict[str, str], port: int, log: Path
) -> Iterator[tuple[str, int]]:
    process = subprocess.Popen(
        command, env=env, cwd=log.parent, stdout=log.open("wb"), stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=2):
                    break
            except (urllib.error.URLError, OSError) as error:
                if time.monotonic() > deadline or process.poll() is not None:
                    message = f"the server did not start:\n{log.read_text()[-2000:]}"
                    raise SystemExit(message) from error
                time.sleep(0.3)
        yield base, process.pid
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


def _cpu_seconds(server_pid: int) -> dict[str, float]:
    """CPU seconds used so far (user + system, from /proc) by the server's processes (it
    and its children: gunicorn's workers), by PostgreSQL's, and by everything else.

    A process that ended meanwhile is no longer listed; its time is in its parent's
    ``cutime``/``cstime`` once reaped, so those are added for the server and PostgreSQL:
    gunicorn restarts each worker after ``max_requests`` (a run of a few thousand
    requests sees both replaced), and PostgreSQL ends a connection's process when
    runserver closes the connection after each request."""
    tick = os.sysconf("SC_CLK_TCK")
    used = {"server": 0.0, "PostgreSQL": 0.0, "other": 0.0}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue  # ended meanwhile
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()
        seconds = (int(fields[11]) + int(fields[12])) / tick
        reaped = (int(fields[13]) + int(fields[14])) / tick
        if int(entry) == server_pid or int(fields[1]) == server_pid:
            used["server"] += seconds + reaped
        elif name.startswith("postgres"):
            used["PostgreSQL"] += seconds + reaped
        else:
            used["other"] += seconds
    return used


def drive_measured(
    base: str, server_pid: int, urls: list[str], cookie: str, args: argparse.Namespace
) -> dict[str, Any]:
    """``drive``, with the CPU milliseconds each request cost the server, PostgreSQL, this
    load generator and the rest of the machine (processes that started or ended during
    the run count only from or until then; on Linux only)."""
    if not Path("/proc/self/stat").exists():
        return drive(base, urls, cookie, args.concurrency, args.seconds)
    before, own_before = _cpu_seconds(server_pid), time.process_time()
    result = drive(base, urls, cookie, args.concurrency, args.seconds)
    after, own = _cpu_seconds(server_pid), time.process_time() - own_before
    spent = {name: after[name] - before[name] for name in after}
    spent["other"] -= own  # this process is among the others
    spent["load generator"] = own
    result["cpu_ms"] = {
        name: 1000 * value / max(1, result["requests"]) for name, value in spent.items()
    }
    return result


def through_servers(
    world: dict[str, Any], database_url: str, args: argparse.Namespace
) -> list[tuple[str, dict[str, Any]]]:
    """Each server in turn, ``--rounds`` times (the machine is shared: alternating shows
    how much of a difference is the servers' and how much the neighbours')."""
    cookie = _session_cookie(world["admin"])
    urls = [url for label, url in targets(world) if label.startswith("page")]
    urls += [url for label, url in targets(world) if label.startswith("api")]
    results = []
    with tempfile.TemporaryDirectory(prefix="alongside-bench-serve-") as folder:
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "ALONGSIDE_ENVIRONMENT": "production",
            "ALONGSIDE_SECRET_KEY": os.environ["ALONGSIDE_SECRET_KEY"],
            "ALONGSIDE_ALLOWED_HOSTS": "127.0.0.1",
            "ALONGSIDE_SSL_REDIRECT": "0",
            "ALONGSIDE_VAR_DIR": f"{folder}/var",
            "ALONGSIDE_STATIC_ROOT": f"{folder}/static",
            "ALONGSIDE_LOG_LEVEL": "WARNING",
            "ALONGSIDE_LOG_FORMAT": "text",
            # One admin makes every request here; the per-token API limit (600 a minute
            # by default) would answer 429 to a share of them, and 429s are cheap.
            "ALONGSIDE_API_RATE": "1000000/m",
        }
        alongside = [sys.executable, "-m", "alongside"]
        subprocess.run([*alongside, "collectstatic", "--noinput", "-v0"], env=env, check=True)
        # Session cookies are Secure in production; the clients send the header themselves.
        for number in range(1, args.rounds + 1):
            for name in (SERVE, RUNSERVER):
                port = _free_port()
                command = (
                    [*alongside, "serve", "--bind", f"127.0.0.1:{port}"]
                    if name == SERVE
                    else [*alongside, "runserver", "--noreload", f"127.0.0.1:{port}"]
                )
                log = Path(folder) / f"{name.split()[0]}-{number}.log"
                # runserver starts a thread per request: with persistent connections each
                # thread would leave one open until PostgreSQL refuses more (as Django's
                # documentation warns), so it gets one connection a request.
                server_env = env if name == SERVE else {**env, "ALONGSIDE_DB_CONN_MAX_AGE": "0"}
                with server(command, server_env, port, log) as (base, pid):
                    # Every worker process compiles the templates on its first requests.
                    drive(base, urls, cookie, args.concurrency, args.warmup)
                    result = drive_measured(base, pid, urls, cookie, args)
                load = os.getloadavg()
                result["load"] = f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"
                results.append((f"{name}, round {number}", result))
    return results


SERVE, RUNSERVER = "alongside serve (gunicorn)", "runserver"


def run(args: argparse.Namespace, database_url: str) -> int:
    os.environ["DATABASE_URL"] = database_url
    var_dir = tempfile.mkdtemp(prefix="alongside-bench-pages-")
    os.environ["ALONGSIDE_VAR_DIR"] = var_dir
    os.environ.setdefault("ALONGSIDE_SECRET_KEY", "benchmark-only-not-secret-" + "x" * 30)
    os.environ["ALONGSIDE_DEBUG"] = "false"
    # One admin makes every request, here as through the servers: the per-token API limit
    # would answer 429 to the in-process renders too, all the more so when a run follows
    # another within the same minute (the counts are kept in the database).
    os.environ["ALONGSIDE_API_RATE"] = "1000000/m"
    os.environ["DJANGO_SETTINGS_MODULE"] = "alongside.settings"
    import django

    django.setup()
    from django.core.management import call_command
    from django.test.utils import setup_test_environment

    setup_test_environment()
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    if args.reuse:
        world = existing_world()
    else:
        world = build(args.people, args.participants, datetime.now(tz=UTC))
        print(f"build: {time.perf_counter() - started:.0f} s")
    call_command("migrate", verbosity=0)  # no-op; keeps connections fresh after the build
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    # As the server's workers do once loaded (alongside/deploy/heap.py); here it also keeps
    # the objects left from building the organisation out of every full collection.
    from alongside.deploy.heap import settle_heap

    settle_heap()
    load = os.getloadavg()
    print(f"load average before measuring: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    figures = in_process(world, args.renders)
    load = os.getloadavg()
    print(f"load average after measuring: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    print(
        f"\n{'page or API list':<30} {'median':>8} {'p95':>8} {'max':>8} {'CPU':>8} "
        f"{'queries':>8} status"
    )
    slow = []
    for label, (median, p95, longest, cpu, queries, status) in figures.items():
        print(
            f"{label:<30} {median * 1000:>6.0f}ms {p95 * 1000:>6.0f}ms {longest * 1000:>6.0f}ms "
            f"{cpu * 1000:>6.1f}ms {queries:>8} {status}"
        )
        if p95 > args.target or status != 200:
            slow.append(label)
    mean_cpu = statistics.mean(figure[3] for figure in figures.values())
    print(f"{'CPU a request, mean of the medians':<57} {mean_cpu * 1000:>6.1f}ms")
    rate_ok = True
    if args.seconds > 0:
        load = os.getloadavg()
        print(f"\nload average before the servers: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
        results = through_servers(world, database_url, args)
        print(
            f"mixed pages and API lists, concurrency {args.concurrency}, {args.seconds:.0f} s "
            f"after {args.warmup:.0f} s of warming up"
        )
        for name, result in results:
            print(
                f"{name:<38} {result['rate']:>6.1f} req/s  p95 {result['p95'] * 1000:.0f} ms  "
                f"{result['requests']} ok, {result['errors']} errors {result['first_errors']}  "
                f"(load after: {result['load']})"
            )
            if "cpu_ms" in result:
                print(
                    "    CPU a request: "
                    + ", ".join(f"{name} {ms:.1f} ms" for name, ms in result["cpu_ms"].items())
                )
        for name in (SERVE, RUNSERVER):
            rates = [result["rate"] for label, result in results if label.startswith(name)]
            print(f"{name:<38} {statistics.mean(rates):>6.1f} req/s on average")
        serve_rates = [result["rate"] for label, result in results if label.startswith(SERVE)]
        rate_ok = statistics.mean(serve_rates) >= args.rate
    print(f"\nover {args.target * 1000:.0f} ms p95 or not 200: {slow or 'none'}")
    shutil.rmtree(var_dir, ignore_errors=True)
    return 0 if not slow and rate_ok else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--participants", type=int, default=5_000)
    parser.add_argument("--renders", type=int, default=20)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=20, help="0: no server run")
    parser.add_argument("--warmup", type=float, default=15, help="seconds before measuring")
    parser.add_argument("--rounds", type=int, default=2, help="each server this many times")
    parser.add_argument("--target", type=float, default=0.3, help="p95 seconds")
    parser.add_argument("--rate", type=float, default=100, help="requests a second")
    parser.add_argument("--database", help="an empty PostgreSQL database (postgres://…)")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="measure what an earlier run built in --database instead of building",
    )
    args = parser.parse_args(argv)
    for key, value in _machine().items():
        print(f"{key}: {value}")
    if args.database:
        return run(args, args.database)
    with throwaway_postgres() as url:
        return run(args, url)


if __name__ == "__main__":
    sys.exit(main())
