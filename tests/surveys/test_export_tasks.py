"""Exports are made by the worker with progress, and only their requester gets the file."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from alongside.audit.models import AuditEvent
from alongside.exports import registry
from alongside.exports.jobs import prune
from alongside.exports.models import Export
from alongside.exports.services import export_make, export_request
from tests.surveys.conftest import Cohort
from tests.surveys.test_outcomes_closing import answer_both

pytestmark = pytest.mark.django_db


def start(client: Any, cohort: Cohort, **data: str) -> Any:
    return client.post(reverse("surveys:export", args=["acme", cohort.programme.pk]), data)


def test_the_page_queues_the_export_polls_its_progress_then_offers_the_file(
    cohort: Cohort, cast: dict[str, Any], client_for: Any, django_capture_on_commit_callbacks: Any
) -> None:
    answer_both(cohort, cast, [(2, 3)] * 2)
    client = client_for(cast["manager"])
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = start(client, cohort)
    export = Export.objects.get()
    assert response["Location"] == f"/o/acme/exports/{export.pk}/"
    assert (export.status, export.requested_by) == (Export.Status.QUEUED, cast["manager"])
    assert AuditEvent.objects.filter(action="survey.exported").count() == 1

    page = client.get(response["Location"]).content.decode()
    assert f'hx-get="/o/acme/exports/{export.pk}/progress/"' in page
    assert client.get(f"/o/acme/exports/{export.pk}/file/").status_code == 404  # not yet

    for callback in queued:
        callback()  # the worker
    export.refresh_from_db()
    assert (export.status, export.progress, export.rows) == (Export.Status.DONE, 100, 14)
    poll = client.get(f"/o/acme/exports/{export.pk}/progress/", HTTP_HX_REQUEST="true")
    assert poll.headers["HX-Refresh"] == "true"
    page = client.get(response["Location"]).content.decode()
    assert "The file is ready: 14 rows." in page
    download = client.get(f"/o/acme/exports/{export.pk}/file/")
    assert download["Content-Disposition"] == (
        f'attachment; filename="survey-data-{cohort.programme.pk}.csv"'
    )
    rows = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig"))))
    assert rows[0][0] == "respondent"
    assert len(rows) == 15

    for callback in queued:
        callback()  # delivered twice: made once
    assert Export.objects.get().rows == 14


def test_only_the_requester_sees_or_downloads_an_export(
    cohort: Cohort,
    cast: dict[str, Any],
    client_for: Any,
    api_for: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    answer_both(cohort, cast, [(2, 3)] * 2)
    with django_capture_on_commit_callbacks(execute=True):
        start(client_for(cast["admin"]), cohort, identified="1")
    export = Export.objects.get()
    assert export.status == Export.Status.DONE
    for user in ("manager", "member", "outsider"):
        client = client_for(cast[user])
        for suffix in ("", "progress/", "file/"):
            assert client.get(f"/o/acme/exports/{export.pk}/{suffix}").status_code == 404
        api = api_for(cast[user])
        assert api.get(f"/api/v1/organisations/acme/exports/{export.pk}/file").status_code == 404
    mine = api_for(cast["admin"]).get(f"/api/v1/organisations/acme/exports/{export.pk}/file")
    assert cohort.me.person.email in mine.content.decode()


def test_the_api_answers_202_and_a_url_that_leads_to_the_file(
    cohort: Cohort, cast: dict[str, Any], api_for: Any, django_capture_on_commit_callbacks: Any
) -> None:
    answer_both(cohort, cast, [(2, 3)] * 2)
    api = api_for(cast["manager"])
    path = f"/api/v1/organisations/acme/programmes/{cohort.programme.pk}/survey-data/exports"
    assert api.post(path + "?identified=true").status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(path)
    assert response.status_code == 202
    assert response.json()["status"] == "queued"
    body = api.get(response.json()["url"]).json()
    assert (body["status"], body["progress"], body["rows"]) == ("done", 100, 14)
    csv_text = api.get(body["file_url"]).content.decode("utf-8-sig")
    assert csv_text.splitlines()[0].startswith("respondent,")


def test_a_failing_export_says_so_and_offers_no_file(
    cohort: Cohort,
    cast: dict[str, Any],
    client_for: Any,
    monkeypatch: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    def broken(export: Export) -> Any:
        yield ["header"]
        raise RuntimeError("the database went away")

    monkeypatch.setitem(
        registry.PRODUCERS,
        "survey-data",
        registry.Producer(count=lambda export: 1, rows=broken),
    )
    client = client_for(cast["manager"])
    with django_capture_on_commit_callbacks(execute=True):
        response = start(client, cohort)
    export = Export.objects.get()
    assert export.status == Export.Status.FAILED
    assert "the database went away" in export.error
    assert "The file could not be made." in client.get(response["Location"]).content.decode()
    assert client.get(f"/o/acme/exports/{export.pk}/file/").status_code == 404


@pytest.mark.django_db(transaction=True)  # progress is read back as the page would: committed
def test_progress_moves_with_the_rows_written(cast: dict[str, Any], org_a: Any) -> None:
    seen: list[int] = []

    def many(export: Export) -> Any:
        yield ["n"]
        for n in range(2000):
            if n % 500 == 0:
                seen.append(Export.objects.get(pk=export.pk).progress)
            yield [n]

    registry.PRODUCERS["counting"] = registry.Producer(count=lambda export: 2000, rows=many)
    try:
        # Committed at once here, so the (in-process) worker makes it on the spot.
        made = export_request(
            organisation=org_a, actor=cast["admin"], kind="counting", title="t", filename="t.csv"
        )
        assert export_make(export_id=made.pk) is None  # already made: claimed once only
    finally:
        del registry.PRODUCERS["counting"]
    made.refresh_from_db()
    assert (made.status, made.rows) == (Export.Status.DONE, 2000)
    assert seen[0] == 0
    assert seen[-1] > 0
    assert seen == sorted(seen)


def test_old_exports_are_deleted(cast: dict[str, Any], org_a: Any, settings: Any) -> None:
    settings.RETENTION_DAYS = {**settings.RETENTION_DAYS, "exports": 3}
    now = timezone.now()
    old = Export.objects.create(
        organisation=org_a,
        requested_by=cast["admin"],
        kind="survey-data",
        title="o",
        filename="o.csv",
        created_at=now - timedelta(days=4),
    )
    recent = Export.objects.create(
        organisation=org_a,
        requested_by=cast["admin"],
        kind="survey-data",
        title="r",
        filename="r.csv",
        created_at=now - timedelta(days=2),
    )
    assert prune(now) == 1
    assert list(Export.objects.values_list("pk", flat=True)) == [recent.pk]
    assert not Export.objects.filter(pk=old.pk).exists()
