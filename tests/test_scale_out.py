"""Two app servers and two workers on one PostgreSQL database, as the compose file runs them.

The shipped server (``alongside serve``: gunicorn with alongside/deploy/gunicorn_conf.py)
runs twice and ``alongside worker`` twice, in production mode, with a real SMTP server
(aiosmtpd) on 127.0.0.1 catching what the workers send. A bounded mixed load goes through
both servers — sign-ins, pages, API writes, a publish, nudges coming due — and then:
no answer was a 5xx, no email went out twice, each periodic job ran once for its period,
a session made on one server works on the other, and a lock-out made across both holds
on both.
"""

from __future__ import annotations

import email as email_parser
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection
from django.utils import timezone

from alongside.accounts.models import User
from alongside.accounts.services import api_token_create
from alongside.core.models import PeriodicRun
from alongside.core.periodic_runner import discover_jobs, period_start
from alongside.matches.models import MatchRun
from alongside.nudges.models import NudgeDelivery
from alongside.organisations.models import Membership, Role
from alongside.outbox.models import OutboundEmail
from alongside.people.models import Person
from tests.conftest import PASSWORD
from tests.matches.helpers import draft_run
from tests.matches.test_workflow import _programme
from tests.nudges.helpers import build_world, meeting

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.slow,
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")),
        reason="needs PostgreSQL: the PostgreSQL suite (python -m tests.postgres_run) runs it",
    ),
]

ROOT = Path(__file__).resolve().parent.parent
PEOPLE = 24  # matched in circles by the publish
CLIENTS = 6
ROUNDS = 8  # requests each client makes per round trip through both servers


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Mailbox:
    """What the SMTP server received: one entry per message, with its recipients."""

    messages: list[tuple[list[str], Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = email_parser.message_from_bytes(envelope.content)
        with self.lock:
            self.messages.append((list(envelope.rcpt_tos), parsed))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp() -> Iterator[tuple[Mailbox, int]]:
    import logging

    from aiosmtpd.controller import Controller

    logging.getLogger("mail.log").setLevel(logging.WARNING)
    mailbox = Mailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield mailbox, port
    finally:
        controller.stop()


def database_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


@dataclass
class Site:
    servers: list[str]
    processes: list[subprocess.Popen[bytes]]
    logs: list[Path]

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)


def start_site(tmp: Path, smtp_port: int) -> Site:
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "ALONGSIDE_ENVIRONMENT": "production",
        "ALONGSIDE_SECRET_KEY": "scale-out-test-" + "k" * 40,
        "ALONGSIDE_ALLOWED_HOSTS": "127.0.0.1",
        "ALONGSIDE_SSL_REDIRECT": "0",
        "ALONGSIDE_SITE_URL": "https://mentoring.example.org",
        "ALONGSIDE_VAR_DIR": str(tmp / "var"),
        "ALONGSIDE_STATIC_ROOT": str(tmp / "static"),
        "ALONGSIDE_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "ALONGSIDE_EMAIL_HOST": "127.0.0.1",
        "ALONGSIDE_EMAIL_PORT": str(smtp_port),
        "ALONGSIDE_LOG_LEVEL": "WARNING",
        "ALONGSIDE_WEB_WORKERS": "2",
        "ALONGSIDE_WEB_THREADS": "2",
    }
    env.pop("ALONGSIDE_TASKS_IMMEDIATE", None)
    alongside = [sys.executable, "-m", "alongside"]
    subprocess.run([*alongside, "collectstatic", "--noinput", "-v0"], env=env, check=True, cwd=tmp)
    processes, logs, servers = [], [], []
    for n in range(2):
        port = free_port()
        log = tmp / f"server{n}.log"
        processes.append(
            subprocess.Popen(
                [*alongside, "serve", "--bind", f"127.0.0.1:{port}"],
                env={**env, "PROMETHEUS_MULTIPROC_DIR": str(tmp / f"metrics{n}")},
                cwd=tmp,
                stdout=log.open("wb"),
                stderr=subprocess.STDOUT,
            )
        )
        logs.append(log)
        servers.append(f"http://127.0.0.1:{port}")
    for n in range(2):
        log = tmp / f"worker{n}.log"
        processes.append(
            subprocess.Popen(
                [*alongside, "worker", "--interval", "0.2"],
                env=env,
                cwd=tmp,
                stdout=log.open("wb"),
                stderr=subprocess.STDOUT,
            )
        )
        logs.append(log)
    site = Site(servers, processes, logs)
    # Starting is not under test: on a shared 2-core machine at load 15 the first
    # /healthz answers took 12-14 s and the second server was still booting at 90 s.
    deadline = time.monotonic() + 240
    for server in servers:
        while True:
            try:
                with urllib.request.urlopen(server + "/healthz", timeout=2) as response:
                    if response.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline or any(p.poll() is not None for p in processes):
                site.stop()
                pytest.fail("the site did not start:\n" + tail(logs))
            time.sleep(0.3)
    return site


