"""``{% load authored %}``: ``{{ programme|localised:"topics" }}`` shows authored text in the
reader's language, else the organisation's (``translation_fallback``), else as first written."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def localised(obj: Any, field: str) -> Any:
    return obj.localised(field, getattr(obj, "translation_fallback", None))


@register.filter
def label_in(value: Any, labels: dict[str, str] | None) -> Any:
    """``{{ area|label_in:area_labels }}``: a stored value (an area, a topic) as its reader's
    label, else as stored."""
    return (labels or {}).get(value, value)
