"""Every role of the demo starts at its home page and reaches each next step by clicks
alone, on a laptop (1366×900) and on a phone (390×844); every page passes axe-core with
no serious or critical violation, and the phone pages never scroll sideways.

Screenshots of every page are kept in test-results/screenshots/ (git-ignored), named
role-page-width.png, to be looked at as their users would.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from alongside.demo.build import DemoResult, build_demo
from alongside.demo.data import DEMO_PASSWORD
from alongside.meetings.models import Meeting
from alongside.programmes.models import Programme, Stage
from alongside.relationships.models import Relationship, RelationshipMember
from alongside.surveys.models import Survey

SHOTS = Path(__file__).resolve().parents[2] / "test-results" / "screenshots"
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
SERIOUS = ("serious", "critical")


def axe_source() -> str:
    """axe-core, as shipped by the axe-playwright-python package (a test dependency)."""
    import axe_playwright_python

    return (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text()


@dataclass
class Browsing:
    """One signed-in person in two windows, a laptop's and a phone's."""

    role: str
    desktop: Any
    phone: Any
    axe: str
    checked: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def check(self, page: Any, name: str, *, phone: bool = False) -> None:
        """Screenshot the page, run axe on it and, on a phone, check it fits the width."""
        width = page.viewport_size["width"]
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{self.role}-{name}-{width}.png"), full_page=True)
        if not page.evaluate("typeof axe !== 'undefined'"):
            page.add_script_tag(content=self.axe)
        result = page.evaluate(
            "axe.run(document, {resultTypes: ['violations'],"
            " runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa',"
            " 'best-practice']}})"
        )
        for violation in result["violations"]:
            if violation["impact"] in SERIOUS:
                targets = [node["target"] for node in violation["nodes"]][:3]
                self.problems.append(
                    f"{self.role}/{name}@{width}: {violation['id']} ({violation['impact']}) "
                    f"{violation['help']} at {targets}"
                )
        if phone:
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            if overflow > 0:
                self.problems.append(f"{self.role}/{name}@{width}: {overflow}px sideways scroll")
        self.checked.append(f"{name}@{width}")

    def both(self, path: str, name: str) -> None:
        """A participant page (or the dashboard): checked on the laptop and on the phone."""
        for page, phone in ((self.desktop, False), (self.phone, True)):
            page.goto(path)
            self.check(page, name, phone=phone)


def sign_in(browser: Any, base_url: str, role: str, email: str, axe: str) -> Browsing:
    windows = []
    for viewport in (DESKTOP, PHONE):
        # bypass_csp lets the test inject axe; the pages themselves run under the policy.
        context = browser.new_context(base_url=base_url, viewport=viewport, bypass_csp=True)
        page = context.new_page()
        page.goto("/accounts/login/")
        page.fill("input[name=username]", email)
        page.fill("input[name=password]", DEMO_PASSWORD)
        with page.expect_navigation():
            page.click("button[type=submit]")
        assert re.search(r"/o/kestrel/$", page.url), page.url
        windows.append(page)
    return Browsing(role, windows[0], windows[1], axe)


def home(page: Any) -> None:
    with page.expect_navigation():
        page.click("nav[aria-label=Main] a:has-text('Home')")


def click_to(page: Any, selector: str) -> None:
    with page.expect_navigation():
        page.click(selector)


@pytest.mark.django_db(transaction=True)
def test_every_role_reaches_its_next_steps_from_home(
    browser: Any, live_server: Any, settings: Any
) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    demo = build_demo()
    axe = axe_source()
    sessions: list[Browsing] = []
    try:
        for role, email, journey in (
            ("admin", demo.admin.email, admin_journey),
            ("manager", demo.programme_manager.email, manager_journey),
            ("participant", demo.member.email, participant_journey),
            ("mentor", demo.mentor.email if demo.mentor else "", mentor_journey),
            (
                "facilitator",
                demo.facilitator.email if demo.facilitator else "",
                facilitator_journey,
            ),
        ):
            assert email, f"the demo has a {role} sign-in"
            session = sign_in(browser, live_server.url, role, email, axe)
            sessions.append(session)
            journey(session, demo)
        every_other_page(sessions, demo)
    finally:
        for session in sessions:
            session.desktop.context.close()
            session.phone.context.close()
    problems = [p for s in sessions for p in s.problems]
    assert problems == [], "\n".join(problems)
    assert sum(len(s.checked) for s in sessions) >= 60


def admin_journey(s: Browsing, demo: DemoResult) -> None:
    page = s.desktop
    page.goto("/o/kestrel/")
    s.check(page, "home")
    body = page.inner_text("main")
    assert re.search(r"Set up Kestrel Technologies|Kestrel Technologies is set up", body)
    if page.locator("details:has(#setup-heading)").count():
        page.click("#setup-heading")
    for action, heading in (
        ("Import people", "Import"),
        ("Open the settings", "Settings"),
        ("Manage members", "Members"),
        ("New programme", "New programme"),
    ):
        click_to(page, f"section:has(#setup-heading) a:has-text('{action}')")
        assert heading.lower() in page.inner_text("h1").lower(), page.url
        s.check(page, "setup-" + action.lower().replace(" ", "-"))
        home(page)
        if page.locator("details:has(#setup-heading)").count():
            page.click("#setup-heading")
    s.both("/o/kestrel/", "home")


def manager_journey(s: Browsing, demo: DemoResult) -> None:
    page = s.desktop
    page.goto("/o/kestrel/")
    s.check(page, "home")
    buddies = page.locator("article.programme-progress:has-text('Buddies for new joiners')")
    assert "have not finished their intake" in buddies.inner_text()
    click_to(page, "article:has-text('Buddies for new joiners') a:has-text('Send a reminder')")
    assert "#intakes-heading" in page.url
    page.wait_for_selector("#intakes-heading button:has-text('Send reminders')")
    s.check(page, "enrolment")
    home(page)
    click_to(page, "article:has-text('Buddies for new joiners') a:has-text('Start matching')")
    assert page.locator("#stage-heading").is_visible()
    assert page.locator("ol.checklist li[aria-current=step]").inner_text().strip()
    s.check(page, "programme")
    home(page)
    click_to(page, "article:has-text('Leadership Mentoring') a:has-text('See who and why')")
    assert "dashboard" in page.url
    s.check(page, "dashboard")
    with page.expect_download() as download:
        page.click("a:has-text('Summary as PDF')")
    assert download.value.suggested_filename.endswith(".pdf")
    s.phone.goto(page.url)
    s.check(s.phone, "dashboard", phone=True)
    home(page)
    click_to(page, "article:has-text('Leadership Mentoring') ol.checklist a:has-text('Running')")
    assert "dashboard" in page.url
    s.both("/o/kestrel/", "home")


def participant_journey(s: Browsing, demo: DemoResult) -> None:
    page = s.desktop
    s.both("/o/kestrel/", "home")
    assert "Your next meeting" in page.inner_text("main")
    click_to(page, "section.next-meeting a:has-text('Prepare')")
    assert re.search(r"/meetings/\d+/$", page.url)
    assert page.locator("#guide-heading").is_visible()
    s.check(page, "next-meeting")
    home(page)
    with page.expect_download() as download:
        page.click("section.next-meeting a:has-text('Add to calendar')")
    assert download.value.suggested_filename.endswith(".ics")
    assert "BEGIN:VEVENT" in Path(download.value.path()).read_text()
    click_to(page, "li.todo.kind-decide a")
    assert page.url.endswith("/closing/")
    s.check(page, "decide")
    home(page)
    click_to(page, "li.todo.kind-action a")
    s.check(page, "check-in")
    home(page)
    click_to(page, "section:has(#mine-heading) li.card-link a")
    assert re.search(r"/mentoring/r/\d+/$", page.url)
    relationship_url = page.url
    s.check(page, "relationship")
    s.phone.goto(relationship_url)
    s.check(s.phone, "relationship", phone=True)
    click_to(page, "ul.meeting-list a:has-text('Meeting 1')")
    s.check(page, "meeting-1")
    s.phone.goto(page.url)
    s.check(s.phone, "meeting-1", phone=True)


def mentor_journey(s: Browsing, demo: DemoResult) -> None:
    page = s.desktop
    s.both("/o/kestrel/", "home")
    body = page.inner_text("main")
    assert "Your mentees in Leadership Mentoring (HiPo)" in body
    assert re.search(r"\d of your \d places? taken", body)
    assert "For you as mentor:" in body
    click_to(page, "li.mentee-card h3 a")
    assert re.search(r"/mentoring/r/\d+/$", page.url)
    s.check(page, "mentee")
    home(page)
    click_to(page, "li.mentee-card p a[href*='/meetings/']")
    assert "For you as mentor" in page.inner_text("main")
    s.check(page, "mentee-meeting")
    s.phone.goto(page.url)
    s.check(s.phone, "mentee-meeting", phone=True)


def facilitator_journey(s: Browsing, demo: DemoResult) -> None:
    page = s.desktop
    s.both("/o/kestrel/", "home")
    next_meeting = page.locator("section.next-meeting")
    assert "you facilitate" in next_meeting.inner_text()
    click_to(page, "section.next-meeting a:has-text('Prepare')")
    assert "Your view as facilitator" in page.inner_text("#facilitation")
    s.check(page, "meeting")
    # They will miss it: the page asks them to hand over, and they do.
    click_to(page, "form[action$='/apologies/'] button:has-text(\"I can't make this one\")")
    assert "Under Facilitation you can hand over" in page.inner_text(".messages")
    handover = page.locator("#handover")
    assert handover.is_visible()
    s.check(page, "apologies")
    s.phone.goto(page.url)
    s.check(s.phone, "apologies", phone=True)
    click_to(page, "#handover button")
    assert "facilitates this meeting." in page.inner_text(".messages")
    assert "You are down to facilitate" not in page.inner_text("main")


def every_other_page(sessions: list[Browsing], demo: DemoResult) -> None:
    """The rest of the demo's pages, each checked once, by the role that uses it."""
    by_role = {s.role: s for s in sessions}
    slug = demo.organisation.slug
    programmes = list(Programme.objects.filter(organisation=demo.organisation).order_by("pk"))
    running = next(p for p in programmes if p.stage == Stage.RUNNING)
    closed = next(p for p in programmes if p.stage == Stage.CLOSED)
    relationship = Relationship.objects.filter(programme=running).order_by("pk").first()
    assert relationship is not None
    manager_pages = [
        ("programmes", f"/o/{slug}/programmes/"),
        ("dashboard-overview", f"/o/{slug}/dashboard/"),
        ("people", f"/o/{slug}/people/"),
        ("person", f"/o/{slug}/people/{demo.member.people.get().pk}/"),
        ("outcomes", f"/o/{slug}/surveys/programmes/{closed.pk}/outcomes/"),
        ("surveys-setup", f"/o/{slug}/surveys/programmes/{running.pk}/"),
        ("closing", f"/o/{slug}/surveys/programmes/{running.pk}/closing/"),
        ("guides", f"/o/{slug}/mentoring/programmes/{running.pk}/guides/"),
        ("nudges", f"/o/{slug}/programmes/{running.pk}/nudges/"),
        ("programme-edit", f"/o/{slug}/programmes/{running.pk}/edit/"),
        ("relationships", f"/o/{slug}/programmes/{running.pk}/matching/relationships/"),
        ("matching", f"/o/{slug}/programmes/{running.pk}/matching/"),
        ("health", f"/o/{slug}/programmes/{running.pk}/dashboard/relationships/{relationship.pk}/"),
        ("thresholds", f"/o/{slug}/programmes/{running.pk}/dashboard/thresholds/"),
        ("relationship-overview", f"/o/{slug}/mentoring/r/{relationship.pk}/"),
        ("programme-video", f"/o/{slug}/settings/video/programmes/{running.pk}/"),
    ]
    manager = by_role["manager"]
    for name, path in manager_pages:
        manager.desktop.goto(path)
        assert manager.desktop.locator("h1").count() == 1, path
        manager.check(manager.desktop, name)
    admin = by_role["admin"]
    for name, path in (
        ("audit", f"/o/{slug}/audit/"),
        ("slack-and-teams", f"/o/{slug}/settings/chat/"),
        ("hr-sync", f"/o/{slug}/settings/hr-sync/"),
        ("video-accounts", f"/o/{slug}/settings/video/"),
        ("api-tokens", "/accounts/tokens/"),
        ("not-found", f"/o/{slug}/no-such-page/"),
    ):
        admin.desktop.goto(path)
        admin.check(admin.desktop, name)
    participant = by_role["participant"]
    mine = RelationshipMember.objects.filter(person__user=demo.member, is_active=True).first()
    assert mine is not None
    survey = Survey.objects.filter(programme=mine.relationship.programme).first()
    upcoming = Meeting.objects.filter(
        relationship=mine.relationship, status=Meeting.Status.SCHEDULED
    ).first()
    participant_pages = [
        ("my-mentoring", f"/o/{slug}/mentoring/"),
        ("my-surveys", f"/o/{slug}/surveys/"),
        ("agreement", f"/o/{slug}/mentoring/r/{mine.relationship_id}/agreement/"),
        ("schedule", f"/o/{slug}/mentoring/{mine.relationship_id}/schedule/"),
        ("intake", f"/o/{slug}/programmes/{mine.relationship.programme_id}/intake/"),
        ("programme", f"/o/{slug}/programmes/{mine.relationship.programme_id}/"),
        ("calendar", f"/o/{slug}/mentoring/calendar/"),
        ("email-preferences", "/accounts/email/"),
        ("forbidden", f"/o/{slug}/members/"),
    ]
    if survey is not None:
        participant_pages.append(("survey", f"/o/{slug}/surveys/{survey.pk}/"))
    if upcoming is not None:
        participant_pages.append(
            ("upcoming-meeting", f"/o/{slug}/mentoring/meetings/{upcoming.pk}/")
        )
    for name, path in participant_pages:
        participant.both(path, name)
