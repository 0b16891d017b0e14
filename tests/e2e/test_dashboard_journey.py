"""The manager opens the dashboard, finds the demo's dormant pair, sends them a nudge,
and opens the outcomes report of the programme that closed last year."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail

from alongside.demo.build import build_demo
from alongside.demo.data import DEMO_PASSWORD
from alongside.demo.programmes import HIPO_NAME
from alongside.health.models import HealthStatus, Intervention, RelationshipHealth
from alongside.programmes.models import Programme, Stage

MESSAGE = "Hello both — it has been a while. Could you book your next conversation this week?"


@pytest.mark.django_db(transaction=True)
def test_manager_nudges_the_dormant_pair_and_reads_the_outcomes(page: Any, settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    demo = build_demo()
    programme = Programme.objects.get(organisation=demo.organisation, name=HIPO_NAME)
    dormant = RelationshipHealth.objects.select_related("relationship").get(
        relationship__programme=programme, status=HealthStatus.DORMANT
    )
    pair = dormant.relationship
    slug = demo.organisation.slug
    mail.outbox.clear()

    # The programme manager signs in and opens the overview, then the HiPo dashboard.
    page.goto("/accounts/login/")
    page.fill("input[name=username]", demo.programme_manager.email)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(rf"/o/{slug}/"))
    page.goto(f"/o/{slug}/dashboard/")
    with page.expect_navigation():
        page.click(f"a[href$='/programmes/{programme.pk}/dashboard/']")
    assert page.locator("svg").count() >= 2

    # The dormant list names the pair, with the reason and the suggested action.
    dormant_list = page.locator("section.flagged:has(#flagged-dormant)")
    row = dormant_list.locator(f"tr:has(a:has-text('{pair.name}'))")
    assert row.count() == 1
    assert re.search(r"no meeting for \d+ days", row.inner_text())
    with page.expect_navigation():
        row.locator("a[href$='#act']").click()
    assert "Dormant" in page.inner_text("section[aria-labelledby=health-heading]")

    # The suggested action (a message) is preselected: write it and send it.
    assert page.is_checked("input[name=kind][value=message]")
    page.fill("#id_message", MESSAGE)
    with page.expect_navigation():
        page.click("form:has(#id_message) button:has-text('Record')")
    assert ": recorded." in page.inner_text(".messages")
    interventions = page.inner_text("section[aria-labelledby=interventions-heading]")
    assert "Interventions (1)" in interventions
    assert MESSAGE in interventions
    assert "was dormant" in interventions

    intervention = Intervention.objects.get(relationship=pair)
    assert intervention.kind == Intervention.Kind.MESSAGE
    assert intervention.actor == demo.programme_manager
    # The outbox's send task also delivers what the demo left queued ("You've been
    # matched"); the intervention's own message goes to the pair's members and no one else.
    # (The members read the demo organisation's language, so the manager's own words find it.)
    sent = [message for message in mail.outbox if MESSAGE in message.body]
    emails = {address for message in sent for address in message.to}
    members = set(pair.members.filter(is_active=True).values_list("person__email", flat=True))
    assert emails == members
    assert all(MESSAGE in message.body for message in sent)
    assert [m for m in mail.outbox if MESSAGE in m.body and m not in sent] == []

    # Back on the dashboard the row shows the intervention.
    page.goto(f"/o/{slug}/programmes/{programme.pk}/dashboard/")
    row = page.locator(f"section.flagged tr:has(a:has-text('{pair.name}'))")
    assert "ago" in row.inner_text()

    # The outcomes report of the demo's closed programme: charts, figures, anonymity.
    closed = Programme.objects.get(organisation=demo.organisation, stage=Stage.CLOSED)
    page.goto(f"/o/{slug}/programmes/{closed.pk}/")
    with page.expect_navigation():
        page.click(f"a[href$='/surveys/programmes/{closed.pk}/outcomes/']")
    body = page.inner_text("main")
    assert f"Outcomes: {closed.name}" in body
    assert "Frozen when the programme closed" in body
    assert "Figures for fewer than" in body
    assert re.search(r"start survey \(\d+ of \d+\)", body)
    charts = page.locator("figure.area-chart svg[role=img]")
    assert charts.count() == len(closed.capability_areas)
    assert re.search(r"change [+-]\d", page.inner_text("figure.area-chart >> nth=0"))
    assert page.locator("#by-department ~ div td span[title='Hidden to protect anonymity']").count()
    assert "fewer than 5 people" in page.inner_text("section:has(#by-department)")
    assert page.console_errors == []
