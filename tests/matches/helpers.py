"""Building blocks for the matching page, API and concurrency tests."""

from __future__ import annotations

from typing import Any

from alongside.matches.models import MatchRun
from alongside.matches.services import match_run_execute
from alongside.matches.services import match_run_request as request_run
from tests.matches.test_workflow import _people, _programme

__all__ = ["_people", "_programme", "draft_run", "published_programme"]


def draft_run(programme: Any, actor: Any) -> MatchRun:
    """Request a run and execute it at once (as the on-commit hook would)."""
    run = request_run(programme=programme, actor=actor)
    match_run_execute(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == MatchRun.Status.DRAFT, run.error
    return run


def published_programme(org: Any, actor: Any, format: str, count: int) -> tuple[Any, Any]:
    from alongside.matches.services import match_run_publish

    programme, enrolments = _programme(org, actor, format, _people(org, count))
    run = draft_run(programme, actor)
    match_run_publish(run=run, actor=actor, keep_matching=True)
    return programme, enrolments
