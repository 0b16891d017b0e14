"""``{% panels "place" key=value … %}``: render what the apps above fill a place with."""

from __future__ import annotations

from typing import Any

from django import template
from django.template.context import Context
from django.utils.safestring import SafeString, mark_safe

from alongside.core.panels import panels_at

register = template.Library()


@register.simple_tag(takes_context=True)
def panels(context: Context, place: str, **arguments: Any) -> SafeString:
    request = context.get("request")
    assert context.template is not None  # set while a template renders
    engine = context.template.engine
    html = []
    for filler in panels_at(place):
        data = filler.context(request=request, **arguments)
        if data is None:
            continue
        panel_template = engine.get_template(filler.template)
        with context.push(**data):
            html.append(panel_template.render(context))
    return mark_safe("".join(html))
