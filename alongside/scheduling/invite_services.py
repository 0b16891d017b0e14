"""Sending calendar invitations exactly once per change, and the private calendar feed."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from alongside.accounts.models import User
from alongside.accounts.sign_in_links import email_link
from alongside.audit.services import log_action
from alongside.core.formatting import format_list
from alongside.core.languages import in_language, recipient_language
from alongside.meetings.models import Meeting
from alongside.organisations.models import Organisation
from alongside.outbox.services import Outgoing, emails_enqueue
from alongside.relationships.models import Relationship, RelationshipMember
from alongside.scheduling import invites, slot_finder
from alongside.scheduling.models import CalendarFeed, RelationshipVideo
from alongside.scheduling.selectors import member_zone

logger = logging.getLogger(__name__)

#: Invitations go out for meetings starting within this window; the periodic job sends
#: the rest as they come into it, so nobody gets a year of invitations on day one.
INVITE_HORIZON = timedelta(weeks=5)


# --- Invitations -----------------------------------------------------------------------


def meeting_url(meeting: Meeting, organisation_slug: str) -> str:
    try:
        path = reverse(
            "meetings:meeting", kwargs={"org_slug": organisation_slug, "meeting_id": meeting.pk}
        )
    except NoReverseMatch:
        path = f"/o/{organisation_slug}/mentoring/meetings/{meeting.pk}/"
    return settings.SITE_URL + path


def meeting_title(meeting: Meeting) -> str:
    relationship = meeting.relationship
    if meeting.number:
        return _("%(relationship)s: meeting %(number)s (%(programme)s)") % {
            "relationship": relationship.name,
            "number": meeting.number,
            "programme": relationship.programme.name,
        }
    return _("%(relationship)s (%(programme)s)") % {
        "relationship": relationship.name,
        "programme": relationship.programme.name,
    }


def invite_event(meeting: Meeting, members: Iterable[RelationshipMember]) -> invites.InviteEvent:
    relationship = meeting.relationship
    others = format_list([m.person.name for m in members])
    return invites.InviteEvent(
        uid=meeting.uid,
        sequence=meeting.ical_sequence,
        starts_at=meeting.starts_at,
        duration_minutes=meeting.duration_minutes,
        timezone=meeting.timezone,
        summary=meeting_title(meeting),
        description=(
            _(
                "Mentoring meeting of %(relationship)s in %(programme)s with %(others)s. "
                "The session guide, your notes and commitments are on the meeting page:"
            )
            % {
                "relationship": relationship.name,
                "programme": relationship.programme.name,
                "others": others,
            }
            if others
            else _(
                "Mentoring meeting of %(relationship)s in %(programme)s. "
                "The session guide, your notes and commitments are on the meeting page:"
            )
            % {"relationship": relationship.name, "programme": relationship.programme.name}
        ),
        url=meeting_url(meeting, relationship.organisation.slug),
        attendees=[invites.InviteAttendee(m.person.name, m.person.email) for m in members],
        cancelled=meeting.status == Meeting.Status.CANCELLED,
        location=meeting.location,
        video_url=relationship_video_url(relationship),
    )


def relationship_video_url(relationship: Relationship) -> str:
    """The relationship's video link (select_related ``video`` to save the query)."""
    try:
        video = relationship.video
    except RelationshipVideo.DoesNotExist:
        return ""
    return video.url if video.status == RelationshipVideo.Status.READY else ""


def _invitees(meeting: Meeting) -> list[RelationshipMember]:
    return list(
        RelationshipMember.objects.filter(attendance__meeting=meeting)
        .select_related("person__user", "enrolment__intake")
        .order_by("-role", "person__name", "pk")
    )


def _claim(meeting: Meeting) -> bool:
    """Claim this sequence's email for this process; False if someone already sent it."""
    return bool(
        Meeting.objects.filter(pk=meeting.pk, ical_sequence=meeting.ical_sequence)
        .filter(
            Q(invite_sent_sequence__isnull=True) | Q(invite_sent_sequence__lt=F("ical_sequence"))
        )
        .update(invite_sent_sequence=meeting.ical_sequence)
    )


def _needs_invite(meeting: Meeting, now: datetime) -> bool:
    if meeting.invite_sent_sequence is not None:
        return meeting.invite_sent_sequence < meeting.ical_sequence
    return (
        meeting.status == Meeting.Status.SCHEDULED
        and now < meeting.starts_at <= now + INVITE_HORIZON
    )


