"""alongside worker — runs the periodic jobs and the background task queue (no broker needed).

One loop, one thread: write this worker's heartbeat (read by /readyz), queue the periodic
jobs that are due as tasks (each once per period across all workers, see
:mod:`alongside.core.periodic_runner`), then work through queued tasks — emails first,
periodic jobs last — at most ``--max-tasks`` before looking at the clock again, then sleep
``--interval``. Run two or more: a long job then never keeps the others waiting.
"""

from __future__ import annotations

import logging
import signal
import socket
import sys
import time
from argparse import ArgumentParser
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand
from django.db import close_old_connections
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Worker

from alongside.core.models import WorkerHeartbeat
from alongside.core.periodic_runner import discover_jobs, queue_due_jobs, run_due_jobs

HEARTBEAT_EVERY = 15.0  # seconds


class Command(BaseCommand):
    help = (
        "Run the background worker: sends emails and nudges, runs queued and daily jobs. "
        "Stop with Ctrl-C."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--interval", type=float, default=1.0, help="seconds between polls")
        parser.add_argument(
            "--batch", action="store_true", help="run queued tasks until the queue is empty, exit"
        )
        parser.add_argument(
            "--once",
            action="store_true",
            help="run the periodic jobs that are due and the queued tasks once, then exit "
            "(for cron)",
        )
        parser.add_argument(
            "--max-tasks",
            type=int,
            default=50,
            help="queued tasks to run before checking the periodic jobs again",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        self.stopping = False
        self.queue: Worker | None = None
        self.worker_id = get_random_string(32)
        if options["verbosity"] < 2:
            # The queue is drained once a loop; its start/stop lines would fill the log.
            logging.getLogger("django_tasks_db").setLevel(logging.WARNING)
        if options["batch"]:
            self.drain_queue(max_tasks=None)
            return
        if options["once"]:
            self.run_periodic()
            self.drain_queue(max_tasks=None)
            return
        jobs = sorted(discover_jobs())
        self.stdout.write(f"Worker {self.worker_id} started; periodic jobs: {', '.join(jobs)}")
        signal.signal(signal.SIGINT, self.shutdown)
        signal.signal(signal.SIGTERM, self.shutdown)
        self.heartbeat_at = 0.0
        while not self.stopping:
            self.heartbeat()
            self.queue_periodic()
            if not self.stopping:
                self.drain_queue(max_tasks=max(1, options["max_tasks"]))
            close_old_connections()
            self.sleep(options["interval"])

    def heartbeat(self) -> None:
        if time.monotonic() - self.heartbeat_at < HEARTBEAT_EVERY:
            return
        WorkerHeartbeat.objects.update_or_create(
            worker_id=self.worker_id,
            defaults={"hostname": socket.gethostname()[:255], "seen_at": timezone.now()},
        )
        self.heartbeat_at = time.monotonic()

    def queue_periodic(self) -> None:
        for outcome in queue_due_jobs():
            self.stdout.write(f"{outcome.job}: queued for the period from {outcome.period_start}")

    def run_periodic(self) -> None:
        for outcome in run_due_jobs():
            style = self.style.SUCCESS if outcome.status == "done" else self.style.ERROR
            self.stdout.write(style(f"{outcome.job}: {outcome.status} {outcome.error}".rstrip()))

    def drain_queue(self, *, max_tasks: int | None) -> None:
        self.queue = Worker(
            queue_names=["*"],
            interval=0,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=max_tasks,
            worker_id=self.worker_id,
            excluded_queue_names=[],
        )
        self.queue.run()
        self.queue = None

    def sleep(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while not self.stopping and time.monotonic() < deadline:
            time.sleep(min(0.2, seconds))

    def shutdown(self, signum: int, frame: FrameType | None) -> None:
        if self.stopping:
            sys.exit(1)  # asked twice: stop now, even mid-task
        self.stdout.write("Stopping after the current job… (press Ctrl-C again to force)")
        self.stopping = True
        if self.queue is not None:
            self.queue.running = False
