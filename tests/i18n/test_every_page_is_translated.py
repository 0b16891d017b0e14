"""Every page of the demo, as each role, in a pseudo-locale that wraps every translated
string in ⟦…⟧: any visible English left outside the markers and outside the data was
never marked for translation, and fails here.

The pages are found the way people find them: from each role's home page, following
every link (and htmx ``hx-get``) inside the organisation.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import available_timezones

import pytest
from django.apps import apps
from django.conf import settings
from django.db import models
from django.test import Client
from django.urls import Resolver404, resolve

from alongside.accounts.models import User
from alongside.demo.build import build_demo
from alongside.meetings.guides import GUIDED_MEETINGS, default_guide_in
from alongside.programmes.models import Programme
from tests.i18n.pseudo import CLOSE, OPEN, PSEUDO_LANGUAGE, write_pseudo_locale

WRAPPED = re.compile(f"{OPEN}[^{OPEN}{CLOSE}]*{CLOSE}")
# Pieces of text between punctuation: a phrase is checked whole, so a common word that
# also appears in someone's notes does not hide an unmarked label around it.
SEPARATORS = re.compile(r"\s*(?:[,;·|:()\[\]/—–•›»«\"“”‘’…!?+=*&#%<>~^@\n]+|\s-\s)\s*")
WORD = re.compile(r"[A-Za-z]{2,}")
ATTRIBUTES = ("title", "aria-label", "placeholder", "alt")
# Names that stay as they are in every language.
NOT_ENGLISH = {
    "Alongside", "English", "Español", "CSV", "PDF", "ZIP", "API", "SCIM", "HTTPS", "HTTP",
    "UTC", "GMT", "IST", "OpenAPI", "JSON", "Entra", "Okta", "iCalendar", "webcal", "ICS",
    "URL", "ID", "HMAC", "SHA", "Pseudo", "Slack", "Microsoft", "Teams", "Zoom", "Jitsi",
    "SFTP",
}  # fmt: skip
EMAIL_OR_URL = re.compile(
    r"^(\S+@\S+|https?:\S+|webcal:\S+|/\S+/|[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,})$"
)


class VisibleText(HTMLParser):
    """The page's text nodes and the texts of its attributes people see or hear.

    ``<code>`` and ``<kbd>`` hold literal names (CSV columns, addresses), not words.
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.nodes: list[str] = []
        self.attributes: list[str] = []
        self.links: list[str] = []
        self._skip: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag in ("script", "style", "code", "kbd"):
            self._skip.append(tag)
        for name in ATTRIBUTES:
            if values.get(name):
                self.attributes.append(values[name] or "")
        if tag == "input" and values.get("type") in ("submit", "button") and values.get("value"):
            self.attributes.append(values["value"] or "")
        for name in ("href", "hx-get"):
            if values.get(name):
                self.links.append(values[name] or "")

    def handle_endtag(self, tag: str) -> None:
        if self._skip and self._skip[-1] == tag:
            self._skip.pop()

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.nodes.append(data)

    @property
    def texts(self) -> list[str]:
        """Text nodes with translated strings taken out, even where one spans elements."""
        page = "\x00".join(self.nodes)
        while True:
            stripped = WRAPPED.sub(" ", page)
            if stripped == page:
                break
            page = stripped
        return [text for text in page.split("\x00") + self.attributes if text.strip()]


def data_corpus() -> str:
    """Every text the organisation's data holds: names, goals, notes, answers …"""
    values: list[str] = []
    for model in apps.get_models():
        if not model.__module__.startswith(("alongside.", "django.contrib.auth")):
            continue
        fields = [
            f.name
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField | models.JSONField)
        ]
        if not fields:
            continue
        for row in model.objects.values_list(*fields):
            for value in row:
                if isinstance(value, str):
                    values.append(value)
                elif value is not None:
                    values.append(json.dumps(value, ensure_ascii=False))
    return "\n".join(values)


def untranslated(text: str, corpus: str, zones: set[str]) -> list[str]:
    rest = text
    while True:
        stripped = WRAPPED.sub(" ", rest)
        if stripped == rest:
            break
        rest = stripped
    found = []
    for line in rest.splitlines():
        if line.strip() in zones:
            continue
        # Addresses and time zones are names, not words: each stands in for a separator.
        line = " ".join(
            "|"
            if EMAIL_OR_URL.match(token.strip(".,;()")) or token.strip(".,;()") in zones
            else token
            for token in line.split()
        )
        for piece in SEPARATORS.split(line):
            piece = piece.strip(" .-'")
            if not piece or not WORD.search(piece):
                continue
            if piece in NOT_ENGLISH or piece in zones or EMAIL_OR_URL.match(piece):
                continue
            if all(word in NOT_ENGLISH for word in WORD.findall(piece)):
                # Names that stay as they are ("Microsoft Teams", "06:00 IST").
                continue
            if piece in corpus:
                continue
            found.append(piece)
    return found


