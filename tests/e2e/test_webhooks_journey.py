"""In Chromium: an admin adds a webhook address, copies its secret, sends a test event to
a receiver on 127.0.0.1, and reads the delivery log, on a laptop and on a phone."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from alongside.accounts.models import User
from alongside.organisations.models import Membership, Organisation, Role
from alongside.webhooks.models import WebhookDelivery
from tests.webhooks import receiver as receivers

EMAIL = "asha.admin@acme.test"
PASSWORD = "correct horse battery staple"
SHOTS = Path("test-results/screenshots")


def _sign_in(page: Any) -> None:
    page.goto("/accounts/login/")
    page.fill("#id_username", EMAIL)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/o/acme/")


def _no_horizontal_scroll(page: Any) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page is {overflow}px wider than the screen"


@pytest.mark.django_db(transaction=True)
def test_an_admin_adds_a_webhook_and_sees_the_test_event_delivered(
    page: Any, live_server: Any, settings: Any
) -> None:
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = True
    receiver = receivers.start()
    try:
        organisation = Organisation.objects.create(
            name="Acme India", slug="acme", default_time_zone="Asia/Kolkata"
        )
        admin = User.objects.create_user(EMAIL, PASSWORD, full_name="Asha Admin")
        Membership.objects.create(user=admin, organisation=organisation, role=Role.ADMIN)
        SHOTS.mkdir(parents=True, exist_ok=True)

        _sign_in(page)
        page.get_by_role("link", name="Webhooks").click()
        expect(page.get_by_role("heading", name="Webhooks", exact=True)).to_be_visible()
        page.fill("#id_url", receiver.url)
        page.fill("#id_description", "HR data warehouse")
        page.get_by_label("Meeting held").check()
        page.get_by_label("Match published").check()
        page.screenshot(path=str(SHOTS / "webhooks-list-1366.png"), full_page=True)
        page.get_by_role("button", name="Add address").click()

        secret = page.locator("code.secret").inner_text()
        assert secret.startswith("whsec_")
        page.screenshot(path=str(SHOTS / "webhooks-detail-secret-1366.png"), full_page=True)

        page.get_by_role("button", name="Send a test event").click()
        expect(page.locator(".messages")).to_contain_text("The test event was delivered.")
        expect(page.locator("#deliveries")).to_contain_text("webhook.test")
        expect(page.locator("#deliveries")).to_contain_text("Delivered")
        assert json.loads(receiver.received[0].body)["type"] == "webhook.test"
        assert page.locator("code.secret").count() == 0  # the secret is not shown again
        page.screenshot(path=str(SHOTS / "webhooks-detail-1366.png"), full_page=True)

        page.locator("#deliveries a").first.click()
        expect(page.locator("pre.payload").first).to_contain_text("webhook.test")
        page.screenshot(path=str(SHOTS / "webhooks-delivery-1366.png"), full_page=True)

        page.set_viewport_size({"width": 390, "height": 844})
        delivery = WebhookDelivery.objects.get()
        page.goto(f"/o/acme/settings/webhooks/{delivery.endpoint_id}/")
        page.screenshot(path=str(SHOTS / "webhooks-detail-390.png"), full_page=True)
        _no_horizontal_scroll(page)
        page.goto("/o/acme/settings/webhooks/")
        page.screenshot(path=str(SHOTS / "webhooks-list-390.png"), full_page=True)
        _no_horizontal_scroll(page)
        assert page.console_errors == []
    finally:
        receiver.server.shutdown()
        receiver.server.server_close()
