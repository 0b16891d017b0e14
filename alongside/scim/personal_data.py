"""What the identity provider told us about a person, and their provisioned groups."""

from __future__ import annotations

from collections.abc import Mapping

from alongside.core.personal_data import Rows, Subject, personal_data, rows
from alongside.scim.models import ScimGroup, ScimUser


def export(subject: Subject) -> Mapping[str, Rows]:
    return {
        "identity_provider": rows(
            ScimUser.objects.filter(person_id=subject.person_id),
            ("external_id", "given_name", "family_name", "created_at", "updated_at"),
        ),
        "groups": rows(ScimGroup.objects.filter(members__pk=subject.person_id), ("display_name",)),
    }


def erase(subject: Subject) -> Mapping[str, int]:
    links, _ = ScimUser.objects.filter(person_id=subject.person_id).delete()
    memberships, _ = ScimGroup.members.through.objects.filter(person_id=subject.person_id).delete()
    return {"identity_provider": links, "group_memberships": memberships}


personal_data("scim", export=export, erase=erase)
