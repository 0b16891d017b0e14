"""The catalogue of nudges: each an event plus an offset, with a finder for due events.

Built-in nudges are declared at the bottom of this module and the survey nudges in
``survey_finders.py``. An app above this one adds its own in a ``nudges.py`` module
(discovered when the app registry is ready) with :func:`register_source`::

    from datetime import timedelta
    from alongside.nudges.catalogue import Audience, register_source

    @register_source(
        key="survey_open",
        title="Survey open",
        audience=Audience.MEMBERS,
        offset=timedelta(0),
        description="When a survey opens, to everyone asked to answer it.",
    )
    def surveys_opened(now: datetime) -> Iterable[DueEvent]: ...

A finder gets the current time and returns :class:`~alongside.nudges.events.DueEvent`
objects; it must work in a handful of queries whatever the number of people, and may
return an event again on every run (each recipient is told once per event key).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import models
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext, gettext_lazy, ngettext

from alongside.nudges import finders
from alongside.nudges.events import DueEvent, Text

Finder = Callable[[datetime], Iterable[DueEvent]]


class Audience(models.TextChoices):
    MEMBERS = "members", gettext_lazy("Participants")
    MANAGERS = "managers", gettext_lazy("Programme managers")


@dataclass(frozen=True)
class Nudge:
    key: str
    title: Text
    audience: str
    offset: timedelta  # from the event: negative is before it (a day before a meeting)
    description: Text
    finder: Finder
    essential: bool = False  # sent at once, even to people who chose a digest or essentials
    default_on: bool = True

    @property
    def audience_label(self) -> str:
        return str(dict(Audience.choices).get(self.audience, self.audience))

    @property
    def offset_label(self) -> str:
        days = self.offset.days
        if days == 0:
            return gettext("on the day")
        if days > 0:
            return ngettext("%(days)s day after", "%(days)s days after", days) % {"days": days}
        return ngettext("%(days)s day before", "%(days)s days before", -days) % {"days": -days}


CATALOGUE: dict[str, Nudge] = {}
DIGEST_KEY = "digest"  # the daily digest is itself a delivery; no nudge may take its key


def register_nudge(nudge: Nudge) -> Nudge:
    if nudge.key == DIGEST_KEY or (
        nudge.key in CATALOGUE and CATALOGUE[nudge.key].finder is not nudge.finder
    ):
        raise ValueError(f"nudge {nudge.key!r} is registered twice")
    CATALOGUE[nudge.key] = nudge
    return nudge


def register_source(
    *,
    key: str,
    title: Text,
    audience: str,
    offset: timedelta,
    description: Text,
    essential: bool = False,
    default_on: bool = True,
) -> Callable[[Finder], Finder]:
    """Register ``finder(now)`` as the source of the nudge ``key`` (see the module docs)."""

    def register(finder: Finder) -> Finder:
        register_nudge(
            Nudge(
                key=key,
                title=title,
                audience=audience,
                offset=offset,
                description=description,
                finder=finder,
                essential=essential,
                default_on=default_on,
            )
        )
        return finder

    return register


def discover_sources() -> None:
    autodiscover_modules("nudges")


def catalogue() -> list[Nudge]:
    return list(CATALOGUE.values())


def get_nudge(key: str) -> Nudge | None:
    return CATALOGUE.get(key)


# --- The built-in nudges ---------------------------------------------------------------

BUILT_IN = (
    Nudge(
        key="intake_overdue",
        title=gettext_lazy("Intake not done"),
        audience=Audience.MEMBERS,
        offset=timedelta(days=3),
        description=gettext_lazy(
            "Three days after enrolment, to anyone who has not finished their intake."
        ),
        finder=finders.intake_overdue,
        essential=True,
    ),
    Nudge(
        key="first_meeting_overdue",
        title=gettext_lazy("No first meeting yet"),
        audience=Audience.MEMBERS,
        offset=timedelta(days=14),
        description=gettext_lazy(
            "Fourteen days after matching, to the members of a relationship "
            "that has not held its first meeting."
        ),
        finder=finders.first_meeting_overdue,
    ),
    Nudge(
        key="meeting_tomorrow",
        title=gettext_lazy("Meeting tomorrow"),
        audience=Audience.MEMBERS,
        offset=timedelta(days=-1),
        description=gettext_lazy("A day before each scheduled meeting, to its members."),
        finder=finders.meeting_tomorrow,
        essential=True,
    ),
    Nudge(
        key="commitment_due",
        title=gettext_lazy("Commitment due"),
        audience=Audience.MEMBERS,
        offset=timedelta(days=-1),
        description=gettext_lazy(
            "A day before a commitment's due date, to the person who made it."
        ),
        finder=finders.commitment_due,
    ),
    Nudge(
        key="quiet_one_period",
        title=gettext_lazy("No meeting for one rhythm period"),
        audience=Audience.MEMBERS,
        offset=timedelta(0),
        description=gettext_lazy(
            "When a relationship has not met for one period of its rhythm "
            "(a week, a fortnight or a month), to its members."
        ),
        finder=finders.quiet_for_one_period,
    ),
    Nudge(
        key="quiet_two_periods",
        title=gettext_lazy("No meeting for two rhythm periods"),
        audience=Audience.MANAGERS,
        offset=timedelta(0),
        description=gettext_lazy(
            "When a relationship has not met for two periods of its rhythm, "
            "to the programme's managers."
        ),
        finder=finders.quiet_for_two_periods,
    ),
    Nudge(
        key="programme_ending",
        title=gettext_lazy("Programme ending in two weeks"),
        audience=Audience.MEMBERS,
        offset=timedelta(days=-14),
        description=gettext_lazy(
            "Two weeks before the programme's end date, to everyone taking part."
        ),
        finder=finders.programme_ending,
    ),
)
for _nudge in BUILT_IN:
    register_nudge(_nudge)
