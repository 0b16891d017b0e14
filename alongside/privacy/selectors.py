from __future__ import annotations

from django.utils.translation import gettext as _

from alongside.core.errors import NotFound
from alongside.core.personal_data import handlers
from alongside.organisations.models import Membership
from alongside.people.models import Person
from alongside.privacy.models import DataRequest
from alongside.privacy.services import subject_for


def data_request_for(
    *, membership: Membership, request_id: int, to_download: bool = False
) -> DataRequest:
    """A request the member may see: their own, or any of the organisation's for admins.

    A person's own download is for them alone, admins included.
    """
    data_request = (
        DataRequest.objects.filter(organisation=membership.organisation, pk=request_id)
        .select_related("person", "requested_by")
        .first()
    )
    own = data_request is not None and data_request.requested_by_id == membership.user_id
    if data_request is None or not (own or membership.is_admin):
        raise NotFound(_("No such request."))
    if to_download and data_request.kind == DataRequest.Kind.PERSON_EXPORT and not own:
        raise NotFound(_("No such request."))
    return data_request


def erasure_preview(*, person: Person) -> dict[str, int]:
    """What an erasure will touch, for the confirmation page."""
    subject = subject_for(person)
    counts: dict[str, int] = {}
    for handler in handlers():
        if handler.export is None:
            continue
        for section, found in handler.export(subject).items():
            if found:
                counts[section.replace("_", " ").capitalize()] = len(found)
    return counts
