from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from alongside.core.languages import shipped_languages
from alongside.core.validators import known_time_zones
from alongside.organisations.models import Role


def time_zone_choices() -> list[tuple[str, str]]:
    return [(zone, zone.replace("_", " ")) for zone in sorted(known_time_zones())]


class OrganisationSettingsForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    default_time_zone = forms.ChoiceField(label=_("Default time zone"), choices=time_zone_choices)
    language = forms.ChoiceField(
        label=_("Default language"),
        required=False,
        choices=lambda: [("", _("Each person's browser language")), *shipped_languages()],
        help_text=_("What people see until they choose their own language."),
    )


class MembershipRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class MembershipGrantForm(forms.Form):
    email = forms.EmailField(label=_("Email"), help_text=_("Someone who already has an account."))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.MEMBER)
