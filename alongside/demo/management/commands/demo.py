"""alongside demo [--quiet] [--site-url URL]"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from alongside.demo.build import build_demo, sign_in_box


class Command(BaseCommand):
    help = (
        "Create or refresh the demo organisation, Kestrel Technologies: 300+ people in "
        "offices in India, London and remote, with an admin, a programme manager, a "
        "mentee, a mentor and a circle facilitator who can sign in. Safe to run again: it "
        "leaves the same data and prints the same summary."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--quiet", action="store_true", help="print nothing (not even the sign-ins)"
        )
        parser.add_argument(
            "--site-url",
            default="http://127.0.0.1:8000",
            help="where the demo is served, for the sign-in address (default: %(default)s)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        quiet = options["quiet"]
        result = build_demo(stdout=None if quiet else self.stdout)
        if not quiet:
            login_url = options["site_url"].rstrip("/") + "/accounts/login/"
            self.stdout.write(sign_in_box(result, login_url=login_url))
