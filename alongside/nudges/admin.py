from django.contrib import admin

from alongside.nudges.models import NudgeDelivery, NudgePreference, ProgrammeNudgeSetting


@admin.register(NudgeDelivery)
class NudgeDeliveryAdmin(admin.ModelAdmin[NudgeDelivery]):
    list_display = [
        "nudge_key",
        "event_key",
        "email",
        "status",
        "attempts",
        "created_at",
        "sent_at",
    ]
    list_filter = ["status", "nudge_key"]
    search_fields = ["email", "event_key", "subject"]
    raw_id_fields = ["organisation", "programme", "person", "user", "digest"]


@admin.register(NudgePreference)
class NudgePreferenceAdmin(admin.ModelAdmin[NudgePreference]):
    list_display = ["user", "frequency", "updated_at"]
    raw_id_fields = ["user"]


@admin.register(ProgrammeNudgeSetting)
class ProgrammeNudgeSettingAdmin(admin.ModelAdmin[ProgrammeNudgeSetting]):
    list_display = ["programme", "nudge_key", "enabled", "updated_at"]
    raw_id_fields = ["programme", "updated_by"]
