"""Large people imports are checked and applied by the worker, with progress, all or nothing."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction

from alongside.audit.models import AuditEvent
from alongside.core.progress import ProgressReporter
from alongside.people import importing
from alongside.people.models import Person, PersonImport
from tests.people import make_csv

pytestmark = pytest.mark.django_db

IMPORT_URL = "/o/acme/people/import/"
API_URL = "/api/v1/organisations/acme/people/import"
HEADER = ["email", "name", "employee_id", "manager_email", "department"]


def rows(count: int) -> list[list[str]]:
    people = [["boss@acme.in", "The Boss", "E0", "", "Leadership"]]
    people += [
        [f"person{n}@acme.in", f"Person {n}", f"E{n}", "boss@acme.in", "Engineering"]
        for n in range(1, count)
    ]
    return [HEADER, *people]


def upload(data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile("hr.csv", data, content_type="text/csv")


@pytest.fixture(autouse=True)
def small_threshold(settings) -> None:  # type: ignore[no-untyped-def]
    # The threshold is 2,000 rows in production; a few rows show the same path.
    settings.PEOPLE_IMPORT_INLINE_ROWS = 5


def acme_count() -> int:
    return Person.objects.filter(organisation__slug="acme").count()


def test_a_large_upload_is_checked_by_the_worker_then_applied_by_it(
    cast, client_for, django_capture_on_commit_callbacks
) -> None:
    client = client_for(cast["admin"])
    before = acme_count()
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = client.post(IMPORT_URL, {"file": upload(make_csv(rows(12)))})
    person_import = PersonImport.objects.get()
    assert response.status_code == 302
    assert person_import.status == PersonImport.Status.CHECKING
    assert person_import.progress == 0

    # Until the worker has checked it, the preview polls the progress.
    page = client.get(response["Location"]).content.decode()
    assert f'hx-get="/o/acme/people/import/{person_import.pk}/progress/"' in page
    assert "Checking every row of the file" in page
    assert 'hx-trigger="every 1s"' in page

    for callback in queued:
        callback()  # the worker (tasks run in-process in tests)
    person_import.refresh_from_db()
    assert person_import.status == PersonImport.Status.PREVIEWED
    assert person_import.progress == 100
    assert person_import.summary["created"] == 12
    assert acme_count() == before  # a preview writes nobody

    # The poll tells the page to reload; the preview then offers the import.
    poll = client.get(f"/o/acme/people/import/{person_import.pk}/progress/", HTTP_HX_REQUEST="true")
    assert poll.headers["HX-Refresh"] == "true"
    assert "Import 12 people" in client.get(response["Location"]).content.decode()

    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = client.post(f"/o/acme/people/import/{person_import.pk}/confirm/")
    assert response["Location"] == f"/o/acme/people/import/{person_import.pk}/"
    person_import.refresh_from_db()
    assert person_import.status == PersonImport.Status.APPLYING
    assert acme_count() == before
    page = client.get(response["Location"]).content.decode()
    assert "Checking the file again and importing it" in page

    for callback in queued:
        callback()
    person_import.refresh_from_db()
    assert person_import.status == PersonImport.Status.APPLIED
    assert person_import.progress == 100
    assert acme_count() == before + 12
    boss = Person.objects.get(email="boss@acme.in")
    assert Person.objects.filter(manager=boss).count() == 11
    assert AuditEvent.objects.get(action="people.imported").actor == cast["admin"]


def test_a_large_file_with_bad_rows_lists_each_row_and_column_and_writes_nothing(
    cast, client_for, django_capture_on_commit_callbacks
) -> None:
    data = rows(12)
    data[4][0] = "not-an-email"
    data[9][3] = "nobody@acme.in"  # a manager neither in the file nor the directory
    client = client_for(cast["admin"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(IMPORT_URL, {"file": upload(make_csv(data))})
    person_import = PersonImport.objects.get()
    assert person_import.status == PersonImport.Status.INVALID
    assert [(p["row"], p["column"]) for p in person_import.problems] == [
        (5, "email"),
        (10, "manager_email"),
    ]
    page = client.get(response["Location"]).content.decode()
    assert "2 problems found; nothing has been imported" in page
    assert "<td>5</td><td>email</td>" in page


def test_a_large_import_that_became_invalid_since_its_preview_writes_nothing(
    cast, client_for, django_capture_on_commit_callbacks
) -> None:
    client = client_for(cast["admin"])
    before = acme_count()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(IMPORT_URL, {"file": upload(make_csv(rows(12)))})
    person_import = PersonImport.objects.get()
    assert person_import.status == PersonImport.Status.PREVIEWED
    # Meanwhile someone is added by hand with an employee id the file gives row 8.
    Person.objects.create(
        organisation=cast["admin"].memberships.get().organisation,
        email="new.hire@acme.in",
        name="New Hire",
        employee_id="E7",
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/o/acme/people/import/{person_import.pk}/confirm/")
    person_import.refresh_from_db()
    assert person_import.status == PersonImport.Status.INVALID
    assert [(p["row"], p["column"]) for p in person_import.problems] == [(9, "employee_id")]
    assert "new.hire@acme.in" in person_import.problems[0]["message"]
    assert acme_count() == before + 1  # only the hand-made person: none of the file's rows
    assert not AuditEvent.objects.filter(action="people.imported").exists()


def test_a_large_import_that_crashes_is_marked_failed_and_writes_nothing(
    cast, client_for, django_capture_on_commit_callbacks, monkeypatch
) -> None:
    client = client_for(cast["admin"])
    before = acme_count()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(IMPORT_URL, {"file": upload(make_csv(rows(12)))})
    person_import = PersonImport.objects.get()
    real_write = importing._write_plan

    def write_then_crash(*args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        real_write(*args, **kwargs)
        raise RuntimeError("disk full")

    monkeypatch.setattr(importing, "_write_plan", write_then_crash)
    with django_capture_on_commit_callbacks(execute=True):  # the task's error is its own
        client.post(f"/o/acme/people/import/{person_import.pk}/confirm/")
    person_import.refresh_from_db()
    assert person_import.status == PersonImport.Status.FAILED
    assert acme_count() == before
    page = client.get(f"/o/acme/people/import/{person_import.pk}/").content.decode()
    assert "The import stopped unexpectedly; nothing has been imported." in page


def test_an_import_being_applied_cannot_be_discarded_and_runs_once(
    cast, client_for, django_capture_on_commit_callbacks
) -> None:
    client = client_for(cast["admin"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(IMPORT_URL, {"file": upload(make_csv(rows(12)))})
    person_import = PersonImport.objects.get()
    with django_capture_on_commit_callbacks(execute=False) as queued:
        client.post(f"/o/acme/people/import/{person_import.pk}/confirm/")
    client.post(f"/o/acme/people/import/{person_import.pk}/discard/")
    person_import.refresh_from_db()
    assert person_import.status == PersonImport.Status.APPLYING
    for callback in queued + queued:  # the task delivered twice
        callback()
    assert AuditEvent.objects.filter(action="people.imported").count() == 1


def test_the_api_answers_202_with_a_url_to_poll(
    cast, api_for, django_capture_on_commit_callbacks
) -> None:
    api = api_for(cast["admin"])
    before = acme_count()
    with django_capture_on_commit_callbacks(execute=True):
        dry = api.post(f"{API_URL}?dry_run=true", files={"file": upload(make_csv(rows(12)))})
    assert dry.status_code == 202
    assert dry.json()["status"] == "checking"
    checked = api.get(dry.json()["url"]).json()
    assert checked["status"] == "previewed"
    assert checked["summary"]["created"] == 12
    assert acme_count() == before

    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(API_URL, files={"file": upload(make_csv(rows(12)))})
    assert response.status_code == 202
    body = api.get(response.json()["url"]).json()
    assert (body["status"], body["progress"], body["problems"]) == ("applied", 100, [])
    assert acme_count() == before + 12

    bad = rows(12)
    bad[3][0] = "broken"
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(API_URL, files={"file": upload(make_csv(bad))})
    body = api.get(response.json()["url"]).json()
    assert body["status"] == "invalid"
    assert body["problems"] == [
        {"row": 4, "field": "email", "message": body["problems"][0]["message"]}
    ]
    assert "broken" in body["problems"][0]["message"]


def test_another_organisation_cannot_see_an_import(cast, api_for, client_for) -> None:
    person_import = PersonImport.objects.create(
        organisation=cast["admin"].memberships.get().organisation,
        content=b"email,name\n",
        status=PersonImport.Status.CHECKING,
    )
    outsider = api_for(cast["outsider"])
    response = outsider.get(f"/api/v1/organisations/acme/people/imports/{person_import.pk}")
    assert response.status_code == 404
    page = client_for(cast["outsider"]).get(f"/o/acme/people/import/{person_import.pk}/progress/")
    assert page.status_code == 404


@pytest.mark.django_db(transaction=True)
def test_progress_is_visible_to_others_while_the_work_is_uncommitted() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has one writer: progress moves only outside the transaction")
    from alongside.organisations.models import Organisation

    organisation = Organisation.objects.create(name="Progress", slug="progress")
    person_import = PersonImport.objects.create(
        organisation=organisation, content=b"", status=PersonImport.Status.APPLYING
    )
    other = connection.get_new_connection(connection.get_connection_params())
    other.autocommit = True
    try:
        with transaction.atomic(), ProgressReporter(PersonImport, person_import.pk) as report:
            Person.objects.create(organisation=organisation, email="a@p.in", name="A")
            report(40, force=True)
            with other.cursor() as cursor:
                cursor.execute(
                    "SELECT progress FROM people_personimport WHERE id = %s", [person_import.pk]
                )
                assert cursor.fetchone()[0] == 40
                cursor.execute("SELECT count(*) FROM people_person WHERE email = 'a@p.in'")
                assert cursor.fetchone()[0] == 0  # the work itself is still unseen
    finally:
        other.close()
