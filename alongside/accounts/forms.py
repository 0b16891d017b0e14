from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.forms import PasswordResetForm as DjangoPasswordResetForm
from django.utils.translation import gettext_lazy as _

from alongside.accounts.models import User, normalise_email
from alongside.accounts.sign_in_policy import PASSWORD, sign_in_refusal


class SignInForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("Email"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def clean_username(self) -> str:
        # Emails are stored lowercased; normalise before authenticating so that sign-in
        # is case-insensitive and the lockout counts every spelling as one account.
        return normalise_email(self.cleaned_data["username"])

    def clean(self) -> dict[str, Any]:
        if self.cleaned_data.get("username") and not self.cleaned_data.get("password"):
            raise forms.ValidationError(
                _("Enter your password, or ask for a sign-in link by email."),
                code="password_missing",
            )
        return super().clean()

    def confirm_login_allowed(self, user: Any) -> None:
        super().confirm_login_allowed(user)
        assert isinstance(user, User)
        refusal = sign_in_refusal(user, PASSWORD)
        if refusal:
            raise forms.ValidationError(refusal, code="refused")


class PasswordResetForm(DjangoPasswordResetForm):
    """Django's reset, only for accounts that may sign in with a password (Django already
    leaves out those without a usable one); accounts/password_reset.py sends the others
    a sign-in link instead."""

    def get_users(self, email: str) -> Any:
        for user in super().get_users(email):
            if sign_in_refusal(user, PASSWORD) is None:
                yield user


class SetPasswordForm(forms.Form):
    """A password to choose, optional: an emailed link signs in without one."""

    password = forms.CharField(
        label=_("Choose a password (optional)"),
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_(
            "At least 10 characters; not a common password. Without one, you sign in "
            "with a link we email you."
        ),
    )
    password_again = forms.CharField(
        label=_("The same password again"),
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if (data.get("password") or data.get("password_again")) and data.get(
            "password"
        ) != data.get("password_again"):
            self.add_error("password_again", _("The two passwords differ."))
        return data


class ApiTokenForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="What will use it, e.g. 'HR sync'.")
