"""``{% load formatting %}``: ``{{ names|as_list }}`` joins in the page's language."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template

from alongside.core.formatting import format_list

register = template.Library()


@register.filter
def as_list(items: Iterable[Any], attribute: str = "") -> str:
    """A list joined for the active language; ``attribute`` picks a field of each item."""
    if attribute:
        items = [getattr(item, attribute) for item in items]
    return format_list(items)
