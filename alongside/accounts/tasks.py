from __future__ import annotations

from django_tasks import task

from alongside.accounts.password_reset import password_reset_deliver
from alongside.accounts.sign_in_links import sign_in_link_deliver


@task()
def send_sign_in_link(*, email: str, next_path: str, browser_hash: str) -> str:
    """Decide in the background what an ask for a sign-in link gets, so that the page that
    asked answers alike, and as fast, for addresses with and without an account."""
    return sign_in_link_deliver(email=email, next_path=next_path, browser_hash=browser_hash)


@task()
def send_password_reset(*, email: str, browser_hash: str) -> str:
    """A password reset, or a sign-in link for an address without a password, decided in
    the background for the same reason."""
    return password_reset_deliver(email=email, browser_hash=browser_hash)
