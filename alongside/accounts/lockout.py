"""Password lock-out: per account across every address, per address across every account.

django-axes records each failed password sign-in (username, client address). The stock
handler compares one count with one limit; here two limits apply side by side:

* an **account** is paused after ``ALONGSIDE_LOGIN_FAILURE_LIMIT`` failures from any
  number of addresses (guessing one person's password from a botnet);
* an **address** is paused after ``ALONGSIDE_LOGIN_ADDRESS_FAILURE_LIMIT`` failures
  across any number of accounts (password spraying), set higher because a whole office
  may sign in from one address.

A successful sign-in clears the account's own failures only, so a sprayer cannot reset
their address by signing in to an account of their own. Both pauses last
``AXES_COOLOFF_TIME``; an organisation admin can lift an account's pause early.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone


def account_limit() -> int:
    return int(settings.AXES_FAILURE_LIMIT)


def address_limit() -> int:
    return int(getattr(settings, "ALONGSIDE_LOGIN_ADDRESS_FAILURE_LIMIT", 30))


def cool_off() -> timedelta:
    return get_cool_off() or timedelta(minutes=15)


def _recent(now: datetime | None = None) -> Any:
    return AccessAttempt.objects.filter(attempt_time__gte=(now or timezone.now()) - cool_off())


def _failures(**lookup: Any) -> int:
    total = _recent().filter(**lookup).aggregate(total=Sum("failures_since_start"))["total"]
    return int(total or 0)


class LockoutHandler(AxesDatabaseHandler):
    """Axes' database handler with one limit per account and another per address."""

    def get_failures(self, request: Any, credentials: dict[str, Any] | None = None) -> int:
        username = get_client_username(request, credentials)
        by_account = _failures(username=username) if username else 0
        address = getattr(request, "axes_ip_address", None)
        by_address = _failures(ip_address=address) if address else 0
        # Axes compares the answer with the account limit; an address over its own
        # (higher) limit answers at least that much, and says why for the message.
        if by_account >= account_limit():
            request.alongside_lockout = "account"
            return by_account
        if by_address >= address_limit():
            request.alongside_lockout = "address"
            return max(by_address, account_limit())
        return by_account

    def reset_user_attempts(
        self, request: HttpRequest, credentials: dict[str, Any] | None = None
    ) -> int:
        username = get_client_username(request, credentials)
        if not username:
            return 0
        count, _ = AccessAttempt.objects.filter(username=username).delete()
        return count


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """The page shown instead of the sign-in form while a pause lasts."""
    reason = getattr(request, "alongside_lockout", "account")
    return render(
        request,
        "accounts/locked_out.html",
        {"reason": reason, "minutes": int(cool_off().total_seconds() // 60)},
        status=429,
    )


@dataclass(frozen=True)
class LockedAccount:
    email: str
    failures: int
    last_failure: datetime

    @property
    def until(self) -> datetime:
        return self.last_failure + cool_off()


def locked_accounts(*, emails: list[str] | None = None) -> list[LockedAccount]:
    """Accounts paused now (optionally only among ``emails``), most recent first."""
    attempts = _recent()
    if emails is not None:
        attempts = attempts.filter(username__in=emails)
    rows = (
        attempts.exclude(username__isnull=True)
        .values("username")
        .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
        .filter(failures__gte=account_limit())
        .order_by("-last")
    )
    return [
        LockedAccount(email=row["username"], failures=row["failures"], last_failure=row["last"])
        for row in rows
    ]


def account_failures_clear(*, email: str) -> int:
    """Forget an account's failed attempts (the pause ends at once); returns rows removed."""
    count, _ = AccessAttempt.objects.filter(username=email).delete()
    return count
