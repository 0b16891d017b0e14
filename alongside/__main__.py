"""The `alongside` command: Django's management commands with our settings."""

from __future__ import annotations

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alongside.settings")
    from django.core.management import execute_from_command_line

    argv = list(sys.argv)
    argv[0] = "alongside"
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