def tail(logs: list[Path]) -> str:
    return "\n".join(f"--- {log.name}\n{log.read_text()[-3000:]}" for log in logs if log.exists())


class Browser:
    """A client keeping its own cookies (they are Secure in production; this is HTTP)."""

    def __init__(self) -> None:
        self.cookies: dict[str, str] = {}

    def request(
        self,
        url: str,
        data: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        body: bytes | None = None,
        method: str | None = None,
    ) -> tuple[int, str, dict[str, str]]:
        all_headers = {"User-Agent": "scale-out-test", **(headers or {})}
        if self.cookies:
            all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if data is not None:
            body = urllib.parse.urlencode(data).encode()
            all_headers["Content-Type"] = "application/x-www-form-urlencoded"
        request = urllib.request.Request(url, data=body, headers=all_headers, method=method)
        opener = urllib.request.build_opener(NoRedirect())
        try:
            response = opener.open(request, timeout=60)
            status, text, got = (
                response.status,
                response.read().decode(errors="replace"),
                response.headers,
            )
        except urllib.error.HTTPError as error:
            status, text, got = error.code, error.read().decode(errors="replace"), error.headers
        for cookie in got.get_all("Set-Cookie") or []:
            name, _sep, rest = cookie.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return status, text, dict(got.items())

    def csrf(self, server: str, path: str) -> str:
        status, text, headers = self.request(server + path)
        found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', text)
        assert found, f"no CSRF token on {path}: {status} {headers.get('Location')} {text[:300]}"
        return found.group(1)

    def sign_in(self, server: str, email: str, password: str) -> int:
        token = self.csrf(server, "/accounts/login/")
        status, _text, _headers = self.request(
            server + "/accounts/login/",
            {"csrfmiddlewaretoken": token, "username": email, "password": password},
            headers={"Referer": server + "/accounts/login/"},
        )
        return status


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


