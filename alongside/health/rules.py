"""How a relationship is doing, from its signals alone: plain data in, a status and reasons out.

Nothing here touches the database, so every rule can be tested on a crafted history.
The statuses, worst first: dormant, struggling, at risk, on track. A relationship gets
the worst status any rule gives it; the reasons list every rule that fired, worst first,
so a manager reads *why* ("no meeting for 34 days; 2 of the last 3 missed").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum


class Status(StrEnum):
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    STRUGGLING = "struggling"
    DORMANT = "dormant"


SEVERITY = {Status.ON_TRACK: 0, Status.AT_RISK: 1, Status.STRUGGLING: 2, Status.DORMANT: 3}
LABELS = {
    Status.ON_TRACK: "On track",
    Status.AT_RISK: "At risk",
    Status.STRUGGLING: "Struggling",
    Status.DORMANT: "Dormant",
}
RHYTHM_DAYS = {"weekly": 7, "fortnightly": 14, "monthly": 30}

HELD, MISSED, CANCELLED, SCHEDULED = "held", "missed", "cancelled", "scheduled"
KEPT, PARTLY, OPEN = "done", "partly", "open"


@dataclass(frozen=True)
class Thresholds:
    """Where each status begins. Every programme may change these (``HealthThresholds``)."""

    grace_days: int = 14  # a new relationship has this long to hold its first meeting
    at_risk_periods: float = 1.25  # no meeting for longer than this many rhythm periods
    dormant_periods: float = 2.0  # no meeting for longer than this many rhythm periods…
    dormant_min_days: int = 30  # …and for at least this many days
    missed_window: int = 3  # the last N past meetings looked at
    missed_struggling: int = 2  # this many of them missed or cancelled is struggling
    pulse_window: int = 6  # the last N pulse ratings averaged
    pulse_struggling: float = 2.0  # a mean at or below this is struggling
    commitments_window: int = 6  # the last N reviewed commitments
    commitments_min: int = 3  # fewer reviewed than this says nothing yet
    commitments_at_risk: float = 0.4  # a kept share below this is at risk
    left_days: int = 30  # a member who left within this many days is struggling


@dataclass(frozen=True)
class MeetingSignal:
    starts_at: datetime
    status: str  # held / missed / cancelled / scheduled


@dataclass(frozen=True)
class CommitmentSignal:
    status: str  # open / done / partly / not_yet / dropped
    reviewed_at: datetime | None = None


@dataclass(frozen=True)
class PulseSignal:
    rating: int
    created_at: datetime


@dataclass(frozen=True)
class Departure:
    name: str
    left_at: datetime


@dataclass(frozen=True)
class Signals:
    rhythm: str
    started_at: datetime
    meetings: Sequence[MeetingSignal] = ()
    commitments: Sequence[CommitmentSignal] = ()
    pulses: Sequence[PulseSignal] = ()
    departures: Sequence[Departure] = ()


class Action(StrEnum):
    """What a manager could do next; the names match the kinds of intervention."""

    NONE = ""
    MESSAGE = "message"
    REMATCH_OFFER = "rematch_offer"
    PAUSE = "pause"


ACTION_LABELS = {
    Action.NONE: "",
    Action.MESSAGE: "Message them",
    Action.REMATCH_OFFER: "Offer a rematch",
    Action.PAUSE: "Pause",
}


@dataclass(frozen=True)
class Verdict:
    status: Status
    reasons: list[str] = field(default_factory=list)
    suggestion: Action = Action.NONE


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _days(delta: timedelta) -> int:
    return max(0, delta.days)


@dataclass(frozen=True)
class Finding:
    status: Status
    reason: str
    cause: str  # silence / long_silence / no_start / missed / pulse / left / commitments


def assess(signals: Signals, thresholds: Thresholds, now: datetime) -> Verdict:
    """The relationship's status and the reasons for it, as of ``now``."""
    period = RHYTHM_DAYS.get(signals.rhythm, 30)
    found: list[Finding] = [
        *_meeting_gap(signals, thresholds, now, period),
        *_missed(signals, thresholds, now),
        *_pulses(signals, thresholds),
        *_departures(signals, thresholds, now),
        *_commitments(signals, thresholds),
    ]
    if not found:
        return Verdict(Status.ON_TRACK, _good_news(signals, now))
    found.sort(key=lambda finding: -SEVERITY[finding.status])
    status = found[0].status
    return Verdict(status, [f.reason for f in found], _suggest(status, found))


def _suggest(status: Status, found: list[Finding]) -> Action:
    """A people problem (someone left, low ratings) suggests a rematch; long silence a pause."""
    causes = {f.cause for f in found}
    if causes & {"left", "pulse"}:
        return Action.REMATCH_OFFER
    if status == Status.DORMANT and "long_silence" in causes:
        return Action.PAUSE
    return Action.MESSAGE


