from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from alongside.health.models import THRESHOLD_FIELDS, HealthThresholds, Intervention
from alongside.programmes.models import Format
from alongside.relationships.models import Relationship


class FilterForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Format"), required=False)
    department = forms.ChoiceField(label=gettext_lazy("Department"), required=False)
    location = forms.ChoiceField(label=gettext_lazy("Location"), required=False)

    def __init__(self, *args: Any, options: dict[str, list[str]], overview: bool, **kwargs: Any):
        super().__init__(*args, **kwargs)
        kinds = Format.choices if overview else Relationship.Kind.choices
        choices: dict[str, list[tuple[str, Any]]] = {
            "kind": [("", _("All formats")), *kinds],
            "department": [("", _("All departments"))] + [(d, d) for d in options["departments"]],
            "location": [("", _("All locations"))] + [(loc, loc) for loc in options["locations"]],
        }
        for name, values in choices.items():
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = values


class ThresholdsForm(forms.ModelForm[HealthThresholds]):
    class Meta:
        model = HealthThresholds
        fields = list(THRESHOLD_FIELDS)
        labels = {
            "grace_days": gettext_lazy("Grace days"),
            "at_risk_periods": gettext_lazy("At risk periods"),
            "dormant_periods": gettext_lazy("Dormant periods"),
            "dormant_min_days": gettext_lazy("Dormant min days"),
            "missed_window": gettext_lazy("Missed window"),
            "missed_struggling": gettext_lazy("Missed struggling"),
            "pulse_window": gettext_lazy("Pulse window"),
            "pulse_struggling": gettext_lazy("Pulse struggling"),
            "commitments_window": gettext_lazy("Commitments window"),
            "commitments_min": gettext_lazy("Commitments min"),
            "commitments_at_risk": gettext_lazy("Commitments at risk"),
            "left_days": gettext_lazy("Left days"),
        }


class InterventionForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=Intervention.Kind.choices)
    message = forms.CharField(
        label=gettext_lazy("Message"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy(
            "Emailed to the members for a message or a rematch offer; kept with a note."
        ),
    )
