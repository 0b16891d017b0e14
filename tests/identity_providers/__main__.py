"""``python -m tests.identity_providers``: the test OpenID provider (port 8101) and SAML
identity provider (port 8102) for the demo, until Ctrl+C.

The demo's Heron Health organisation signs in with the OpenID provider; its client is
``alongside-demo`` with the secret ``alongside-demo-secret``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SITE = os.environ.get("ALONGSIDE_SITE_URL", "http://127.0.0.1:8000").rstrip("/")


def main() -> None:
    commands = [
        [
            sys.executable,
            "-m",
            "tests.identity_providers.oidc.serve",
            "--port",
            "8101",
            "--client-id",
            "alongside-demo",
            "--client-secret",
            "alongside-demo-secret",
            "--redirect-uri",
            f"{SITE}/sso/heron/oidc/callback/",
        ],
        [sys.executable, "-m", "tests.identity_providers.saml_idp", "--port", "8102"],
    ]
    environment = {**os.environ, "PYTHONWARNINGS": "ignore"}
    environment.pop("DJANGO_SETTINGS_MODULE", None)
    processes = [subprocess.Popen(command, cwd=ROOT, env=environment) for command in commands]
    print("Sign in to the demo's Heron Health as anyone@heron.example; Ctrl+C stops both.")
    try:
        while all(process.poll() is None for process in processes):
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=10)


if __name__ == "__main__":
    main()
