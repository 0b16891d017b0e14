"""Self-match: suggestions from the engine's scorer, requests, answers, deadlines."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from alongside.audit.models import AuditEvent
from alongside.core.errors import AlongsideError
from alongside.matches.cohort import build_cohort
from alongside.matching import Scorer
from alongside.people.models import Person
from alongside.relationships.models import Relationship
from alongside.scheduling.models import Schedule
from alongside.selfmatch import selectors
from alongside.selfmatch.jobs import lapse_requests
from alongside.selfmatch.models import MatchRequest
from alongside.selfmatch.services import (
    bookmark_set,
    choice_settings_update,
    match_request_accept,
    match_request_decline,
    match_request_send,
)
from tests.selfmatch.helpers import fresh, mentoring_programme

pytestmark = pytest.mark.django_db


def test_suggestions_are_the_engines_scores_best_first_and_keep_its_hard_rules(cast, org_a):
    programme, mentors, mentees = mentoring_programme(
        org_a, cast["admin"], mode="two_sided", mentors=3
    )
    me = mentees[0]
    # Mentor 2 is the mentee's own manager: the hard rule keeps them out of the list.
    Person.objects.filter(pk=me.person_id).update(manager=mentors[2].person)
    rows = selectors.suggestions_for(enrolment=me)
    assert [r.enrolment.pk for r in rows] != []
    assert mentors[2].pk not in [r.enrolment.pk for r in rows]
    cohort = build_cohort(programme, [me, mentors[0], mentors[1]])
    block = Scorer(cohort.candidates, cohort.rules).block([0], [1, 2], mentoring=True)[0]
    expected = sorted(
        zip(block.tolist(), [mentors[0].pk, mentors[1].pk], strict=True), reverse=True
    )
    assert [(round(r.score, 6), r.enrolment.pk) for r in rows] == [
        (round(s, 6), pk) for s, pk in expected
    ]
    # Mentor 0 offers what the mentee wants: the reason says so, without quoting it.
    best = next(r for r in rows if r.enrolment.pk == mentors[0].pk)
    assert "your goals and experience complement each other" in best.reasons


def test_suggestions_show_only_what_colleagues_may_see(cast, org_a):
    _programme, mentors, mentees = mentoring_programme(org_a, cast["admin"], mode="two_sided")
    Person.objects.filter(pk=mentors[0].person_id).update(
        share_department=False, share_location=False, location="Pune", job_title="VP Sales"
    )
    Person.objects.filter(pk=mentors[1].person_id).update(share_department=True)
    rows = {r.enrolment.pk: r for r in selectors.suggestions_for(enrolment=mentees[0])}
    hidden = rows[mentors[0].pk]
    labels = [str(label) for label, _value in hidden.profile]
    assert "Email" not in labels
    assert "Level" not in labels
    assert "Department / function" not in labels
    assert "Location" not in labels
    assert not any("Sales" in r or "level" in r for r in hidden.reasons)
    shown = rows[mentors[1].pk]
    assert "Department / function" in [str(label) for label, _value in shown.profile]
    assert any("different functions" in r for r in shown.reasons)


def test_one_sided_request_makes_the_relationship_at_once_as_publishing_would(
    cast, org_a, django_capture_on_commit_callbacks
):
    mailed = django_capture_on_commit_callbacks
    _programme, mentors, mentees = mentoring_programme(org_a, cast["admin"], mode="one_sided")
    with mailed(execute=True):
        sent = match_request_send(
            enrolment=mentees[0], recipient=mentors[0], message="Hello!", actor=cast["admin"]
        )
    assert sent.status == MatchRequest.Status.ACCEPTED
    relationship = sent.relationship
    assert relationship is not None
    assert relationship.kind == Relationship.Kind.MENTORING
    assert relationship.match_run is None
    assert sorted(m.enrolment_id for m in relationship.members.all()) == sorted(
        [mentors[0].pk, mentees[0].pk]
    )
    assert relationship.reasons_participant
    # The same consequences as a published match: a meeting time proposed, both told.
    assert Schedule.objects.filter(relationship=relationship).exists()
    assert AuditEvent.objects.filter(action="relationship.chosen").count() == 1
    assert {m.to[0] for m in mail.outbox} >= {mentors[0].person.email, mentees[0].person.email}


def test_a_mentors_last_place_goes_once_and_the_next_mentee_hears_why(cast, org_a):
    _programme, mentors, mentees = mentoring_programme(
        org_a, cast["admin"], mode="one_sided", mentors=1, mentees=2
    )
    match_request_send(enrolment=mentees[0], recipient=mentors[0], message="", actor=None)
    with pytest.raises(AlongsideError) as refused:
        match_request_send(enrolment=mentees[1], recipient=mentors[0], message="", actor=None)
    assert refused.value.code == "capacity"
    assert "Mentor 0's last mentoring place has just been taken" in refused.value.message
    assert Relationship.objects.count() == 1
    assert not MatchRequest.objects.filter(requester=mentees[1]).exists()


def test_two_sided_request_waits_for_the_mentor_who_accepts(
    cast, org_a, django_capture_on_commit_callbacks
):
    mailed = django_capture_on_commit_callbacks
    programme, mentors, mentees = mentoring_programme(
        org_a, cast["admin"], mode="two_sided", response_days=4
    )
    before = timezone.now()
    with mailed(execute=True):
        sent = match_request_send(
            enrolment=mentees[0], recipient=mentors[1], message="Keen to learn", actor=None
        )
    assert sent.status == MatchRequest.Status.PENDING
    assert timedelta(days=4) <= sent.respond_by - before < timedelta(days=4, minutes=1)
    assert not Relationship.objects.exists()
    assert mail.outbox[-1].to == [mentors[1].person.email]
    assert "Keen to learn" in mail.outbox[-1].body
    with pytest.raises(AlongsideError) as twice:
        match_request_send(enrolment=mentees[0], recipient=mentors[0], message="", actor=None)
    assert twice.value.code == "already_waiting"
    accepted = match_request_accept(request=sent, actor=None)
    assert accepted.status == MatchRequest.Status.ACCEPTED
    assert accepted.relationship.programme == programme
    with pytest.raises(AlongsideError) as again:
        match_request_accept(request=sent, actor=None)
    assert again.value.code == "answered"


def test_a_decline_points_the_mentee_to_their_next_bookmark(
    cast, org_a, django_capture_on_commit_callbacks
):
    mailed = django_capture_on_commit_callbacks
    _programme, mentors, mentees = mentoring_programme(
        org_a, cast["admin"], mode="two_sided", mentors=3
    )
    me = mentees[0]
    for mentor in (mentors[1], mentors[2]):
        bookmark_set(enrolment=me, target=mentor, on=True)
    assert selectors.next_bookmark(me) == mentors[1]
    sent = match_request_send(enrolment=me, recipient=mentors[1], message="", actor=None)
    with mailed(execute=True):
        match_request_decline(request=sent, actor=None, reply="Full this term, sorry")
    assert selectors.next_bookmark(me) == mentors[2]
    with pytest.raises(AlongsideError) as again:
        match_request_send(enrolment=me, recipient=mentors[1], message="", actor=None)
    assert again.value.code == "declined"
    assert [r.declined_me for r in selectors.suggestions_for(enrolment=me)].count(True) == 1
    told = mail.outbox[-1]
    assert told.to == [me.person.email]
    assert "Next on your bookmarks is Mentor 2" in told.body


def test_an_unanswered_request_lapses_at_its_deadline(
    cast, org_a, django_capture_on_commit_callbacks
):
    mailed = django_capture_on_commit_callbacks
    _programme, mentors, mentees = mentoring_programme(
        org_a, cast["admin"], mode="two_sided", mentors=2
    )
    me = mentees[0]
    bookmark_set(enrolment=me, target=mentors[0], on=True)
    bookmark_set(enrolment=me, target=mentors[1], on=True)
    sent = match_request_send(enrolment=me, recipient=mentors[0], message="", actor=None)
    assert lapse_requests(timezone.now()) == 0
    with mailed(execute=True):
        assert lapse_requests(sent.respond_by + timedelta(minutes=1)) == 1
    sent.refresh_from_db()
    assert sent.status == MatchRequest.Status.LAPSED
    assert "did not answer in time" in mail.outbox[-1].subject
    assert "Mentor 1" in mail.outbox[-1].body
    # Once lapsed, it cannot be accepted any more, and the job does not lapse it twice.
    with pytest.raises(AlongsideError):
        match_request_accept(request=sent, actor=None)
    assert lapse_requests(sent.respond_by + timedelta(hours=2)) == 0


def test_accepting_after_the_deadline_lapses_instead(cast, org_a):
    _programme, mentors, mentees = mentoring_programme(org_a, cast["admin"], mode="two_sided")
    sent = match_request_send(enrolment=mentees[0], recipient=mentors[0], message="", actor=None)
    MatchRequest.objects.filter(pk=sent.pk).update(respond_by=timezone.now() - timedelta(hours=1))
    sent.refresh_from_db()
    with pytest.raises(AlongsideError) as late:
        match_request_accept(request=sent, actor=None)
    assert late.value.code == "lapsed"
    assert not Relationship.objects.exists()


def test_a_full_mentor_refuses_the_others_waiting(cast, org_a, django_capture_on_commit_callbacks):
    mailed = django_capture_on_commit_callbacks
    _programme, mentors, mentees = mentoring_programme(
        org_a, cast["admin"], mode="two_sided", mentors=1, mentees=2
    )
    first = match_request_send(enrolment=mentees[0], recipient=mentors[0], message="", actor=None)
    second = match_request_send(enrolment=mentees[1], recipient=mentors[0], message="", actor=None)
    with mailed(execute=True):
        match_request_accept(request=second, actor=None)
    first.refresh_from_db()
    assert first.status == MatchRequest.Status.REFUSED
    assert "has no place left" in mail.outbox[-1].subject


@pytest.mark.parametrize(
    ("format", "mode", "words"),
    [
        ("peer_pairs", "one_sided", "between peers the other person accepts or declines"),
        ("peer_circles", "two_sided", "are formed by the engine"),
        ("peer_pairs", "everyone", "is not a way of matching"),
    ],
)
def test_settings_refuse_what_the_format_cannot_do(cast, org_a, format, mode, words):
    from alongside.programmes.services import programme_create

    programme = programme_create(organisation=org_a, actor=cast["admin"], name="X", format=format)
    with pytest.raises(AlongsideError) as error:
        choice_settings_update(programme=programme, actor=cast["admin"], mode=mode)
    assert words in error.value.message
    assert error.value.problems[0].field == "mode"


def test_peers_request_each_other_in_a_two_sided_pairs_programme(cast, org_a):
    from tests.matches.test_workflow import _people, _programme

    programme, peers = _programme(org_a, cast["admin"], "peer_pairs", _people(org_a, 4))
    peers = fresh(peers)
    choice_settings_update(programme=programme, actor=cast["admin"], mode="two_sided")
    rows = selectors.suggestions_for(enrolment=peers[0])
    assert peers[0].pk not in [r.enrolment.pk for r in rows]
    target = rows[0].enrolment
    sent = match_request_send(enrolment=peers[0], recipient=target, message="", actor=None)
    match_request_accept(request=sent, actor=None)
    relationship = Relationship.objects.get()
    assert relationship.kind == Relationship.Kind.PAIR
    # Both are placed now: neither is suggested to the others any more.
    remaining = [r.enrolment.pk for r in selectors.suggestions_for(enrolment=peers[3])]
    assert peers[0].pk not in remaining
    assert target.pk not in remaining


def test_the_choose_page_lets_a_mentee_request_and_the_mentor_accept(cast, org_a, client_for):
    programme, mentors, mentees = mentoring_programme(org_a, cast["admin"], mode="two_sided")
    mentee_client = client_for(mentees[0].person.user)
    page = reverse("selfmatch:choose", args=[org_a.slug, programme.pk])
    body = mentee_client.get(page).content.decode()
    assert "Suggestions for you" in body
    assert "Mentor 0" in body
    assert mentors[0].person.email not in body
    response = mentee_client.post(
        reverse("selfmatch:request", args=[org_a.slug, programme.pk, mentors[0].pk]),
        {"message": "x" * 501},
    )
    assert response.status_code == 302
    assert "Keep the message to 500 characters; this one has 501." in (
        mentee_client.get(page).content.decode()
    )
    mentee_client.post(
        reverse("selfmatch:request", args=[org_a.slug, programme.pk, mentors[0].pk]),
        {"message": "Hello"},
    )
    sent = MatchRequest.objects.get()
    mentor_client = client_for(mentors[0].person.user)
    assert "Requests for you" in mentor_client.get(page).content.decode()
    # Another mentee cannot answer it: the request is not theirs to see.
    other = client_for(mentees[1].person.user)
    accept = reverse("selfmatch:accept", args=[org_a.slug, programme.pk, sent.pk])
    assert other.post(accept).status_code == 404
    assert mentor_client.post(accept).status_code == 302
    sent.refresh_from_db()
    assert sent.status == MatchRequest.Status.ACCEPTED


def test_a_persons_request_words_are_in_their_download_and_erased_with_them(cast, org_a):
    from alongside.core.personal_data import Subject
    from alongside.selfmatch import personal_data

    _programme, mentors, mentees = mentoring_programme(org_a, cast["admin"], mode="two_sided")
    sent = match_request_send(
        enrolment=mentees[0], recipient=mentors[0], message="Please mentor me", actor=None
    )
    match_request_decline(request=sent, actor=None, reply="Not this term")
    mentee = mentees[0].person
    subject = Subject(
        organisation_id=org_a.pk,
        person_id=mentee.pk,
        user_id=mentee.user_id,
        email=mentee.email,
        name=mentee.name,
        employee_id="",
    )
    exported = personal_data.export(subject)
    assert exported["match_requests_sent"][0]["message"] == "Please mentor me"
    assert personal_data.erase(subject) == {"match_request_messages": 1, "match_request_replies": 0}
    sent.refresh_from_db()
    assert (sent.message, sent.reply) == ("", "Not this term")
