"""In Chromium: participants choosing (self-match, a decline and the next suggestion,
hybrid picking) and a flash round. Each page is checked with axe-core and for sideways
scrolling on a phone; screenshots at 1366 and 390 px go to ``ALONGSIDE_SCREENSHOTS``."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from alongside.flash.models import FlashGroup, FlashPulse, FlashRound
from alongside.flash.services import flash_round_plan
from alongside.matches.models import MatchRun
from alongside.organisations.models import Role
from alongside.programmes.services import enrolment_add, programme_create, programme_transition
from alongside.relationships.models import Relationship
from alongside.selfmatch.models import MatchRequest
from alongside.selfmatch.selectors import suggestions_for
from tests.selfmatch.helpers import PASSWORD, fresh, mentoring_programme, person

WIDTHS = {"desktop": 1366, "phone": 390}
SERIOUS = {"serious", "critical"}


def axe_source() -> str:
    import axe_playwright_python

    return (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text()


def look(page: Any, name: str) -> None:
    """Screenshots at both widths; no serious axe violation, no sideways scroll on a phone."""
    folder = os.environ.get("ALONGSIDE_SCREENSHOTS")
    problems = []
    for label, width in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": 900})
        if folder:
            Path(folder).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=f"{folder}/{name}-{label}.png", full_page=True)
        if width < 500:
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            if overflow > 0:
                problems.append(f"{name}@{width}: {overflow}px sideways scroll")
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.add_script_tag(content=axe_source())
    result = page.evaluate(
        "axe.run(document, {resultTypes: ['violations'], runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})"
    )
    problems += [
        f"{name}: {v['id']} {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in SERIOUS
    ]
    page.set_viewport_size({"width": WIDTHS["desktop"], "height": 900})
    assert not problems, problems


def sign_in(browser: Any, live_server: Any, email: str) -> Any:
    # bypass_csp lets the test inject axe; the pages themselves run under the policy.
    context = browser.new_context(base_url=live_server.url, bypass_csp=True, accept_downloads=True)
    page = context.new_page()
    page.goto("/accounts/login/")
    page.fill("#id_username", email)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/o/acme/")
    return page


def admin_of(org: Any) -> Any:
    from alongside.accounts.models import User
    from alongside.organisations.models import Membership

    user = User.objects.create_user("pm@acme.test", PASSWORD, full_name="Priya PM")
    Membership.objects.create(user=user, organisation=org, role=Role.ADMIN)
    return user


def acme() -> Any:
    from alongside.organisations.models import Organisation

    return Organisation.objects.create(
        name="Acme India", slug="acme", default_time_zone="Asia/Kolkata"
    )


@pytest.mark.django_db(transaction=True)
def test_a_mentee_asks_a_mentor_who_accepts(browser: Any, live_server: Any) -> None:
    org = acme()
    programme, _mentors, mentees = mentoring_programme(org, admin_of(org), mode="two_sided")
    choose = f"/o/acme/programmes/{programme.pk}/choose/"
    mentee = sign_in(browser, live_server, mentees[0].person.email)
    mentee.goto(f"/o/acme/programmes/{programme.pk}/")
    mentee.click("a:has-text('Find a mentor')")
    expect(mentee.get_by_role("heading", name="Suggestions for you")).to_be_visible()
    look(mentee, "selfmatch-suggestions")
    best = suggestions_for(enrolment=fresh(mentees)[0])[0].enrolment
    card = mentee.locator(f"#suggestion-{best.pk}")
    card.locator("textarea").fill("I would love help with stakeholder management.")
    card.get_by_role("button", name=f"Ask {best.person.name}").click()
    expect(mentee.get_by_text(f"You asked {best.person.name}")).to_be_visible()
    look(mentee, "selfmatch-waiting")

    mentor = sign_in(browser, live_server, best.person.email)
    mentor.goto(choose)
    requests = mentor.locator("#requests-for-you")
    expect(requests.get_by_text("I would love help with stakeholder management.")).to_be_visible()
    look(mentor, "selfmatch-request-received")
    requests.get_by_role("button", name=f"Accept {mentees[0].person.name}").click()
    expect(mentor.get_by_text("are matched")).to_be_visible()
    relationship = Relationship.objects.get(programme=programme)
    assert {m.enrolment_id for m in relationship.members.all()} == {best.pk, mentees[0].pk}

    mentee.goto(choose)
    expect(mentee.get_by_role("heading", name="You have your match")).to_be_visible()


@pytest.mark.django_db(transaction=True)
def test_a_decline_brings_the_next_suggestion(browser: Any, live_server: Any) -> None:
    org = acme()
    programme, _mentors, mentees = mentoring_programme(
        org, admin_of(org), mode="two_sided", mentors=3
    )
    choose = f"/o/acme/programmes/{programme.pk}/choose/"
    mentee = sign_in(browser, live_server, mentees[0].person.email)
    mentee.goto(choose)
    ranked = [s.enrolment for s in suggestions_for(enrolment=fresh(mentees)[0])]
    first, second = ranked[0], ranked[1]
    for target in (first, second):
        card = mentee.locator(f"#suggestion-{target.pk}")
        card.get_by_role("button", name="Bookmark").click()
        expect(
            mentee.locator(f"#suggestion-{target.pk}").get_by_role("button", name="Bookmarked")
        ).to_be_visible()
    mentee.locator(f"#suggestion-{first.pk}").get_by_role(
        "button", name=f"Ask {first.person.name}"
    ).click()
    expect(mentee.get_by_text(f"You asked {first.person.name}")).to_be_visible()

    mentor = sign_in(browser, live_server, first.person.email)
    mentor.goto(choose)
    mentor.fill("#requests-for-you input[name=reply]", "My places are full this term, sorry!")
    mentor.locator("#requests-for-you").get_by_role("button", name="Decline").click()
    expect(mentor.get_by_text("You declined")).to_be_visible()

    mentee.goto(choose)
    expect(mentee.get_by_text("My places are full this term, sorry!")).to_be_visible()
    next_one = mentee.locator("#next-bookmark")
    expect(next_one).to_contain_text(second.person.name)
    look(mentee, "selfmatch-next-bookmark")
    next_one.get_by_role("link", name="Send them a request").click()
    mentee.locator(f"#suggestion-{second.pk}").get_by_role(
        "button", name=f"Ask {second.person.name}"
    ).click()
    expect(mentee.get_by_text(f"You asked {second.person.name}")).to_be_visible()
    statuses = dict(MatchRequest.objects.values_list("recipient_id", "status"))
    assert statuses == {first.pk: "declined", second.pk: "pending"}


@pytest.mark.django_db(transaction=True)
def test_half_pick_and_the_engine_places_the_rest(browser: Any, live_server: Any) -> None:
    from tests.matches.test_workflow import _people, _programme

    org = acme()
    admin = admin_of(org)
    people = _people(org, 8)
    programme, peers = _programme(org, admin, "peer_pairs", people)
    peers = fresh(peers)
    # Two mutual picks among the eight: four people pick, four leave it to the engine.
    chosen: list[tuple[Any, Any]] = []
    taken: set[int] = set()
    for a in peers:
        if a.pk in taken:
            continue
        for row in suggestions_for(enrolment=a, limit=3):
            b = row.enrolment
            back = [r.enrolment.pk for r in suggestions_for(enrolment=b, limit=3)]
            if b.pk not in taken and a.pk in back:
                chosen.append((a, b))
                taken |= {a.pk, b.pk}
                break
        if len(chosen) == 2:
            break
    assert len(chosen) == 2
    from alongside.accounts.models import User
    from alongside.organisations.models import Membership

    for a, b in chosen:
        for p in (a, b):
            # The test organisation may have made their accounts already.
            user = User.objects.filter(email__iexact=p.person.email).first()
            if user is None:
                user = User.objects.create_user(p.person.email, PASSWORD, full_name=p.person.name)
            else:
                user.set_password(PASSWORD)
                user.save(update_fields=["password"])
            Membership.objects.get_or_create(
                user=user, organisation=org, defaults={"role": Role.MEMBER}
            )
            p.person.user = user
            p.person.save(update_fields=["user"])

    manager = sign_in(browser, live_server, "pm@acme.test")
    manager.goto(f"/o/acme/programmes/{programme.pk}/choose/settings/")
    manager.check("input[name=mode][value=hybrid]")
    manager.fill("#suggestions", "3")
    manager.get_by_role("button", name="Save").click()
    expect(manager.get_by_text("Saved.")).to_be_visible()
    manager.get_by_role("button", name="Open picking").click()
    expect(manager.get_by_text("Picking is open.")).to_be_visible()
    look(manager, "hybrid-settings")

    for a, b in chosen:
        for me, other in ((a, b), (b, a)):
            page = sign_in(browser, live_server, me.person.email)
            page.goto(f"/o/acme/programmes/{programme.pk}/choose/")
            page.locator(f"#suggestion-{other.pk}").get_by_role(
                "button", name=f"Pick {other.person.name}"
            ).click()
            expect(page.locator("#my-pick")).to_contain_text(other.person.name)
            look(page, "hybrid-picked")
            page.context.close()

    manager.goto(f"/o/acme/programmes/{programme.pk}/choose/settings/")
    manager.get_by_role("button", name="Close picking now").click()
    expect(manager.locator(".message.success")).to_contain_text("2 picks are kept together")
    manager.get_by_role("link", name="Go to matching").click()
    manager.get_by_role("button", name="Run matching for 8 people").click()
    manager.wait_for_url("**/matching/*/")
    run = MatchRun.objects.get(programme=programme)
    assert run.summary["chosen_by_participants"] == 4
    look(manager, "hybrid-draft")
    manager.get_by_role("button", name="Publish").first.click()
    manager.wait_for_load_state()
    pairs = {
        frozenset(m.enrolment_id for m in r.members.all())
        for r in Relationship.objects.filter(programme=programme)
    }
    assert len(pairs) == 4
    for a, b in chosen:
        assert frozenset({a.pk, b.pk}) in pairs


@pytest.mark.django_db(transaction=True)
def test_a_flash_round_skipped_paired_and_answered(browser: Any, live_server: Any) -> None:
    org = acme()
    admin = admin_of(org)
    programme = programme_create(
        organisation=org,
        actor=admin,
        name="Coffee roulette",
        format="flash_rounds",
        start_date=timezone.localdate() + timedelta(days=3),
        end_date=timezone.localdate() + timedelta(weeks=12),
    )
    programme_transition(programme=programme, actor=admin, to="enrolling")
    people = [
        person(org, f"Colleague {i}", level="L2", department=["Sales", "Design", "Finance"][i % 3])
        for i in range(5)
    ]
    enrolments = enrolment_add(programme=programme, actor=admin, people=people)
    programme_transition(programme=programme, actor=admin, to="matching")
    programme_transition(programme=programme, actor=admin, to="running")
    flash_round = flash_round_plan(programme=programme, actor=admin)
    rounds = f"/o/acme/programmes/{programme.pk}/rounds/"

    busy = sign_in(browser, live_server, people[4].email)
    busy.goto(rounds)
    look(busy, "flash-planned")
    busy.get_by_role("button", name="Skip this round").click()
    expect(busy.get_by_text("You are skipping this round.")).to_be_visible()

    manager = sign_in(browser, live_server, "pm@acme.test")
    manager.goto(rounds)
    expect(manager.get_by_text("1 person skips it.")).to_be_visible()
    manager.get_by_role("button", name="Pair this round now").click()
    expect(manager.get_by_text("2 conversations, invitations sent")).to_be_visible()
    look(manager, "flash-paired-manager")
    assert FlashGroup.objects.filter(round=flash_round).count() == 2

    FlashRound.objects.filter(pk=flash_round.pk).update(
        meets_at=timezone.now() - timedelta(hours=1)
    )
    me = sign_in(browser, live_server, people[0].email)
    me.goto(rounds)
    expect(me.get_by_text("You meet")).to_be_visible()
    with me.expect_download() as download:
        me.get_by_role("link", name="Add to calendar (.ics)").click()
    assert b"BEGIN:VCALENDAR" in Path(download.value.path()).read_bytes()
    look(me, "flash-pulse")
    me.get_by_label("4").check()
    me.get_by_label("Yes").check()
    me.get_by_role("button", name="Send").click()
    expect(me.get_by_text("You rated it 4 of 5.")).to_be_visible()
    pulse = FlashPulse.objects.get()
    assert (pulse.enrolment_id, pulse.useful, pulse.learned) == (enrolments[0].pk, 4, True)
