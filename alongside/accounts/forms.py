from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.forms import PasswordResetForm as DjangoPasswordResetForm
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from alongside.accounts.models import User, normalise_email
from alongside.accounts.sign_in_policy import PASSWORD, sign_in_refusal
from alongside.core.languages import in_language, recipient_language, shipped_languages
from alongside.outbox.services import email_enqueue


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

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        """The reset email in the recipient's own language, not the requester's browser's,
        queued in the outbox (retried with backoff, failures recorded) like every email."""
        user = context.get("user")
        first_membership = user.memberships.select_related("organisation").first() if user else None
        organisation = first_membership.organisation if first_membership else None
        with in_language(recipient_language(user, organisation)):
            subject = "".join(render_to_string(subject_template_name, context).splitlines())
            message = EmailMultiAlternatives(
                subject, render_to_string(email_template_name, context), from_email, [to_email]
            )
            if html_email_template_name is not None:
                message.attach_alternative(
                    render_to_string(html_email_template_name, context), "text/html"
                )
        email_enqueue(message, kind="password_reset")


class SetPasswordForm(forms.Form):
    """A password to choose, optional: an emailed link signs in without one."""

    language = forms.ChoiceField(
        label=_("Your language"),
        required=False,
        choices=shipped_languages,
        help_text=_("Pages and emails will be in this language; change it at any time."),
    )
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
