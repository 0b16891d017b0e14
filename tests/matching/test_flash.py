"""Flash rounds: everyone placed once, nobody repeated while avoidable, departments mixed."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alongside.matching import MatchingError
from alongside.matching.flash import FlashPerson, pair_round

FAST = settings(max_examples=80, deadline=None)


@st.composite
def rounds(draw, min_n=2, max_n=9, zones=(5.5, 5.5, 0.0, 1.0, -5.0)):
    n = draw(st.integers(min_n, max_n))
    people = [
        FlashPerson(
            id=f"p{i}",
            department=draw(st.sampled_from(["Sales", "Engineering", "Finance", ""])),
            utc_offset_hours=draw(st.sampled_from(zones)),
        )
        for i in range(n)
    ]
    pairs = list(itertools.combinations([p.id for p in people], 2))
    met_pairs = draw(st.lists(st.sampled_from(pairs), unique=True, max_size=len(pairs)))
    met = {frozenset(p): draw(st.integers(1, 3)) for p in met_pairs}
    return people, met


def perfect_matchings(ids):
    if not ids:
        yield []
        return
    first, rest = ids[0], ids[1:]
    for k, other in enumerate(rest):
        for tail in perfect_matchings(rest[:k] + rest[k + 1 :]):
            yield [(first, other), *tail]


@FAST
@given(rounds())
def test_everyone_is_placed_once_in_pairs_or_one_group_of_three(data):
    people, met = data
    result = pair_round(people, met)
    placed = [x for group in result.groups for x in group]
    assert sorted(placed) == sorted(p.id for p in people)
    assert result.unplaced == ()
    assert all(len(g) in (2, 3) for g in result.groups)
    assert sum(len(g) == 3 for g in result.groups) == len(people) % 2


@FAST
@given(rounds(min_n=2, max_n=8).filter(lambda d: len(d[0]) % 2 == 0))
def test_nobody_meets_again_while_a_round_without_repeats_exists(data):
    people, met = data
    ids = [p.id for p in people]
    possible = any(
        not any(frozenset(pair) in met for pair in matching) for matching in perfect_matchings(ids)
    )
    result = pair_round(people, met)
    if possible:
        assert result.repeats == 0
    fewest = min(
        sum(met.get(frozenset(pair), 0) for pair in matching) for matching in perfect_matchings(ids)
    )
    assert sum(met.get(frozenset(g), 0) for g in result.groups) == fewest


@FAST
@given(rounds(min_n=2, max_n=8, zones=(5.5,)).filter(lambda d: len(d[0]) % 2 == 0))
def test_departments_mix_as_much_as_they_can_among_fresh_pairs(data):
    people, _met = data
    by_id = {p.id: p.department for p in people}

    def mixed(pairs):
        return sum(1 for a, b in pairs if by_id[a] and by_id[b] and by_id[a] != by_id[b])

    result = pair_round(people, {})
    best = max(mixed(m) for m in perfect_matchings([p.id for p in people]))
    assert mixed(result.groups) == best


def test_successive_rounds_meet_everyone_before_anyone_twice():
    people = [FlashPerson(f"p{i}", department=["A", "B", "C"][i % 3]) for i in range(6)]
    met: dict[frozenset[str], int] = {}
    for _round in range(5):
        result = pair_round(people, met)
        for a, b in result.groups:
            met[frozenset((a, b))] = met.get(frozenset((a, b)), 0) + 1
    # Five rounds of six people: fifteen conversations, every possible pair once.
    assert len(met) == 15
    assert set(met.values()) == {1}


def test_time_zones_are_kept_close_when_departments_do_not_decide():
    people = [
        FlashPerson("delhi-1", "Sales", 5.5),
        FlashPerson("london-1", "Sales", 0.0),
        FlashPerson("delhi-2", "Sales", 5.5),
        FlashPerson("london-2", "Sales", 0.0),
    ]
    assert pair_round(people).groups == (("delhi-1", "delhi-2"), ("london-1", "london-2"))


def test_forbidden_pairs_never_meet_and_one_person_alone_is_left_unplaced():
    people = [FlashPerson("boss"), FlashPerson("report"), FlashPerson("peer")]
    result = pair_round(people, forbidden=frozenset({frozenset({"boss", "report"})}))
    assert not any({"boss", "report"} <= set(g) for g in result.groups)
    assert sorted(x for g in result.groups for x in g) + list(result.unplaced) == sorted(
        ["boss", "report", "peer"]
    )
    assert pair_round([FlashPerson("alone")]).unplaced == ("alone",)


def test_a_person_twice_in_a_round_is_refused():
    with pytest.raises(MatchingError, match="more than once"):
        pair_round([FlashPerson("a"), FlashPerson("a")])
