"""Writes for flash rounds: plan a round, skip it, pair it (with invitations), pulses.

The pairing itself is the engine's (``matching/flash.py``); this module reads who takes
part, who met whom before and who shares a reporting line, and stores the groups.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from alongside.accounts.models import User
from alongside.audit.services import log_action
from alongside.core.errors import AlongsideError, Problem
from alongside.core.formatting import format_list
from alongside.core.languages import in_language, recipient_language
from alongside.flash.models import FlashGroup, FlashMember, FlashPulse, FlashRound, FlashSkip
from alongside.matches.cohort import utc_offset_hours
from alongside.matching.flash import FlashPerson, pair_round
from alongside.outbox.services import Outgoing, emails_enqueue
from alongside.people.reporting_line import ancestors_by_person
from alongside.people.selectors import manager_map
from alongside.programmes.models import Enrolment, EnrolmentStatus, Format, Programme, Rhythm, Stage
from alongside.scheduling import invites

PERIOD: dict[str, timedelta] = {
    Rhythm.WEEKLY: timedelta(weeks=1),
    Rhythm.FORTNIGHTLY: timedelta(weeks=2),
    Rhythm.MONTHLY: timedelta(weeks=4),
}
ROUND_STAGES = (Stage.MATCHING, Stage.RUNNING)
SKIP_LINK_SALT = "alongside.flash.skip"
DEFAULT_HOUR = time(11, 0)


def _fail(message: str, code: str = "invalid", field: str | None = None) -> None:
    raise AlongsideError(message, code=code, problems=[Problem(message, field)] if field else [])


def _check_flash(programme: Programme) -> None:
    if programme.format != Format.FLASH_ROUNDS:
        _fail(gettext("Only a flash-rounds programme has rounds."), code="not_flash")


def next_meeting_time(programme: Programme, now: datetime) -> datetime:
    """A round period after the last one, or the programme's start (never in the past)."""
    last = FlashRound.objects.filter(programme=programme).order_by("-number").first()
    zone = ZoneInfo(programme.organisation.default_time_zone or "UTC")
    if last is not None:
        when = last.meets_at + PERIOD.get(programme.rhythm, timedelta(weeks=2))
    else:
        when = datetime.combine(programme.start_date, DEFAULT_HOUR, tzinfo=zone)
    while when < now + timedelta(days=1):
        when += timedelta(days=1)
    return when


@transaction.atomic
def flash_round_plan(
    *, programme: Programme, actor: User | None, meets_at: datetime | None = None
) -> FlashRound:
    """Announce the next round; everyone taking part is told and can skip it."""
    locked = Programme.objects.select_for_update().get(pk=programme.pk)
    _check_flash(locked)
    if locked.stage not in ROUND_STAGES:
        _fail(
            gettext("Rounds run while the programme is matching or running (it is %(stage)s).")
            % {"stage": locked.get_stage_display().lower()},
            code="wrong_stage",
        )
    now = timezone.now()
    if FlashRound.objects.filter(programme=locked, status=FlashRound.Status.PLANNED).exists():
        _fail(gettext("The next round is already planned; pair it first."), code="planned")
    when = meets_at or next_meeting_time(locked, now)
    if when <= now:
        _fail(gettext("A round must meet in the future."), field="meets_at")
    if when.date() > locked.end_date:
        _fail(
            gettext("The programme ends on %(date)s; a round cannot meet after it.")
            % {"date": locked.end_date.isoformat()},
            field="meets_at",
        )
    number = (FlashRound.objects.filter(programme=locked).count()) + 1
    flash_round = FlashRound.objects.create(
        programme=locked,
        number=number,
        meets_at=when,
        timezone=locked.organisation.default_time_zone or "UTC",
    )
    log_action(
        actor=actor,
        organisation=locked.organisation,
        action="flash.round_planned",
        target=locked,
        data={"round": number},
    )
    _announce(flash_round)
    return flash_round


def skip_token(flash_round: FlashRound, enrolment: Enrolment) -> str:
    return signing.dumps([flash_round.pk, enrolment.pk], salt=SKIP_LINK_SALT)


def read_skip_token(token: str) -> tuple[int, int] | None:
    try:
        round_id, enrolment_id = signing.loads(token, salt=SKIP_LINK_SALT, max_age=60 * 86400)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    return int(round_id), int(enrolment_id)


