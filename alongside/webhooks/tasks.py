from __future__ import annotations

from django_tasks import task

from alongside.webhooks.services import webhook_delivery_attempt


@task()
def deliver_webhook(*, delivery_id: int) -> str:
    """Safe to run twice: a delivery already claimed, sent or not yet due is left alone."""
    return webhook_delivery_attempt(delivery_id=delivery_id)
