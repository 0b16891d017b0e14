"""alongside create-organisation "Name" --admin EMAIL [--slug SLUG] [--time-zone ZONE]"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from alongside.accounts.models import User, normalise_email
from alongside.core.errors import AlongsideError
from alongside.organisations.services import organisation_create


class Command(BaseCommand):
    help = (
        "Create an organisation and make an existing or new user its first admin. "
        "A new user gets a password you type in, or none (then use password reset)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("name", help="the organisation's name")
        parser.add_argument("--admin", required=True, help="email of the first admin")
        parser.add_argument("--slug", default="", help="short name for its web address")
        parser.add_argument("--time-zone", default="Asia/Kolkata", help="IANA time zone")

    def handle(self, *args: Any, **options: Any) -> None:
        email = normalise_email(options["admin"])
        try:
            with transaction.atomic():
                admin = User.objects.filter(email=email).first()
                if admin is None:
                    admin = User.objects.create_user(email, password=None)
                organisation = organisation_create(
                    name=options["name"],
                    slug=options["slug"],
                    default_time_zone=options["time_zone"],
                    creator=admin,
                )
        except AlongsideError as error:
            details = "; ".join(str(p) for p in error.problems)
            raise CommandError(
                f"{error.message}{' (' + details + ')' if details else ''}"
            ) from error
        self.stdout.write(
            f"Created {organisation.name} at /o/{organisation.slug}/ with {admin.email} as admin."
        )
        if not admin.has_usable_password():
            self.stdout.write(
                f"{admin.email} has no password yet: use 'Forgotten your password?' on the "
                "sign-in page, or `alongside changepassword " + admin.email + "`."
            )
