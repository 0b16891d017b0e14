from __future__ import annotations

from datetime import datetime, timedelta

from alongside.accounts.sign_in_links import sign_in_links_forget
from alongside.core.periodic import periodic


@periodic("accounts.forget_sign_in_links")
def forget_sign_in_links(now: datetime) -> int:
    return sign_in_links_forget(now=now)


@periodic("accounts.prune_api_rate_counts", every=timedelta(hours=1))
def prune_api_rate_counts(now: datetime) -> int:
    """Windows of the API rate limit that have ended are of no more use (a day's grace
    covers the longest rate, ``…/d``)."""
    from alongside.accounts.models import ApiRateCount

    ended = int(now.timestamp()) - 24 * 60 * 60
    return ApiRateCount.objects.filter(window_start__lt=ended).delete()[0]
