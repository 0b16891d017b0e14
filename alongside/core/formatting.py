"""Locale-aware formatting Django has no helper for: lists (Babel's CLDR data)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from babel.lists import format_list as babel_format_list
from django.utils import translation
from django.utils.formats import date_format
from django.utils.functional import lazy


def babel_locale(language: str | None = None) -> str:
    """Babel's name for a Django language code (``en-gb`` → ``en_GB``); pseudo → ``en``."""
    code = translation.to_locale(language or translation.get_language() or "en")
    return "en" if code.lower().startswith("en_x") else code


def format_list(items: Iterable[Any], style: str = "standard") -> str:
    """``["Asha", "Ravi", "Meera"]`` → "Asha, Ravi and Meera" / "Asha, Ravi और Meera"."""
    words = [str(item) for item in items]
    if not words:
        return ""
    return babel_format_list(words, style=style, locale=babel_locale())  # type: ignore[arg-type]


def lazy_interpolate(template: Any, values: dict[str, Any]) -> Any:
    """``gettext_lazy("… %(name)s …")`` with its values, translated when it is read.

    For texts made once and read in several languages (a nudge for each recipient).
    Values may be lazy too (``lazy_date``).
    """
    return lazy(lambda: str(template) % {k: str(v) for k, v in values.items()}, str)()


def lazy_date(value: date | datetime | None, format_name: str) -> Any:
    """A date formatted when it is read, in the language active then."""
    return lazy(lambda: date_format(value, format_name) if value else "", str)()
