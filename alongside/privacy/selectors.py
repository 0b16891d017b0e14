from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

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


# Each app's section of a person's data, as people read it.
SECTION_LABELS = {
    "account": gettext_lazy("Account"),
    "api_tokens": gettext_lazy("API tokens"),
    "attendance": gettext_lazy("Attendance"),
    "audit_trail": gettext_lazy("Audit trail"),
    "calendar_subscription": gettext_lazy("Calendar subscription"),
    "closing_choices": gettext_lazy("Closing choices"),
    "closing_reflections": gettext_lazy("Closing reflections"),
    "commitment_texts": gettext_lazy("Commitment texts"),
    "commitments": gettext_lazy("Commitments"),
    "development_goals": gettext_lazy("Development goals"),
    "directory_entry": gettext_lazy("Directory entry"),
    "email_preference": gettext_lazy("Email preference"),
    "emails_sent": gettext_lazy("Emails sent"),
    "enrolments": gettext_lazy("Enrolments"),
    "groups": gettext_lazy("Groups"),
    "identity_provider": gettext_lazy("Identity provider"),
    "intakes": gettext_lazy("Intakes"),
    "invitations": gettext_lazy("Invitations"),
    "left_programmes": gettext_lazy("Left programmes"),
    "match_proposals": gettext_lazy("Match proposals"),
    "meeting_time_answers": gettext_lazy("Meeting time answers"),
    "memberships": gettext_lazy("Memberships"),
    "not_matched": gettext_lazy("Not matched"),
    "notes": gettext_lazy("Notes"),
    "people_files_cleared": gettext_lazy("People files cleared"),
    "pulses": gettext_lazy("Pulses"),
    "relationships": gettext_lazy("Relationships"),
    "rematch_requests": gettext_lazy("Rematch requests"),
    "survey_answers": gettext_lazy("Survey answers"),
}


def erasure_preview(*, person: Person) -> dict[str, int]:
    """What an erasure will touch, for the confirmation page."""
    subject = subject_for(person)
    counts: dict[str, int] = {}
    for handler in handlers():
        if handler.export is None:
            continue
        for section, found in handler.export(subject).items():
            if found:
                label = SECTION_LABELS.get(section) or section.replace("_", " ").capitalize()
                counts[str(label)] = len(found)
    return counts
