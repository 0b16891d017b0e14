"""Signing in by email: links asked for on the sign-in page, and links in the product's emails.

Asking for a link never reveals whether an address has an account: every ask is
recorded for the rate limits and queued the same way, and the background task decides
whether there is anything to send. Opening a link in the browser that asked for it
signs in at once; anywhere else (another browser, a mail scanner) the page asks to
confirm first, so a link is only spent by someone pressing the button.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from alongside.accounts.models import SignInLink, SignInLinkRequest, User, normalise_email
from alongside.accounts.sign_in_policy import (
    LINK,
    account_for_email,
    may_admit,
    realm_for_email,
    sign_in_refusal,
)
from alongside.audit.services import log_action
from alongside.core.errors import AlongsideError, Problem
from alongside.core.languages import in_language, recipient_language
from alongside.outbox.services import email_enqueue

BROWSER_COOKIE = "alongside_sign_in"


def requested_minutes() -> int:
    return int(getattr(settings, "SIGN_IN_LINK_MINUTES", 15))


def email_link_days() -> int:
    return int(getattr(settings, "EMAIL_LINK_VALID_DAYS", 7))


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def email_digest(email: str) -> str:
    return _digest("email:" + normalise_email(email))


def browser_digest(nonce: str) -> str:
    return _digest("browser:" + nonce) if nonce else ""


def new_browser_nonce() -> str:
    return secrets.token_urlsafe(24)


def safe_next(path: str | None) -> str:
    """Only a path on this site; anything else lands on the start page."""
    if path and path.startswith("/") and url_has_allowed_host_and_scheme(path, allowed_hosts=None):
        return path[:500]
    return "/"


# --- Asking for a link --------------------------------------------------------------------


def check_rate(email: str, client_ip: str, now: datetime) -> None:
    hour_ago = now - timedelta(hours=1)
    per_address = int(getattr(settings, "SIGN_IN_LINK_PER_ADDRESS_HOURLY", 5))
    per_client = int(getattr(settings, "SIGN_IN_LINK_PER_CLIENT_HOURLY", 20))
    recent = SignInLinkRequest.objects.filter(created_at__gte=hour_ago)
    by_address = recent.filter(email_hash=email_digest(email)).count()
    by_client = recent.filter(client_ip=client_ip).count() if client_ip else 0
    if by_address >= per_address or by_client >= per_client:
        raise AlongsideError(
            _(
                "Too many sign-in links were asked for in the last hour. Use the newest "
                "link in your inbox, or try again later."
            ),
            code="rate_limited",
            status=429,
        )


def sign_in_link_request(*, email: str, next_path: str, browser_nonce: str, client_ip: str) -> None:
    """Queue a sign-in link for ``email``; the same answer whether or not it has an account."""
    from alongside.accounts.tasks import send_sign_in_link

    email = normalise_email(email)
    if not email or "@" not in email:
        raise AlongsideError(
            _("Enter your email address."),
            problems=[Problem(_("is not an email address."), field="username")],
        )
    now = timezone.now()
    with transaction.atomic():
        check_rate(email, client_ip, now)
        SignInLinkRequest.objects.create(
            email_hash=email_digest(email), client_ip=client_ip or None, created_at=now
        )
        arguments = {
            "email": email,
            "next_path": safe_next(next_path),
            "browser_hash": browser_digest(browser_nonce),
        }
        transaction.on_commit(lambda: send_sign_in_link.enqueue(**arguments))


def sign_in_link_issue(
    *,
    email: str,
    purpose: str,
    next_path: str = "/",
    organisation_id: int | None = None,
    browser_hash: str = "",
    lifetime: timedelta | None = None,
) -> str:
    """Create a link and return its secret (only its hash is stored)."""
    if lifetime is None:
        lifetime = (
            timedelta(minutes=requested_minutes())
            if purpose == SignInLink.Purpose.REQUESTED
            else timedelta(days=email_link_days())
        )
    secret = secrets.token_urlsafe(24)
    now = timezone.now()
    SignInLink.objects.create(
        email=normalise_email(email),
        token_hash=_digest(secret),
        purpose=purpose,
        next_path=safe_next(next_path),
        organisation_id=organisation_id,
        browser_hash=browser_hash,
        created_at=now,
        expires_at=now + lifetime,
    )
    return secret


def link_url(secret: str) -> str:
    return settings.SITE_URL + reverse("accounts:sign_in_link", args=[secret])


def email_link(*, email: str, path: str, organisation_id: int | None = None) -> str:
    """The address to put in an email to ``email`` about the page at ``path``.

    It signs in whoever reads the email, also someone who never set a password, and opens
    the page; when it has expired or was used it offers a fresh one.
    """
    secret = sign_in_link_issue(
        email=email,
        purpose=SignInLink.Purpose.EMAIL,
        next_path=path,
        organisation_id=organisation_id,
    )
    return link_url(secret)


def sign_in_link_email(*, email: str, link: str, minutes: int) -> EmailMultiAlternatives:
    context = {"email": email, "link": link, "minutes": minutes}
    message = EmailMultiAlternatives(
        subject=_("Your sign-in link for Alongside"),
        body=render_to_string("accounts/email/sign_in_link.txt", context),
        to=[email],
    )
    message.attach_alternative(
        render_to_string("accounts/email/sign_in_link.html", context), "text/html"
    )
    return message


def use_single_sign_on_email(*, email: str, label: str, url: str) -> EmailMultiAlternatives:
    context = {"email": email, "label": label, "link": url}
    message = EmailMultiAlternatives(
        subject=_("Sign in to Alongside with single sign-on"),
        body=render_to_string("accounts/email/use_single_sign_on.txt", context),
        to=[email],
    )
    message.attach_alternative(
        render_to_string("accounts/email/use_single_sign_on.html", context), "text/html"
    )
    return message


def sign_in_link_deliver(*, email: str, next_path: str, browser_hash: str) -> str:
    """Send what an ask deserves (run by the background task); returns what was sent."""
    email = normalise_email(email)
    realm = realm_for_email(email)
    user = User.objects.filter(email=email, is_active=True).first()
    refusal = sign_in_refusal(user, LINK) if user is not None else None
    with in_language(_recipient_language(user)):
        return _deliver(email, next_path, browser_hash, realm, user, refusal)


def _recipient_language(user: User | None) -> str:
    """The account's own language, else its (first) organisation's default."""
    membership = (
        user.memberships.select_related("organisation").order_by("pk").first() if user else None
    )
    return recipient_language(user, membership.organisation if membership else None)


def _deliver(
    email: str,
    next_path: str,
    browser_hash: str,
    realm: Any,
    user: User | None,
    refusal: str | None,
) -> str:
    if (realm is not None and realm.required) or (refusal and realm is not None):
        assert realm is not None
        message = use_single_sign_on_email(
            email=email, label=realm.label, url=settings.SITE_URL + realm.url
        )
        kind = "single_sign_on"
    elif (user is not None and refusal is None) or (user is None and may_admit(email)):
        with transaction.atomic():
            secret = sign_in_link_issue(
                email=email,
                purpose=SignInLink.Purpose.REQUESTED,
                next_path=next_path,
                browser_hash=browser_hash,
            )
            message = sign_in_link_email(
                email=email, link=link_url(secret), minutes=requested_minutes()
            )
        kind = "link"
    else:
        return "nothing"
    # Through the outbox like every other email: retried with backoff when the mail
    # server fails, and the failure recorded with its reason.
    email_enqueue(message, kind=f"sign_in_{kind}")
    return kind


# --- Opening a link -----------------------------------------------------------------------


def sign_in_link_find(secret: str) -> SignInLink | None:
    return SignInLink.objects.filter(token_hash=_digest(secret)).first()


def stale_reason(link: SignInLink | None) -> str:
    if link is None:
        return _("This sign-in link is not valid. Copy the whole address from the email.")
    if link.used_at is not None:
        return _("This sign-in link was already used. Each link signs in once.")
    minutes = requested_minutes()
    if link.purpose == SignInLink.Purpose.REQUESTED:
        return ngettext(
            "This sign-in link has expired: links last %(minutes)d minute.",
            "This sign-in link has expired: links last %(minutes)d minutes.",
            minutes,
        ) % {"minutes": minutes}
    return _("This link has expired.")


@transaction.atomic
def sign_in_link_consume(*, secret: str, client_ip: str, same_browser: bool) -> SignInLink:
    """Spend a link: the account it signs in is ``link.user`` (set here), or an error."""
    link = SignInLink.objects.select_for_update().filter(token_hash=_digest(secret)).first()
    if link is None or not link.is_usable():
        raise AlongsideError(stale_reason(link), code="link_expired", status=410)
    user = account_for_email(link.email, link.organisation_id)
    if user is None:
        raise AlongsideError(
            _(
                "This link cannot sign you in: no active account or directory entry uses "
                "this address. Ask your organisation's admins to add you."
            ),
            code="no_account",
            status=403,
        )
    refusal = sign_in_refusal(user, LINK)
    if refusal:
        raise AlongsideError(refusal, code="refused", status=403)
    link.used_at = timezone.now()
    link.save(update_fields=["used_at"])
    log_action(
        actor=user,
        organisation=None,
        action="account.signed_in_by_link",
        target=user,
        data={
            "purpose": link.purpose,
            "organisation_id": link.organisation_id,
            "same_browser": same_browser,
            "client_ip": client_ip,
        },
    )
    link.user = user  # type: ignore[attr-defined]
    return link


def sign_in_links_forget(*, now: datetime | None = None) -> int:
    """Delete links expired over a day ago and asks older than the rate-limit window."""
    now = now or timezone.now()
    links, _kinds = SignInLink.objects.filter(expires_at__lt=now - timedelta(days=1)).delete()
    asks, _kinds = SignInLinkRequest.objects.filter(
        created_at__lt=now - timedelta(hours=2)
    ).delete()
    return links + asks
