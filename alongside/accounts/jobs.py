from __future__ import annotations

from datetime import datetime

from alongside.accounts.sign_in_links import sign_in_links_forget
from alongside.core.periodic import periodic


@periodic("accounts.forget_sign_in_links")
def forget_sign_in_links(now: datetime) -> int:
    return sign_in_links_forget(now=now)
