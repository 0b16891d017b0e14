from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone as django_timezone
from django.utils.translation import gettext_lazy

from alongside.core.models import Translated


class Format(models.TextChoices):
    PEER_PAIRS = "peer_pairs", gettext_lazy("Peer pairs")
    PEER_CIRCLES = "peer_circles", gettext_lazy("Peer circles")
    ONE_TO_ONE = "one_to_one", gettext_lazy("1:1 mentoring")
    GROUP_MENTORING = "group_mentoring", gettext_lazy("Group mentoring")
    BUDDIES = "buddies", gettext_lazy("Onboarding buddies")
    FLASH_ROUNDS = "flash_rounds", gettext_lazy("Flash rounds")


MENTORING_FORMATS = frozenset({Format.ONE_TO_ONE, Format.GROUP_MENTORING})


class Rhythm(models.TextChoices):
    WEEKLY = "weekly", gettext_lazy("Weekly")
    FORTNIGHTLY = "fortnightly", gettext_lazy("Fortnightly")
    MONTHLY = "monthly", gettext_lazy("Monthly")


class Stage(models.TextChoices):
    DRAFT = "draft", gettext_lazy("Draft")
    ENROLLING = "enrolling", gettext_lazy("Enrolling")
    MATCHING = "matching", gettext_lazy("Matching")
    RUNNING = "running", gettext_lazy("Running")
    CLOSING = "closing", gettext_lazy("Closing")
    CLOSED = "closed", gettext_lazy("Closed")


# The lifecycle moves forward; a step back is allowed where a manager may need one
# (reopen enrolment, go back to matching for late joiners, reopen a closing programme).
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    Stage.DRAFT: frozenset({Stage.ENROLLING}),
    Stage.ENROLLING: frozenset({Stage.MATCHING, Stage.DRAFT}),
    Stage.MATCHING: frozenset({Stage.RUNNING, Stage.ENROLLING}),
    Stage.RUNNING: frozenset({Stage.CLOSING, Stage.MATCHING}),
    Stage.CLOSING: frozenset({Stage.CLOSED, Stage.RUNNING}),
    Stage.CLOSED: frozenset(),
}


class CommunicationPreference(models.TextChoices):
    VIDEO = "video", gettext_lazy("Video call")
    IN_PERSON = "in_person", gettext_lazy("In person")
    CHAT = "chat", gettext_lazy("Chat")


def new_enrol_token() -> str:
    return secrets.token_urlsafe(24)


class Programme(Translated):
    """A focused mentoring programme: its purpose, format, rhythm and matching rules."""

    # Areas and topics are also identifiers (intakes, answers and matching store the source
    # text); their translations are labels only.
    translated_fields = ("capability_areas", "topics")

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="programmes"
    )
    name = models.CharField(max_length=200)
    purpose = models.TextField(
        blank=True,
        help_text=gettext_lazy("The common thread, e.g. 'new managers in their first 12 months'."),
    )
    format = models.CharField(max_length=32, choices=Format.choices)
    stage = models.CharField(max_length=16, choices=Stage.choices, default=Stage.DRAFT)
    start_date = models.DateField()
    end_date = models.DateField()
    checkpoint_date = models.DateField(
        null=True,
        blank=True,
        help_text=gettext_lazy(
            "Optional midway point where each member chooses to continue or close."
        ),
    )
    rhythm = models.CharField(max_length=16, choices=Rhythm.choices, default=Rhythm.MONTHLY)
    session_minutes = models.PositiveSmallIntegerField(default=45)
    capability_areas = models.JSONField(default=list)
    topics = models.JSONField(
        default=list, help_text=gettext_lazy("Vocabulary for wants / offers.")
    )
    matching_rules = models.JSONField(default=dict)
    # The language its authored texts (areas, topics, session guides, survey questions)
    # were first written in: the organisation's when it was created. An organisation may
    # change its default later; its originals stay in the language they are in.
    content_language = models.CharField(max_length=16, blank=True)
    managers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="managed_programmes"
    )
    self_enrol_open = models.BooleanField(default=False)
    self_enrol_token = models.CharField(max_length=64, default=new_enrol_token, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=django_timezone.now)
    updated_at = models.DateTimeField(default=django_timezone.now)

    class Meta:
        ordering = ["-start_date", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gt=models.F("start_date")),
                name="programme_ends_after_it_starts",
            ),
            models.CheckConstraint(
                condition=models.Q(stage__in=[s.value for s in Stage]),
                name="programme_stage_valid",
            ),
        ]
        indexes = [models.Index(fields=["organisation", "stage"])]

    def __str__(self) -> str:
        return self.name

    @property
    def translation_fallback(self) -> str:
        """The language a reader sees where theirs is not written: the organisation's."""
        return self.organisation.language

    @property
    def source_language(self) -> str:
        """The language the originals of its authored texts are in (``content_language``)."""
        return self.content_language or self.organisation.language

    @property
    def is_mentoring(self) -> bool:
        return self.format in MENTORING_FORMATS

    def rule(self, name: str, default: Any = None) -> Any:
        return self.matching_rules.get(name, default)


