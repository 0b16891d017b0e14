"""Writes for webhooks: registering endpoints, queueing deliveries, and sending them.

A delivery is claimed with a conditional update before it is sent, so two workers never
send it at once; one whose worker died mid-send becomes due again when its claim runs
out. Failed attempts are retried with growing waits (honouring ``Retry-After``) until
:data:`MAX_ATTEMPTS`; then the delivery is marked failed, visible in the delivery log,
and an admin can send it again.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from functools import partial
from typing import Any
from urllib.parse import urlsplit

import httpx
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from alongside.accounts.models import User
from alongside.audit.services import log_action
from alongside.core.crypto import decrypt, encrypt
from alongside.core.errors import AlongsideError, Problem
from alongside.core.net import is_private_host, retry_after
from alongside.organisations.models import Organisation
from alongside.webhooks import signing
from alongside.webhooks.catalogue import EVENT_NAMES, TEST, Outgoing
from alongside.webhooks.models import WebhookDelivery, WebhookEndpoint

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
# Wait before attempt 2, 3, …: about a day in all before a delivery is given up.
BACKOFF = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=6),
    timedelta(hours=12),
    timedelta(hours=24),
)
CLAIM_FOR = timedelta(minutes=2)
MAX_ENDPOINTS = 20
RETRYABLE_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504})
USER_AGENT = "Alongside-Webhooks/1"


# --- Endpoints ---------------------------------------------------------------------------


def _check_url(url: str) -> str:
    url = url.strip()
    parts = urlsplit(url)
    allow_private = settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES
    problem: str | None = None
    if parts.scheme not in ("https", "http") or not parts.hostname:
        problem = _("must be a full address starting with https://.")
    elif parts.scheme == "http" and not allow_private:
        problem = _("must use https://, so that events travel encrypted.")
    elif parts.username or parts.password:
        problem = _("must not contain a user name or password; the signature proves the sender.")
    elif len(url) > 500:
        problem = _("is longer than 500 characters.")
    elif not allow_private and is_private_host(parts.hostname):
        problem = _("points to a private or local network address, which webhooks cannot reach.")
    if problem:
        raise AlongsideError(
            _("The webhook address is not usable: it %(problem)s") % {"problem": problem},
            problems=[Problem(problem, field="url")],
        )
    return url


def _check_events(event_types: Iterable[str]) -> list[str]:
    chosen = sorted(set(event_types))
    unknown = [name for name in chosen if name not in EVENT_NAMES]
    if unknown or not chosen:
        message = (
            _("Unknown event(s): %(names)s.") % {"names": ", ".join(unknown)}
            if unknown
            else _("Choose at least one event.")
        )
        raise AlongsideError(message, problems=[Problem(message, field="event_types")])
    return chosen


@transaction.atomic
def webhook_endpoint_create(
    *,
    organisation: Organisation,
    actor: User,
    url: str,
    event_types: Iterable[str],
    description: str = "",
) -> tuple[WebhookEndpoint, str]:
    """Register an address; returns it with its signing secret, shown to the admin once."""
    url = _check_url(url)
    chosen = _check_events(event_types)
    Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
    if WebhookEndpoint.objects.filter(organisation=organisation).count() >= MAX_ENDPOINTS:
        raise AlongsideError(
            _("An organisation can register at most %(count)d webhook addresses.")
            % {"count": MAX_ENDPOINTS},
            code="too_many",
        )
    secret = signing.new_secret()
    endpoint = WebhookEndpoint.objects.create(
        organisation=organisation,
        url=url,
        description=description.strip()[:200],
        event_types=chosen,
        secret_encrypted=encrypt(secret),
        created_by=actor,
    )
    log_action(
        actor=actor,
        organisation=organisation,
        action="webhook.created",
        target=endpoint,
        data={"url": url, "events": chosen},
    )
    return endpoint, secret


@transaction.atomic
def webhook_endpoint_update(
    *,
    endpoint: WebhookEndpoint,
    actor: User,
    url: str | None = None,
    event_types: Iterable[str] | None = None,
    description: str | None = None,
    is_active: bool | None = None,
) -> WebhookEndpoint:
    locked = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    changed: dict[str, Any] = {}
    if url is not None and url.strip() != locked.url:
        locked.url = changed["url"] = _check_url(url)
    if event_types is not None:
        chosen = _check_events(event_types)
        if chosen != locked.event_types:
            locked.event_types = changed["events"] = chosen
    if description is not None and description.strip()[:200] != locked.description:
        locked.description = changed["description"] = description.strip()[:200]
    if is_active is not None and is_active != locked.is_active:
        locked.is_active = changed["active"] = is_active
    if changed:
        locked.updated_at = timezone.now()
        locked.save()
        log_action(
            actor=actor,
            organisation=locked.organisation,
            action="webhook.changed",
            target=locked,
            data=changed,
        )
    return locked


@transaction.atomic
def webhook_endpoint_rotate_secret(*, endpoint: WebhookEndpoint, actor: User) -> str:
    """A new signing secret, effective at once; returns it to be shown once."""
    locked = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    secret = signing.new_secret()
    locked.secret_encrypted = encrypt(secret)
    locked.updated_at = timezone.now()
    locked.save(update_fields=["secret_encrypted", "updated_at"])
    log_action(
        actor=actor,
        organisation=locked.organisation,
        action="webhook.secret_rotated",
        target=locked,
    )
    return secret


@transaction.atomic
def webhook_endpoint_delete(*, endpoint: WebhookEndpoint, actor: User) -> None:
    log_action(
        actor=actor,
        organisation=endpoint.organisation,
        action="webhook.deleted",
        target=endpoint,
        data={"url": endpoint.url},
    )
    endpoint.delete()


# --- Queueing ----------------------------------------------------------------------------


def _payload(organisation: Organisation, outgoing: Outgoing, event_id: str, at: datetime) -> Any:
    return {
        "id": event_id,
        "type": outgoing.event_type,
        "created_at": at.isoformat(),
        "organisation": {"slug": organisation.slug, "name": organisation.name},
        "data": outgoing.data,
    }


@transaction.atomic
def webhook_deliveries_queue(*, outgoing: Sequence[Outgoing]) -> list[WebhookDelivery]:
    """One delivery per event and endpoint that wants it; each is sent after commit."""
    if not outgoing:
        return []
    organisation_ids = {o.organisation_id for o in outgoing}
    endpoints = list(
        WebhookEndpoint.objects.filter(
            organisation_id__in=organisation_ids, is_active=True
        ).select_related("organisation")
    )
    if not endpoints:
        return []
    now = timezone.now()
    rows: list[WebhookDelivery] = []
    for item in outgoing:
        event_id = uuid.uuid4()
        for endpoint in endpoints:
            if endpoint.organisation_id != item.organisation_id:
                continue
            if item.event_type not in endpoint.event_types:
                continue
            rows.append(
                WebhookDelivery(
                    endpoint=endpoint,
                    event_id=event_id,
                    event_type=item.event_type,
                    payload=_payload(endpoint.organisation, item, str(event_id), now),
                    next_attempt_at=now,
                    created_at=now,
                )
            )
    created = WebhookDelivery.objects.bulk_create(rows, batch_size=500)
    _send_after_commit([d.pk for d in created])
    return created


def _send_after_commit(delivery_ids: list[int]) -> None:
    from alongside.webhooks.tasks import deliver_webhook

    for delivery_id in delivery_ids:
        transaction.on_commit(partial(deliver_webhook.enqueue, delivery_id=delivery_id))


@transaction.atomic
def webhook_endpoint_send_test(*, endpoint: WebhookEndpoint, actor: User) -> WebhookDelivery:
    """A ``webhook.test`` event to this address only, sent at once."""
    now = timezone.now()
    delivery = WebhookDelivery(endpoint=endpoint, event_type=TEST, next_attempt_at=now)
    delivery.payload = _payload(
        endpoint.organisation,
        Outgoing(endpoint.organisation_id, TEST, {"message": "This is a test from Alongside."}),
        str(delivery.event_id),
        now,
    )
    delivery.save()
    log_action(
        actor=actor, organisation=endpoint.organisation, action="webhook.tested", target=endpoint
    )
    _send_after_commit([delivery.pk])
    return delivery


@transaction.atomic
def webhook_delivery_retry(*, delivery: WebhookDelivery, actor: User) -> WebhookDelivery:
    """Send a failed delivery again now, with a fresh set of attempts."""
    locked = WebhookDelivery.objects.select_for_update().get(pk=delivery.pk)
    if locked.status not in (WebhookDelivery.Status.FAILED, WebhookDelivery.Status.RETRYING):
        raise AlongsideError(
            _("Only a failed delivery, or one waiting for a retry, can be sent again."),
            code="not_retryable",
        )
    locked.status = WebhookDelivery.Status.PENDING
    locked.attempts = 0
    locked.next_attempt_at = timezone.now()
    locked.save(update_fields=["status", "attempts", "next_attempt_at"])
    log_action(
        actor=actor,
        organisation=locked.endpoint.organisation,
        action="webhook.delivery_retried",
        target=locked.endpoint,
        data={"delivery": locked.pk, "event": locked.event_type},
    )
    _send_after_commit([locked.pk])
    return locked


# --- Sending -----------------------------------------------------------------------------


def _claim(delivery_id: int, now: datetime) -> bool:
    due = Q(status__in=[WebhookDelivery.Status.PENDING, WebhookDelivery.Status.RETRYING]) | Q(
        status=WebhookDelivery.Status.SENDING, claimed_until__lt=now
    )
    claimed = (
        WebhookDelivery.objects.filter(due, pk=delivery_id, next_attempt_at__lte=now)
        .filter(endpoint__is_active=True)
        .update(
            status=WebhookDelivery.Status.SENDING,
            attempts=F("attempts") + 1,
            claimed_until=now + CLAIM_FOR,
            last_attempt_at=now,
        )
    )
    return claimed == 1


def webhook_delivery_attempt(*, delivery_id: int, now: datetime | None = None) -> str:
    """Send one delivery if it is due and not claimed elsewhere; returns its new status."""
    now = now or timezone.now()
    if not _claim(delivery_id, now):
        return "not due"
    delivery = WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id)
    endpoint = delivery.endpoint
    body = json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True).encode()
    timestamp = int(now.timestamp())
    response: httpx.Response | None = None
    error = ""
    try:
        host = urlsplit(endpoint.url).hostname or ""
        if not settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES and is_private_host(host):
            raise ValueError(_("the address now resolves to a private network"))
        headers = {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            signing.EVENT_HEADER: delivery.event_type,
            signing.DELIVERY_HEADER: str(delivery.event_id),
            signing.TIMESTAMP_HEADER: str(timestamp),
            signing.SIGNATURE_HEADER: signing.signature(
                decrypt(endpoint.secret_encrypted), timestamp, body
            ),
        }
        with httpx.Client(timeout=settings.WEBHOOK_TIMEOUT_SECONDS, follow_redirects=False) as c:
            response = c.post(endpoint.url, content=body, headers=headers)
    except (httpx.HTTPError, ValueError, AlongsideError) as exc:
        error = str(exc) or exc.__class__.__name__
    return _record(delivery, response, error, now)


def _record(
    delivery: WebhookDelivery, response: httpx.Response | None, error: str, now: datetime
) -> str:
    fields: dict[str, Any] = {"claimed_until": None, "last_error": "", "response_excerpt": ""}
    if response is not None:
        fields["last_status_code"] = response.status_code
        fields["response_excerpt"] = response.text[:500]
    if response is not None and 200 <= response.status_code < 300:
        fields.update(status=WebhookDelivery.Status.SUCCEEDED, delivered_at=now)
    else:
        retryable = response is None or response.status_code in RETRYABLE_STATUS
        if response is not None:
            error = _("The receiver answered HTTP %(code)d.") % {"code": response.status_code}
        fields["last_error"] = error[:500]
        if retryable and delivery.attempts < MAX_ATTEMPTS:
            wait = now + BACKOFF[min(delivery.attempts, len(BACKOFF)) - 1]
            asked = retry_after(response.headers, now) if response is not None else None
            fields.update(
                status=WebhookDelivery.Status.RETRYING,
                next_attempt_at=max(wait, asked) if asked else wait,
            )
        else:
            fields["status"] = WebhookDelivery.Status.FAILED
    WebhookDelivery.objects.filter(pk=delivery.pk).update(**fields)
    if fields["status"] == WebhookDelivery.Status.FAILED:
        logger.warning(
            "Webhook delivery %s to endpoint %s failed for good: %s",
            delivery.pk,
            delivery.endpoint_id,
            fields["last_error"],
        )
    return str(fields["status"])


def webhook_deliveries_send_due(*, now: datetime | None = None, limit: int = 200) -> int:
    """Queue the deliveries whose retry time has come (or whose sender vanished)."""
    now = now or timezone.now()
    due = (
        WebhookDelivery.objects.filter(endpoint__is_active=True, next_attempt_at__lte=now)
        .filter(
            Q(status__in=[WebhookDelivery.Status.PENDING, WebhookDelivery.Status.RETRYING])
            | Q(status=WebhookDelivery.Status.SENDING, claimed_until__lt=now)
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    from alongside.webhooks.tasks import deliver_webhook

    ids = list(due)
    for delivery_id in ids:
        deliver_webhook.enqueue(delivery_id=delivery_id)
    return len(ids)
