"""In Chromium: a person downloads their data; an admin erases someone.

Screenshots of each page at desktop (1366 px) and phone (390 px) widths are written to
``ALONGSIDE_SCREENSHOTS`` when it is set, to look at by eye.
"""

from __future__ import annotations

import io
import json
import os
import zipfile
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from alongside.accounts.models import User
from alongside.organisations.models import Membership, Organisation, Role
from alongside.people.models import Person
from alongside.privacy.models import DataRequest

PASSWORD = "correct horse battery staple"
WIDTHS = {"desktop": 1366, "phone": 390}


def shoot(page: Any, name: str) -> None:
    folder = os.environ.get("ALONGSIDE_SCREENSHOTS")
    if not folder:
        return
    Path(folder).mkdir(parents=True, exist_ok=True)
    for label, width in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=f"{folder}/{name}-{label}.png", full_page=True)
    page.set_viewport_size({"width": WIDTHS["desktop"], "height": 900})


def sign_in(browser: Any, live_server: Any, email: str) -> Any:
    context = browser.new_context(base_url=live_server.url, accept_downloads=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.console_errors = errors
    page.goto("/accounts/login/")
    page.fill("#id_username", email)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/o/acme/")
    return page


@pytest.mark.django_db(transaction=True)
def test_a_person_downloads_their_data_and_an_admin_erases_someone(
    browser: Any, live_server: Any
) -> None:
    organisation = Organisation.objects.create(name="Acme India", slug="acme")
    people = {}
    for email, name, role in (
        ("asha.admin@acme.test", "Asha Admin", Role.ADMIN),
        ("ravi.member@acme.test", "Ravi Member", Role.MEMBER),
    ):
        user = User.objects.create_user(email, PASSWORD, full_name=name)
        Membership.objects.create(user=user, organisation=organisation, role=role)
        people[email] = Person.objects.create(
            organisation=organisation,
            user=user,
            name=name,
            email=email,
            job_title="Engineer",
            location="Pune",
            employee_id=f"E-{name[:4]}",
        )
    leaver = Person.objects.create(
        organisation=organisation, name="Lata Leaver", email="lata@acme.test", employee_id="E-9"
    )

    # Ravi looks at how others see him, then downloads his data.
    ravi = sign_in(browser, live_server, "ravi.member@acme.test")
    ravi.goto("/o/acme/people/me/")
    colleagues = ravi.locator("#seen-by-member")
    expect(colleagues).to_contain_text("Engineer")
    expect(colleagues).not_to_contain_text("E-Ravi")
    expect(ravi.locator("#seen-by-admin")).to_contain_text("E-Ravi")
    shoot(ravi, "my-profile")
    ravi.click("text=Download my data")
    ravi.wait_for_url("**/o/acme/privacy/requests/*/")
    expect(ravi.locator("#request-progress")).to_contain_text("Done")
    shoot(ravi, "my-data-ready")
    with ravi.expect_download() as download_info:
        ravi.click("#download")
    archive = zipfile.ZipFile(io.BytesIO(Path(download_info.value.path()).read_bytes()))
    data = json.loads(archive.read("alongside-data.json"))
    assert data["sections"]["people"]["directory_entry"][0]["email"] == "ravi.member@acme.test"
    assert b"Ravi Member" in archive.read("alongside-data.html")
    assert ravi.console_errors == []

    # Asha erases the leaver: a wrong confirmation changes nothing, the right one erases.
    asha = sign_in(browser, live_server, "asha.admin@acme.test")
    asha.goto(f"/o/acme/people/{leaver.pk}/")
    asha.click("text=Erase…")
    asha.wait_for_url(f"**/o/acme/privacy/people/{leaver.pk}/erase/")
    shoot(asha, "erase-person")
    asha.fill("#id_confirmation", "lata")
    asha.click("button.danger")
    expect(asha.locator(".error")).to_contain_text("Type lata@acme.test exactly")
    assert Person.objects.get(pk=leaver.pk).erased_at is None
    asha.fill("#id_confirmation", "lata@acme.test")
    asha.click("button.danger")
    asha.wait_for_url("**/o/acme/privacy/requests/*/")
    expect(asha.locator("#request-progress")).to_contain_text("Done")
    shoot(asha, "erasure-done")
    asha.goto(f"/o/acme/people/{leaver.pk}/")
    expect(asha.locator("h1")).to_contain_text("Former participant")
    assert "Lata" not in asha.content()
    assert DataRequest.objects.get(kind="person_erasure").status == "done"
    assert asha.console_errors == []
