"""Invitations: a one-click link that lets a person in the directory set a password and join."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from alongside.accounts.models import User, hash_secret, normalise_email
from alongside.accounts.services import check_language
from alongside.accounts.sign_in_policy import INVITATION, sign_in_refusal
from alongside.audit.services import log_action
from alongside.core.errors import AlongsideError, Problem
from alongside.core.languages import in_language, language_for_recipient
from alongside.organisations.models import Membership, Organisation, Role
from alongside.outbox.services import email_enqueue
from alongside.people.models import Invitation, Person


def _user_for_person(person: Person) -> User:
    user = User.objects.filter(email=normalise_email(person.email)).first()
    if user is None:
        user = User.objects.create_user(person.email, password=None, full_name=person.name)
    return user


def invitation_create(*, person: Person, actor: User | None) -> tuple[Invitation, str]:
    """A fresh invitation for ``person`` (older pending ones are revoked); returns its secret.

    Call inside the caller's transaction; the caller sends the email that carries it.
    """
    if not person.is_active:
        raise AlongsideError(
            _("%(name)s is inactive; reactivate them before inviting.") % {"name": person.name}
        )
    user = _user_for_person(person)
    now = timezone.now()
    Invitation.objects.filter(
        person=person, accepted_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=now)
    secret = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        organisation=person.organisation,
        person=person,
        user=user,
        token_hash=hash_secret(secret),
        created_by=actor,
        expires_at=now + timedelta(days=settings.INVITATION_VALID_DAYS),
    )
    return invitation, secret


def invitation_link(secret: str, next_path: str = "") -> str:
    link = settings.SITE_URL + reverse("invitations:accept", args=[secret])
    return f"{link}?{urlencode({'next': next_path})}" if next_path else link


def invitation_email(*, person: Person, inviter: User | None, link: str) -> EmailMultiAlternatives:
    context = {
        "person": person,
        "organisation": person.organisation,
        "inviter": inviter,
        "link": link,
        "valid_days": settings.INVITATION_VALID_DAYS,
    }
    # In the invitee's language (their own choice, else their organisation's).
    invitee = person.user or User.objects.filter(email=normalise_email(person.email)).first()
    chosen = invitee.language if invitee is not None else ""
    with in_language(language_for_recipient(chosen, person.organisation.language)):
        message = EmailMultiAlternatives(
            subject=_("You're invited to %(organisation)s on Alongside")
            % {"organisation": person.organisation.name},
            body=render_to_string("people/email/invitation.txt", context),
            to=[person.email],
        )
        message.attach_alternative(
            render_to_string("people/email/invitation.html", context), "text/html"
        )
    return message


@transaction.atomic
def invitation_send(*, person: Person, actor: User) -> Invitation:
    """Email a one-click link that lets ``person`` join (and, if they like, set a password)."""
    invitation, secret = invitation_create(person=person, actor=actor)
    message = invitation_email(person=person, inviter=actor, link=invitation_link(secret))
    email_enqueue(
        message,
        kind="invitation",
        organisation_id=person.organisation_id,
        dedupe_key=f"invitation:{invitation.pk}",
    )
    log_action(
        actor=actor, organisation=person.organisation, action="invitation.sent", target=person
    )
    return invitation


def invitation_find(secret: str) -> Invitation | None:
    """The invitation behind a link, whatever its state."""
    return (
        Invitation.objects.select_related("organisation", "person")
        .filter(token_hash=hash_secret(secret))
        .first()
    )


def invitation_from_secret(secret: str) -> Invitation | None:
    invitation = (
        Invitation.objects.select_related("organisation", "person", "user")
        .filter(token_hash=hash_secret(secret))
        .first()
    )
    if invitation is None or not invitation.is_usable():
        return None
    return invitation


@transaction.atomic
def invitation_accept(*, secret: str, password: str = "", language: str = "") -> User:
    """Join with the invitation; a password is optional (emailed links sign in too)."""
    invitation = invitation_from_secret(secret)
    if invitation is None:
        raise AlongsideError(
            _("This invitation link is no longer valid; ask your programme manager for a new one."),
            code="invitation_invalid",
        )
    user = invitation.user
    if password:
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise AlongsideError(
                _("Choose a stronger password."),
                problems=[Problem(message, field="password") for message in error.messages],
            ) from error
        user.set_password(password)
    if not user.full_name:
        user.full_name = invitation.person.name
    if language:
        user.language = check_language(language)
    user.save()
    Membership.objects.get_or_create(
        user=user, organisation=invitation.organisation, defaults={"role": Role.MEMBER}
    )
    # Asked once the invitation's membership exists (an error undoes it): an organisation
    # that signs in only with single sign-on refuses invitations too.
    refusal = sign_in_refusal(user, INVITATION)
    if refusal:
        raise AlongsideError(refusal, code="refused", status=403)
    person = invitation.person
    if person.user_id is None:
        person.user = user
        person.save(update_fields=["user"])
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    log_action(
        actor=user,
        organisation=invitation.organisation,
        action="invitation.accepted",
        target=person,
    )
    return user


def link_people_to_user(*, user: User, organisation: Organisation) -> None:
    """Connect a member to their directory entry (same email) when they first arrive."""
    Person.objects.filter(
        organisation=organisation, email__iexact=user.email, user__isnull=True
    ).update(user=user)


def people_awaiting_invitation(
    *, organisation: Organisation, person_ids: list[int] | None = None
) -> QuerySet[Person]:
    """Active people of the organisation who have not signed in yet."""
    people = Person.objects.filter(organisation=organisation, is_active=True, user__isnull=True)
    if person_ids is not None:
        people = people.filter(pk__in=person_ids)
    return people


@transaction.atomic
def invitations_send_bulk(
    *, organisation: Organisation, person_ids: list[int], actor: User | None
) -> int:
    """Invite many people at once (run by a background task); returns how many were sent."""
    sent = 0
    for person in people_awaiting_invitation(organisation=organisation, person_ids=person_ids):
        if actor is None:
            raise AlongsideError(_("Invitations need an acting user."))
        invitation_send(person=person, actor=actor)
        sent += 1
    return sent


def invitations_request_bulk(
    *, organisation: Organisation, person_ids: list[int], actor: User
) -> int:
    """Queue invitations for those of ``person_ids`` who have no account; returns the count."""
    from alongside.people.tasks import send_invitations

    ids = list(
        people_awaiting_invitation(organisation=organisation, person_ids=person_ids).values_list(
            "pk", flat=True
        )
    )
    if not ids:
        return 0
    with transaction.atomic():
        log_action(
            actor=actor,
            organisation=organisation,
            action="invitations.requested",
            data={"count": len(ids)},
        )
        transaction.on_commit(
            lambda: send_invitations.enqueue(
                organisation_id=organisation.pk, person_ids=ids, actor_id=actor.pk
            )
        )
    return len(ids)
