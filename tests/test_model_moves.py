"""Models that moved between apps keep every row: the demo database, with its history,
is taken back to before the moves and forward again, on SQLite and on PostgreSQL.

Moved: Schedule, ScheduleResponse and CalendarFeed (meetings → scheduling) and
Invitation (accounts → people). Their tables are renamed, so the rows must come through
unchanged, column for column.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection

MOVED = {
    # table after the move: table before it
    "scheduling_schedule": "meetings_schedule",
    "scheduling_scheduleresponse": "meetings_scheduleresponse",
    "scheduling_calendarfeed": "meetings_calendarfeed",
    "people_invitation": "accounts_invitation",
}
BEFORE_THE_MOVES = [
    ("scheduling", "zero"),
    ("meetings", "0001"),
    ("people", "0001"),
    ("accounts", "0002"),
]

# Adds what the demo has none of, so that every moved table has rows to lose.
ADD_FEEDS_AND_INVITATIONS = """
from alongside.organisations.models import Membership
from alongside.people.invitations import invitation_send
from alongside.people.models import Person
from alongside.scheduling.models import CalendarFeed
memberships = list(Membership.objects.select_related("user", "organisation")[:3])
for m in memberships:
    CalendarFeed.objects.get_or_create(user=m.user, organisation=m.organisation)
admin = memberships[0].user
for person in Person.objects.filter(user__isnull=True, is_active=True).order_by("pk")[:5]:
    invitation_send(person=person, actor=admin)
"""

SNAPSHOT = """
import json, os
from django.db import connection
tables = json.loads(os.environ["SNAPSHOT_TABLES"])
out = {}
with connection.cursor() as cursor:
    for table in tables:
        cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)} ORDER BY id")
        out[table] = [[str(value) for value in row] for row in cursor.fetchall()]
print(json.dumps(out))
"""


@pytest.fixture
def scratch_database(tmp_path: Path) -> Iterator[str]:
    """A database of its own, on the same kind of server as the suite's."""
    vendor = connection.vendor
    if vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'demo.sqlite3'}"
        return
    assert vendor == "postgresql"
    name = f"alongside_moves_{uuid.uuid4().hex[:12]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    db = settings.DATABASES["default"]
    yield (f"postgresql://{db['USER']}:{db.get('PASSWORD', '')}@{db['HOST']}:{db['PORT']}/{name}")
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')


def _alongside(database_url: str, tmp_path: Path, *args: str, **extra_env: str) -> str:
    env = dict(
        os.environ,
        **extra_env,
        DATABASE_URL=database_url,
        ALONGSIDE_VAR_DIR=str(tmp_path),
        ALONGSIDE_EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        ALONGSIDE_TASKS_IMMEDIATE="1",
        DJANGO_SETTINGS_MODULE="alongside.settings",
    )
    result = subprocess.run(
        [sys.executable, "-m", "alongside", *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def _rows(database_url: str, tmp_path: Path, tables: list[str]) -> dict[str, Any]:
    output = _alongside(
        database_url, tmp_path, "shell", "-c", SNAPSHOT, SNAPSHOT_TABLES=json.dumps(tables)
    )
    return dict(json.loads(output.strip().splitlines()[-1]))


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_the_moved_tables_keep_every_row_of_the_demo_history(
    scratch_database: str, tmp_path: Path
) -> None:
    _alongside(scratch_database, tmp_path, "migrate", "--noinput", "-v", "0")
    _alongside(scratch_database, tmp_path, "demo", "--quiet")
    _alongside(scratch_database, tmp_path, "shell", "-c", ADD_FEEDS_AND_INVITATIONS)
    now = _rows(scratch_database, tmp_path, list(MOVED))
    assert all(now[table] for table in MOVED), {t: len(rows) for t, rows in now.items()}

    for app, migration in BEFORE_THE_MOVES:
        _alongside(scratch_database, tmp_path, "migrate", app, migration, "--noinput", "-v", "0")
    before = _rows(scratch_database, tmp_path, list(MOVED.values()))
    assert [before[old] for old in MOVED.values()] == [now[new] for new in MOVED]

    _alongside(scratch_database, tmp_path, "migrate", "--noinput", "-v", "0")
    after = _rows(scratch_database, tmp_path, list(MOVED))
    assert after == now
