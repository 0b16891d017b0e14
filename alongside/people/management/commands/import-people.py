"""alongside import-people --org SLUG FILE.csv [--dry-run] [--deactivate-missing]"""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from alongside.accounts.models import User, normalise_email
from alongside.core.errors import AlongsideError
from alongside.organisations.models import Organisation
from alongside.people.importing import people_import_apply


class Command(BaseCommand):
    help = (
        "Import people from a CSV file into an organisation's directory (upsert by email). "
        "With any problem nothing is written and every problem is listed by row and column."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", help="CSV file ('-' for standard input)")
        parser.add_argument("--org", required=True, help="organisation slug")
        parser.add_argument("--dry-run", action="store_true", help="only validate")
        parser.add_argument(
            "--deactivate-missing",
            action="store_true",
            help="deactivate people who are not in the file (for complete exports)",
        )
        parser.add_argument("--as", dest="actor", default="", help="email of the acting user")

    def handle(self, *args: Any, **options: Any) -> None:
        organisation = Organisation.objects.filter(slug=options["org"]).first()
        if organisation is None:
            raise CommandError(f"No organisation with the slug '{options['org']}'.")
        actor = None
        if options["actor"]:
            actor = User.objects.filter(email=normalise_email(options["actor"])).first()
            if actor is None:
                raise CommandError(f"No user with the email {options['actor']}.")
        path = options["file"]
        try:
            data = self.stdin_bytes() if path == "-" else Path(path).read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}.") from error
        try:
            plan = people_import_apply(
                organisation=organisation,
                actor=actor,
                data=data,
                filename=Path(path).name,
                dry_run=options["dry_run"],
                deactivate_missing=options["deactivate_missing"],
            )
        except AlongsideError as error:
            for problem in error.problems:
                self.stderr.write(str(problem))
            raise CommandError(error.message) from error
        summary = plan.summary
        verb = "Would import" if options["dry_run"] else "Imported"
        self.stdout.write(
            f"{verb} {summary['rows']} rows into {organisation.name}: {summary['created']} added, "
            f"{summary['updated']} updated, {summary['unchanged']} unchanged, "
            f"{summary['deactivated']} deactivated."
        )

    def stdin_bytes(self) -> bytes:
        import sys

        return sys.stdin.buffer.read()
