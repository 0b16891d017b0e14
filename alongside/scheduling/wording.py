"""The meeting rhythm in words, for people (the slot finder itself has no words)."""

from __future__ import annotations

import calendar
from datetime import date

from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext as _

from alongside.scheduling.slot_finder import Slot


def describe_slot(slot: Slot, rhythm: str, first: date | None = None) -> str:
    """ "Every Tuesday at 10:00"; monthly: "The second Tuesday of every month at 10:00"."""
    values = {"weekday": WEEKDAYS[slot.weekday], "time": f"{slot.start:%H:%M}"}
    if rhythm == "monthly":
        if first is None:
            return _("One %(weekday)s a month at %(time)s") % values
        if first.day + 7 > calendar.monthrange(first.year, first.month)[1]:
            return _("The last %(weekday)s of every month at %(time)s") % values
        return [
            _("The first %(weekday)s of every month at %(time)s"),
            _("The second %(weekday)s of every month at %(time)s"),
            _("The third %(weekday)s of every month at %(time)s"),
            _("The fourth %(weekday)s of every month at %(time)s"),
        ][(first.day - 1) // 7] % values
    if rhythm == "fortnightly":
        return _("Every other %(weekday)s at %(time)s") % values
    return _("Every %(weekday)s at %(time)s") % values
