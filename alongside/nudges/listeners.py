"""The send log follows the outbox: a nudge is SENT or FAILED when its email is."""

from __future__ import annotations

from collections.abc import Sequence

from alongside.core.events import subscribe
from alongside.nudges.sending import DEDUPE_PREFIX, deliveries_mark
from alongside.outbox.events import EmailFailed, EmailSent


def _delivery_id(dedupe_key: str) -> int | None:
    if not dedupe_key.startswith(DEDUPE_PREFIX):
        return None
    try:
        return int(dedupe_key.removeprefix(DEDUPE_PREFIX))
    except ValueError:
        return None


@subscribe(EmailSent, EmailFailed, in_transaction=True)
def follow_the_outbox(events: Sequence[EmailSent | EmailFailed]) -> None:
    sent = [_delivery_id(e.dedupe_key) for e in events if isinstance(e, EmailSent)]
    deliveries_mark(delivery_ids=[pk for pk in sent if pk is not None], sent=True)
    for event in events:
        if isinstance(event, EmailFailed) and (pk := _delivery_id(event.dedupe_key)):
            deliveries_mark(delivery_ids=[pk], sent=False, error=event.error)
