"""Record due nudges and send them, each exactly once per (nudge, event, recipient).

Recording inserts one row per recipient with ON CONFLICT DO NOTHING on the unique
(nudge, event, email) triple, so any number of workers may find the same event. Sending:

1. *Claim* a batch in a short transaction: pick claimable rows (``FOR UPDATE SKIP
   LOCKED`` on PostgreSQL; SQLite serialises writers), then move them to SENDING with a
   fresh claim token by a conditional update. Two workers never hold the same row.
2. *Send* each email after that transaction has committed, then mark the row SENT (or
   FAILED with the error) — again conditionally on the claim token.

The trade-off: if a worker dies between claim and mark, nobody knows whether the email
left. Such a row (SENDING for longer than :data:`RESEND_AFTER`) is sent once more, by a
later run — a duplicate is possible only if the crash fell in the instant between the
mail server accepting the message and the row being marked, while an email is never lost
to a crash. A second crash on the same row marks it FAILED instead of trying again.
Sends that raised an error are retried the same way, up to :data:`MAX_ATTEMPTS`.
"""

from __future__ import annotations

import logging
import secrets
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, Subquery
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from alongside.accounts.models import User
from alongside.core.languages import in_language, recipient_language
from alongside.nudges.catalogue import DIGEST_KEY, catalogue
from alongside.nudges.models import (
    Frequency,
    NudgeDelivery,
    NudgePreference,
    ProgrammeNudgeSetting,
)
from alongside.organisations.models import Organisation

logger = logging.getLogger(__name__)

RESEND_AFTER = timedelta(minutes=15)
MAX_ATTEMPTS = 3  # for sends that raised; a claim abandoned by a crash is re-sent once
MAX_ABANDONED_ATTEMPTS = 2
BATCH = 100
DIGEST_HOUR = 8  # digests go out from 08:00 in each person's own time zone
ABANDONED = "The worker stopped while sending it."
Status = NudgeDelivery.Status
T = TypeVar("T")


@dataclass(frozen=True)
class SendReport:
    recorded: int = 0
    sent: int = 0
    failed: int = 0


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
    languages = _recipient_languages(found, user_ids)
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
            # The texts are written in the recipient's language and kept as sent.
            with in_language(
                languages["users"].get(recipient.user_id or 0)
                or languages["organisations"].get(event.organisation_id)
            ):
                subject, message = str(event.subject), str(event.message)
                action_label = str(event.action_label)
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
                    subject=subject[:200],
                    message=message,
                    event_at=event.event_at,
                    action_label=action_label[:100],
                    link=event.link,
                    status=status,
                    created_at=now,
                )
            )
    # The unique constraint is the real guard: a row another worker recorded meanwhile
    # is skipped by the database, never sent twice.
    NudgeDelivery.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
    return len(rows)


def _recipient_languages(found: list[Any], user_ids: list[int]) -> dict[str, dict[int, str]]:
    """Each recipient's chosen language and each organisation's default, in a few queries."""
    users: dict[int, str] = {}
    for chunk in _chunks(user_ids):
        users.update(
            User.objects.filter(pk__in=chunk).exclude(language="").values_list("pk", "language")
        )
    organisation_ids = sorted({e.organisation_id for _n, e in found})
    organisations = dict(
        Organisation.objects.filter(pk__in=organisation_ids).values_list("pk", "language")
    )
    return {"users": users, "organisations": organisations}


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


# --- Claiming and sending ----------------------------------------------------------------


def _claimable(now: datetime) -> Q:
    stale = now - RESEND_AFTER
    return (
        Q(status=Status.PENDING)
        | (
            Q(status=Status.FAILED, attempts__lt=MAX_ATTEMPTS, claimed_at__lt=stale)
            & ~Q(last_error=ABANDONED)
        )
        | Q(status=Status.SENDING, attempts__lt=MAX_ABANDONED_ATTEMPTS, claimed_at__lt=stale)
    )