def internal(link: str, org_prefix: str) -> str | None:
    parts = urlsplit(link)
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return None
    path = parts.path
    if not path.startswith((org_prefix, "/accounts/tokens/", "/me/")):
        return None
    return path + (f"?{parts.query}" if parts.query else "")


def crawl(client: Client, start: str, org_prefix: str, limit: int = 120) -> Iterator[Any]:
    """Pages reachable by links from ``start``: one address per URL name."""
    queue, seen_names, seen_paths = [start], set(), set()
    while queue and len(seen_paths) < limit:
        path = queue.pop(0)
        if path in seen_paths:
            continue
        try:
            match = resolve(urlsplit(path).path)
        except Resolver404:
            continue
        key = match.view_name
        if key in seen_names:
            continue
        seen_names.add(key)
        seen_paths.add(path)
        response = client.get(path, headers={"accept-language": "en"})
        yield path, key, response
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        parser = VisibleText()
        parser.feed(response.content.decode())
        for link in parser.links:
            target = internal(link, org_prefix)
            if target and target not in seen_paths:
                queue.append(target)


@pytest.fixture
def pseudo_locale(settings: Any, tmp_path: Path) -> str:
    write_pseudo_locale(tmp_path)
    settings.LOCALE_PATHS = [tmp_path, *settings.LOCALE_PATHS]
    settings.LANGUAGES = [*settings.LANGUAGES, (PSEUDO_LANGUAGE, "Pseudo")]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return PSEUDO_LANGUAGE


@pytest.mark.django_db
def test_no_page_shows_english_that_was_not_marked_for_translation(pseudo_locale: str) -> None:
    demo = build_demo()
    User.objects.update(language=pseudo_locale)
    # The default session guides as first written, in each programme's own language (the
    # guide editor shows the originals): authored content, not the page's words.
    originals = [
        "\n".join(default_guide_in(programme.format, number, programme.source_language))
        for programme in Programme.objects.all()
        for number in range(1, GUIDED_MEETINGS + 1)
    ]
    corpus = data_corpus() + "\n" + "\n".join(originals)
    zones = set(available_timezones()) | {z.replace("_", " ") for z in available_timezones()}
    org_prefix = f"/o/{demo.organisation.slug}/"
    problems: dict[str, set[str]] = defaultdict(set)
    failures: list[str] = []
    visited: set[str] = set()
    roles = {
        "admin": demo.admin,
        "manager": demo.programme_manager,
        "participant": demo.member,
        "mentor": demo.mentor,
        "facilitator": demo.facilitator,
    }
    for role, user in roles.items():
        assert user is not None, role
        client = Client()
        client.force_login(user)
        for path, name, response in crawl(client, org_prefix, org_prefix):
            visited.add(name)
            if response.status_code >= 500:
                failures.append(f"{role} {path}: {response.status_code}")
                continue
            if response.status_code != 200 or "text/html" not in response["Content-Type"]:
                continue
            assert response["Content-Language"] == pseudo_locale, path
            parser = VisibleText()
            parser.feed(response.content.decode())
            for text in parser.texts:
                for piece in untranslated(text, corpus, zones):
                    problems[name].add(f"{piece!r} in {text.strip()[:80]!r}")
    anonymous = Client(headers={"accept-language": "en-XA"})
    for path in ("/accounts/login/", "/accounts/password-reset/", "/accounts/password-reset/sent/"):
        response = anonymous.get(path, headers={"accept-language": pseudo_locale})
        parser = VisibleText()
        parser.feed(response.content.decode())
        for text in parser.texts:
            for piece in untranslated(text, corpus, zones):
                problems[path].add(f"{piece!r} in {text.strip()[:80]!r}")
    report = [
        f"{name}: {', '.join(sorted(found)[:12])}" for name, found in sorted(problems.items())
    ]
    assert failures == [], failures
    assert report == [], f"{len(report)} pages show unmarked English:\n" + "\n".join(report)
    assert len(visited) >= 40, sorted(visited)
    assert settings.LANGUAGE_CODE == "en-gb"
