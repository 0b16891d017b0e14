"""The JSON API keeps its published contract: the OpenAPI schema, its docs page, and
real responses of the main endpoints validated against the schema's response models."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from alongside.accounts.models import ApiToken, User, hash_secret
from alongside.audit.models import AuditEvent
from alongside.organisations.models import Membership, Organisation, Role
from alongside.people.models import Person
from tests.api_rate import rate_count_queries
from tests.conftest import ApiClient

API = "/api/v1"
ORG = f"{API}/organisations/acme"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# --- A small JSON-schema validator for the subset pydantic/ninja emits ------------------
# (jsonschema is not a dependency; this covers $ref, anyOf, type, properties, required,
# items, enum and the date/date-time formats, which is everything the schema uses.)


class SchemaMismatch(AssertionError):
    pass


def validate(value: Any, schema: dict[str, Any], root: dict[str, Any], where: str = "$") -> None:
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        validate(value, root["components"]["schemas"][name], root, where)
        return
    if "anyOf" in schema:
        errors = []
        for option in schema["anyOf"]:
            try:
                validate(value, option, root, where)
            except SchemaMismatch as error:
                errors.append(str(error))
            else:
                return
        raise SchemaMismatch(f"{where}: matches no anyOf option: {errors}")
    if "allOf" in schema:
        for part in schema["allOf"]:
            validate(value, part, root, where)
    if "enum" in schema and value not in schema["enum"]:
        raise SchemaMismatch(f"{where}: {value!r} not in {schema['enum']}")
    kind = schema.get("type")
    checks = {
        "object": lambda v: isinstance(v, dict),
        "array": lambda v: isinstance(v, list),
        "string": lambda v: isinstance(v, str),
        "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
        "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
        "boolean": lambda v: isinstance(v, bool),
        "null": lambda v: v is None,
    }
    if kind is not None and not checks[kind](value):
        raise SchemaMismatch(f"{where}: {value!r} is not {kind}")
    if kind == "string" and schema.get("format") == "date-time":
        try:
            datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError as error:
            raise SchemaMismatch(f"{where}: {value!r} is not date-time") from error
    if kind == "string" and schema.get("format") == "date":
        try:
            date.fromisoformat(value)
        except ValueError as error:
            raise SchemaMismatch(f"{where}: {value!r} is not a date") from error
    if kind == "object" or "properties" in schema:
        properties = schema.get("properties", {})
        missing = [k for k in schema.get("required", []) if k not in value]
        if missing:
            raise SchemaMismatch(f"{where}: missing {missing}")
        for key, item in value.items():
            if key in properties:
                validate(item, properties[key], root, f"{where}.{key}")
            elif schema.get("additionalProperties") is False:
                raise SchemaMismatch(f"{where}: unexpected key {key!r}")
    if kind == "array" and "items" in schema:
        for index, item in enumerate(value):
            validate(item, schema["items"], root, f"{where}[{index}]")


def response_schema(root: dict[str, Any], method: str, path: str, status: int) -> dict[str, Any]:
    operation = root["paths"][path][method.lower()]
    response = operation["responses"][str(status)]
    return response["content"]["application/json"]["schema"]


@pytest.fixture
def openapi(client: Any, db: None) -> dict[str, Any]:
    response = client.get(f"{API}/openapi.json")
    assert response.status_code == 200
    return response.json()


@pytest.fixture
def conforms(openapi: dict[str, Any]) -> Any:
    """conforms(response, METHOD, "/api/v1/…{param}…") checks the body against the schema."""

    def check(response: Any, method: str, path: str) -> Any:
        body = response.json()
        validate(body, response_schema(openapi, method, path, response.status_code), openapi)
        return body

    return check


# --- Directory fixture -----------------------------------------------------------------


@pytest.fixture
def directory(cast: dict[str, User], org_a: Organisation) -> dict[str, Person]:
    """Org A's directory: a small tree plus the cast's own entries."""

    def add(key: str, manager: Person | None = None, **fields: Any) -> Person:
        fields.setdefault("email", f"{key}@acme.example.com")
        fields.setdefault("name", key.title())
        return Person.objects.create(organisation=org_a, manager=manager, **fields)

    ceo = add("ceo", name="Chitra CEO", department="Leadership", level="L9", location="Mumbai")
    cfo = add("cfo", ceo, name="Farhan Finance", department="Finance", level="L8", location="Pune")
    analyst = add(
        "analyst",
        cfo,
        name="Anil Analyst",
        department="Finance",
        level="L3",
        location="Pune",
        job_title="Financial Analyst",
        employee_id="E-77",
        timezone="Asia/Kolkata",
        languages=["Marathi", "English"],
        start_date=date(2022, 4, 1),
    )
    cto = add("cto", ceo, name="Tara Tech", department="Engineering", level="L8", location="Pune")
    dev = add(
        "dev",
        cto,
        name="Deepa Developer",
        department="Engineering",
        level="L3",
        location="Bengaluru",
        job_title="Software Engineer",
    )
    gone = add("gone", cto, name="Gopal Gone", department="Engineering", is_active=False)
    return {"ceo": ceo, "cfo": cfo, "analyst": analyst, "cto": cto, "dev": dev, "gone": gone}


# --- Schema and docs -------------------------------------------------------------------


def api_routes() -> set[tuple[str, str]]:
    """(METHOD, /api/v1/path) for every operation the API actually serves."""
    from alongside.api import api

    routes = set()
    for prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            full = re.sub(r"/+", "/", f"{API}/{prefix}/{path}").rstrip("/")
            full = re.sub(r"\{(?:\w+:)?(\w+)\}", r"{\1}", full)
            for operation in path_view.operations:
                for method in operation.methods:
                    routes.add((method.upper(), full))
    return routes


def test_openapi_schema_is_served_and_lists_every_route(openapi: dict[str, Any]) -> None:
    assert openapi["openapi"].startswith("3.")
    assert openapi["info"]["title"] == "Alongside API"
    documented = {
        (method.upper(), path)
        for path, operations in openapi["paths"].items()
        for method in operations
    }
    assert api_routes() == documented
    assert ("GET", f"{API}/organisations/{{org_slug}}/people") in documented


def test_every_api_url_pattern_is_in_the_schema(openapi: dict[str, Any]) -> None:
    def walk(resolver: URLResolver, prefix: str = "") -> list[tuple[str, str | None]]:
        found: list[tuple[str, str | None]] = []
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                found += walk(pattern, prefix + str(pattern.pattern))
            else:
                assert isinstance(pattern, URLPattern)
                found.append((prefix + str(pattern.pattern), pattern.name))
        return found

    paths = set(openapi["paths"])
    for route, name in walk(get_resolver()):
        if not route.startswith("api/v1/") or name in {"openapi-json", "openapi-view", "api-root"}:
            continue
        assert "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route) in paths, route


def test_every_operation_documents_auth_and_error_shapes(openapi: dict[str, Any]) -> None:
    schemes = openapi["components"]["securitySchemes"]
    assert schemes["ApiTokenAuth"]["scheme"] == "bearer"
    for path, operations in openapi["paths"].items():
        for method, operation in operations.items():
            assert {"ApiTokenAuth": []} in operation["security"], (method, path)
            assert operation.get("summary"), (method, path)


def test_error_responses_are_documented_except_for_the_paginated_list(
    openapi: dict[str, Any],
) -> None:
    for path, operations in openapi["paths"].items():
        for method, operation in operations.items():
            if (method, path) == ("get", f"{API}/organisations/{{org_slug}}/people"):
                continue  # ninja's paginator publishes only the 200 page model
            for status in ("401", "403", "404"):
                assert status in operation["responses"], (method, path, status)
                schema = operation["responses"][status]["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/ErrorOut"}


def test_docs_page_renders_without_inline_script_or_cdn(client: Any, db: None) -> None:
    response = client.get(f"{API}/docs")
    assert response.status_code == 200
    html = response.content.decode()
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", html, flags=re.S | re.I)
    assert scripts
    for attributes, content in scripts:
        if 'type="application/json"' in attributes:
            continue  # data, not code: CSP does not run it
        assert "src=" in attributes, attributes
        assert not content.strip(), "inline script on the docs page"
    assert not re.search(r"\son\w+\s*=", html, flags=re.I), "inline event handler"
    assert "javascript:" not in html
    for url in re.findall(r'(?:src|href)="([^"]+)"', html):
        assert url.startswith("/"), f"external asset on the docs page: {url}"
        assert not url.startswith("//")
    assert "cdn" not in html.lower()
    csp = response["Content-Security-Policy"]
    script_src = re.search(r"script-src ([^;]+)", csp)
    assert script_src is not None
    assert script_src.group(1).strip() == "'self'"
    # The assets the page loads are really served.
    for url in re.findall(r'(?:src|href)="(/static/[^"]+)"', html):
        asset = client.get(url)
        assert asset.status_code == 200, url
        if hasattr(asset, "streaming_content"):
            b"".join(asset.streaming_content)
        asset.close()


def test_api_root_and_schema_need_no_token(client: Any, db: None) -> None:
    assert client.get(f"{API}/openapi.json").status_code == 200
    assert client.get(f"{API}/docs").status_code == 200


# --- Responses validate against the schema ----------------------------------------------


def test_main_responses_match_the_schema(
    cast: dict[str, User], directory: dict[str, Person], api_for: Any, conforms: Any
) -> None:
    api = api_for(cast["admin"])
    analyst = directory["analyst"]
    calls = [
        ("GET", f"{API}/me", f"{API}/me"),
        ("GET", f"{API}/tokens", f"{API}/tokens"),
        ("GET", f"{API}/organisations", f"{API}/organisations"),
        ("GET", ORG, f"{API}/organisations/{{org_slug}}"),
        ("GET", f"{ORG}/memberships", f"{API}/organisations/{{org_slug}}/memberships"),
        ("GET", f"{ORG}/people", f"{API}/organisations/{{org_slug}}/people"),
        (
            "GET",
            f"{ORG}/people/{analyst.pk}",
            f"{API}/organisations/{{org_slug}}/people/{{person_id}}",
        ),
        (
            "GET",
            f"{ORG}/people/{analyst.pk}/reporting-line",
            f"{API}/organisations/{{org_slug}}/people/{{person_id}}/reporting-line",
        ),
    ]
    for method, url, template in calls:
        response = api.get(url)
        assert response.status_code == 200, url
        conforms(response, method, template)

    person = conforms(
        api.get(f"{ORG}/people/{analyst.pk}"),
        "GET",
        f"{API}/organisations/{{org_slug}}/people/{{person_id}}",
    )
    assert person == {
        "id": analyst.pk,
        "name": "Anil Analyst",
        "email": "analyst@acme.example.com",
        "employee_id": "E-77",
        "manager": {
            "id": directory["cfo"].pk,
            "name": "Farhan Finance",
            "email": "cfo@acme.example.com",
            "job_title": "",
        },
        "department": "Finance",
        "job_title": "Financial Analyst",
        "level": "L3",
        "location": "Pune",
        "timezone": "Asia/Kolkata",
        "languages": ["Marathi", "English"],
        "offers": "",
        "start_date": "2022-04-01",
        "is_active": True,
        "has_account": False,
        "updated_at": person["updated_at"],
    }
    # A colleague gets the same shape, with what they may not see left null.
    seen_by_member = conforms(
        api_for(cast["member"]).get(f"{ORG}/people/{analyst.pk}"),
        "GET",
        f"{API}/organisations/{{org_slug}}/people/{{person_id}}",
    )
    hidden = {name for name, value in seen_by_member.items() if value is None}
    assert hidden == {
        "email",
        "employee_id",
        "manager",
        "level",
        "timezone",
        "start_date",
        "is_active",
        "has_account",
        "updated_at",
    }


def test_error_responses_match_the_schema(
    cast: dict[str, User], directory: dict[str, Person], api_for: Any, conforms: Any
) -> None:
    people = f"{API}/organisations/{{org_slug}}/people"
    conforms(api_for(None).get(f"{ORG}/people/1"), "GET", people + "/{person_id}")
    conforms(api_for(cast["outsider"]).get(f"{ORG}/people/1"), "GET", people + "/{person_id}")
    conforms(
        api_for(cast["member"]).post(f"{ORG}/people", {"name": "X", "email": "x@acme.example.com"}),
        "POST",
        people,
    )
    bad = api_for(cast["admin"]).post(f"{ORG}/people", {"name": "X", "email": "nope"})
    assert bad.status_code == 400
    conforms(bad, "POST", people)
    invalid = api_for(cast["admin"]).post(f"{ORG}/people", {"name": "X"})
    assert invalid.status_code == 422
    conforms(invalid, "POST", people)
    assert invalid.json()["problems"][0]["field"] == "email"


# --- People list -----------------------------------------------------------------------


def names(response: Any) -> list[str]:
    assert response.status_code == 200, response.content
    return [p["name"] for p in response.json()["items"]]


def test_people_list_filters(
    cast: dict[str, User], directory: dict[str, Person], api_for: Any
) -> None:
    api = api_for(cast["admin"])
    everyone = api.get(f"{ORG}/people").json()
    assert everyone["count"] == 8  # 5 active in the tree + the cast's 3 (outsider is in B)
    assert "Gopal Gone" not in [p["name"] for p in everyone["items"]]
    assert names(api.get(f"{ORG}/people", {"q": "analyst"})) == ["Anil Analyst"]
    assert names(api.get(f"{ORG}/people", {"q": "e-77"})) == ["Anil Analyst"]  # employee id
    assert names(api.get(f"{ORG}/people", {"q": "tara tech"})) == ["Tara Tech"]  # all words
    assert names(api.get(f"{ORG}/people", {"department": "Finance"})) == [
        "Anil Analyst",
        "Farhan Finance",
    ]
    assert names(api.get(f"{ORG}/people", {"location": "Pune", "level": "L8"})) == [
        "Farhan Finance",
        "Tara Tech",
    ]
    assert names(api.get(f"{ORG}/people", {"status": "inactive"})) == ["Gopal Gone"]
    assert api.get(f"{ORG}/people", {"status": "all"}).json()["count"] == 9
    assert names(api.get(f"{ORG}/people", {"department": "Nope"})) == []
    bad = api.get(f"{ORG}/people", {"status": "sideways"})
    assert bad.status_code == 400
    assert bad.json()["code"] == "invalid"

    # A colleague searches and filters only what people share, and never sees leavers.
    colleague = api_for(cast["member"])
    assert colleague.get(f"{ORG}/people").json()["count"] == 8
    assert names(colleague.get(f"{ORG}/people", {"q": "e-77"})) == []  # employee id
    assert names(colleague.get(f"{ORG}/people", {"q": "analyst@acme"})) == []  # email
    assert names(colleague.get(f"{ORG}/people", {"q": "analyst"})) == ["Anil Analyst"]
    assert colleague.get(f"{ORG}/people", {"status": "inactive"}).status_code == 403


def test_people_list_pagination(cast: dict[str, User], org_a: Organisation, api_for: Any) -> None:
    Person.objects.bulk_create(
        Person(organisation=org_a, name=f"Person {i:03d}", email=f"p{i}@acme.example.com")
        for i in range(120)
    )
    api = api_for(cast["member"])
    first = api.get(f"{ORG}/people", {"q": "person", "page_size": 50}).json()
    assert first["count"] == 120
    assert [p["name"] for p in first["items"]] == [f"Person {i:03d}" for i in range(50)]
    third = api.get(f"{ORG}/people", {"q": "person", "page": 3, "page_size": 50}).json()
    assert [p["name"] for p in third["items"]] == [f"Person {i:03d}" for i in range(100, 120)]
    beyond = api.get(f"{ORG}/people", {"q": "person", "page": 9, "page_size": 50}).json()
    assert beyond["items"] == []
    assert beyond["count"] == 120
    assert beyond["next"] is None
    assert beyond["previous"].endswith("/people?page=8&page_size=50&q=person")
    assert first["previous"] is None
    assert first["next"].endswith("/people?page=2&page_size=50&q=person")
    assert api.get(first["next"]).json()["items"][0]["name"] == "Person 050"
    default = api.get(f"{ORG}/people", {"q": "person"}).json()
    assert len(default["items"]) == 50
    capped = api.get(f"{ORG}/people", {"page_size": 10_000}).json()
    assert len(capped["items"]) == 123  # 120 + cast of 3; the cap (500) is above that
    assert len(api.get(f"{ORG}/people", {"page_size": 0}).json()["items"]) == 1


# --- Create, update, deactivate --------------------------------------------------------


def problem_fields(response: Any) -> set[str]:
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "invalid"
    return {p["field"] for p in body["problems"]}


def test_create_person(cast: dict[str, User], directory: dict[str, Person], api_for: Any) -> None:
    api = api_for(cast["admin"])
    response = api.post(
        f"{ORG}/people",
        {
            "name": "Zoya Zhang",
            "email": "Zoya.Zhang@acme.example.com",
            "manager_email": "CTO@acme.example.com",
            "timezone": "asia/kolkata",
            "languages": ["Hindi", "English", "Hindi"],
            "start_date": "2024-01-15",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["email"] == "zoya.zhang@acme.example.com"
    assert body["manager"]["id"] == directory["cto"].pk
    assert body["timezone"] == "Asia/Kolkata"
    assert body["languages"] == ["Hindi", "English"]
    assert body["start_date"] == "2024-01-15"
    assert AuditEvent.objects.filter(action="person.created", target_id=str(body["id"])).exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"email": "not-an-email"}, "email"),
        ({"email": "ceo@acme.example.com"}, "email"),  # already someone else's
        ({"manager_email": "ghost@acme.example.com"}, "manager_email"),
        ({"timezone": "Mars/Olympus_Mons"}, "timezone"),
        ({"name": "   "}, "name"),
        ({"start_date": None, "employee_id": "E-77"}, "employee_id"),
    ],
)
def test_create_person_errors_name_the_field(
    payload: dict[str, Any],
    field: str,
    cast: dict[str, User],
    directory: dict[str, Person],
    api_for: Any,
) -> None:
    before = Person.objects.count()
    data = {"name": "New Person", "email": "new.person@acme.example.com", **payload}
    response = api_for(cast["admin"]).post(f"{ORG}/people", data)
    assert problem_fields(response) == {field}
    assert Person.objects.count() == before


def test_create_person_reports_every_problem_at_once(
    cast: dict[str, User], directory: dict[str, Person], api_for: Any
) -> None:
    response = api_for(cast["admin"]).post(
        f"{ORG}/people",
        {
            "name": "X",
            "email": "bad",
            "manager_email": "ghost@acme.example.com",
            "timezone": "Nowhere",
        },
    )
    assert problem_fields(response) == {"email", "manager_email", "timezone"}


def test_update_person(cast: dict[str, User], directory: dict[str, Person], api_for: Any) -> None:
    dev = directory["dev"]
    url = f"{ORG}/people/{dev.pk}"
    response = api_for(cast["admin"]).patch(
        url, {"job_title": "Staff Engineer", "manager_email": "cfo@acme.example.com"}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["job_title"] == "Staff Engineer"
    assert body["manager"]["email"] == "cfo@acme.example.com"
    assert body["department"] == "Engineering"  # untouched fields stay
    event = AuditEvent.objects.get(action="person.updated", target_id=str(dev.pk))
    assert event.data["changes"]["manager"] == ["cto@acme.example.com", "cfo@acme.example.com"]
    # Clearing the manager.
    cleared = api_for(cast["admin"]).patch(url, {"manager_email": ""})
    assert cleared.json()["manager"] is None


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"email": "nope@"}, "email"),
        ({"manager_email": "ghost@acme.example.com"}, "manager_email"),
        ({"manager_email": "analyst@acme.example.com"}, "manager_email"),  # cycle: reports to cfo
        ({"manager_email": "cfo@acme.example.com"}, "manager_email"),  # own manager
        ({"timezone": "Asia/Bangalore"}, "timezone"),
        ({"start_date": "2024-13-01"}, "start_date"),
    ],
)
def test_update_person_errors_name_the_field(
    payload: dict[str, Any],
    field: str,
    cast: dict[str, User],
    directory: dict[str, Person],
    api_for: Any,
) -> None:
    cfo = directory["cfo"]
    response = api_for(cast["admin"]).patch(f"{ORG}/people/{cfo.pk}", payload)
    if field == "start_date" and response.status_code == 422:
        # The schema itself rejects an impossible date; still itemised by field.
        assert {p["field"] for p in response.json()["problems"]} == {"start_date"}
    else:
        assert problem_fields(response) == {field}
    cfo.refresh_from_db()
    assert cfo.manager_id == directory["ceo"].pk
    assert cfo.email == "cfo@acme.example.com"


def test_manager_cycle_through_a_long_chain_is_refused(
    cast: dict[str, User], directory: dict[str, Person], api_for: Any
) -> None:
    ceo = directory["ceo"]
    response = api_for(cast["admin"]).patch(
        f"{ORG}/people/{ceo.pk}", {"manager_email": "analyst@acme.example.com"}
    )
    assert problem_fields(response) == {"manager_email"}
    assert "cycle" in response.json()["problems"][0]["message"]


def test_manager_from_another_organisation_is_unknown(
    cast: dict[str, User], directory: dict[str, Person], api_for: Any
) -> None:
    response = api_for(cast["admin"]).patch(
        f"{ORG}/people/{directory['dev'].pk}", {"manager_email": "olivia.outsider@other.test"}
    )
    assert problem_fields(response) == {"manager_email"}


def test_deactivate_and_reactivate(
    cast: dict[str, User], directory: dict[str, Person], api_for: Any
) -> None:
    api = api_for(cast["admin"])
    dev = directory["dev"]
    off = api.post(f"{ORG}/people/{dev.pk}/deactivate")
    assert off.status_code == 200
    assert off.json()["is_active"] is False
    assert "Deepa Developer" not in names(api.get(f"{ORG}/people"))
    assert api.post(f"{ORG}/people/{dev.pk}/deactivate").json()["is_active"] is False
    on = api.post(f"{ORG}/people/{dev.pk}/reactivate")
    assert on.json()["is_active"] is True
    actions = list(
        AuditEvent.objects.filter(target_id=str(dev.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["person.deactivated", "person.reactivated"]


def test_reporting_line_endpoint(
    cast: dict[str, User], directory: dict[str, Person], api_for: Any
) -> None:
    api = api_for(cast["manager"])
    assert (
        api_for(cast["member"])
        .get(f"{ORG}/people/{directory['analyst'].pk}/reporting-line")
        .status_code
        == 403
    )
    analyst = api.get(f"{ORG}/people/{directory['analyst'].pk}/reporting-line").json()
    assert [m["name"] for m in analyst["managers"]] == ["Farhan Finance", "Chitra CEO"]
    assert analyst["direct_reports"] == []
    assert analyst["all_reports_count"] == 0
    ceo = api.get(f"{ORG}/people/{directory['ceo'].pk}/reporting-line").json()
    assert ceo["managers"] == []
    assert [r["name"] for r in ceo["direct_reports"]] == ["Farhan Finance", "Tara Tech"]
    assert ceo["all_reports_count"] == 5  # includes the inactive Gopal


# --- Organisation and memberships -------------------------------------------------------


def test_organisation_patch(cast: dict[str, User], api_for: Any) -> None:
    api = api_for(cast["admin"])
    response = api.patch(ORG, {"name": "Acme Bharat", "default_time_zone": "Asia/Kolkata"})
    assert response.status_code == 200
    assert response.json() == {
        "slug": "acme",
        "name": "Acme Bharat",
        "default_time_zone": "Asia/Kolkata",
        "language": "en-gb",
        "my_role": "admin",
    }
    bad = api.patch(ORG, {"default_time_zone": "Asia/Atlantis"})
    assert problem_fields(bad) == {"default_time_zone"}
    empty = api.patch(ORG, {"name": " "})
    assert problem_fields(empty) == {"name"}
    assert Organisation.objects.get(slug="acme").name == "Acme Bharat"
    event = AuditEvent.objects.get(action="organisation.updated")
    assert event.data == {"changes": {"name": ["Acme India", "Acme Bharat"]}}


def test_memberships_grant_and_change_role(
    cast: dict[str, User], org_a: Organisation, api_for: Any, conforms: Any
) -> None:
    api = api_for(cast["admin"])
    newcomer = User.objects.create_user("nina.new@acme.example.com", "pw-not-used-here-123")
    Person.objects.create(organisation=org_a, name="Nina New", email="Nina.New@acme.example.com")
    granted = api.post(
        f"{ORG}/memberships", {"email": "NINA.NEW@acme.example.com", "role": "programme_manager"}
    )
    assert granted.status_code == 201, granted.content
    body = conforms(granted, "POST", f"{API}/organisations/{{org_slug}}/memberships")
    assert body["email"] == "nina.new@acme.example.com"
    assert body["role"] == "programme_manager"
    assert Person.objects.get(email="Nina.New@acme.example.com").user == newcomer

    changed = api.patch(f"{ORG}/memberships/{body['id']}", {"role": "member"})
    assert changed.status_code == 200
    assert changed.json()["role"] == "member"
    event = AuditEvent.objects.get(action="membership.role_changed")
    assert event.data == {
        "user": "nina.new@acme.example.com",
        "from": "programme_manager",
        "to": "member",
    }

    unknown = api.post(f"{ORG}/memberships", {"email": "ghost@acme.example.com", "role": "member"})
    assert problem_fields(unknown) == {"email"}
    bad_role = api.post(
        f"{ORG}/memberships", {"email": "nina.new@acme.example.com", "role": "boss"}
    )
    assert bad_role.status_code == 422
    assert bad_role.json()["problems"][0]["field"] == "role"

    removed = api.delete(f"{ORG}/memberships/{body['id']}")
    assert removed.status_code == 204
    assert not Membership.objects.filter(pk=body["id"]).exists()
    assert Person.objects.get(email="Nina.New@acme.example.com").user is None


def test_cannot_demote_or_remove_the_last_admin(cast: dict[str, User], api_for: Any) -> None:
    api = api_for(cast["admin"])
    mine = Membership.objects.get(user=cast["admin"], organisation__slug="acme")
    demote = api.patch(f"{ORG}/memberships/{mine.pk}", {"role": "member"})
    assert demote.status_code == 400
    assert demote.json()["code"] == "last_admin"
    remove = api.delete(f"{ORG}/memberships/{mine.pk}")
    assert remove.status_code == 400
    assert remove.json()["code"] == "last_admin"
    mine.refresh_from_db()
    assert mine.role == Role.ADMIN
    # With a second admin, the first may step down.
    other = Membership.objects.get(user=cast["manager"], organisation__slug="acme")
    assert api.patch(f"{ORG}/memberships/{other.pk}", {"role": "admin"}).status_code == 200
    assert api.patch(f"{ORG}/memberships/{mine.pk}", {"role": "member"}).status_code == 200


def test_admin_sees_memberships_of_their_organisation_only(
    cast: dict[str, User], api_for: Any
) -> None:
    members = api_for(cast["admin"]).get(f"{ORG}/memberships").json()["items"]
    assert sorted(m["email"] for m in members) == [
        "asha.admin@acme.test",
        "priya.pm@acme.test",
        "ravi.member@acme.test",
    ]


# --- Tokens ----------------------------------------------------------------------------


def test_token_secret_is_shown_once_and_only_its_hash_is_stored(
    cast: dict[str, User], api_for: Any, conforms: Any
) -> None:
    api = api_for(cast["member"])
    created = api.post(f"{API}/tokens", {"name": "HR sync"})
    assert created.status_code == 201
    body = conforms(created, "POST", f"{API}/tokens")
    secret = body["token"]
    assert secret.startswith("alg_")
    assert len(secret) > 40
    token = ApiToken.objects.get(pk=body["id"])
    assert token.token_hash == hash_secret(secret)
    assert secret not in {token.token_hash, token.prefix, token.name}
    assert secret.startswith(token.prefix)
    assert not ApiToken.objects.filter(token_hash=secret).exists()
    listed = api.get(f"{API}/tokens").json()
    assert all("token" not in t for t in listed)
    assert secret not in api.get(f"{API}/tokens").content.decode()
    # The new secret works…
    me = ApiClient(secret).get(f"{API}/me")
    assert me.status_code == 200
    assert me.json()["email"] == "ravi.member@acme.test"
    token.refresh_from_db()
    assert token.last_used_at is not None
    # …until it is revoked.
    revoked = api.delete(f"{API}/tokens/{token.pk}")
    assert revoked.status_code == 200
    assert revoked.json()["revoked_at"] is not None
    gone = ApiClient(secret).get(f"{API}/me")
    assert gone.status_code == 401
    assert gone.json()["code"] == "unauthenticated"
    assert AuditEvent.objects.filter(action="api_token.created", target_id=str(token.pk)).exists()
    assert AuditEvent.objects.filter(action="api_token.revoked", target_id=str(token.pk)).exists()


def test_token_needs_a_name(cast: dict[str, User], api_for: Any) -> None:
    response = api_for(cast["member"]).post(f"{API}/tokens", {"name": "  "})
    assert problem_fields(response) == {"name"}


def test_token_of_an_inactive_user_is_refused(cast: dict[str, User], api_for: Any) -> None:
    api = api_for(cast["member"])
    User.objects.filter(pk=cast["member"].pk).update(is_active=False)
    assert api.get(f"{API}/me").status_code == 401


def test_malformed_authorization_header_is_401(db: None, client: Any) -> None:
    for header in ("Bearer", "Basic abc", "Token alg_x", "Bearer alg_" + "x" * 43):
        response = client.get(f"{API}/me", headers={"Authorization": header})
        assert response.status_code == 401, header
        assert response.json()["code"] == "unauthenticated"


# --- Query counts ----------------------------------------------------------------------


def make_people(organisation: Organisation, count: int) -> None:
    boss = Person.objects.create(
        organisation=organisation, name="Aaa Boss", email="boss@acme.example.com"
    )
    Person.objects.bulk_create(
        Person(
            organisation=organisation,
            name=f"Person {i:03d}",
            email=f"person{i}@acme.example.com",
            manager=boss,
            department=f"Dept {i % 3}",
            location=f"City {i % 2}",
            level=f"L{i % 4}",
        )
        for i in range(count)
    )


# Token lookup + last_used_at update, membership, count, page of people with managers.
API_LIST_QUERIES = 5
# Session, the user, the user's memberships (the tenant check; the organisation
# switcher reads the same list), filter options, count, page (with managers).
PAGE_LIST_QUERIES = 6


@pytest.mark.parametrize("count", [5, 50, 200])
def test_people_list_api_query_count_does_not_grow(
    count: int,
    cast: dict[str, User],
    org_a: Organisation,
    api_for: Any,
    django_assert_num_queries: Any,
) -> None:
    make_people(org_a, count)
    api = api_for(cast["member"])
    # The first call also stamps the token's last_used_at; pin the steady state too.
    with django_assert_num_queries(API_LIST_QUERIES + rate_count_queries()):
        response = api.get(f"{ORG}/people", {"page_size": 100})
    assert response.status_code == 200
    assert len(response.json()["items"]) == min(count + 1 + 3, 100)
    with django_assert_num_queries(API_LIST_QUERIES - 1 + rate_count_queries()):
        api.get(f"{ORG}/people", {"page_size": 100, "department": "Dept 1"})


@pytest.mark.parametrize("count", [5, 50, 200])
def test_people_page_query_count_does_not_grow(
    count: int,
    cast: dict[str, User],
    org_a: Organisation,
    client_for: Any,
    django_assert_num_queries: Any,
) -> None:
    make_people(org_a, count)
    browser = client_for(cast["member"])
    with django_assert_num_queries(PAGE_LIST_QUERIES):
        response = browser.get("/o/acme/people/")
    assert response.status_code == 200
    # The search results alone (htmx): no page header, and no query fewer either, since
    # the switcher costs no query of its own.
    with django_assert_num_queries(PAGE_LIST_QUERIES):
        partial = browser.get("/o/acme/people/", {"q": "person"}, headers={"HX-Request": "true"})
    assert partial.status_code == 200


def test_fifty_people_take_at_most_five_queries(
    cast: dict[str, User], org_a: Organisation, api_for: Any, django_assert_max_num_queries: Any
) -> None:
    make_people(org_a, 50)
    api = api_for(cast["admin"])
    with django_assert_max_num_queries(5 + rate_count_queries()):
        assert api.get(f"{ORG}/people").status_code == 200