def _announce(flash_round: FlashRound) -> None:
    programme = flash_round.programme
    messages = []
    for enrolment in Enrolment.objects.filter(
        programme=programme, status=EnrolmentStatus.ACTIVE
    ).select_related("person__user"):
        if not enrolment.person.email:
            continue
        context = {
            "person": enrolment.person,
            "programme": programme,
            "round": flash_round,
            "skip_link": settings.SITE_URL
            + reverse("flash_skip_link", args=[skip_token(flash_round, enrolment)]),
        }
        with in_language(recipient_language(enrolment.person.user, programme.organisation)):
            message = EmailMultiAlternatives(
                subject=gettext("%(programme)s: round %(number)d is coming")
                % {"programme": programme.name, "number": flash_round.number},
                body=render_to_string("flash/email/round_planned.txt", context),
                to=[enrolment.person.email],
            )
        messages.append(
            Outgoing(
                message,
                kind="flash_round",
                organisation_id=programme.organisation_id,
                dedupe_key=f"flash-round:{flash_round.pk}:planned:{enrolment.pk}",
            )
        )
    # Queued with the round, sent by the workers.
    emails_enqueue(messages)


@transaction.atomic
def flash_round_skip(
    *, flash_round: FlashRound, enrolment: Enrolment, skip: bool, actor: User | None
) -> bool:
    locked = FlashRound.objects.select_for_update().get(pk=flash_round.pk)
    if enrolment.programme_id != locked.programme_id:
        _fail(gettext("You are not taking part in this programme."), code="not_participant")
    if locked.status != FlashRound.Status.PLANNED:
        _fail(
            gettext("Round %(number)d has already been paired; tell your partner instead.")
            % {"number": locked.number},
            code="paired",
        )
    if skip:
        FlashSkip.objects.get_or_create(round=locked, enrolment=enrolment)
    else:
        FlashSkip.objects.filter(round=locked, enrolment=enrolment).delete()
    log_action(
        actor=actor,
        organisation=locked.programme.organisation,
        action="flash.skipped" if skip else "flash.rejoined",
        target=locked.programme,
        data={"round": locked.number, "enrolment": enrolment.pk},
    )
    return skip


def times_met(programme: Programme) -> Counter[frozenset[str]]:
    """How often each two people of the programme have met in its rounds."""
    groups: dict[int, list[int]] = {}
    for group_id, enrolment_id in FlashMember.objects.filter(
        round__programme=programme
    ).values_list("group_id", "enrolment_id"):
        groups.setdefault(group_id, []).append(enrolment_id)
    met: Counter[frozenset[str]] = Counter()
    for members in groups.values():
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                met[frozenset((str(a), str(b)))] += 1
    return met


@transaction.atomic
def flash_round_pair(*, flash_round: FlashRound, actor: User | None) -> list[FlashGroup]:
    """Pair everyone free this round and send each group its calendar invitation."""
    locked = FlashRound.objects.select_for_update().select_related("programme__organisation")
    current = locked.get(pk=flash_round.pk)
    if current.status != FlashRound.Status.PLANNED:
        _fail(gettext("This round has already been paired."), code="paired")
    programme = current.programme
    skipping = set(FlashSkip.objects.filter(round=current).values_list("enrolment_id", flat=True))
    taking_part = [
        e
        for e in Enrolment.objects.filter(programme=programme, status=EnrolmentStatus.ACTIVE)
        .select_related("person")
        .order_by("pk")
        if e.pk not in skipping
    ]
    if len(taking_part) < 2:
        _fail(
            gettext("Fewer than two people are free for this round; nobody can be paired."),
            code="too_few",
        )
    ancestors = ancestors_by_person(manager_map(organisation=programme.organisation))
    by_person = {e.person_id: e.pk for e in taking_part}
    forbidden = frozenset(
        frozenset((str(e.pk), str(by_person[boss])))
        for e in taking_part
        for boss in ancestors.get(e.person_id, frozenset())
        if boss in by_person
    )
    people = [
        FlashPerson(
            id=str(e.pk),
            department=e.person.department,
            utc_offset_hours=utc_offset_hours(
                e.person.timezone or programme.organisation.default_time_zone, current.meets_at
            ),
        )
        for e in taking_part
    ]
    result = pair_round(people, times_met(programme), forbidden=forbidden)
    by_id = {str(e.pk): e for e in taking_part}
    groups = []
    for number, ids in enumerate(result.groups, start=1):
        group = FlashGroup.objects.create(round=current, number=number)
        FlashMember.objects.bulk_create(
            FlashMember(round=current, group=group, enrolment=by_id[i], person=by_id[i].person)
            for i in ids
        )
        groups.append(group)
    current.status = FlashRound.Status.PAIRED
    current.paired_at = timezone.now()
    current.save(update_fields=["status", "paired_at"])
    log_action(
        actor=actor,
        organisation=programme.organisation,
        action="flash.round_paired",
        target=programme,
        data={"round": current.number, "groups": len(groups), "repeats": result.repeats},
    )
    _invite(current, groups)
    return groups


