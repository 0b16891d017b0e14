"""Checking translations of authored text written by a manager (page or API).

The shape is ``{language: {field: text or list}}`` (alongside.core.authored). Every fault
names the language and the field; nothing is saved unless all of it is right.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from alongside.core.errors import AlongsideError, Problem


def language_names() -> dict[str, str]:
    return {code: str(name) for code, name in settings.LANGUAGES}


def clean_translations(
    raw: Any,
    *,
    text_fields: Mapping[str, int],
    list_fields: Mapping[str, Sequence[str]] | None = None,
) -> tuple[dict[str, dict[str, Any]], list[Problem]]:
    """``raw`` checked: known languages, known fields, texts within ``text_fields``' lengths,
    lists as long as their source (``list_fields``). Empty texts and lists are dropped."""
    list_fields = list_fields or {}
    names = language_names()
    problems: list[Problem] = []
    cleaned: dict[str, dict[str, Any]] = {}
    if raw is None:
        return cleaned, problems
    if not isinstance(raw, Mapping):
        message = _("must be an object of languages, each an object of fields.")
        return cleaned, [Problem(message, "translations")]
    allowed = ", ".join([*text_fields, *list_fields])
    for code, fields in raw.items():
        where = f"translations.{code}"
        if code not in names:
            problems.append(
                Problem(
                    _("'%(language)s' is not a language Alongside ships; use one of: %(codes)s.")
                    % {"language": code, "codes": ", ".join(names)},
                    where,
                )
            )
            continue
        if fields is None:
            continue
        if not isinstance(fields, Mapping):
            problems.append(Problem(_("must be an object of fields."), where))
            continue
        kept: dict[str, Any] = {}
        for field, value in fields.items():
            at = f"{where}.{field}"
            context = {"field": field, "language": names[code], "allowed": allowed}
            if field in text_fields:
                if value is None:
                    continue
                if not isinstance(value, str):
                    problems.append(Problem(_("must be text."), at))
                    continue
                text = "\n".join(line.rstrip() for line in value.strip().splitlines())
                if len(text) > text_fields[field]:
                    problems.append(
                        Problem(
                            _("is longer than %(limit)s characters in %(language)s.")
                            % {**context, "limit": f"{text_fields[field]:,}"},
                            at,
                        )
                    )
                elif text:
                    kept[field] = text
            elif field in list_fields:
                if value is None:
                    continue
                source = list_fields[field]
                if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                    problems.append(Problem(_("must be a list of texts."), at))
                    continue
                if len(value) != len(source):
                    problems.append(
                        Problem(
                            ngettext(
                                "has %(count)s item in %(language)s but the original has "
                                "%(source)s; write one for each, in the same order.",
                                "has %(count)s items in %(language)s but the original has "
                                "%(source)s; write one for each, in the same order.",
                                len(value),
                            )
                            % {**context, "count": len(value), "source": len(source)},
                            at,
                        )
                    )
                    continue
                items = [v.strip() for v in value]
                if any(items):
                    kept[field] = items
            else:
                problems.append(
                    Problem(
                        _("'%(field)s' cannot be translated here; the fields are: %(allowed)s.")
                        % context,
                        at,
                    )
                )
        if kept:
            cleaned[code] = kept
    return cleaned, problems


def merged_translations(
    existing: Mapping[str, Mapping[str, Any]] | None,
    raw: Any,
    *,
    text_fields: Mapping[str, int],
    list_fields: Mapping[str, Sequence[str]] | None = None,
) -> dict[str, dict[str, Any]]:
    """The stored translations with the languages in ``raw`` replaced (a language sent empty
    or null is removed); raises AlongsideError naming every fault."""
    cleaned, problems = clean_translations(raw, text_fields=text_fields, list_fields=list_fields)
    if problems:
        raise AlongsideError(_("The translations could not be saved."), problems=problems)
    result = {code: dict(fields) for code, fields in (existing or {}).items()}
    for code in raw or {}:
        if code in cleaned:
            result[code] = cleaned[code]
        else:
            result.pop(code, None)
    return result
