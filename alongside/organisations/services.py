"""Writes for organisations and memberships."""

from __future__ import annotations

from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from alongside.accounts.models import User, normalise_email
from alongside.accounts.services import check_language
from alongside.audit.services import log_action
from alongside.core.errors import AlongsideError, Problem
from alongside.core.events import emit
from alongside.core.validators import is_time_zone
from alongside.organisations.events import MembershipGranted, MembershipRemoved
from alongside.organisations.models import Membership, Organisation, Role


def _check_time_zone(value: str) -> None:
    if not is_time_zone(value):
        raise AlongsideError(
            _("'%(value)s' is not a known IANA time zone.") % {"value": value},
            problems=[
                Problem(
                    _("is not a known IANA time zone (e.g. Asia/Kolkata)."),
                    field="default_time_zone",
                )
            ],
        )


@transaction.atomic
def organisation_create(
    *, name: str, creator: User | None, slug: str = "", default_time_zone: str = "Asia/Kolkata"
) -> Organisation:
    name = name.strip()
    if not name:
        raise AlongsideError(
            _("An organisation needs a name."), problems=[Problem(_("is empty."), field="name")]
        )
    slug = slugify(slug or name)[:60]
    if not slug:
        raise AlongsideError(
            _("Give the organisation a short name for its web address."),
            problems=[Problem(_("is empty."), field="slug")],
        )
    if Organisation.objects.filter(slug=slug).exists():
        raise AlongsideError(
            _("The address '%(slug)s' is taken.") % {"slug": slug},
            problems=[Problem(_("is taken."), field="slug")],
        )
    _check_time_zone(default_time_zone)
    organisation = Organisation.objects.create(
        name=name, slug=slug, default_time_zone=default_time_zone
    )
    if creator is not None:
        Membership.objects.create(user=creator, organisation=organisation, role=Role.ADMIN)
    log_action(
        actor=creator, organisation=organisation, action="organisation.created", target=organisation
    )
    return organisation


@transaction.atomic
def organisation_update(
    *,
    organisation: Organisation,
    actor: User,
    name: str | None = None,
    default_time_zone: str | None = None,
    language: str | None = None,
) -> Organisation:
    changes: dict[str, list[str]] = {}
    if name is not None:
        name = name.strip()
        if not name:
            raise AlongsideError(
                _("An organisation needs a name."), problems=[Problem(_("is empty."), field="name")]
            )
        if name != organisation.name:
            changes["name"] = [organisation.name, name]
            organisation.name = name
    if default_time_zone is not None and default_time_zone != organisation.default_time_zone:
        _check_time_zone(default_time_zone)
        changes["default_time_zone"] = [organisation.default_time_zone, default_time_zone]
        organisation.default_time_zone = default_time_zone
    if language is not None and language != organisation.language:
        language = check_language(language, allow_empty=True)
        changes["language"] = [organisation.language, language]
        organisation.language = language
    if changes:
        organisation.save()
        log_action(
            actor=actor,
            organisation=organisation,
            action="organisation.updated",
            target=organisation,
            data={"changes": changes},
        )
    return organisation


def _parse_role(role: str) -> Role:
    try:
        return Role(role)
    except ValueError:
        allowed = ", ".join(r.value for r in Role)
        raise AlongsideError(
            _("'%(role)s' is not a role. Choose one of: %(allowed)s.")
            % {"role": role, "allowed": allowed},
            problems=[Problem(_("is not a role."), field="role")],
        ) from None


def _ensure_an_admin_remains(organisation: Organisation, leaving: Membership) -> None:
    # A service account (an API integration) never counts as the admin who remains.
    others = Membership.objects.filter(
        organisation=organisation, role=Role.ADMIN, user__is_service_account=False
    ).exclude(pk=leaving.pk)
    if leaving.role == Role.ADMIN and not others.exists():
        raise AlongsideError(
            _("An organisation needs at least one admin: make someone else an admin first."),
            code="last_admin",
        )


@transaction.atomic
def membership_set_role(*, membership: Membership, role: str, actor: User) -> Membership:
    new_role = _parse_role(role)
    locked = Membership.objects.select_for_update().get(pk=membership.pk)
    if locked.role == new_role:
        return locked
    # Lock the organisation's admins so two demotions cannot leave it with none.
    list(
        Membership.objects.select_for_update().filter(
            organisation=locked.organisation, role=Role.ADMIN
        )
    )
    if new_role != Role.ADMIN:
        _ensure_an_admin_remains(locked.organisation, locked)
    old_role = locked.role
    locked.role = new_role
    locked.save(update_fields=["role"])
    log_action(
        actor=actor,
        organisation=locked.organisation,
        action="membership.role_changed",
        target=locked,
        data={"user": locked.user.email, "from": old_role, "to": new_role},
    )
    return locked


@transaction.atomic
def membership_grant(
    *, organisation: Organisation, email: str, role: str, actor: User
) -> Membership:
    """Give an existing user a role here (people without an account get an invitation)."""
    new_role = _parse_role(role)
    user = User.objects.filter(email=normalise_email(email)).first()
    if user is None:
        raise AlongsideError(
            _(
                "No one has signed in as %(email)s yet. Invite them from the people "
                "directory first; once they accept you can change their role."
            )
            % {"email": email},
            problems=[Problem(_("has no account yet."), field="email")],
        )
    membership, created = Membership.objects.get_or_create(
        user=user, organisation=organisation, defaults={"role": new_role}
    )
    if not created:
        return membership_set_role(membership=membership, role=new_role, actor=actor)
    # The directory links its entry with this email to the new member.
    emit(MembershipGranted(organisation_id=organisation.pk, user_id=user.pk, email=user.email))
    log_action(
        actor=actor,
        organisation=organisation,
        action="membership.granted",
        target=membership,
        data={"user": user.email, "role": new_role},
    )
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership, actor: User) -> None:
    locked = Membership.objects.select_for_update().get(pk=membership.pk)
    list(
        Membership.objects.select_for_update().filter(
            organisation=locked.organisation, role=Role.ADMIN
        )
    )
    _ensure_an_admin_remains(locked.organisation, locked)
    log_action(
        actor=actor,
        organisation=locked.organisation,
        action="membership.removed",
        target=locked,
        data={"user": locked.user.email, "role": locked.role},
    )
    emit(MembershipRemoved(organisation_id=locked.organisation_id, user_id=locked.user_id))
    locked.delete()
