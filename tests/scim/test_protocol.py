"""The SCIM 2.0 endpoint against RFC 7644's own examples (adapted where Alongside needs
an email address as userName), as Microsoft Entra ID and Okta call it."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from alongside.accounts.models import User
from alongside.accounts.services import api_token_create
from alongside.audit.models import AuditEvent
from alongside.organisations.models import Organisation
from alongside.people.models import Person
from alongside.programmes.models import Enrolment
from alongside.relationships.models import RelationshipMember
from alongside.scim.models import ScimGroup, ScimToken, ScimUser
from alongside.scim.tokens import scim_token_create, scim_token_revoke
from tests.test_access import make_tenant_objects

USER = "urn:ietf:params:scim:schemas:core:2.0:User"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"
PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
LIST = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"


class Scim:
    """An identity provider's client: a bearer token and application/scim+json."""

    def __init__(self, secret: str | None, slug: str = "acme") -> None:
        self.client = Client()
        self.base = f"/scim/v2/{slug}"
        self.headers = {"Authorization": f"Bearer {secret}"} if secret else {}

    def call(
        self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
    ) -> Any:
        data = json.dumps(body) if body is not None else None
        return getattr(self.client, method.lower())(
            self.base + path,
            data=data if data is not None else ({} if method == "GET" else ""),
            content_type="application/scim+json",
            headers={**self.headers, **(headers or {})},
        )

    def get(self, path: str, **query: Any) -> Any:
        return self.client.get(self.base + path, query, headers=self.headers)


@pytest.fixture
def scim(cast: dict[str, User], org_a: Organisation) -> Scim:
    _token, secret = scim_token_create(organisation=org_a, actor=cast["admin"], name="Entra ID")
    return Scim(secret)


BARBARA = {
    "schemas": [USER, ENTERPRISE],
    "userName": "bjensen@example.com",
    "externalId": "bjensen",
    "name": {
        "formatted": "Ms. Barbara J Jensen III",
        "familyName": "Jensen",
        "givenName": "Barbara",
    },
    "title": "Tour Guide",
    "timezone": "America/Los_Angeles",
    "emails": [{"value": "bjensen@example.com", "type": "work", "primary": True}],
    "phoneNumbers": [{"value": "555-555-8377", "type": "work"}],  # standard, not kept
    ENTERPRISE: {"employeeNumber": "701984", "department": "Tour Operations"},
}


def assert_error(response: Any, status: int, scim_type: str | None) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/scim+json"
    body = response.json()
    assert body["schemas"] == [ERROR]
    assert body["status"] == str(status)
    assert body.get("scimType") == scim_type
    assert body["detail"]
    return body


def test_create_a_user_rfc7644_3_3(scim: Scim, org_a: Organisation) -> None:
    response = scim.call("POST", "/Users", BARBARA)
    assert response.status_code == 201, response.content
    assert response["Content-Type"] == "application/scim+json"
    body = response.json()
    person = Person.objects.get(organisation=org_a, email="bjensen@example.com")
    assert body["id"] == str(person.pk)
    assert response["Location"] == f"http://testserver/scim/v2/acme/Users/{person.pk}"
    assert body["meta"]["location"] == response["Location"]
    assert body["meta"]["resourceType"] == "User"
    assert response["ETag"] == body["meta"]["version"]
    assert body["userName"] == "bjensen@example.com"
    assert body["externalId"] == "bjensen"
    assert body["name"]["givenName"] == "Barbara"
    assert body["active"] is True
    assert body[ENTERPRISE] == {"employeeNumber": "701984", "department": "Tour Operations"}
    assert "phoneNumbers" not in body  # accepted, not kept
    assert (person.name, person.job_title, person.timezone, person.employee_id) == (
        "Ms. Barbara J Jensen III",
        "Tour Guide",
        "America/Los_Angeles",
        "701984",
    )
    assert person.department == "Tour Operations"
    audit = AuditEvent.objects.get(action="scim.user_created")
    assert audit.target_id == str(person.pk)
    assert audit.data["via"] == "scim"


