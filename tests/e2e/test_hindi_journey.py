"""A participant who reads Alongside in Hindi signs in, prepares their next meeting and
commits to an action, on a laptop and on a phone; the language switcher keeps the page.

With ALONGSIDE_SCREENSHOTS set, each step is kept as test-results/screenshots/
hindi-<step>-<width>.png, to be looked at as its reader would.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest

from alongside.demo.build import build_demo
from alongside.demo.data import DEMO_PASSWORD

SHOTS = Path(__file__).resolve().parents[2] / "test-results" / "screenshots"
SIZES = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}


def shot(page: Any, step: str) -> None:
    if os.environ.get("ALONGSIDE_SCREENSHOTS"):
        SHOTS.mkdir(parents=True, exist_ok=True)
        width = page.viewport_size["width"]
        page.screenshot(path=str(SHOTS / f"hindi-{step}-{width}.png"), full_page=True)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_a_hindi_speaking_participant_commits_to_an_action(
    browser: Any, live_server: Any, settings: Any, size: str
) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    demo = build_demo()
    assert demo.hindi_participant is not None
    assert demo.organisation.language == "hi"
    context = browser.new_context(base_url=live_server.url, viewport=SIZES[size], locale="hi-IN")
    page = context.new_page()
    try:
        # The sign-in page follows the browser: Hindi.
        page.goto("/accounts/login/")
        assert page.get_attribute("html", "lang") == "hi"
        shot(page, "sign-in")
        page.fill("input[name=username]", demo.hindi_participant.email)
        page.fill("input[name=password]", DEMO_PASSWORD)
        with page.expect_navigation():
            page.click("button[type=submit]")
        assert re.search(r"/o/kestrel/$", page.url), page.url

        # Home: what is next, in Hindi.
        assert page.get_attribute("html", "lang") == "hi"
        assert "आपकी अगली मीटिंग" in page.inner_text("main")
        shot(page, "home")
        with page.expect_navigation():
            page.click("a:has-text('तैयारी: गाइड और पिछली बार के कदम')")
        assert "/mentoring/meetings/" in page.url
        meeting_url = page.url
        shot(page, "meeting")

        # Commit to one action.
        commit = page.locator("#commit")
        assert "एक कदम तय करें" in commit.inner_text()
        page.fill("#commit input[name=text]", "इस हफ़्ते अपनी टीम को साप्ताहिक अपडेट ख़ुद दूँगी")
        with page.expect_navigation():
            page.click("#commit button[type=submit]")
        body = page.inner_text("body")
        assert "आपकी प्रतिबद्धता दर्ज हो गई" in body
        assert "इस हफ़्ते अपनी टीम को साप्ताहिक अपडेट ख़ुद दूँगी" in page.inner_text("#commit")
        shot(page, "committed")

        # The switcher at the foot of the page keeps the page and the choice.
        with page.expect_navigation():
            page.select_option("#language-switcher", "en-gb")
        assert page.url.split("#")[0] == meeting_url.split("#")[0]
        assert page.get_attribute("html", "lang") == "en-gb"
        assert "Commit to one action" in page.inner_text("#commit")
        demo.hindi_participant.refresh_from_db()
        assert demo.hindi_participant.language == "en-gb"
        shot(page, "switched")
    finally:
        context.close()
