"""Learning from a programme's outcomes: the report, its honesty, and the next weights."""

from __future__ import annotations

import numpy as np
import pytest
from django.urls import reverse

from alongside.core.errors import AlongsideError
from alongside.health.models import RelationshipHealth
from alongside.learning.selectors import PROTECTED_RULES, learning_report, observations
from alongside.learning.services import learned_weights_apply
from alongside.matches.cohort import build_cohort
from alongside.matching.learning import Verdict
from alongside.matching.scoring import PARTS
from alongside.programmes.services import programme_create
from alongside.relationships.models import Relationship
from tests.matches.helpers import published_programme

pytestmark = pytest.mark.django_db


def plant(programme, *, effect: bool) -> None:
    """Meetings held follow the match score (effect) or not at all (no effect)."""
    relationships = sorted(Relationship.objects.filter(programme=programme), key=lambda r: r.score)
    for rank, relationship in enumerate(relationships):
        held = (2 + 8 * rank // len(relationships)) if effect else 5 + rank % 2
        RelationshipHealth.objects.update_or_create(
            relationship=relationship,
            defaults={
                "programme": programme,
                "status": "on_track",
                "meetings_held": held,
                "meetings_missed": 10 - held,
            },
        )


def test_a_planted_effect_on_the_score_shows_with_its_interval(cast, org_a):
    programme, _enrolments = published_programme(org_a, cast["admin"], "peer_pairs", 60)
    plant(programme, effect=True)
    report = learning_report(programme=programme)
    rows = {row.name: row for row in report.rows}
    assert report.observations == 30
    assert rows["score"].effect.verdict == Verdict.HELPS
    assert 0 < rows["score"].effect.low < rows["score"].effect.slope
    plant(programme, effect=False)
    rows = {row.name: row for row in learning_report(programme=programme).rows}
    assert rows["score"].effect.verdict == Verdict.NO_CLEAR_EFFECT


def test_weights_learned_from_a_planted_criterion_start_the_next_programme(cast, org_a):
    admin = cast["admin"]
    programme, _enrolments = published_programme(org_a, admin, "peer_pairs", 60)
    plant(programme, effect=False)  # every relationship has an outcome: all are observed
    relationships = list(Relationship.objects.filter(programme=programme).order_by("pk"))
    found = observations(programme)
    name = max(PARTS, key=lambda n: float(np.std([o.criteria[n] for o in found])))
    values = [o.criteria[name] for o in found]
    for relationship, value in zip(relationships, values, strict=True):
        held = round(2 + 8 * (value - min(values)) / (max(values) - min(values)))
        RelationshipHealth.objects.filter(relationship=relationship).update(
            meetings_held=held, meetings_missed=10 - held
        )
    report = learning_report(programme=programme)
    planted = next(row for row in report.rows if row.name == name)
    assert planted.effect.verdict == Verdict.HELPS
    assert planted.suggested > planted.weight
    target = programme_create(
        organisation=org_a, actor=admin, name="Next year", format="peer_pairs"
    )
    before = dict(target.matching_rules)
    applied = learned_weights_apply(source=programme, target=target, actor=admin)
    target.refresh_from_db()
    assert target.matching_rules["weights"] == applied
    assert applied[name] == planted.suggested
    # The rules that protect people are exactly as they were.
    for rule in PROTECTED_RULES:
        assert target.matching_rules[rule] == before[rule], rule
    # …and the engine scores the next programme with the new points.
    points = build_cohort(target, []).rules.score_weights
    assert {n: getattr(points, n) for n in PARTS} == applied


def test_too_few_relationships_say_so_plainly_and_suggest_nothing(cast, org_a, client_for):
    admin = cast["admin"]
    programme, _enrolments = published_programme(org_a, admin, "peer_pairs", 12)
    plant(programme, effect=True)
    report = learning_report(programme=programme)
    assert {row.effect.verdict for row in report.rows} == {Verdict.TOO_FEW}
    assert report.suggested == report.current
    body = (
        client_for(admin)
        .get(reverse("learning:report", args=[org_a.slug, programme.pk]))
        .content.decode()
    )
    assert "too few relationships with outcomes to say anything" in body
    assert "The outcomes suggest no change to the weights." in body
    target = programme_create(organisation=org_a, actor=admin, name="Next", format="peer_pairs")
    with pytest.raises(AlongsideError) as nothing:
        learned_weights_apply(source=programme, target=target, actor=admin)
    assert nothing.value.code == "no_change"


def test_a_programme_already_running_cannot_take_new_weights(cast, org_a):
    admin = cast["admin"]
    programme, _e = published_programme(org_a, admin, "peer_pairs", 4)
    other = programme_create(organisation=org_a, actor=admin, name="Running", format="peer_pairs")
    type(other).objects.filter(pk=other.pk).update(stage="running")
    other.refresh_from_db()
    with pytest.raises(AlongsideError) as error:
        learned_weights_apply(source=programme, target=other, actor=admin)
    assert "weights can change only before it is matched" in error.value.message


def test_the_page_shows_old_and_new_weights_side_by_side(cast, org_a, client_for):
    admin = cast["admin"]
    programme, _enrolments = published_programme(org_a, admin, "peer_pairs", 60)
    plant(programme, effect=True)
    programme_create(organisation=org_a, actor=admin, name="Peer Pairs 2027", format="peer_pairs")
    body = (
        client_for(admin)
        .get(reverse("learning:report", args=[org_a.slug, programme.pk]))
        .content.decode()
    )
    assert "Points now" in body
    assert "Suggested" in body
    assert "The match score as a whole" in body
    assert "went with better outcomes" in body
