"""alongside match FILE.csv --format pairs|circles|mentoring|group|buddies [...]"""

from __future__ import annotations

from argparse import ArgumentParser, RawDescriptionHelpFormatter
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from alongside.matching.cli import COLUMN_HELP, FORMATS, MatchOptions, run_match


class Command(BaseCommand):
    help = (
        "Match people from a spreadsheet, without a database or server, and write one row "
        "per person (group, email, name, role, score, reasons), or JSON. Prints the "
        "objective, the upper bound and how far from the best possible the result can be. "
        + COLUMN_HELP
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
            "--effort",
            type=float,
            default=None,
            help="how long to keep improving circles, in effort seconds (about CPU seconds on "
            "a typical server, but counted in steps: the same seed and effort give the same "
            "circles however busy the machine is)",
        )
        parser.add_argument(
            "--time-limit",
            type=float,
            default=None,
            help="wall-clock seconds after which the circle search stops, whatever effort is "
            "left (results then depend on the machine's load)",
        )
        parser.add_argument(
            "--history",
            default=None,
            metavar="FILE",
            help="previous relationships: a CSV with group and email columns, such as an "
            "earlier run's output (people sharing a group were matched before)",
        )
        parser.add_argument(
            "--history-rule",
            default="never",
            choices=("never", "penalise"),
            help="never match previous partners again (default), or only lower their score",
        )
        parser.add_argument(
            "--forbid",
            default=None,
            metavar="FILE",
            help="pairs never to match: a CSV with email and other_email columns",
        )
        parser.add_argument(
            "--lock",
            default=None,
            metavar="FILE",
            help="people to keep together (pairs, circles): a CSV with group and email columns",
        )
        parser.add_argument(
            "--max-per",
            default=None,
            metavar="COLUMN=N",
            help="circles hold at most N people sharing a value of COLUMN (department, "
            "location, level, timezone or job_title), e.g. department=2",
        )
        parser.add_argument(
            "--strict",
            action="store_true",
            help="treat warnings (a manager not in the file, a level without a number, an "
            "unknown language) as errors",
        )
        parser.add_argument(
            "--json",
            action="store_true",
            help="write JSON (objective, bound, gap, groups with reasons, warnings) instead of CSV",
        )
        parser.add_argument(
            "--public-reasons",
            action="store_true",
            help="reasons as participants see them: never quoting what anyone wants to "
            "develop or offers",
        )
        parser.add_argument("--out", default=None, help="write the output here instead of stdout")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        data = _read(path)
        files = {
            name: None if options[name] is None else _read(Path(options[name]))
            for name in ("history", "forbid", "lock")
        }
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
                effort=options["effort"],
                history=files["history"],
                history_rule=options["history_rule"],
                forbid=files["forbid"],
                lock=files["lock"],
                max_per=options["max_per"],
                strict=options["strict"],
                public_reasons=options["public_reasons"],
            ),
        )
        for warning in outcome.warnings[:50]:
            self.stderr.write(f"Warning: {warning}")
        if len(outcome.warnings) > 50:
            self.stderr.write(f"... and {len(outcome.warnings) - 50} more warnings")
        if not outcome.ok:
            shown = outcome.problems[:50]
            lines = [str(p) for p in shown]
            if len(outcome.problems) > len(shown):
                lines.append(f"... and {len(outcome.problems) - len(shown)} more problems")
            raise CommandError(f"{path} was not matched:\n" + "\n".join(lines))
        text = outcome.json_text() if options["json"] else outcome.csv_text
        if options["out"]:
            Path(options["out"]).write_text(text, encoding="utf-8")
            self.stdout.write(f"Wrote {options['out']}")
        else:
            self.stdout.write(text, ending="")
        self.stderr.write(outcome.summary)


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise CommandError(f"cannot read {path}: {error.strerror}") from error