def _last_held(signals: Signals, now: datetime) -> datetime | None:
    held = [m.starts_at for m in signals.meetings if m.status == HELD and m.starts_at <= now]
    return max(held) if held else None


def _meeting_gap(
    signals: Signals, thresholds: Thresholds, now: datetime, period: int
) -> list[Finding]:
    last = _last_held(signals, now)
    dormant_after = max(thresholds.dormant_periods * period, thresholds.dormant_min_days)
    if last is None:
        age = _days(now - signals.started_at)
        if age > 2 * dormant_after:
            reason = f"no meeting in the {age} days since the start"
            return [Finding(Status.DORMANT, reason, "long_silence")]
        if age > dormant_after:
            reason = f"no meeting in the {age} days since the start"
            return [Finding(Status.DORMANT, reason, "silence")]
        if age > thresholds.grace_days:
            reason = f"no first meeting {age} days after the start"
            return [Finding(Status.AT_RISK, reason, "no_start")]
        return []
    gap = _days(now - last)
    if gap > dormant_after:
        cause = "long_silence" if gap > 2 * dormant_after else "silence"
        return [Finding(Status.DORMANT, f"no meeting for {gap} days", cause)]
    if gap > thresholds.at_risk_periods * period:
        reason = (
            f"no meeting for {gap} days (the {signals.rhythm} rhythm expects one every {period})"
        )
        return [Finding(Status.AT_RISK, reason, "silence")]
    return []


def _missed(signals: Signals, thresholds: Thresholds, now: datetime) -> list[Finding]:
    if thresholds.missed_window < 1:
        return []
    past = sorted(
        (m for m in signals.meetings if m.starts_at <= now and m.status != SCHEDULED),
        key=lambda m: m.starts_at,
    )[-thresholds.missed_window :]
    missed = sum(1 for m in past if m.status in (MISSED, CANCELLED))
    if missed and missed >= thresholds.missed_struggling:
        reason = f"{missed} of the last {len(past)} meetings missed or cancelled"
        return [Finding(Status.STRUGGLING, reason, "missed")]
    return []


def _pulses(signals: Signals, thresholds: Thresholds) -> list[Finding]:
    if thresholds.pulse_window < 1:
        return []
    recent = sorted(signals.pulses, key=lambda p: p.created_at)[-thresholds.pulse_window :]
    if not recent:
        return []
    mean = sum(p.rating for p in recent) / len(recent)
    if mean <= thresholds.pulse_struggling:
        reason = (
            f"pulse ratings average {mean:.1f} of 5 over the last {_plural(len(recent), 'rating')}"
        )
        return [Finding(Status.STRUGGLING, reason, "pulse")]
    return []


def _departures(signals: Signals, thresholds: Thresholds, now: datetime) -> list[Finding]:
    since = now - timedelta(days=thresholds.left_days)
    recent = sorted(
        (d for d in signals.departures if since <= d.left_at <= now), key=lambda d: d.left_at
    )
    return [
        Finding(
            Status.STRUGGLING, f"{d.name} left {_plural(_days(now - d.left_at), 'day')} ago", "left"
        )
        for d in recent
    ]


def _reviewed(signals: Signals) -> list[CommitmentSignal]:
    reviewed = [c for c in signals.commitments if c.status != OPEN and c.reviewed_at is not None]
    return sorted(reviewed, key=lambda c: c.reviewed_at or signals.started_at)


def _commitments(signals: Signals, thresholds: Thresholds) -> list[Finding]:
    if thresholds.commitments_window < 1:
        return []
    reviewed = _reviewed(signals)[-thresholds.commitments_window :]
    if len(reviewed) < max(1, thresholds.commitments_min):
        return []
    kept = sum(1 for c in reviewed if c.status == KEPT)
    partly = sum(1 for c in reviewed if c.status == PARTLY)
    if (kept + partly / 2) / len(reviewed) < thresholds.commitments_at_risk:
        reason = f"{kept} of the last {len(reviewed)} commitments kept" + (
            f" ({partly} partly)" if partly else ""
        )
        return [Finding(Status.AT_RISK, reason, "commitments")]
    return []


def _good_news(signals: Signals, now: datetime) -> list[str]:
    last = _last_held(signals, now)
    if last is None:
        age = _plural(_days(now - signals.started_at), "day")
        return [f"started {age} ago; first meeting not held yet"]
    reasons = [f"last meeting {_plural(_days(now - last), 'day')} ago"]
    reviewed = _reviewed(signals)
    if reviewed:
        kept = sum(1 for c in reviewed if c.status == KEPT)
        reasons.append(f"{kept} of {_plural(len(reviewed), 'commitment')} kept")
    return reasons
