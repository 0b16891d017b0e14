"""How the apps above accounts take part in signing in, without accounts importing them.

Accounts owns the sign-in page, passwords and emailed sign-in links, but what an
organisation allows is decided higher up: the directory (people) knows who may get an
account, single sign-on (sso) knows which email domains it covers and which
organisations refuse any other way in. Each registers a function here in its
``AppConfig.ready``, as listeners do for domain events.

* a **refusal** ``(user, method) -> str | None`` refuses a way of signing in with a
  message for the person (method is ``password``, ``link`` or ``invitation``);
* an **admission** says whether an address with no account may get one from an emailed
  link (``may_admit(email)``) and creates it, or joins an existing account to the
  organisation that wrote to it (``admit(email, organisation_id)``): the directory does
  this for the people in it;
* a **realm** ``(email) -> Realm | None`` names where an address should sign in
  (home-realm discovery).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from alongside.accounts.models import User

PASSWORD = "password"
LINK = "link"
INVITATION = "invitation"


@dataclass(frozen=True)
class Realm:
    """Where an email address signs in: its organisation's single sign-on."""

    label: str  # e.g. "Acme India single sign-on"
    url: str  # starts the sign-in there
    required: bool  # no password or emailed link for this address


Refusal = Callable[[User, str], "str | None"]
MayAdmit = Callable[[str], bool]
Admit = Callable[[str, "int | None"], "User | None"]
RealmFinder = Callable[[str], "Realm | None"]

_refusals: list[Refusal] = []
_may_admit: list[MayAdmit] = []
_admit: list[Admit] = []
_realms: list[RealmFinder] = []


def _register(registry: list[Any], function: Any) -> Any:
    name = f"{function.__module__}.{function.__qualname__}"
    if not any(f"{f.__module__}.{f.__qualname__}" == name for f in registry):
        registry.append(function)
    return function


def refuses_sign_in(function: Refusal) -> Refusal:
    return _register(_refusals, function)


def admits_by_email(*, may_admit: MayAdmit, admit: Admit) -> None:
    _register(_may_admit, may_admit)
    _register(_admit, admit)


def finds_realm(function: RealmFinder) -> RealmFinder:
    return _register(_realms, function)


def sign_in_refusal(user: User, method: str) -> str | None:
    """Why ``user`` may not sign in this way, or None when they may."""
    if not user.is_active:
        return _("This account is deactivated; ask your organisation's admins.")
    if user.is_service_account:
        return _("A service account uses API tokens and cannot sign in.")
    for refusal in _refusals:
        reason = refusal(user, method)
        if reason:
            return reason
    return None


def may_admit(email: str) -> bool:
    """Whether an emailed link could create an account for this address."""
    return any(check(email) for check in _may_admit)


def account_for_email(email: str, organisation_id: int | None = None) -> User | None:
    """The active account an emailed link for ``email`` signs in, created if admitted.

    Admissions also join an existing account to the organisation whose email carried
    the link, when the address is in that organisation's directory.
    """
    user = User.objects.filter(email=email).first()
    if user is not None and not user.is_active:
        return None
    for admit in _admit:
        admitted = admit(email, organisation_id)
        user = user or admitted
    return user


def realm_for_email(email: str) -> Realm | None:
    for finder in _realms:
        realm = finder(email)
        if realm is not None:
            return realm
    return None
