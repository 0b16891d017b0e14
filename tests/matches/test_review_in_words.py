"""The match review in plain words: quality, fairness, rule marks, and two runs compared."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from alongside.matches.models import MatchGroup, MatchGroupMember, MatchRun, MatchUnmatched
from alongside.matches.review_words import run_fairness, run_quality
from alongside.matches.services import pairing_rule_set
from tests.matches.helpers import _people, _programme, draft_run


def url(name: str, programme: Any, *args: Any) -> str:
    return reverse(f"matches:{name}", args=["acme", programme.pk, *args])


def test_quality_is_rounded_down_and_says_what_it_promises() -> None:
    run = MatchRun(objective=97.96, upper_bound=100.0)
    quality = run_quality(run)
    assert quality.percent == 97.9  # never rounded up to a flattering 98
    assert quality.headline == "Match quality 97.9 % of the best possible"
    assert "more than 2 % higher in total" in quality.explanation


def test_an_exact_run_is_the_best_possible_and_a_run_without_bound_is_not_measured() -> None:
    assert run_quality(MatchRun(objective=40.0, upper_bound=40.0)).headline == (
        "The best possible matching"
    )
    unmeasured = run_quality(MatchRun(objective=40.0, upper_bound=None))
    assert unmeasured.percent is None
    assert "not known" in unmeasured.explanation


def _summary(finance_in_worst: int) -> dict[str, Any]:
    return {
        "matched": 38,
        "unmatched": 2,
        "by_department": [
            {"value": "Finance", "people": 10, "in_worst_tenth": finance_in_worst,
             "expected_in_worst_tenth": 1.0, "unmatched": 0, "mean_score": 0.4},
            {"value": "Sales", "people": 30, "in_worst_tenth": 4 - finance_in_worst,
             "expected_in_worst_tenth": 3.0, "unmatched": 2, "mean_score": 0.6},
        ],
        "by_location": [],
    }  # fmt: skip


def test_fairness_names_a_department_with_more_than_its_share_of_the_worst_matched() -> None:
    lines = run_fairness(MatchRun(summary=_summary(finance_in_worst=3)))
    concerns = [line.text for line in lines if line.concern]
    assert concerns == [
        "Finance (department): 3 people among the worst-matched tenth, where its share "
        "would be about 1. Look at their matches before publishing."
    ]
    assert lines[-1].text == "2 people are not matched; each reason is listed under Unmatched."


def test_fairness_says_so_when_no_group_is_left_behind() -> None:
    lines = run_fairness(MatchRun(summary=_summary(finance_in_worst=1)))
    assert not any(line.concern for line in lines)
    assert lines[0].text.startswith("Fair across the cohort")


@pytest.fixture
def pairs(admin: Any, org_a: Any) -> tuple[Any, list[Any]]:
    return _programme(org_a, admin, "peer_pairs", _people(org_a, 8))


def test_locks_and_forbids_are_marked_on_the_people_in_the_draft(
    admin: Any, pairs: Any, client_for: Any
) -> None:
    programme, enrolments = pairs
    a, b, c = enrolments[:3]
    pairing_rule_set(programme=programme, actor=admin, kind="lock", first=a, second=b, note="")
    pairing_rule_set(programme=programme, actor=admin, kind="forbid", first=a, second=c, note="")
    run = draft_run(programme, admin)
    body = client_for(admin).get(url("run_detail", programme, run.pk)).content.decode()
    assert f"Locked with {b.person.name}" in body
    assert f"Locked with {a.person.name}" in body
    assert f"Never with {c.person.name}" in body
    assert f"Never with {a.person.name}" in body


def _group(run: MatchRun, number: int, *enrolments: Any) -> None:
    group = MatchGroup.objects.create(run=run, number=number, score=1.0)
    for enrolment in enrolments:
        MatchGroupMember.objects.create(
            run=run, group=group, enrolment=enrolment, role="peer", score=1.0
        )


def _two_runs(programme: Any, enrolments: list[Any]) -> tuple[MatchRun, MatchRun]:
    a, b, c, d, e, f = enrolments[:6]
    first = MatchRun.objects.create(
        programme=programme, status=MatchRun.Status.DISCARDED, objective=9.0, upper_bound=10.0
    )
    # The second numbers its pairs differently but keeps a & b; c, d, e and f change.
    second = MatchRun.objects.create(
        programme=programme, status=MatchRun.Status.DRAFT, objective=10.0, upper_bound=10.0
    )
    _group(first, 1, a, b)
    _group(first, 2, c, d)
    _group(first, 3, e, f)
    _group(second, 7, a, b)
    _group(second, 1, c, e)
    MatchUnmatched.objects.create(run=second, enrolment=d, reason="No one fits the rules.")
    MatchUnmatched.objects.create(run=second, enrolment=f, reason="No one fits the rules.")
    return first, second


def test_two_runs_side_by_side_show_who_moved_quality_and_fairness(
    admin: Any, pairs: Any, client_for: Any
) -> None:
    programme, enrolments = pairs
    first, second = _two_runs(programme, enrolments)
    client = client_for(admin)
    assert url("compare", programme) in client.get(url("review", programme)).content.decode()
    body = client.get(
        url("compare", programme) + f"?first={first.pk}&second={second.pk}"
    ).content.decode()
    assert "4 people are with someone else" in body
    assert "Of 6 people in either run, 2 have exactly the same partners in both." in body
    a, _b, c, d, e, f = (x.person.name for x in enrolments[:6])
    assert a not in body.split("moved-heading")[1]  # same partner, other number: not moved
    assert f"with {d}" in body
    assert f"with {e}" in body
    assert "Match quality 90 % of the best possible" in body
    assert "The best possible matching" in body

    api = client.get(
        f"/api/v1/organisations/acme/programmes/{programme.pk}/match-runs/compare",
        {"first": first.pk, "second": second.pk},
    ).json()
    assert (api["people"], api["unchanged"]) == (6, 2)
    moved = {row["name"]: row for row in api["moved"]}
    assert set(moved) == {c, d, e, f}
    assert moved[d]["first"] == {"in_run": True, "matched": True, "partners": [c]}
    assert moved[d]["second"] == {"in_run": True, "matched": False, "partners": []}
    assert api["first"]["quality_percent"] == 90.0
    assert api["second"]["quality"] == "The best possible matching"

    # Without run ids, the page and the API compare the newest run with the one before.
    newest = client.get(
        f"/api/v1/organisations/acme/programmes/{programme.pk}/match-runs/compare"
    ).json()
    assert (newest["first"]["id"], newest["second"]["id"]) == (first.pk, second.pk)
    default_page = client.get(url("compare", programme)).content.decode()
    assert "4 people are with someone else" in default_page


def test_comparing_a_run_with_itself_or_an_unfinished_run_says_why(
    admin: Any, pairs: Any, client_for: Any
) -> None:
    programme, enrolments = pairs
    first, _second = _two_runs(programme, enrolments)
    running = MatchRun.objects.create(programme=programme, status=MatchRun.Status.RUNNING)
    client = client_for(admin)
    api = f"/api/v1/organisations/acme/programmes/{programme.pk}/match-runs/compare"
    half = client.get(api, {"first": first.pk})
    assert (half.status_code, half.json()["code"]) == (400, "two_runs_needed")
    same = client.get(api, {"first": first.pk, "second": first.pk})
    assert (same.status_code, same.json()["code"]) == (400, "same_run")
    busy = client.get(api, {"first": first.pk, "second": running.pk})
    assert busy.status_code == 400
    assert f"Run {running.pk} has not finished" in busy.json()["detail"]
    page = client.get(url("compare", programme) + f"?first={first.pk}&second={first.pk}")
    assert "Choose two different runs to compare." in page.content.decode()


def test_another_programmes_run_cannot_be_compared(
    admin: Any, org_a: Any, pairs: Any, client_for: Any
) -> None:
    programme, enrolments = pairs
    first, _second = _two_runs(programme, enrolments)
    other, _ = _programme(org_a, admin, "peer_pairs", _people(org_a, 4, prefix="q"))
    foreign = MatchRun.objects.create(programme=other, status=MatchRun.Status.DRAFT)
    response = client_for(admin).get(
        f"/api/v1/organisations/acme/programmes/{programme.pk}/match-runs/compare",
        {"first": first.pk, "second": foreign.pk},
    )
    assert response.status_code == 404
