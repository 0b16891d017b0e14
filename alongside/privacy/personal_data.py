"""The account, memberships, personal API tokens and audit entries of a person."""

from __future__ import annotations

from collections.abc import Mapping

from django.db.models import Q

from alongside.accounts.models import ApiToken, User
from alongside.audit.models import AuditEvent
from alongside.core.personal_data import Rows, Subject, personal_data, rows
from alongside.organisations.models import Membership
from alongside.privacy.models import DataRequest


def export(subject: Subject) -> Mapping[str, Rows]:
    user = User.objects.filter(pk=subject.user_pk)
    trail = AuditEvent.objects.filter(organisation_id=subject.organisation_id).filter(
        Q(actor_id=subject.user_pk)
        | Q(target_type="people.person", target_id=str(subject.person_id))
    )
    return {
        "account": rows(user, ("email", "full_name", "date_joined", "last_login")),
        "memberships": rows(
            Membership.objects.filter(user_id=subject.user_pk).select_related("organisation"),
            ("organisation__name", "role", "created_at"),
        ),
        "api_tokens": rows(
            ApiToken.objects.filter(user_id=subject.user_pk),
            ("name", "prefix", "created_at", "last_used_at", "revoked_at"),
        ),
        "audit_trail": rows(
            trail.order_by("created_at"), ("created_at", "actor_label", "action", "target_label")
        ),
    }


def erase(subject: Subject) -> Mapping[str, int]:
    # Earlier downloads of the person's data are deleted with it.
    downloads = (
        DataRequest.objects.filter(person_id=subject.person_id)
        .exclude(result__isnull=True)
        .update(result=None, filename="")
    )
    return {"downloads": downloads}


personal_data("account", export=export, erase=erase, order=10)
