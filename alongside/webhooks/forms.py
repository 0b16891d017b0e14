from __future__ import annotations

from django import forms
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from alongside.webhooks.catalogue import EVENT_TYPES


def _event_choices() -> list[tuple[str, str]]:
    return [
        (
            t.name,
            format_html(
                '<strong>{}</strong> <span class="muted">{}</span>', t.label, t.description
            ),
        )
        for t in EVENT_TYPES
    ]


class EndpointForm(forms.Form):
    url = forms.CharField(
        label=_("Address (URL)"),
        max_length=500,
        help_text=_("An HTTPS address that accepts a POST with a JSON body."),
        widget=forms.URLInput(attrs={"placeholder": "https://hr.example.com/hooks/alongside"}),
    )
    description = forms.CharField(
        label=_("Description"),
        max_length=200,
        required=False,
        help_text=_("What receives the events, e.g. “HR data warehouse”."),
    )
    event_types = forms.MultipleChoiceField(
        label=_("Events"),
        choices=_event_choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The address gets only these."),
    )
    is_active = forms.BooleanField(
        label=_("Send events to this address"), required=False, initial=True
    )
