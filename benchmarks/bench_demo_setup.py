"""How long `make demo` takes from a fresh clone until the demo answers with its sign-ins.

Clones the repository's committed HEAD into a temporary folder, runs `make demo` there on
a free port (a new virtualenv, the runtime dependencies only, migrations, the demo
organisation, the worker and the server), and stops the clock when the sign-ins are
printed again after the server answered. Then it stops the server. The package cache is
whatever pip has (warm after any earlier install on the machine).

    .venv/bin/python -m benchmarks.bench_demo_setup [--keep]

Target: 90 s on a 2-core machine with a warm package cache.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_SECONDS = 90.0
ROOT = Path(__file__).resolve().parents[1]
READY = "The demo is up."


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def machine() -> str:
    load = os.getloadavg()
    return (
        f"nproc {os.cpu_count()}, {platform.processor() or platform.machine()}, "
        f"Python {platform.python_version()}, load average {load[0]:.1f} / {load[1]:.1f}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", action="store_true", help="keep the clone for a look")
    args = parser.parse_args()
    clone = Path(tempfile.mkdtemp(prefix="alongside-demo-"))
    port = free_port()
    print(f"Machine: {machine()}")
    started = time.perf_counter()
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VIRTUAL_ENV", "DJANGO"))}
    process = subprocess.Popen(
        ["make", "demo", f"PORT={port}"],
        cwd=clone,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    marks: dict[str, float] = {}
    output: list[str] = []
    assert process.stdout is not None
    try:
        for line in process.stdout:
            output.append(line)
            now = time.perf_counter() - started
            if "migrate" in line and "venv" not in marks:
                marks["venv"] = now
            if line.startswith("Kestrel Technologies:") and "demo" not in marks:
                marks["demo"] = now
            if READY in line:
                marks["ready"] = now
                break
            if now > 600:
                break
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        if not args.keep:
            shutil.rmtree(clone, ignore_errors=True)
    if "ready" not in marks:
        print("".join(output[-40:]))
        print("The demo never said it was up.", file=sys.stderr)
        return 1
    print(
        f"make demo, fresh clone → sign-ins shown: {marks['ready']:.1f} s "
        f"(install done {marks.get('venv', float('nan')):.1f} s, "
        f"demo built {marks.get('demo', float('nan')):.1f} s); target {TARGET_SECONDS:.0f} s"
    )
    return 0 if marks["ready"] <= TARGET_SECONDS else 1


if __name__ == "__main__":
    raise SystemExit(main())
