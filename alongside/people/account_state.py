"""Whether a person in the directory can get in yet: no account, invited, or signed in."""

from __future__ import annotations

from django.db.models import Case, Exists, OuterRef, Q, Value, When
from django.db.models import CharField as CharFieldType
from django.db.models.expressions import Expression
from django.utils.translation import gettext_lazy as _

from alongside.people.models import Invitation, Person

NO_ACCOUNT = "no_account"
INVITED = "invited"
SIGNED_IN = "signed_in"

LABELS = {NO_ACCOUNT: _("No account"), INVITED: _("Invited"), SIGNED_IN: _("Signed in")}


def account_state(person: str = "") -> Expression:
    """An annotation for a query over people (``person=""``) or over rows that point to a
    person (``person="person"``): signed in once; else invited (or has an account that
    never signed in); else no account."""
    prefix = f"{person}__" if person else ""
    invited = Invitation.objects.filter(person=OuterRef(person or "pk"), revoked_at__isnull=True)
    return Case(
        When(Q(**{f"{prefix}user__last_login__isnull": False}), then=Value(SIGNED_IN)),
        When(Q(**{f"{prefix}user__isnull": False}) | Q(Exists(invited)), then=Value(INVITED)),
        default=Value(NO_ACCOUNT),
        output_field=CharFieldType(),
    )


def account_state_of(person: Person) -> str:
    """The same answer for one person already in memory (a query at most)."""
    user = person.user
    if user is not None and user.last_login is not None:
        return SIGNED_IN
    pending = Invitation.objects.filter(person=person, revoked_at__isnull=True)
    if user is not None or pending.exists():
        return INVITED
    return NO_ACCOUNT
