"""A pseudo-locale for tests: every translated string shows up wrapped in ⟦…⟧.

``python -m tests.i18n.pseudo DIR`` writes ``DIR/en_XA/LC_MESSAGES/django.{po,mo}`` from
the shipped catalogue's msgids (``alongside/locale/hi``) and Django's own English ones
(form errors, month and day names), so any text on a page that is *not* wrapped either
came from the data or was never marked for translation.
"""

from __future__ import annotations

import sys
from pathlib import Path

import django
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

PSEUDO_LANGUAGE = "en-xa"
OPEN, CLOSE = "⟦", "⟧"
PACKAGE = Path(__file__).resolve().parents[2] / "alongside"
DJANGO = Path(django.__file__).parent
SOURCES = [
    PACKAGE / "locale" / "hi" / "LC_MESSAGES" / "django.po",
    DJANGO / "conf" / "locale" / "en" / "LC_MESSAGES" / "django.po",
    *sorted(DJANGO.glob("contrib/*/locale/en/LC_MESSAGES/django.po")),
]


def wrap(text: str) -> str:
    return f"{OPEN}{text}{CLOSE}" if text else text


def pseudo_catalogue(sources: list[Path] = SOURCES) -> Catalog:
    catalogue = Catalog(locale="en", fuzzy=False)
    for source in sources:
        with source.open("rb") as handle:
            for message in read_po(handle):
                if not message.id:
                    continue
                if isinstance(message.id, tuple | list):
                    strings = tuple(wrap(text) for text in message.id)
                else:
                    strings = wrap(message.id)
                catalogue.add(message.id, strings, context=message.context, flags=())
    return catalogue


def write_pseudo_locale(directory: Path) -> Path:
    target = directory / "en_XA" / "LC_MESSAGES"
    target.mkdir(parents=True, exist_ok=True)
    catalogue = pseudo_catalogue()
    with (target / "django.po").open("wb") as handle:
        write_po(handle, catalogue)
    with (target / "django.mo").open("wb") as handle:
        write_mo(handle, catalogue)
    return target


if __name__ == "__main__":
    print(write_pseudo_locale(Path(sys.argv[1])))
