"""Email as a nudge channel: the one file to change when email goes through an outbox."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from alongside.nudges.channels import EMAIL

if TYPE_CHECKING:
    from alongside.nudges.models import NudgeDelivery


class EmailChannel:
    key = EMAIL
    label = _("Email")

    def send(self, delivery: NudgeDelivery, items: Sequence[NudgeDelivery]) -> str:
        from alongside.nudges.sending import delivery_email

        message = delivery_email(delivery, items)
        message.send(fail_silently=False)
        return message.extra_headers.get("Message-ID", "")
