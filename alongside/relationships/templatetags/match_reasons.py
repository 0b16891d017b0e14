"""``{% load match_reasons %}``: stored match reasons, said in the reader's language."""

from __future__ import annotations

from django import template

from alongside.relationships.reason_words import translate_lines

register = template.Library()


@register.filter
def reason_lines(text: str) -> list[str]:
    return translate_lines(text or "")