@pytest.mark.parametrize(
    ("change", "scim_type", "detail"),
    [
        ({"favouriteColour": "teal"}, "invalidSyntax", "favouriteColour"),
        ({"userName": "bjensen"}, "invalidValue", "not a valid email address"),
        ({"timezone": "Mars/Olympus"}, "invalidValue", "IANA"),
        ({"userName": None}, "invalidValue", "userName"),
        ({ENTERPRISE: {"manager": {"value": "999999"}}}, "invalidValue", "manager"),
    ],
)
def test_bad_bodies_get_a_scim_error_and_change_nothing(
    change: dict[str, Any], scim_type: str, detail: str, scim: Scim, org_a: Organisation
) -> None:
    before = Person.objects.filter(organisation=org_a).count()
    body = assert_error(scim.call("POST", "/Users", {**BARBARA, **change}), 400, scim_type)
    assert detail in body["detail"]
    assert Person.objects.filter(organisation=org_a).count() == before
    assert not ScimUser.objects.exists()


def test_not_json_is_invalid_syntax(scim: Scim) -> None:
    response = scim.client.post(
        scim.base + "/Users", "{nope", content_type="application/scim+json", headers=scim.headers
    )
    assert_error(response, 400, "invalidSyntax")


def test_a_taken_user_name_is_a_uniqueness_conflict(scim: Scim, cast: dict[str, User]) -> None:
    body = assert_error(
        scim.call("POST", "/Users", {**BARBARA, "userName": "ravi.member@acme.test"}),
        409,
        "uniqueness",
    )
    assert "ravi.member@acme.test" in body["detail"]


def test_filter_by_user_name_and_paginate_rfc7644_3_4_2(
    scim: Scim, cast: dict[str, User], org_a: Organisation
) -> None:
    Person.objects.bulk_create(
        Person(organisation=org_a, name=f"Person {i:02d}", email=f"p{i:02d}@acme.test")
        for i in range(25)
    )
    found = scim.get("/Users", filter='userName eq "RAVI.member@acme.test"').json()
    assert found["schemas"] == [LIST]
    assert found["totalResults"] == 1
    assert found["Resources"][0]["userName"] == "ravi.member@acme.test"
    assert scim.get("/Users", filter='userName eq "nobody@acme.test"').json()["totalResults"] == 0

    everyone = scim.get("/Users", startIndex=1, count=10).json()
    assert (everyone["totalResults"], everyone["startIndex"], everyone["itemsPerPage"]) == (
        28,
        1,
        10,
    )
    third = scim.get("/Users", startIndex=21, count=10).json()
    assert (third["startIndex"], third["itemsPerPage"]) == (21, 8)
    ids = (
        [r["id"] for r in everyone["Resources"]]
        + [r["id"] for r in scim.get("/Users", startIndex=11, count=10).json()["Resources"]]
        + [r["id"] for r in third["Resources"]]
    )
    assert len(set(ids)) == 28  # every page distinct, nobody twice
    # RFC 7644 §3.4.2.4: startIndex below 1 is 1; a negative count is 0.
    assert scim.get("/Users", startIndex=0, count=-5).json()["itemsPerPage"] == 0
    assert scim.get("/Users", count=5000).json()["itemsPerPage"] == 28  # capped at 200
    assert_error(scim.get("/Users", count="ten"), 400, "invalidValue")

    several = scim.get(
        "/Users", filter='userName sw "p0" and not (userName eq "p00@acme.test")'
    ).json()
    assert several["totalResults"] == 9
    by_name = scim.get("/Users", filter='name.formatted co "person 1" or title pr').json()
    assert by_name["totalResults"] == 10
    selected = scim.get("/Users", filter='userName eq "p01@acme.test"', attributes="userName")
    assert set(selected.json()["Resources"][0]) == {"schemas", "id", "userName"}


@pytest.mark.parametrize(
    ("expression", "detail"),
    [
        ('userName eq "x" and', "syntax"),
        ('phoneNumbers eq "555"', "not supported"),
        ("active gt true", ""),
        ('meta.lastModified gt "yesterday"', "dateTime"),
    ],
)
def test_a_bad_filter_is_invalid_filter_rfc7644_3_12(
    expression: str, detail: str, scim: Scim
) -> None:
    body = assert_error(scim.get("/Users", filter=expression), 400, "invalidFilter")
    assert detail in body["detail"]


