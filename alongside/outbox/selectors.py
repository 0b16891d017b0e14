from __future__ import annotations

from django.db.models import Count, QuerySet

from alongside.core.errors import NotFound
from alongside.outbox.models import OutboundEmail


def emails_for(*, organisation_id: int, status: str = "") -> QuerySet[OutboundEmail]:
    """An organisation's emails, newest first; ``status`` narrows them (e.g. failed)."""
    emails = OutboundEmail.objects.filter(organisation_id=organisation_id).defer("payload")
    if status:
        emails = emails.filter(status=status)
    return emails.order_by("-created_at", "-pk")


def email_get(*, organisation_id: int, email_id: int) -> OutboundEmail:
    email = OutboundEmail.objects.filter(organisation_id=organisation_id, pk=email_id).first()
    if email is None:
        raise NotFound("No such email.")
    return email


def email_counts(*, organisation_id: int) -> dict[str, int]:
    counts = dict.fromkeys(OutboundEmail.Status.values, 0)
    for row in (
        OutboundEmail.objects.filter(organisation_id=organisation_id)
        .values("status")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        counts[row["status"]] = row["n"]
    return counts
