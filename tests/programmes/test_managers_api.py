from __future__ import annotations

from alongside.programmes.services import programme_create


def _programme(org, admin):
    return programme_create(organisation=org, actor=admin, name="Circles", format="peer_circles")


def test_an_admin_sets_the_managers_through_the_api(cast, api_for, org_a):
    programme = _programme(org_a, cast["admin"])
    url = f"/api/v1/organisations/acme/programmes/{programme.pk}/managers"
    response = api_for(cast["admin"]).request("PUT", url, {"emails": ["Priya.PM@acme.test"]})
    assert response.status_code == 200, response.content
    assert [m["email"] for m in response.json()] == ["priya.pm@acme.test"]
    assert list(programme.managers.values_list("email", flat=True)) == ["priya.pm@acme.test"]


def test_unknown_addresses_and_plain_members_are_refused_by_name(cast, api_for, org_a):
    programme = _programme(org_a, cast["admin"])
    url = f"/api/v1/organisations/acme/programmes/{programme.pk}/managers"
    response = api_for(cast["admin"]).request(
        "PUT", url, {"emails": ["nobody@acme.test", "ravi.member@acme.test"]}
    )
    assert response.status_code == 400
    messages = [p["message"] for p in response.json()["problems"]]
    assert messages == ["no one has an account as nobody@acme.test."]
    response = api_for(cast["admin"]).request(
        "PUT", url, {"emails": ["ravi.member@acme.test", "olivia.outsider@other.test"]}
    )
    assert response.status_code == 400
    messages = sorted(p["message"] for p in response.json()["problems"])
    assert messages[0].startswith("olivia.outsider@other.test is not a member")
    assert messages[1].startswith("ravi.member@acme.test is a member; only admins")
    assert list(programme.managers.values_list("email", flat=True)) == ["asha.admin@acme.test"]
