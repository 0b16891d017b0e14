from __future__ import annotations

from django_tasks import task

from alongside.accounts.sign_in_links import sign_in_link_deliver


@task()
def send_sign_in_link(*, email: str, next_path: str, browser_hash: str) -> str:
    """Decide in the background what an ask for a sign-in link gets, so that the page that
    asked answers alike, and as fast, for addresses with and without an account."""
    return sign_in_link_deliver(email=email, next_path=next_path, browser_hash=browser_hash)
