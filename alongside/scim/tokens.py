"""Each organisation's SCIM tokens: create, rotate, revoke, authenticate. Audited."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alongside.accounts.models import User, hash_secret
from alongside.audit.services import log_action
from alongside.core.errors import AlongsideError, NotFound, Problem
from alongside.organisations.models import Organisation
from alongside.scim.models import SCIM_TOKEN_PREFIX, ScimToken

MAX_ACTIVE_TOKENS = 5


def _issue(*, organisation: Organisation, actor: User | None, name: str) -> tuple[ScimToken, str]:
    secret = ScimToken.generate_secret()
    token = ScimToken.objects.create(
        organisation=organisation,
        name=name,
        prefix=secret[:10],
        token_hash=hash_secret(secret),
        created_by=actor,
    )
    return token, secret


@transaction.atomic
def scim_token_create(
    *, organisation: Organisation, actor: User, name: str
) -> tuple[ScimToken, str]:
    """A new token; the secret is returned once and only its hash is kept."""
    name = name.strip()
    problems = []
    if not name:
        problems.append(
            Problem(_("is empty: name the token after the identity provider using it."), "name")
        )
    elif len(name) > 100:
        problems.append(Problem(_("is longer than 100 characters."), "name"))
    active = ScimToken.objects.select_for_update().filter(
        organisation=organisation, revoked_at__isnull=True
    )
    if len(active) >= MAX_ACTIVE_TOKENS:
        problems.append(
            Problem(
                _("This organisation already has %(count)d active SCIM tokens; revoke one first.")
                % {"count": MAX_ACTIVE_TOKENS}
            )
        )
    if problems:
        raise AlongsideError(_("The SCIM token could not be created."), problems=problems)
    token, secret = _issue(organisation=organisation, actor=actor, name=name)
    log_action(
        actor=actor,
        organisation=organisation,
        action="scim.token_created",
        target=token,
        data={"name": token.name, "prefix": token.prefix},
    )
    return token, secret


def scim_token_get(*, organisation: Organisation, token_id: int) -> ScimToken:
    token = ScimToken.objects.filter(organisation=organisation, pk=token_id).first()
    if token is None:
        raise NotFound(_("No such SCIM token in this organisation."))
    return token


@transaction.atomic
def scim_token_revoke(*, token: ScimToken, actor: User) -> ScimToken:
    locked = ScimToken.objects.select_for_update().get(pk=token.pk)
    if locked.revoked_at is not None:
        raise AlongsideError(_("This SCIM token is already revoked."), code="already_revoked")
    locked.revoked_at = timezone.now()
    locked.save(update_fields=["revoked_at"])
    log_action(
        actor=actor,
        organisation=locked.organisation,
        action="scim.token_revoked",
        target=locked,
        data={"name": locked.name, "prefix": locked.prefix},
    )
    return locked


@transaction.atomic
def scim_token_rotate(*, token: ScimToken, actor: User) -> tuple[ScimToken, str]:
    """Revoke the token and issue its replacement, under the same name, in one step."""
    locked = ScimToken.objects.select_for_update().get(pk=token.pk)
    if locked.revoked_at is not None:
        raise AlongsideError(
            _("A revoked SCIM token cannot be rotated; create a new one."), code="already_revoked"
        )
    locked.revoked_at = timezone.now()
    locked.save(update_fields=["revoked_at"])
    new, secret = _issue(organisation=locked.organisation, actor=actor, name=locked.name)
    log_action(
        actor=actor,
        organisation=locked.organisation,
        action="scim.token_rotated",
        target=new,
        data={"name": new.name, "old_prefix": locked.prefix, "prefix": new.prefix},
    )
    return new, secret


def scim_token_authenticate(secret: str) -> ScimToken | None:
    """The active token with this secret, or None. Notes its use at most once a minute."""
    if not secret.startswith(SCIM_TOKEN_PREFIX):
        return None
    token = (
        ScimToken.objects.select_related("organisation")
        .filter(token_hash=hash_secret(secret), revoked_at__isnull=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ScimToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
