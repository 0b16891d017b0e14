"""The matching command has the app's rules: history, forbids, locks, diversity limits,
group mentoring, buddy labels, JSON and participant wording; and honest input handling."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from alongside.matching.cli import MatchOptions, run_match

from .test_cli import HEADER, NOW, rows_of

TEAM = [
    # email, department, wants, offers
    ("a", "Finance", "negotiation", "coaching"),
    ("b", "Sales", "coaching", "negotiation"),
    ("c", "Finance", "hiring", "budgeting"),
    ("d", "Sales", "budgeting", "hiring"),
    ("e", "HR", "negotiation", "hiring"),
    ("f", "HR", "hiring", "negotiation"),
    ("g", "Finance", "coaching", "budgeting"),
    ("h", "Sales", "budgeting", "coaching"),
]


def people(rows=TEAM, extra_header: str = "", extra=None) -> str:
    lines = [HEADER + extra_header]
    for index, (name, department, wants, offers) in enumerate(rows):
        cell = "" if extra is None else "," + extra[index]
        lines.append(
            f"{name}@example.com,{name.upper()} Person,,{department},L3,London,Europe/London,"
            f"English,{wants},{offers}{cell}"
        )
    return "\n".join(lines) + "\n"


def run(data: str, **options):
    for name in ("history", "forbid", "lock"):
        if isinstance(options.get(name), str):
            options[name] = options[name].encode()
    return run_match(data.encode(), MatchOptions(**options), now=NOW)


def pairs_of(outcome) -> set[frozenset[str]]:
    groups: dict[str, set[str]] = {}
    for row in rows_of(outcome.csv_text):
        if row["group"]:
            groups.setdefault(row["group"], set()).add(row["email"].split("@")[0])
    return {frozenset(g) for g in groups.values()}


def test_history_never_repeats_a_previous_pair():
    first = run(people(), format="pairs")
    assert first.ok, first.problems
    again = run(people(), format="pairs", history=first.csv_text)
    assert again.ok, again.problems
    assert not pairs_of(first) & pairs_of(again)


def test_history_can_penalise_instead_of_forbidding():
    first = run(people(), format="pairs")
    before = {r["email"]: float(r["score"]) for r in rows_of(first.csv_text)}
    lowered = run(people(), format="pairs", history=first.csv_text, history_rule="penalise")
    assert lowered.ok
    repeated = pairs_of(first) & pairs_of(lowered)
    for row in rows_of(lowered.csv_text):
        pair = next((p for p in repeated if row["email"].split("@")[0] in p), None)
        if pair is not None:
            assert float(row["score"]) == pytest.approx(before[row["email"]] - 25.0, abs=0.15)


def test_forbidden_pairs_are_never_matched_and_locks_always_are():
    free = run(people(), format="pairs")
    a_with = next(p for p in pairs_of(free) if "a" in p)
    other = next(iter(a_with - {"a"}))
    forbid = f"email,other_email\na@example.com,{other}@example.com\n"
    lock = "group,email\n1,a@example.com\n1,h@example.com\n"
    outcome = run(people(), format="pairs", forbid=forbid, lock=lock)
    assert outcome.ok, outcome.problems
    assert frozenset({"a", other}) not in pairs_of(outcome)
    assert frozenset({"a", "h"}) in pairs_of(outcome)


def test_a_diversity_limit_caps_each_circle():
    outcome = run(people(), format="circles", min_size=4, max_size=4, max_per="department=1")
    assert not outcome.ok  # three Finance and three Sales people cannot fit in 2 circles of 4
    assert "share one value" in str(outcome.problems[0])
    outcome = run(people(), format="circles", min_size=4, max_size=4, max_per="department=2")
    assert outcome.ok, outcome.problems
    departments = {name: department for name, department, _, _ in TEAM}
    for group in pairs_of(outcome):
        counts: dict[str, int] = {}
        for name in group:
            counts[departments[name]] = counts.get(departments[name], 0) + 1
        assert max(counts.values()) <= 2


def test_group_mentoring_gives_a_mentor_several_mentees():
    roles = ["mentor"] + ["mentee"] * 5 + ["mentor", "mentee"]
    rows = [(n, d, w, o) for n, d, w, o in TEAM]
    data = people(rows, ",role", roles).replace(",L3,", ",L3,", 1)
    data = data.replace("a@example.com,A Person,,Finance,L3", "a@example.com,A Person,,Finance,L7")
    data = data.replace("g@example.com,G Person,,Finance,L3", "g@example.com,G Person,,Finance,L7")
    outcome = run(data, format="group")
    assert outcome.ok, outcome.problems
    sizes = [len(g) for g in pairs_of(outcome)]
    assert max(sizes) >= 4  # one mentor leads several mentees
    leads = [r for r in rows_of(outcome.csv_text) if r["role"] == "mentor" and r["group"]]
    assert all(r["reasons"].startswith("leads a group with") for r in leads)


def test_buddies_are_labelled_buddy_and_new_joiner():
    data = f"""{HEADER},role
