"""Text that people write (session guides, survey questions, capability areas, topics), in
several languages.

The columns of a model hold the text as first written (its source). Each translation sits
beside it in a ``translations`` mapping, ``{language: {field: text}}``; a list field (the
capability areas, a question's choices) is translated item by item, as a list of the
same length as the source, where an empty item means "not written in this language".

A reader sees the first that is written: their language, then the organisation's default
language, then the source. Lists fall back item by item. A list's items stay identifiers
(answers and matching store the source text); only what is shown is translated.

Django-free on purpose: the rules are plain data in, plain data out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

Translations = Mapping[str, Mapping[str, Any]]


def _chain(language: str | None, fallback: str | None) -> list[str]:
    return [code for code in dict.fromkeys((language, fallback)) if code]


def localised(
    translations: Translations | None,
    field: str,
    source: str,
    language: str | None,
    fallback: str | None = None,
) -> str:
    """``field`` in ``language``, else in ``fallback`` (the organisation's), else ``source``."""
    for code in _chain(language, fallback):
        value = (translations or {}).get(code, {}).get(field)
        if isinstance(value, str) and value.strip():
            return value
    return source


def localised_list(
    translations: Translations | None,
    field: str,
    source: Sequence[str],
    language: str | None,
    fallback: str | None = None,
) -> list[str]:
    """Each item of ``field`` in the first language that has it written, else its source."""
    chains = []
    for code in _chain(language, fallback):
        items = (translations or {}).get(code, {}).get(field)
        if isinstance(items, list) and len(items) == len(source):
            chains.append(items)
    shown = []
    for index, item in enumerate(source):
        written = [c[index] for c in chains if isinstance(c[index], str) and c[index].strip()]
        shown.append(written[0] if written else item)
    return shown


def labels(
    translations: Translations | None,
    field: str,
    source: Sequence[str],
    language: str | None,
    fallback: str | None = None,
) -> dict[str, str]:
    """Source item (the stored identifier) → the label a reader sees."""
    return dict(
        zip(source, localised_list(translations, field, source, language, fallback), strict=True)
    )


def realign(
    translations: Translations | None,
    field: str,
    old_source: Sequence[str],
    new_source: Sequence[str],
) -> dict[str, dict[str, Any]]:
    """The translations of a list field after its source changed: each translation follows
    its source item (a reordered or kept item keeps it, a new item has none yet)."""
    result: dict[str, dict[str, Any]] = {
        code: dict(fields) for code, fields in (translations or {}).items()
    }
    for fields in result.values():
        items = fields.get(field)
        if not isinstance(items, list):
            continue
        by_source = (
            dict(zip(old_source, items, strict=False)) if len(items) == len(old_source) else {}
        )
        moved = [by_source.get(item, "") for item in new_source]
        if any(moved):
            fields[field] = moved
        else:
            fields.pop(field)
    return {code: fields for code, fields in result.items() if fields}


def written_languages(translations: Translations | None, fields: Sequence[str]) -> list[str]:
    """The languages with at least one of ``fields`` written."""

    def written(value: Any) -> bool:
        if isinstance(value, list):
            return any(isinstance(v, str) and v.strip() for v in value)
        return isinstance(value, str) and bool(value.strip())

    return [
        code
        for code, values in (translations or {}).items()
        if any(written(values.get(field)) for field in fields)
    ]
