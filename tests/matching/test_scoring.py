from __future__ import annotations

import numpy as np
import pytest

from alongside.matching import (
    PRIVATE_FIELDS,
    Candidate,
    Intent,
    MatchingError,
    MatchRules,
    Scorer,
    candidate_graph,
    explain,
    mentoring_matrix,
    parse_availability,
    score_matrix,
)
from alongside.matching.scoring import PARTS

ASHA = Candidate(
    id="asha",
    name="Asha",
    function="Finance",
    level=4,
    location="Bengaluru",
    timezone="Asia/Kolkata",
    utc_offset_hours=5.5,
    languages=frozenset({"English", "Hindi"}),
    wants=frozenset({"public speaking"}),
    offers=frozenset({"stakeholder management"}),
    availability=parse_availability("Mon-Fri 09:00-17:00", 5.5),
)
RAVI = Candidate(
    id="ravi",
    name="Ravi",
    function="Engineering",
    level=4,
    location="Bengaluru",
    timezone="Asia/Kolkata",
    utc_offset_hours=5.5,
    languages=frozenset({"English"}),
    wants=frozenset({"Stakeholder management"}),
    offers=frozenset({"Public speaking"}),
    availability=parse_availability("Mon-Fri 12:30-17:00", 5.5),
)


def person(id_: str, **fields) -> Candidate:
    return Candidate(id=id_, name=id_.title(), **fields)


def pair_score(a: Candidate, b: Candidate, rules: MatchRules | None = None) -> float:
    return float(score_matrix([a, b], rules)[0, 1])


def test_the_matrix_is_symmetric_with_a_forbidden_diagonal():
    people = [
        person(str(i), function=f, level=lv)
        for i, (f, lv) in enumerate([("A", 1), ("B", 2), ("A", 3), ("C", 2)])
    ]
    w = score_matrix(people)
    assert np.isneginf(np.diag(w)).all()
    assert np.array_equal(w, w.T)


def test_complementary_goals_score_higher_than_none():
    other = person("x", wants=frozenset({"cooking"}), offers=frozenset({"gardening"}))
    assert pair_score(ASHA, RAVI) > pair_score(ASHA, other)


def test_tension_prefers_different_functions_and_familiarity_the_same():
    a = person("a", function="Finance", wants=frozenset({"x"}))
    same = person("b", function="Finance", wants=frozenset({"x"}))
    different = person("c", function="Sales", wants=frozenset({"x"}))
    tension = MatchRules(intent=Intent.TENSION)
    familiarity = MatchRules(intent=Intent.FAMILIARITY)
    assert pair_score(a, different, tension) > pair_score(a, same, tension)
    assert pair_score(a, same, familiarity) > pair_score(a, different, familiarity)


def test_familiarity_values_shared_challenges_most():
    a = person("a", wants=frozenset({"delegation"}), offers=frozenset({"sql"}))
    shares = person("b", wants=frozenset({"delegation"}))
    complements = person("c", wants=frozenset({"sql"}))
    familiarity = MatchRules(intent=Intent.FAMILIARITY)
    tension = MatchRules(intent=Intent.TENSION)
    assert pair_score(a, shares, familiarity) > pair_score(a, complements, familiarity)
    assert pair_score(a, complements, tension) > pair_score(a, shares, tension)


def test_balanced_sits_between_the_two():
    rules = MatchRules(intent="balanced")
    assert rules.intent == Intent.BALANCED
    assert np.isfinite(pair_score(ASHA, RAVI, rules))


def test_the_reporting_line_is_forbidden_at_any_depth():
    ceo = person("ceo")
    vp = person("vp", manager_id="ceo")
    lead = person("lead", manager_id="vp")
    ic = person("ic", manager_id="lead")
    peer = person("peer", manager_id="lead")
    w = score_matrix([ceo, vp, lead, ic, peer])
    assert np.isneginf(w[3, 0])
    assert np.isneginf(w[0, 3])
    assert np.isneginf(w[3, 2])
    assert np.isfinite(w[3, 4])  # same manager, not in each other's line


def test_an_explicit_reporting_line_is_used_when_given():
    a = person("a", reporting_line=frozenset({"z"}))
    z = person("z")
    assert np.isneginf(pair_score(a, z))


def test_previous_partners_are_not_paired_again_unless_allowed():
    a = person("a", previous_partners=frozenset({"b"}))
    b = person("b")
    assert np.isneginf(pair_score(a, b))
    assert np.isfinite(pair_score(a, b, MatchRules(avoid_previous_partners=False)))


def test_explicit_forbids_apply():
    rules = MatchRules(forbidden=frozenset({frozenset({"asha", "ravi"})}))
    assert np.isneginf(pair_score(ASHA, RAVI, rules))


def test_must_share_a_language():
    a = person("a", languages=frozenset({"Tamil"}))
    b = person("b", languages=frozenset({"German"}))
    unknown = person("c")
    rules = MatchRules(must_share_language=True)
    assert np.isneginf(pair_score(a, b, rules))
    assert np.isfinite(pair_score(a, unknown, rules))
    assert np.isfinite(pair_score(a, b))


def test_peer_level_gap_limit():
    a, b = person("a", level=1), person("b", level=5)
    assert np.isneginf(pair_score(a, b, MatchRules(max_level_gap=2)))
    assert np.isfinite(pair_score(a, b, MatchRules(max_level_gap=None)))


def test_mentors_must_be_above_their_mentees():
    mentee = person("m", level=3)
    senior, junior = person("s", level=5), person("j", level=3)
    w = mentoring_matrix([mentee], [senior, junior], MatchRules(mentor_min_level_gap=1))
    assert np.isfinite(w[0, 0])
    assert np.isneginf(w[0, 1])


