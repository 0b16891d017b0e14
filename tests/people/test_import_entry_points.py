"""The people import from the UI (upload, preview, confirm), the API and the CLI."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from alongside.audit.models import AuditEvent
from alongside.people.models import Person, PersonImport
from tests.people import make_csv

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_password_hashing(settings) -> None:  # type: ignore[no-untyped-def]
    # The cast's users are created with a password; a slow hasher only slows the tests.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


NAMES = {
    "priya.sharma@acme.in": "प्रिया शर्मा",
    "murugan.s@acme.in": "முருகன் சுப்பிரமணியம்",
    "xiaoming.wang@acme.in": "王小明",
    "fatima.z@acme.in": "فاطمة الزهراء",
    "jose.muller@acme.in": "José Müller-Łukasiewicz",
}
ROWS = [
    ["Email", "Name", "Manager Email", "Department", "Time Zone", "Languages"],
    [
        "priya.sharma@acme.in",
        NAMES["priya.sharma@acme.in"],
        "",
        "Leadership",
        "Asia/Kolkata",
        "Hindi;English",
    ],
    [
        "murugan.s@acme.in",
        NAMES["murugan.s@acme.in"],
        "priya.sharma@acme.in",
        "Engineering",
        "Asia/Kolkata",
        "Tamil",
    ],
    [
        "xiaoming.wang@acme.in",
        NAMES["xiaoming.wang@acme.in"],
        "murugan.s@acme.in",
        "Engineering",
        "Asia/Shanghai",
        "Mandarin",
    ],
    [
        "fatima.z@acme.in",
        NAMES["fatima.z@acme.in"],
        "priya.sharma@acme.in",
        "Finance, Gulf",
        "Asia/Dubai",
        "Arabic;English",
    ],
    [
        "jose.muller@acme.in",
        NAMES["jose.muller@acme.in"],
        "fatima.z@acme.in",
        "Finance, Gulf",
        "Europe/Lisbon",
        "",
    ],
]
GOOD = make_csv(ROWS, delimiter=";", bom=True)
BAD = make_csv(
    [
        ["email", "name", "timezone", "start_date"],
        ["ok@acme.in", "Okay", "Asia/Kolkata", ""],
        ["not-an-email", "Bad", "", ""],
        ["ok2@acme.in", "Late", "", "31/12/2024"],
    ]
)
IMPORT_URL = "/o/acme/people/import/"
API_URL = "/api/v1/organisations/acme/people/import"


def upload(data: bytes, name: str = "hr-export.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="text/csv")


def acme_people() -> dict[str, Person]:
    return {p.email: p for p in Person.objects.filter(organisation__slug="acme")}


# --- UI ---------------------------------------------------------------------------------


def test_ui_upload_preview_confirm(cast, client_for) -> None:
    client = client_for(cast["admin"])
    assert client.get(IMPORT_URL).status_code == 200
    response = client.post(IMPORT_URL, {"file": upload(GOOD)})
    person_import = PersonImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/o/acme/people/import/{person_import.pk}/"
    assert person_import.created_by == cast["admin"]
    assert person_import.filename == "hr-export.csv"
    assert len(acme_people()) == 3  # the cast only: nothing written yet

    page = client.get(response["Location"]).content.decode()
    assert '<span class="stat">5</span> to add' in page
    assert '<span class="stat">0</span> to update' in page
    assert "Import 5 people" in page

    response = client.post(f"/o/acme/people/import/{person_import.pk}/confirm/")
    assert response.status_code == 302
    assert response["Location"] == "/o/acme/people/"
    people = acme_people()
    assert len(people) == 8
    for email, name in NAMES.items():
        assert people[email].name == name
    assert people["jose.muller@acme.in"].manager == people["fatima.z@acme.in"]
    person_import.refresh_from_db()
    assert person_import.status == PersonImport.Status.APPLIED
    event = AuditEvent.objects.get(action="people.imported")
    assert event.actor == cast["admin"]
    assert event.data["created"] == 5
    listing = client.get("/o/acme/people/").content.decode()
    assert NAMES["murugan.s@acme.in"] in listing

    # Confirming twice is refused and changes nothing.
    client.post(f"/o/acme/people/import/{person_import.pk}/confirm/")
    assert AuditEvent.objects.filter(action="people.imported").count() == 1


def test_ui_preview_lists_every_problem_with_its_row_and_column(cast, client_for) -> None:
    client = client_for(cast["admin"])
    response = client.post(IMPORT_URL, {"file": upload(BAD)}, follow=True)
    page = response.content.decode()
    assert "2 problems found; nothing has been imported" in page
    assert "<td>3</td><td>email</td><td>&#x27;not-an-email&#x27; is not a valid" in page
    assert "<td>4</td><td>start_date</td><td>&#x27;31/12/2024&#x27; is not a date" in page
    person_import = PersonImport.objects.get()
    assert person_import.status == PersonImport.Status.INVALID
    client.post(f"/o/acme/people/import/{person_import.pk}/confirm/")
    assert len(acme_people()) == 3
    assert not AuditEvent.objects.filter(action="people.imported").exists()


def test_ui_preview_of_a_wrong_encoding_and_an_empty_file(cast, client_for) -> None:
    client = client_for(cast["admin"])
    cp1252 = "email,name\r\na@acme.in,Anil\r\nb@acme.in,Zoë Ñúñez\r\n".encode("cp1252")
    page = client.post(IMPORT_URL, {"file": upload(cp1252)}, follow=True).content.decode()
    assert "<td>3</td><td>—</td><td>the file is not UTF-8 encoded" in page
    # An empty upload is refused by the form itself.
    response = client.post(IMPORT_URL, {"file": upload(b"")})
    assert response.status_code == 200
    assert PersonImport.objects.count() == 1


def test_ui_discard(cast, client_for) -> None:
    client = client_for(cast["admin"])
    client.post(IMPORT_URL, {"file": upload(GOOD)})
    person_import = PersonImport.objects.get()
    response = client.post(f"/o/acme/people/import/{person_import.pk}/discard/")
    assert response.status_code == 302
    person_import.refresh_from_db()
    assert person_import.status == PersonImport.Status.DISCARDED
    client.post(f"/o/acme/people/import/{person_import.pk}/confirm/")
    assert len(acme_people()) == 3


def test_ui_confirm_with_deactivate_missing(cast, client_for) -> None:
    client = client_for(cast["admin"])
    client.post(IMPORT_URL, {"file": upload(GOOD)})
    person_import = PersonImport.objects.get()
    client.post(f"/o/acme/people/import/{person_import.pk}/confirm/", {"deactivate_missing": "on"})
    inactive = set(
        Person.objects.filter(organisation__slug="acme", is_active=False).values_list(
            "email", flat=True
        )
    )
    assert inactive == {cast[role].email for role in ("admin", "manager", "member")}
    assert Person.objects.get(email=cast["outsider"].email).is_active


def test_ui_import_pages_are_for_admins_of_the_organisation_only(cast, client_for, admin) -> None:
    client_for(admin).post(IMPORT_URL, {"file": upload(GOOD)})
    pk = PersonImport.objects.get().pk
    pages = [
        ("get", IMPORT_URL),
        ("post", IMPORT_URL),
        ("get", f"{IMPORT_URL}{pk}/"),
        ("post", f"{IMPORT_URL}{pk}/confirm/"),
        ("post", f"{IMPORT_URL}{pk}/discard/"),
        ("get", f"{IMPORT_URL}template.csv"),
    ]
    for method, url in pages:
        data = {"file": upload(GOOD)} if url == IMPORT_URL and method == "post" else {}
        outsider = getattr(client_for(cast["outsider"]), method)(url, data)
        assert outsider.status_code == 404, url
        for role in ("member", "manager"):
            response = getattr(client_for(cast[role]), method)(url, data)
            assert response.status_code == 403, (role, url)
        anonymous = getattr(client_for(None), method)(url, data)
        assert anonymous.status_code == 302, url
        assert anonymous["Location"].startswith("/accounts/login/?next="), url
    # The outsider cannot reach A's import through their own organisation either.
    other = client_for(cast["outsider"])
    assert other.get(f"/o/other/people/import/{pk}/").status_code == 404
    assert other.post(f"/o/other/people/import/{pk}/confirm/").status_code == 404
    assert PersonImport.objects.get().status == PersonImport.Status.PREVIEWED
    assert len(acme_people()) == 3


# --- API --------------------------------------------------------------------------------


def test_api_import_and_names_round_trip(cast, api_for) -> None:
    api = api_for(cast["admin"])
    response = api.post(f"{API_URL}?dry_run=true", files={"file": upload(GOOD)})
    assert response.status_code == 200, response.content
    assert response.json() == {
        "dry_run": True,
        "rows": 5,
        "created": 5,
        "updated": 0,
        "unchanged": 0,
        "deactivated": 0,
    }
    assert len(acme_people()) == 3

    response = api.post(API_URL, files={"file": upload(GOOD)})
    assert response.status_code == 200, response.content
    assert response.json()["created"] == 5
    listed = api.get("/api/v1/organisations/acme/people", {"page_size": 100}).json()
    names = {p["email"]: p["name"] for p in listed["items"]}
    for email, name in NAMES.items():
        assert names[email] == name
    jose = next(p for p in listed["items"] if p["email"] == "jose.muller@acme.in")
    assert jose["manager"]["email"] == "fatima.z@acme.in"
    assert jose["department"] == "Finance, Gulf"
    assert jose["timezone"] == "Europe/Lisbon"

    # The same export again, with one change: an upsert.
    rows = [list(r) for r in ROWS]
    rows[3][3] = "Platform"
    response = api.post(API_URL, files={"file": upload(make_csv(rows, delimiter="\t"))})
    assert response.json() == {
        "dry_run": False,
        "rows": 5,
        "created": 0,
        "updated": 1,
        "unchanged": 4,
        "deactivated": 0,
    }


def test_api_problems_are_400_with_rows_and_columns(cast, api_for) -> None:
    response = api_for(cast["admin"]).post(API_URL, files={"file": upload(BAD)})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "import_invalid"
    assert "nothing was imported" in body["detail"]
    assert [(p["row"], p["field"]) for p in body["problems"]] == [(3, "email"), (4, "start_date")]
    assert len(acme_people()) == 3
    pipes = b"email|name\r\na@acme.in|Anil\r\n"
    body = api_for(cast["admin"]).post(API_URL, files={"file": upload(pipes)}).json()
    assert [(p["row"], p["field"]) for p in body["problems"]] == [(1, None)]
    assert "pipe" in body["problems"][0]["message"]


def test_api_deactivate_missing(cast, api_for) -> None:
    api = api_for(cast["admin"])
    response = api.post(f"{API_URL}?deactivate_missing=true", files={"file": upload(GOOD)})
    assert response.json()["deactivated"] == 3


def test_api_import_is_for_admins_of_the_organisation_only(cast, api_for) -> None:
    assert api_for(cast["outsider"]).post(API_URL, files={"file": upload(GOOD)}).status_code == 404
    for role in ("member", "manager"):
        assert api_for(cast[role]).post(API_URL, files={"file": upload(GOOD)}).status_code == 403
    assert api_for(None).post(API_URL, files={"file": upload(GOOD)}).status_code == 401
    # The outsider's own organisation gets the outsider's import, never A's people.
    response = api_for(cast["outsider"]).post(
        "/api/v1/organisations/other/people/import", files={"file": upload(GOOD)}
    )
    assert response.status_code == 200
    assert len(acme_people()) == 3
    assert Person.objects.filter(organisation__slug="other").count() == 6


# --- CLI --------------------------------------------------------------------------------


def test_cli_imports_a_file(org_a, tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_bytes(GOOD)
    out = io.StringIO()
    call_command("import-people", str(path), "--dry-run", org="acme", stdout=out)
    assert "Would import 5 rows into Acme India: 5 added" in out.getvalue()
    assert not acme_people()
    call_command("import-people", str(path), org="acme", stdout=out)
    assert "Imported 5 rows into Acme India: 5 added, 0 updated, 0 unchanged" in out.getvalue()
    assert {e: p.name for e, p in acme_people().items()} == NAMES
    event = AuditEvent.objects.get(action="people.imported")
    assert event.actor_label == "system"
    assert event.data["filename"] == "people.csv"


def test_cli_lists_every_problem_and_writes_nothing(org_a, tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(BAD)
    err = io.StringIO()
    with pytest.raises(CommandError, match="2 problems; nothing was imported"):
        call_command("import-people", str(path), org="acme", stderr=err)
    lines = err.getvalue().splitlines()
    assert lines[0].startswith("Row 3, column 'email': 'not-an-email' is not a valid")
    assert lines[1].startswith("Row 4, column 'start_date': '31/12/2024'")
    assert not acme_people()


def test_cli_unknown_organisation_and_missing_file(org_a, tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_bytes(GOOD)
    with pytest.raises(CommandError, match="No organisation with the slug 'nope'"):
        call_command("import-people", str(path), org="nope")
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import-people", str(tmp_path / "missing.csv"), org="acme")


def test_cli_records_the_acting_user(admin, tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_bytes(GOOD)
    call_command("import-people", str(path), org="acme", actor=admin.email, stdout=io.StringIO())
    assert AuditEvent.objects.get(action="people.imported").actor == admin