@pytest.mark.django_db(transaction=True)
def test_two_servers_and_two_workers_share_one_database(
    cast: dict[str, User], org_a: Any, smtp: tuple[Mailbox, int], settings: Any
) -> None:
    mailbox, smtp_port = smtp
    admin, manager = cast["admin"], cast["manager"]
    # A draft of circles to publish, and meetings tomorrow that make nudges due.
    people = []
    for n in range(PEOPLE):
        user = User.objects.create_user(f"member{n}@acme.test", PASSWORD, full_name=f"Member {n}")
        Membership.objects.create(user=user, organisation=org_a, role=Role.MEMBER)
        people.append(
            Person.objects.create(
                organisation=org_a,
                user=user,
                name=f"Member {n:02d}",
                email=f"member{n}@acme.test",
                department=["Finance", "Sales", "People"][n % 3],
                level="L2",
                timezone="Asia/Kolkata",
                languages=["English"],
            )
        )
    programme, _enrolments = _programme(org_a, admin, "peer_circles", people)
    programme.managers.add(manager)
    run = draft_run(programme, admin)
    world = build_world(org_a, manager, pairs=3)
    now = timezone.now()
    for pair in world.pairs:
        meeting(pair, now - timedelta(days=7), status="held")
        meeting(pair, now + timedelta(hours=20))
    _token, api_secret = api_token_create(user=admin, name="scale-out")
    # The servers run with production's password hashers (the suite's fast one is not
    # among them): the people who sign in get a real hash, computed once.
    real_hash = PBKDF2PasswordHasher().encode(PASSWORD, PBKDF2PasswordHasher().salt())
    signing_in = [f"member{n}@acme.test" for n in range(CLIENTS)] + [
        "priya.pm@acme.test",
        "ravi.member@acme.test",
        "asha.admin@acme.test",
    ]
    User.objects.filter(email__in=signing_in).update(password=real_hash)

    # Emails the set-up queued (the enrolments' invitations) were sent here, by the test's
    # own mail backend; the servers and workers must not send them again.
    queued_before = set(OutboundEmail.objects.values_list("pk", flat=True))
    with tempfile.TemporaryDirectory(prefix="alongside-scale-") as folder:
        site = start_site(Path(folder), smtp_port)
        try:
            statuses, problems = drive_load(site, programme.pk, run.pk, api_secret)
            check_sessions_and_lockouts(site, problems)
            check_static_and_readiness(site, problems)
            wait_for_workers(site)
        finally:
            site.stop()
        logs = tail(site.logs)

    # No 5xx anywhere.
    assert [s for s in statuses if s >= 500] == [], logs
    assert problems == [], logs
    assert Counter(statuses)[200] > CLIENTS * ROUNDS, statuses

    # The publish happened once, and everyone matched heard once.
    run.refresh_from_db()
    assert run.status == MatchRun.Status.PUBLISHED
    matched = [
        tuple(to)
        for to, message in mailbox.messages
        if str(message["Subject"]).startswith("You've been matched")
    ]
    assert sorted(matched) == sorted((f"member{n}@acme.test",) for n in range(PEOPLE)), logs

    # No email twice: one SMTP delivery per outbox row, each row sent.
    ids = [message["Message-ID"] for _to, message in mailbox.messages]
    assert len(ids) == len(set(ids))
    by_content = Counter((tuple(to), str(message["Subject"])) for to, message in mailbox.messages)
    assert [key for key, count in by_content.items() if count > 1] == []
    assert OutboundEmail.objects.exclude(status=OutboundEmail.Status.SENT).count() == 0
    assert OutboundEmail.objects.exclude(pk__in=queued_before).count() == len(mailbox.messages)

    # The nudges came due and went out once each, through either worker.
    reminders = NudgeDelivery.objects.filter(nudge_key="meeting_tomorrow")
    assert reminders.count() == 6
    assert set(reminders.values_list("status", flat=True)) == {NudgeDelivery.Status.SENT}

    # Every periodic job ran once for its period, whichever worker claimed it.
    jobs = discover_jobs()
    runs = list(PeriodicRun.objects.values_list("job", "period_start", "status", "attempts"))
    assert len(runs) == len({(job, start) for job, start, _s, _a in runs})
    for name, job in jobs.items():
        mine = [r for r in runs if r[0] == name]
        current = {period_start(job, timezone.now()), period_start(job, now)}
        assert any(r[1] in current and r[2] == "done" and r[3] == 1 for r in mine), (name, mine)


