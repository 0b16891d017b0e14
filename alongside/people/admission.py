"""Who in a directory may get in by an emailed link, and joining them on first use.

A person in an organisation's directory is someone the organisation wants in its
programmes, so a link sent to their address (asked for on the sign-in page, or in a
reminder about their intake) is enough to create their account and make them a member,
exactly as accepting an invitation would. Registered with accounts' sign-in policy.
"""

from __future__ import annotations

from django.db import transaction

from alongside.accounts.models import User, normalise_email
from alongside.audit.services import log_action
from alongside.organisations.models import Membership, Role
from alongside.people.models import Person


def _entries(email: str, organisation_id: int | None) -> list[Person]:
    people = Person.objects.filter(email__iexact=normalise_email(email), is_active=True)
    if organisation_id is not None:
        people = people.filter(organisation_id=organisation_id)
    # Locked, so that two links opened at once for one address make one account.
    return list(
        people.select_for_update().select_related("organisation").order_by("organisation_id", "pk")
    )


def may_admit(email: str) -> bool:
    return Person.objects.filter(email__iexact=normalise_email(email), is_active=True).exists()


@transaction.atomic
def admit(email: str, organisation_id: int | None) -> User | None:
    """The account for ``email``, created for a directory entry; joins it where it is listed.

    With ``organisation_id`` (the organisation whose email carried the link) only that
    organisation is joined; without, every organisation listing the address is.
    """
    email = normalise_email(email)
    entries = _entries(email, organisation_id)
    user = User.objects.filter(email=email).first()
    if not entries:
        return user
    if user is None:
        user = User.objects.create_user(email, password=None, full_name=entries[0].name)
    for person in entries:
        membership, created = Membership.objects.get_or_create(
            user=user, organisation=person.organisation, defaults={"role": Role.MEMBER}
        )
        if (
            person.user_id is None
            and not Person.objects.filter(organisation=person.organisation, user=user).exists()
        ):
            person.user = user
            person.save(update_fields=["user"])
        if created:
            log_action(
                actor=user,
                organisation=person.organisation,
                action="membership.joined_from_directory",
                target=membership,
                data={"user": user.email, "role": Role.MEMBER, "by": "email_link"},
            )
    return user
