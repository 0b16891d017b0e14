"""The emails a programme sends its participants. Each function builds one message and
sends nothing; the services decide when (after their transaction commits).

Every link signs in its reader, also someone who never set a password, and opens the
page the email is about (accounts.sign_in_links.email_link); a welcome to someone with
no account carries their invitation instead.
"""

from __future__ import annotations

from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from alongside.accounts.sign_in_links import email_link
from alongside.core.languages import in_language, recipient_language
from alongside.people.models import Person
from alongside.programmes.models import Programme


def intake_path(programme: Programme) -> str:
    return reverse("programmes:intake", args=[programme.organisation.slug, programme.pk])


def _message(
    *, subject: str, template: str, context: dict[str, object], to: str
) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"programmes/email/{template}.txt", context),
        to=[to],
    )
    message.attach_alternative(
        render_to_string(f"programmes/email/{template}.html", context), "text/html"
    )
    return message


def intake_reminder_email(*, person: Person, programme: Programme) -> EmailMultiAlternatives:
    # In the recipient's own language.
    with in_language(recipient_language(person.user, programme.organisation)):
        return _intake_reminder_email(person=person, programme=programme)


def _intake_reminder_email(*, person: Person, programme: Programme) -> EmailMultiAlternatives:
    link = email_link(
        email=person.email, path=intake_path(programme), organisation_id=programme.organisation_id
    )
    return _message(
        subject=_("A few questions before %(programme)s matches you")
        % {"programme": programme.name},
        template="intake_reminder",
        context={"person": person, "programme": programme, "link": link},
        to=person.email,
    )


def welcome_email(
    *, person: Person, programme: Programme, inviter: str, invitation_link: str | None
) -> EmailMultiAlternatives:
    """You are in the programme: fill in your intake. For someone with no account yet this
    is their invitation (``invitation_link``); for the others a link that signs them in."""
    # In the recipient's own language.
    with in_language(recipient_language(person.user, programme.organisation)):
        return _welcome_email(
            person=person, programme=programme, inviter=inviter, invitation_link=invitation_link
        )


def _welcome_email(
    *, person: Person, programme: Programme, inviter: str, invitation_link: str | None
) -> EmailMultiAlternatives:
    link = invitation_link or email_link(
        email=person.email, path=intake_path(programme), organisation_id=programme.organisation_id
    )
    return _message(
        subject=_("Welcome to %(programme)s") % {"programme": programme.name},
        template="welcome",
        context={
            "person": person,
            "programme": programme,
            "organisation": programme.organisation,
            "inviter": inviter,
            "link": link,
            "is_invitation": invitation_link is not None,
        },
        to=person.email,
    )
