"""Retention: what the site keeps only for a while, pruned daily by the workers.

Expired sessions, finished background-task results, sign-in records (django-axes), old
periodic-run rows and the heartbeats of workers long gone. Each age is a setting
(``RETENTION_DAYS``); apps prune their own data in their own ``jobs.py``.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib.sessions.models import Session
from django_tasks_db.models import DBTaskResult

from alongside.core.models import PeriodicRun, WorkerHeartbeat
from alongside.core.periodic import periodic


def _days(name: str) -> timedelta:
    return timedelta(days=int(settings.RETENTION_DAYS[name]))


@periodic("core.prune", every=timedelta(days=1))
def prune(now: datetime) -> dict[str, int]:
    cooled_off = now - timedelta(hours=float(settings.AXES_COOLOFF_TIME))
    return {
        "sessions": Session.objects.filter(expire_date__lt=now).delete()[0],
        "task_results": DBTaskResult.objects.finished()
        .filter(finished_at__lt=now - _days("task_results"))
        .delete()[0],
        # A lock-out's attempts are kept until its cool-off is over, never less.
        "login_attempts": AccessAttempt.objects.filter(
            attempt_time__lt=min(cooled_off, now - _days("login_records"))
        ).delete()[0],
        "login_failures": AccessFailureLog.objects.filter(
            attempt_time__lt=now - _days("login_records")
        ).delete()[0],
        "login_log": AccessLog.objects.filter(
            attempt_time__lt=now - _days("login_records")
        ).delete()[0],
        "periodic_runs": PeriodicRun.objects.filter(
            period_start__lt=now - _days("periodic_runs")
        ).delete()[0],
        "heartbeats": WorkerHeartbeat.objects.filter(seen_at__lt=now - timedelta(days=1)).delete()[
            0
        ],
    }
