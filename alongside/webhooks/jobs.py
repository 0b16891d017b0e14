"""Retries of webhook deliveries, picked up every minute by the worker."""

from __future__ import annotations

from datetime import datetime, timedelta

from alongside.core.periodic import periodic
from alongside.webhooks.services import webhook_deliveries_send_due


@periodic("webhooks.send_due", every=timedelta(minutes=1))
def send_due(now: datetime) -> int:
    return webhook_deliveries_send_due(now=now)
