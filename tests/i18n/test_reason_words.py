"""Every sentence the engine writes for a match is known to the reader's-language layer,
and reads back unchanged in English."""

from __future__ import annotations

import pytest
from django.utils import translation

from alongside.matching.profiles import Candidate, MatchRules, Role
from alongside.matching.reasons import explain
from alongside.relationships.reason_words import translate_phrase, translate_reasons


def pairs() -> list[tuple[Candidate, Candidate, bool, MatchRules]]:
    base = {"utc_offset_hours": 5.5, "timezone": "Asia/Kolkata", "location": "Pune"}
    week = frozenset(range(200, 240))
    asha = Candidate(
        "a", "Asha Rao", "Sales", 3, languages=frozenset({"Hindi", "English"}),
        wants=frozenset({"Delegation", "Presenting", "Negotiation", "Hiring", "Coaching"}),
        offers=frozenset({"Giving feedback"}), availability=week, **base,
    )  # fmt: skip
    ravi = Candidate(
        "b", "Ravi Iyer", "Sales", 3, languages=frozenset({"Hindi"}),
        wants=frozenset({"Delegation", "Presenting", "Negotiation", "Hiring", "Coaching"}),
        offers=frozenset({"Delegation"}), availability=week, **base,
    )  # fmt: skip
    meera = Candidate(
        "c", "Meera Nair", "Finance", 6, location="London", timezone="Europe/London",
        utc_offset_hours=0.0, languages=frozenset({"English"}), role=Role.MENTOR,
        offers=frozenset({"Delegation", "Presenting"}), availability=frozenset(range(210, 230)),
    )  # fmt: skip
    senior = Candidate("d", "Dev Shah", "Finance", 4, role=Role.MENTOR, **base)
    return [
        (asha, ravi, False, MatchRules()),
        (ravi, meera, True, MatchRules(max_level_gap=None)),
        (asha, meera, False, MatchRules(intent="tension", max_level_gap=None)),
        (ravi, senior, True, MatchRules()),
        (asha, ravi, False, MatchRules(forbidden=frozenset({frozenset({"a", "b"})}))),
    ]


def test_every_sentence_the_engine_writes_is_known() -> None:
    seen = set()
    for a, b, mentoring, rules in pairs():
        explanation = explain(a, b, rules, mentoring=mentoring)
        for part in explanation.parts:
            for text in (part.admin_text, part.participant_text):
                if text:
                    for phrase in text.split("; "):
                        assert translate_phrase(phrase) is not None, phrase
                        seen.add(part.part)
        for phrase in explanation.forbidden_by:
            assert translate_phrase(phrase) is not None, phrase
    # The pairs above reach every kind of reason the engine has.
    assert {"complementarity", "shared_challenges", "same_location", "timezone"} <= seen
    assert {"language", "availability"} <= seen


@pytest.mark.parametrize("audience", ["admin", "participant"])
def test_english_reads_back_unchanged_and_hindi_is_translated(audience: str) -> None:
    for a, b, mentoring, rules in pairs():
        text = explain(a, b, rules, mentoring=mentoring).text(audience)
        if not text:
            continue
        line = f"{a.name} & {b.name}: {text}"
        with translation.override("en-gb"):
            assert translate_reasons(line) == line
        with translation.override("hi"):
            hindi = translate_reasons(line)
        assert hindi != line
        assert hindi.startswith(f"{a.name} & {b.name}: ")


def test_a_stored_participant_line_in_hindi() -> None:
    line = (
        "Asha & Ravi: you are working on similar goals; both in Pune; "
        "10 h of shared working hours a week"
    )
    with translation.override("hi"):
        assert translate_reasons(line) == (
            "Asha & Ravi: आप मिलते-जुलते लक्ष्यों पर काम कर रहे हैं; दोनों Pune में; "
            "हर हफ़्ते 10 घंटे के साझा कामकाजी घंटे"
        )
