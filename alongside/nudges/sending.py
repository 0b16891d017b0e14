"""Record due nudges and send them, each exactly once per (nudge, event, recipient).

Recording inserts one row per recipient with ON CONFLICT DO NOTHING on the unique
(nudge, event, email) triple, so any number of workers may find the same event.
Sending hands each PENDING row's email to the outbox (``alongside.outbox``) under a
dedupe key made of the row's id, and marks the row QUEUED, in one transaction; the
outbox sends it once, retries it with backoff, and tells this app (through the
``EmailSent`` and ``EmailFailed`` events) so that the send log shows SENT or FAILED.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Subquery
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from alongside.accounts.sign_in_links import email_link
from alongside.nudges.catalogue import DIGEST_KEY, catalogue
from alongside.nudges.models import (
    Frequency,
    NudgeDelivery,
    NudgePreference,
    ProgrammeNudgeSetting,
)
from alongside.outbox.services import Outgoing, emails_enqueue

logger = logging.getLogger(__name__)

BATCH = 100
#: The outbox files each delivery's email under this prefix and the delivery's id.
DEDUPE_PREFIX = "nudge-delivery:"
DIGEST_HOUR = 8  # digests go out from 08:00 in each person's own time zone
Status = NudgeDelivery.Status
T = TypeVar("T")


@dataclass(frozen=True)
class SendReport:
    recorded: int = 0
    queued: int = 0


def _chunks(items: Sequence[T], size: int = 500) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# --- Recording -------------------------------------------------------------------------


def nudge_events_record(*, now: datetime) -> int:
    """Ask every source what is due and record one delivery per new recipient."""
    found = [(nudge, event) for nudge in catalogue() for event in nudge.finder(now)]
    programme_ids = sorted({e.programme_id for _n, e in found if e.programme_id is not None})
    overrides: dict[tuple[int, str], bool] = {}
    for chunk in _chunks(programme_ids):
        for setting in ProgrammeNudgeSetting.objects.filter(programme_id__in=chunk):
            overrides[(setting.programme_id, setting.nudge_key)] = setting.enabled
    found = [
        (nudge, event)
        for nudge, event in found
        if event.programme_id is None
        or overrides.get((event.programme_id, nudge.key), nudge.default_on)
    ]
    user_ids = sorted({r.user_id for _n, e in found for r in e.recipients if r.user_id})
    frequency: dict[int, str] = {}
    for chunk in _chunks(user_ids):
        frequency.update(
            NudgePreference.objects.filter(user_id__in=chunk).values_list("user_id", "frequency")
        )
    known = _already_recorded(found)
    rows = []
    for nudge, event in found:
        for recipient in event.recipients:
            if (nudge.key, event.event_key, recipient.email) in known:
                continue
            known.add((nudge.key, event.event_key, recipient.email))
            chosen = frequency.get(recipient.user_id or 0, Frequency.EACH)
            if nudge.essential or chosen == Frequency.EACH:
                status = Status.PENDING
            elif chosen == Frequency.DAILY:
                status = Status.DIGEST
            else:
                status = Status.SUPPRESSED
            rows.append(
                NudgeDelivery(
                    organisation_id=event.organisation_id,
                    programme_id=event.programme_id,
                    nudge_key=nudge.key,
                    event_key=event.event_key,
                    email=recipient.email,
                    recipient_name=recipient.name[:200],
                    person_id=recipient.person_id,
                    user_id=recipient.user_id,
                    timezone=recipient.timezone,
                    subject=event.subject[:200],
                    message=event.message,
                    event_at=event.event_at,
                    action_label=event.action_label[:100],
                    link=event.link,
                    status=status,
                    created_at=now,
                )
            )
    # The unique constraint is the real guard: a row another worker recorded meanwhile
    # is skipped by the database, never sent twice.
    NudgeDelivery.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
    return len(rows)


def _already_recorded(found: list[Any]) -> set[tuple[str, str, str]]:
    """What is already recorded, so a long-running event is not re-inserted every run."""
    by_nudge: dict[str, list[str]] = defaultdict(list)
    for nudge, event in found:
        by_nudge[nudge.key].append(event.event_key)
    known: set[tuple[str, str, str]] = set()
    for key, event_keys in by_nudge.items():
        for chunk in _chunks(sorted(set(event_keys))):
            for event_key, email in NudgeDelivery.objects.filter(
                nudge_key=key, event_key__in=chunk
            ).values_list("event_key", "email"):
                known.add((key, event_key, email))
    return known


# --- Handing over to the outbox -----------------------------------------------------------


def deliveries_hand_over(*, limit: int = BATCH) -> int:
    """Queue up to ``limit`` pending deliveries in the outbox; returns how many.

    One transaction: the rows are locked (``SKIP LOCKED``, so two workers take different
    ones), their emails queued under the delivery's own dedupe key, and the rows marked
    QUEUED. A worker that dies half-way leaves nothing half-done; a delivery is queued at
    most once, and the outbox sends it once.
    """
    with transaction.atomic():
        deliveries = list(
            NudgeDelivery.objects.select_for_update(skip_locked=True)
            .filter(status=Status.PENDING)
            .select_related("organisation")
            .order_by("pk")[:limit]
        )
        if not deliveries:
            return 0
        items: dict[int, list[NudgeDelivery]] = defaultdict(list)
        digests = [d.pk for d in deliveries if d.nudge_key == DIGEST_KEY]
        if digests:
            for item in NudgeDelivery.objects.filter(digest_id__in=digests).order_by("created_at"):
                items[item.digest_id].append(item)  # type: ignore[index]
        outgoing = []
        unsendable: list[tuple[int, str]] = []
        for delivery in deliveries:
            try:
                message = delivery_email(delivery, items.get(delivery.pk, []))
            except Exception as error:
                logger.exception("Nudge delivery %s could not be written", delivery.pk)
                unsendable.append((delivery.pk, f"{type(error).__name__}: {error}"[:500]))
                continue
            outgoing.append(
                Outgoing(
                    message,
                    kind="digest" if delivery.nudge_key == DIGEST_KEY else "nudge",
                    organisation_id=delivery.organisation_id,
                    dedupe_key=f"{DEDUPE_PREFIX}{delivery.pk}",
                )
            )
        emails_enqueue(outgoing)
        now = timezone.now()
        broken = {pk for pk, _error in unsendable}
        NudgeDelivery.objects.filter(
            pk__in=[d.pk for d in deliveries if d.pk not in broken]
        ).update(status=Status.QUEUED, claimed_at=now, attempts=F("attempts") + 1)
        for pk, reason in unsendable:
            NudgeDelivery.objects.filter(pk=pk).update(status=Status.FAILED, last_error=reason)
    return len(deliveries) - len(unsendable)


def deliveries_mark(*, delivery_ids: Iterable[int], sent: bool, error: str = "") -> int:
    """Keep the send log in step with the outbox (called by its listener)."""
    ids = list(delivery_ids)
    if not ids:
        return 0
    rows = NudgeDelivery.objects.filter(pk__in=ids)
    if not sent:
        return rows.exclude(status=Status.SENT).update(status=Status.FAILED, last_error=error)
    now = timezone.now()
    NudgeDelivery.objects.filter(digest_id__in=ids).update(sent_at=now)
    return rows.update(status=Status.SENT, sent_at=now, last_error="")


def nudges_send_due(*, now: datetime | None = None) -> SendReport:
    """The periodic job: record what is due, then queue everything pending for sending."""
    now = now or timezone.now()
    recorded = nudge_events_record(now=now)
    queued = 0
    while handed := deliveries_hand_over():
        queued += handed
    return SendReport(recorded=recorded, queued=queued)


# --- Daily digests ---------------------------------------------------------------------


def nudge_digests_prepare(*, now: datetime) -> int:
    """Gather each person's waiting nudges into their digest for the day.

    A person's digest is gathered in the hour from :data:`DIGEST_HOUR` o'clock in their own
    time zone (the job runs hourly, so exactly one run falls in that hour), once per local
    day and organisation (the day is in its event key). Nudges that arrive later wait for
    the next day's; if no worker ran in that hour, they wait a day too, never lost.
    """
    with transaction.atomic():
        waiting = (
            NudgeDelivery.objects.filter(status=Status.DIGEST)
            .order_by("organisation_id", "email", "-created_at")
            .values(
                "organisation_id",
                "organisation__slug",
                "email",
                "recipient_name",
                "timezone",
                "user_id",
                "person_id",
            )
        )
        seen: set[tuple[int, str]] = set()
        rows: list[NudgeDelivery] = []
        for item in waiting:
            key = (item["organisation_id"], item["email"])
            if key in seen:
                continue
            seen.add(key)
            local = now.astimezone(zone_of(item["timezone"]))
            if local.hour != DIGEST_HOUR:
                continue
            rows.append(
                NudgeDelivery(
                    organisation_id=item["organisation_id"],
                    nudge_key=DIGEST_KEY,
                    event_key=f"org={item['organisation_id']}:day={local.date().isoformat()}",
                    email=item["email"],
                    recipient_name=item["recipient_name"],
                    person_id=item["person_id"],
                    user_id=item["user_id"],
                    timezone=item["timezone"],
                    subject=f"Your Alongside digest for {local:%d %B}",
                    message="",
                    action_label="Open Alongside",
                    link=reverse("home:organisation", args=[item["organisation__slug"]]),
                    created_at=now,
                )
            )
        if not rows:
            return 0
        NudgeDelivery.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
        todays = NudgeDelivery.objects.filter(
            nudge_key=DIGEST_KEY,
            organisation_id=OuterRef("organisation_id"),
            email=OuterRef("email"),
            event_key__in=sorted({row.event_key for row in rows}),
            status=Status.PENDING,
        )
        # Only into a digest not sent yet; later arrivals wait for tomorrow's.
        return (
            NudgeDelivery.objects.filter(status=Status.DIGEST)
            .filter(Exists(todays))
            .update(status=Status.IN_DIGEST, digest_id=Subquery(todays.values("pk")[:1]))
        )


def nudges_send_digests(*, now: datetime | None = None) -> SendReport:
    now = now or timezone.now()
    gathered = nudge_digests_prepare(now=now)
    queued = 0
    while handed := deliveries_hand_over():
        queued += handed
    return SendReport(recorded=gathered, queued=queued)


# --- The emails ------------------------------------------------------------------------


def zone_of(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local_time(moment: datetime | None, zone_name: str) -> str:
    """A moment as the recipient reads it, in their own zone and saying which zone."""
    if moment is None:
        return ""
    zone = zone_of(zone_name)
    local = moment.astimezone(zone)
    return f"{local:%A %d %B %Y, %H:%M} ({zone.key})"


def _absolute(path: str) -> str:
    return settings.SITE_URL + path


def _signing_in(delivery: NudgeDelivery, path: str) -> str:
    """A link that also signs in a recipient who never set a password, then opens ``path``."""
    if not path.startswith("/"):
        return _absolute(path)
    return email_link(email=delivery.email, path=path, organisation_id=delivery.organisation_id)


def delivery_email(
    delivery: NudgeDelivery, items: Sequence[NudgeDelivery] = ()
) -> EmailMultiAlternatives:
    context: dict[str, Any] = {
        "delivery": delivery,
        "when": local_time(delivery.event_at, delivery.timezone),
        "link": _signing_in(delivery, delivery.link),
        "preferences_link": _signing_in(delivery, reverse("email_preferences")),
        "items": [
            {
                "subject": item.subject,
                "message": item.message,
                "when": local_time(item.event_at, delivery.timezone),
                "action_label": item.action_label,
                "link": _signing_in(delivery, item.link),
            }
            for item in items
        ],
    }
    template = "digest" if delivery.nudge_key == DIGEST_KEY else "nudge"
    if template == "digest" and not items:
        raise ValueError("a digest with nothing in it")
    message = EmailMultiAlternatives(
        subject=delivery.subject,
        body=render_to_string(f"nudges/email/{template}.txt", context),
        to=[delivery.email],
    )
    message.attach_alternative(
        render_to_string(f"nudges/email/{template}.html", context), "text/html"
    )
    return message
