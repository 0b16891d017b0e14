"""Record due nudges and send them, each exactly once per (nudge, event, recipient).

Recording inserts one row per recipient with ON CONFLICT DO NOTHING on the unique
(nudge, event, email) triple, so any number of workers may find the same event. Sending:

1. *Claim* a batch in a short transaction: pick claimable rows (``FOR UPDATE SKIP
   LOCKED`` on PostgreSQL; SQLite serialises writers), then move them to SENDING with a
   fresh claim token by a conditional update. Two workers never hold the same row.
2. *Hand each to its channels* after that transaction has committed, writing each
   channel's result on the row as soon as it is known. Email goes into the outbox
   (``alongside.outbox``) under a dedupe key made of the row's id, so a row handed over
   twice (a worker died after the outbox took it) is still one email; the row is then
   QUEUED, and the outbox tells this app (``EmailSent`` / ``EmailFailed``) so that the
   send log shows SENT or FAILED. A chat channel's message is SENT at once.

A row left SENDING by a worker that died (for longer than :data:`RESEND_AFTER`) is
claimed once more; channels that had already sent are skipped, and the outbox's dedupe
key keeps the email single. A second crash on the same row marks it FAILED instead.
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
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, Subquery
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from alongside.accounts.models import User
from alongside.accounts.sign_in_links import email_link
from alongside.core.languages import in_language, recipient_language
from alongside.nudges.catalogue import DIGEST_KEY, catalogue
from alongside.nudges.channels import EMAIL, ChannelUnavailable, TryLater, get_channel
from alongside.nudges.models import (
    Frequency,
    NudgeChannelPreference,
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
#: The outbox files each delivery's email under this prefix and the delivery's id.
DEDUPE_PREFIX = "nudge-delivery:"
DIGEST_HOUR = 8  # digests go out from 08:00 in each person's own time zone
ABANDONED = "The worker stopped while sending it."
Status = NudgeDelivery.Status
T = TypeVar("T")


@dataclass(frozen=True)
class SendReport:
    recorded: int = 0
    #: Handed over: the email queued in the outbox, or a chat message sent.
    queued: int = 0
    failed: int = 0

    @property
    def sent(self) -> int:
        return self.queued


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
    wanted = _channel_preferences(user_ids)
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
                    channels=wanted.get((recipient.user_id or 0, nudge.key), [EMAIL]),
                    quick_action=event.quick_action[:100],
                )
            )
    # The unique constraint is the real guard: a row another worker recorded meanwhile
    # is skipped by the database, never sent twice.
    NudgeDelivery.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
    return len(rows)


def _channel_preferences(user_ids: Sequence[int]) -> dict[tuple[int, str], list[str]]:
    chosen: dict[tuple[int, str], list[str]] = {}
    for chunk in _chunks(list(user_ids)):
        for user_id, kind, channels in NudgeChannelPreference.objects.filter(
            user_id__in=chunk
        ).values_list("user_id", "kind", "channels"):
            chosen[(user_id, kind)] = list(channels) or [EMAIL]
    return chosen


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
        (Q(status=Status.PENDING) & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)))
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
    """Send claimed deliveries by their channels, marking each as it goes; (sent, failed)."""
    deliveries = list(deliveries)
    items: dict[int, list[NudgeDelivery]] = defaultdict(list)
    digests = [d.pk for d in deliveries if d.nudge_key == DIGEST_KEY]
    if digests:
        for item in NudgeDelivery.objects.filter(digest_id__in=digests).order_by("created_at"):
            items[item.digest_id].append(item)  # type: ignore[index]
    sent = failed = 0
    for delivery in deliveries:
        outcome = _send_by_channels(delivery, items.get(delivery.pk, []))
        if outcome in (Status.SENT, Status.QUEUED):
            sent += 1
        elif outcome == Status.FAILED:
            failed += 1
    return sent, failed


def _send_by_channels(delivery: NudgeDelivery, items: Sequence[NudgeDelivery]) -> str:
    """Each chosen channel once (those that already sent are skipped after a crash), with
    email as the fallback when no chosen channel could take it."""
    mine = NudgeDelivery.objects.filter(pk=delivery.pk, claim=delivery.claim, status=Status.SENDING)
    results: dict[str, dict[str, Any]] = dict(delivery.channel_results or {})
    wanted = list(delivery.channels or [EMAIL])
    unavailable: list[str] = []
    errors: list[str] = []
    wait: TryLater | None = None

    def attempt(key: str) -> None:
        nonlocal wait
        channel = get_channel(key)
        at = timezone.now().isoformat()
        try:
            if channel is None:
                raise ChannelUnavailable(
                    _("The %(channel)s channel is not installed.") % {"channel": key}
                )
            # A chat message's own words (buttons, headings) in the recipient's language.
            with in_language(recipient_language(delivery.user, delivery.organisation)):
                reference = channel.send(delivery, items)
        except TryLater as later:
            results[key] = {"status": "waiting", "error": later.reason[:300], "at": at}
            if wait is None or later.at > wait.at:
                wait = later
        except ChannelUnavailable as refusal:
            results[key] = {"status": "failed", "error": refusal.reason[:300], "at": at}
            unavailable.append(f"{key}: {refusal.reason}")
        except Exception as error:
            logger.exception("Nudge delivery %s could not be sent by %s", delivery.pk, key)
            results[key] = {
                "status": "failed",
                "error": f"{type(error).__name__}: {error}"[:300],
                "at": at,
            }
            reason = f"{type(error).__name__}: {error}"
            errors.append(f"{key}: {reason}" if len(wanted) > 1 or key != EMAIL else reason)
        else:
            results[key] = {"status": "sent", "ref": str(reference)[:200], "at": at}
        # Written at once, so that a crash after this point never sends it again here.
        mine.update(channel_results=results)

    for key in wanted:
        if results.get(key, {}).get("status") != "sent":
            attempt(key)
    sent_somewhere = any(results.get(k, {}).get("status") == "sent" for k in wanted)
    fallback = ""
    if wait is None and not sent_somewhere and unavailable and EMAIL not in wanted:
        fallback = "; ".join(unavailable)[:500]
        if results.get(EMAIL, {}).get("status") != "sent":
            attempt(EMAIL)
        sent_somewhere = results.get(EMAIL, {}).get("status") == "sent"
    problems = "; ".join(unavailable + errors)[:500]
    if wait is not None and not (fallback and sent_somewhere):
        # Rate limited or out for a while: back in the queue from then. A rate limit does
        # not use up an attempt; an outage does, so it ends in the email fallback.
        later = wait
        if not later.counts_as_attempt or delivery.attempts < MAX_ATTEMPTS:
            mine.update(
                status=Status.PENDING,
                claim="",
                next_attempt_at=later.at,
                last_error=later.reason[:500],
                attempts=F("attempts") - (0 if later.counts_as_attempt else 1),
            )
            return Status.PENDING
        for key, result in results.items():
            if result.get("status") == "waiting":
                result["status"] = "failed"
                unavailable.append(f"{key}: {result.get('error', '')}")
        mine.update(channel_results=results)
        if EMAIL not in wanted and results.get(EMAIL, {}).get("status") != "sent":
            fallback = "; ".join(unavailable)[:500]
            attempt(EMAIL)
        sent_somewhere = any(r.get("status") == "sent" for r in results.values())
        problems = "; ".join(unavailable + errors)[:500]
    now = timezone.now()
    # A channel that raised is tried again later (the others are not asked twice).
    if sent_somewhere and not errors:
        by_chat = any(
            result.get("status") == "sent" for key, result in results.items() if key != EMAIL
        )
        mine.update(
            # Only the outbox has it: SENT (or FAILED) when it reports on the email.
            status=Status.SENT if by_chat else Status.QUEUED,
            sent_at=now,
            last_error=problems,
            fallback_reason=fallback,
            next_attempt_at=None,
        )
        if by_chat and delivery.nudge_key == DIGEST_KEY:
            NudgeDelivery.objects.filter(digest=delivery).update(sent_at=now)
        return Status.SENT if by_chat else Status.QUEUED
    mine.update(
        status=Status.FAILED, last_error=problems or _("Not sent."), fallback_reason=fallback
    )
    return Status.FAILED


def deliveries_hand_over(*, limit: int = BATCH) -> int:
    """Claim up to ``limit`` deliveries and hand them to their channels; how many went."""
    batch = deliveries_claim(limit=limit)
    if not batch:
        return 0
    handed, _failed = deliveries_send(batch)
    return handed


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
    return rows.update(status=Status.SENT, sent_at=now)


def nudges_send_due(*, now: datetime | None = None) -> SendReport:
    """The periodic job: record what is due, then send everything claimable."""
    now = now or timezone.now()
    recorded = nudge_events_record(now=now)
    sent = failed = 0
    while batch := deliveries_claim():
        done, broken = deliveries_send(batch)
        sent, failed = sent + done, failed + broken
    return SendReport(recorded=recorded, queued=sent, failed=failed)


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
        wanted = _channel_preferences(sorted({r.user_id for r in rows if r.user_id}))
        for row in rows:
            row.channels = wanted.get((row.user_id or 0, DIGEST_KEY), [EMAIL])
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
    return SendReport(recorded=gathered, queued=sent, failed=failed)


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
