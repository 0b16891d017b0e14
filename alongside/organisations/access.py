"""Organisation admins' tools for access: lifting a member's sign-in pause, and API tokens
for service accounts (an HR system, a reporting job) with a role and an expiry."""

from __future__ import annotations

import secrets
from datetime import datetime

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from alongside.accounts.lockout import LockedAccount, account_failures_clear, locked_accounts
from alongside.accounts.models import ApiToken, User, hash_secret, normalise_email
from alongside.audit.services import log_action
from alongside.core.errors import AlongsideError, Problem
from alongside.organisations.models import Membership, Organisation, Role

SERVICE_DOMAIN = "service.invalid"


def member_lockouts(*, organisation: Organisation) -> list[LockedAccount]:
    """The organisation's members whose password sign-in is paused now."""
    emails = list(
        Membership.objects.filter(organisation=organisation).values_list("user__email", flat=True)
    )
    return locked_accounts(emails=emails)


@transaction.atomic
def lockout_clear(*, organisation: Organisation, email: str, actor: User) -> int:
    """Lift a member's pause at once; only the organisation's own members."""
    email = normalise_email(email)
    if not Membership.objects.filter(organisation=organisation, user__email=email).exists():
        raise AlongsideError(
            _("%(email)s is not a member of %(organisation)s.")
            % {"email": email, "organisation": organisation.name},
            problems=[Problem(_("is not a member here."), field="email")],
            status=404,
            code="not_found",
        )
    cleared = account_failures_clear(email=email)
    log_action(
        actor=actor,
        organisation=organisation,
        action="lockout.cleared",
        data={"email": email, "attempts_removed": cleared},
    )
    return cleared


def service_tokens(*, organisation: Organisation) -> QuerySet[ApiToken]:
    return (
        ApiToken.objects.filter(
            user__is_service_account=True, user__memberships__organisation=organisation
        )
        .select_related("user")
        .order_by("-created_at")
    )


def service_token_role(token: ApiToken, organisation: Organisation) -> str:
    membership = Membership.objects.filter(user=token.user, organisation=organisation).first()
    return membership.role if membership else ""


@transaction.atomic
def service_token_issue(
    *,
    organisation: Organisation,
    actor: User,
    name: str,
    role: str,
    expires_at: datetime | None,
) -> tuple[ApiToken, str]:
    """A new service account with ``role`` here and one API token; the secret is returned
    once (only its hash is kept)."""
    name = name.strip()
    problems = []
    if not name:
        problems.append(Problem(_("Give the token a name, e.g. 'HR sync'."), "name"))
    elif len(name) > 100:
        problems.append(Problem(_("is longer than 100 characters."), "name"))
    if role not in Role.values:
        problems.append(
            Problem(
                _("'%(role)s' is not a role; use %(roles)s.")
                % {"role": role, "roles": ", ".join(Role.values)},
                "role",
            )
        )
    if expires_at is None:
        problems.append(Problem(_("A service token needs an expiry date."), "expires_at"))
    elif expires_at <= timezone.now():
        problems.append(Problem(_("The expiry must be in the future."), "expires_at"))
    if problems:
        raise AlongsideError(problems[0].message, problems=problems)
    local = f"{slugify(name)[:40] or 'service'}-{secrets.token_hex(4)}"
    account = User.objects.create_user(
        f"{local}@{organisation.slug}.{SERVICE_DOMAIN}",
        password=None,
        full_name=name,
        is_service_account=True,
    )
    Membership.objects.create(user=account, organisation=organisation, role=role)
    secret = ApiToken.generate_secret()
    token = ApiToken.objects.create(
        user=account,
        name=name,
        prefix=secret[:10],
        token_hash=hash_secret(secret),
        expires_at=expires_at,
    )
    log_action(
        actor=actor,
        organisation=organisation,
        action="service_token.issued",
        target=token,
        data={
            "name": name,
            "role": role,
            "expires_at": expires_at.isoformat() if expires_at else None,
        },
    )
    return token, secret


@transaction.atomic
def service_token_revoke(*, organisation: Organisation, token: ApiToken, actor: User) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        User.objects.filter(pk=token.user_id, is_service_account=True).update(is_active=False)
        log_action(
            actor=actor,
            organisation=organisation,
            action="service_token.revoked",
            target=token,
            data={"name": token.name},
        )
    return token


def service_token_get(*, organisation: Organisation, token_id: int) -> ApiToken | None:
    return service_tokens(organisation=organisation).filter(pk=token_id).first()
