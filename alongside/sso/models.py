from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

#: The attributes a connection maps from the identity provider.
MAPPED = ("email", "name", "employee_id")

DEFAULT_MAPPING = {
    "oidc": {"email": "email", "name": "name", "employee_id": ""},
    "saml": {"email": "email", "name": "name", "employee_id": ""},
}


class SsoConnection(models.Model):
    """An organisation's single sign-on: one identity provider, OpenID Connect or SAML 2.0.

    What the admin gave (discovery URL or metadata, client id, domains, mapping) is kept
    together with what was read from the provider when it was saved (its endpoints and
    signing certificates), so that signing in does not depend on re-reading metadata.
    The client secret is stored encrypted (core/encryption.py) and never shown again.
    """

    class Protocol(models.TextChoices):
        OIDC = "oidc", _("OpenID Connect")
        SAML = "saml", _("SAML 2.0")

    organisation = models.OneToOneField(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="sso"
    )
    protocol = models.CharField(max_length=8, choices=Protocol.choices)
    display_name = models.CharField(
        max_length=100,
        blank=True,
        help_text=_("Shown on the sign-in button, e.g. 'Acme Entra ID'."),
    )
    # OpenID Connect
    issuer_url = models.URLField(max_length=500, blank=True)
    client_id = models.CharField(max_length=255, blank=True)
    client_secret_encrypted = models.TextField(blank=True)
    oidc_metadata = models.JSONField(default=dict, blank=True)
    # SAML 2.0
    idp_metadata_url = models.URLField(max_length=500, blank=True)
    idp_metadata_xml = models.TextField(blank=True)
    idp_entity_id = models.CharField(max_length=500, blank=True)
    idp_sso_url = models.URLField(max_length=500, blank=True)
    idp_certificates = models.JSONField(default=list, blank=True)
    # Both
    email_domains = models.JSONField(default=list, blank=True)
    attribute_mapping = models.JSONField(default=dict, blank=True)
    enabled = models.BooleanField(
        default=False, help_text=_("Offered on the sign-in page and for its email domains.")
    )
    required = models.BooleanField(
        default=False, help_text=_("The only way in for the organisation's members.")
    )
    version = models.PositiveIntegerField(default=1, help_text=_("Goes up with each change."))
    tested_version = models.PositiveIntegerField(null=True, blank=True)
    tested_at = models.DateTimeField(null=True, blank=True)
    last_test = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(protocol__in=["oidc", "saml"]), name="sso_protocol_valid"
            ),
            models.CheckConstraint(
                condition=~models.Q(required=True, enabled=False),
                name="sso_required_only_when_enabled",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_protocol_display()} for {self.organisation}"

    @property
    def label(self) -> str:
        return self.display_name or _("%(organisation)s single sign-on") % {
            "organisation": self.organisation.name
        }

    @property
    def tested(self) -> bool:
        """The current configuration has signed someone in through "try sign-in"."""
        return self.tested_version == self.version

    def mapping(self) -> dict[str, str]:
        mapping = dict(DEFAULT_MAPPING[self.protocol])
        mapping.update({k: v for k, v in (self.attribute_mapping or {}).items() if k in MAPPED})
        return mapping


class SamlHandoff(models.Model):
    """A SAML response posted by an identity provider, held for the next request.

    The provider posts from another site, so the browser does not send the (SameSite)
    session cookie with it; the response waits here for the redirect that follows, which
    does carry the session and so the state of the sign-in that was started.
    """

    key = models.CharField(max_length=64, unique=True)
    organisation_slug = models.SlugField(max_length=60)
    saml_response = models.TextField()
    relay_state = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return f"SAML response for {self.organisation_slug}"
