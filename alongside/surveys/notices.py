"""Emails about surveys and check-ins, each sent at most once per person (SurveyNotice)."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string

from alongside.programmes.models import Enrolment, Programme
from alongside.surveys.models import SurveyNotice

SUBJECTS = {
    SurveyNotice.Key.START_OPEN: "{programme}: a five-minute start survey",
    SurveyNotice.Key.START_REMINDER: "Reminder: the {programme} start survey is still open",
    SurveyNotice.Key.END_OPEN: "{programme}: what changed for you?",
    SurveyNotice.Key.END_REMINDER: "Reminder: the {programme} end survey closes soon",
    SurveyNotice.Key.MIDPOINT_OPEN: "{programme} is halfway: how is it going?",
    SurveyNotice.Key.MIDPOINT_REMINDER: "Reminder: one question about how {programme} is going",
    SurveyNotice.Key.CLOSING_SESSION: "{programme}: the closing session",
}

INTROS = {
    SurveyNotice.Key.START_OPEN: (
        "Before your first meetings, rate where you stand today in each of the programme's "
        "capability areas. At the end you answer the same questions, so you and the "
        "programme can see what changed."
    ),
    SurveyNotice.Key.START_REMINDER: (
        "You have not answered the start survey yet. It takes about five minutes."
    ),
    SurveyNotice.Key.END_OPEN: (
        "The programme is nearly over. Rate yourself again in each capability area and tell "
        "us what changed and whether the format helped."
    ),
    SurveyNotice.Key.END_REMINDER: "You have not answered the end survey yet.",
    SurveyNotice.Key.MIDPOINT_OPEN: (
        "You are halfway through. One rating from 1 to 5 and, if you like, what is in the way."
    ),
    SurveyNotice.Key.MIDPOINT_REMINDER: "The midpoint check-in takes a minute.",
    SurveyNotice.Key.CLOSING_SESSION: "The programme's closing session is scheduled.",
}


def notify_once(
    *,
    programme: Programme,
    enrolments: Iterable[Enrolment],
    key: str,
    path: str,
    extra: str = "",
) -> int:
    """Email each enrolment about ``key`` unless it was emailed before; returns how many.

    Call inside the caller's transaction: the rows are written now and the emails leave
    when it commits, so a rolled-back write sends nothing.
    """
    candidates = {e.pk: e for e in enrolments}
    already = set(
        SurveyNotice.objects.filter(enrolment_id__in=candidates, key=key).values_list(
            "enrolment_id", flat=True
        )
    )
    fresh = [e for pk, e in candidates.items() if pk not in already]
    SurveyNotice.objects.bulk_create(
        [SurveyNotice(programme=programme, enrolment=e, key=key) for e in fresh],
        ignore_conflicts=True,
    )
    link = settings.SITE_URL + path
    subject = SUBJECTS[SurveyNotice.Key(key)].format(programme=programme.name)
    for enrolment in fresh:
        context = {
            "person": enrolment.person,
            "programme": programme,
            "intro": INTROS[SurveyNotice.Key(key)],
            "extra": extra,
            "link": link,
        }
        message = EmailMultiAlternatives(
            subject=subject,
            body=render_to_string("surveys/email/notice.txt", context),
            to=[enrolment.person.email],
        )
        message.attach_alternative(
            render_to_string("surveys/email/notice.html", context), "text/html"
        )
        transaction.on_commit(lambda m=message: m.send(fail_silently=False))  # type: ignore[misc]
    return len(fresh)
