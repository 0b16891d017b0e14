"""alongside match FILE.csv --format pairs|circles|mentoring|buddies [...]"""

from __future__ import annotations

from argparse import ArgumentParser, RawDescriptionHelpFormatter
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from alongside.matching.cli import COLUMN_HELP, FORMATS, MatchOptions, run_match


class Command(BaseCommand):
    help = (
        "Match people from a spreadsheet, without a database or server, and write one row "
        "per person (group, email, name, role, score, reasons). Prints the objective, the "
        "upper bound and the optimality gap. " + COLUMN_HELP
    )
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> Any:
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.formatter_class = RawDescriptionHelpFormatter
        return parser

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", help="CSV file (UTF-8; comma, semicolon or tab separated)")
        parser.add_argument("--format", required=True, choices=FORMATS)
        parser.add_argument(
            "--intent",
            default="balanced",
            choices=("tension", "familiarity", "balanced"),
            help="productive tension (different functions, complementary skills first), "
            "productive familiarity (shared challenges and context first) or balanced",
        )
        parser.add_argument("--min-size", type=int, default=4, help="smallest circle (circles)")
        parser.add_argument("--max-size", type=int, default=8, help="largest circle (circles)")
        parser.add_argument("--target-size", type=int, default=None, help="preferred circle size")
        parser.add_argument("--seed", type=int, default=0, help="same seed, same matches")
        parser.add_argument(
            "--time-limit",
            type=float,
            default=None,
            help="seconds to keep improving circles (default: a fixed, deterministic effort)",
        )
        parser.add_argument("--out", default=None, help="write the CSV here instead of stdout")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"cannot read {path}: {error.strerror}") from error
        outcome = run_match(
            data,
            MatchOptions(
                format=options["format"],
                intent=options["intent"],
                min_size=options["min_size"],
                max_size=options["max_size"],
                target_size=options["target_size"],
                seed=options["seed"],
                time_limit=options["time_limit"],
            ),
        )
        if not outcome.ok:
            shown = outcome.problems[:50]
            lines = [str(p) for p in shown]
            if len(outcome.problems) > len(shown):
                lines.append(f"... and {len(outcome.problems) - len(shown)} more problems")
            raise CommandError(f"{path} was not matched:\n" + "\n".join(lines))
        if options["out"]:
            Path(options["out"]).write_text(outcome.csv_text, encoding="utf-8")
            self.stdout.write(f"Wrote {options['out']}")
        else:
            self.stdout.write(outcome.csv_text, ending="")
        self.stderr.write(outcome.summary)
