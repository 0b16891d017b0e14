"""Run the registered periodic jobs that are due, each once per period across all workers.

A period starts at a multiple of the job's ``every`` since the Unix epoch (so a daily job's
period is the UTC day). The worker that inserts the (job, period) row runs the job; others
skip it. A run that failed, or whose worker vanished (still "running" after
:data:`STALE_AFTER`), is claimed again by a later tick, up to :data:`MAX_ATTEMPTS` times —
jobs are idempotent, so running one twice is safe, skipping one is not.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

from alongside.core.models import PeriodicRun
from alongside.core.periodic import PERIODIC_JOBS, PeriodicJob

logger = logging.getLogger(__name__)

STALE_AFTER = timedelta(minutes=30)
MAX_ATTEMPTS = 3


@dataclass(frozen=True)
class JobOutcome:
    job: str
    period_start: datetime
    status: str
    error: str = ""


def discover_jobs() -> dict[str, PeriodicJob]:
    """Import every installed app's ``jobs`` module so their jobs register themselves."""
    autodiscover_modules("jobs")
    return PERIODIC_JOBS


def period_start(job: PeriodicJob, now: datetime) -> datetime:
    step = int(job.every.total_seconds())
    if step <= 0:
        raise ValueError(f"periodic job {job.name!r} must have a positive period")
    seconds = int(now.timestamp())
    return datetime.fromtimestamp(seconds - seconds % step, tz=UTC)


def _claim(job: PeriodicJob, start: datetime, now: datetime) -> PeriodicRun | None:
    try:
        with transaction.atomic():
            return PeriodicRun.objects.create(job=job.name, period_start=start, started_at=now)
    except IntegrityError:
        pass  # another worker inserted it first; it may still be reclaimable below
    reclaimable = Q(status=PeriodicRun.Status.FAILED) | Q(
        status=PeriodicRun.Status.RUNNING, started_at__lt=now - STALE_AFTER
    )
    claimed = (
        PeriodicRun.objects.filter(job=job.name, period_start=start, attempts__lt=MAX_ATTEMPTS)
        .filter(reclaimable)
        .update(
            status=PeriodicRun.Status.RUNNING,
            attempts=F("attempts") + 1,
            started_at=now,
            error="",
        )
    )
    if not claimed:
        return None
    return PeriodicRun.objects.get(job=job.name, period_start=start)


def _due(jobs: list[PeriodicJob], now: datetime) -> list[tuple[PeriodicJob, datetime]]:
    """The jobs whose current period is not finished yet, in one query."""
    starts = [(job, period_start(job, now)) for job in jobs]
    if not starts:
        return []
    wanted = Q()
    for job, start in starts:
        wanted |= Q(job=job.name, period_start=start)
    settled = {
        (run.job, run.period_start)
        for run in PeriodicRun.objects.filter(wanted)
        if run.status == PeriodicRun.Status.DONE
        or (run.status == PeriodicRun.Status.RUNNING and run.started_at >= now - STALE_AFTER)
        or run.attempts >= MAX_ATTEMPTS
    }
    return [(job, start) for job, start in starts if (job.name, start) not in settled]


def _execute(job: PeriodicJob, run: PeriodicRun, now: datetime) -> JobOutcome:
    start = run.period_start
    try:
        job.function(now)
    except Exception as error:
        logger.exception("Periodic job %s failed for the period from %s", job.name, start)
        PeriodicRun.objects.filter(pk=run.pk).update(
            status=PeriodicRun.Status.FAILED,
            finished_at=timezone.now(),
            error=f"{type(error).__name__}: {error}"[:2000],
        )
        return JobOutcome(job.name, start, PeriodicRun.Status.FAILED, str(error))
    PeriodicRun.objects.filter(pk=run.pk).update(
        status=PeriodicRun.Status.DONE, finished_at=timezone.now()
    )
    return JobOutcome(job.name, start, PeriodicRun.Status.DONE)


def run_due_jobs(
    *, now: datetime | None = None, jobs: list[PeriodicJob] | None = None
) -> list[JobOutcome]:
    """Run each due job once for its current period, here and now; what this worker ran."""
    now = now or timezone.now()
    if jobs is None:
        jobs = sorted(discover_jobs().values(), key=lambda j: j.name)
    outcomes = []
    for job, start in _due(jobs, now):
        run = _claim(job, start, now)
        if run is not None:
            outcomes.append(_execute(job, run, now))
    return outcomes


def queue_due_jobs(*, now: datetime | None = None) -> list[JobOutcome]:
    """Claim each due job's period and queue it as a task (what ``alongside worker`` does).

    The loop that claims never runs a job itself, so a long job (a daily recompute) takes
    one worker's turn on the queue while the others go on sending emails.
    """
    from alongside.core.tasks import run_periodic_job

    now = now or timezone.now()
    jobs = sorted(discover_jobs().values(), key=lambda j: j.name)
    outcomes = []
    for job, start in _due(jobs, now):
        run = _claim(job, start, now)
        if run is None:
            continue
        run_periodic_job.enqueue(job=job.name, run_id=run.pk, now=now.isoformat())
        outcomes.append(JobOutcome(job.name, start, "queued"))
    return outcomes


def run_claimed_job(*, job_name: str, run_id: int, now: datetime) -> JobOutcome | None:
    """The task's half: run a period claimed by ``queue_due_jobs``, if it is still ours."""
    job = discover_jobs().get(job_name)
    run = PeriodicRun.objects.filter(pk=run_id, status=PeriodicRun.Status.RUNNING).first()
    if job is None or run is None:
        return None
    PeriodicRun.objects.filter(pk=run.pk).update(started_at=timezone.now())
    return _execute(job, run, now)