old@example.com,Olga Old,,Ops,L3,London,Europe/London,English,,onboarding,buddy
new@example.com,Ned New,,Ops,L3,London,Europe/London,English,onboarding,,new joiner
"""
    outcome = run(data, format="buddies")
    assert outcome.ok, outcome.problems
    roles = {r["email"]: r["role"] for r in rows_of(outcome.csv_text)}
    assert roles == {"old@example.com": "buddy", "new@example.com": "new joiner"}
    assert "buddy to Ned New" in outcome.csv_text


def test_json_has_the_objective_the_bound_the_gap_and_the_reasons():
    outcome = run(people(), format="circles", min_size=4, max_size=4)
    payload = json.loads(outcome.json_text())
    assert payload["objective"] == pytest.approx(outcome.result.objective)
    assert payload["upper_bound"] >= payload["objective"]
    assert payload["gap"] == pytest.approx(outcome.result.gap)
    assert payload["gap_text"] in (
        "proven optimal",
        f"at most {outcome.result.gap:.1%} from the best possible",
    )
    members = [m for g in payload["groups"] for m in g["members"]]
    assert len(members) == len(TEAM)
    assert all(m["reasons"].startswith("closest fit") for m in members)


def test_public_reasons_never_quote_wants_or_offers():
    admin = run(people(), format="pairs")
    public = run(people(), format="pairs", public_reasons=True)
    topics = ("negotiation", "coaching", "hiring", "budgeting")
    assert any(topic in admin.csv_text.split("\n", 1)[1] for topic in topics)
    body = public.csv_text.split("\n", 1)[1]
    for topic in topics:
        assert topic not in body
    assert "your goals and experience complement each other" in body


def test_rule_warnings_name_the_row_and_column_and_strict_makes_them_errors():
    data = people().replace(
        "a@example.com,A Person,,Finance,L3,London,Europe/London,English",
        "a@example.com,A Person,ghost@example.com,Finance,Director,London,Europe/London,Klingonese",
    )
    outcome = run(data, format="pairs")
    assert outcome.ok, outcome.problems
    shown = [str(w) for w in outcome.warnings]
    assert any(
        w.startswith("Row 2, column 'manager_email': manager ghost@example.com") for w in shown
    )
    assert any(w.startswith("Row 2, column 'level': 'Director' has no number") for w in shown)
    assert any(
        w.startswith("Row 2, column 'languages': 'Klingonese' is not a language") for w in shown
    )
    strict = run(data, format="pairs", strict=True)
    assert not strict.ok
    assert sorted(str(p) for p in strict.problems) == sorted(shown)


def test_language_names_and_codes_are_both_known():
    data = people().replace(",English,", ",en-GB;Hindi;ta,", 1)
    outcome = run(data, format="pairs")
    assert not [w for w in outcome.warnings if w.column == "languages"]


def test_every_problem_is_reported_in_one_pass():
    data = people(extra_header=",availability,capacity", extra=["Mon 9-5,1"] + [",x"] * 7)
    data = data.replace("c@example.com", "not-an-email", 1)
    outcome = run(data, format="pairs", lock="group,email\n1,zed@example.com\n1,a@example.com\n")
    shown = [str(p) for p in outcome.problems]
    assert any(s.startswith("Row 2, column 'availability'") for s in shown)
    assert any(s.startswith("Row 3, column 'capacity'") for s in shown)
    assert any(s.startswith("Row 4, column 'email'") for s in shown)
    assert any(s.startswith("Row 4, column 'capacity'") for s in shown)
    assert "--lock file, row 2, column 'email': zed@example.com is not in the people file" in shown


def test_a_rules_file_without_its_columns_is_refused():
    outcome = run(people(), format="pairs", forbid="who,whom\na@example.com,b@example.com\n")
    assert [str(p) for p in outcome.problems] == [
        "--forbid file, row 1: needs the columns email, other_email (it has: who, whom)"
    ]


def test_a_run_that_places_nobody_fails_and_names_the_rule(tmp_path: Path):
    chain = [HEADER]
    for i in range(6):
        manager = "" if i == 0 else f"p{i - 1}@example.com"
        chain.append(f"p{i}@example.com,P {i},{manager},Ops,L3,X,Europe/London,English,x,y")
    data = "\n".join(chain) + "\n"
    outcome = run(data, format="pairs")
    assert not outcome.ok
    assert "everyone is in one reporting line" in str(outcome.problems[0])
    source = tmp_path / "chain.csv"
    source.write_text(data, encoding="utf-8")
    with pytest.raises(CommandError, match="everyone is in one reporting line"):
        call_command("match", str(source), "--format", "pairs")


def test_a_run_blocked_by_the_level_gap_names_that_rule():
    data = people().replace(",L3,", ",L1,", 1).replace(",L3,", ",L9,")
    outcome = run(data[: data.index("\n", data.index("b@example.com")) + 1], format="pairs")
    assert not outcome.ok
    assert "the level-gap limit" in str(outcome.problems[0])


def test_the_command_takes_the_rules_files_and_writes_json(tmp_path: Path, capsys):
    source = tmp_path / "people.csv"
    source.write_text(people(), encoding="utf-8")
    forbid = tmp_path / "forbid.csv"
    forbid.write_text("email,other_email\na@example.com,b@example.com\n", encoding="utf-8")
    out = tmp_path / "matches.json"
    call_command(
        "match",
        str(source),
        "--format",
        "pairs",
        "--forbid",
        str(forbid),
        "--json",
        "--public-reasons",
        "--out",
        str(out),
    )
    payload = json.loads(out.read_text(encoding="utf-8"))
    assert {"objective", "upper_bound", "gap", "groups"} <= set(payload)
    together = [{m["email"] for m in g["members"]} for g in payload["groups"]]
    assert {"a@example.com", "b@example.com"} not in together
    assert "from the best possible" in capsys.readouterr().err or payload["proven_optimal"]


def test_a_file_beyond_the_machines_memory_is_refused_before_matching(
    monkeypatch: pytest.MonkeyPatch,
):
    monkeypatch.setattr("alongside.matching.memory.available_bytes", lambda: 1024)
    outcome = run(people(), format="circles", min_size=4, max_size=4)
    assert not outcome.ok
    message = str(outcome.problems[0])
    assert message.startswith("circles for 8 people would need about")
    assert "but this machine has 0.0 GiB available" in message
