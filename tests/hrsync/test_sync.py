"""The scheduled HR sync against a real SFTP server (asyncssh) and a local HTTP server on
127.0.0.1: all or nothing, a diff per run, the leaver guard, the host key pinned, every
failure explained and emailed, and the schedule run once by any number of workers."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from alongside.audit.models import AuditEvent
from alongside.core.errors import AlongsideError
from alongside.hrsync.models import SyncRun, SyncSource
from alongside.hrsync.services import (
    hr_sync_configure,
    hr_sync_run,
    hr_sync_run_confirm,
    hr_sync_run_discard,
    hr_sync_run_due,
    next_run_after,
)
from alongside.outbox.sending import emails_send_due
from alongside.people.models import Person
from alongside.programmes.models import Enrolment, Programme
from tests import localapi
from tests.hrsync import sftp_server
from tests.hrsync.sftp_server import SftpServer
from tests.localapi import Call, LocalApi

HEADER = "email,name,department,job_title"
ADMIN_ROW = "asha.admin@acme.test,Asha Admin,,"


def csv(*rows: str, header: str = HEADER) -> bytes:
    return ("\r\n".join([header, *rows]) + "\r\n").encode()


@pytest.fixture(autouse=True)
def _loopback_sources(settings: Any) -> None:
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = True
    settings.INTEGRATION_TIMEOUT_SECONDS = 5.0


@pytest.fixture
def sftp(tmp_path: Path) -> Iterator[SftpServer]:
    (tmp_path / "exports").mkdir()
    with sftp_server.running(tmp_path) as server:
        yield server


@pytest.fixture
def http_source() -> Iterator[LocalApi]:
    with localapi.running() as api:
        yield api


def _sftp_values(server: SftpServer, **changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "kind": "sftp",
        "host": "127.0.0.1",
        "port": server.port,
        "path": "/exports/people.csv",
        "username": sftp_server.USER,
        "secret": "s3cret-pass",
        "frequency": "daily",
        "time_of_day": "06:00",
    }
    values.update(changes)
    return values


def _write(server: SftpServer, data: bytes) -> None:
    (server.root / "exports" / "people.csv").write_bytes(data)


def _people(org: Any) -> dict[str, Person]:
    return {p.email: p for p in Person.objects.filter(organisation=org)}


def _staff(org: Any, count: int) -> list[str]:
    emails = [f"staff{i}@acme.test" for i in range(count)]
    for email in emails:
        Person.objects.create(organisation=org, email=email, name=email.split("@")[0].title())
    return emails


def test_an_sftp_run_applies_the_file_and_pins_the_host_key(
    org_a: Any, admin: Any, sftp: SftpServer
) -> None:
    source = hr_sync_configure(organisation=org_a, actor=admin, values=_sftp_values(sftp))
    assert "s3cret-pass" not in source.secret_encrypted
    _write(
        sftp,
        csv("new.joiner@acme.test,New Joiner,Sales,Rep", "asha.admin@acme.test,Asha Admin,HR,Lead"),
    )
    run = hr_sync_run(organisation=org_a)
    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    assert run.added == ["new.joiner@acme.test"]
    assert run.changed == [{"email": "asha.admin@acme.test", "fields": ["department", "job_title"]}]
    assert run.left == []
    assert _people(org_a)["new.joiner@acme.test"].department == "Sales"
    source.refresh_from_db()
    assert source.host_key == sftp.host_key_line
    assert source.host_key_fingerprint.startswith("SHA256:")
    assert AuditEvent.objects.filter(action="hr_sync.host_key_recorded").count() == 1


def test_a_private_key_signs_in_too(org_a: Any, admin: Any, sftp: SftpServer) -> None:
    hr_sync_configure(
        organisation=org_a,
        actor=admin,
        values=_sftp_values(sftp, secret="", private_key=sftp.client_private_key),
    )
    _write(sftp, csv("asha.admin@acme.test,Asha Admin,HR,Lead"))
    run = hr_sync_run(organisation=org_a)
    assert run.status == SyncRun.Status.SUCCEEDED, run.error


def test_a_changed_host_key_stops_the_run(
    org_a: Any, admin: Any, sftp: SftpServer, tmp_path: Path, mailoutbox: Any
) -> None:
    hr_sync_configure(organisation=org_a, actor=admin, values=_sftp_values(sftp))
    _write(sftp, csv("asha.admin@acme.test,Asha Admin,HR,Lead"))
    assert hr_sync_run(organisation=org_a).status == SyncRun.Status.SUCCEEDED
    # Another server answers on the address: a different key.
    other_root = tmp_path / "other"
    (other_root / "exports").mkdir(parents=True)
    (other_root / "exports" / "people.csv").write_bytes(csv("evil@acme.test,Evil,X,Y"))
    with sftp_server.running(other_root) as impostor:
        SyncSource.objects.filter(organisation=org_a).update(port=impostor.port)
        run = hr_sync_run(organisation=org_a)
    assert run.status == SyncRun.Status.FAILED
    assert "host key has changed" in run.error
    assert "evil@acme.test" not in _people(org_a)
    emails_send_due()  # a worker sends what the run queued
    assert any("HR sync failed" in m.subject for m in mailoutbox)


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"secret": "wrong"}, "refused the user name hr with this password"),
        ({"path": "/exports/missing.csv"}, "There is no file /exports/missing.csv"),
    ],
)
def test_bad_sftp_settings_change_nothing_and_say_why(
    org_a: Any, admin: Any, sftp: SftpServer, mailoutbox: Any, changes: Any, expected: str
) -> None:
    hr_sync_configure(organisation=org_a, actor=admin, values=_sftp_values(sftp, **changes))
    _write(sftp, csv("new.joiner@acme.test,New Joiner,Sales,Rep"))
    before = _people(org_a).keys()
    run = hr_sync_run(organisation=org_a)
    assert run.status == SyncRun.Status.FAILED
    assert expected in run.error
    assert _people(org_a).keys() == before
    emails_send_due()
    [email] = mailoutbox
    assert email.to == ["asha.admin@acme.test"]
    assert expected in email.body


def test_an_unreachable_source_is_named(org_a: Any, admin: Any) -> None:
    import socket

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    hr_sync_configure(
        organisation=org_a,
        actor=admin,
        values={
            "kind": "https",
            "url": f"http://127.0.0.1:{port}/people.csv",
            "time_of_day": "6:00",
        },
    )
    run = hr_sync_run(organisation=org_a)
    assert run.status == SyncRun.Status.FAILED
    assert "127.0.0.1 could not be reached" in run.error


def _serve_csv(api: LocalApi, data: bytes, token: str = "hr-token") -> None:
    def handler(call: Call) -> localapi.Answer:
        if call.headers.get("authorization") != f"Bearer {token}":
            return 401, {"error": "unauthorised"}, {}
        return 200, data, {"Content-Type": "text/csv"}

    api.route("GET", "/export/people.csv", handler)


def _https_values(api: LocalApi, **changes: Any) -> dict[str, Any]:
    values = {
        "kind": "https",
        "url": f"{api.url}/export/people.csv",
        "http_auth": "bearer",
        "secret": "hr-token",
        "frequency": "weekly",
        "weekday": 0,
        "time_of_day": "05:30",
    }
    values.update(changes)
    return values


def test_an_https_source_with_a_bearer_token(org_a: Any, admin: Any, http_source: LocalApi) -> None:
    _serve_csv(http_source, csv("new.joiner@acme.test,New Joiner,Sales,Rep", ADMIN_ROW))
    hr_sync_configure(
        organisation=org_a, actor=admin, values=_https_values(http_source, secret="stale")
    )
    refused = hr_sync_run(organisation=org_a)
    assert refused.status == SyncRun.Status.FAILED
    assert "refused the credentials (HTTP 401)" in refused.error
    hr_sync_configure(organisation=org_a, actor=admin, values=_https_values(http_source))
    applied = hr_sync_run(organisation=org_a)
    assert applied.status == SyncRun.Status.SUCCEEDED
    assert applied.added == ["new.joiner@acme.test"]
    assert http_source.calls[-1].headers["authorization"] == "Bearer hr-token"


def test_a_wrong_header_fails_with_row_level_problems_and_changes_nothing(
    org_a: Any, admin: Any, http_source: LocalApi
) -> None:
    _serve_csv(http_source, csv("x@acme.test,X", header="mail,name"))
    hr_sync_configure(organisation=org_a, actor=admin, values=_https_values(http_source))
    before = {e: (p.name, p.is_active) for e, p in _people(org_a).items()}
    run = hr_sync_run(organisation=org_a)
    assert run.status == SyncRun.Status.FAILED
    assert "nothing was imported" in run.error
    fields = {p["field"] for p in run.problems}
    assert fields == {"mail", "email"}  # an unknown column, and email missing
    assert all(p["row"] == 1 for p in run.problems)
    assert {e: (p.name, p.is_active) for e, p in _people(org_a).items()} == before


def test_too_many_leavers_wait_for_an_admin_then_leave_through_the_one_path(
    org_a: Any,
    admin: Any,
    http_source: LocalApi,
    mailoutbox: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    staff = _staff(org_a, 9)  # with the admin: 10 active people
    programme = Programme.objects.create(
        organisation=org_a,
        name="Buddies",
        format="peer_pairs",
        stage="running",
        start_date=date(2020, 1, 1),
        end_date=date(2099, 1, 1),
    )
    leaver = Person.objects.get(email=staff[0])
    Enrolment.objects.create(programme=programme, person=leaver, role="peer", source="directory")
    keep = [
        "asha.admin@acme.test,Asha Admin,,",
        *[f"{e},{e.split('@')[0].title()},," for e in staff[2:]],
    ]
    _serve_csv(http_source, csv(*keep))
    hr_sync_configure(organisation=org_a, actor=admin, values=_https_values(http_source))
    run = hr_sync_run(organisation=org_a)
    assert run.status == SyncRun.Status.NEEDS_CONFIRMATION
    assert run.left == sorted(staff[:2])
    assert all(p.is_active for p in _people(org_a).values())
    emails_send_due()
    assert "waits for your confirmation" in mailoutbox[-1].subject
    with django_capture_on_commit_callbacks(execute=True):
        hr_sync_run_confirm(run=run, actor=admin)
    run.refresh_from_db()
    assert run.status == SyncRun.Status.SUCCEEDED
    assert bytes(run.content) == b""
    people = _people(org_a)
    assert not people[staff[0]].is_active
    assert not people[staff[1]].is_active
    assert people[staff[2]].is_active
    # The one leaver path: out of the running programme, history kept.
    enrolment = Enrolment.objects.get(person=leaver)
    assert enrolment.status == "withdrawn"
    with pytest.raises(AlongsideError):
        hr_sync_run_discard(run=run, actor=admin)


def test_a_discarded_run_changes_nothing(org_a: Any, admin: Any, http_source: LocalApi) -> None:
    _staff(org_a, 3)
    _serve_csv(http_source, csv("asha.admin@acme.test,Asha Admin,,"))
    hr_sync_configure(organisation=org_a, actor=admin, values=_https_values(http_source))
    run = hr_sync_run(organisation=org_a)
    assert run.status == SyncRun.Status.NEEDS_CONFIRMATION
    hr_sync_run_discard(run=run, actor=admin)
    run.refresh_from_db()
    assert run.status == SyncRun.Status.DISCARDED
    assert all(p.is_active for p in _people(org_a).values())


def test_the_schedule_is_a_wall_clock_time_in_the_organisation_zone() -> None:
    after = datetime(2027, 3, 26, 23, 0, tzinfo=UTC)  # Friday; Europe/London goes BST on Sunday
    daily = next_run_after(
        frequency="daily", time_of_day=time(6), weekday=0, zone_name="Asia/Kolkata", after=after
    )
    assert daily == datetime(2027, 3, 27, 0, 30, tzinfo=UTC)  # 06:00 IST
    weekly = next_run_after(
        frequency="weekly", time_of_day=time(6), weekday=0, zone_name="Europe/London", after=after
    )
    assert weekly == datetime(2027, 3, 29, 5, 0, tzinfo=UTC)  # Monday 06:00 BST


def test_a_due_sync_runs_once_however_many_workers_look(
    org_a: Any, admin: Any, http_source: LocalApi
) -> None:
    _serve_csv(http_source, csv("asha.admin@acme.test,Asha Admin,HR,Lead"))
    source = hr_sync_configure(organisation=org_a, actor=admin, values=_https_values(http_source))
    assert source.next_run_at is not None
    moment = source.next_run_at
    assert hr_sync_run_due(now=moment) == 1
    assert hr_sync_run_due(now=moment) == 0  # a second worker in the same minute
    assert SyncRun.objects.filter(organisation=org_a).count() == 1
    source.refresh_from_db()
    assert source.next_run_at > moment


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"kind": "ftp"}, "kind"),
        ({"kind": "https", "url": "not a url", "time_of_day": "06:00"}, "url"),
        (
            {
                "kind": "sftp",
                "host": "h",
                "path": "relative.csv",
                "username": "u",
                "secret": "p",
                "time_of_day": "06:00",
            },
            "path",
        ),
        (
            {
                "kind": "sftp",
                "host": "h",
                "path": "/a.csv",
                "username": "u",
                "time_of_day": "06:00",
            },
            "secret or private_key",
        ),
        (
            {
                "kind": "sftp",
                "host": "h",
                "path": "/a.csv",
                "username": "u",
                "private_key": "nope",
                "time_of_day": "06:00",
            },
            "private_key",
        ),
        (
            {"kind": "https", "url": "https://hr.example/p.csv", "time_of_day": "25:00"},
            "time_of_day",
        ),
        (
            {
                "kind": "https",
                "url": "https://hr.example/p.csv",
                "time_of_day": "06:00",
                "max_leaver_share": 2,
            },
            "max_leaver_share",
        ),
    ],
)
def test_bad_settings_are_refused_by_field(org_a: Any, admin: Any, values: Any, field: str) -> None:
    with pytest.raises(AlongsideError) as caught:
        hr_sync_configure(organisation=org_a, actor=admin, values=values)
    assert [p.field for p in caught.value.problems] == [field]
    assert not SyncSource.objects.exists()


def test_pages_and_api(
    org_a: Any, admin: Any, client_for: Any, api_for: Any, http_source: LocalApi
) -> None:
    _serve_csv(http_source, csv("new.joiner@acme.test,New Joiner,Sales,Rep", ADMIN_ROW))
    api = api_for(admin)
    answer = api.request("PUT", "/api/v1/organisations/acme/hr-sync", _https_values(http_source))
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["has_secret"] is True
    assert "hr-token" not in answer.content.decode()
    assert api.post("/api/v1/organisations/acme/hr-sync/runs").status_code == 202
    [run] = api.get("/api/v1/organisations/acme/hr-sync/runs").json()
    assert run["status"] == "succeeded"
    assert run["added"] == ["new.joiner@acme.test"]
    page = client_for(admin).get(reverse("hrsync:settings", args=["acme"])).content.decode()
    assert "Applied" in page
    detail = client_for(admin).get(reverse("hrsync:run", args=["acme", run["id"]]))
    assert "new.joiner@acme.test" in detail.content.decode()
    bad = client_for(admin).post(
        reverse("hrsync:settings", args=["acme"]),
        {"kind": "sftp", "host": "", "time_of_day": "06:00"},
        follow=True,
    )
    assert "host" in bad.content.decode()
    assert SyncSource.objects.get(organisation=org_a).kind == "https"
