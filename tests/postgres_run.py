"""Run pytest against a real PostgreSQL server.

Uses DATABASE_URL when it already points at PostgreSQL; otherwise starts a throwaway
cluster with initdb/pg_ctl in a temporary folder, runs the tests, and removes it.
Without PostgreSQL binaries it says so loudly and skips, or fails when
ALONGSIDE_REQUIRE_ALL=1.

    python -m tests.postgres_run [pytest arguments]
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

BANNER = "!" * 78


def find_pg_bin() -> Path | None:
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).resolve().parent
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0,
    )
    return Path(candidates[-1]).parent if candidates else None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def as_server_user(command: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root; drop to an unprivileged account."""
    if os.geteuid() != 0:
        return command
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        return ["runuser", "-u", name, "--", *command]
    raise SystemExit("Running as root with neither a 'postgres' nor a 'nobody' account.")


def server_user_ids() -> tuple[int, int] | None:
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            entry = pwd.getpwnam(name)
        except KeyError:
            continue
        return entry.pw_uid, entry.pw_gid
    return None


def run_pytest(database_url: str, args: list[str]) -> int:
    env = dict(os.environ, DATABASE_URL=database_url)
    return subprocess.call([sys.executable, "-m", "pytest", *args], env=env)


def main(args: list[str]) -> int:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        print(f"PostgreSQL suite: using DATABASE_URL ({url.split('@')[-1]})", flush=True)
        return run_pytest(url, args)
    pg_bin = find_pg_bin()
    if pg_bin is None:
        message = (
            f"\n{BANNER}\nPOSTGRESQL SUITE SKIPPED: no initdb found (install the 'postgresql' "
            f"package or set DATABASE_URL=postgres://…).\n{BANNER}\n"
        )
        print(message, flush=True)
        return 1 if os.environ.get("ALONGSIDE_REQUIRE_ALL") == "1" else 0

    workdir = Path(tempfile.mkdtemp(prefix="alongside-pg-"))
    data_dir = workdir / "data"
    ids = server_user_ids()
    if ids is not None:
        os.chown(workdir, *ids)
    port = free_port()
    log = workdir / "server.log"
    try:
        subprocess.run(
            as_server_user(
                [
                    str(pg_bin / "initdb"),
                    "-D",
                    str(data_dir),
                    "-U",
                    "alongside",
                    "--auth=trust",
                    "-E",
                    "UTF8",
                    "--no-locale",
                ]
            ),
            check=True,
            stdout=subprocess.DEVNULL,
        )
        options = (
            f"-p {port} -k {workdir} -c listen_addresses=127.0.0.1 -F "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=50"
        )
        subprocess.run(
            as_server_user(
                [
                    str(pg_bin / "pg_ctl"),
                    "-D",
                    str(data_dir),
                    "-l",
                    str(log),
                    "-o",
                    options,
                    "-w",
                    "start",
                ]
            ),
            check=True,
            stdout=subprocess.DEVNULL,
        )
        print(f"PostgreSQL suite: throwaway server from {pg_bin} on port {port}", flush=True)
        return run_pytest(f"postgres://alongside@127.0.0.1:{port}/postgres", args)
    finally:
        subprocess.run(
            as_server_user(
                [str(pg_bin / "pg_ctl"), "-D", str(data_dir), "-m", "immediate", "-w", "stop"]
            ),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
