"""Which language a person sees, in one place.

The order, first that is set and shipped wins:

1. the language the person chose (their account, or the switcher's cookie before they
   have signed in);
2. the default of the organisation they are working in;
3. a hint: the sign-in provider's (kept in the session under ``SSO_HINT_KEY``) or the
   browser's ``Accept-Language``;
4. English (``settings.LANGUAGE_CODE``).

Emails use the same order without the hint: the recipient's choice, else their
organisation's default (``language_for_recipient``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation.trans_real import parse_accept_lang_header

# The sign-in provider's locale claim (OpenID Connect ``locale``, SAML ``preferredLanguage``)
# goes here; it is a hint, below the person's own choice and the organisation's default.
SSO_HINT_KEY = "alongside_language_hint"


def shipped_languages() -> list[tuple[str, str]]:
    """(code, name in its own language) for every language a person may choose."""
    return [(code, str(name)) for code, name in settings.LANGUAGES]


def supported(code: str | None) -> str | None:
    """The shipped language for a code (``en-US`` → ``en-gb``, ``hi-IN`` → ``hi``), or None."""
    if not code:
        return None
    try:
        return translation.get_supported_language_variant(code.strip().lower().replace("_", "-"))
    except LookupError:
        return None


def first_supported(*candidates: str | None) -> str:
    for candidate in candidates:
        language = supported(candidate)
        if language:
            return language
    return settings.LANGUAGE_CODE


def browser_hint(request: HttpRequest) -> str | None:
    header = request.headers.get("Accept-Language", "")
    for code, _quality in parse_accept_lang_header(header):
        if code != "*" and (language := supported(code)):
            return language
    return None


def _session(request: HttpRequest) -> Any:
    return getattr(request, "session", None)


def chosen_language(request: HttpRequest) -> str | None:
    """The person's own choice: their account's, else the switcher's cookie."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        own = supported(getattr(user, "language", ""))
        if own:
            return own
    return supported(request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME))


def request_language(request: HttpRequest, organisation_default: str | None = None) -> str:
    session = _session(request)
    sso_hint = None
    user = getattr(request, "user", None)
    if session is not None and user is not None and user.is_authenticated:
        sso_hint = session.get(SSO_HINT_KEY)
    return first_supported(
        chosen_language(request), organisation_default, sso_hint, browser_hint(request)
    )


def activate_for_organisation(request: HttpRequest, organisation_default: str) -> None:
    """Inside an organisation its default comes before the hints (page and API alike)."""
    language = request_language(request, organisation_default)
    translation.activate(language)
    request.LANGUAGE_CODE = language


def language_for_recipient(chosen: str | None, organisation_default: str | None) -> str:
    """An email's language: the recipient's choice, else their organisation's default."""
    return first_supported(chosen, organisation_default)


@contextmanager
def in_language(code: str | None) -> Iterator[str]:
    """Render (an email, a calendar text, a PDF) in ``code``, then restore the caller's."""
    language = first_supported(code)
    with translation.override(language):
        yield language


def recipient_language(user: Any, organisation: Any) -> str:
    """The language for an email to ``user`` (may be None: a person without an account)."""
    return language_for_recipient(
        getattr(user, "language", "") if user is not None else "",
        getattr(organisation, "language", None),
    )
