"""Walking every model through the app registry: which rows belong to an organisation,
and taking a person's name, email and employee id out of every text and JSON column.

The apps' own handlers remove what a person wrote; this walk catches what others and the
system wrote about them (a mentoring relationship named "Asha with Ravi", a match
reason, a nudge's message, an audit entry), in every app, present or future, without
importing any of them.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterator
from functools import cache
from typing import Any

from django.apps import apps
from django.db import models

from alongside.core.personal_data import Subject

# Columns that are credentials or identifiers, never prose about a person.
NEVER_SCRUBBED = {"token", "token_hash", "password", "self_enrol_token", "claim", "uid", "prefix"}
MIN_NAME_LENGTH = 4  # a shorter name would match inside ordinary words
# Identities of other people: a namesake in the directory keeps their own name.
IDENTITY_MODELS = {"people.person", "scim.scimuser"}


@cache
def organisation_paths() -> dict[type[models.Model], str]:
    """For each model, the shortest lookup from it to its organisation's id."""
    organisation = apps.get_model("organisations", "Organisation")
    paths: dict[type[models.Model], str] = {}
    for model in apps.get_models():
        if model is organisation:
            continue
        queue: deque[tuple[type[models.Model], str, int]] = deque([(model, "", 0)])
        seen = {model}
        while queue:
            current, path, depth = queue.popleft()
            found = None
            for field in current._meta.concrete_fields:
                if not isinstance(field, models.ForeignKey):
                    continue
                target = field.related_model
                lookup = f"{path}{field.name}"
                if target is organisation:
                    found = f"{lookup}_id" if not path else f"{lookup}__id"
                    break
                if depth < 4 and isinstance(target, type) and target not in seen:
                    seen.add(target)
                    queue.append((target, f"{lookup}__", depth + 1))
            if found:
                paths[model] = found
                break
    return paths


def text_fields(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    return [
        field
        for field in model._meta.concrete_fields
        if isinstance(field, models.CharField | models.TextField | models.JSONField)
        and not isinstance(field, models.EmailField)
        and not field.choices
        and not field.unique
        and field.name not in NEVER_SCRUBBED
    ]


def needles(subject: Subject) -> list[tuple[re.Pattern[str], str, str]]:
    """(pattern, replacement, the plain text to look for) for the person's identifiers."""
    found = []
    if subject.email:
        found.append(
            (
                re.compile(rf"(?<![\w.+-]){re.escape(subject.email)}(?![\w-])", re.IGNORECASE),
                "Former participant",
                subject.email,
            )
        )
    if len(subject.name.strip()) >= MIN_NAME_LENGTH:
        found.append(
            (
                re.compile(rf"(?<!\w){re.escape(subject.name.strip())}(?!\w)", re.IGNORECASE),
                "Former participant",
                subject.name.strip(),
            )
        )
    if len(subject.employee_id) >= 3:
        found.append(
            (
                re.compile(rf"(?<![\w-]){re.escape(subject.employee_id)}(?![\w-])"),
                "[erased]",
                subject.employee_id,
            )
        )
    return found


def _replace(value: Any, patterns: list[tuple[re.Pattern[str], str, str]]) -> Any:
    if isinstance(value, str):
        for pattern, replacement, _text in patterns:
            value = pattern.sub(replacement, value)
        return value
    if isinstance(value, list):
        return [_replace(item, patterns) for item in value]
    if isinstance(value, dict):
        return {_replace(k, patterns): _replace(v, patterns) for k, v in value.items()}
    return value


def scrub_organisation(subject: Subject) -> int:
    """Replace the person's email, name and employee id in every text and JSON column of
    the organisation's rows; returns how many rows changed."""
    patterns = needles(subject)
    if not patterns:
        return 0
    changed = 0
    for model, path in organisation_paths().items():
        fields = text_fields(model)
        if not fields or model._meta.label_lower in IDENTITY_MODELS:
            continue
        query = models.Q()
        for field in fields:
            for _pattern, _replacement, text in patterns:
                query |= models.Q(**{f"{field.name}__icontains": text})
        candidates = model._default_manager.filter(**{path: subject.organisation_id}).filter(query)
        for row in candidates.iterator(chunk_size=500):
            updates = {}
            for field in fields:
                before = getattr(row, field.attname)
                after = _replace(before, patterns)
                if after != before:
                    updates[field.attname] = after
            if updates:
                model._default_manager.filter(pk=row.pk).update(**updates)
                changed += 1
    return changed


def organisation_rows(organisation_id: int) -> Iterator[tuple[type[models.Model], Any]]:
    """Every model with rows in the organisation, and a queryset of them."""
    for model, path in sorted(organisation_paths().items(), key=lambda item: item[0]._meta.label):
        yield model, model._default_manager.filter(**{path: organisation_id}).order_by("pk")
