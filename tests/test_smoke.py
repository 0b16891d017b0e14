from __future__ import annotations


def test_sign_in_page_renders_without_inline_script(client, db):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "<script>" not in body
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp


def test_member_sees_people_list(cast, client_for):
    response = client_for(cast["member"]).get("/o/acme/people/")
    assert response.status_code == 200
    assert "Ravi Member" in response.content.decode()


def test_outsider_gets_404(cast, client_for):
    assert client_for(cast["outsider"]).get("/o/acme/people/").status_code == 404


def test_own_static_files_are_served_without_a_cdn(client, db):
    response = client.get("/static/alongside/alongside.css")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/css")
    page = client.get("/accounts/login/").content.decode()
    assert "/static/alongside/alongside.css" in page
    assert "/static/django_htmx/htmx" in page
    assert "https://" not in page