def meeting_invite_dispatch(*, meeting_id: int, now: datetime | None = None) -> bool:
    """Email the current invitation (or cancellation) of a meeting if it is due.

    Due: never sent and starting within the horizon, or changed since it was sent. The
    claim is a conditional UPDATE, so a sequence is emailed once however often this runs.
    """
    now = now or timezone.now()
    meeting = (
        Meeting.objects.select_related("relationship__programme", "relationship__organisation")
        .filter(pk=meeting_id)
        .first()
    )
    if meeting is None or not _needs_invite(meeting, now):
        return False
    if meeting.invite_sent_sequence is None and meeting.status == Meeting.Status.CANCELLED:
        return False  # nobody's calendar has it
    # The claim and the queued emails commit together: the outbox sends (and retries)
    # them, so a sequence claimed is a sequence emailed.
    with transaction.atomic():
        if not _claim(meeting):
            return False
        _send_invitation(meeting, _invitees(meeting), now)
    return True


def meeting_invites_send_to_member(*, meeting_ids: Sequence[int], member_id: int) -> int:
    """Send one member the current invitations they missed (a late joiner)."""
    now = timezone.now()
    member = (
        RelationshipMember.objects.select_related("person", "enrolment__intake")
        .filter(pk=member_id, is_active=True)
        .first()
    )
    if member is None:
        return 0
    sent = 0
    for meeting in Meeting.objects.select_related(
        "relationship__programme", "relationship__organisation"
    ).filter(pk__in=meeting_ids, status=Meeting.Status.SCHEDULED, starts_at__gt=now):
        _send_invitation(meeting, _invitees(meeting), now, only=member)
        sent += 1
    return sent


def meeting_invitation_email(
    *,
    meeting: Meeting,
    member: RelationshipMember,
    members: Sequence[RelationshipMember],
    summary: str,
    ics: bytes,
    video_url: str = "",
) -> EmailMultiAlternatives:
    """A calendar invitation (or its update or cancellation) for one member, in their zone;
    its link signs in and opens the meeting page."""
    # In the recipient's own language.
    with in_language(recipient_language(member.person.user, meeting.relationship.organisation)):
        return _meeting_invitation_email(
            meeting=meeting,
            member=member,
            members=members,
            summary=summary,
            ics=ics,
            video_url=video_url,
        )


def _meeting_invitation_email(
    *,
    meeting: Meeting,
    member: RelationshipMember,
    members: Sequence[RelationshipMember],
    summary: str,
    ics: bytes,
    video_url: str = "",
) -> EmailMultiAlternatives:
    relationship = meeting.relationship
    organisation = relationship.organisation
    cancelled = meeting.status == Meeting.Status.CANCELLED
    method = "CANCEL" if cancelled else "REQUEST"
    updated = meeting.ical_sequence > 0
    zone_name = member_zone(member, organisation)
    local = meeting.starts_at.astimezone(slot_finder.zone(zone_name))
    path = reverse("meetings:meeting", args=[organisation.slug, meeting.pk])
    context = {
        "person": member.person,
        "meeting": meeting,
        "title": summary,
        "others": [m.person for m in members if m.pk != member.pk],
        "relationship": relationship,
        "programme": relationship.programme,
        "local_start": local,
        "local_end": local + timedelta(minutes=meeting.duration_minutes),
        "zone_name": zone_name,
        "link": email_link(email=member.person.email, path=path, organisation_id=organisation.pk),
        "video_url": video_url,
        "cancelled": cancelled,
        "updated": updated,
    }
    when = {"title": summary, "when": date_format(local, "D j M, H:i"), "zone": zone_name}
    if cancelled:
        subject = _("Cancelled: %(title)s on %(when)s (%(zone)s)") % when
    elif updated:
        subject = _("Updated: %(title)s on %(when)s (%(zone)s)") % when
    else:
        subject = _("Invitation: %(title)s on %(when)s (%(zone)s)") % when
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("scheduling/email/invitation.txt", context),
        to=[member.person.email],
    )
    message.attach_alternative(
        render_to_string("scheduling/email/invitation.html", context), "text/html"
    )
    # The calendar part both inline (Outlook, Apple Mail, Gmail read it as an
    # invitation) and as an attachment for clients that only import files.
    message.attach_alternative(ics.decode(), f"text/calendar; method={method}")
    message.attach("invite.ics", ics, f"application/ics; method={method}")
    return message


def _send_invitation(
    meeting: Meeting,
    members: Sequence[RelationshipMember],
    now: datetime,
    only: RelationshipMember | None = None,
) -> None:
    organisation = meeting.relationship.organisation
    recipients = [
        member
        for member in members
        if (only is None or member.pk == only.pk) and member.person.email
    ]
    messages = []
    for member in recipients:
        # Each member's invitation, its calendar texts too, in their own language.
        with in_language(recipient_language(member.person.user, organisation)):
            event = invite_event(meeting, members)
            ics = invites.invitation(event, organizer=settings.DEFAULT_FROM_EMAIL, now=now)
            messages.append(
                meeting_invitation_email(
                    meeting=meeting,
                    member=member,
                    members=members,
                    summary=event.summary,
                    ics=ics,
                    video_url=event.video_url,
                )
            )
    emails_enqueue(
        [
            Outgoing(
                message,
                kind="meeting_invitation",
                organisation_id=meeting.relationship.organisation_id,
                dedupe_key=f"meeting-invite:{meeting.pk}:{meeting.ical_sequence}:{member.pk}",
            )
            for message, member in zip(messages, recipients, strict=True)
        ]
    )


