"""Writes for sign-in: API tokens."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alongside.accounts.models import ApiToken, User, hash_secret
from alongside.audit.services import log_action
from alongside.core.errors import AlongsideError, Problem
from alongside.core.languages import shipped_languages


@transaction.atomic
def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a personal token; the secret is returned once and only its hash is kept."""
    name = name.strip()
    if not name:
        raise AlongsideError(
            _("Give the token a name, e.g. 'HR sync'."),
            problems=[Problem(_("is empty."), field="name")],
        )
    if len(name) > 100:
        raise AlongsideError(
            _("The token name is too long."),
            problems=[Problem(_("is longer than 100 characters."), field="name")],
        )
    secret = ApiToken.generate_secret()
    token = ApiToken.objects.create(
        user=user, name=name, prefix=secret[:10], token_hash=hash_secret(secret)
    )
    log_action(actor=user, organisation=None, action="api_token.created", target=token)
    return token, secret


@transaction.atomic
def api_token_revoke(*, token: ApiToken, actor: User) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        log_action(actor=actor, organisation=None, action="api_token.revoked", target=token)
    return token


def api_token_authenticate(secret: str) -> User | None:
    now = timezone.now()
    token = (
        ApiToken.objects.select_related("user")
        .filter(token_hash=hash_secret(secret), revoked_at__isnull=True)
        .exclude(expires_at__lte=now)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def check_language(value: str, *, field: str = "language", allow_empty: bool = False) -> str:
    """A code of a shipped language (``hi``, ``es``, ``en-gb``), or a clear error."""
    value = (value or "").strip()
    if not value and allow_empty:
        return ""
    codes = [code for code, _name in shipped_languages()]
    if value not in codes:
        raise AlongsideError(
            _("'%(value)s' is not a language Alongside offers (%(codes)s).")
            % {"value": value, "codes": ", ".join(codes)},
            problems=[Problem(_("is not an offered language."), field=field)],
        )
    return value


@transaction.atomic
def user_language_set(*, user: User, language: str) -> User:
    """The person's own language; empty follows their organisation's default."""
    language = check_language(language, allow_empty=True)
    if language != user.language:
        previous = user.language
        user.language = language
        user.save(update_fields=["language"])
        log_action(
            actor=user,
            organisation=None,
            action="user.language_changed",
            target=user,
            data={"language": [previous, language]},
        )
    return user