def drive_load(
    site: Site, programme_id: int, run_id: int, api_secret: str
) -> tuple[list[int], list[str]]:
    """CLIENTS members browse and write through alternating servers; a manager publishes."""
    statuses: list[int] = []
    problems: list[str] = []
    lock = threading.Lock()
    a, b = site.servers

    def record(status: int, what: str) -> None:
        with lock:
            statuses.append(status)
            if status >= 500:
                problems.append(f"{status} from {what}")

    def member(n: int) -> None:
        browser = Browser()
        rng = random.Random(n)
        first, second = (a, b) if n % 2 else (b, a)
        record(browser.sign_in(first, f"member{n}@acme.test", PASSWORD), "sign-in")
        pages = ["/o/acme/", "/o/acme/people/", "/o/acme/mentoring/", "/o/acme/programmes/"]
        api = {"Authorization": f"Bearer {api_secret}", "Content-Type": "application/json"}
        for round_number in range(ROUNDS):
            server = (first, second)[round_number % 2]
            status, _text, _h = browser.request(server + rng.choice(pages))
            record(status, "page")
            if round_number % 3 == 0:
                payload = {
                    "name": f"Load {n}-{round_number}",
                    "email": f"l{n}x{round_number}@acme.test",
                }
                status, text, _h = browser.request(
                    server + "/api/v1/organisations/acme/people",
                    body=json.dumps(payload).encode(),
                    headers=api,
                    method="POST",
                )
                record(status, f"API write {text[:200]}")
            status, _text, _h = browser.request(
                server + "/api/v1/organisations/acme/people?page_size=20", headers=api
            )
            record(status, "API list")

    def publisher() -> None:
        browser = Browser()
        record(browser.sign_in(b, "priya.pm@acme.test", PASSWORD), "manager sign-in")
        path = f"/o/acme/programmes/{programme_id}/matching/{run_id}/"
        token = browser.csrf(a, path)  # the session made on B opens the draft on A
        status, _text, headers = browser.request(
            a + path + "publish/",
            {"csrfmiddlewaretoken": token},
            headers={"Referer": a + path},
        )
        record(status, "publish")
        if status != 302 or "/relationships/" not in headers.get("Location", ""):
            with lock:
                problems.append(f"publish answered {status} {headers.get('Location')}")

    threads = [threading.Thread(target=member, args=(n,)) for n in range(CLIENTS)]
    threads.append(threading.Thread(target=publisher))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    return statuses, problems


def check_sessions_and_lockouts(site: Site, problems: list[str]) -> None:
    a, b = site.servers
    browser = Browser()
    assert browser.sign_in(a, "ravi.member@acme.test", PASSWORD) == 302
    for server in (a, b):
        status, _text, _h = browser.request(server + "/o/acme/")
        if status != 200:  # signed out, it would be a redirect to the sign-in page
            problems.append(f"the session made on A did not work on {server}: {status}")
    # Five wrong passwords, alternating servers, lock the account on both.
    intruder = Browser()
    for attempt in range(5):
        intruder.sign_in((a, b)[attempt % 2], "asha.admin@acme.test", "wrong password")
    for server in (a, b):
        status = Browser().sign_in(server, "asha.admin@acme.test", PASSWORD)
        if status not in (403, 429):
            problems.append(f"the lock-out did not hold on {server}: {status}")


def check_static_and_readiness(site: Site, problems: list[str]) -> None:
    a, b = site.servers
    _status, page, _h = Browser().request(a + "/accounts/login/")
    found = re.search(r'href="(/static/alongside/alongside\.[0-9a-f]{12}\.css)"', page)
    if found is None:
        problems.append("no hashed stylesheet on the sign-in page")
        return
    status, _body, headers = Browser().request(
        b + found.group(1), headers={"Accept-Encoding": "gzip"}
    )
    if "immutable" not in headers.get("Cache-Control", "") or status != 200:
        problems.append(f"static file headers: {status} {headers.get('Cache-Control')}")
    deadline = time.monotonic() + 30
    for server in (a, b):
        while True:
            status, text, _h = Browser().request(server + "/readyz")
            if status == 200:
                break
            if time.monotonic() > deadline:
                problems.append(f"{server}/readyz stayed {status}: {text}")
                break
            time.sleep(0.5)


def wait_for_workers(site: Site) -> None:
    """Until the workers have sent every email and handed over every nudge (bounded)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        busy = (
            OutboundEmail.objects.exclude(status=OutboundEmail.Status.SENT).exists()
            or NudgeDelivery.objects.filter(
                status__in=[NudgeDelivery.Status.PENDING, NudgeDelivery.Status.QUEUED]
            ).exists()
            or not NudgeDelivery.objects.exists()
            or PeriodicRun.objects.filter(status="done").values("job").distinct().count()
            < len(discover_jobs())
        )
        if not busy:
            return
        time.sleep(0.5)
