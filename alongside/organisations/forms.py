from __future__ import annotations

from django import forms

from alongside.core.validators import known_time_zones
from alongside.organisations.models import Role


def time_zone_choices() -> list[tuple[str, str]]:
    return [(zone, zone.replace("_", " ")) for zone in sorted(known_time_zones())]


class OrganisationSettingsForm(forms.Form):
    name = forms.CharField(max_length=200)
    default_time_zone = forms.ChoiceField(choices=time_zone_choices)


class MembershipRoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)


class MembershipGrantForm(forms.Form):
    email = forms.EmailField(help_text="Someone who already has an account.")
    role = forms.ChoiceField(choices=Role.choices, initial=Role.MEMBER)
