from __future__ import annotations

from django_tasks import task

from alongside.outbox.sending import emails_send_due

#: A send task gives the queue back after this long; if emails are left, it queues its
#: successor, so a big publish never keeps other work waiting.
TIME_BUDGET_SECONDS = 30.0


@task(priority=50)
def send_queued_emails() -> dict[str, int]:
    """Send whatever is due. Carries no ids: the claims decide who sends what."""
    report = emails_send_due(time_budget=TIME_BUDGET_SECONDS)
    if report.out_of_time:
        send_queued_emails.enqueue()
    return {"sent": report.sent, "failed": report.failed, "retrying": report.retrying}
