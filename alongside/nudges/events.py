"""What a nudge source returns: plain data about events that are due, and who to tell."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils.functional import Promise

# Texts are lazy (gettext_lazy, format_lazy) and become each recipient's language when
# the delivery is recorded.
Text = str | Promise


@dataclass(frozen=True)
class Recipient:
    email: str
    name: str
    timezone: str  # the person's zone, else their organisation's default
    person_id: int | None = None
    user_id: int | None = None


@dataclass(frozen=True)
class DueEvent:
    """One event that a nudge is about, e.g. ``meeting=123`` starting tomorrow.

    ``event_key`` names the event (not the nudge) and must stay the same for as long as
    the event is the same one: it is how each recipient is told only once.
    """

    event_key: str
    organisation_id: int
    programme_id: int | None
    recipients: tuple[Recipient, ...]
    subject: Text
    message: Text
    action_label: Text
    link: str  # a path on this site, e.g. reverse("programmes:intake", …)
    event_at: datetime | None = None  # shown in each recipient's own time zone
    quick_action: str = ""  # a one-click action chat messages offer, e.g. commitment_done:12
