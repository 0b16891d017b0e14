"""The before/after maths on crafted numbers, with the anonymity rules."""

from __future__ import annotations

from alongside.surveys.outcomes import (
    PersonRatings,
    area_change,
    breakdown,
    groups_to_hide,
    outcomes,
    paired,
    personal_change,
    response_rate,
)


def person(pk: int, start: int | None, end: int | None, **groups: str) -> PersonRatings:
    return PersonRatings(
        person=pk,
        start={} if start is None else {"Feedback": start},
        end={} if end is None else {"Feedback": end},
        groups=groups,
    )


def test_only_people_who_answered_both_surveys_are_paired() -> None:
    people = [person(1, 2, 4), person(2, 3, None), person(3, None, 5), person(4, 5, 5)]
    assert paired(people, "Feedback") == [(2, 4), (5, 5)]


def test_mean_change_and_share_improved() -> None:
    pairs = [(2, 4), (3, 3), (1, 4), (4, 3), (2, 3)]
    change = area_change(pairs, "Feedback")
    assert change.paired == 5
    assert not change.suppressed
    assert change.mean_start == 2.4  # 12 / 5
    assert change.mean_end == 3.4  # 17 / 5
    assert change.mean_change == 1.0
    assert change.share_improved == 0.6  # 3 of 5 went up
    assert change.share_declined == 0.2


def test_fewer_than_five_paired_answers_are_never_shown() -> None:
    change = area_change([(1, 5), (2, 5), (3, 5), (4, 5)], "Feedback")
    assert change.suppressed
    assert change.paired == 4
    assert change.mean_change is None
    assert change.share_improved is None


def test_a_single_small_group_forces_the_next_smallest_to_hide_too() -> None:
    # Sales 3 is too small; if Engineering 9 and Finance 6 were shown, Sales would be the
    # total minus the two. Finance (the smallest shown) is hidden as well.
    assert groups_to_hide({"Sales": 3, "Engineering": 9, "Finance": 6}) == {"Sales", "Finance"}


def test_hidden_groups_that_together_reach_five_need_no_more_hiding() -> None:
    assert groups_to_hide({"A": 3, "B": 2, "C": 7, "D": 8}) == {"A", "B"}


def test_no_small_group_hides_nothing_and_empty_groups_are_ignored() -> None:
    assert groups_to_hide({"A": 5, "B": 6, "C": 0}) == set()


def test_when_everyone_is_small_everything_is_hidden() -> None:
    assert groups_to_hide({"A": 2, "B": 1}) == {"A", "B"}


def test_breakdown_by_department_applies_both_rules() -> None:
    people = (
        [person(i, 2, 4, department="Engineering") for i in range(6)]
        + [person(10 + i, 3, 3, department="Finance") for i in range(5)]
        + [person(20 + i, 1, 5, department="Sales") for i in range(2)]
    )
    rows = {row.group: row.areas[0] for row in breakdown(people, ["Feedback"], "department")}
    assert set(rows) == {"Engineering", "Finance", "Sales"}
    assert rows["Sales"].suppressed
    assert rows["Finance"].suppressed  # 2 hidden people alone could be derived from the total
    assert not rows["Engineering"].suppressed
    assert rows["Engineering"].mean_change == 2.0
    assert rows["Engineering"].share_improved == 1.0


def test_people_without_a_department_form_their_own_group() -> None:
    people = [person(i, 2, 3) for i in range(5)] + [
        person(10 + i, 2, 2, department="HR") for i in range(5)
    ]
    groups = [row.group for row in breakdown(people, ["Feedback"], "department")]
    assert groups == ["HR", "Not recorded"]


def test_overall_report_hides_the_total_below_five() -> None:
    people = [person(i, 2, 4, department="X") for i in range(4)]
    report = outcomes(people, ["Feedback"], ["department"])
    assert report["areas"][0]["suppressed"] is True
    assert report["areas"][0]["mean_change"] is None
    assert all(
        cell["suppressed"] for row in report["breakdowns"]["department"] for cell in row["areas"]
    )


def test_response_rate() -> None:
    assert response_rate(8, 6).rate == 0.75
    assert response_rate(0, 0).rate is None


def test_personal_change_shows_one_persons_own_numbers_even_alone() -> None:
    rows = personal_change(
        PersonRatings(person=1, start={"A": 2, "B": 4}, end={"A": 5}), ["A", "B"]
    )
    assert [(r.area, r.start, r.end, r.change) for r in rows] == [
        ("A", 2, 5, 3),
        ("B", 4, None, None),
    ]


def test_export_keeps_formula_like_answers_as_text() -> None:
    from alongside.spreadsheets.cells import neutralise_formula

    assert neutralise_formula('=HYPERLINK("x")') == '\'=HYPERLINK("x")'
    assert neutralise_formula("-5 days") == "'-5 days"
    assert neutralise_formula("@cmd") == "'@cmd"
    assert neutralise_formula("\tx") == "'\tx"
    assert neutralise_formula("Plain words") == "Plain words"
    assert neutralise_formula(-5) == -5  # numbers are numbers, not text
