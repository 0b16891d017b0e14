"""Flash rounds: one-off conversations, a different colleague every round."""

from __future__ import annotations

from django.db import models
from django.utils import timezone as django_timezone
from django.utils.translation import gettext_lazy as _


class FlashRound(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned: people can skip it")
        PAIRED = "paired", _("Paired: invitations sent")

    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.CASCADE, related_name="flash_rounds"
    )
    number = models.PositiveSmallIntegerField()
    meets_at = models.DateTimeField(help_text=_("When the round's conversations start."))
    timezone = models.CharField(max_length=64)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PLANNED)
    paired_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=django_timezone.now)

    class Meta:
        ordering = ["programme", "number"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "number"], name="flash_round_number")
        ]

    def __str__(self) -> str:
        return f"Round {self.number} of {self.programme_id}"


class FlashSkip(models.Model):
    """Someone not free for a round (one click, in the app or from the email)."""

    round = models.ForeignKey(FlashRound, on_delete=models.CASCADE, related_name="skips")
    enrolment = models.ForeignKey(
        "programmes.Enrolment", on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(default=django_timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "enrolment"], name="flash_skip_once")
        ]

    def __str__(self) -> str:
        return f"{self.enrolment_id} skips round {self.round_id}"


class FlashGroup(models.Model):
    round = models.ForeignKey(FlashRound, on_delete=models.CASCADE, related_name="groups")
    number = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["round", "number"]
        constraints = [
            models.UniqueConstraint(fields=["round", "number"], name="flash_group_number")
        ]

    def __str__(self) -> str:
        return f"Group {self.number} of round {self.round_id}"


class FlashMember(models.Model):
    round = models.ForeignKey(FlashRound, on_delete=models.CASCADE, related_name="+")
    group = models.ForeignKey(FlashGroup, on_delete=models.CASCADE, related_name="members")
    enrolment = models.ForeignKey(
        "programmes.Enrolment", on_delete=models.CASCADE, related_name="+"
    )
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")

    class Meta:
        ordering = ["group", "person__name"]
        constraints = [
            models.UniqueConstraint(fields=["round", "enrolment"], name="flash_member_once")
        ]

    def __str__(self) -> str:
        return f"{self.person_id} in {self.group_id}"


class FlashPulse(models.Model):
    """The two questions after a conversation."""

    group = models.ForeignKey(FlashGroup, on_delete=models.CASCADE, related_name="pulses")
    enrolment = models.ForeignKey(
        "programmes.Enrolment", on_delete=models.CASCADE, related_name="+"
    )
    useful = models.PositiveSmallIntegerField(help_text=_("How useful was it? 1 to 5."))
    learned = models.BooleanField(help_text=_("Did you take away something you will use?"))
    created_at = models.DateTimeField(default=django_timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["group", "enrolment"], name="flash_pulse_once"),
            models.CheckConstraint(
                condition=models.Q(useful__gte=1) & models.Q(useful__lte=5),
                name="flash_pulse_useful_range",
            ),
        ]

    def __str__(self) -> str:
        return f"Pulse of {self.enrolment_id} on {self.group_id}"
