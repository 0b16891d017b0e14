"""The demo's integrations: a connected (simulated) Slack workspace, a relationship with a
video link, and an HR sync on a schedule with a history of two runs.

Nothing here talks to another service: the Slack workspace's token is a placeholder
(the demo never announces matches in it, and a message sent to it would fall back to
email with Slack's refusal as the reason), and the two HR sync runs are written as
history from the demo's own directory.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.db import connection

from alongside.accounts.models import User
from alongside.chat.models import SlackWorkspace
from alongside.chat.slack import BOT_SCOPES
from alongside.core.crypto import encrypt
from alongside.hrsync.models import SyncRun, SyncSource
from alongside.hrsync.services import next_run_after
from alongside.organisations.models import Organisation
from alongside.people.models import Person
from alongside.relationships.models import Relationship
from alongside.scheduling.video import relationship_video_set

SLACK_TEAM = "Kestrel Technologies (demo workspace)"
HR_EXPORT = "https://hr.kestrel.example/exports/people.csv"


@dataclass(frozen=True)
class IntegrationsSummary:
    slack_team: str
    video_relationship: str
    hr_runs: int


@contextmanager
def _no_after_commit_sends() -> Iterator[None]:
    """Choosing a video link sends calendar updates after commit: not in the demo."""
    before = len(connection.run_on_commit)
    try:
        yield
    finally:
        del connection.run_on_commit[before:]


def build_integrations(
    *, organisation: Organisation, admin: User, member: User, today: date
) -> IntegrationsSummary:
    SlackWorkspace.objects.update_or_create(
        organisation=organisation,
        defaults={
            "team_id": "T0DEMO0001",
            "team_name": SLACK_TEAM,
            "app_id": "A0DEMO0001",
            "bot_user_id": "U0DEMOBOT",
            "scopes": ",".join(BOT_SCOPES),
            "bot_token_encrypted": encrypt("xoxb-demo-placeholder-not-a-real-token"),
            "announce_matches": False,
            "installed_by": admin,
        },
    )
    relationship = (
        Relationship.objects.filter(
            organisation=organisation,
            status=Relationship.Status.ACTIVE,
            members__person__user=member,
            members__is_active=True,
        )
        .order_by("pk")
        .first()
    )
    video_name = ""
    if relationship is not None:
        with _no_after_commit_sends():
            relationship_video_set(relationship=relationship, actor=member, choice="jitsi")
        video_name = relationship.name
    source, _created = SyncSource.objects.update_or_create(
        organisation=organisation,
        defaults={
            "kind": SyncSource.Kind.HTTPS,
            "url": HR_EXPORT,
            "http_auth": SyncSource.HttpAuth.BEARER,
            "secret_encrypted": encrypt("demo-placeholder-token"),
            "frequency": SyncSource.Frequency.DAILY,
            "time_of_day": time(6, 0),
            "created_by": admin,
        },
    )
    now = datetime.combine(today, time(12), tzinfo=UTC)
    source.next_run_at = next_run_after(
        frequency=source.frequency,
        time_of_day=source.time_of_day,
        weekday=source.weekday,
        zone_name=organisation.default_time_zone,
        after=now,
    )
    source.save(update_fields=["next_run_at"])
    if not SyncRun.objects.filter(organisation=organisation).exists():
        _history(organisation, today)
    return IntegrationsSummary(
        slack_team=SLACK_TEAM,
        video_relationship=video_name,
        hr_runs=SyncRun.objects.filter(organisation=organisation).count(),
    )


def _history(organisation: Organisation, today: date) -> None:
    """Two applied runs, made from the directory: the newest joiners arrived in the
    first, a leaver left in the second, and someone changed job title in between."""
    people = Person.objects.filter(organisation=organisation)
    active = people.filter(is_active=True)
    newest = list(active.exclude(start_date=None).order_by("-start_date", "pk")[:2])
    leaver = people.filter(is_active=False).order_by("pk").first()
    promoted = active.exclude(job_title="").order_by("pk").first()
    count = active.count()
    for days_ago, added, changed, left in (
        (2, [p.email for p in newest], [], []),
        (
            1,
            [],
            [{"email": promoted.email, "fields": ["job_title"]}] if promoted else [],
            [leaver.email] if leaver else [],
        ),
    ):
        started = datetime.combine(today - timedelta(days=days_ago), time(0, 30), tzinfo=UTC)
        SyncRun.objects.create(
            organisation=organisation,
            status=SyncRun.Status.SUCCEEDED,
            trigger=SyncRun.Trigger.SCHEDULE,
            source_description=HR_EXPORT,
            started_at=started,
            finished_at=started + timedelta(seconds=4),
            rows=count,
            added=added,
            changed=changed,
            left=left,
            unchanged=count - len(added) - len(changed),
        )


def describe(summary: IntegrationsSummary) -> str:
    video = (
        f", a Jitsi video link for {summary.video_relationship}"
        if summary.video_relationship
        else ""
    )
    return (
        f"Integrations: Slack workspace {summary.slack_team}{video}, "
        f"HR sync daily at 06:00 with {summary.hr_runs} runs.\n"
    )
