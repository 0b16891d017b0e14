from __future__ import annotations

from typing import Any

from django import forms

from alongside.health.models import THRESHOLD_FIELDS, HealthThresholds, Intervention
from alongside.programmes.models import Format
from alongside.relationships.models import Relationship


class FilterForm(forms.Form):
    kind = forms.ChoiceField(label="Format", required=False)
    department = forms.ChoiceField(required=False)
    location = forms.ChoiceField(required=False)

    def __init__(self, *args: Any, options: dict[str, list[str]], overview: bool, **kwargs: Any):
        super().__init__(*args, **kwargs)
        kinds = Format.choices if overview else Relationship.Kind.choices
        choices: dict[str, list[tuple[str, str]]] = {
            "kind": [("", "All formats"), *kinds],
            "department": [("", "All departments")] + [(d, d) for d in options["departments"]],
            "location": [("", "All locations")] + [(loc, loc) for loc in options["locations"]],
        }
        for name, values in choices.items():
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = values


class ThresholdsForm(forms.ModelForm[HealthThresholds]):
    class Meta:
        model = HealthThresholds
        fields = list(THRESHOLD_FIELDS)


class InterventionForm(forms.Form):
    kind = forms.ChoiceField(choices=Intervention.Kind.choices)
    message = forms.CharField(
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Emailed to the members for a message or a rematch offer; kept with a note.",
    )
