"""The directory follows memberships: new members are linked to their entry, leavers unlinked."""

from __future__ import annotations

from collections.abc import Sequence

from alongside.core.events import subscribe
from alongside.organisations.events import MembershipGranted, MembershipRemoved
from alongside.people.models import Person


@subscribe(MembershipGranted, in_transaction=True)
def link_directory_entry(events: Sequence[MembershipGranted]) -> None:
    for event in events:
        Person.objects.filter(
            organisation_id=event.organisation_id, email__iexact=event.email, user__isnull=True
        ).update(user_id=event.user_id)


@subscribe(MembershipRemoved, in_transaction=True)
def unlink_directory_entry(events: Sequence[MembershipRemoved]) -> None:
    for event in events:
        Person.objects.filter(organisation_id=event.organisation_id, user_id=event.user_id).update(
            user=None
        )