def meeting_invites_dispatch(
    *, meeting_ids: Sequence[int] = (), relationship_id: int | None = None
) -> int:
    """Queue the due invitations of these meetings (or of a relationship's); the task."""
    ids = list(meeting_ids)
    if relationship_id is not None:
        ids += list(
            Meeting.objects.filter(relationship_id=relationship_id).values_list("pk", flat=True)
        )
    queued = 0
    for pk in ids:
        # A failure is logged and the periodic job tries again on its next run.
        try:
            queued += meeting_invite_dispatch(meeting_id=pk)
        except Exception:
            logger.exception("could not queue the invitation for meeting %s", pk)
    return queued


def dispatch_after_commit(
    *, meeting_ids: Sequence[int] | None = None, relationship_id: int | None = None
) -> None:
    """Work out and queue the invitations in the background once the change commits."""
    from alongside.scheduling.tasks import dispatch_meeting_invites

    ids = list(meeting_ids or [])
    transaction.on_commit(
        lambda: dispatch_meeting_invites.enqueue(meeting_ids=ids, relationship_id=relationship_id),
        robust=True,
    )


def meetings_send_due_invites(*, now: datetime | None = None) -> int:
    """Invitations coming into the horizon, and updates not sent yet (the periodic job)."""
    now = now or timezone.now()
    due = Meeting.objects.filter(
        Q(
            status=Meeting.Status.SCHEDULED,
            invite_sent_sequence__isnull=True,
            starts_at__gt=now,
            starts_at__lte=now + INVITE_HORIZON,
        )
        | Q(invite_sent_sequence__isnull=False, invite_sent_sequence__lt=F("ical_sequence"))
    ).values_list("pk", flat=True)
    sent = 0
    for pk in list(due):
        # A failure is logged in dispatch and retried on the next run.
        with contextlib.suppress(Exception):
            sent += meeting_invite_dispatch(meeting_id=pk, now=now)
    return sent


# --- Calendar feed ---------------------------------------------------------------------


def calendar_feed_get_or_create(*, user: User, organisation: Organisation) -> CalendarFeed:
    feed, _created = CalendarFeed.objects.get_or_create(user=user, organisation=organisation)
    return feed


@transaction.atomic
def calendar_feed_renew(*, user: User, organisation: Organisation) -> CalendarFeed:
    """A new secret address; the old one stops working at once."""
    CalendarFeed.objects.filter(user=user, organisation=organisation).delete()
    feed = CalendarFeed.objects.create(user=user, organisation=organisation)
    log_action(actor=user, organisation=organisation, action="calendar_feed.renewed", target=None)
    return feed


def calendar_feed_render(*, token: str) -> bytes | None:
    """The feed's calendar, or None when the token is unknown (or was renewed)."""
    from alongside.scheduling.selectors import feed_by_token, meetings_for_feed

    feed = feed_by_token(token)
    if feed is None:
        return None
    now = timezone.now()
    if feed.last_used_at is None or now - feed.last_used_at > timedelta(hours=1):
        CalendarFeed.objects.filter(pk=feed.pk).update(last_used_at=now)
    # A calendar app asks without a session: the feed speaks its owner's language.
    with in_language(recipient_language(feed.user, feed.organisation)):
        items = [
            invite_event(meeting, ())
            for meeting in meetings_for_feed(user=feed.user, organisation=feed.organisation)
        ]
        name = _("Mentoring · %(organisation)s") % {"organisation": feed.organisation.name}
        return invites.feed(items, name=name, now=now)


def meeting_calendar_file(*, meeting: Meeting) -> bytes:
    """One meeting as a calendar file to open or import ("add to calendar").

    It carries the meeting's own UID, so a calendar that later gets the invitation or
    the subscription updates this event instead of showing it twice.
    """
    members = list(
        RelationshipMember.objects.filter(relationship_id=meeting.relationship_id, is_active=True)
        .select_related("person")
        .order_by("person__name")
    )
    meeting.relationship = Relationship.objects.select_related("programme", "organisation").get(
        pk=meeting.relationship_id
    )
    name = meeting_title(meeting)
    return invites.feed([invite_event(meeting, members)], name=name, now=timezone.now())


def meeting_calendar_filename(meeting: Meeting) -> str:
    return f"meeting-{meeting.number or meeting.pk}-{meeting.starts_at:%Y-%m-%d}.ics"