def deliveries_claim(*, now: datetime | None = None, limit: int = BATCH) -> list[NudgeDelivery]:
    """Claim up to ``limit`` deliveries for this worker; committed before it returns."""
    now = now or timezone.now()
    token = secrets.token_hex(16)
    with transaction.atomic():
        # A claim abandoned twice is given up on, visibly, rather than sent a third time.
        NudgeDelivery.objects.filter(
            status=Status.SENDING,
            attempts__gte=MAX_ABANDONED_ATTEMPTS,
            claimed_at__lt=now - RESEND_AFTER,
        ).update(status=Status.FAILED, last_error=ABANDONED)
        ids = list(
            NudgeDelivery.objects.select_for_update(skip_locked=True)
            .filter(_claimable(now))
            .order_by("pk")
            .values_list("pk", flat=True)[:limit]
        )
        if not ids:
            return []
        NudgeDelivery.objects.filter(pk__in=ids).filter(_claimable(now)).update(
            status=Status.SENDING, claim=token, claimed_at=now, attempts=F("attempts") + 1
        )
    return list(
        NudgeDelivery.objects.filter(claim=token, status=Status.SENDING)
        .select_related("organisation", "user")
        .order_by("pk")
    )


def deliveries_send(deliveries: Iterable[NudgeDelivery]) -> tuple[int, int]:
    """Send claimed deliveries, marking each as it goes; returns (sent, failed)."""
    deliveries = list(deliveries)
    items: dict[int, list[NudgeDelivery]] = defaultdict(list)
    digests = [d.pk for d in deliveries if d.nudge_key == DIGEST_KEY]
    if digests:
        for item in NudgeDelivery.objects.filter(digest_id__in=digests).order_by("created_at"):
            items[item.digest_id].append(item)  # type: ignore[index]
    connection = get_connection()
    sent = failed = 0
    for delivery in deliveries:
        mine = NudgeDelivery.objects.filter(
            pk=delivery.pk, claim=delivery.claim, status=Status.SENDING
        )
        try:
            message = delivery_email(delivery, items.get(delivery.pk, []))
            message.connection = connection
            message.send(fail_silently=False)
        except Exception as error:
            logger.exception("Nudge delivery %s could not be sent", delivery.pk)
            mine.update(status=Status.FAILED, last_error=f"{type(error).__name__}: {error}"[:500])
            failed += 1
        else:
            now = timezone.now()
            mine.update(status=Status.SENT, sent_at=now, last_error="")
            if delivery.nudge_key == DIGEST_KEY:
                NudgeDelivery.objects.filter(digest=delivery).update(sent_at=now)
            sent += 1
    return sent, failed


def nudges_send_due(*, now: datetime | None = None) -> SendReport:
    """The periodic job: record what is due, then send everything claimable."""
    now = now or timezone.now()
    recorded = nudge_events_record(now=now)
    sent = failed = 0
    while batch := deliveries_claim():
        done, broken = deliveries_send(batch)
        sent, failed = sent + done, failed + broken
    return SendReport(recorded=recorded, sent=sent, failed=failed)


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
                "user__language",
                "organisation__language",
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
            with in_language(item["user__language"] or item["organisation__language"]):
                subject = _("Your Alongside digest for %(date)s") % {
                    "date": date_format(local, "j F")
                }
                action_label = _("Open Alongside")
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
                    subject=subject,
                    message="",
                    action_label=action_label,
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
    sent = failed = 0
    while batch := deliveries_claim():
        done, broken = deliveries_send(batch)
        sent, failed = sent + done, failed + broken
    return SendReport(recorded=gathered, sent=sent, failed=failed)


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
    return f"{date_format(local, 'l j F Y, H:i')} ({zone.key})"


def _absolute(path: str) -> str:
    return settings.SITE_URL + path


def delivery_email(
    delivery: NudgeDelivery, items: Sequence[NudgeDelivery] = ()
) -> EmailMultiAlternatives:
    context: dict[str, Any] = {
        "delivery": delivery,
        "when": local_time(delivery.event_at, delivery.timezone),
        "link": _absolute(delivery.link),
        "preferences_link": _absolute(reverse("email_preferences")),
        "items": [
            {
                "subject": item.subject,
                "message": item.message,
                "when": local_time(item.event_at, delivery.timezone),
                "action_label": item.action_label,
                "link": _absolute(item.link),
            }
            for item in items
        ],
    }
    template = "digest" if delivery.nudge_key == DIGEST_KEY else "nudge"
    if template == "digest" and not items:
        raise ValueError("a digest with nothing in it")
    with in_language(recipient_language(delivery.user, delivery.organisation)):
        context["when"] = local_time(delivery.event_at, delivery.timezone)
        for item, row in zip(context["items"], items, strict=True):
            item["when"] = local_time(row.event_at, delivery.timezone)
        message = EmailMultiAlternatives(
            subject=delivery.subject,
            body=render_to_string(f"nudges/email/{template}.txt", context),
            to=[delivery.email],
        )
        message.attach_alternative(
            render_to_string(f"nudges/email/{template}.html", context), "text/html"
        )
    return message
