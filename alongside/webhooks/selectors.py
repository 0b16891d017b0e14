from __future__ import annotations

from django.db.models import Count, Max, Q, QuerySet
from django.utils.translation import gettext as _

from alongside.core.errors import NotFound
from alongside.organisations.models import Organisation
from alongside.webhooks.models import WebhookDelivery, WebhookEndpoint


def webhook_endpoints_for(*, organisation: Organisation) -> QuerySet[WebhookEndpoint]:
    """With each address's delivery counts, for the list (one query)."""
    return (
        WebhookEndpoint.objects.filter(organisation=organisation)
        .annotate(
            delivered=Count("deliveries", filter=Q(deliveries__status="succeeded")),
            failed=Count("deliveries", filter=Q(deliveries__status="failed")),
            waiting=Count(
                "deliveries", filter=Q(deliveries__status__in=["pending", "sending", "retrying"])
            ),
            last_delivery_at=Max("deliveries__created_at"),
        )
        .order_by("created_at", "pk")
    )


def webhook_endpoint_get(*, organisation: Organisation, endpoint_id: int) -> WebhookEndpoint:
    endpoint = (
        WebhookEndpoint.objects.filter(organisation=organisation, pk=endpoint_id)
        .select_related("organisation")
        .first()
    )
    if endpoint is None:
        raise NotFound(_("No such webhook address in this organisation."))
    return endpoint


def webhook_deliveries_for(
    *, endpoint: WebhookEndpoint, status: str = ""
) -> QuerySet[WebhookDelivery]:
    deliveries = WebhookDelivery.objects.filter(endpoint=endpoint)
    if status in WebhookDelivery.Status.values:
        deliveries = deliveries.filter(status=status)
    return deliveries.order_by("-created_at", "-pk")


def webhook_delivery_get(*, endpoint: WebhookEndpoint, delivery_id: int) -> WebhookDelivery:
    delivery = (
        WebhookDelivery.objects.filter(endpoint=endpoint, pk=delivery_id)
        .select_related("endpoint__organisation")
        .first()
    )
    if delivery is None:
        raise NotFound(_("No such delivery for this webhook address."))
    return delivery
