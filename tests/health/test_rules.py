"""The health rules on crafted histories: every status, every reason, every threshold."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine
from django.utils import timezone

from alongside.health.rules import (
    Action,
    CommitmentSignal,
    Departure,
    MeetingSignal,
    PulseSignal,
    Signals,
    Status,
    Thresholds,
    assess,
)

NOW = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
DEFAULTS = Thresholds()


def days_ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


def held(*ages: float) -> list[MeetingSignal]:
    return [MeetingSignal(days_ago(age), "held") for age in ages]


def signals(rhythm: str = "fortnightly", started: float = 120, **kwargs: object) -> Signals:
    return Signals(rhythm=rhythm, started_at=days_ago(started), **kwargs)  # type: ignore[arg-type]


def test_a_relationship_meeting_on_rhythm_is_on_track_with_its_good_news() -> None:
    history = signals(
        meetings=held(40, 26, 12),
        commitments=[
            CommitmentSignal("done", days_ago(12)),
            CommitmentSignal("partly", days_ago(12)),
        ],
    )
    verdict = assess(history, DEFAULTS, NOW)
    assert verdict.status == Status.ON_TRACK
    assert verdict.reasons == ["last meeting 12 days ago", "1 of 2 commitments kept"]
    assert verdict.suggestion == Action.NONE


def test_a_new_relationship_has_a_grace_period_for_its_first_meeting() -> None:
    verdict = assess(signals(started=10), DEFAULTS, NOW)
    assert verdict.status == Status.ON_TRACK
    assert verdict.reasons == ["started 10 days ago; first meeting not held yet"]


def test_no_first_meeting_after_14_days_is_at_risk() -> None:
    verdict = assess(signals(started=20), DEFAULTS, NOW)
    assert verdict.status == Status.AT_RISK
    assert verdict.reasons == ["no first meeting 20 days after the start"]
    assert verdict.suggestion == Action.MESSAGE


def test_a_scheduled_future_meeting_is_not_a_first_meeting() -> None:
    history = signals(started=20, meetings=[MeetingSignal(NOW + timedelta(days=2), "scheduled")])
    assert assess(history, DEFAULTS, NOW).status == Status.AT_RISK


def test_overdue_by_half_a_period_is_at_risk_and_names_the_rhythm() -> None:
    verdict = assess(signals(meetings=held(60, 46, 23)), DEFAULTS, NOW)
    assert verdict.status == Status.AT_RISK
    assert verdict.reasons == [
        "no meeting for 23 days (the fortnightly rhythm expects one every 14)"
    ]


def test_the_same_gap_is_fine_for_a_monthly_rhythm() -> None:
    verdict = assess(signals(rhythm="monthly", meetings=held(53, 23)), DEFAULTS, NOW)
    assert verdict.status == Status.ON_TRACK


def test_no_meeting_for_more_than_two_periods_and_30_days_is_dormant() -> None:
    verdict = assess(signals(meetings=held(80, 66, 34)), DEFAULTS, NOW)
    assert verdict.status == Status.DORMANT
    assert verdict.reasons == ["no meeting for 34 days"]
    assert verdict.suggestion == Action.MESSAGE


def test_a_weekly_pair_is_not_dormant_before_30_days() -> None:
    verdict = assess(signals(rhythm="weekly", meetings=held(40, 25)), DEFAULTS, NOW)
    assert verdict.status == Status.AT_RISK  # 25 days > 1.5 weeks, but < 30 days


def test_never_meeting_long_after_the_start_is_dormant() -> None:
    verdict = assess(signals(started=45), DEFAULTS, NOW)
    assert verdict.status == Status.DORMANT
    assert verdict.reasons == ["no meeting in the 45 days since the start"]


def test_a_long_silence_suggests_a_pause() -> None:
    verdict = assess(signals(started=200, meetings=held(150, 95)), DEFAULTS, NOW)
    assert verdict.status == Status.DORMANT
    assert verdict.reasons == ["no meeting for 95 days"]
    assert verdict.suggestion == Action.PAUSE


def test_two_of_the_last_three_missed_or_cancelled_is_struggling() -> None:
    history = signals(
        meetings=[
            *held(50, 36),
            MeetingSignal(days_ago(22), "missed"),
            MeetingSignal(days_ago(8), "cancelled"),
            *held(1),
            MeetingSignal(NOW + timedelta(days=13), "scheduled"),
        ]
    )
    verdict = assess(history, DEFAULTS, NOW)
    assert verdict.status == Status.STRUGGLING
    assert verdict.reasons == ["2 of the last 3 meetings missed or cancelled"]
    assert verdict.suggestion == Action.MESSAGE


def test_one_miss_in_three_is_not_struggling() -> None:
    history = signals(meetings=[*held(30, 16), MeetingSignal(days_ago(8), "missed")])
    assert assess(history, DEFAULTS, NOW).status == Status.ON_TRACK


def test_a_low_mean_pulse_is_struggling_and_suggests_a_rematch() -> None:
    pulses = [PulseSignal(rating, days_ago(age)) for rating, age in ((2, 30), (2, 16), (1, 2))]
    verdict = assess(signals(meetings=held(30, 16, 2), pulses=pulses), DEFAULTS, NOW)
    assert verdict.status == Status.STRUGGLING
    assert verdict.reasons == ["pulse ratings average 1.7 of 5 over the last 3 ratings"]
    assert verdict.suggestion == Action.REMATCH_OFFER


def test_a_mean_pulse_above_the_threshold_is_fine() -> None:
    pulses = [PulseSignal(rating, days_ago(age)) for rating, age in ((5, 30), (2, 16), (2, 2))]
    verdict = assess(signals(meetings=held(30, 16, 2), pulses=pulses), DEFAULTS, NOW)
    assert verdict.status == Status.ON_TRACK


def test_only_the_latest_pulses_count() -> None:
    old_good = [PulseSignal(5, days_ago(100 + i)) for i in range(10)]
    recent_bad = [PulseSignal(1, days_ago(i)) for i in range(1, 4)]
    thresholds = Thresholds(pulse_window=3)
    verdict = assess(signals(meetings=held(16, 2), pulses=old_good + recent_bad), thresholds, NOW)
    assert verdict.status == Status.STRUGGLING
    assert verdict.reasons == ["pulse ratings average 1.0 of 5 over the last 3 ratings"]
    assert verdict.suggestion == Action.REMATCH_OFFER


def test_a_member_who_left_recently_makes_it_struggling() -> None:
    history = signals(meetings=held(16, 2), departures=[Departure("Ravi Member", days_ago(5))])
    verdict = assess(history, DEFAULTS, NOW)
    assert verdict.status == Status.STRUGGLING
    assert verdict.reasons == ["Ravi Member left 5 days ago"]
    assert verdict.suggestion == Action.REMATCH_OFFER


def test_a_departure_long_ago_no_longer_counts() -> None:
    history = signals(meetings=held(16, 2), departures=[Departure("Ravi Member", days_ago(60))])
    assert assess(history, DEFAULTS, NOW).status == Status.ON_TRACK


def test_few_commitments_kept_is_at_risk() -> None:
    commitments = [
        CommitmentSignal(status, days_ago(age))
        for status, age in (("not_yet", 40), ("dropped", 30), ("done", 20), ("not_yet", 10))
    ]
    verdict = assess(signals(meetings=held(16, 2), commitments=commitments), DEFAULTS, NOW)
    assert verdict.status == Status.AT_RISK
    assert verdict.reasons == ["1 of the last 4 commitments kept"]


def test_open_commitments_and_too_few_reviews_say_nothing_yet() -> None:
    commitments = [
        CommitmentSignal("not_yet", days_ago(10)),
        CommitmentSignal("dropped", days_ago(5)),
        CommitmentSignal("open", None),
    ]
    verdict = assess(signals(meetings=held(16, 2), commitments=commitments), DEFAULTS, NOW)
    assert verdict.status == Status.ON_TRACK


def test_partly_kept_counts_half() -> None:
    commitments = [CommitmentSignal("partly", days_ago(i)) for i in range(1, 5)]
    verdict = assess(signals(meetings=held(16, 2), commitments=commitments), DEFAULTS, NOW)
    assert verdict.status == Status.ON_TRACK  # 4 × ½ = 50% ≥ 40%
    stricter = Thresholds(commitments_at_risk=0.6)
    verdict = assess(signals(meetings=held(16, 2), commitments=commitments), stricter, NOW)
    assert verdict.reasons == ["0 of the last 4 commitments kept (4 partly)"]


def test_the_worst_status_wins_and_every_reason_is_listed_worst_first() -> None:
    history = signals(
        meetings=[
            *held(80, 66),
            MeetingSignal(days_ago(52), "held"),
            MeetingSignal(days_ago(38), "missed"),
            MeetingSignal(days_ago(24), "missed"),
        ],
        departures=[Departure("Ravi Member", days_ago(3))],
    )
    verdict = assess(history, DEFAULTS, NOW)
    assert verdict.status == Status.DORMANT
    assert verdict.reasons == [
        "no meeting for 52 days",
        "2 of the last 3 meetings missed or cancelled",
        "Ravi Member left 3 days ago",
    ]
    assert verdict.suggestion == Action.REMATCH_OFFER


def test_thresholds_move_each_boundary() -> None:
    history = signals(started=20)
    assert assess(history, Thresholds(grace_days=30), NOW).status == Status.ON_TRACK
    gap = signals(meetings=held(23))
    assert assess(gap, Thresholds(at_risk_periods=2.0), NOW).status == Status.ON_TRACK
    silent = signals(meetings=held(34))
    assert assess(silent, Thresholds(dormant_min_days=40), NOW).status == Status.AT_RISK
    missed = signals(meetings=[*held(30), MeetingSignal(days_ago(8), "missed")])
    assert assess(missed, Thresholds(missed_struggling=1), NOW).status == Status.STRUGGLING
    pulses = signals(meetings=held(2), pulses=[PulseSignal(3, days_ago(2))])
    assert assess(pulses, Thresholds(pulse_struggling=3), NOW).status == Status.STRUGGLING
    left = signals(meetings=held(2), departures=[Departure("A", days_ago(20))])
    assert assess(left, Thresholds(left_days=10), NOW).status == Status.ON_TRACK


def test_the_rules_read_the_clock_they_are_given_not_the_wall_clock() -> None:
    history = signals(meetings=held(34))
    with time_machine.travel(NOW + timedelta(days=365), tick=False):
        assert timezone.now() > NOW
        assert assess(history, DEFAULTS, NOW).reasons == ["no meeting for 34 days"]
