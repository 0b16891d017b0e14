"""/metrics for Prometheus: requests (django-prometheus) and what the database knows.

Request counts and latencies come from django-prometheus's middleware, added up across
gunicorn's worker processes (prometheus_client's multiprocess mode, set up by
alongside/deploy/gunicorn_conf.py). The queue, the outbox and the match runs are read
from the database when scraped, so they are right whichever process did the work — a
worker's own counters would vanish with it and never reach this endpoint.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from datetime import timedelta

from django.conf import settings
from django.db.models import Count, F, Min
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily, HistogramMetricFamily
from prometheus_client.registry import Collector

from alongside.core.models import WorkerHeartbeat
from alongside.matches.models import MatchRun
from alongside.outbox.models import OutboundEmail

RUN_BUCKETS = (1.0, 5.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0)


class DatabaseCollector(Collector):
    def collect(self) -> Iterator[GaugeMetricFamily | HistogramMetricFamily]:
        now = timezone.now()
        ready = DBTaskResult.objects.ready()
        depth = GaugeMetricFamily(
            "alongside_task_queue_depth", "Tasks waiting to run, by queue.", labels=["queue"]
        )
        age = GaugeMetricFamily(
            "alongside_task_queue_oldest_age_seconds",
            "Age of the oldest task waiting to run, by queue.",
            labels=["queue"],
        )
        for row in ready.values("queue_name").annotate(n=Count("pk"), oldest=Min("enqueued_at")):
            depth.add_metric([row["queue_name"]], row["n"])
            age.add_metric([row["queue_name"]], (now - row["oldest"]).total_seconds())
        yield depth
        yield age

        emails = GaugeMetricFamily(
            "alongside_outbox_emails",
            "Emails in the outbox by status (sent ones are kept for a while, then pruned).",
            labels=["status"],
        )
        counts = dict.fromkeys(OutboundEmail.Status.values, 0)
        for row in OutboundEmail.objects.values("status").annotate(n=Count("pk")).order_by():
            counts[row["status"]] = row["n"]
        for status, count in counts.items():
            emails.add_metric([status], count)
        yield emails
        day = now - timedelta(days=1)
        recent = GaugeMetricFamily(
            "alongside_emails_last_day",
            "Emails sent, and given up on (failed), in the last 24 hours.",
            labels=["outcome"],
        )
        recent.add_metric(
            ["sent"], OutboundEmail.objects.filter(status="sent", sent_at__gte=day).count()
        )
        recent.add_metric(
            ["failed"], OutboundEmail.objects.filter(status="failed", created_at__gte=day).count()
        )
        yield recent

        runs = MatchRun.objects.filter(
            started_at__isnull=False, finished_at__isnull=False
        ).annotate(took=F("finished_at") - F("started_at"))
        seconds = [run.total_seconds() for run in runs.values_list("took", flat=True)]
        buckets = [(str(bound), sum(1 for s in seconds if s <= bound)) for bound in RUN_BUCKETS] + [
            ("+Inf", len(seconds))
        ]
        histogram = HistogramMetricFamily(
            "alongside_match_run_duration_seconds",
            "How long match runs took, from start to draft (or failure).",
        )
        histogram.add_metric([], buckets, sum(seconds))
        yield histogram

        workers = GaugeMetricFamily(
            "alongside_workers_alive", "Workers whose heartbeat is under two minutes old."
        )
        workers.add_metric(
            [], WorkerHeartbeat.objects.filter(seen_at__gte=now - timedelta(minutes=2)).count()
        )
        yield workers


_database = CollectorRegistry(auto_describe=False)
_database.register(DatabaseCollector())


def metrics(request: HttpRequest) -> HttpResponse:
    token = settings.METRICS_TOKEN
    if token:
        given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if not secrets.compare_digest(given, token):
            return HttpResponse("Forbidden\n", status=403, content_type="text/plain")
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    body = generate_latest(registry) + generate_latest(_database)
    return HttpResponse(body, content_type=CONTENT_TYPE_LATEST)
