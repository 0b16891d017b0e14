"""Periodic jobs run once per period across workers; failed or abandoned runs are retried."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command

from alongside.core.models import PeriodicRun
from alongside.core.periodic import PeriodicJob
from alongside.core.periodic_runner import discover_jobs, period_start, run_due_jobs

NOW = datetime(2026, 11, 10, 9, 7, tzinfo=UTC)


class Calls:
    def __init__(self) -> None:
        self.times: list[datetime] = []
        self.fail_next = False

    def __call__(self, now: datetime) -> None:
        if self.fail_next:
            self.fail_next = False
            raise RuntimeError("the mail server is down")
        self.times.append(now)


@pytest.fixture
def calls() -> Calls:
    return Calls()


def job(calls: Calls, every: timedelta = timedelta(minutes=15)) -> PeriodicJob:
    return PeriodicJob(name="test.job", every=every, function=calls)


def test_a_period_starts_on_a_multiple_of_its_length() -> None:
    quarter = PeriodicJob("q", timedelta(minutes=15), lambda now: None)
    daily = PeriodicJob("d", timedelta(days=1), lambda now: None)
    assert period_start(quarter, NOW) == datetime(2026, 11, 10, 9, 0, tzinfo=UTC)
    assert period_start(daily, NOW) == datetime(2026, 11, 10, tzinfo=UTC)


@pytest.mark.django_db
def test_a_job_runs_once_per_period_however_many_workers_tick(calls: Calls) -> None:
    jobs = [job(calls)]
    assert [o.status for o in run_due_jobs(now=NOW, jobs=jobs)] == ["done"]
    assert run_due_jobs(now=NOW, jobs=jobs) == []  # a second worker, same period
    assert run_due_jobs(now=NOW + timedelta(minutes=7), jobs=jobs) == []
    assert len(calls.times) == 1
    run_due_jobs(now=NOW + timedelta(minutes=8), jobs=jobs)  # 09:15: the next period
    assert len(calls.times) == 2
    assert PeriodicRun.objects.filter(job="test.job", status="done").count() == 2


@pytest.mark.django_db
def test_a_failed_run_is_recorded_and_retried_up_to_three_times(calls: Calls) -> None:
    jobs = [job(calls)]
    calls.fail_next = True
    outcome = run_due_jobs(now=NOW, jobs=jobs)[0]
    assert outcome.status == "failed"
    run = PeriodicRun.objects.get()
    assert run.error == "RuntimeError: the mail server is down"
    assert [o.status for o in run_due_jobs(now=NOW, jobs=jobs)] == ["done"]
    run.refresh_from_db()
    assert (run.status, run.attempts, run.error) == ("done", 2, "")
    assert len(calls.times) == 1


@pytest.mark.django_db
def test_a_run_whose_worker_died_is_claimed_again_once_it_is_stale(calls: Calls) -> None:
    jobs = [job(calls, every=timedelta(days=1))]
    PeriodicRun.objects.create(
        job="test.job", period_start=datetime(2026, 11, 10, tzinfo=UTC), started_at=NOW
    )
    assert run_due_jobs(now=NOW + timedelta(minutes=10), jobs=jobs) == []  # may be running
    assert [o.status for o in run_due_jobs(now=NOW + timedelta(minutes=31), jobs=jobs)] == ["done"]
    assert len(calls.times) == 1


def test_the_nudge_jobs_are_discovered() -> None:
    jobs = discover_jobs()
    assert jobs["nudges.send_due"].every == timedelta(minutes=15)
    assert jobs["nudges.send_digests"].every == timedelta(hours=1)


# The queue worker closes its database connection between tasks, as in production;
# only a transactional test database survives that.
@pytest.mark.django_db(transaction=True)
def test_worker_once_runs_the_due_jobs_and_exits(org_a: Any, manager: Any) -> None:
    from tests.nudges.helpers import NOW as MORNING
    from tests.nudges.helpers import build_world, meeting

    world = build_world(org_a, manager, pairs=1)
    meeting(world.pairs[0], MORNING - timedelta(days=7), status="held")
    meeting(world.pairs[0], MORNING + timedelta(hours=5))
    with time_machine.travel(MORNING, tick=False):
        call_command("worker", "--once")
        assert len(mail.outbox) == 2
        call_command("worker", "--once")  # same period: nothing runs twice
    assert len(mail.outbox) == 2
    assert set(PeriodicRun.objects.values_list("job", "status")) == {
        ("nudges.send_due", "done"),
        ("nudges.send_digests", "done"),
        ("health.daily_refresh", "done"),
        ("scheduling.send_due_invites", "done"),
        ("surveys.open_due", "done"),
        ("webhooks.send_due", "done"),
        ("accounts.forget_sign_in_links", "done"),
        ("accounts.prune_api_rate_counts", "done"),
        ("sso.forget_saml_handoffs", "done"),
        ("outbox.send_due", "done"),
        ("outbox.prune", "done"),
        ("core.prune", "done"),
        ("people.prune_uploads", "done"),
        ("exports.prune", "done"),
        ("scheduling.video_links", "done"),
        ("hrsync.run_due", "done"),
        ("chat.send_announcements", "done"),
        ("selfmatch.lapse_requests", "done"),
        ("selfmatch.close_picking", "done"),
        ("flash.rounds", "done"),
    }


@pytest.mark.django_db(transaction=True)
def test_worker_batch_still_only_drains_the_queue() -> None:
    call_command("worker", "--batch")
    assert not PeriodicRun.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_worker_queues_due_jobs_as_tasks_behind_the_emails(settings: Any) -> None:
    """A long job is one task among others: the claiming loop itself never runs a job."""
    from django_tasks_db.models import DBTaskResult

    from alongside.core.periodic_runner import queue_due_jobs

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with time_machine.travel(NOW, tick=False):
        queued = queue_due_jobs()
        assert {o.status for o in queued} == {"queued"}
        assert queue_due_jobs() == []  # claimed: another worker queues nothing
    tasks = DBTaskResult.objects.filter(task_path="alongside.core.tasks.run_periodic_job")
    assert tasks.count() == len(queued)
    assert {t.priority for t in tasks} == {-10}
    assert not PeriodicRun.objects.filter(status="done").exists()
    call_command("worker", "--batch")  # a worker takes them from the queue
    assert PeriodicRun.objects.filter(status="done").count() == len(queued)
