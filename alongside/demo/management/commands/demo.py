"""alongside demo [--quiet]"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from alongside.demo.build import build_demo, sign_in_box


class Command(BaseCommand):
    help = (
        "Create or refresh the demo organisation, Kestrel Technologies: 300+ people in "
        "offices in India, London and remote, with an admin, a programme manager and a "
        "member who can sign in. Safe to run again: it leaves the same data."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--quiet", action="store_true", help="print nothing (not even the sign-ins)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        quiet = options["quiet"]
        result = build_demo(stdout=None if quiet else self.stdout)
        if not quiet:
            self.stdout.write(sign_in_box(result))
