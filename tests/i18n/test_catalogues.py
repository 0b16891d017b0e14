"""The shipped catalogues, checked like migrations: nothing marked is missing from them,
Hindi and Spanish are complete, each compiled .mo is the .po compiled, and every
translation keeps its msgid's placeholders and HTML tags."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

PACKAGE = Path(__file__).resolve().parents[2] / "alongside"
LOCALE = PACKAGE / "locale"
COMPLETE = ("hi", "es")
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{\w*\}")
TAG = re.compile(r"</?([a-zA-Z][a-zA-Z0-9]*)\b[^>]*>")


def gettext_tools() -> None:
    if not (shutil.which("xgettext") and shutil.which("msgfmt")):
        pytest.skip("GNU gettext is missing (apt-get install gettext); .ci/run installs it")


def catalogue(language: str) -> Path:
    return LOCALE / language / "LC_MESSAGES" / "django.po"


def key(message: Any) -> tuple[Any, ...]:
    ids = message.id if isinstance(message.id, str) else tuple(message.id)
    return (ids, message.context)


def value(message: Any) -> Any:
    return message.string if isinstance(message.string, str) else tuple(message.string)


def messages(language: str) -> list:
    with catalogue(language).open("rb") as handle:
        return [m for m in read_po(handle) if m.id]


def test_makemessages_finds_nothing_the_shipped_catalogue_lacks(tmp_path: Path) -> None:
    gettext_tools()
    copy = tmp_path / "alongside"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "locale"))
    (copy / "locale").mkdir()
    subprocess.run(
        [sys.executable, "-m", "django", "makemessages", "-l", "hi", "--no-location"],
        cwd=copy,
        check=True,
        capture_output=True,
        env={"DJANGO_SETTINGS_MODULE": "alongside.settings", "PATH": "/usr/bin:/bin"},
    )
    with (copy / "locale" / "hi" / "LC_MESSAGES" / "django.po").open("rb") as handle:
        found = {(m.context, m.id if isinstance(m.id, str) else m.id[0]) for m in read_po(handle)}
    shipped = {(m.context, m.id if isinstance(m.id, str) else m.id[0]) for m in messages("hi")}
    missing = sorted(str(key[1]) for key in found - shipped if key[1])
    assert missing == [], f"run `make messages`; {len(missing)} new strings: {missing[:20]}"


@pytest.mark.parametrize("language", COMPLETE)
def test_the_catalogue_is_complete(language: str) -> None:
    entries = messages(language)
    untranslated = [m.id for m in entries if not m.string or not all(m.string)]
    fuzzy = [m.id for m in entries if m.fuzzy]
    assert len(entries) > 1000
    assert untranslated == [], f"{len(untranslated)} untranslated: {untranslated[:10]}"
    assert fuzzy == [], f"{len(fuzzy)} fuzzy: {fuzzy[:10]}"


@pytest.mark.parametrize("language", COMPLETE)
def test_translations_keep_placeholders_and_tags(language: str) -> None:
    problems = []
    for message in messages(language):
        sources = message.id if isinstance(message.id, tuple | list) else (message.id,)
        targets = message.string if isinstance(message.string, tuple | list) else (message.string,)
        wanted_placeholders = set(PLACEHOLDER.findall(sources[-1])) | set(
            PLACEHOLDER.findall(sources[0])
        )
        wanted_tags = sorted(TAG.findall(sources[0]))
        for target in targets:
            if not target:
                continue
            have = set(PLACEHOLDER.findall(target))
            # A plural form may leave out the count ("one hour"), never add a new one.
            if not have <= wanted_placeholders or (
                len(targets) == 1 and have != wanted_placeholders
            ):
                problems.append(f"{message.id!r}: placeholders {have} ≠ {wanted_placeholders}")
            if sorted(TAG.findall(target)) != wanted_tags:
                problems.append(f"{message.id!r}: tags differ in {target!r}")
    assert problems == [], "\n".join(problems[:20])


@pytest.mark.parametrize("language", COMPLETE)
def test_the_compiled_catalogue_is_the_po_compiled(language: str, tmp_path: Path) -> None:
    gettext_tools()
    fresh = tmp_path / "django.mo"
    subprocess.run(
        ["msgfmt", "--check-format", "-o", str(fresh), str(catalogue(language))], check=True
    )
    shipped = catalogue(language).with_suffix(".mo")
    with fresh.open("rb") as new, shipped.open("rb") as old:
        compiled = {key(m): value(m) for m in read_mo(new)}
        committed = {key(m): value(m) for m in read_mo(old)}
    assert committed == compiled, "run `make messages` to compile the catalogues again"
