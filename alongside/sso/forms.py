from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from alongside.sso.models import SsoConnection

FIELD_OF_PROBLEM = {
    "attribute_mapping.email": "attribute_email",
    "attribute_mapping.name": "attribute_name",
    "attribute_mapping.employee_id": "attribute_employee_id",
}


class SsoSettingsForm(forms.Form):
    protocol = forms.ChoiceField(
        label=_("Protocol"),
        choices=SsoConnection.Protocol.choices,
        widget=forms.RadioSelect,
    )
    display_name = forms.CharField(
        label=_("Button label"),
        required=False,
        max_length=100,
        help_text=_("Shown to people signing in, e.g. 'Acme Entra ID'."),
    )
    email_domains = forms.CharField(
        label=_("Email domains"),
        help_text=_(
            "Comma-separated, e.g. acme.com, acme.in. Addresses at these domains are sent to "
            "this identity provider, and only they can sign in through it."
        ),
    )
    issuer_url = forms.URLField(
        label=_("Issuer or discovery URL"),
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text=_(
            "e.g. https://login.microsoftonline.com/<tenant id>/v2.0, "
            "https://accounts.google.com, https://acme.okta.com, "
            "https://sso.acme.com/realms/staff"
        ),
    )
    client_id = forms.CharField(label=_("Client (application) id"), required=False, max_length=255)
    client_secret = forms.CharField(
        label=_("Client secret"),
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
    )
    idp_metadata_url = forms.URLField(
        label=_("Identity provider metadata URL"),
        required=False,
        max_length=500,
        assume_scheme="https",
    )
    idp_metadata_xml = forms.CharField(
        label=_("…or its metadata XML"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false"}),
    )
    attribute_email = forms.CharField(label=_("Email attribute"), max_length=255)
    attribute_name = forms.CharField(label=_("Name attribute"), required=False, max_length=255)
    attribute_employee_id = forms.CharField(
        label=_("Employee id attribute"),
        required=False,
        max_length=255,
        help_text=_("Optional: matches people whose directory email differs."),
    )

    def __init__(self, *args: Any, has_secret: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if has_secret:
            self.fields["client_secret"].help_text = _(
                "A secret is stored (encrypted, never shown). Leave empty to keep it."
            )

    def field_for(self, problem_field: str) -> str | None:
        name = FIELD_OF_PROBLEM.get(problem_field, problem_field)
        return name if name in self.fields else None

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "protocol": data["protocol"],
            "display_name": data["display_name"],
            "email_domains": list(data["email_domains"].replace(";", ",").split(",")),
            "attribute_mapping": {
                "email": data["attribute_email"],
                "name": data["attribute_name"],
                "employee_id": data["attribute_employee_id"],
            },
            "issuer_url": data["issuer_url"],
            "client_id": data["client_id"],
            "client_secret": data["client_secret"] or None,
            "idp_metadata_url": data["idp_metadata_url"],
            "idp_metadata_xml": data["idp_metadata_xml"],
        }
