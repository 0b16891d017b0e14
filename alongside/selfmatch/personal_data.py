"""Requests a person sent or received, bookmarks and hybrid picks; their words are erased."""

from __future__ import annotations

from collections.abc import Mapping

from alongside.core.personal_data import Rows, Subject, personal_data, rows
from alongside.selfmatch.models import Bookmark, HybridPick, MatchRequest


def export(subject: Subject) -> Mapping[str, Rows]:
    person = subject.person_id
    return {
        "match_requests_sent": rows(
            MatchRequest.objects.filter(requester__person_id=person).select_related(
                "programme", "recipient__person"
            ),
            (
                "programme__name",
                "recipient__person__name",
                "message",
                "status",
                "created_at",
                "reply",
            ),
        ),
        "match_requests_received": rows(
            MatchRequest.objects.filter(recipient__person_id=person).select_related(
                "programme", "requester__person"
            ),
            (
                "programme__name",
                "requester__person__name",
                "message",
                "status",
                "created_at",
                "reply",
            ),
        ),
        "bookmarks": rows(
            Bookmark.objects.filter(enrolment__person_id=person).select_related("target__person"),
            ("target__person__name", "created_at"),
        ),
        "hybrid_picks": rows(
            HybridPick.objects.filter(chooser__person_id=person).select_related(
                "programme", "chosen__person"
            ),
            ("programme__name", "chosen__person__name", "created_at"),
        ),
    }


def erase(subject: Subject) -> Mapping[str, int]:
    person = subject.person_id
    messages = MatchRequest.objects.filter(requester__person_id=person).update(message="")
    replies = MatchRequest.objects.filter(recipient__person_id=person).update(reply="")
    return {"match_request_messages": messages, "match_request_replies": replies}


personal_data("selfmatch", export=export, erase=erase)
