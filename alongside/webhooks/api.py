"""Webhooks in the JSON API: organisation admins only."""

from datetime import datetime
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from django.http import HttpRequest
from ninja import Query, Router, Status

from alongside.accounts.api_auth import request_user
from alongside.core.schemas import ERRORS, Schema
from alongside.organisations.api_auth import membership_for
from alongside.organisations.models import Membership, Role
from alongside.webhooks.catalogue import EVENT_TYPES
from alongside.webhooks.models import WebhookDelivery, WebhookEndpoint
from alongside.webhooks.selectors import (
    webhook_deliveries_for,
    webhook_delivery_get,
    webhook_endpoint_get,
    webhook_endpoints_for,
)
from alongside.webhooks.services import (
    webhook_delivery_retry,
    webhook_endpoint_create,
    webhook_endpoint_delete,
    webhook_endpoint_rotate_secret,
    webhook_endpoint_send_test,
    webhook_endpoint_update,
)

router = Router(tags=["webhooks"])
ENDPOINT = "/{org_slug}/webhooks/{int:endpoint_id}"


class EventTypeOut(Schema):
    name: str
    label: str
    description: str


class EndpointOut(Schema):
    id: int
    url: str
    description: str
    event_types: list[str]
    is_active: bool
    created_at: datetime
    updated_at: datetime


class EndpointCreated(EndpointOut):
    signing_secret: str


class EndpointIn(Schema):
    url: str
    event_types: list[str]
    description: str = ""


class EndpointPatch(Schema):
    url: str | None = None
    event_types: list[str] | None = None
    description: str | None = None
    is_active: bool | None = None


class SecretOut(Schema):
    signing_secret: str


class DeliveryOut(Schema):
    id: int
    event_id: UUID
    event_type: str
    status: str
    attempts: int
    next_attempt_at: datetime
    last_attempt_at: datetime | None
    last_status_code: int | None
    last_error: str
    delivered_at: datetime | None
    created_at: datetime
    payload: dict[str, Any]


class DeliveryQuery(Schema):
    status: str = ""
    page: int = 1
    page_size: int = 50


class DeliveryPage(Schema):
    count: int
    page: int
    page_size: int
    next: str | None
    items: list[DeliveryOut]


def _admin(request: HttpRequest, org_slug: str) -> Membership:
    return membership_for(request, org_slug, Role.ADMIN)


def _endpoint(request: HttpRequest, org_slug: str, endpoint_id: int) -> WebhookEndpoint:
    membership = _admin(request, org_slug)
    return webhook_endpoint_get(organisation=membership.organisation, endpoint_id=endpoint_id)


@router.get(
    "/{org_slug}/webhook-events",
    response={200: list[EventTypeOut], **ERRORS},
    summary="The events a webhook can subscribe to",
)
def list_event_types(request: HttpRequest, org_slug: str) -> Any:
    _admin(request, org_slug)
    return [
        {"name": t.name, "label": str(t.label), "description": str(t.description)}
        for t in EVENT_TYPES
    ]


@router.get(
    "/{org_slug}/webhooks",
    response={200: list[EndpointOut], **ERRORS},
    summary="The organisation's webhook addresses",
)
def list_endpoints(request: HttpRequest, org_slug: str) -> Any:
    membership = _admin(request, org_slug)
    return list(webhook_endpoints_for(organisation=membership.organisation))


@router.post(
    "/{org_slug}/webhooks",
    response={201: EndpointCreated, **ERRORS},
    summary="Register a webhook address (its signing secret is returned this once)",
)
def create_endpoint(request: HttpRequest, org_slug: str, payload: EndpointIn) -> Any:
    membership = _admin(request, org_slug)
    endpoint, secret = webhook_endpoint_create(
        organisation=membership.organisation,
        actor=request_user(request),
        url=payload.url,
        event_types=payload.event_types,
        description=payload.description,
    )
    body = EndpointOut.from_orm(endpoint).model_dump()
    return Status(201, {**body, "signing_secret": secret})


@router.get(ENDPOINT, response={200: EndpointOut, **ERRORS}, summary="One webhook address")
def get_endpoint(request: HttpRequest, org_slug: str, endpoint_id: int) -> Any:
    return _endpoint(request, org_slug, endpoint_id)


@router.patch(ENDPOINT, response={200: EndpointOut, **ERRORS}, summary="Change a webhook address")
def update_endpoint(
    request: HttpRequest, org_slug: str, endpoint_id: int, payload: EndpointPatch
) -> Any:
    endpoint = _endpoint(request, org_slug, endpoint_id)
    return webhook_endpoint_update(
        endpoint=endpoint, actor=request_user(request), **payload.dict(exclude_unset=True)
    )


@router.delete(
    ENDPOINT,
    response={204: None, **ERRORS},
    summary="Remove a webhook address and its delivery log",
)
def delete_endpoint(request: HttpRequest, org_slug: str, endpoint_id: int) -> Any:
    endpoint = _endpoint(request, org_slug, endpoint_id)
    webhook_endpoint_delete(endpoint=endpoint, actor=request_user(request))
    return Status(204, None)


@router.post(
    ENDPOINT + "/rotate-secret",
    response={200: SecretOut, **ERRORS},
    summary="Replace the signing secret (the new one is returned this once)",
)
def rotate_secret(request: HttpRequest, org_slug: str, endpoint_id: int) -> Any:
    endpoint = _endpoint(request, org_slug, endpoint_id)
    secret = webhook_endpoint_rotate_secret(endpoint=endpoint, actor=request_user(request))
    return {"signing_secret": secret}


@router.post(
    ENDPOINT + "/test",
    response={202: DeliveryOut, **ERRORS},
    summary="Send a webhook.test event to this address",
)
def send_test(request: HttpRequest, org_slug: str, endpoint_id: int) -> Any:
    endpoint = _endpoint(request, org_slug, endpoint_id)
    delivery = webhook_endpoint_send_test(endpoint=endpoint, actor=request_user(request))
    delivery.refresh_from_db()
    return Status(202, delivery)


@router.get(
    ENDPOINT + "/deliveries",
    response={200: DeliveryPage, **ERRORS},
    summary="The delivery log of a webhook address, newest first, a page at a time",
)
def list_deliveries(
    request: HttpRequest, org_slug: str, endpoint_id: int, filters: Query[DeliveryQuery]
) -> Any:
    endpoint = _endpoint(request, org_slug, endpoint_id)
    deliveries = webhook_deliveries_for(endpoint=endpoint, status=filters.status)
    size = max(1, min(filters.page_size, 200))
    page = max(filters.page, 1)
    count = deliveries.count()
    items = list(deliveries[(page - 1) * size : page * size])
    following = None
    if page * size < count:
        query = urlencode({"status": filters.status, "page": page + 1, "page_size": size})
        following = request.build_absolute_uri(f"{request.path}?{query}")
    return {"count": count, "page": page, "page_size": size, "next": following, "items": items}


@router.post(
    ENDPOINT + "/deliveries/{int:delivery_id}/retry",
    response={202: DeliveryOut, **ERRORS},
    summary="Send a failed delivery again",
)
def retry_delivery(request: HttpRequest, org_slug: str, endpoint_id: int, delivery_id: int) -> Any:
    endpoint = _endpoint(request, org_slug, endpoint_id)
    delivery: WebhookDelivery = webhook_delivery_get(endpoint=endpoint, delivery_id=delivery_id)
    retried = webhook_delivery_retry(delivery=delivery, actor=request_user(request))
    retried.refresh_from_db()
    return Status(202, retried)