class EnrolmentRole(models.TextChoices):
    PEER = "peer", gettext_lazy("Peer")
    MENTOR = "mentor", gettext_lazy("Mentor")
    MENTEE = "mentee", gettext_lazy("Mentee")


class EnrolmentStatus(models.TextChoices):
    ACTIVE = "active", gettext_lazy("Active")
    WITHDRAWN = "withdrawn", gettext_lazy("Withdrawn")


class EnrolmentSource(models.TextChoices):
    DIRECTORY = "directory", gettext_lazy("From the directory")
    CSV = "csv", gettext_lazy("From a CSV")
    SELF = "self", gettext_lazy("Self-enrolled")


class Enrolment(models.Model):
    """A person taking part in a programme, with their role (and a mentor's capacity)."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="enrolments")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="enrolments")
    role = models.CharField(max_length=16, choices=EnrolmentRole.choices)
    capacity = models.PositiveSmallIntegerField(default=1)
    status = models.CharField(
        max_length=16, choices=EnrolmentStatus.choices, default=EnrolmentStatus.ACTIVE
    )
    source = models.CharField(max_length=16, choices=EnrolmentSource.choices)
    late_joiner = models.BooleanField(default=False)
    enrolled_at = models.DateTimeField(default=django_timezone.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["programme", "person__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "person"], name="enrolment_unique_person_per_programme"
            ),
            models.CheckConstraint(
                condition=models.Q(capacity__gte=1) & models.Q(capacity__lte=50),
                name="enrolment_capacity_range",
            ),
        ]
        indexes = [models.Index(fields=["programme", "status"])]

    def __str__(self) -> str:
        return f"{self.person.name} in {self.programme} ({self.role})"

    @property
    def is_active(self) -> bool:
        return self.status == EnrolmentStatus.ACTIVE


class Intake(models.Model):
    """What a participant wants from the programme; private to them and the managers."""

    enrolment = models.OneToOneField(Enrolment, on_delete=models.CASCADE, related_name="intake")
    wants = models.JSONField(default=list, blank=True)
    wants_other = models.CharField(max_length=300, blank=True)
    offers = models.JSONField(default=list, blank=True)
    offers_other = models.CharField(max_length=300, blank=True)
    goals = models.TextField(blank=True)
    availability = models.CharField(max_length=300, blank=True)
    timezone = models.CharField(max_length=64, blank=True)
    communication_preference = models.CharField(
        max_length=16, choices=CommunicationPreference.choices, blank=True
    )
    languages = models.JSONField(default=list, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    reminder_count = models.PositiveSmallIntegerField(default=0)
    updated_at = models.DateTimeField(default=django_timezone.now)

    def __str__(self) -> str:
        return f"Intake of {self.enrolment}"

    @property
    def is_complete(self) -> bool:
        return self.completed_at is not None
