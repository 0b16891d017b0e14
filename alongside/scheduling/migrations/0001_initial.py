# The models arrive from the meetings app, whose migration 0002 renamed their tables:
# only Django's record of them is created here.

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

import alongside.scheduling.models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("meetings", "0002_schedules_move_to_scheduling"),
        ("organisations", "0001_initial"),
        ("relationships", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="Schedule",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "status",
                            models.CharField(
                                choices=[("proposed", "Proposed"), ("confirmed", "Confirmed")],
                                default="proposed",
                                max_length=16,
                            ),
                        ),
                        (
                            "weekday",
                            models.PositiveSmallIntegerField(help_text="0 = Monday … 6 = Sunday"),
                        ),
                        (
                            "start_time",
                            models.TimeField(help_text="Local time in the schedule's time zone."),
                        ),
                        ("timezone", models.CharField(max_length=64)),
                        (
                            "rhythm",
                            models.CharField(
                                help_text="weekly / fortnightly / monthly", max_length=16
                            ),
                        ),
                        ("duration_minutes", models.PositiveSmallIntegerField(default=45)),
                        ("first_date", models.DateField()),
                        ("until", models.DateField()),
                        (
                            "has_overlap",
                            models.BooleanField(
                                default=True,
                                help_text="False when the members share no working hours.",
                            ),
                        ),
                        ("explanation", models.CharField(blank=True, max_length=500)),
                        ("proposed_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("confirmed_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "relationship",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="schedule",
                                to="relationships.relationship",
                            ),
                        ),
                    ],
                ),
                migrations.CreateModel(
                    name="CalendarFeed",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "token",
                            models.CharField(
                                default=alongside.scheduling.models.new_feed_token,
                                max_length=64,
                                unique=True,
                            ),
                        ),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("last_used_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "organisation",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="organisations.organisation",
                            ),
                        ),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="calendar_feeds",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("user", "organisation"), name="calendar_feed_once"
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="ScheduleResponse",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("accepted", models.BooleanField(default=True)),
                        ("responded_at", models.DateTimeField(default=django.utils.timezone.now)),
                        (
                            "member",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="relationships.relationshipmember",
                            ),
                        ),
                        (
                            "schedule",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="responses",
                                to="scheduling.schedule",
                            ),
                        ),
                    ],
                    options={
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("schedule", "member"), name="schedule_response_once"
                            )
                        ],
                    },
                ),
            ],
        )
    ]