def group_invitation(group: FlashGroup, *, now: datetime | None = None) -> bytes:
    return invites.invitation(
        _group_event(group), organizer=settings.DEFAULT_FROM_EMAIL, now=now or timezone.now()
    )


def round_calendar(flash_round: FlashRound, *, now: datetime | None = None) -> bytes:
    """Every conversation of a round, as one calendar to look at (no invitations)."""
    events = [_group_event(g) for g in flash_round.groups.select_related("round__programme")]
    return invites.feed(
        events,
        name=gettext("%(programme)s, round %(number)d")
        % {"programme": flash_round.programme.name, "number": flash_round.number},
        now=now or timezone.now(),
    )


def _group_event(group: FlashGroup) -> invites.InviteEvent:
    flash_round = group.round
    programme = flash_round.programme
    members = list(group.members.select_related("person__user"))
    return invites.InviteEvent(
        uid=f"flash-{group.pk}@alongside",
        sequence=0,
        starts_at=flash_round.meets_at,
        duration_minutes=programme.session_minutes,
        timezone=flash_round.timezone,
        summary=gettext("%(programme)s, round %(number)d: %(names)s")
        % {
            "programme": programme.name,
            "number": flash_round.number,
            "names": " & ".join(m.person.name for m in members),
        },
        description=gettext("A one-off conversation: who you are, what you work on, one question."),
        url=settings.SITE_URL
        + reverse("flash:rounds", args=[programme.organisation.slug, programme.pk]),
        attendees=[invites.InviteAttendee(m.person.name, m.person.email) for m in members],
    )


def _invite(flash_round: FlashRound, groups: list[FlashGroup]) -> None:
    messages = []
    for group in groups:
        ics = group_invitation(group)
        members = list(group.members.select_related("person__user"))
        for member in members:
            if not member.person.email:
                continue
            others = [m.person.name for m in members if m.pk != member.pk]
            context = {
                "person": member.person,
                "others": others,
                "round": flash_round,
                "programme": flash_round.programme,
            }
            with in_language(
                recipient_language(member.person.user, flash_round.programme.organisation)
            ):
                message = EmailMultiAlternatives(
                    subject=gettext("Round %(number)d: you are meeting %(names)s")
                    % {"number": flash_round.number, "names": format_list(others)},
                    body=render_to_string("flash/email/paired.txt", context),
                    to=[member.person.email],
                )
            message.attach_alternative(ics.decode(), "text/calendar; method=REQUEST")
            message.attach("invite.ics", ics, "application/ics; method=REQUEST")
            messages.append(
                Outgoing(
                    message,
                    kind="flash_paired",
                    organisation_id=flash_round.programme.organisation_id,
                    dedupe_key=f"flash-round:{flash_round.pk}:paired:{member.pk}",
                )
            )
    emails_enqueue(messages)


@transaction.atomic
def flash_pulse_answer(
    *, group: FlashGroup, enrolment: Enrolment, useful: int, learned: bool
) -> FlashPulse:
    if not group.members.filter(enrolment=enrolment).exists():
        _fail(gettext("You were not in this conversation."), code="not_member")
    if group.round.meets_at > timezone.now():
        _fail(gettext("Answer after the conversation has taken place."), code="too_early")
    if isinstance(useful, bool) or not isinstance(useful, int) or not 1 <= useful <= 5:
        _fail(gettext("must be a whole number from 1 to 5."), field="useful")
    pulse, _created = FlashPulse.objects.update_or_create(
        group=group, enrolment=enrolment, defaults={"useful": useful, "learned": bool(learned)}
    )
    return pulse


def flash_rounds_due(*, now: datetime) -> int:
    """Plan the next round when the last one has met; pair a round two days before it."""
    done = 0
    for programme in Programme.objects.filter(
        format=Format.FLASH_ROUNDS, stage=Stage.RUNNING
    ).select_related("organisation"):
        last = FlashRound.objects.filter(programme=programme).order_by("-number").first()
        if last is not None and last.status == FlashRound.Status.PLANNED:
            if last.meets_at - now <= timedelta(days=2):
                try:
                    flash_round_pair(flash_round=last, actor=None)
                    done += 1
                except AlongsideError:
                    continue
            continue
        if last is None or last.meets_at <= now:
            try:
                flash_round_plan(programme=programme, actor=None)
                done += 1
            except AlongsideError:
                continue
    return done
