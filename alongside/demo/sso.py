"""The demo's second organisation, Heron Health, signs in with single sign-on against the
test OpenID provider on 127.0.0.1:8101 (``python -m tests.identity_providers``);
Kestrel Technologies, the main demo, signs in with passwords or emailed links."""

from __future__ import annotations

from django.utils import timezone

from alongside.accounts.models import User
from alongside.core.encryption import encrypt
from alongside.organisations.models import Membership, Organisation, Role
from alongside.organisations.services import organisation_create
from alongside.people.models import Person
from alongside.sso.models import SsoConnection

SLUG = "heron"
NAME = "Heron Health"
DOMAIN = "heron.example"
ISSUER = "http://127.0.0.1:8101/openid"
CLIENT_ID = "alongside-demo"
CLIENT_SECRET = "alongside-demo-secret"
PEOPLE = [
    ("Meera Iyer", "People & Culture", "Chennai"),
    ("Tomás Rivera", "Clinical Operations", "Chennai"),
    ("Aisha Bello", "Clinical Operations", "Bengaluru"),
    ("Daniel Cho", "Data", "Bengaluru"),
    ("Priyanka Nair", "Data", "Kochi"),
    ("Rohan Gupta", "Finance", "Chennai"),
    ("Sara Lindqvist", "Research", "Bengaluru"),
    ("Vikram Rao", "Research", "Kochi"),
]


def _email(name: str) -> str:
    first, last = name.lower().replace("á", "a").split(" ", 1)
    return f"{first}.{last.replace(' ', '')}@{DOMAIN}"


ADMIN_EMAIL = _email(PEOPLE[0][0])


def build_sso_demo(*, password: str) -> tuple[Organisation, User]:
    """Heron Health with its directory, an admin (who keeps a password) and single sign-on
    switched on. Idempotent."""
    organisation = Organisation.objects.filter(slug=SLUG).first() or organisation_create(
        name=NAME, creator=None, slug=SLUG, default_time_zone="Asia/Kolkata"
    )
    for name, department, location in PEOPLE:
        Person.objects.update_or_create(
            organisation=organisation,
            email=_email(name),
            defaults={"name": name, "department": department, "location": location},
        )
    admin_email = ADMIN_EMAIL
    admin = User.objects.filter(email=admin_email).first()
    if admin is None:
        admin = User.objects.create_user(admin_email, password, full_name=PEOPLE[0][0])
    Membership.objects.get_or_create(
        user=admin, organisation=organisation, defaults={"role": Role.ADMIN}
    )
    Person.objects.filter(organisation=organisation, email=admin_email).update(user=admin)
    connection, _created = SsoConnection.objects.update_or_create(
        organisation=organisation,
        defaults={
            "protocol": SsoConnection.Protocol.OIDC,
            "display_name": "Heron sign-in (test provider)",
            "issuer_url": ISSUER,
            "client_id": CLIENT_ID,
            "client_secret_encrypted": encrypt(CLIENT_SECRET),
            # What the test provider's discovery document says, so that loading the demo
            # does not need the provider to be running.
            "oidc_metadata": {
                "issuer": ISSUER,
                "authorization_endpoint": f"{ISSUER}/authorize",
                "token_endpoint": f"{ISSUER}/token",
                "userinfo_endpoint": f"{ISSUER}/userinfo",
                "jwks_uri": f"{ISSUER}/jwks",
                "id_token_signing_alg_values_supported": ["RS256"],
                "token_endpoint_auth_methods_supported": [
                    "client_secret_post",
                    "client_secret_basic",
                ],
            },
            "email_domains": [DOMAIN],
            "attribute_mapping": {"email": "email", "name": "name", "employee_id": ""},
            "enabled": True,
            "required": False,
            "updated_at": timezone.now(),
        },
    )
    SsoConnection.objects.filter(pk=connection.pk).update(tested_version=connection.version)
    return organisation, admin
