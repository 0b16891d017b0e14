"""A person's own download and an organisation's export: what is in them, who gets them."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from typing import Any

from alongside.accounts.models import User
from alongside.audit.models import AuditEvent
from alongside.meetings.models import Note
from alongside.organisations.models import Organisation
from alongside.people.models import Person
from alongside.privacy.models import DataRequest
from alongside.programmes.models import Intake
from alongside.relationships.models import RelationshipMember
from tests.test_access import make_tenant_objects


def unzip(content: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: archive.read(name).decode() for name in archive.namelist()}


def test_a_person_downloads_everything_held_about_them(
    cast: dict[str, User],
    org_a: Organisation,
    client_for: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    tenant = make_tenant_objects(org_a, cast["admin"])
    ravi = Person.objects.get(user=cast["member"])
    Intake.objects.filter(enrolment__person=ravi).update(goals="Learn to negotiate")
    other = RelationshipMember.objects.get(person=tenant.person)
    Note.objects.create(meeting=tenant.meeting, author=other, visibility="private", body="secret")
    client = client_for(cast["member"])
    assert "Download my data" in client.get("/o/acme/people/me/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/o/acme/privacy/my-data/")
    request = DataRequest.objects.filter(kind="person_export", requested_by=cast["member"]).latest(
        "pk"
    )
    assert response["Location"] == f"/o/acme/privacy/requests/{request.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert "Download the ZIP" in page
    download = client.get(f"/o/acme/privacy/requests/{request.pk}/download/")
    assert download["Content-Type"] == "application/zip"
    files = unzip(download.content)
    assert set(files) == {"alongside-data.json", "alongside-data.html"}
    data = json.loads(files["alongside-data.json"])
    sections = data["sections"]
    assert sections["people"]["directory_entry"][0]["email"] == "ravi.member@acme.test"
    assert sections["programmes"]["intakes"][0]["goals"] == "Learn to negotiate"
    assert [n["body"] for n in sections["meetings"]["notes"]] == ["n"]  # his own note
    assert sections["account"]["account"][0]["email"] == "ravi.member@acme.test"
    assert "Learn to negotiate" in files["alongside-data.html"]
    assert "secret" not in files["alongside-data.json"]  # another's private note
    # Nobody else may download it, not even an admin.
    admin = client_for(cast["admin"])
    assert admin.get(f"/o/acme/privacy/requests/{request.pk}/").status_code == 200
    assert admin.get(f"/o/acme/privacy/requests/{request.pk}/download/").status_code == 404
    manager = client_for(cast["manager"])
    assert manager.get(f"/o/acme/privacy/requests/{request.pk}/").status_code == 404
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {
        "privacy.person_export_requested",
        "privacy.person_export_done",
        "privacy.downloaded",
    } <= actions


def test_progress_is_polled_while_working_and_refreshes_when_done(
    cast: dict[str, User], org_a: Organisation, client_for: Any
) -> None:
    ravi = Person.objects.get(user=cast["member"])
    request = DataRequest.objects.create(
        organisation=org_a,
        kind="person_export",
        requested_by=cast["member"],
        person=ravi,
        status="running",
        progress=40,
        message="Collecting your data…",
    )
    client = client_for(cast["member"])
    url = f"/o/acme/privacy/requests/{request.pk}/progress/"
    partial = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 1s"' in partial
    assert 'value="40"' in partial
    request.status = "done"
    request.save()
    done = client.get(url, HTTP_HX_REQUEST="true")
    assert done["HX-Refresh"] == "true"


def test_the_api_flow_for_my_data(
    cast: dict[str, User],
    org_a: Organisation,
    api_for: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    api = api_for(cast["member"])
    with django_capture_on_commit_callbacks(execute=True):
        created = api.post("/api/v1/organisations/acme/me/data-export")
    assert created.status_code == 202
    status = api.get(f"/api/v1/organisations/acme/data-requests/{created.json()['id']}").json()
    assert status["status"] == "done"
    assert status["download_ready"] is True
    zipped = api.get(f"/api/v1/organisations/acme/data-requests/{created.json()['id']}/download")
    assert "alongside-data.json" in unzip(zipped.content)


def test_an_admin_exports_the_whole_organisation(
    cast: dict[str, User],
    org_a: Organisation,
    org_b: Organisation,
    api_for: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    make_tenant_objects(org_a, cast["admin"])
    make_tenant_objects(org_b, cast["outsider"])
    api = api_for(cast["admin"])
    with django_capture_on_commit_callbacks(execute=True):
        created = api.post("/api/v1/organisations/acme/data-export")
    assert created.status_code == 202
    files = unzip(
        api.get(f"/api/v1/organisations/acme/data-requests/{created.json()['id']}/download").content
    )
    assert json.loads(files["organisation.json"])["slug"] == "acme"
    people = list(csv.DictReader(io.StringIO(files["people.person.csv"])))
    assert {p["email"] for p in people} >= {"ravi.member@acme.test", "nobody@acme.test"}
    assert all(not p["email"].endswith("other.test") for p in people)
    assert "meetings.note.csv" in files
    members = list(csv.DictReader(io.StringIO(files["members.csv"])))
    assert {m["user__email"] for m in members} == {
        "asha.admin@acme.test",
        "priya.pm@acme.test",
        "ravi.member@acme.test",
    }
    everything = "".join(files.values())
    assert "other.test" not in everything
    assert "token_hash" not in everything
    assert "self_enrol_token" not in everything
    assert api_for(cast["member"]).post("/api/v1/organisations/acme/data-export").status_code == 403
