"""Email as a nudge channel: the message goes into the outbox, which sends and retries it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from alongside.nudges.catalogue import DIGEST_KEY
from alongside.nudges.channels import EMAIL
from alongside.outbox.services import email_enqueue

if TYPE_CHECKING:
    from alongside.nudges.models import NudgeDelivery


class EmailChannel:
    key = EMAIL
    label = _("Email")

    def send(self, delivery: NudgeDelivery, items: Sequence[NudgeDelivery]) -> str:
        from alongside.nudges.sending import DEDUPE_PREFIX, delivery_email

        # The dedupe key makes a delivery handed over twice (after a crash) one email.
        queued = email_enqueue(
            delivery_email(delivery, items),
            kind="digest" if delivery.nudge_key == DIGEST_KEY else "nudge",
            organisation_id=delivery.organisation_id,
            dedupe_key=f"{DEDUPE_PREFIX}{delivery.pk}",
        )
        return f"outbox:{queued.pk}"
