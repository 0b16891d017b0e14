"""Writes for single sign-on: configuring a connection, switching it on, making it the only
way in, recording a "try sign-in", and signing someone in just in time."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alongside.accounts.models import User, normalise_email
from alongside.audit.services import log_action
from alongside.core.encryption import encrypt
from alongside.core.errors import AlongsideError, Problem
from alongside.organisations.models import Membership, Organisation, Role
from alongside.people.models import Person
from alongside.sso.models import MAPPED, SsoConnection
from alongside.sso.provider_metadata import fetch_oidc_metadata, read_saml_metadata

#: Addresses anyone can have: no organisation may claim them for its single sign-on.
PUBLIC_DOMAINS = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "outlook.com",
        "hotmail.com",
        "live.com",
        "msn.com",
        "yahoo.com",
        "yahoo.co.in",
        "icloud.com",
        "me.com",
        "aol.com",
        "proton.me",
        "protonmail.com",
        "rediffmail.com",
        "zoho.com",
        "gmx.com",
        "mail.com",
    }
)
DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
ATTRIBUTE = re.compile(r"^\S{1,255}$")


def _clean_domains(
    values: list[str], organisation: Organisation, problems: list[Problem]
) -> list[str]:
    domains: list[str] = []
    for raw in values:
        domain = raw.strip().lower().lstrip("@")
        if not domain:
            continue
        if not DOMAIN.match(domain):
            problems.append(
                Problem(_("'%(domain)s' is not a domain name.") % {"domain": raw}, "email_domains")
            )
        elif domain in PUBLIC_DOMAINS:
            problems.append(
                Problem(
                    _("%(domain)s is a public email service, not your organisation's domain.")
                    % {"domain": domain},
                    "email_domains",
                )
            )
        elif domain not in domains:
            domains.append(domain)
    if not domains and not problems:
        problems.append(
            Problem(
                _("Give at least one email domain the identity provider signs in, e.g. acme.com."),
                "email_domains",
            )
        )
    others = SsoConnection.objects.exclude(organisation=organisation).select_related("organisation")
    for other in others:
        for domain in set(domains) & set(other.email_domains):
            problems.append(
                Problem(
                    _("%(domain)s is already covered by another organisation's single sign-on.")
                    % {"domain": domain},
                    "email_domains",
                )
            )
    return domains


def _clean_mapping(mapping: dict[str, Any], problems: list[Problem]) -> dict[str, str]:
    cleaned: dict[str, str] = {}
    for key, value in mapping.items():
        if key not in MAPPED:
            problems.append(
                Problem(
                    _("'%(key)s' is not an attribute Alongside maps; use %(known)s.")
                    % {"key": key, "known": ", ".join(MAPPED)},
                    f"attribute_mapping.{key}",
                )
            )
            continue
        value = str(value or "").strip()
        if value and not ATTRIBUTE.match(value):
            problems.append(
                Problem(
                    _("'%(value)s' is not an attribute name (no spaces).") % {"value": value},
                    f"attribute_mapping.{key}",
                )
            )
            continue
        cleaned[key] = value
    if "email" in cleaned and not cleaned["email"]:
        problems.append(
            Problem(_("The email attribute cannot be empty."), "attribute_mapping.email")
        )
    return cleaned


def _check_announced(
    mapping: dict[str, str], announced: list[str], source: str, problems: list[Problem]
) -> None:
    """A provider that lists what it can send must list each mapped attribute."""
    if not announced:
        return
    for key, value in mapping.items():
        if value and value not in announced:
            problems.append(
                Problem(
                    _(
                        "The identity provider does not announce '%(value)s' among its "
                        "%(source)s (it lists: %(announced)s)."
                    )
                    % {"value": value, "source": source, "announced": ", ".join(announced)},
                    f"attribute_mapping.{key}",
                )
            )


def _raise(problems: list[Problem]) -> None:
    if problems:
        raise AlongsideError(
            _("The single sign-on settings were not saved: %(first)s")
            % {"first": problems[0].message},
            problems=problems,
        )


def sso_configure(
    *,
    organisation: Organisation,
    actor: User,
    protocol: str,
    email_domains: list[str],
    attribute_mapping: dict[str, Any] | None = None,
    display_name: str = "",
    issuer_url: str = "",
    client_id: str = "",
    client_secret: str | None = None,
    idp_metadata_url: str = "",
    idp_metadata_xml: str = "",
) -> SsoConnection:
    """Check a configuration against its provider, then save it; nothing changes on error.

    The provider's discovery document or metadata is read first (outside the database
    transaction); ``client_secret=None`` keeps the stored secret.
    """
    existing = SsoConnection.objects.filter(organisation=organisation).first()
    problems: list[Problem] = []
    if protocol not in SsoConnection.Protocol.values:
        raise AlongsideError(
            _("The protocol must be oidc (OpenID Connect) or saml (SAML 2.0)."),
            problems=[Problem(_("must be oidc or saml."), "protocol")],
        )
    domains = _clean_domains(email_domains, organisation, problems)
    mapping = _clean_mapping(attribute_mapping or {}, problems)
    values: dict[str, Any] = {"protocol": protocol, "display_name": display_name.strip()[:100]}
    if protocol == SsoConnection.Protocol.OIDC:
        if not issuer_url.strip():
            problems.append(
                Problem(_("Give the provider's issuer or discovery URL."), "issuer_url")
            )
        if not client_id.strip():
            problems.append(Problem(_("Give the client (application) id."), "client_id"))
        has_secret = bool(client_secret) or bool(existing and existing.client_secret_encrypted)
        if not has_secret:
            problems.append(Problem(_("Give the client secret."), "client_secret"))
        _raise(problems)
        metadata = fetch_oidc_metadata(issuer_url)
        _check_announced(mapping, list(metadata.get("claims_supported", [])), "claims", problems)
        _raise(problems)
        values.update(
            issuer_url=issuer_url.strip(),
            client_id=client_id.strip(),
            oidc_metadata=metadata,
            idp_metadata_url="",
            idp_metadata_xml="",
            idp_entity_id="",
            idp_sso_url="",
            idp_certificates=[],
        )
        if client_secret:
            values["client_secret_encrypted"] = encrypt(client_secret)
    else:
        if not (idp_metadata_url.strip() or idp_metadata_xml.strip()):
            problems.append(
                Problem(
                    _("Give the identity provider's metadata URL or paste its XML."),
                    "idp_metadata_url",
                )
            )
        _raise(problems)
        idp = read_saml_metadata(url=idp_metadata_url.strip(), xml=idp_metadata_xml)
        _check_announced(mapping, idp.attributes, "attributes", problems)
        _raise(problems)
        values.update(
            idp_metadata_url=idp_metadata_url.strip(),
            idp_metadata_xml=idp.xml,
            idp_entity_id=idp.entity_id,
            idp_sso_url=idp.sso_url,
            idp_certificates=idp.certificates,
            issuer_url="",
            client_id="",
            client_secret_encrypted="",
            oidc_metadata={},
        )
    values.update(email_domains=domains, attribute_mapping=mapping)
    return _save(organisation=organisation, actor=actor, values=values)


@transaction.atomic
def _save(*, organisation: Organisation, actor: User, values: dict[str, Any]) -> SsoConnection:
    connection = SsoConnection.objects.select_for_update().filter(organisation=organisation).first()
    created = connection is None
    if connection is None:
        connection = SsoConnection(organisation=organisation, protocol=values["protocol"])
    changed = sorted(
        key for key, value in values.items() if created or getattr(connection, key) != value
    )
    if not changed:
        return connection
    for key, value in values.items():
        setattr(connection, key, value)
    if not created:
        connection.version += 1
    connection.updated_at = timezone.now()
    connection.updated_by = actor
    connection.save()
    log_action(
        actor=actor,
        organisation=organisation,
        action="sso.configured",
        target=connection,
        # The secret never enters the audit trail; only that it changed.
        data={
            "protocol": connection.protocol,
            "changed": [k if k != "client_secret_encrypted" else "client_secret" for k in changed],
            "email_domains": connection.email_domains,
            "version": connection.version,
        },
    )
    return connection


def _locked(connection: SsoConnection) -> SsoConnection:
    return (
        SsoConnection.objects.select_for_update()
        .select_related("organisation")
        .get(pk=connection.pk)
    )


@transaction.atomic
def sso_set_enabled(*, connection: SsoConnection, actor: User, enabled: bool) -> SsoConnection:
    locked = _locked(connection)
    if enabled and not locked.tested:
        raise AlongsideError(
            _(
                "Try sign-in first: the current settings have not signed anyone in yet, so "
                "switching them on could lock people out."
            ),
            code="untested",
        )
    if locked.enabled == enabled:
        return locked
    locked.enabled = enabled
    if not enabled:
        locked.required = False
    locked.save(update_fields=["enabled", "required"])
    log_action(
        actor=actor,
        organisation=locked.organisation,
        action="sso.enabled" if enabled else "sso.disabled",
        target=locked,
        data={"version": locked.version},
    )
    return locked


@transaction.atomic
def sso_set_required(*, connection: SsoConnection, actor: User, required: bool) -> SsoConnection:
    locked = _locked(connection)
    if required and not locked.enabled:
        raise AlongsideError(
            _("Switch single sign-on on before making it the only way in."), code="not_enabled"
        )
    if required and not locked.tested:
        raise AlongsideError(
            _("Try sign-in with the current settings before making them the only way in."),
            code="untested",
        )
    if locked.required == required:
        return locked
    locked.required = required
    locked.save(update_fields=["required"])
    log_action(
        actor=actor,
        organisation=locked.organisation,
        action="sso.required" if required else "sso.optional",
        target=locked,
    )
    return locked


@transaction.atomic
def sso_remove(*, connection: SsoConnection, actor: User) -> None:
    locked = _locked(connection)
    log_action(
        actor=actor,
        organisation=locked.organisation,
        action="sso.removed",
        target=locked,
        data={"protocol": locked.protocol},
    )
    locked.delete()


@transaction.atomic
def sso_test_record(
    *, connection: SsoConnection, actor: User, ok: bool, result: dict[str, Any]
) -> SsoConnection:
    """Keep what a "try sign-in" saw; a success marks the current settings as tested."""
    locked = _locked(connection)
    locked.last_test = {**result, "ok": ok, "at": timezone.now().isoformat(), "by": actor.email}
    fields = ["last_test"]
    if ok:
        locked.tested_version = locked.version
        locked.tested_at = timezone.now()
        fields += ["tested_version", "tested_at"]
    locked.save(update_fields=fields)
    log_action(
        actor=actor,
        organisation=locked.organisation,
        action="sso.tested",
        target=locked,
        data={"ok": ok, "version": locked.version, "email": result.get("email", "")},
    )
    return locked


# --- Signing in -------------------------------------------------------------------------


@dataclass(frozen=True)
class Identity:
    """Who the identity provider says signed in, after the attribute mapping."""

    subject: str
    email: str
    name: str = ""
    employee_id: str = ""
    attributes: dict[str, Any] = field(default_factory=dict)

    def as_result(self) -> dict[str, Any]:
        return {
            "subject": self.subject,
            "email": self.email,
            "name": self.name,
            "employee_id": self.employee_id,
            "attributes": {k: str(v)[:200] for k, v in list(self.attributes.items())[:40]},
        }


def admins_to_ask(organisation: Organisation) -> str:
    admins = (
        Membership.objects.filter(organisation=organisation, role=Role.ADMIN)
        .exclude(user__is_service_account=True)
        .select_related("user")
        .order_by("user__full_name", "user__email")[:3]
    )
    return ", ".join(f"{m.user.get_full_name()} <{m.user.email}>" for m in admins)


def identity_check(connection: SsoConnection, identity: Identity) -> Person:
    """The directory entry this identity signs in as, or a refusal saying whom to ask."""
    organisation = connection.organisation
    mapping = connection.mapping()
    if not identity.email or "@" not in identity.email:
        raise AlongsideError(
            _(
                "The identity provider sent no email address in the attribute '%(attribute)s'. "
                "An organisation admin should check the attribute mapping."
            )
            % {"attribute": mapping["email"]},
            code="no_email",
            status=403,
        )
    domain = identity.email.rsplit("@", 1)[1]
    if domain not in connection.email_domains:
        raise AlongsideError(
            _(
                "The identity provider signed in %(email)s, but %(organisation)s's single "
                "sign-on covers only %(domains)s. Sign in with your work account."
            )
            % {
                "email": identity.email,
                "organisation": organisation.name,
                "domains": ", ".join(connection.email_domains),
            },
            code="domain_not_covered",
            status=403,
        )
    people = Person.objects.filter(organisation=organisation, is_active=True)
    person = people.filter(email__iexact=identity.email).first()
    if person is None and identity.employee_id:
        person = people.filter(employee_id=identity.employee_id).first()
    if person is None:
        raise AlongsideError(
            _(
                "%(email)s is not in %(organisation)s's people directory, so it cannot sign in "
                "here yet. Ask an organisation admin to add you: %(admins)s."
            )
            % {
                "email": identity.email,
                "organisation": organisation.name,
                "admins": admins_to_ask(organisation) or _("your HR team"),
            },
            code="not_in_directory",
            status=403,
        )
    return person


@transaction.atomic
def sso_sign_in(*, connection: SsoConnection, identity: Identity, client_ip: str = "") -> User:
    """The account a verified identity signs in as: made just in time for a directory
    person (member of the organisation, linked to their entry)."""
    person = identity_check(connection, identity)
    # Two first sign-ins of one person at once (two tabs, a double click) make one account:
    # the second waits here, then finds it.
    person = Person.objects.select_for_update().get(pk=person.pk)
    organisation = connection.organisation
    email = normalise_email(person.email)
    user = User.objects.filter(email=email).first()
    created = user is None
    if user is None:
        user = User.objects.create_user(email, password=None, full_name=person.name)
    if not user.is_active or user.is_service_account:
        raise AlongsideError(
            _("The account %(email)s is deactivated; ask an organisation admin.")
            % {"email": email},
            code="inactive",
            status=403,
        )
    _membership, joined = Membership.objects.get_or_create(
        user=user, organisation=organisation, defaults={"role": Role.MEMBER}
    )
    if (
        person.user_id is None
        and not Person.objects.filter(organisation=organisation, user=user).exists()
    ):
        person.user = user
        person.save(update_fields=["user"])
    log_action(
        actor=user,
        organisation=organisation,
        action="sso.signed_in",
        target=user,
        data={
            "protocol": connection.protocol,
            "subject": identity.subject[:200],
            "account_created": created,
            "membership_created": joined,
            "client_ip": client_ip,
        },
    )
    return user
