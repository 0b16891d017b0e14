"""Print the demo's sign-ins again once its server answers (``make demo``).

``python -m alongside.demo.announce URL FILE`` waits for URL to answer (at most a
minute), then prints FILE, so the sign-ins sit under the server's start-up lines
instead of scrolling away above them. Plain Python: it runs beside the server.
"""

from __future__ import annotations

import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

WAIT_SECONDS = 60.0


def wait_for(url: str, timeout: float = WAIT_SECONDS) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status < 500:
                    return True
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.3)
    return False


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python -m alongside.demo.announce URL FILE", file=sys.stderr)
        return 2
    url, path = argv
    if not wait_for(url):
        print(f"The demo server did not answer at {url} within a minute.", file=sys.stderr)
        return 1
    print("\nThe demo is up.\n" + Path(path).read_text(encoding="utf-8"), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
