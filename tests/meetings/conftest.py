"""A pair and a circle in organisation A, with the cast's member in both."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from alongside.accounts.models import User
from alongside.meetings.models import Meeting
from alongside.programmes.models import Programme
from alongside.relationships.models import Relationship, RelationshipMember
from tests.meetings.factories import meeting, participant, programme_for, relationship_with


@dataclass
class Group:
    programme: Programme
    relationship: Relationship
    members: list[RelationshipMember]
    users: list[User]
    meetings: list[Meeting]


@pytest.fixture
def pair(org_a: Any, member: User, manager: User) -> Group:
    """The cast's member and Kavya, with two meetings a fortnight apart."""
    programme = programme_for(org_a, "peer_pairs", manager=manager)
    other = participant(org_a, "Kavya Peer")
    relationship, members = relationship_with(programme, [member, other])
    meetings = [meeting(relationship, 1), meeting(relationship, 2)]
    return Group(programme, relationship, members, [member, other], meetings)


@pytest.fixture
def circle(org_a: Any, member: User, manager: User) -> Group:
    """A circle of six: the cast's member first, then five colleagues."""
    programme = programme_for(org_a, "peer_circles", manager=manager)
    others = [participant(org_a, f"Circle Member {i}") for i in range(1, 6)]
    relationship, members = relationship_with(programme, [member, *others])
    return Group(programme, relationship, members, [member, *others], [])
