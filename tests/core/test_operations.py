"""What operators rely on: liveness and readiness, request ids in JSON logs, metrics, pruning."""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from typing import Any

import pytest
from axes.models import AccessAttempt, AccessLog
from django.contrib.sessions.models import Session
from django.core.mail import EmailMessage
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from alongside.core.jobs import prune
from alongside.core.logging import JsonFormatter, RequestIdFilter
from alongside.core.models import WorkerHeartbeat
from alongside.outbox.jobs import prune as prune_outbox
from alongside.outbox.models import OutboundEmail
from alongside.outbox.services import email_enqueue
from alongside.people.jobs import prune_uploads
from alongside.people.models import PersonImport

pytestmark = pytest.mark.django_db


def test_healthz_answers_without_asking_the_database(django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(0):
        response = Client().get("/healthz")
    assert response.json() == {"status": "ok"}


def test_readyz_waits_for_a_worker_heartbeat() -> None:
    response = Client().get("/readyz")
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert (checks["database"], checks["migrations"]) == ("ok", "ok")
    assert "alongside worker" in checks["worker"]
    WorkerHeartbeat.objects.create(worker_id="w1", seen_at=timezone.now() - timedelta(minutes=5))
    assert "no heartbeat since" in Client().get("/readyz").json()["checks"]["worker"]
    WorkerHeartbeat.objects.create(worker_id="w2")
    ready = Client().get("/readyz")
    assert (ready.status_code, ready.json()["status"]) == (200, "ok")


def test_a_request_id_is_kept_or_made_and_every_log_line_carries_it(
    caplog: Any, settings: Any
) -> None:
    given = Client().get("/healthz", headers={"X-Request-ID": "edge-1234abcd"})
    assert given["X-Request-ID"] == "edge-1234abcd"
    made = Client().get("/healthz", headers={"X-Request-ID": "bad id\nwith newline"})
    assert len(made["X-Request-ID"]) == 32
    record = logging.LogRecord("alongside.requests", logging.INFO, "", 0, "GET / 200", (), None)
    record.status = 200
    from alongside.core.logging import request_id

    token = request_id.set("req-42abcdef")
    try:
        RequestIdFilter().filter(record)
    finally:
        request_id.reset(token)
    line = json.loads(JsonFormatter().format(record))
    assert line["request_id"] == "req-42abcdef"
    assert (line["level"], line["message"], line["status"]) == ("info", "GET / 200", 200)


def test_metrics_show_the_queue_the_outbox_and_need_the_token_when_set(settings: Any) -> None:
    email_enqueue(EmailMessage(to=["a@acme.test"]), kind="test")
    OutboundEmail.objects.update(status=OutboundEmail.Status.FAILED)
    DBTaskResult.objects.create(
        args_kwargs={"args": [], "kwargs": {}},
        task_path="alongside.outbox.tasks.send_queued_emails",
        backend_name="default",
        run_after=timezone.now() - timedelta(minutes=1),
    )
    body = Client().get("/metrics").content.decode()
    assert 'alongside_task_queue_depth{queue="default"} 1.0' in body
    assert 'alongside_outbox_emails{status="failed"} 1.0' in body
    assert "alongside_match_run_duration_seconds_count" in body
    assert "django_http_requests_total_by_method" in body
    settings.METRICS_TOKEN = "s3cret-token"
    assert Client().get("/metrics").status_code == 403
    allowed = Client().get("/metrics", headers={"Authorization": "Bearer s3cret-token"})
    assert allowed.status_code == 200


def test_retention_prunes_what_is_old_and_keeps_what_is_not(org_a: Any, admin: Any) -> None:
    now = timezone.now()
    Session.objects.create(session_key="old", session_data="x", expire_date=now - timedelta(1))
    Session.objects.create(session_key="new", session_data="x", expire_date=now + timedelta(1))
    old = AccessAttempt.objects.create(username="u", ip_address="127.0.0.1", failures_since_start=1)
    AccessAttempt.objects.filter(pk=old.pk).update(attempt_time=now - timedelta(days=100))
    AccessAttempt.objects.create(username="v", ip_address="127.0.0.1", failures_since_start=1)
    log = AccessLog.objects.create(username="u", ip_address="127.0.0.1")
    AccessLog.objects.filter(pk=log.pk).update(attempt_time=now - timedelta(days=100))
    pruned = prune(now)
    assert (pruned["sessions"], pruned["login_attempts"], pruned["login_log"]) == (1, 1, 1)
    assert list(Session.objects.values_list("session_key", flat=True)) == ["new"]
    assert AccessAttempt.objects.count() == 1

    sent = email_enqueue(EmailMessage(to=["a@acme.test"]), kind="test")
    OutboundEmail.objects.filter(pk=sent.pk).update(
        status=OutboundEmail.Status.SENT, sent_at=now - timedelta(days=31)
    )
    email_enqueue(EmailMessage(to=["b@acme.test"]), kind="test")
    assert prune_outbox(now) == 1
    assert OutboundEmail.objects.count() == 1

    upload = PersonImport.objects.create(
        organisation=org_a,
        created_by=admin,
        filename="p.csv",
        content=b"email,name\r\n",
        status=PersonImport.Status.APPLIED,
        row_count=0,
    )
    PersonImport.objects.filter(pk=upload.pk).update(created_at=now - timedelta(days=8))
    assert prune_uploads(now) == 1
    upload.refresh_from_db()
    assert bytes(upload.content) == b""
