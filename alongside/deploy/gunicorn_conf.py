"""The shipped gunicorn configuration, loaded by ``alongside serve``.

gunicorn: a pre-forking WSGI server that has served Django in production for over a
decade, is small, pure Python and well maintained, and needs no compiler. The app is
plain WSGI (no websockets), so an ASGI server would add moving parts and nothing else.

Every value can be set from the environment, so the container, the compose file and the
systemd unit share this one file:

| variable | default | meaning |
|---|---|---|
| ``ALONGSIDE_BIND`` | ``127.0.0.1:8000`` | address:port (or ``unix:/path``) |
| ``ALONGSIDE_WEB_WORKERS`` | CPUs (at least 2) | worker processes |
| ``ALONGSIDE_WEB_THREADS`` | 2 | threads per worker process (gthread) |
| ``ALONGSIDE_WEB_TIMEOUT`` | 30 | seconds before a stuck worker is restarted |
| ``ALONGSIDE_FORWARDED_ALLOW_IPS`` | ``127.0.0.1,::1`` | proxies trusted for X-Forwarded-* |
"""

from __future__ import annotations

import multiprocessing
import os
import tempfile
from pathlib import Path
from typing import Any


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


bind = [os.environ.get("ALONGSIDE_BIND", "127.0.0.1:8000")]


def _cpus() -> int:
    """The CPUs this process may run on: a container's CPU set, not the host's. A CPU
    quota (``--cpus`` without a CPU set) is not seen here; set ALONGSIDE_WEB_WORKERS."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return multiprocessing.cpu_count()


# A page is mostly Python (the database's share of a request is about a fifth of its CPU
# time), so a worker process for each CPU, with two threads so that one computes while the
# other waits on the database. More processes only make them take turns on the same CPUs:
# measured on 2 CPUs with PostgreSQL beside them (benchmarks/README.md), 2 × 2 served 8–16 %
# more requests a second than 5 × 4, and each request cost less CPU.
workers = _int("ALONGSIDE_WEB_WORKERS", max(2, _cpus()))
worker_class = "gthread"
threads = _int("ALONGSIDE_WEB_THREADS", 2)
timeout = _int("ALONGSIDE_WEB_TIMEOUT", 30)
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then, staggered, so a slow leak never becomes an outage.
max_requests = 2000
max_requests_jitter = 200
forwarded_allow_ips = os.environ.get("ALONGSIDE_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# Logs go to stdout/stderr for the container runtime or journald; the app's own JSON
# log lines (with the request id) say what each request did, so no access log here.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("ALONGSIDE_LOG_LEVEL", "info").lower()
proc_name = "alongside"
# gunicorn 24+ opens a control socket at one fixed path per user, which two servers on
# one host would fight over; process managers (systemd, the container runtime) suffice.
control_socket_disable = True
# The application is loaded in each worker, after the fork: database connections are
# never shared between processes.
preload_app = False

# Prometheus metrics from every worker process are added up through files in one
# directory (prometheus_client's multiprocess mode); a fresh one for each start.
_metrics_dir: str = os.environ.get("PROMETHEUS_MULTIPROC_DIR") or tempfile.mkdtemp(
    prefix="alongside-metrics-"
)
os.environ["PROMETHEUS_MULTIPROC_DIR"] = _metrics_dir


def on_starting(server: Any) -> None:
    # Counters left by an earlier run would be added to this one's: start from zero
    # (only prometheus_client's own files are removed).
    directory = Path(_metrics_dir)
    directory.mkdir(parents=True, exist_ok=True)
    for leftover in directory.glob("*.db"):
        leftover.unlink()


def post_worker_init(worker: Any) -> None:
    # The application has loaded in this worker: keep its startup objects out of the
    # garbage collector's full passes (alongside/deploy/heap.py).
    from alongside.deploy.heap import settle_heap

    settle_heap()


def child_exit(server: Any, worker: Any) -> None:
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
