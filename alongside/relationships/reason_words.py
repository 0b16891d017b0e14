"""Match reasons in the reader's language.

The engine (``alongside.matching.reasons``, Django-free) words each reason in English, and
a run stores them as written. Here every sentence the engine can write has a translatable
template: a stored line is read back into its parts and said again in the active
language. A sentence this module does not know is shown as stored;
``tests/i18n/test_reason_words.py`` runs the engine over every part and fails if any
sentence it writes is not known here.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext, gettext_lazy, ngettext

from alongside.core.formatting import format_list

SEPARATOR = "; "
MORE = re.compile(r"^(?P<items>.*?)(?: \(\+(?P<more>\d+) more\))?$")


def _topics(text: str) -> str:
    """ "A, B and C (+2 more)" in the reader's language."""
    match = MORE.match(text)
    assert match is not None
    items = match.group("items")
    parts = items.split(", ")
    if " and " in parts[-1]:
        parts[-1:] = parts[-1].rsplit(" and ", 1)
    words = format_list(parts)
    more = match.group("more")
    if more:
        words += " " + ngettext("(+%(count)s more)", "(+%(count)s more)", int(more)) % {
            "count": more
        }
    return words


def _hours(text: str) -> str:
    """ "5½ h" → the reader's hours."""
    return gettext("%(hours)s h") % {"hours": text.removesuffix(" h")}


def _same(value: str) -> str:
    return value


Convert = Callable[[str], str]
TEMPLATES: list[tuple[re.Pattern[str], Any, dict[str, Convert]]] = [
    (
        re.compile(
            r"^(?P<giver>.+) can offer (?P<topics>.+), which (?P<taker>.+) wants to develop$"
        ),
        gettext_lazy("%(giver)s can offer %(topics)s, which %(taker)s wants to develop"),
        {"topics": _topics},
    ),
    (
        re.compile(r"^your goals and experience complement each other$"),
        gettext_lazy("your goals and experience complement each other"),
        {},
    ),
    (
        re.compile(r"^both want to develop (?P<topics>.+)$"),
        gettext_lazy("both want to develop %(topics)s"),
        {"topics": _topics},
    ),
    (
        re.compile(r"^you are working on similar goals$"),
        gettext_lazy("you are working on similar goals"),
        {},
    ),
    (
        re.compile(r"^different functions \((?P<first>.+), (?P<second>.+)\)$"),
        gettext_lazy("different functions (%(first)s, %(second)s)"),
        {},
    ),
    (
        re.compile(r"^same function \((?P<function>.+)\)$"),
        gettext_lazy("same function (%(function)s)"),
        {},
    ),
    (
        re.compile(r"^(?P<name>.+) is 1 level more senior$"),
        gettext_lazy("%(name)s is 1 level more senior"),
        {},
    ),
    (
        re.compile(r"^(?P<name>.+) is (?P<gap>\d+) levels more senior$"),
        gettext_lazy("%(name)s is %(gap)s levels more senior"),
        {},
    ),
    (
        re.compile(r"^different levels \((?P<first>.+), (?P<second>.+)\)$"),
        gettext_lazy("different levels (%(first)s, %(second)s)"),
        {},
    ),
    (re.compile(r"^same level$"), gettext_lazy("same level"), {}),
    (re.compile(r"^similar levels$"), gettext_lazy("similar levels"), {}),
    (re.compile(r"^both in (?P<location>.+)$"), gettext_lazy("both in %(location)s"), {}),
    (
        re.compile(r"^same time zone \((?P<zone>.+)\)$"),
        gettext_lazy("same time zone (%(zone)s)"),
        {},
    ),
    (re.compile(r"^same time zone$"), gettext_lazy("same time zone"), {}),
    (
        re.compile(r"^time zones (?P<hours>.+) apart$"),
        gettext_lazy("time zones %(hours)s apart"),
        {"hours": _hours},
    ),
    (re.compile(r"^share (?P<languages>.+)$"), gettext_lazy("share %(languages)s"), {}),
    (
        re.compile(r"^(?P<hours>.+) of shared working hours a week$"),
        gettext_lazy("%(hours)s of shared working hours a week"),
        {"hours": _hours},
    ),
    (re.compile(r"^the same person$"), gettext_lazy("the same person"), {}),
    (
        re.compile(r"^in the same reporting line$"),
        gettext_lazy("in the same reporting line"),
        {},
    ),
    (re.compile(r"^paired before$"), gettext_lazy("paired before"), {}),
    (re.compile(r"^ruled out by an admin$"), gettext_lazy("ruled out by an admin"), {}),
    (
        re.compile(r"^outside the programme's level, time-zone or language rules$"),
        gettext_lazy("outside the programme's level, time-zone or language rules"),
        {},
    ),
]
NOT_ALLOWED = "not allowed: "


def translate_phrase(phrase: str) -> str | None:
    """One reason in the active language, or None when the engine never writes it."""
    for pattern, template, converters in TEMPLATES:
        match = pattern.match(phrase)
        if match:
            values = {
                key: converters.get(key, _same)(value) for key, value in match.groupdict().items()
            }
            return str(template) % values
    return None


def translate_reasons(text: str) -> str:
    """A stored reason (``"Asha & Ravi: both in Pune; same level"``) for the reader."""
    prefix, rest = "", text
    first = rest.split(SEPARATOR)[0]
    if ": " in rest and not rest.startswith(NOT_ALLOWED) and translate_phrase(first) is None:
        # "Asha & Ravi: …" — the names before the colon are the members, kept as they are.
        prefix, rest = rest.split(": ", 1)
    if rest.startswith(NOT_ALLOWED):
        phrases = rest.removeprefix(NOT_ALLOWED).split(SEPARATOR)
        body = gettext("not allowed: %(reasons)s") % {
            "reasons": SEPARATOR.join(translate_phrase(p) or p for p in phrases)
        }
    else:
        body = SEPARATOR.join(translate_phrase(p) or p for p in rest.split(SEPARATOR))
    return f"{prefix}: {body}" if prefix else body


def translate_lines(text: str) -> list[str]:
    return [translate_reasons(line) for line in text.splitlines() if line.strip()]
