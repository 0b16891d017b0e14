""" "Forgotten your password?": a reset for those who may sign in with a password, and what
"Email me a sign-in link" sends for everyone else.

Like a sign-in link, the ask is recorded for the rate limits and queued, and the
background task decides what, if anything, to send: the page answers alike, and as
fast, for every address, and a request never waits for the mail server.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from alongside.accounts.forms import PasswordResetForm
from alongside.accounts.models import SignInLinkRequest, normalise_email
from alongside.accounts.sign_in_links import (
    browser_digest,
    check_rate,
    email_digest,
    sign_in_link_deliver,
)


def reset_days() -> int:
    return int(settings.PASSWORD_RESET_TIMEOUT // (60 * 60 * 24))


def password_reset_request(*, email: str, browser_nonce: str, client_ip: str) -> None:
    """Queue what a reset ask deserves; the same answer whether or not the address exists."""
    from alongside.accounts.tasks import send_password_reset

    email = normalise_email(email)
    now = timezone.now()
    with transaction.atomic():
        check_rate(email, client_ip, now)
        SignInLinkRequest.objects.create(
            email_hash=email_digest(email), client_ip=client_ip or None, created_at=now
        )
        arguments = {"email": email, "browser_hash": browser_digest(browser_nonce)}
        transaction.on_commit(lambda: send_password_reset.enqueue(**arguments))


def password_reset_deliver(*, email: str, browser_hash: str = "") -> str:
    """Send a reset to each account that may use a password, else what a sign-in link
    ask gets (a link, a pointer to single sign-on, or nothing); returns what was sent."""
    form = PasswordResetForm({"email": email})
    if not form.is_valid():
        return "nothing"
    if not any(True for _user in form.get_users(form.cleaned_data["email"])):
        return sign_in_link_deliver(email=email, next_path="/", browser_hash=browser_hash)
    form.save(
        domain_override=settings.SITE_URL,
        subject_template_name="accounts/email/password_reset_subject.txt",
        email_template_name="accounts/email/password_reset.txt",
        html_email_template_name="accounts/email/password_reset.html",
        # The stubs say str values; a template's plural needs the number itself.
        extra_email_context={"site_url": settings.SITE_URL, "days": reset_days()},  # type: ignore[dict-item]
    )
    return "reset"
