"""alongside serve — the production web server (gunicorn with the shipped configuration)."""

from __future__ import annotations

import os
import sys
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

CONFIG_MODULE = "python:alongside.deploy.gunicorn_conf"


class Command(BaseCommand):
    help = (
        "Serve Alongside with gunicorn (alongside/deploy/gunicorn_conf.py). Static files are "
        "served by the app itself (WhiteNoise) once `alongside collectstatic` has run."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--bind", help="address:port to listen on (ALONGSIDE_BIND)")
        parser.add_argument("--workers", type=int, help="worker processes (ALONGSIDE_WEB_WORKERS)")
        parser.add_argument("--threads", type=int, help="threads a worker (ALONGSIDE_WEB_THREADS)")

    def handle(self, *args: Any, **options: Any) -> None:
        command = [sys.executable, "-m", "gunicorn", "--config", CONFIG_MODULE]
        if options["bind"]:
            command += ["--bind", options["bind"]]
        if options["workers"]:
            command += ["--workers", str(options["workers"])]
        if options["threads"]:
            command += ["--threads", str(options["threads"])]
        command.append("alongside.wsgi:application")
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alongside.settings")
        sys.stdout.flush()
        # Replace this process: signals from systemd or the container reach gunicorn.
        os.execv(sys.executable, command)