def test_mentoring_complementarity_runs_from_mentor_to_mentee():
    mentee = person("m", wants=frozenset({"strategy"}))
    useful = person("u", offers=frozenset({"strategy"}))
    useless = person("x", wants=frozenset({"strategy"}))
    w = mentoring_matrix([mentee], [useful, useless], MatchRules(mentor_min_level_gap=None))
    assert w[0, 0] > w[0, 1]


def test_maximum_time_zone_difference():
    a = person("a", utc_offset_hours=-8.0)
    b = person("b", utc_offset_hours=5.5)
    near = person("c", utc_offset_hours=-5.0)
    rules = MatchRules(max_timezone_difference=4)
    assert np.isneginf(pair_score(a, b, rules))
    assert np.isfinite(pair_score(a, near, rules))


def test_time_zone_difference_wraps_around_the_date_line():
    a = person("a", utc_offset_hours=12.0)
    b = person("b", utc_offset_hours=-11.0)
    assert np.isfinite(pair_score(a, b, MatchRules(max_timezone_difference=1)))


def test_shared_availability_adds_points():
    a = person("a", availability=parse_availability("Mon 09:00-12:00"))
    b = person("b", availability=parse_availability("Mon 10:00-12:00"))
    c = person("c", availability=parse_availability("Tue 10:00-12:00"))
    assert pair_score(a, b) > pair_score(a, c)


def test_availability_is_compared_in_utc():
    india = parse_availability("Mon 14:30-15:30", 5.5)
    london = parse_availability("Mon 09:00-10:00", 0.0)
    assert india == london


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Funday 09:00-10:00", "unknown day 'funday'"),
        ("Mon 09:15-10:00", "on the hour or half hour"),
        ("Mon 12:00-10:00", "ends before it starts"),
        ("whenever", "could not read availability 'whenever'"),
    ],
)
def test_bad_availability_is_refused(text, message):
    with pytest.raises(MatchingError, match=message):
        parse_availability(text)


def test_duplicate_ids_are_refused():
    with pytest.raises(MatchingError, match="candidate id 'a' appears more than once"):
        score_matrix([person("a"), person("a")])


def test_an_unknown_intent_is_refused():
    with pytest.raises(MatchingError, match="intent must be tension, familiarity or balanced"):
        MatchRules(intent="chaos")  # type: ignore[arg-type]


def test_locks_map_ids_to_indices():
    scorer = Scorer([ASHA, RAVI], MatchRules(locked=(("ravi", "asha"),)))
    assert scorer.locks() == [(1, 0)]
    with pytest.raises(MatchingError, match="locked id 'nobody'"):
        Scorer([ASHA], MatchRules(locked=(("nobody",),))).locks()


def test_blocks_agree_with_the_per_part_computation():
    rng = np.random.default_rng(0)
    topics = [f"t{i}" for i in range(8)]
    people = [
        person(
            str(i),
            function=str(rng.integers(3)),
            level=int(rng.integers(1, 4)),
            utc_offset_hours=float(rng.choice([0, 5.5, -5])),
            languages=frozenset(rng.choice(["en", "hi", "fr"], 1)),
            wants=frozenset(rng.choice(topics, 2, replace=False)),
            offers=frozenset(rng.choice(topics, 2, replace=False)),
        )
        for i in range(30)
    ]
    scorer = Scorer(people, MatchRules(max_level_gap=None))
    everyone = np.arange(30)
    parts = scorer.parts(everyone, everyone)
    weights = np.array([getattr(scorer.points, p) for p in PARTS])
    expected = np.tensordot(weights, parts, axes=1)
    np.fill_diagonal(expected, -np.inf)
    assert np.allclose(scorer.matrix(), expected, atol=1e-3)


def test_the_candidate_graph_keeps_each_persons_best_partners_and_a_valid_bound():
    rng = np.random.default_rng(1)
    people = [
        person(
            str(i),
            function=str(i % 4),
            wants=frozenset({f"t{rng.integers(5)}"}),
            offers=frozenset({f"t{rng.integers(5)}"}),
            level=int(rng.integers(1, 4)),
        )
        for i in range(60)
    ]
    w = score_matrix(people)
    graph = candidate_graph(people, k=5)
    for i in range(60):
        listed = np.concatenate([graph.cols[graph.rows == i], graph.rows[graph.cols == i]])
        others = np.setdiff1d(np.flatnonzero(np.isfinite(w[i])), listed)
        if len(others):
            assert w[i, others].max() <= graph.outside_max[i] + 1e-6


def test_reasons_name_the_topics_for_admins_only():
    why = explain(ASHA, RAVI, MatchRules(intent=Intent.TENSION))
    admin = why.text("admin")
    participant = why.text("participant")
    assert "Asha can offer stakeholder management, which Ravi wants to develop" in admin
    assert "different functions (Finance, Engineering)" in admin
    assert "4½ h" not in admin  # shared hours are weekly: 5 days x 4½ h
    assert "22½ h of shared working hours a week" in admin
    assert "stakeholder" not in participant.lower()
    assert "public speaking" not in participant.lower()
    assert "different functions (Finance, Engineering)" in participant


def test_each_reason_carries_its_points():
    why = explain(ASHA, RAVI)
    assert why.parts == tuple(sorted(why.parts, key=lambda p: -p.points))
    assert sum(p.points for p in why.parts) == pytest.approx(why.score, abs=0.05)
    assert all(p.private == (p.part in {"complementarity", "shared_challenges"}) for p in why.parts)
    assert {"wants", "offers"} <= PRIVATE_FIELDS


def test_a_forbidden_pair_explains_the_rule():
    boss = person("boss")
    report = person("report", manager_id="boss")
    assert explain(report, boss).text() == "not allowed: in the same reporting line"
