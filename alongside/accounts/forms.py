from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.utils.translation import gettext_lazy as _

from alongside.accounts.models import normalise_email
from alongside.core.languages import in_language, recipient_language, shipped_languages


class SignInForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("Email"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )

    def clean_username(self) -> str:
        # Emails are stored lowercased; normalise before authenticating so that sign-in
        # is case-insensitive and the lockout counts every spelling as one account.
        return normalise_email(self.cleaned_data["username"])


class SetPasswordForm(forms.Form):
    language = forms.ChoiceField(
        label=_("Your language"),
        required=False,
        choices=shipped_languages,
        help_text=_("Pages and emails will be in this language; change it at any time."),
    )
    password = forms.CharField(
        label=_("Choose a password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 10 characters; not a common password."),
    )
    password_again = forms.CharField(
        label=_("The same password again"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("password") and data.get("password") != data.get("password_again"):
            self.add_error("password_again", _("The two passwords differ."))
        return data


class LanguageForm(forms.Form):
    """The language switcher: a shipped language, or empty to follow the organisation."""

    language = forms.ChoiceField(
        label=_("Language"),
        required=False,
        choices=lambda: [("", _("My organisation's language")), *shipped_languages()],
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=100, help_text=_("What will use it, e.g. 'HR sync'.")
    )


class LocalisedPasswordResetForm(PasswordResetForm):
    """The reset email in the recipient's own language, not the requester's browser's."""

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        user = context.get("user")
        first_membership = user.memberships.select_related("organisation").first() if user else None
        organisation = first_membership.organisation if first_membership else None
        with in_language(recipient_language(user, organisation)):
            super().send_mail(
                subject_template_name,
                email_template_name,
                context,
                from_email,
                to_email,
                html_email_template_name,
            )
