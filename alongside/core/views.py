"""Health for load balancers and orchestrators: alive, and ready to serve."""

from __future__ import annotations

import time
from datetime import timedelta

from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, JsonResponse
from django.utils import timezone

from alongside.core.models import WorkerHeartbeat

#: A worker that has not written its heartbeat for this long counts as gone.
HEARTBEAT_STALE = timedelta(minutes=2)
_MIGRATIONS_CHECKED_FOR = 60.0
_migrations_ok_at = 0.0


def healthz(request: HttpRequest) -> JsonResponse:
    """Alive: the process answers. No database, so a database outage restarts nothing."""
    return JsonResponse({"status": "ok"})


def _migrations_applied() -> bool:
    global _migrations_ok_at
    if time.monotonic() - _migrations_ok_at < _MIGRATIONS_CHECKED_FOR:
        return True
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        return False
    _migrations_ok_at = time.monotonic()
    return True


def readyz(request: HttpRequest) -> JsonResponse:
    """Ready: the database answers, every migration is applied, and a worker is alive."""
    checks: dict[str, str] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except DatabaseError as error:
        checks["database"] = f"unavailable: {type(error).__name__}"
        return JsonResponse({"status": "unavailable", "checks": checks}, status=503)
    checks["migrations"] = "ok" if _migrations_applied() else "not applied: run `alongside migrate`"
    newest = WorkerHeartbeat.objects.order_by("-seen_at").values_list("seen_at", flat=True).first()
    if newest is None:
        checks["worker"] = "no worker has started: run `alongside worker`"
    elif timezone.now() - newest > HEARTBEAT_STALE:
        checks["worker"] = f"no heartbeat since {newest.isoformat()}"
    else:
        checks["worker"] = "ok"
    ready = all(value == "ok" for value in checks.values())
    return JsonResponse(
        {"status": "ok" if ready else "unavailable", "checks": checks},
        status=200 if ready else 503,
    )