def test_replace_a_user_rfc7644_3_5_1(scim: Scim, org_a: Organisation) -> None:
    created = scim.call("POST", "/Users", BARBARA).json()
    replacement = {
        "schemas": [USER],
        "id": created["id"],
        "userName": "bjensen@example.com",
        "externalId": "bjensen",
        "name": {
            "formatted": "Ms. Barbara J Jensen III",
            "familyName": "Jensen",
            "givenName": "Barbara",
            "middleName": "Jane",
        },
        "roles": [],
        "emails": [{"value": "bjensen@example.com"}, {"value": "babs@jensen.org"}],
    }
    response = scim.call("PUT", f"/Users/{created['id']}", replacement)
    assert response.status_code == 200, response.content
    body = response.json()
    # Replace: what the body leaves out is cleared.
    assert "title" not in body
    assert ENTERPRISE not in body
    person = Person.objects.get(pk=created["id"])
    assert (person.job_title, person.employee_id, person.department) == ("", "", "")
    assert person.email == "bjensen@example.com"


def test_patch_with_several_operations_deactivates_through_the_leaver_path(
    scim: Scim, cast: dict[str, User], org_a: Organisation
) -> None:
    tenant = make_tenant_objects(org_a, cast["admin"])
    person = tenant.person
    before = scim.get(f"/Users/{person.pk}")
    # As Microsoft Entra ID sends them: capitalised ops, booleans as strings, the
    # manager as a bare id, a path with a value filter.
    patch = {
        "schemas": [PATCH],
        "Operations": [
            {"op": "Replace", "path": "displayName", "value": "Nobody Renamed"},
            {"op": "Add", "path": "title", "value": "Analyst"},
            {"op": "Add", "path": 'addresses[type eq "work"].locality', "value": "Pune"},
            {
                "op": "Add",
                "path": f"{ENTERPRISE}:manager",
                "value": str(Person.objects.get(user=cast["admin"]).pk),
            },
            {"op": "Replace", "path": "active", "value": "False"},
        ],
    }
    response = scim.call(
        "PATCH", f"/Users/{person.pk}", patch, headers={"If-Match": before["ETag"]}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["active"] is False
    assert body["displayName"] == "Nobody Renamed"
    assert body[ENTERPRISE]["manager"]["displayName"] == "Asha Admin"
    assert response["ETag"] != before["ETag"]
    person.refresh_from_db()
    assert (person.name, person.job_title, person.location) == ("Nobody Renamed", "Analyst", "Pune")
    assert not person.is_active
    # The same leaver path as an import: withdrawn, out of the relationship, history kept.
    assert Enrolment.objects.get(person=person).status == "withdrawn"
    assert not RelationshipMember.objects.get(person=person).is_active
    assert tenant.relationship.meetings.exists()
    # Okta's form: a replace without a path.
    again = scim.call(
        "PATCH",
        f"/Users/{person.pk}",
        {"schemas": [PATCH], "Operations": [{"op": "replace", "value": {"active": True}}]},
    )
    assert again.json()["active"] is True


def test_a_patch_that_fails_in_any_operation_changes_nothing(
    scim: Scim, cast: dict[str, User]
) -> None:
    ravi = Person.objects.get(user=cast["member"])
    for operations, scim_type in (
        (
            [
                {"op": "replace", "path": "title", "value": "Boss"},
                {"op": "replace", "path": "nosuch", "value": 1},
            ],
            None,
        ),
        (
            [
                {"op": "replace", "path": "title", "value": "Boss"},
                {"op": "explode", "path": "title"},
            ],
            None,
        ),
        (
            [
                {"op": "replace", "path": "title", "value": "Boss"},
                {"op": "replace", "path": "userName", "value": "asha.admin@acme.test"},
            ],
            "uniqueness",
        ),
    ):
        response = scim.call(
            "PATCH", f"/Users/{ravi.pk}", {"schemas": [PATCH], "Operations": operations}
        )
        assert 400 <= response.status_code < 500, response.content
        assert response.json()["schemas"] == [ERROR]
        if scim_type:
            assert response.json()["scimType"] == scim_type
        ravi.refresh_from_db()
        assert ravi.job_title == ""
    stale = scim.call(
        "PATCH",
        f"/Users/{ravi.pk}",
        {"schemas": [PATCH], "Operations": [{"op": "replace", "path": "title", "value": "Boss"}]},
        headers={"If-Match": 'W/"1"'},
    )
    assert_error(stale, 412, None)
    ravi.refresh_from_db()
    assert ravi.job_title == ""


def test_get_with_a_matching_etag_is_not_modified(scim: Scim, cast: dict[str, User]) -> None:
    ravi = Person.objects.get(user=cast["member"])
    first = scim.get(f"/Users/{ravi.pk}")
    assert first.status_code == 200
    again = scim.client.get(
        f"{scim.base}/Users/{ravi.pk}", headers={**scim.headers, "If-None-Match": first["ETag"]}
    )
    assert again.status_code == 304


def test_delete_keeps_history_and_a_new_create_brings_the_same_person_back(
    scim: Scim, org_a: Organisation
) -> None:
    created = scim.call("POST", "/Users", BARBARA).json()
    assert scim.call("DELETE", f"/Users/{created['id']}").status_code == 204
    assert_error(scim.get(f"/Users/{created['id']}"), 404, None)
    person = Person.objects.get(pk=created["id"])
    assert not person.is_active  # still in the directory, as a leaver
    assert (
        scim.get("/Users", filter='userName eq "bjensen@example.com"').json()["totalResults"] == 0
    )
    back = scim.call("POST", "/Users", BARBARA)
    assert back.status_code == 201
    assert back.json()["id"] == created["id"]
    person.refresh_from_db()
    assert person.is_active


def test_tenants_never_see_each_other(
    scim: Scim, cast: dict[str, User], org_a: Organisation, org_b: Organisation
) -> None:
    _token, secret_b = scim_token_create(organisation=org_b, actor=cast["outsider"], name="Okta")
    theirs = Scim(secret_b, slug="other")
    ravi = Person.objects.get(user=cast["member"])
    # B's token on A's endpoint, and A's people through B's endpoint: not found.
    assert_error(Scim(secret_b, slug="acme").get("/Users"), 404, None)
    assert_error(theirs.get(f"/Users/{ravi.pk}"), 404, None)
    assert_error(
        theirs.call(
            "PATCH",
            f"/Users/{ravi.pk}",
            {
                "schemas": [PATCH],
                "Operations": [{"op": "replace", "path": "active", "value": False}],
            },
        ),
        404,
        None,
    )
    assert_error(theirs.call("DELETE", f"/Users/{ravi.pk}"), 404, None)
    listed = theirs.get("/Users").json()
    assert [r["userName"] for r in listed["Resources"]] == ["olivia.outsider@other.test"]
    found = theirs.get("/Users", filter='userName eq "ravi.member@acme.test"').json()
    assert found["totalResults"] == 0
    ravi.refresh_from_db()
    assert ravi.is_active
    # B cannot put A's person in one of its groups either.
    group = theirs.call(
        "POST",
        "/Groups",
        {"schemas": [GROUP], "displayName": "x", "members": [{"value": str(ravi.pk)}]},
    )
    assert_error(group, 400, "invalidValue")


@pytest.mark.parametrize(
    "header",
    [None, "Bearer scim_not-a-token", "Basic dXNlcjpwYXNz", "revoked", "personal"],
)
def test_without_a_valid_scim_token_it_is_401(
    header: str | None, cast: dict[str, User], org_a: Organisation
) -> None:
    if header == "revoked":
        token, secret = scim_token_create(organisation=org_a, actor=cast["admin"], name="old")
        scim_token_revoke(token=token, actor=cast["admin"])
        header = f"Bearer {secret}"
    elif header == "personal":  # an admin's personal API token is not a SCIM token
        header = f"Bearer {api_token_create(user=cast['admin'], name='x')[1]}"
    client = Client()
    response = client.get(
        "/scim/v2/acme/Users", headers={"Authorization": header} if header else {}
    )
    assert_error(response, 401, None)
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_discovery_endpoints(scim: Scim) -> None:
    config = scim.get("/ServiceProviderConfig").json()
    assert config["patch"]["supported"] is True
    assert config["filter"] == {"supported": True, "maxResults": 200}
    assert config["etag"]["supported"] is True
    assert config["authenticationSchemes"][0]["type"] == "oauthbearertoken"
    types = scim.get("/ResourceTypes").json()
    assert {r["id"] for r in types["Resources"]} == {"User", "Group"}
    user_type = scim.get("/ResourceTypes/User").json()
    assert user_type["schemaExtensions"] == [{"schema": ENTERPRISE, "required": False}]
    schemas = scim.get("/Schemas").json()
    assert {s["id"] for s in schemas["Resources"]} == {USER, ENTERPRISE, GROUP}
    user_schema = scim.get(f"/Schemas/{USER}").json()
    assert {a["name"] for a in user_schema["attributes"]} == {
        "userName",
        "name",
        "displayName",
        "title",
        "active",
        "emails",
        "timezone",
        "addresses",
        "externalId",
    } - {"externalId"} | ({"externalId"} & {a["name"] for a in user_schema["attributes"]})
    assert_error(scim.get("/Schemas/urn:nope"), 404, None)


def test_groups_rfc7644_3_5_2_1(scim: Scim, cast: dict[str, User], org_a: Organisation) -> None:
    ravi = Person.objects.get(user=cast["member"])
    priya = Person.objects.get(user=cast["manager"])
    created = scim.call(
        "POST",
        "/Groups",
        {
            "schemas": [GROUP],
            "displayName": "New managers 2026",
            "members": [{"value": str(ravi.pk)}],
        },
    )
    assert created.status_code == 201, created.content
    group_id = created.json()["id"]
    # RFC 7644 §3.5.2.1: add a member.
    added = scim.call(
        "PATCH",
        f"/Groups/{group_id}",
        {
            "schemas": [PATCH],
            "Operations": [
                {
                    "op": "add",
                    "path": "members",
                    "value": [{"display": priya.name, "value": str(priya.pk)}],
                }
            ],
        },
    )
    assert added.status_code == 200, added.content
    assert {m["value"] for m in added.json()["members"]} == {str(ravi.pk), str(priya.pk)}
    # RFC 7644 §3.5.2.2: remove one member by a value filter.
    removed = scim.call(
        "PATCH",
        f"/Groups/{group_id}",
        {
            "schemas": [PATCH],
            "Operations": [{"op": "remove", "path": f'members[value eq "{ravi.pk}"]'}],
        },
    )
    assert [m["value"] for m in removed.json()["members"]] == [str(priya.pk)]
    found = scim.get("/Groups", filter='displayName eq "new managers 2026"').json()
    assert found["totalResults"] == 1
    by_member = scim.get("/Groups", filter=f'members.value eq "{priya.pk}"').json()
    assert by_member["totalResults"] == 1
    assert_error(
        scim.call("POST", "/Groups", {"schemas": [GROUP], "displayName": "NEW MANAGERS 2026"}),
        409,
        "uniqueness",
    )
    assert scim.call("DELETE", f"/Groups/{group_id}").status_code == 204
    assert not ScimGroup.objects.exists()
    assert Person.objects.filter(pk=priya.pk, is_active=True).exists()


def test_tokens_are_managed_on_the_page_and_the_api(
    cast: dict[str, User], org_a: Organisation, client_for: Any, api_for: Any
) -> None:
    admin = client_for(cast["admin"])
    page = admin.post("/o/acme/settings/provisioning/tokens/", {"name": "Entra ID"})
    html = page.content.decode()
    assert page.status_code == 200
    secret = html.split('<p class="secret"><code>')[1].split("</code>")[0]
    assert secret.startswith("scim_")
    assert Scim(secret).get("/Users").status_code == 200
    token = ScimToken.objects.get(organisation=org_a)
    assert token.token_hash != secret
    assert secret not in admin.get("/o/acme/settings/provisioning/").content.decode()

    rotated = admin.post(f"/o/acme/settings/provisioning/tokens/{token.pk}/rotate/")
    new_secret = rotated.content.decode().split('<p class="secret"><code>')[1].split("</code>")[0]
    assert Scim(secret).get("/Users").status_code == 401
    assert Scim(new_secret).get("/Users").status_code == 200

    api = api_for(cast["admin"])
    made = api.post("/api/v1/organisations/acme/scim-tokens", {"name": "Okta"})
    assert made.status_code == 201
    assert made.json()["scim_base_url"] == "http://testserver/scim/v2/acme"
    assert Scim(made.json()["secret"]).get("/Users").status_code == 200
    again = api.post(f"/api/v1/organisations/acme/scim-tokens/{made.json()['id']}/rotate")
    assert Scim(made.json()["secret"]).get("/Users").status_code == 401
    revoked = api.delete(f"/api/v1/organisations/acme/scim-tokens/{again.json()['id']}")
    assert revoked.json()["is_active"] is False
    assert Scim(again.json()["secret"]).get("/Users").status_code == 401
    listed = api.get("/api/v1/organisations/acme/scim-tokens").json()
    assert "secret" not in listed[0]
    assert [
        e.action for e in AuditEvent.objects.filter(action__startswith="scim.token").order_by("pk")
    ] == [
        "scim.token_created",
        "scim.token_rotated",
        "scim.token_created",
        "scim.token_rotated",
        "scim.token_revoked",
    ]
    bad = api.post("/api/v1/organisations/acme/scim-tokens", {"name": "  "})
    assert bad.status_code == 400
    assert bad.json()["problems"][0]["field"] == "name"
